/*
 * fuzz_parser — the body shared by the protocol-parser libFuzzer harnesses
 * (fuzz_ti_vs.c, fuzz_mr60bha2.c, fuzz_mr60bha1.c). Each input is decoded
 * twice: once whole, once in chunks whose sizes come from the input itself.
 * The two runs must give the same readings and the same counters (chunking
 * never changes the result), every byte must be counted, and every reading
 * must hold only sane values. Any difference aborts, which libFuzzer reports
 * as a crash; ASan/UBSan catch reads past the input.
 */
#ifndef WW_FUZZ_PARSER_H
#define WW_FUZZ_PARSER_H

#include "driver.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAXR 4096

struct fuzz_run {
    size_t n;
    double last_t;
    struct reading r[FUZZ_MAXR];
};

/* Check a reading's values and keep it. */
static void fuzz_collect(void *ctx, const struct reading *r)
{
    struct fuzz_run *run = ctx;
    if (!isfinite(r->t) || r->t < 0 || (run->n && r->t < run->last_t))
        abort(); /* time must never run backwards */
    if ((r->have & READING_RR) && !(r->rr > 0 && r->rr <= 100))
        abort();
    if ((r->have & READING_HR) && !(r->hr > 0 && r->hr <= 300))
        abort();
    if ((r->have & READING_QUALITY) && !(r->quality >= 0 && r->quality <= 1))
        abort();
    if ((r->have & READING_DISTANCE) && !(r->distance_cm >= 0 && isfinite(r->distance_cm)))
        abort();
    if (r->have == 0)
        abort(); /* an empty reading is noise */
    run->last_t = r->t;
    if (run->n < FUZZ_MAXR)
        run->r[run->n] = *r;
    run->n++;
}

/* Same values, field by field (bitwise for floats). */
static int fuzz_same(const struct reading *a, const struct reading *b)
{
    return a->t == b->t && a->have == b->have && a->id == b->id &&
           !memcmp(&a->rr, &b->rr, sizeof a->rr) && !memcmp(&a->hr, &b->hr, sizeof a->hr) &&
           !memcmp(&a->quality, &b->quality, sizeof a->quality) && a->presence == b->presence &&
           a->motion == b->motion && !memcmp(&a->distance_cm, &b->distance_cm, sizeof(float)) &&
           !memcmp(&a->phase_total, &b->phase_total, sizeof(float));
}

/* Decode data whole and chunked with driver d and params p; abort on any
 * difference. state1/state2 are d->state_size bytes each. */
static void fuzz_parser_one(const struct sensor_driver *d, void *state1, void *state2,
                            const struct sensor_param *p, size_t np, const uint8_t *data,
                            size_t size)
{
    static struct fuzz_run whole, chunked;
    char err[256];
    if (d->init(state1, p, np, err, sizeof err) < 0 || d->init(state2, p, np, err, sizeof err) < 0)
        abort();
    whole.n = chunked.n = 0;
    /* Whole, from an exact-size copy so a read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    d->feed(state1, copy, size, fuzz_collect, &whole);
    free(copy);
    /* Chunked: sizes 1..64 taken from the input's own bytes. */
    size_t off = 0, k = 0;
    while (off < size) {
        size_t n = 1 + data[k++ % size] % 64;
        if (n > size - off)
            n = size - off;
        uint8_t *c = malloc(n);
        if (!c)
            abort();
        memcpy(c, data + off, n);
        d->feed(state2, c, n, fuzz_collect, &chunked);
        free(c);
        off += n;
    }
    struct parser_stats a, b;
    d->stats(state1, &a);
    d->stats(state2, &b);
    if (a.bytes != size || memcmp(&a, &b, sizeof a) != 0 || whole.n != chunked.n ||
        a.readings != whole.n)
        abort();
    for (size_t i = 0; i < whole.n && i < FUZZ_MAXR; i++)
        if (!fuzz_same(&whole.r[i], &chunked.r[i]))
            abort();
}

#endif
