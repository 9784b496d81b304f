/*
 * ti_vs — parser for the TI mmWave vital-signs UART stream (see ti_vs.h).
 */
#include "ti_vs.h"

#include "util.h"

#include <math.h>
#include <string.h>

static const uint8_t magic[TI_VS_MAGIC_LEN] = {2, 1, 4, 3, 6, 5, 8, 7};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static float rdf(const uint8_t *p)
{
    uint32_t u = rd32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Initialise from URI parameters. */
static int ti_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct ti_vs *s = state;
    memset(s, 0, sizeof *s);
    framer_init(&s->fr);
    s->frame_s = 0.050;
    s->presence_energy = 1000;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "tlv")) {
            if (!strcmp(v, "14xx"))
                s->numbering_14xx = true;
            else if (strcmp(v, "68xx") && strcmp(v, "16xx"))
                return ww_err(err, errlen, "ti-vs: tlv: '%s' (accepted: 68xx, 16xx, 14xx)", v);
        } else if (!strcmp(k, "frame_ms")) {
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "ti-vs: frame_ms: '%s' is not 1-10000", v);
            s->frame_s = d / 1000.0;
        } else if (!strcmp(k, "presence_energy")) {
            if (ww_parse_double(v, 0, 1e12, &d) < 0)
                return ww_err(err, errlen, "ti-vs: presence_energy: '%s' is not a number >= 0",
                              v);
            s->presence_energy = d;
        } else {
            return ww_err(err, errlen,
                          "ti-vs: unknown parameter '%s' (accepted: tlv, frame_ms, "
                          "presence_energy, baud)",
                          k);
        }
    }
    return 0;
}

/* Stream time of a frame number. */
static double frame_time(struct ti_vs *s, uint32_t fn)
{
    double t;
    if (!s->have_frame) {
        t = 0;
    } else if (fn > s->last_frame && fn - s->last_frame < 1000000u) {
        t = s->last_t + (double)(fn - s->last_frame) * s->frame_s;
    } else {
        t = s->last_t + s->frame_s; /* wrap or radar reset */
    }
    s->have_frame = true;
    s->last_frame = fn;
    s->last_t = t;
    return t;
}

/* TLV 6: the vital-signs lab's statistics. */
static void emit_stats(struct ti_vs *s, const uint8_t *p, double t)
{
    const uint8_t *f = p + 16; /* 28 floats follow 16 bytes of fixed fields */
    float hr = rdf(f + 3 * 4), rr = rdf(f + 7 * 4);
    float cb = rdf(f + 10 * 4), ch = rdf(f + 12 * 4);
    float ebreath = rdf(f + 15 * 4), motion = rdf(f + 17 * 4);
    struct reading r = {.t = t};
    if (isfinite(rr) && rr > 0 && rr < 200) {
        r.have |= READING_RR;
        r.rr = rr;
    }
    if (isfinite(hr) && hr > 0 && hr < 400) {
        r.have |= READING_HR;
        r.hr = hr;
    }
    if (isfinite(cb) && isfinite(ch) && cb >= 0 && ch >= 0) {
        float qb = cb / (cb + 1.0f), qh = ch / (ch + 0.25f);
        r.quality = qb < qh ? qb : qh;
        r.have |= READING_QUALITY;
    }
    if (isfinite(motion)) {
        r.have |= READING_MOTION;
        r.motion = motion != 0;
    }
    if (isfinite(ebreath)) {
        r.have |= READING_PRESENCE;
        r.presence = ebreath >= s->presence_energy;
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
        r.presence = isfinite(dev) && dev != 0;
        if (r.presence) {
            if (isfinite(rr) && rr > 0 && rr < 200) {
                r.have |= READING_RR;
                r.rr = rr;
            }
            if (isfinite(hr) && hr > 0 && hr < 400) {
                r.have |= READING_HR;
                r.hr = hr;
            }
        }
        s->st.readings++;
        s->cb(s->ctx, &r);
    }
}

/* Offset of the next magic word in p[from, n), or n. */
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
            return i; /* whole magic, or a prefix at the end of the bytes */
        i++;
    }
    return n;
}

/* Framing: see framer.h. */
static size_t ti_try(void *parser, const uint8_t *p, size_t avail)
{
    struct ti_vs *s = parser;
    size_t m = find_magic(p, 0, avail);
    if (m > 0) {
        s->st.dropped_bytes += m;
        return m;
    }
    if (avail < TI_VS_HEADER_LEN)
        return 0;
    uint32_t total = rd32(p + 12), ntlv = rd32(p + 32);
    if (total < TI_VS_HEADER_LEN || total > FRAMER_CAP || ntlv > 64) {
        s->st.bad_length++;
        s->st.dropped_bytes += 1;
        return 1;
    }
    /* Never trust a length past the next magic: captures cut frames short. */
    size_t limit = avail < total ? avail : total;
    size_t next = find_magic(p, TI_VS_MAGIC_LEN, limit);
    if (next + TI_VS_MAGIC_LEN <= limit) {
        s->st.bad_frame++;
        s->st.dropped_bytes += next;
        return next;
    }
    if (avail < total)
        return 0;
    /* A whole frame: walk the TLVs. */
    double t = frame_time(s, rd32(p + 20));
    uint32_t off = TI_VS_HEADER_LEN;
    uint32_t stats_type = s->numbering_14xx ? TI_VS_TLV_STATS_14XX : TI_VS_TLV_STATS;
    for (uint32_t k = 0; k < ntlv; k++) {
        if (total - off < 8) {
            s->st.bad_length++;
            break;
        }
        uint32_t type = rd32(p + off), len = rd32(p + off + 4);
        if (len > total - off - 8) {
            s->st.bad_length++;
            break;
        }
        const uint8_t *payload = p + off + 8;
        if (type == stats_type && len >= TI_VS_STATS_LEN)
            emit_stats(s, payload, t);
        else if (type == TI_VS_TLV_PEOPLE && len >= TI_VS_PERSON_LEN)
            emit_people(s, payload, len, t);
        else
            s->st.unknown++;
        off += 8 + len;
    }
    s->st.frames++;
    return total;
}

/* Feed bytes. */
static void ti_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct ti_vs *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    framer_feed(&s->fr, s, ti_try, buf, len);
}

static void ti_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct ti_vs *)state)->st;
}

const struct sensor_driver ti_vs_driver = {
    "ti-vs", "TI mmWave vital-signs UART stream (TLV 6 / 1040)", 921600, 0.050,
    sizeof(struct ti_vs), ti_init, ti_feed, ti_stats,
};
