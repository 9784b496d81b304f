/*
 * mr60bha2 — parser for Seeed MR60BHA2 / Hi-Link LD6002 frames (mr60bha2.h).
 */
#include "mr60bha2.h"

#include "util.h"

#include <math.h>
#include <string.h>

/* ~(XOR) checksum. */
uint8_t mr60bha2_checksum(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    return (uint8_t)~x;
}

static float rdf(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Parameters. */
static int m2_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct mr60bha2 *s = state;
    memset(s, 0, sizeof *s);
    framer_init(&s->fr);
    s->distance_valid = 1;
    s->period_s = 0.125;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "distance_valid")) {
            if (strcmp(v, "0") && strcmp(v, "1"))
                return ww_err(err, errlen, "mr60bha2: distance_valid: '%s' (accepted: 0, 1)", v);
            s->distance_valid = v[0] == '1';
        } else if (!strcmp(k, "period_ms")) {
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "mr60bha2: period_ms: '%s' is not 1-10000", v);
            s->period_s = d / 1000.0;
        } else {
            return ww_err(err, errlen,
                          "mr60bha2: unknown parameter '%s' (accepted: distance_valid, "
                          "period_ms, baud)",
                          k);
        }
    }
    return 0;
}

/* Decode one checked frame's payload. */
static void m2_frame(struct mr60bha2 *s, unsigned type, const uint8_t *d, unsigned len)
{
    struct reading r = {.t = (double)s->packets * s->period_s};
    s->packets++;
    float v;
    switch (type) {
    case MR60BHA2_BREATH:
    case MR60BHA2_HEART:
        if (len < 4)
            goto bad;
        v = rdf(d);
        if (!isfinite(v) || v < 0 || v > 400)
            goto bad;
        if (v == 0) {
            /* "No value": the module says 0 when it has no estimate, which
             * is not the same as nobody there (an apnoeic patient is still
             * there): presence comes only from 0x0F09. */
            return;
        } else if (type == MR60BHA2_BREATH) {
            r.have = READING_RR;
            r.rr = v;
        } else {
            r.have = READING_HR;
            r.hr = v;
        }
        break;
    case MR60BHA2_PHASES:
        if (len < 12)
            goto bad;
        r.have = READING_PHASE;
        r.phase_total = rdf(d);
        r.phase_breath = rdf(d + 4);
        r.phase_heart = rdf(d + 8);
        break;
    case MR60BHA2_DISTANCE: {
        if (len < 8)
            goto bad;
        uint32_t flag = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                        (uint32_t)d[3] << 24;
        v = rdf(d + 4);
        if (flag == s->distance_valid && isfinite(v) && v >= 0) {
            r.have = READING_DISTANCE;
            r.distance_cm = v;
        } else {
            return; /* no valid distance: nothing to report */
        }
        break;
    }
    case MR60BHA2_PRESENCE:
        if (len < 1)
            goto bad;
        r.have = READING_PRESENCE;
        r.presence = d[0] != 0;
        break;
    default:
        s->st.unknown++;
        return;
    }
    s->st.readings++;
    s->cb(s->ctx, &r);
    return;
bad:
    s->st.bad_length++;
}

/* Framing. */
static size_t m2_try(void *parser, const uint8_t *p, size_t avail)
{
    struct mr60bha2 *s = parser;
    if (p[0] != 0x01) {
        const uint8_t *q = memchr(p, 0x01, avail);
        size_t skip = q ? (size_t)(q - p) : avail;
        s->st.dropped_bytes += skip;
        return skip;
    }
    if (avail < 8)
        return 0;
    if (mr60bha2_checksum(p, 7) != p[7]) {
        /* Not a frame start (garbage, or a 0x01 inside a payload): hunt on. */
        s->st.dropped_bytes++;
        return 1;
    }
    unsigned len = (unsigned)p[3] << 8 | p[4];
    unsigned type = (unsigned)p[5] << 8 | p[6];
    if (len > MR60BHA2_MAX_LEN) {
        s->st.bad_length++;
        s->st.dropped_bytes++;
        return 1;
    }
    if (avail < 9 + (size_t)len)
        return 0;
    if (mr60bha2_checksum(p + 8, len) != p[8 + len]) {
        s->st.bad_checksum++;
        s->st.dropped_bytes++;
        return 1;
    }
    s->st.frames++;
    m2_frame(s, type, p + 8, len);
    return 9 + (size_t)len;
}

static void m2_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct mr60bha2 *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    framer_feed(&s->fr, s, m2_try, buf, len);
}

static void m2_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct mr60bha2 *)state)->st;
}

const struct sensor_driver mr60bha2_driver = {
    "mr60bha2", "Seeed MR60BHA2 / Hi-Link LD6002 60 GHz", 115200, 0.125,
    sizeof(struct mr60bha2), m2_init, m2_feed, m2_stats,
};
