/*
 * mr60bha2 — parser for Seeed MR60BHA2 / Hi-Link LD6002 frames (contract
 * and choices in mr60bha2.h).
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

/* Little-endian u32. */
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian IEEE-754 single. */
static float rdf(const uint8_t *p)
{
    uint32_t u = rd32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Parameters. */
static int m2_init(void *state, const struct sensor_param *params, size_t n, char *err,
                   size_t errlen)
{
    struct mr60bha2 *s = state;
    memset(s, 0, offsetof(struct mr60bha2, fr));
    framer_init(&s->fr);
    s->distance_valid = 1;
    s->period_s = 0.125;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value;
        double d;
        if (!k || !v)
            return ww_err(err, errlen, "mr60bha2: parameter %zu has no key or value", i + 1);
        if (!strcmp(k, "baud") || !strcmp(k, "pace"))
            continue;
        if (!strcmp(k, "distance_valid")) {
            if (strcmp(v, "0") && strcmp(v, "1"))
                return ww_err(err, errlen, "mr60bha2: distance_valid: '%s' (accepted: 0, 1)", v);
            s->distance_valid = v[0] == '1';
        } else if (!strcmp(k, "period_ms")) {
            if (ww_parse_double(v, 1, 10000, &d) < 0)
                return ww_err(err, errlen, "mr60bha2: period_ms: '%s' (accepted: 1 to 10000)",
                              v);
            s->period_s = d / 1000.0;
        } else {
            return ww_err(err, errlen,
                          "mr60bha2: unknown parameter '%s' (accepted: distance_valid, "
                          "period_ms, baud, pace)",
                          k);
        }
    }
    return 0;
}

/* Emit r. */
static void emit(struct mr60bha2 *s, const struct reading *r)
{
    s->st.readings++;
    s->cb(s->ctx, r);
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
        if (len < 4) {
            s->st.bad_length++;
            return;
        }
        v = rdf(d);
        if (!(v >= 0) || v > (type == MR60BHA2_BREATH ? 100 : 300)) {
            s->st.bad_frame++; /* NaN, negative, impossible */
            return;
        }
        if (v == 0)
            return; /* "no estimate": not a rate, and not absence (see .h) */
        if (type == MR60BHA2_BREATH) {
            r.have = READING_RR;
            r.rr = v;
        } else {
            r.have = READING_HR;
            r.hr = v;
        }
        break;
    case MR60BHA2_PHASES:
        if (len < 12) {
            s->st.bad_length++;
            return;
        }
        r.phase_total = rdf(d);
        r.phase_breath = rdf(d + 4);
        r.phase_heart = rdf(d + 8);
        if (!isfinite(r.phase_total) || !isfinite(r.phase_breath) ||
            !isfinite(r.phase_heart)) {
            s->st.bad_frame++;
            return;
        }
        r.have = READING_PHASE;
        break;
    case MR60BHA2_DISTANCE:
        /* Without a target the flag may come alone (4 bytes): a valid
         * frame with nothing to report, not a short one (H18-32). */
        if (len < 4 || (len < 8 && rd32(d) == s->distance_valid)) {
            s->st.bad_length++;
            return;
        }
        if (rd32(d) != s->distance_valid)
            return; /* no valid distance: nothing to report */
        v = rdf(d + 4);
        if (!isfinite(v) || v < 0)
            return;
        r.have = READING_DISTANCE;
        r.distance_cm = v;
        break;
    case MR60BHA2_PRESENCE:
        if (len < 1) {
            s->st.bad_length++;
            return;
        }
        r.have = READING_PRESENCE;
        r.presence = d[0] != 0;
        break;
    default:
        s->st.unknown++; /* point clouds, firmware version, anything else */
        return;
    }
    emit(s, &r);
}

/* One frame or one stretch of garbage at p (see framer.h). */
static inline size_t m2_one(struct mr60bha2 *s, const uint8_t *p, size_t avail, size_t *need)
{
    if (p[0] != 0x01) {
        const uint8_t *q = memchr(p, 0x01, avail);
        size_t skip = q ? (size_t)(q - p) : avail;
        s->st.dropped_bytes += skip;
        return skip;
    }
    if (avail < 8) {
        *need = 8;
        return 0;
    }
    if (mr60bha2_checksum(p, 7) != p[7]) {
        /* Not a frame start (garbage, a stray SOF, or a 0x01 in a payload
         * after a loss): hunt on. */
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
    size_t total = MR60BHA2_OVERHEAD + (size_t)len;
    if (avail < total) {
        *need = total;
        return 0;
    }
    if (mr60bha2_checksum(p + 8, len) != p[8 + len]) {
        s->st.bad_checksum++;
        s->st.dropped_bytes++;
        return 1;
    }
    if (p[8 + len] == 0x01) {
        /* A data byte lost on the line makes the next frame's SOF (0x01) be
         * read as this frame's checksum, and the checksum of the shifted
         * data then equals the lost byte: a lost 0x01 passes (H18-36). So
         * a checksum of 0x01 counts only when the next frame starts right
         * after it; where the byte after it is not a SOF, it was one. */
        if (avail < total + 1) {
            *need = total + 1;
            return 0;
        }
        if (p[total] != 0x01) {
            s->st.bad_checksum++;
            s->st.dropped_bytes++;
            return 1;
        }
    }
    s->st.frames++;
    m2_frame(s, type, p + 8, len);
    return total;
}

/* Framing (see framer.h): as many frames as lie wholly in the bytes at
 * hand, in one call (the indirect call per frame is what small frames cost). */
static size_t m2_try(void *parser, const uint8_t *p, size_t avail, size_t *need)
{
    struct mr60bha2 *s = parser;
    size_t off = 0;
    while (off < avail) {
        size_t used = m2_one(s, p + off, avail - off, need);
        if (used == 0)
            break; /* *need is relative to p + off: only valid if off == 0 */
        off += used;
    }
    return off;
}

/* Feed bytes. */
static void m2_feed(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx)
{
    struct mr60bha2 *s = state;
    s->cb = cb;
    s->ctx = ctx;
    s->st.bytes += len;
    if (len)
        framer_feed(&s->fr, s, m2_try, buf, len);
}

/* Copy the counters. */
static void m2_stats(const void *state, struct parser_stats *out)
{
    *out = ((const struct mr60bha2 *)state)->st;
}

/* The stream clock: the last good frame's time (period_ms per frame), so
 * that a capture is paced and recorded as its readings are timed rather
 * than by its bytes at the line rate. */
static bool m2_clock(const void *state, double *t)
{
    const struct mr60bha2 *s = state;
    if (!s->packets)
        return false;
    *t = (double)(s->packets - 1) * s->period_s;
    return true;
}

const struct sensor_driver mr60bha2_driver = {
    .name = "mr60bha2",
    .description = "Seeed MR60BHA2 / Hi-Link LD6002 60 GHz",
    .default_baud = 115200,
    .default_period_s = 0.125,
    .state_size = sizeof(struct mr60bha2),
    .init = m2_init,
    .feed = m2_feed,
    .stats = m2_stats,
    .clock = m2_clock,
};
