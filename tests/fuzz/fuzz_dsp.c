/*
 * libFuzzer harness: the I/Q vital-signs DSP fed arbitrary sample values.
 * Byte 0 picks the sampling rate and wavelength, byte 1 the mode:
 *   even: the rest of the input, read as raw float pairs (so NaN, Inf,
 *         denormals and 1e38 all occur), cycled to 30 s of samples;
 *   odd:  a breathing-like circle (rate and wrap count from bytes 2-3) with
 *         the input's bytes as additive noise, spikes and dropouts, cycled.
 * The samples are fed in chunks whose sizes come from the data too. Every
 * reading must be sane: t one second (+- a sample) after the last, finite fields, quality
 * in 0..1, rates inside the search bands; anything else aborts.
 */
#include "dsp.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct check {
    double last_t, fs;
    unsigned n;
};

static void sink(void *ctx, const struct reading *r)
{
    struct check *c = ctx;
    if (!(fabs(r->t - c->last_t - 1.0) <= 1.0 / c->fs + 1e-9))
        abort();
    c->last_t = r->t;
    c->n++;
    if (!isfinite(r->rr) || !isfinite(r->hr) || !isfinite(r->quality))
        abort();
    if (!(r->have & READING_QUALITY) || r->quality < 0 || r->quality > 1)
        abort();
    if ((r->have & READING_RR) && (r->rr < 5 || r->rr > 46 || !r->presence || r->motion))
        abort();
    if ((r->have & READING_HR) && (r->hr < 37 || r->hr > 191 || !r->presence || r->motion))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const double rates[] = {10, 20, 50, 100, 137.5, 200};
    static const double lambdas[] = {12.4, 5.0, 3.9, 28.6};
    enum { SECONDS = 30, MAXN = 200 * SECONDS };
    static float ibuf[MAXN], qbuf[MAXN];
    if (size < 4)
        return 0;
    double fs = rates[data[0] % 6];
    double lambda = lambdas[(data[0] / 6) % 4];
    int mode = data[1] & 1;
    const uint8_t *p = data + 4;
    size_t len = size - 4;
    size_t n = (size_t)(fs * SECONDS);
    if (mode == 0) {
        size_t pairs = len / 8;
        if (pairs == 0)
            return 0;
        for (size_t k = 0; k < n; k++) {
            memcpy(&ibuf[k], p + (k % pairs) * 8, 4);
            memcpy(&qbuf[k], p + (k % pairs) * 8 + 4, 4);
        }
    } else {
        double f = 0.1 + data[2] / 256.0;         /* 0.1 .. 1.1 Hz */
        double wraps = 0.2 + data[3] / 16.0;      /* phase swing, turns */
        for (size_t k = 0; k < n; k++) {
            double ph = 2 * M_PI * wraps * sin(2 * M_PI * f * k / fs);
            uint8_t b = len ? p[k % len] : 0;
            double noise = ((int)b - 128) * 2.0;
            float vi = (float)(1000 * cos(ph) + noise), vq = (float)(1000 * sin(ph) - noise);
            if (b == 0xff)
                vi = NAN;
            else if (b == 0xfe)
                vq = INFINITY;
            else if (b == 0xfd)
                vi = 3e38f;
            else if (b == 0xfc)
                vi = vq = 0;
            ibuf[k] = vi;
            qbuf[k] = vq;
        }
    }
    char err[128];
    struct dsp *d = dsp_open(fs, lambda, NULL, err, sizeof err);
    if (!d)
        abort();
    struct check c = {0, fs, 0};
    size_t off = 0, j = 0;
    while (off < n) {
        size_t chunk = len ? 1 + (size_t)p[j++ % len] * 7 : n;
        if (chunk > n - off)
            chunk = n - off;
        dsp_feed(d, ibuf + off, qbuf + off, chunk, sink, &c);
        off += chunk;
    }
    struct dsp_stats st;
    dsp_stats(d, &st);
    dsp_close(d);
    if (c.n != SECONDS || st.samples != n)
        abort();
    return 0;
}
