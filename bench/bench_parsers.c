/*
 * bench_parsers — throughput of each serial protocol parser on a >= 100 MB
 * capture built by repeating real (../shared/data, when present) and
 * generated frames with some line garbage. Prints MB/s (best of 3 runs) and
 * frames/s; no assertions.
 */
#include "driver.h"
#include "encode.h"
#include "mr60bha1.h"
#include "mr60bha2.h"
#include "ti_vs.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TARGET (128u << 20)

static uint64_t nread;
static void sink(void *ctx, const struct reading *r)
{
    nread++;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fill buf with a repeated unit. */
static size_t fill(uint8_t *buf, const uint8_t *unit, size_t ulen)
{
    size_t off = 0;
    while (off + ulen <= TARGET) {
        memcpy(buf + off, unit, ulen);
        off += ulen;
    }
    return off;
}

static void run(const struct sensor_driver *d, const uint8_t *buf, size_t len, const char *what)
{
    void *st = malloc(d->state_size);
    double best = 1e9;
    struct parser_stats ps = {0};
    for (int rep = 0; rep < 3; rep++) {
        char err[128];
        d->init(st, NULL, 0, err, sizeof err);
        nread = 0;
        double t0 = now_s();
        /* Chunks as a serial read delivers them (4 KiB). */
        for (size_t off = 0; off < len; off += 4096)
            d->feed(st, buf + off, len - off < 4096 ? len - off : 4096, sink, NULL);
        double t = now_s() - t0;
        if (t < best)
            best = t;
        d->stats(st, &ps);
    }
    printf("%-9s %-32s %7.1f MB in %.3f s: %8.0f MB/s, %10.0f frames/s (%llu frames, %llu "
           "readings, %llu bytes dropped)\n",
           d->name, what, len / 1e6, best, len / 1e6 / best, ps.frames / best,
           (unsigned long long)ps.frames, (unsigned long long)nread,
           (unsigned long long)ps.dropped_bytes);
    free(st);
}

int main(void)
{
    uint8_t *buf = malloc(TARGET);
    uint8_t unit[65536];
    size_t u = 0, len;
    /* ti-vs: the real capture if present, then generated frames. */
    const char *paths[] = {"../shared/data/ti-vitals-iwr1642.bin", "../../shared/data/ti-vitals-iwr1642.bin"};
    FILE *f = NULL;
    for (int i = 0; i < 2 && !f; i++)
        f = fopen(paths[i], "rb");
    if (f) {
        u = fread(unit, 1, 60000, f);
        fclose(f);
        len = fill(buf, unit, u);
        run(&ti_vs_driver, buf, len, "real IWR1642 capture repeated");
    } else {
        printf("ti-vs     real capture: SKIP (../shared/data not present)\n");
    }
    u = 0;
    for (int i = 0; i < 200; i++) {
        struct ti_vs_stats s = {14 + i % 5, 70 + i % 9, 6, 0.4f, 50000, 0};
        u += encode_ti_vs_stats(unit + u, sizeof unit - u, (uint32_t)i, &s, 0, i % 4 ? 0 : 64);
        if (i % 50 == 7)
            for (int k = 0; k < 11; k++)
                unit[u++] = (uint8_t)(k * 23);
    }
    len = fill(buf, unit, u);
    run(&ti_vs_driver, buf, len, "generated frames + garbage");
    u = 0;
    for (int i = 0; i < 2000; i++) {
        u += encode_mr60bha2_f32(unit + u, sizeof unit - u, (uint16_t)i,
                                 i % 2 ? MR60BHA2_HEART : MR60BHA2_BREATH, 15.0f + i % 7);
        if (i % 300 == 7)
            for (int k = 0; k < 11; k++)
                unit[u++] = (uint8_t)(k * 23);
    }
    len = fill(buf, unit, u);
    run(&mr60bha2_driver, buf, len, "generated frames + garbage");
    u = 0;
    for (int i = 0; i < 3000; i++) {
        uint8_t v = (uint8_t)(60 + i % 40);
        u += encode_mr60bha1(unit + u, sizeof unit - u, i % 2 ? 0x85 : 0x81, 0x02, &v, 1);
        if (i % 300 == 7)
            for (int k = 0; k < 11; k++)
                unit[u++] = (uint8_t)(k * 23);
    }
    len = fill(buf, unit, u);
    run(&mr60bha1_driver, buf, len, "generated frames + garbage");
    free(buf);
    return 0;
}
