/*
 * mr60bha1 — parser for Seeed MR60BHA1 frames with a configurable field map
 * (contract and choices in mr60bha1.h).
 */
#include "mr60bha1.h"

#include "util.h"

#include <string.h>

static const char *const field_names[M1_NFIELDS] = {"presence",     "motion", "distance",
                                                    "breath_state", "rr",     "hr"};
static const uint32_t default_map[M1_NFIELDS] = {0x8001, 0x8002, 0x8004, 0x8101, 0x8102, 0x8502};

/* Low 8 bits of the byte sum. */
uint8_t mr60bha1_sum(const uint8_t *p, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    return (uint8_t)sum;
}

/* One hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse "81.02" into 0x8102, "none" into MR60BHA1_UNMAPPED. */
static int parse_code(const char *v, uint32_t *out)
{
    if (!strcmp(v, "none")) {
        *out = MR60BHA1_UNMAPPED;
        return 0;
    }
    if (strlen(v) != 5 || v[2] != '.')
        return -1;
    int d[4] = {hexval(v[0]), hexval(v[1]), hexval(v[3]), hexval(v[4])};
    for (int i = 0; i < 4; i++)
        if (d[i] < 0)
            return -1;
    *out = (uint32_t)(d[0] << 12 | d[1] << 8 | d[2] << 4 | d[3]);
    return 0;
}

/* Parameters: the field map and the period. */
static int m1_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct mr60bha1 *s = state;
    memset(s, 0, offsetof(struct mr60bha1, fr));
    framer_init(&s->fr);
    memcpy(s->map, default_map, sizeof s->map);
    s->period_s = 1.0;
    bool cycle_given = false;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!k || !v)
            return ww_err(err, errlen, "mr60bha1: parameter %zu has no key or value", i + 1);
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "period_ms") || !strcmp(k, "cycle_ms")) {
            bool frame = k[0] == 'p';
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "mr60bha1: %s: '%s' (accepted: 1 to 10000)", k, v);
            if (frame ? cycle_given : s->per_frame)
                return ww_err(err, errlen,
                              "mr60bha1: period_ms (per frame) and cycle_ms (per report "
                              "cycle) are two clocks: give one");
            s->period_s = d / 1000.0;
            s->per_frame = frame;
            cycle_given |= !frame;
            continue;
        }
        int f;
        for (f = 0; f < M1_NFIELDS; f++)
            if (!strcmp(k, field_names[f]))
                break;
        if (f == M1_NFIELDS)
            return ww_err(err, errlen,
                          "mr60bha1: unknown parameter '%s' (accepted: presence, motion, "
                          "distance, breath_state, rr, hr, cycle_ms, period_ms, baud, pace)",
                          k);
        if (parse_code(v, &s->map[f]) < 0)
            return ww_err(err, errlen,
                          "mr60bha1: %s: '%s' (accepted: CTRL.CMD in hex, like 81.02, or none)",
                          k, v);
    }
    for (int a = 0; a < M1_NFIELDS; a++)
        for (int b = a + 1; b < M1_NFIELDS; b++)
            if (s->map[a] != MR60BHA1_UNMAPPED && s->map[a] == s->map[b])
                return ww_err(err, errlen,
                              "mr60bha1: %s and %s both map to %02X.%02X (move one, or set "
                              "it to none)",
                              field_names[a], field_names[b], (unsigned)(s->map[a] >> 8),
                              (unsigned)(s->map[a] & 0xFF));
    return 0;
}

/* Stream time of a frame of code, advancing the clock (see "Time" in the
 * .h): per frame, or when code repeats within the current report cycle.
 * A 256-bit filter of the cycle's codes answers "new" without a search for
 * all but the frame that opens the next cycle. */
static double m1_tick(struct mr60bha1 *s, uint32_t code)
{
    if (s->per_frame)
        return (double)s->packets++ * s->period_s;
    unsigned h = (code ^ code >> 8 ^ code >> 5) & 0xFF;
    uint64_t bit = (uint64_t)1 << (h & 63);
    bool repeat = false;
    if (s->filter[h >> 6] & bit)
        for (unsigned i = 0; i < s->nseen && !repeat; i++)
            repeat = s->seen[i] == code;
    if (repeat || s->nseen == MR60BHA1_CYCLE_CODES) {
        s->packets++;
        s->nseen = 0;
        memset(s->filter, 0, sizeof s->filter);
    }
    s->filter[h >> 6] |= bit;
    s->seen[s->nseen++] = (uint16_t)code;
    return (double)s->packets * s->period_s;
}

/* The manual's payload length of field f. */
static unsigned field_len(int f)
{
    return f == M1_DISTANCE ? 2 : 1;
}

/* Decode a checked frame. */
static void m1_frame(struct mr60bha1 *s, uint32_t code, const uint8_t *d, unsigned len)
{
    struct reading r = {.t = m1_tick(s, code)};
    int f;
    for (f = 0; f < M1_NFIELDS; f++)
        if (s->map[f] == code)
            break;
    if (f == M1_NFIELDS) {
        s->st.unknown++;
        return;
    }
    if (len != field_len(f)) {
        s->st.bad_length++;
        return;
    }
    switch (f) {
    case M1_PRESENCE:
        if (d[0] > 1)
            goto bad;
        r.have = READING_PRESENCE;
        r.presence = d[0] == 1;
        break;
    case M1_MOTION:
        if (d[0] > 2)
            goto bad;
        r.have = READING_MOTION;
        r.motion = d[0] == 2;
        break;
    case M1_DISTANCE:
        r.have = READING_DISTANCE;
        r.distance_cm = (float)(d[0] << 8 | d[1]);
        break;
    case M1_BREATH_STATE:
        if (d[0] < 1 || d[0] > 4)
            goto bad;
        return; /* known, no reading field for it */
    case M1_RR:
        if (d[0] == 0)
            return; /* no estimate */
        if (d[0] > 100)
            goto bad;
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
    return;
bad:
    s->st.bad_frame++;
}

/* One frame or one stretch of garbage at p (see framer.h). */
static inline size_t m1_one(struct mr60bha1 *s, const uint8_t *p, size_t avail, size_t *need)
{
    if (p[0] != 0x53 || (avail > 1 && p[1] != 0x59)) {
        const uint8_t *q = avail > 1 ? memchr(p + 1, 0x53, avail - 1) : NULL;
        size_t skip = q ? (size_t)(q - p) : avail;
        s->st.dropped_bytes += skip;
        return skip;
    }
    if (avail < 2)
        return 0; /* the next byte decides whether this is a start */
    if (avail < 6) {
        *need = 6;
        return 0;
    }
    unsigned len = (unsigned)p[4] << 8 | p[5];
    if (len > MR60BHA1_MAX_LEN) {
        s->st.bad_length++;
        s->st.dropped_bytes++;
        return 1;
    }
    size_t total = MR60BHA1_OVERHEAD + (size_t)len;
    if (avail < total) {
        *need = total;
        return 0;
    }
    if (mr60bha1_sum(p, 6 + len) != p[6 + len]) {
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
    m1_frame(s, (uint32_t)p[2] << 8 | p[3], p + 6, len);
    return total;
}

/* Framing (see framer.h): as many frames as lie wholly in the bytes at
 * hand, in one call (the indirect call per frame is what small frames cost). */
static size_t m1_try(void *parser, const uint8_t *p, size_t avail, size_t *need)
{
    struct mr60bha1 *s = parser;
    size_t off = 0;
    while (off < avail) {
        size_t used = m1_one(s, p + off, avail - off, need);
        if (used == 0)
            break; /* *need is relative to p + off: only valid if off == 0 */
        off += used;
    }
    return off;
}

/* Feed bytes. */
static void m1_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct mr60bha1 *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    if (len)
        framer_feed(&s->fr, s, m1_try, buf, len);
}

/* Copy the counters. */
static void m1_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct mr60bha1 *)state)->st;
}

/* The stream clock (see "Time" in the .h): the last good frame's time, so
 * that a capture is paced and recorded by the reports' own cycles rather
 * than by its bytes at the line rate. */
static bool m1_clock(const void *state, double *t)
{
    const struct mr60bha1 *s = state;
    if (!s->st.frames)
        return false;
    *t = (double)(s->per_frame ? s->packets - 1 : s->packets) * s->period_s;
    return true;
}

const struct sensor_driver mr60bha1_driver = {
    .name = "mr60bha1",
    .description = "Seeed MR60BHA1 60 GHz",
    .default_baud = 115200,
    .default_period_s = 1.0,
    .state_size = sizeof(struct mr60bha1),
    .init = m1_init,
    .feed = m1_feed,
    .stats = m1_stats,
    .clock = m1_clock,
};
