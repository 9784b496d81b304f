/* encode — frame builders for ti-vs, mr60bha2 and mr60bha1 (encode.h). */
#include "encode.h"

#include "mr60bha2.h"

#include <string.h>

static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wf(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    w32(p, u);
}

/* TI frame header; total padded to a multiple of 32 as the radar does. */
static size_t ti_header(uint8_t *buf, uint32_t frame, uint32_t payload, uint32_t ntlv,
                        size_t cap)
{
    static const uint8_t magic[8] = {2, 1, 4, 3, 6, 5, 8, 7};
    size_t total = 40 + payload;
    total = (total + 31) / 32 * 32;
    if (total > cap)
        return 0;
    memset(buf, 0, total);
    memcpy(buf, magic, 8);
    w32(buf + 8, 0x02000004);
    w32(buf + 12, (uint32_t)total);
    w32(buf + 16, 0x000A1642);
    w32(buf + 20, frame);
    w32(buf + 24, frame * 10000000u);
    w32(buf + 28, 0);
    w32(buf + 32, ntlv);
    w32(buf + 36, 0);
    memset(buf + 40 + payload, 0x0f, total - 40 - payload); /* padding as in real captures */
    return total;
}

size_t encode_ti_vs_stats(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_stats *s,
                          int numbering_14xx, unsigned range_bins)
{
    uint32_t payload = 8 + 128 + (range_bins ? 8 + range_bins * 4 : 0);
    size_t total = ti_header(buf, frame, payload, range_bins ? 2 : 1, cap);
    if (!total)
        return 0;
    uint8_t *t = buf + 40;
    w32(t, numbering_14xx ? 0 : 6);
    w32(t + 4, 128);
    uint8_t *p = t + 8;
    p[2] = 15; /* rangeBinIndexPhase */
    wf(p + 4, 1e6f);
    uint8_t *f = p + 16;
    wf(f + 3 * 4, s->hr);
    wf(f + 4 * 4, s->hr);
    wf(f + 5 * 4, s->hr);
    wf(f + 7 * 4, s->rr);
    wf(f + 8 * 4, s->rr);
    wf(f + 10 * 4, s->conf_breath);
    wf(f + 12 * 4, s->conf_heart);
    wf(f + 15 * 4, s->energy_breath);
    wf(f + 16 * 4, s->energy_breath / 1000.0f);
    wf(f + 17 * 4, s->motion);
    if (range_bins) {
        uint8_t *r = p + 128;
        w32(r, numbering_14xx ? 1 : 2);
        w32(r + 4, range_bins * 4);
        for (unsigned i = 0; i < range_bins * 4; i++)
            r[8 + i] = (uint8_t)(i * 37 + frame);
    }
    return total;
}

size_t encode_ti_vs_people(uint8_t *buf, size_t cap, uint32_t frame,
                           const struct ti_vs_person *pp, size_t n)
{
    uint32_t payload = 8 + (uint32_t)n * 136;
    size_t total = ti_header(buf, frame, payload, 1, cap);
    if (!total)
        return 0;
    uint8_t *t = buf + 40;
    w32(t, 1040);
    w32(t + 4, (uint32_t)n * 136);
    for (size_t i = 0; i < n; i++) {
        uint8_t *q = t + 8 + i * 136;
        q[0] = (uint8_t)pp[i].id;
        q[1] = (uint8_t)(pp[i].id >> 8);
        q[2] = 20;
        wf(q + 4, pp[i].breath_deviation);
        wf(q + 8, pp[i].hr);
        wf(q + 12, pp[i].rr);
    }
    return total;
}

size_t encode_mr60bha2(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, const void *data,
                       uint16_t len)
{
    size_t total = 9 + (size_t)len;
    if (total > cap)
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

size_t encode_mr60bha2_f32(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, float v)
{
    uint8_t d[4];
    wf(d, v);
    return encode_mr60bha2(buf, cap, id, type, d, 4);
}

size_t encode_mr60bha1(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, const void *data,
                       uint16_t len)
{
    size_t total = 9 + (size_t)len;
    if (total > cap)
        return 0;
    buf[0] = 0x53;
    buf[1] = 0x59;
    buf[2] = ctrl;
    buf[3] = cmd;
    buf[4] = (uint8_t)(len >> 8);
    buf[5] = (uint8_t)len;
    if (len)
        memcpy(buf + 6, data, len);
    uint8_t sum = 0;
    for (size_t i = 0; i < 6 + (size_t)len; i++)
        sum = (uint8_t)(sum + buf[i]);
    buf[6 + len] = sum;
    buf[7 + len] = 0x54;
    buf[8 + len] = 0x43;
    return total;
}
