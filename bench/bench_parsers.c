/*
 * bench_parsers — throughput of each serial protocol parser. For each driver
 * it builds a 128 MB capture in memory by repeating a unit of frames (the
 * real IWR1642 capture from ../shared/data when present, and generated frames
 * of every kind with some line garbage and a frame cut short now and then),
 * feeds it in 4 KiB chunks (what a serial read delivers) and in 1 MiB chunks,
 * and prints the best of 5 runs as MB/s and frames/s of thread CPU time
 * (wall time swings with whatever else the machine runs). Figures only: no
 * pass/fail thresholds (the target is >= 1000 MB/s).
 */
#include "driver.h"
#include "encode.h"
#include "mr60bha1.h"
#include "mr60bha2.h"
#include "ti_vs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TARGET (128u << 20)
#define RUNS 5

static uint64_t nread;

/* Count readings. */
static void sink(void *ctx, const struct reading *r)
{
    (void)ctx;
    (void)r;
    nread++;
}

/* This thread's CPU seconds: steadier than wall time on a shared machine. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fill buf with copies of unit up to TARGET bytes. */
static size_t fill(uint8_t *buf, const uint8_t *unit, size_t ulen)
{
    size_t off = 0;
    while (off + ulen <= TARGET) {
        memcpy(buf + off, unit, ulen);
        off += ulen;
    }
    return off;
}

/* Time one driver over buf in chunks of `chunk` bytes; print a line. */
static void run(const struct sensor_driver *d, const uint8_t *buf, size_t len, size_t chunk,
                const char *what)
{
    void *st = malloc(d->state_size);
    double best = 1e9;
    struct parser_stats ps = {0};
    uint64_t readings = 0;
    if (!st)
        return;
    for (int rep = 0; rep < RUNS; rep++) {
        char err[128];
        if (d->init(st, NULL, 0, err, sizeof err) < 0) {
            fprintf(stderr, "%s: %s\n", d->name, err);
            free(st);
            return;
        }
        nread = 0;
        double t0 = now_s();
        for (size_t off = 0; off < len; off += chunk)
            d->feed(st, buf + off, len - off < chunk ? len - off : chunk, sink, NULL);
        double t = now_s() - t0;
        if (t < best)
            best = t;
        d->stats(st, &ps);
        readings = nread;
    }
    printf("%-9s %-34s %4zu KiB chunks: %6.0f MB/s %11.0f frames/s  (%.0f MB, %llu frames, "
           "%llu readings, %llu bytes dropped)\n",
           d->name, what, chunk >> 10, (double)len / 1e6 / best, (double)ps.frames / best,
           (double)len / 1e6, (unsigned long long)ps.frames, (unsigned long long)readings,
           (unsigned long long)ps.dropped_bytes);
    free(st);
}

/* Both chunk sizes. */
static void run_both(const struct sensor_driver *d, const uint8_t *buf, size_t len,
                     const char *what)
{
    run(d, buf, len, 4096, what);
    run(d, buf, len, 1 << 20, what);
}

/* Append n bytes of line garbage. */
static size_t garbage(uint8_t *p, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(*seed >> 16);
    }
    return n;
}

int main(void)
{
    uint8_t *buf = malloc(TARGET);
    static uint8_t unit[1 << 20];
    size_t u = 0, len;
    unsigned seed = 1;
    if (!buf)
        return 1;
    /* ti-vs: the real capture, whole. */
    const char *paths[] = {"../shared/data/ti-vitals-iwr1642.bin",
                           "../../shared/data/ti-vitals-iwr1642.bin"};
    FILE *f = NULL;
    for (size_t i = 0; i < 2 && !f; i++)
        f = fopen(paths[i], "rb");
    if (f) {
        u = fread(unit, 1, sizeof unit, f);
        fclose(f);
        len = fill(buf, unit, u);
        run_both(&ti_vs_driver, buf, len, "real IWR1642 capture repeated");
    } else {
        printf("ti-vs     real capture: SKIP (../shared/data/ti-vitals-iwr1642.bin not present)\n");
    }
    /* ti-vs: generated stats (some with range profiles), people, garbage, cuts. */
    u = 0;
    for (int i = 0; i < 400; i++) {
        size_t n;
        if (i % 10 == 9) {
            struct ti_vs_person pp[2] = {{1, 0.3f, 70, 14}, {2, 0.2f, 80, 16}};
            n = encode_ti_vs_people(unit + u, sizeof unit - u, (uint32_t)i, pp, 2);
        } else {
            struct ti_vs_stats s = {14.0f + (float)(i % 5), 70.0f + (float)(i % 9), 6, 0.4f,
                                    50000, 0};
            n = encode_ti_vs_stats(unit + u, sizeof unit - u, (uint32_t)i, &s, 0,
                                   i % 4 ? 0 : 64);
        }
        if (i % 97 == 50)
            n = 120; /* cut short */
        u += n;
        if (i % 50 == 7)
            u += garbage(unit + u, 11, &seed);
    }
    len = fill(buf, unit, u);
    run_both(&ti_vs_driver, buf, len, "generated, garbage, cuts");
    /* mr60bha2: the simulator's mix of types. */
    u = 0;
    for (int i = 0; i < 4000; i++) {
        uint16_t id = (uint16_t)i;
        switch (i % 8) {
        case 0:
            u += encode_mr60bha2_f32(unit + u, sizeof unit - u, id, MR60BHA2_BREATH, 15);
            break;
        case 1:
            u += encode_mr60bha2_f32(unit + u, sizeof unit - u, id, MR60BHA2_HEART, 72);
            break;
        case 3:
            u += encode_mr60bha2_distance(unit + u, sizeof unit - u, id, 1, 80);
            break;
        case 4:
            u += encode_mr60bha2_presence(unit + u, sizeof unit - u, id, true);
            break;
        default:
            u += encode_mr60bha2_phases(unit + u, sizeof unit - u, id, 1, 0.5f, 0.1f);
            break;
        }
        if (i % 300 == 7)
            u += garbage(unit + u, 11, &seed);
    }
    len = fill(buf, unit, u);
    run_both(&mr60bha2_driver, buf, len, "generated, all types, garbage");
    /* mr60bha1: presence, motion, rates. */
    u = 0;
    for (int i = 0; i < 4000; i++) {
        static const uint8_t codes[4][2] = {{0x80, 0x01}, {0x80, 0x02}, {0x81, 0x02},
                                            {0x85, 0x02}};
        uint8_t v = (uint8_t)(i % 4 < 2 ? 1 : 60 + i % 30);
        u += encode_mr60bha1_u8(unit + u, sizeof unit - u, codes[i % 4][0], codes[i % 4][1], v);
        if (i % 300 == 7)
            u += garbage(unit + u, 11, &seed);
    }
    len = fill(buf, unit, u);
    run_both(&mr60bha1_driver, buf, len, "generated, garbage");
    free(buf);
    return 0;
}
