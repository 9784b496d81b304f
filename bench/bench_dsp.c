/*
 * bench_dsp — cost and accuracy of the I/Q vital-signs DSP (sensors/dsp) on
 * synthetic patients from sensors/iqgen. Prints figures only, no assertions:
 *   - CPU microseconds per bed-second at fs = 2.5 kHz and beds per core in
 *     real time;
 *   - on the moderate-noise set (a fixed list of patients covering RR 6-40,
 *     HR 40-180, 24/60/77 GHz, several sampling rates, some with DC offset
 *     and I/Q imbalance): RR and HR mean absolute error against the
 *     generator's truth, and the fraction of seconds after warm-up that carry
 *     each rate; per patient too;
 *   - false rates while the bed is empty and during motion episodes, and RR
 *     still reported during apnoea pauses;
 *   - the same figures at 25, 10 and 5 dB SNR (set BENCH_DSP_VERBOSE for
 *     per-patient lines there too);
 *   - beside it, a naive baseline on the same signals and windows: atan2 of
 *     the raw samples (no DC/imbalance correction), unwrap, boxcar decimation
 *     to 20 Hz, strongest DFT peak in the band, no quality gate and no
 *     breathing-harmonic suppression.
 */
#include "dsp.h"
#include "iqgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECONDS 150
#define WARMUP 20

struct patient {
    double lambda, fs, rr, hr, breath_mm, heart_mm;
    double dc, gain, phase_deg; /* dc in echo amplitudes */
};

/* The moderate-noise set. */
static const struct patient set[] = {
    {12.4, 500, 6, 55, 8, 0.4, 0, 1, 0},
    {12.4, 1000, 12, 71, 4, 0.3, 0, 1, 0},
    {12.4, 250, 20, 95, 3, 0.3, 2, 1.2, 10},
    {12.4, 100, 30, 122, 2, 0.25, 0, 1, 0},
    {12.4, 2500, 40, 163, 1.5, 0.3, 0.5, 0.9, -5},
    {12.4, 500, 16, 150, 5, 0.3, 0, 1, 0},
    {5.0, 500, 8, 45, 6, 0.3, 0, 1, 0},
    {5.0, 1000, 14, 64, 5, 0.25, 3, 1.3, 15},
    {5.0, 250, 18, 84, 4, 0.2, 0, 1, 0},
    {5.0, 100, 25, 112, 3, 0.3, 1, 1, 0},
    {5.0, 2500, 36, 141, 2, 0.3, 0, 1, 0},
    {3.9, 500, 11, 40, 10, 0.3, 0, 1, 0},
    {3.9, 1000, 16, 77, 6, 0.2, 2, 0.8, -12},
    {3.9, 250, 22, 101, 4, 0.25, 0, 1, 0},
    {3.9, 100, 28, 131, 3, 0.3, 0, 1, 0},
    {3.9, 2500, 34, 180, 2, 0.35, 0, 1, 0},
};

#define MODERATE_SNR 15.0

/* ---- naive baseline --------------------------------------------------- */

struct naive {
    double fs, lambda;
    unsigned dec, acc_n;
    double acc, prev, unw;
    bool started;
    double buf[40 * 30];
    size_t n;
};

/* Plain atan2 + unwrap + boxcar decimation to ~20 Hz. */
static void naive_feed(struct naive *nv, const float *i, const float *q, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double ph = atan2(q[k], i[k]);
        if (nv->started) {
            double dp = ph - nv->prev;
            dp -= 2 * M_PI * floor((dp + M_PI) / (2 * M_PI));
            nv->unw += dp;
        }
        nv->started = true;
        nv->prev = ph;
        nv->acc += nv->unw;
        if (++nv->acc_n == nv->dec) {
            size_t cap = sizeof nv->buf / sizeof nv->buf[0];
            if (nv->n == cap) {
                memmove(nv->buf, nv->buf + 1, (cap - 1) * sizeof nv->buf[0]);
                nv->n--;
            }
            nv->buf[nv->n++] = nv->acc / nv->dec * nv->lambda / (4 * M_PI);
            nv->acc = 0;
            nv->acc_n = 0;
        }
    }
}

/* Strongest DFT peak (0.005 Hz grid) of the last win_s seconds in [lo, hi] Hz. */
static double naive_peak(const struct naive *nv, double win_s, double lo, double hi)
{
    double fd = nv->fs / nv->dec;
    size_t n = (size_t)(win_s * fd);
    if (n > nv->n)
        n = nv->n;
    const double *x = nv->buf + nv->n - n;
    double mean = 0;
    for (size_t k = 0; k < n; k++)
        mean += x[k];
    mean /= n;
    double best = 0, bf = lo;
    for (double f = lo; f <= hi; f += 0.005) {
        double c = 0, s = 0, w = 2 * M_PI * f / fd;
        for (size_t k = 0; k < n; k++) {
            c += (x[k] - mean) * cos(w * k);
            s += (x[k] - mean) * sin(w * k);
        }
        if (c * c + s * s > best) {
            best = c * c + s * s;
            bf = f;
        }
    }
    return bf;
}

/* ---- accounting ----------------------------------------------------------- */

struct tally {
    double rr_err, hr_err;
    long rr_n, hr_n, secs;     /* rates reported, seconds after warm-up */
    long false_empty, false_motion, motion_secs, empty_secs;
    long apnoea_secs, apnoea_rr, apnoea_late_secs, apnoea_late_rr; /* late: >= 12 s in */
    double nrr_err, nhr_err;
    long n_n;
};

struct ctx {
    struct iqgen_truth truth;
    struct tally *t;
    bool got;
    struct reading last;
};

/* err / n, NaN (printed "nan") when nothing was reported. */
static double mae(double err, long n)
{
    return n ? err / n : NAN;
}

/* Keep the reading of the second just fed. */
static void on_reading(void *vctx, const struct reading *r)
{
    struct ctx *c = vctx;
    c->got = true;
    c->last = *r;
}

/* The generator's settings for patient pt at snr dB in story (1: empty bed). */
static void patient_params(const struct patient *pt, double snr, int story,
                           struct iqgen_params *pgp)
{
    struct iqgen_params gp;
    iqgen_defaults(&gp);
    gp.fs_hz = pt->fs;
    gp.wavelength_mm = pt->lambda;
    gp.rr_bpm = pt->rr;
    gp.hr_bpm = pt->hr;
    gp.breath_mm = pt->breath_mm;
    gp.heart_mm = pt->heart_mm;
    gp.snr_db = snr;
    gp.dc_i = pt->dc * gp.echo_amp;
    gp.dc_q = -0.7 * pt->dc * gp.echo_amp;
    gp.gain_imb = pt->gain;
    gp.phase_imb_deg = pt->phase_deg;
    gp.present = story != 1;
    *pgp = gp;
}

/* Scores second s's reading r against the truth into mine; the naive
 * estimator nv is scored on the steady story (0) only. */
static void score_second(struct tally *mine, const struct reading *r,
                         const struct iqgen_truth *truth, int s, int story, struct naive *nv)
{
    bool rates = r->have & (READING_RR | READING_HR);
    if (!truth->present) {
        mine->empty_secs++;
        mine->false_empty += rates;
        return;
    }
    if (truth->apnoea) {
        mine->apnoea_secs++;
        mine->apnoea_rr += !!(r->have & READING_RR);
        if (s >= 50 + 12) {
            mine->apnoea_late_secs++;
            mine->apnoea_late_rr += !!(r->have & READING_RR);
        }
        return;
    }
    if (truth->motion) {
        mine->motion_secs++;
        mine->false_motion += rates;
        return;
    }
    if (s + 1 < WARMUP)
        return;
    mine->secs++;
    if (r->have & READING_RR) {
        mine->rr_err += fabs(r->rr - truth->rr_bpm);
        mine->rr_n++;
    }
    if (r->have & READING_HR) {
        mine->hr_err += fabs(r->hr - truth->hr_bpm);
        mine->hr_n++;
    }
    if (story == 0) {
        double nrr = naive_peak(nv, 30, 5.5 / 60, 45.0 / 60) * 60;
        double nhr = naive_peak(nv, 16, 38.0 / 60, 190.0 / 60) * 60;
        mine->nrr_err += fabs(nrr - truth->rr_bpm);
        mine->nhr_err += fabs(nhr - truth->hr_bpm);
        mine->n_n++;
    }
}

/* Adds one patient's tally to the total. */
static void tally_add(struct tally *t, const struct tally *m)
{
    t->rr_err += m->rr_err;
    t->hr_err += m->hr_err;
    t->rr_n += m->rr_n;
    t->hr_n += m->hr_n;
    t->secs += m->secs;
    t->false_empty += m->false_empty;
    t->false_motion += m->false_motion;
    t->motion_secs += m->motion_secs;
    t->empty_secs += m->empty_secs;
    t->apnoea_secs += m->apnoea_secs;
    t->apnoea_rr += m->apnoea_rr;
    t->apnoea_late_secs += m->apnoea_late_secs;
    t->apnoea_late_rr += m->apnoea_late_rr;
    t->nrr_err += m->nrr_err;
    t->nhr_err += m->nhr_err;
    t->n_n += m->n_n;
}

/* Run one patient (or empty bed / motion story) through both estimators. */
static void run_patient(const struct patient *pt, double snr, int story, uint64_t seed,
                        struct tally *t, bool print)
{
    struct iqgen_params gp;
    patient_params(pt, snr, story, &gp);
    struct iqgen g;
    char err[160];
    if (iqgen_init(&g, &gp, seed, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    struct dsp *d = dsp_open(pt->fs, pt->lambda, NULL, err, sizeof err);
    if (!d) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    struct naive *nv = calloc(1, sizeof *nv);
    nv->fs = pt->fs;
    nv->lambda = pt->lambda;
    nv->dec = (unsigned)(pt->fs / 20);
    size_t fs = (size_t)pt->fs;
    float *bi = malloc(fs * sizeof *bi), *bq = malloc(fs * sizeof *bq);
    struct ctx c = {.t = t};
    struct tally mine = {0};
    for (int s = 0; s < SECONDS; s++) {
        if (story == 2) {
            gp.motion = (s >= 40 && s < 55) || (s >= 95 && s < 105);
            iqgen_set(&g, &gp, err, sizeof err);
        }
        if (story == 3) {
            gp.apnoea = s >= 50 && s < 90;
            iqgen_set(&g, &gp, err, sizeof err);
        }
        iqgen_generate(&g, bi, bq, fs);
        iqgen_truth(&g, &c.truth);
        c.got = false;
        dsp_feed(d, bi, bq, fs, on_reading, &c);
        naive_feed(nv, bi, bq, fs);
        if (!c.got)
            continue;
        score_second(&mine, &c.last, &c.truth, s, story, nv);
    }
    if (print)
        printf("  %4.1f GHz fs %5.0f  RR %4.1f HR %5.1f  | RR MAE %5.2f (%3.0f%%)  HR MAE %5.2f "
               "(%3.0f%%) | naive RR %5.2f HR %6.2f\n",
               299.792458 / pt->lambda, pt->fs, pt->rr, pt->hr,
               mae(mine.rr_err, mine.rr_n), 100.0 * mine.rr_n / (mine.secs ? mine.secs : 1),
               mae(mine.hr_err, mine.hr_n), 100.0 * mine.hr_n / (mine.secs ? mine.secs : 1),
               mae(mine.nrr_err, mine.n_n), mae(mine.nhr_err, mine.n_n));
    tally_add(t, &mine);
    free(bi);
    free(bq);
    free(nv);
    dsp_close(d);
}

/* Count readings (the cost run only needs them consumed). */
static void sink(void *ctx, const struct reading *r)
{
    (*(long *)ctx)++;
}

/* CPU cost of dsp_feed at 2.5 kHz. */
static void bench_cost(void)
{
    const double fs = 2500;
    const int secs = 120, beds = 8;
    struct iqgen_params gp;
    iqgen_defaults(&gp);
    gp.fs_hz = fs;
    struct iqgen g;
    char err[160];
    iqgen_init(&g, &gp, 7, err, sizeof err);
    size_t n = (size_t)(fs * secs);
    float *bi = malloc(n * sizeof *bi), *bq = malloc(n * sizeof *bq);
    iqgen_generate(&g, bi, bq, n);
    long readings = 0;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        for (int bed = 0; bed < beds; bed++) {
            struct dsp *d = dsp_open(fs, 5.0, NULL, err, sizeof err);
            /* feed in 100 ms blocks, as a transport would */
            for (size_t off = 0; off < n; off += 250)
                dsp_feed(d, bi + off, bq + off, 250, sink, &readings);
            dsp_close(d);
        }
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        double us = ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / (beds * secs);
        if (us < best)
            best = us;
    }
    printf("cost at fs 2500 Hz: %.1f us CPU per bed-second -> %.0f beds per core in real time "
           "(target >= 1000)\n",
           best, 1e6 / best);
    free(bi);
    free(bq);
}

/* CPU cost of dsp_multi: np range points at fs (an FMCW range-bin stream,
 * a pulsed radar's frames), the chest in one point, noise in the others. */
static void bench_cost_multi(unsigned np, double fs, double lambda)
{
    const int secs = 60;
    struct iqgen_params gp;
    iqgen_defaults(&gp);
    gp.fs_hz = fs;
    gp.wavelength_mm = lambda;
    struct iqgen g, e;
    char err[160];
    iqgen_init(&g, &gp, 7, err, sizeof err);
    gp.present = false;
    iqgen_init(&e, &gp, 8, err, sizeof err);
    size_t n = (size_t)(fs * secs);
    float *bi = malloc(n * np * sizeof *bi), *bq = malloc(n * np * sizeof *bq);
    float *ci = malloc(n * sizeof *ci), *cq = malloc(n * sizeof *cq);
    for (unsigned p = 0; p < np; p++) {
        iqgen_generate(p == np / 2 ? &g : &e, ci, cq, n);
        for (size_t k = 0; k < n; k++) {
            bi[k * np + p] = ci[k];
            bq[k * np + p] = cq[k];
        }
    }
    long readings = 0;
    double best = 1e9;
    size_t blk = (size_t)(fs / 10) ? (size_t)(fs / 10) : 1;
    for (int rep = 0; rep < 3; rep++) {
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        struct dsp_multi *m = dsp_multi_open(np, fs, lambda, NULL, err, sizeof err);
        for (size_t off = 0; off < n; off += blk)
            dsp_multi_feed(m, bi + off * np, bq + off * np, off + blk <= n ? blk : n - off, sink,
                           &readings);
        dsp_multi_close(m);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        double us = ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / secs;
        if (us < best)
            best = us;
    }
    printf("cost of %u range points at fs %.0f Hz (dsp_multi): %.1f us CPU per bed-second -> "
           "%.0f beds per core\n",
           np, fs, best, 1e6 / best);
    free(bi);
    free(bq);
    free(ci);
    free(cq);
}

/* Cost, then accuracy on each set. */
int main(void)
{
    bench_cost();
    bench_cost_multi(21, 20, 4.96);
    bench_cost_multi(8, 2560, 3.9);

    struct tally t = {0};
    printf("moderate-noise set (SNR %.0f dB in 100 Hz, %d s per patient, warm-up %d s):\n",
           MODERATE_SNR, SECONDS, WARMUP);
    for (size_t k = 0; k < sizeof set / sizeof set[0]; k++)
        run_patient(&set[k], MODERATE_SNR, 0, 1000 + k, &t, true);
    printf("wardwatch: RR MAE %.2f /min (target <= 1), HR MAE %.2f /min (target <= 3); "
           "seconds with RR %.0f%%, with HR %.0f%%\n",
           mae(t.rr_err, t.rr_n), mae(t.hr_err, t.hr_n), 100.0 * t.rr_n / t.secs,
           100.0 * t.hr_n / t.secs);
    printf("naive baseline: RR MAE %.2f /min, HR MAE %.2f /min (always reports)\n",
           mae(t.nrr_err, t.n_n), mae(t.nhr_err, t.n_n));

    struct tally e = {0};
    for (size_t k = 0; k < 3; k++) {
        struct patient pt = set[k * 6 < 16 ? k * 6 : 0];
        pt.dc = 1.5;
        run_patient(&pt, MODERATE_SNR, 1, 2000 + k, &e, false);
    }
    for (size_t k = 0; k < 3; k++)
        run_patient(&set[1 + k * 6], MODERATE_SNR, 2, 3000 + k, &e, false);
    printf("empty bed: %ld false readings with a rate in %ld seconds (target 0)\n", e.false_empty,
           e.empty_secs);
    printf("motion episodes: %ld readings with a rate in %ld seconds of motion\n", e.false_motion,
           e.motion_secs);
    for (size_t k = 0; k < 3; k++)
        run_patient(&set[k * 6 + 1 < 16 ? k * 6 + 1 : 1], MODERATE_SNR, 3, 5000 + k, &e, false);
    printf("apnoea (40 s pauses): RR reported in %ld of %ld seconds, %ld of %ld from 12 s into "
           "the pause on\n",
           e.apnoea_rr, e.apnoea_secs, e.apnoea_late_rr, e.apnoea_late_secs);

    static const double snrs[] = {25, 10, 5};
    for (size_t s = 0; s < 3; s++) {
        struct tally o = {0};
        for (size_t k = 0; k < sizeof set / sizeof set[0]; k++)
            run_patient(&set[k], snrs[s], 0, 4000 + k, &o, getenv("BENCH_DSP_VERBOSE") != NULL);
        printf("SNR %2.0f dB: RR MAE %.2f (%.0f%% of s), HR MAE %.2f (%.0f%%); naive RR %.2f HR %.2f\n",
               snrs[s], mae(o.rr_err, o.rr_n), 100.0 * o.rr_n / o.secs, mae(o.hr_err, o.hr_n),
               100.0 * o.hr_n / o.secs, mae(o.nrr_err, o.n_n), mae(o.nhr_err, o.n_n));
    }
    return 0;
}
