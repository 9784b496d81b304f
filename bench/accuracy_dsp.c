/*
 * accuracy_dsp — `make accuracy`: the DSP's coverage and error against a
 * reference, per recording, next to a naive baseline. Prints figures only.
 *
 * Real recordings (skipped with a note when ../shared/data is absent):
 *   acconeer-a121/breathing-sitting.iq21: 21 range points at 20 Hz, 60.5 GHz.
 *     Reference: Acconeer's own breathing application's per-frame output
 *     (breathing-sitting.vendor-rate.csv; finite from about 25 s on) — the
 *     only comparison the data carries, not an independent sensor. As a
 *     cross-check the tool also prints an offline estimate of its own: the
 *     strongest peak (5.5-45 /min) of the summed power spectra of the
 *     unwrapped phase's sample-to-sample steps of points 5-8 (0.60-0.78 m, where the vendor looked)
 *     over the whole recording.
 *     wardwatch is run on point 6 alone (0.66 m) and on all 21 points
 *     (dsp_multi chooses the point).
 *   acconeer-a121/no-presence.iq21: named "no presence" by Acconeer for its
 *     setting (the presence processor off), not for the room: a second
 *     seated person at 0.42-0.48 m breathing about 20.5 /min (H18-22,
 *     H18-24). No reference sensor; the offline phase-step spectrum of
 *     points 3-5 is the cross-check (counted by hand in the phase of
 *     points 3-4: 11 breaths beginning 2.2 s to 31.4 s, 20.5 /min). Both recordings also through a bed
 *     zone (dsp_multi on points 6-7 and on the vendor's 5-8), as an iio:
 *     URI's channel lists select, and through 24 coarser cells (neighbouring
 *     points summed, as a range bin of a front-end of less bandwidth holds
 *     them; H18-23).
 * Synthetic (sensors/iqgen, moderate noise, 15 dB): four patients.
 *
 * Coverage: share of the seconds from warm-up (20 s) on that carry RR.
 * Error: median and mean |RR - reference| over the seconds that carry both,
 * and, like with like, the median of our RR and of the reference over those
 * same seconds. (Acconeer's application takes its rate from a 20 s window,
 * Hamming, 512-point FFT, peak interpolation, updated per frame and
 * smoothed; it starts after 5 s of range finding and reports from 25 s on,
 * while the rate rises from about 16.5 to 18.8 /min: a median over other
 * seconds, or over a longer window, compares different things.)
 * Naive baseline: atan2 of the raw samples of one point, unwrap, strongest
 * DFT peak of the last 30 s in 5.5-45 /min; it always reports.
 */
#include "dsp.h"
#include "iqgen.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WARMUP 20
#define MAXF 4096
#define NPT 21

struct rec {
    size_t n;                      /* frames */
    float i[MAXF * NPT], q[MAXF * NPT];
    double ref[MAXF];              /* per frame, NAN when none */
};

/* The shared data directory, or NULL. */
static const char *shared(void)
{
    static const char *roots[] = {"../shared/data", "../../shared/data"};
    const char *env = getenv("WARDWATCH_SHARED");
    static char buf[4096];
    if (env) {
        snprintf(buf, sizeof buf, "%s/data", env);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    for (size_t k = 0; k < 2; k++)
        if (access(roots[k], R_OK) == 0)
            return roots[k];
    return NULL;
}

/* Load an .iq21 file (and its vendor rate when ref is given). */
static int load(struct rec *r, const char *dir, const char *name, const char *ref)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/acconeer-a121/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "accuracy: %s: cannot open\n", path);
        return -1;
    }
    int16_t fr[NPT * 2];
    r->n = 0;
    while (r->n < MAXF && fread(fr, sizeof fr, 1, f) == 1) {
        for (int p = 0; p < NPT; p++) {
            r->i[r->n * NPT + p] = fr[2 * p];
            r->q[r->n * NPT + p] = fr[2 * p + 1];
        }
        r->ref[r->n++] = NAN;
    }
    fclose(f);
    if (!ref)
        return 0;
    snprintf(path, sizeof path, "%s/acconeer-a121/%s", dir, ref);
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "accuracy: %s: cannot open\n", path);
        return -1;
    }
    char line[64];
    for (size_t k = 0; k < r->n && fgets(line, sizeof line, f); k++) {
        double v = strtod(line, NULL);
        r->ref[k] = isfinite(v) ? v : NAN;
    }
    fclose(f);
    return 0;
}

struct score {
    long secs, rr, absent, rates_any;
    double err[MAXF];
    long nerr;
    double ours[MAXF], theirs[MAXF]; /* RR and reference, seconds with both */
    double rrv[MAXF];
    double rrt[MAXF];                /* time of each rrv */
};

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, long n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct run {
    struct score *s;
    const struct rec *r;
    double fs;
};

/* Score one reading against the reference at its time. */
static void on_reading(void *ctx, const struct reading *rd)
{
    struct run *ru = ctx;
    struct score *s = ru->s;
    if ((rd->have & READING_PRESENCE) && !rd->presence)
        s->absent++;
    s->rates_any += !!(rd->have & (READING_RR | READING_HR));
    if (rd->t < WARMUP + 0.5)
        return;
    s->secs++;
    if (!(rd->have & READING_RR))
        return;
    s->rrt[s->rr] = rd->t;
    s->rrv[s->rr++] = rd->rr;
    size_t fr = (size_t)(rd->t * ru->fs) - 1;
    if (fr < ru->r->n && isfinite(ru->r->ref[fr])) {
        s->ours[s->nerr] = rd->rr;
        s->theirs[s->nerr] = ru->r->ref[fr];
        s->err[s->nerr++] = fabs(rd->rr - ru->r->ref[fr]);
    }
}

/* Unwrapped phase of point p (no DC correction). */
static void phase(const struct rec *r, unsigned p, size_t f0, size_t f1, double *out)
{
    double prev = 0, acc = 0;
    for (size_t k = f0; k < f1; k++) {
        double ph = atan2(r->q[k * NPT + p], r->i[k * NPT + p]);
        if (k > f0) {
            double dp = ph - prev;
            dp -= 2 * M_PI * floor((dp + M_PI) / (2 * M_PI));
            acc += dp;
        }
        prev = ph;
        out[k - f0] = acc;
    }
}

/* Power at f (Hz) of x[0..n) at rate fs, mean and linear trend removed, Hann. */
static double power_at(const double *x, size_t n, double fs, double f)
{
    double sx = 0, sxy = 0, sxx = 0, mid = (n - 1) / 2.0;
    for (size_t k = 0; k < n; k++) {
        sx += x[k];
        sxy += (k - mid) * x[k];
        sxx += (k - mid) * (k - mid);
    }
    double mean = sx / n, slope = sxy / sxx, c = 0, s = 0, w = 2 * M_PI * f / fs;
    for (size_t k = 0; k < n; k++) {
        double v = (x[k] - mean - slope * (k - mid)) * (0.5 - 0.5 * cos(2 * M_PI * (k + 0.5) / n));
        c += v * cos(w * k);
        s += v * sin(w * k);
    }
    return c * c + s * s;
}

/* Strongest peak (0.01 /min grid) of the summed spectra of points [p0, p1];
 * diff: of the phase's first differences (the slow wander of a real point,
 * 1/f-like, then no longer wins the band's low edge). */
static double phase_peak(const struct rec *r, unsigned p0, unsigned p1, size_t f0, size_t f1,
                         double fs, bool diff)
{
    static double x[NPT][MAXF];
    for (unsigned p = p0; p <= p1; p++) {
        phase(r, p, f0, f1, x[p]);
        if (diff)
            for (size_t k = f1 - f0 - 1; k > 0; k--)
                x[p][k] -= x[p][k - 1];
    }
    double best = -1, bf = 0;
    for (double bpm = 5.5; bpm <= 45; bpm += 0.01) {
        double pw = 0;
        for (unsigned p = p0; p <= p1; p++)
            pw += power_at(x[p], f1 - f0, fs, bpm / 60);
        if (pw > best) {
            best = pw;
            bf = bpm;
        }
    }
    return bf;
}

static void print_line(const char *what, struct score *s)
{
    double mean = 0;
    for (long k = 0; k < s->nerr; k++)
        mean += s->err[k];
    mean = s->nerr ? mean / s->nerr : NAN;
    long nrr = s->rr;
    double med_rr = median(s->rrv, nrr);
    /* like with like: both medians over the same seconds */
    double mo = median(s->ours, s->nerr), mt = median(s->theirs, s->nerr);
    printf("  %-34s coverage %3.0f%% (%ld/%ld s)  median RR %6.2f", what,
           s->secs ? 100.0 * s->rr / s->secs : 0, s->rr, s->secs, med_rr);
    if (s->nerr)
        printf("  |err| median %5.2f mean %5.2f (%ld s with a reference: median %.2f vs "
               "reference %.2f)", median(s->err, s->nerr), mean, s->nerr, mo, mt);
    printf("\n");
}

/* How far apart in time our rate and the reference are: the median of
 * ours at t minus the reference at t - lag, for lags of 0..4 s (20 Hz
 * frames). A reference that leads by L s (a shorter effective window, or
 * other points) shows its smallest difference at lag -L. */
static void print_lag(const struct score *s, const struct rec *r)
{
    printf("    ours(t) - reference(t + lag), median over the seconds with both:");
    for (int lag = -4; lag <= 0; lag++) {
        double dv[MAXF];
        long n = 0;
        for (long k = 0; k < s->rr; k++) {
            long fr = lround((s->rrt[k] + lag) * 20) - 1;
            if (fr >= 0 && fr < (long)r->n && isfinite(r->ref[fr]))
                dv[n++] = s->rrv[k] - r->ref[fr];
        }
        printf(" %+d s: %+.2f (%ld)", lag, median(dv, n), n);
    }
    printf("\n");
}

/* wardwatch on point p (p < 0: all points through dsp_multi). */
static void run_dsp(const struct rec *r, int p, struct score *s)
{
    char err[160];
    struct run ru = {s, r, 20.0};
    memset(s, 0, sizeof *s);
    if (p >= 0) {
        struct dsp *d = dsp_open(20, 4.96, NULL, err, sizeof err);
        static float bi[MAXF], bq[MAXF];
        for (size_t k = 0; k < r->n; k++) {
            bi[k] = r->i[k * NPT + p];
            bq[k] = r->q[k * NPT + p];
        }
        dsp_feed(d, bi, bq, r->n, on_reading, &ru);
        dsp_close(d);
    } else {
        struct dsp_multi *m = dsp_multi_open(NPT, 20, 4.96, NULL, err, sizeof err);
        dsp_multi_feed(m, r->i, r->q, r->n, on_reading, &ru);
        dsp_multi_close(m);
    }
}

/* wardwatch's dsp_multi on a bed zone: points p0..p1 only (what an iio:
 * URI's i=/q= lists select). */
static void run_zone(const struct rec *r, unsigned p0, unsigned p1, struct score *s)
{
    static float zi[MAXF * NPT], zq[MAXF * NPT];
    unsigned np = p1 - p0 + 1;
    char err[160];
    struct run ru = {s, r, 20.0};
    memset(s, 0, sizeof *s);
    for (size_t k = 0; k < r->n; k++)
        for (unsigned p = 0; p < np; p++) {
            zi[k * np + p] = r->i[k * NPT + p0 + p];
            zq[k * np + p] = r->q[k * NPT + p0 + p];
        }
    struct dsp_multi *m = dsp_multi_open(np, 20, 4.96, NULL, err, sizeof err);
    dsp_multi_feed(m, zi, zq, r->n, on_reading, &ru);
    dsp_multi_close(m);
}

/* Coarser range cells: points p0..p0+w-1 summed into one stream (what a
 * range bin of a front-end of less bandwidth holds: chest, abdomen and
 * clutter together), for p0 2..9 and w 2..4, each through one dsp. Counts
 * the seconds with RR over all 24 cells, those outside lo..hi /min, and
 * the range of the rates. */
static void run_cells(const struct rec *r, double lo, double hi)
{
    static float ci[MAXF], cq[MAXF];
    static struct score s;
    long n = 0, off = 0;
    double mn = INFINITY, mx = -INFINITY;
    for (unsigned p0 = 2; p0 <= 9; p0++)
        for (unsigned w = 2; w <= 4; w++) {
            for (size_t k = 0; k < r->n; k++) {
                ci[k] = cq[k] = 0;
                for (unsigned p = p0; p < p0 + w; p++) {
                    ci[k] += r->i[k * NPT + p];
                    cq[k] += r->q[k * NPT + p];
                }
            }
            char err[160];
            struct run ru = {&s, r, 20.0};
            memset(&s, 0, sizeof s);
            struct dsp *d = dsp_open(20, 4.96, NULL, err, sizeof err);
            dsp_feed(d, ci, cq, r->n, on_reading, &ru);
            dsp_close(d);
            for (long k = 0; k < s.rr; k++) {
                n++;
                off += s.rrv[k] < lo || s.rrv[k] > hi;
                mn = s.rrv[k] < mn ? s.rrv[k] : mn;
                mx = s.rrv[k] > mx ? s.rrv[k] : mx;
            }
        }
    if (n)
        printf("  wardwatch, 24 coarser cells (points 2-12 summed 2-4 at a time): RR in %ld s, "
               "%.1f-%.1f /min, %ld outside %.1f-%.1f\n", n, mn, mx, off, lo, hi);
    else
        printf("  wardwatch, 24 coarser cells (points 2-12 summed 2-4 at a time): no RR\n");
}

/* Naive baseline on point p, once per second after warm-up. */
static void run_naive(const struct rec *r, unsigned p, struct score *s)
{
    memset(s, 0, sizeof *s);
    for (size_t sec = WARMUP + 1; sec * 20 <= r->n; sec++) {
        size_t f1 = sec * 20, f0 = f1 > 600 ? f1 - 600 : 0;
        double rr = phase_peak(r, p, p, f0, f1, 20, false);
        s->secs++;
        s->rrv[s->rr++] = rr;
        if (isfinite(r->ref[f1 - 1])) {
            s->ours[s->nerr] = rr;
            s->theirs[s->nerr] = r->ref[f1 - 1];
            s->err[s->nerr++] = fabs(rr - r->ref[f1 - 1]);
        }
    }
}

static void real_data(void)
{
    const char *dir = shared();
    if (!dir) {
        printf("real recordings: ../shared/data is absent here, skipped\n");
        return;
    }
    static struct rec r;
    static struct score s;
    if (load(&r, dir, "breathing-sitting.iq21", "breathing-sitting.vendor-rate.csv") < 0)
        return;
    double ref[MAXF];
    long nref = 0;
    for (size_t k = 0; k < r.n; k++)
        if (isfinite(r.ref[k]))
            ref[nref++] = r.ref[k];
    size_t rf0 = 0;
    while (rf0 < r.n && !isfinite(r.ref[rf0]))
        rf0++;
    printf("acconeer-a121 breathing-sitting (real, 60 GHz, %zu frames at 20 Hz):\n", r.n);
    printf("  reference: Acconeer's own output, median %.2f /min over its %ld frames (%.1f-%.1f s; "
           "no belt);\n"
           "  offline cross-check, spectrum of the phase steps of points 5-8 over the whole "
           "recording: %.2f /min\n",
           median(ref, nref), nref, (rf0 + 1) / 20.0, r.n / 20.0,
           phase_peak(&r, 5, 8, 1, r.n, 20, true));
    printf("  (\"median RR\" below is over all our seconds from %d s: not the reference's span; "
           "the like-with-like figure is the one in brackets)\n", WARMUP + 1);
    run_dsp(&r, 6, &s);
    print_line("wardwatch, point 6", &s);
    print_lag(&s, &r);
    run_dsp(&r, -1, &s);
    print_line("wardwatch, 21 points (dsp_multi)", &s);
    run_zone(&r, 6, 7, &s);
    print_line("wardwatch, bed zone points 6-7", &s);
    run_zone(&r, 5, 8, &s);
    print_line("wardwatch, bed zone points 5-8", &s);
    run_naive(&r, 6, &s);
    print_line("naive baseline, point 6", &s);
    run_cells(&r, 15.5, 19.8);

    if (load(&r, dir, "no-presence.iq21", NULL) < 0)
        return;
    printf("acconeer-a121 no-presence (real: a second seated person at 0.42-0.48 m, recorded with "
           "Acconeer's presence processor off; %zu frames; not an empty room, H18-22):\n", r.n);
    printf("  no reference sensor; offline cross-check, spectrum of the phase steps of points 3-5 "
           "over the whole recording: %.2f /min\n",
           phase_peak(&r, 3, 5, 1, r.n, 20, true));
    run_dsp(&r, -1, &s);
    print_line("wardwatch, 21 points (dsp_multi)", &s);
    run_dsp(&r, 4, &s);
    print_line("wardwatch, point 4", &s);
    run_naive(&r, 4, &s);
    print_line("naive baseline, point 4", &s);
    run_zone(&r, 5, 8, &s);
    print_line("wardwatch, bed zone points 5-8", &s);
    run_dsp(&r, 6, &s);
    printf("  wardwatch, point 6 (beyond the person): %ld seconds with a rate, %ld absent\n",
           s.rates_any, s.absent);
    run_zone(&r, 6, 7, &s);
    printf("  wardwatch, bed zone points 6-7 (beyond the person): %ld seconds with a rate, "
           "%ld absent\n", s.rates_any, s.absent);
    run_cells(&r, 18.0, 22.0);
}

/* Synthetic patients: the DSP against the generator's truth. */
static void synthetic(void)
{
    static const struct {
        double lambda, fs, rr, hr;
    } set[] = {{12.4, 500, 12, 71}, {5.0, 1000, 14, 64}, {3.9, 250, 22, 101}, {5.0, 100, 25, 112}};
    printf("synthetic (sensors/iqgen, 15 dB, 120 s each; reference = generator truth):\n");
    for (size_t k = 0; k < sizeof set / sizeof set[0]; k++) {
        struct iqgen_params gp;
        iqgen_defaults(&gp);
        gp.fs_hz = set[k].fs;
        gp.wavelength_mm = set[k].lambda;
        gp.rr_bpm = set[k].rr;
        gp.hr_bpm = set[k].hr;
        gp.snr_db = 15;
        struct iqgen g;
        char err[160];
        if (iqgen_init(&g, &gp, 700 + k, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
        size_t fs = (size_t)set[k].fs, n = fs * 120;
        float *bi = malloc(n * sizeof *bi), *bq = malloc(n * sizeof *bq);
        iqgen_generate(&g, bi, bq, n);
        static struct rec r;
        static struct score s;
        memset(&s, 0, sizeof s);
        /* the reference is constant: keep it at frame rate 1 Hz */
        r.n = 120;
        for (size_t t = 0; t < 120; t++)
            r.ref[t] = set[k].rr;
        struct run ru = {&s, &r, 1.0};
        struct dsp *d = dsp_open(set[k].fs, set[k].lambda, NULL, err, sizeof err);
        dsp_feed(d, bi, bq, n, on_reading, &ru);
        dsp_close(d);
        char what[80];
        snprintf(what, sizeof what, "%.0f GHz fs %4.0f RR %2.0f: wardwatch", 299.792458 / set[k].lambda,
                 set[k].fs, set[k].rr);
        print_line(what, &s);
        /* naive: raw atan2 at 20 Hz (boxcar), last 30 s */
        size_t dec = fs / 20;
        static double ph[MAXF];
        double prev = 0, acc = 0;
        struct score ns;
        memset(&ns, 0, sizeof ns);
        for (size_t t = 0; t < n / dec; t++) {
            double a = 0;
            for (size_t j = 0; j < dec; j++) {
                double p = atan2(bq[t * dec + j], bi[t * dec + j]);
                if (t || j) {
                    double dp = p - prev;
                    dp -= 2 * M_PI * floor((dp + M_PI) / (2 * M_PI));
                    acc += dp;
                }
                prev = p;
                a += acc;
            }
            ph[t] = a / dec;
        }
        for (size_t sec = WARMUP + 1; sec <= 120; sec++) {
            size_t t1 = sec * 20, t0 = t1 - 600 > t1 ? 0 : (t1 > 600 ? t1 - 600 : 0);
            double best = -1, bf = 0;
            for (double bpm = 5.5; bpm <= 45; bpm += 0.05) {
                double pw = power_at(ph + t0, t1 - t0, 20, bpm / 60);
                if (pw > best) {
                    best = pw;
                    bf = bpm;
                }
            }
            ns.secs++;
            ns.rrv[ns.rr++] = bf;
            ns.ours[ns.nerr] = bf;
            ns.theirs[ns.nerr] = set[k].rr;
            ns.err[ns.nerr++] = fabs(bf - set[k].rr);
        }
        snprintf(what, sizeof what, "%.0f GHz fs %4.0f RR %2.0f: naive", 299.792458 / set[k].lambda,
                 set[k].fs, set[k].rr);
        print_line(what, &ns);
        free(bi);
        free(bq);
    }
}

int main(void)
{
    real_data();
    synthetic();
    return 0;
}
