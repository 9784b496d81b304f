/*
 * mr60bha1 — parser for Seeed MR60BHA1 frames with a configurable field map
 * (mr60bha1.h).
 */
#include "mr60bha1.h"

#include "util.h"

#include <string.h>

static const char *const field_names[M1_NFIELDS] = {"presence", "motion", "distance", "rr",
                                                    "hr"};
static const uint16_t default_map[M1_NFIELDS] = {0x8001, 0x8002, 0x8004, 0x8102, 0x8502};

/* Parse "81.02" into 0x8102. */
static int parse_code(const char *v, uint16_t *out)
{
    unsigned hi = 0, lo = 0;
    int n = 0;
    for (const char *p = v; *p; p++) {
        if (*p == '.') {
            if (n != 2 || p != v + 2)
                return -1;
            continue;
        }
        int d = *p >= '0' && *p <= '9' ? *p - '0'
                : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                         : -1;
        if (d < 0)
            return -1;
        if (n < 2)
            hi = hi * 16 + (unsigned)d;
        else
            lo = lo * 16 + (unsigned)d;
        n++;
    }
    if (n != 4 || strlen(v) != 5)
        return -1;
    *out = (uint16_t)(hi << 8 | lo);
    return 0;
}

/* Parameters: the field map and the period. */
static int m1_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct mr60bha1 *s = state;
    memset(s, 0, sizeof *s);
    framer_init(&s->fr);
    memcpy(s->map, default_map, sizeof s->map);
    s->period_s = 1.0;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "period_ms")) {
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "mr60bha1: period_ms: '%s' is not 1-10000", v);
            s->period_s = d / 1000.0;
            continue;
        }
        int f;
        for (f = 0; f < M1_NFIELDS; f++)
            if (!strcmp(k, field_names[f]))
                break;
        if (f == M1_NFIELDS)
            return ww_err(err, errlen,
                          "mr60bha1: unknown parameter '%s' (accepted: presence, motion, "
                          "distance, rr, hr, period_ms, baud)",
                          k);
        if (parse_code(v, &s->map[f]) < 0)
            return ww_err(err, errlen, "mr60bha1: %s: '%s' is not CTRL.CMD in hex, like 81.02",
                          k, v);
    }
    return 0;
}

/* Decode a checked frame. */
static void m1_frame(struct mr60bha1 *s, uint16_t code, const uint8_t *d, unsigned len)
{
    int f;
    for (f = 0; f < M1_NFIELDS; f++)
        if (s->map[f] == code)
            break;
    if (f == M1_NFIELDS || len < 1) {
        s->st.unknown++;
        return;
    }
    struct reading r = {.t = (double)s->packets * s->period_s};
    s->packets++;
    switch (f) {
    case M1_PRESENCE:
        r.have = READING_PRESENCE;
        r.presence = d[0] != 0;
        break;
    case M1_MOTION:
        r.have = READING_MOTION;
        r.motion = d[0] == 2;
        break;
    case M1_DISTANCE:
        if (len < 2) {
            s->st.bad_length++;
            return;
        }
        r.have = READING_DISTANCE;
        r.distance_cm = (float)(d[0] << 8 | d[1]);
        break;
    case M1_RR:
        if (d[0] == 0)
            return;
        r.have = READING_RR;
        r.rr = d[0];
        break;
    case M1_HR:
        if (d[0] == 0)
            return;
        r.have = READING_HR;
        r.hr = d[0];
        break;
    }
    s->st.readings++;
    s->cb(s->ctx, &r);
}

/* Framing. */
static size_t m1_try(void *parser, const uint8_t *p, size_t avail)
{
    struct mr60bha1 *s = parser;
    if (p[0] != 0x53 || (avail > 1 && p[1] != 0x59)) {
        const uint8_t *q = memchr(p + 1, 0x53, avail - 1);
        size_t skip = q ? (size_t)(q - p) : avail;
        s->st.dropped_bytes += skip;
        return skip;
    }
    if (avail < 6)
        return 0;
    unsigned len = (unsigned)p[4] << 8 | p[5];
    if (len > MR60BHA1_MAX_LEN) {
        s->st.bad_length++;
        s->st.dropped_bytes++;
        return 1;
    }
    size_t total = 9 + (size_t)len;
    if (avail < total)
        return 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < 6 + len; i++)
        sum = (uint8_t)(sum + p[i]);
    if (sum != p[6 + len]) {
        s->st.bad_checksum++;
        s->st.dropped_bytes++;
        return 1;
    }
    if (p[7 + len] != 0x54 || p[8 + len] != 0x43) {
        s->st.bad_frame++;
        s->st.dropped_bytes++;
        return 1;
    }
    s->st.frames++;
    m1_frame(s, (uint16_t)(p[2] << 8 | p[3]), p + 6, len);
    return total;
}

static void m1_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct mr60bha1 *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    framer_feed(&s->fr, s, m1_try, buf, len);
}

static void m1_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct mr60bha1 *)state)->st;
}

const struct sensor_driver mr60bha1_driver = {
    "mr60bha1", "Seeed MR60BHA1 60 GHz", 115200, 1.0,
    sizeof(struct mr60bha1), m1_init, m1_feed, m1_stats,
};
