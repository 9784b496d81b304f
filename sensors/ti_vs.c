/*
 * ti_vs — parser for the TI mmWave vital-signs UART stream (contract and
 * choices in ti_vs.h). Frames are decoded in place by the framer; a frame is
 * checked whole (lengths, TLV chain, no magic inside) before anything in it
 * is emitted.
 */
#include "ti_vs.h"

#include "util.h"

#include <math.h>
#include <string.h>

static const uint8_t magic[TI_VS_MAGIC_LEN] = {2, 1, 4, 3, 6, 5, 8, 7};

/* Little-endian u32. */
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian u16. */
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Little-endian IEEE-754 single. */
static float rdf(const uint8_t *p)
{
    uint32_t u = rd32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Parse a non-negative number parameter. */
static int param_number(const char *k, const char *v, double *out, char *err, size_t errlen)
{
    if (ww_parse_double(v, 0, 1e15, out) < 0)
        return ww_err(err, errlen, "ti-vs: %s: '%s' is not a plain number >= 0", k, v);
    return 0;
}

/* Initialise from URI parameters. */
static int ti_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct ti_vs *s = state;
    memset(s, 0, offsetof(struct ti_vs, fr));
    framer_init(&s->fr);
    s->frame_s = 0.050;
    s->presence_energy = 1000;
    s->presence_maxval = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!k || !v)
            return ww_err(err, errlen, "ti-vs: parameter %zu has no key or value", i + 1);
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "tlv")) {
            if (!strcmp(v, "14xx"))
                s->numbering_14xx = true;
            else if (!strcmp(v, "68xx") || !strcmp(v, "16xx"))
                s->numbering_14xx = false;
            else
                return ww_err(err, errlen, "ti-vs: tlv: '%s' (accepted: 68xx, 16xx, 14xx)", v);
        } else if (!strcmp(k, "header")) {
            if (!strcmp(v, "auto"))
                s->header_len = 0;
            else if (!strcmp(v, "40"))
                s->header_len = TI_VS_HEADER_LEN;
            else if (!strcmp(v, "36"))
                s->header_len = TI_VS_HEADER_LEN_SDK10;
            else
                return ww_err(err, errlen, "ti-vs: header: '%s' (accepted: auto, 40, 36)", v);
        } else if (!strcmp(k, "frame_ms")) {
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "ti-vs: frame_ms: '%s' (accepted: 1 to 10000)", v);
            s->frame_s = d / 1000.0;
        } else if (!strcmp(k, "presence_energy")) {
            if (param_number(k, v, &s->presence_energy, err, errlen) < 0)
                return -1;
        } else if (!strcmp(k, "presence_maxval")) {
            if (param_number(k, v, &s->presence_maxval, err, errlen) < 0)
                return -1;
        } else {
            return ww_err(err, errlen,
                          "ti-vs: unknown parameter '%s' (accepted: tlv, header, frame_ms, "
                          "presence_energy, presence_maxval, baud, pace)",
                          k);
        }
    }
    return 0;
}

/* Stream time of a frame number (see ti_vs.h). */
static double frame_time(struct ti_vs *s, uint32_t fn)
{
    double t;
    if (!s->have_frame) {
        t = 0;
    } else {
        uint32_t d = fn - s->last_frame; /* modulo 2^32: a wrap is d == 1 */
        double max_gap = 3600.0 / s->frame_s;
        if (d >= 1 && (double)d <= max_gap)
            t = s->last_t + (double)d * s->frame_s;
        else
            t = s->last_t + s->frame_s; /* repeat, reset or absurd jump */
    }
    s->have_frame = true;
    s->last_frame = fn;
    s->last_t = t;
    return t;
}

/* A plausible respiration rate. */
static bool rr_ok(float v)
{
    return isfinite(v) && v > 0 && v <= 100;
}

/* A plausible heart rate. */
static bool hr_ok(float v)
{
    return isfinite(v) && v > 0 && v <= 300;
}

/* Confidence to 0..1 with the half-way point at half_at. */
static float conf01(float c, float half_at)
{
    if (!(c > 0) || !isfinite(c))
        return c == INFINITY ? 1.0f : 0.0f;
    return c / (c + half_at);
}

/* TLV 6 (or 0): the vital-signs lab's statistics, one reading. */
static void emit_stats(struct ti_vs *s, const uint8_t *p, double t)
{
    float maxval = rdf(p + 4);
    const uint8_t *f = p + 16; /* 28 floats follow 16 bytes of fixed fields */
    float hr = rdf(f + 3 * 4), rr = rdf(f + 7 * 4);
    float cb = rdf(f + 10 * 4), ch = rdf(f + 12 * 4);
    float ebreath = rdf(f + 15 * 4), motion = rdf(f + 17 * 4);
    struct reading r = {.t = t, .have = READING_PRESENCE | READING_QUALITY};
    r.presence = isfinite(ebreath) && ebreath >= s->presence_energy && isfinite(maxval) &&
                 maxval >= s->presence_maxval;
    if (r.presence && rr_ok(rr)) {
        r.have |= READING_RR;
        r.rr = rr;
    }
    if (r.presence && hr_ok(hr)) {
        r.have |= READING_HR;
        r.hr = hr;
    }
    float qb = conf01(cb, 1.0f), qh = conf01(ch, 0.25f);
    r.quality = qb < qh ? qb : qh;
    if (!isnan(motion)) {
        r.have |= READING_MOTION;
        r.motion = motion != 0;
    }
    s->st.readings++;
    s->cb(s->ctx, &r);
}

/* TLV 1040: one reading per tracked person. */
static void emit_people(struct ti_vs *s, const uint8_t *p, uint32_t len, double t)
{
    for (uint32_t off = 0; off + TI_VS_PERSON_LEN <= len; off += TI_VS_PERSON_LEN) {
        const uint8_t *q = p + off;
        float dev = rdf(q + 4), hr = rdf(q + 8), rr = rdf(q + 12);
        struct reading r = {.t = t, .have = READING_ID | READING_PRESENCE, .id = rd16(q)};
        r.presence = !isnan(dev) && dev != 0;
        if (r.presence && rr_ok(rr)) {
            r.have |= READING_RR;
            r.rr = rr;
        }
        if (r.presence && hr_ok(hr)) {
            r.have |= READING_HR;
            r.hr = hr;
        }
        s->st.readings++;
        s->cb(s->ctx, &r);
    }
}

/* Offset of the first magic word in p[from, n), or of a prefix of it that
 * runs to n; n if none. */
static size_t find_magic(const uint8_t *p, size_t from, size_t n)
{
    size_t i = from;
    while (i < n) {
        const uint8_t *q = memchr(p + i, magic[0], n - i);
        if (!q)
            return n;
        i = (size_t)(q - p);
        size_t cmp = n - i < TI_VS_MAGIC_LEN ? n - i : TI_VS_MAGIC_LEN;
        if (memcmp(q, magic, cmp) == 0)
            return i;
        i++;
    }
    return n;
}

/* Walk the TLV chain of a frame whose header says total bytes and of which
 * the bytes [0, lim) are at hand (lim <= total; lim < total when the next
 * magic cut the frame). Returns -1 if any length is impossible (a TLV
 * running past total, a stats TLV shorter than 128 bytes, a TLV 1040 that is
 * not whole persons), else the number of TLVs complete before lim; *end =
 * the offset just past the last complete TLV. */
static int tlv_walk(const struct ti_vs *s, const uint8_t *p, uint32_t hdr, uint32_t total,
                    uint32_t lim, uint32_t ntlv, uint32_t *end)
{
    uint32_t stats_type = s->numbering_14xx ? TI_VS_TLV_STATS_14XX : TI_VS_TLV_STATS;
    uint32_t off = hdr;
    if (lim < hdr)
        return -1;
    uint32_t k;
    for (k = 0; k < ntlv; k++) {
        if (total - off < 8)
            return -1;
        if (lim - off < 8)
            break; /* the TLV header itself was cut */
        uint32_t type = rd32(p + off), len = rd32(p + off + 4);
        if (len > total - off - 8)
            return -1;
        if (type == stats_type && len < TI_VS_STATS_LEN)
            return -1;
        if (type == TI_VS_TLV_PEOPLE && len % TI_VS_PERSON_LEN != 0)
            return -1;
        if (len > lim - off - 8)
            break; /* cut by the next magic: incomplete */
        off += 8 + len;
    }
    *end = off;
    return (int)k;
}

/* A TLV type this parser decodes or knows to skip. */
static bool known_type(const struct ti_vs *s, uint32_t type)
{
    if (s->numbering_14xx)
        return type == TI_VS_TLV_STATS_14XX || type == TI_VS_TLV_RANGE_14XX ||
               type == TI_VS_TLV_PEOPLE;
    return type == TI_VS_TLV_STATS || type == TI_VS_TLV_RANGE || type == TI_VS_TLV_PEOPLE;
}

/* Could type be a TLV type at all? TI numbers them from 1 (the xWR14xx
 * labs from 0) and never past 16 bits; a header read one byte off puts a
 * length byte in the type's top bits. */
static bool plausible_type(const struct ti_vs *s, uint32_t type)
{
    return type < 65536 && (type != 0 || s->numbering_14xx);
}

/* In a frame cut short (the next magic came before totalPacketLen), bytes
 * were lost somewhere before the cut, not necessarily at its end: a byte lost
 * inside a TLV shifts every field after it, and its length still fits. So a
 * TLV is trusted only when a witness stands where its length says it ends:
 * the header of the frame's next TLV, of a plausible type. The last TLV of
 * the frame has none (what follows is padding), nor does one followed by a
 * header the cut took. Returns how many of the k complete TLVs are trusted;
 * *end = the offset just past them. */
static uint32_t tlv_witnessed(const struct ti_vs *s, const uint8_t *p, uint32_t hdr,
                              uint32_t lim, uint32_t ntlv, int k, uint32_t *end)
{
    uint32_t off = hdr, j;
    for (j = 0; j < (uint32_t)k && j + 1 < ntlv; j++) {
        uint32_t nxt = off + 8 + rd32(p + off + 4);
        if (nxt > lim || lim - nxt < 8 || !plausible_type(s, rd32(p + nxt)))
            break;
        off = nxt;
    }
    *end = off;
    return j;
}

/* The header length of a frame: 40 (SDK 1.1 on, with subFrameNumber) or
 * 36 (SDK 1.0 and the xWR14xx demos of SDK 1.x, without). With header=auto
 * a whole frame is read with 40 unless only 36 makes its TLV chain whole
 * and end within the last 32 bytes of totalPacketLen (TI pads to 32); a
 * frame cut short is read with the length the last whole frame had (a cut
 * chain proves nothing). *k and *end are the walk's results for it. */
static uint32_t pick_header(struct ti_vs *s, const uint8_t *p, uint32_t total, uint32_t lim,
                            uint32_t ntlv, int *k, uint32_t *end)
{
    uint32_t hdr = s->header_len ? s->header_len : s->seen_len ? s->seen_len : TI_VS_HEADER_LEN;
    *k = tlv_walk(s, p, hdr, total, lim, ntlv, end);
    if (s->header_len)
        return hdr;
    if (lim < total) {
        /* Cut: before any whole frame showed the length, the other one is
         * taken only if this one fails and under it the first TLV is whole
         * and of a type this parser knows (a misread header puts the
         * subFrameNumber or a payload word where the type is). */
        if (s->seen_len || *k > 0)
            return hdr;
        uint32_t other = hdr == TI_VS_HEADER_LEN ? TI_VS_HEADER_LEN_SDK10 : TI_VS_HEADER_LEN;
        uint32_t e2 = 0;
        int k2 = tlv_walk(s, p, other, total, lim, ntlv, &e2);
        if (k2 > 0 && known_type(s, rd32(p + other))) {
            s->seen_len = other;
            *k = k2;
            *end = e2;
            return other;
        }
        return hdr;
    }
    if (*k == (int)ntlv && total - *end < 32) {
        s->seen_len = hdr;
        return hdr;
    }
    uint32_t other = hdr == TI_VS_HEADER_LEN ? TI_VS_HEADER_LEN_SDK10 : TI_VS_HEADER_LEN;
    uint32_t e2 = 0;
    int k2 = tlv_walk(s, p, other, total, lim, ntlv, &e2);
    if (k2 == (int)ntlv && total - e2 < 32) {
        s->seen_len = other;
        *k = k2;
        *end = e2;
        return other;
    }
    return hdr; /* whole but unpadded, or rejected, as this length says */
}

/* Decode the first ntlv TLVs of a checked frame whose header is hdr bytes. */
static void decode_frame(struct ti_vs *s, const uint8_t *p, uint32_t hdr, uint32_t ntlv)
{
    double t = frame_time(s, rd32(p + 20));
    uint32_t stats_type = s->numbering_14xx ? TI_VS_TLV_STATS_14XX : TI_VS_TLV_STATS;
    uint32_t range_type = s->numbering_14xx ? TI_VS_TLV_RANGE_14XX : TI_VS_TLV_RANGE;
    uint32_t off = hdr;
    for (uint32_t k = 0; k < ntlv; k++) {
        uint32_t type = rd32(p + off), len = rd32(p + off + 4);
        const uint8_t *payload = p + off + 8;
        if (type == stats_type)
            emit_stats(s, payload, t);
        else if (type == TI_VS_TLV_PEOPLE)
            emit_people(s, payload, len, t);
        else if (type != range_type)
            s->st.unknown++;
        off += 8 + len;
    }
}

/* A frame the next magic cut short at next: decode the TLVs the next
 * TLV's header vouches for (tlv_witnessed), count the frame as cut and the
 * rest as dropped (H18-35: a byte lost inside the last TLV of a padded
 * frame read as HR 0.00 for a present patient). Returns next. */
static size_t decode_cut(struct ti_vs *s, const uint8_t *p, uint32_t hdr, size_t next,
                         uint32_t ntlv, int k)
{
    uint32_t end;
    uint32_t w = tlv_witnessed(s, p, hdr, (uint32_t)next, ntlv, k, &end);
    s->st.frames++;
    s->st.truncated++;
    s->st.dropped_bytes += next - end;
    decode_frame(s, p, hdr, w);
    return next;
}

/* Framing (see framer.h): hunt for the magic, check, decode. */
static size_t ti_try(void *parser, const uint8_t *p, size_t avail, size_t *need)
{
    struct ti_vs *s = parser;
    size_t m = find_magic(p, 0, avail);
    if (m > 0) {
        s->st.dropped_bytes += m;
        s->scanned = 0;
        return m;
    }
    if (avail < TI_VS_MAGIC_LEN)
        return 0; /* a prefix of the magic: the next byte decides */
    if (avail < TI_VS_HEADER_LEN) {
        *need = TI_VS_HEADER_LEN;
        return 0;
    }
    uint32_t total = rd32(p + 12), ntlv = rd32(p + 32);
    if (total < TI_VS_HEADER_LEN_SDK10 || total > TI_VS_MAX_PACKET || ntlv > TI_VS_MAX_TLVS ||
        ntlv > (total - TI_VS_HEADER_LEN_SDK10) / 8) {
        s->st.bad_length++;
        s->st.dropped_bytes += 1;
        s->scanned = 0;
        return 1; /* hunt for the next magic from the next byte */
    }
    /* Never trust a length past the next magic: captures cut frames short.
     * next is the first whole magic after this one, or a prefix of one
     * running to the end of the bytes at hand. */
    size_t limit = avail < total ? avail : total;
    size_t from = s->scanned > TI_VS_MAGIC_LEN ? s->scanned : TI_VS_MAGIC_LEN;
    size_t next = find_magic(p, from, limit);
    bool cut = next + TI_VS_MAGIC_LEN <= limit;
    if (!cut && avail < total) {
        /* No magic starts in [8, next): remember, so bytes trickling in are
         * scanned once; a magic starting at next or later completes at
         * next + 8 at the earliest, so ask again then. */
        s->scanned = next;
        *need = next + TI_VS_MAGIC_LEN < total ? next + TI_VS_MAGIC_LEN : total;
        return 0;
    }
    s->scanned = 0;
    /* Here either a magic starts inside the frame (it was cut short at
     * next), or the whole frame is at hand. Header and TLV lengths must be
     * consistent with totalPacketLen, which needs the TLV headers: a cut
     * frame whose TLV chain ran past the cut is lost. */
    uint32_t end = 0;
    if (cut) {
        int k;
        uint32_t hdr = pick_header(s, p, total, (uint32_t)next, ntlv, &k, &end);
        if (k < 0 || (k == 0 && ntlv > 0)) {
            /* Impossible lengths, or not one TLV whole: nothing to use. */
            s->st.bad_frame++;
            s->st.dropped_bytes += next;
            return next;
        }
        return decode_cut(s, p, hdr, next, ntlv, k);
    }
    int k;
    uint32_t hdr = pick_header(s, p, total, total, ntlv, &k, &end);
    if (k != (int)ntlv) {
        s->st.bad_length++;
        s->st.dropped_bytes += 1;
        return 1;
    }
    if (next < total && end <= next) {
        /* A magic starting in the padding at the end: the next frame began
         * before this one's totalPacketLen, so bytes of this one were lost
         * somewhere (perhaps inside its last TLV, which still fits). Is it
         * a whole magic? Then this frame is cut short, as above. In TLV
         * data a magic is just data. */
        if (avail < next + TI_VS_MAGIC_LEN && next + TI_VS_MAGIC_LEN <= FRAMER_CAP) {
            *need = next + TI_VS_MAGIC_LEN;
            return 0;
        }
        if (avail >= next + TI_VS_MAGIC_LEN && find_magic(p, next, next + TI_VS_MAGIC_LEN) == next)
            return decode_cut(s, p, hdr, next, ntlv, k);
    }
    s->st.frames++;
    decode_frame(s, p, hdr, ntlv);
    return total;
}

/* Feed bytes. */
static void ti_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct ti_vs *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    if (len)
        framer_feed(&s->fr, s, ti_try, buf, len);
}

/* Copy the counters. */
static void ti_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct ti_vs *)state)->st;
}

/* The stream's own clock: the last frame's time by its frame number. */
static bool ti_clock(const void *state, double *t)
{
    const struct ti_vs *s = state;
    *t = s->last_t;
    return s->have_frame;
}

const struct sensor_driver ti_vs_driver = {
    .name = "ti-vs",
    .description = "TI mmWave vital-signs UART stream (TLV 6 / 1040)",
    .default_baud = 921600,
    .default_period_s = 0.050,
    .state_size = sizeof(struct ti_vs),
    .init = ti_init,
    .feed = ti_feed,
    .stats = ti_stats,
    .clock = ti_clock,
};
