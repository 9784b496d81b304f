/*
 * encode — frame builders for ti-vs, mr60bha2 and mr60bha1 (encode.h). The
 * inverse of the parsers, kept beside them so a wire-format change is made in
 * one place.
 */
#include "encode.h"

#include "mr60bha1.h"
#include "mr60bha2.h"
#include "ti_vs.h"

#include <string.h>

/* Little-endian u32. */
static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Little-endian IEEE-754 single. */
static void wf(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    w32(p, u);
}

/* A TI frame from its TLVs. */
size_t encode_ti_vs_frame(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_tlv *tlvs,
                          size_t n)
{
    static const uint8_t magic[TI_VS_MAGIC_LEN] = {2, 1, 4, 3, 6, 5, 8, 7};
    size_t payload = 0;
    for (size_t i = 0; i < n; i++)
        payload += 8 + (size_t)tlvs[i].len;
    size_t total = (TI_VS_HEADER_LEN + payload + 31) / 32 * 32;
    if (total > cap || total > TI_VS_MAX_PACKET || n > TI_VS_MAX_TLVS)
        return 0;
    memcpy(buf, magic, 8);
    w32(buf + 8, 0x02000004);
    w32(buf + 12, (uint32_t)total);
    w32(buf + 16, 0x000A1642);
    w32(buf + 20, frame);
    w32(buf + 24, frame * 10000000u);
    w32(buf + 28, 0);
    w32(buf + 32, (uint32_t)n);
    w32(buf + 36, 0);
    uint8_t *p = buf + TI_VS_HEADER_LEN;
    for (size_t i = 0; i < n; i++) {
        w32(p, tlvs[i].type);
        w32(p + 4, tlvs[i].len);
        if (tlvs[i].len)
            memcpy(p + 8, tlvs[i].data, tlvs[i].len);
        p += 8 + tlvs[i].len;
    }
    /* The radar pads with 0x0f bytes, as in the real captures. */
    memset(p, 0x0f, (size_t)(buf + total - p));
    return total;
}

/* A vital-signs lab frame. */
size_t encode_ti_vs_stats(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_stats *s,
                          int numbering_14xx, unsigned range_bins)
{
    uint8_t st[TI_VS_STATS_LEN] = {0};
    st[2] = 15; /* rangeBinIndexPhase */
    wf(st + 4, ENCODE_TI_VS_MAXVAL);
    uint8_t *f = st + 16;
    wf(f + 3 * 4, s->hr);  /* heartRateEst_FFT */
    wf(f + 4 * 4, s->hr);  /* heartRateEst_FFT_4Hz */
    wf(f + 5 * 4, s->hr);  /* heartRateEst_xCorr */
    wf(f + 7 * 4, s->rr);  /* breathingRateEst_FFT */
    wf(f + 8 * 4, s->rr);  /* breathingRateEst_xCorr */
    wf(f + 9 * 4, s->rr);  /* breathingRateEst_peakCount */
    wf(f + 10 * 4, s->conf_breath);
    wf(f + 12 * 4, s->conf_heart);
    wf(f + 15 * 4, s->energy_breath);
    wf(f + 16 * 4, s->energy_breath / 1000.0f); /* sumEnergyHeartWfm, roughly */
    wf(f + 17 * 4, s->motion);
    if (range_bins > TI_VS_MAX_PACKET / 4)
        return 0;
    struct ti_vs_tlv t[2] = {
        {numbering_14xx ? TI_VS_TLV_STATS_14XX : TI_VS_TLV_STATS, TI_VS_STATS_LEN, st},
        {numbering_14xx ? TI_VS_TLV_RANGE_14XX : TI_VS_TLV_RANGE, range_bins * 4, NULL},
    };
    if (!range_bins)
        return encode_ti_vs_frame(buf, cap, frame, t, 1);
    /* Build the range profile in place after the stats TLV: no buffer here
     * can hold the largest one. */
    size_t total = encode_ti_vs_frame(buf, cap, frame, t, 1);
    if (!total)
        return 0;
    size_t off = TI_VS_HEADER_LEN + 8 + TI_VS_STATS_LEN;
    size_t payload = off + 8 + (size_t)range_bins * 4;
    total = (payload + 31) / 32 * 32;
    if (total > cap || total > TI_VS_MAX_PACKET)
        return 0;
    w32(buf + 12, (uint32_t)total);
    w32(buf + 32, 2);
    w32(buf + off, t[1].type);
    w32(buf + off + 4, t[1].len);
    for (size_t i = 0; i < (size_t)range_bins * 4; i++)
        buf[off + 8 + i] = (uint8_t)(i * 37 + frame); /* complex bins, any values */
    memset(buf + payload, 0x0f, total - payload);
    return total;
}

/* A people-tracking frame. */
size_t encode_ti_vs_people(uint8_t *buf, size_t cap, uint32_t frame,
                           const struct ti_vs_person *pp, size_t n)
{
    if (n > (TI_VS_MAX_PACKET - 64) / TI_VS_PERSON_LEN)
        return 0;
    size_t len = n * TI_VS_PERSON_LEN;
    size_t total = (TI_VS_HEADER_LEN + 8 + len + 31) / 32 * 32;
    if (total > cap)
        return 0;
    /* Persons are written in place (the TLV can be large). */
    struct ti_vs_tlv t = {TI_VS_TLV_PEOPLE, 0, NULL};
    if (!encode_ti_vs_frame(buf, cap, frame, &t, 1))
        return 0;
    uint8_t *p = buf + TI_VS_HEADER_LEN;
    w32(buf + 12, (uint32_t)total);
    w32(p + 4, (uint32_t)len);
    for (size_t i = 0; i < n; i++) {
        uint8_t *q = p + 8 + i * TI_VS_PERSON_LEN;
        memset(q, 0, TI_VS_PERSON_LEN);
        q[0] = (uint8_t)pp[i].id;
        q[1] = (uint8_t)(pp[i].id >> 8);
        q[2] = 20; /* rangeBin */
        wf(q + 4, pp[i].breath_deviation);
        wf(q + 8, pp[i].hr);
        wf(q + 12, pp[i].rr);
    }
    memset(p + 8 + len, 0x0f, total - (TI_VS_HEADER_LEN + 8 + len));
    return total;
}

/* An MR60BHA2 frame. */
size_t encode_mr60bha2(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, const void *data,
                       uint16_t len)
{
    size_t total = MR60BHA2_OVERHEAD + (size_t)len;
    if (total > cap || len > MR60BHA2_MAX_LEN)
        return 0;
    buf[0] = 0x01;
    buf[1] = (uint8_t)(id >> 8);
    buf[2] = (uint8_t)id;
    buf[3] = (uint8_t)(len >> 8);
    buf[4] = (uint8_t)len;
    buf[5] = (uint8_t)(type >> 8);
    buf[6] = (uint8_t)type;
    buf[7] = mr60bha2_checksum(buf, 7);
    if (len)
        memcpy(buf + 8, data, len);
    buf[8 + len] = mr60bha2_checksum(buf + 8, len);
    return total;
}

/* One f32 payload. */
size_t encode_mr60bha2_f32(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, float v)
{
    uint8_t d[4];
    wf(d, v);
    return encode_mr60bha2(buf, cap, id, type, d, 4);
}

/* Phases. */
size_t encode_mr60bha2_phases(uint8_t *buf, size_t cap, uint16_t id, float total, float breath,
                              float heart)
{
    uint8_t d[12];
    wf(d, total);
    wf(d + 4, breath);
    wf(d + 8, heart);
    return encode_mr60bha2(buf, cap, id, MR60BHA2_PHASES, d, 12);
}

/* Distance. */
size_t encode_mr60bha2_distance(uint8_t *buf, size_t cap, uint16_t id, uint32_t flag, float cm)
{
    uint8_t d[8];
    w32(d, flag);
    wf(d + 4, cm);
    return encode_mr60bha2(buf, cap, id, MR60BHA2_DISTANCE, d, 8);
}

/* Presence. */
size_t encode_mr60bha2_presence(uint8_t *buf, size_t cap, uint16_t id, bool present)
{
    uint8_t d = present ? 1 : 0;
    return encode_mr60bha2(buf, cap, id, MR60BHA2_PRESENCE, &d, 1);
}

/* An MR60BHA1 frame. */
size_t encode_mr60bha1(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, const void *data,
                       uint16_t len)
{
    size_t total = MR60BHA1_OVERHEAD + (size_t)len;
    if (total > cap || len > MR60BHA1_MAX_LEN)
        return 0;
    buf[0] = 0x53;
    buf[1] = 0x59;
    buf[2] = ctrl;
    buf[3] = cmd;
    buf[4] = (uint8_t)(len >> 8);
    buf[5] = (uint8_t)len;
    if (len)
        memcpy(buf + 6, data, len);
    buf[6 + len] = mr60bha1_sum(buf, 6 + (size_t)len);
    buf[7 + len] = 0x54;
    buf[8 + len] = 0x43;
    return total;
}

/* One byte of data. */
size_t encode_mr60bha1_u8(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, uint8_t v)
{
    return encode_mr60bha1(buf, cap, ctrl, cmd, &v, 1);
}
