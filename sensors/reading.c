#include "reading.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * JSON numbers are written by hand (probe --json writes hundreds of
 * thousands of lines a second; snprintf per field was most of its time).
 * The digits are exactly printf's "%.Nf": the value is scaled and rounded,
 * and whenever the scaled value lies so near a rounding tie that the
 * scaling itself could have moved it across, or the value is not finite or
 * too large for the integer path, snprintf decides.
 */

/* Unsigned decimal of v at p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* printf itself: at most 320 bytes (the largest double with 4 decimals). */
static char *put_printf(char *p, double v, int prec)
{
    char tmp[400];
    int k = snprintf(tmp, sizeof tmp, "%.*f", prec, v);
    if (k < 0)
        k = 0;
    memcpy(p, tmp, (size_t)k);
    return p + k;
}

/* v as printf's "%.<prec>f" (prec 0..4) at p; returns the end. */
char *reading_put_fixed(char *p, double v, int prec)
{
    static const double scale[] = {1, 10, 100, 1000, 10000};
    static const uint64_t iscale[] = {1, 10, 100, 1000, 10000};
    double a = fabs(v);
    if (!(a < 1e12) || prec < 0 || prec > 4)
        return put_printf(p, v, prec);
    double x = a * scale[prec];
    double fl = floor(x);
    double frac = x - fl;
    /* x carries at most half an ulp of error: near a tie, ask printf. */
    if (fabs(frac - 0.5) <= x * 4.5e-16 + 1e-300)
        return put_printf(p, v, prec);
    uint64_t n = (uint64_t)fl + (frac > 0.5);
    if (signbit(v))
        *p++ = '-';
    p = put_u64(p, n / iscale[prec]);
    if (prec) {
        *p++ = '.';
        uint64_t f = n % iscale[prec];
        for (int k = prec - 1; k >= 0; k--) {
            p[k] = (char)('0' + f % 10);
            f /= 10;
        }
        p += prec;
    }
    return p;
}

/* Literal s at p. */
#define PUT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

/* The members at p; returns the end. */
static char *put_fields(char *p, const struct reading *r)
{
    if (r->have & READING_ID) {
        p = PUT(p, ",\"id\":");
        p = put_u64(p, r->id);
    }
    if (r->have & READING_RR) {
        p = PUT(p, ",\"rr\":");
        p = reading_put_fixed(p, r->rr, 2);
    }
    if (r->have & READING_HR) {
        p = PUT(p, ",\"hr\":");
        p = reading_put_fixed(p, r->hr, 2);
    }
    if (r->have & READING_QUALITY) {
        p = PUT(p, ",\"quality\":");
        p = reading_put_fixed(p, r->quality, 2);
    }
    if (r->have & READING_PRESENCE)
        p = r->presence ? PUT(p, ",\"presence\":true") : PUT(p, ",\"presence\":false");
    if (r->have & READING_MOTION)
        p = r->motion ? PUT(p, ",\"motion\":true") : PUT(p, ",\"motion\":false");
    if (r->have & READING_DISTANCE) {
        p = PUT(p, ",\"distance_cm\":");
        p = reading_put_fixed(p, r->distance_cm, 1);
    }
    if (r->have & READING_PHASE) {
        p = PUT(p, ",\"phase\":[");
        p = reading_put_fixed(p, r->phase_total, 4);
        *p++ = ',';
        p = reading_put_fixed(p, r->phase_breath, 4);
        *p++ = ',';
        p = reading_put_fixed(p, r->phase_heart, 4);
        *p++ = ']';
    }
    return p;
}

/* Append the fields the sensor reported as JSON members (",\"rr\":14.20"...). */
int reading_json_fields(const struct reading *r, char *buf, size_t n)
{
    char tmp[READING_JSON_MAX];
    size_t len = (size_t)(put_fields(tmp, r) - tmp);
    if (n == 0)
        return (int)len;
    size_t k = len < n - 1 ? len : n - 1;
    memcpy(buf, tmp, k);
    buf[k] = 0;
    return (int)len;
}

/* One JSON line {"t":...,fields}\n at buf (READING_JSON_MAX bytes). */
size_t reading_json_line(const struct reading *r, char *buf)
{
    char *p = PUT(buf, "{\"t\":");
    p = reading_put_fixed(p, r->t, 3);
    p = put_fields(p, r);
    *p++ = '}';
    *p++ = '\n';
    return (size_t)(p - buf);
}
