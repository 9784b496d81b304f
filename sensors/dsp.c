/*
 * dsp — raw radar I/Q to respiration rate, heart rate, quality, presence and
 * motion, once per second of samples. The chain and the contract are in
 * dsp.h; this file is the arithmetic.
 *
 * Why batch per second: every second the clean segment (up to rr_window_s of
 * 100-200 Hz complex samples kept in a ring) is corrected, demodulated,
 * decimated and analysed afresh with the newest DC/imbalance estimate. An
 * incremental demodulator would put a phase step into the signal each time
 * the estimate moved; re-demodulating a 30 s window costs ~3000 atan2 per
 * second, which is still far below a millisecond per bed-second. It also
 * makes the output independent of how the samples were chunked, since all
 * the work happens at sample-count boundaries.
 */
#include "dsp.h"

#include "util.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.283185307179586
#define MAX_ABS_SAMPLE 1e9f
#define MOTION_HIST 30
#define PRESENCE_S 5.0
#define FLOOR_HIST 60
#define NOTCH_GAIN 0.01
/* how far (/min) the rate about another centre may lie from the fitted
 * centre's and still be the same rate (rate_centre_free) */
#define CENTRE_AGREE_BPM 1.0

/* One breathing rate about the segment's mean: window, rate, confidence,
 * peak over floor (cf_rate). */
struct cf_answer {
    size_t n;
    double f, conf, pf;
};

struct dsp {
    struct dsp_params p;
    double fs, lambda;
    unsigned d1;      /* input -> stage 1 decimation */
    double fs1;
    unsigned d2;      /* stage 1 -> analysis rate decimation */
    double fd;

    /* input stage */
    uint64_t nin;       /* samples fed since open/reset */
    uint64_t next_tick; /* nin at which the current second completes */
    uint64_t sec;
    double acc_i, acc_q;
    unsigned acc_n;
    float last_i, last_q;
    unsigned bad_in_sec, n_in_sec;

    /* ring of stage-1 complex samples; stage-1 index m lives at m % rcap */
    float *ri, *rq;
    size_t rcap;
    uint64_t n1;        /* stage-1 samples produced */
    uint64_t seg_start; /* stage-1 index where the clean segment starts */
    uint64_t seg_m0;    /* first stage-1 index of the last analysed segment */
    bool settle;        /* last second was motion: restart after this one */

    /* DC / imbalance correction: w1 = a11 (x-cx) + a12 (y-cy), w2 = a22 (y-cy) */
    double cx, cy, a11, a12, a22;

    /* per-second white-noise estimates; their minimum is the noise floor */
    double nfl[FLOOR_HIST];
    unsigned nfl_n, nfl_head;

    /* per-second squared speeds of recent still seconds */
    double spd[MOTION_HIST];
    unsigned spd_n, spd_head;

    /* work buffers, sized at open */
    double *disp;      /* displacement at fs1, mm */
    double *x;         /* decimated displacement at fd */
    double *x2;        /* the same about the segment's own mean (centre_free) */
    size_t nx2;        /* its length; 0: not computed for this second */
    struct cf_answer cf_memo[2]; /* cf_rate's answers */
    unsigned cf_memo_n; /* for this second */
    double cf_phase_sd, cf_amb_frac; /* what that demodulation saw */
    size_t xcap;
    double *fir;
    unsigned nfir;
    size_t nfft;
    double *re, *im, *pw, *tc, *ts;

    double phase_sd;   /* phase noise of the last segment, rad in 100 Hz */
    double geom_excess;/* radius variation beyond noise around the centre */
    double amb_frac;   /* share of phase steps over pi/2: unwrapping at risk */
    double pres_ratio; /* this second's presence ratio (signal / noise floor) */
    /* The body's echo: a breath-hold keeps it where it was, leaving takes it
     * away (see still_body). */
    bool fit_ok;       /* cx..a22 come from an accepted fit of a chest's arc */
    bool body;         /* the last second had someone present */
    double r_ref;      /* the echo's corrected radius while present */
    double peak_floor_db; /* breathing peak over the displacement noise floor */
    struct dsp_stats st;
};

/* The defaults the benchmark figures were obtained with. */
void dsp_params_default(struct dsp_params *p)
{
    p->rr_window_s = 30;
    p->rr_rate_s = 20;
    p->hr_window_s = 16;
    p->warmup_s = 20;
    p->rr_min_bpm = 5.5;
    p->rr_max_bpm = 45;
    p->hr_min_bpm = 38;
    p->hr_max_bpm = 190;
    p->rr_min_quality = 0.40;
    p->hr_min_quality = 0.15;
    p->presence_snr = 4;
    p->motion_speed_mm_s = 45;
    p->motion_ratio = 12;
}

/* Range check of one parameter; -1 with a message naming it. */
static int check(double v, double lo, double hi, const char *name, char *err, size_t errlen)
{
    if (!isfinite(v) || v < lo || v > hi)
        return ww_err(err, errlen, "dsp: %s = %g is outside %g .. %g", name, v, lo, hi);
    return 0;
}

/* Validate a parameter block against itself. */
static int params_check(const struct dsp_params *p, char *err, size_t errlen)
{
    if (check(p->rr_window_s, 10, 60, "rr_window_s", err, errlen) < 0 ||
        check(p->hr_window_s, 6, p->rr_window_s, "hr_window_s", err, errlen) < 0 ||
        check(p->warmup_s, 5, p->rr_window_s, "warmup_s", err, errlen) < 0 ||
        check(p->rr_rate_s, 10, p->rr_window_s, "rr_rate_s", err, errlen) < 0 ||
        check(p->rr_min_bpm, 2, 60, "rr_min_bpm", err, errlen) < 0 ||
        check(p->rr_max_bpm, p->rr_min_bpm + 1, 90, "rr_max_bpm", err, errlen) < 0 ||
        check(p->hr_min_bpm, 20, 200, "hr_min_bpm", err, errlen) < 0 ||
        check(p->hr_max_bpm, p->hr_min_bpm + 5, 300, "hr_max_bpm", err, errlen) < 0 ||
        check(p->rr_min_quality, 0, 1, "rr_min_quality", err, errlen) < 0 ||
        check(p->hr_min_quality, 0, 1, "hr_min_quality", err, errlen) < 0 ||
        check(p->presence_snr, 1, 1e6, "presence_snr", err, errlen) < 0 ||
        check(p->motion_speed_mm_s, 1, 1e5, "motion_speed_mm_s", err, errlen) < 0 ||
        check(p->motion_ratio, 1.5, 1e6, "motion_ratio", err, errlen) < 0)
        return -1;
    return 0;
}

/* Blackman-windowed sinc low-pass with cut-off fc (cycles/sample), unit DC gain. */
static void fir_design(double *h, unsigned n, double fc)
{
    double sum = 0;
    int mid = (int)n / 2;
    for (unsigned k = 0; k < n; k++) {
        int m = (int)k - mid;
        double s = m == 0 ? 2 * fc : sin(TWO_PI * fc * m) / (M_PI * m);
        double w = n > 1 ? 0.42 - 0.5 * cos(TWO_PI * k / (n - 1)) + 0.08 * cos(2 * TWO_PI * k / (n - 1))
                         : 1.0;
        h[k] = s * w;
        sum += h[k];
    }
    for (unsigned k = 0; k < n; k++)
        h[k] /= sum;
}

/* Validate, allocate every buffer and design the filters. */
struct dsp *dsp_open(double fs_hz, double wavelength_mm, const struct dsp_params *opt,
                     char *err, size_t errlen)
{
    if (check(fs_hz, 10, 100000, "fs_hz (sampling rate)", err, errlen) < 0 ||
        check(wavelength_mm, 0.5, 1000, "wavelength_mm", err, errlen) < 0)
        return NULL;
    struct dsp_params p;
    if (opt)
        p = *opt;
    else
        dsp_params_default(&p);
    if (params_check(&p, err, errlen) < 0)
        return NULL;
    struct dsp *d = calloc(1, sizeof *d);
    if (!d) {
        ww_err(err, errlen, "dsp: out of memory");
        return NULL;
    }
    d->p = p;
    d->fs = fs_hz;
    d->lambda = wavelength_mm;
    d->d1 = fs_hz >= 100 ? (unsigned)floor(fs_hz / 100) : 1;
    d->fs1 = fs_hz / d->d1;
    d->d2 = (unsigned)floor(d->fs1 / 20 + 0.5);
    if (d->d2 < 1)
        d->d2 = 1;
    d->fd = d->fs1 / d->d2;
    d->rcap = (size_t)ceil(p.rr_window_s * d->fs1) + 2;
    d->xcap = d->rcap / d->d2 + 2;
    d->nfir = d->d2 > 1 ? 8 * d->d2 + 1 : 1;
    size_t need = (size_t)(1.5 * p.rr_window_s * d->fd);
    d->nfft = 256;
    while (d->nfft < need || d->nfft < 1024)
        d->nfft *= 2;
    d->ri = malloc(d->rcap * sizeof *d->ri);
    d->rq = malloc(d->rcap * sizeof *d->rq);
    d->disp = malloc(d->rcap * sizeof *d->disp);
    d->x = malloc(d->xcap * sizeof *d->x);
    d->x2 = malloc(d->xcap * sizeof *d->x2);
    d->fir = malloc(d->nfir * sizeof *d->fir);
    d->re = malloc(d->nfft * sizeof *d->re);
    d->im = malloc(d->nfft * sizeof *d->im);
    d->pw = malloc((d->nfft / 2 + 1) * sizeof *d->pw);
    d->tc = malloc(d->nfft / 2 * sizeof *d->tc);
    d->ts = malloc(d->nfft / 2 * sizeof *d->ts);
    if (!d->ri || !d->rq || !d->disp || !d->x || !d->x2 || !d->fir || !d->re || !d->im || !d->pw ||
        !d->tc || !d->ts) {
        dsp_close(d);
        ww_err(err, errlen, "dsp: out of memory");
        return NULL;
    }
    fir_design(d->fir, d->nfir, 0.4 / d->d2);
    for (size_t k = 0; k < d->nfft / 2; k++) {
        d->tc[k] = cos(TWO_PI * k / d->nfft);
        d->ts[k] = -sin(TWO_PI * k / d->nfft);
    }
    dsp_reset(d);
    return d;
}

/* Free the DSP and its buffers. */
void dsp_close(struct dsp *d)
{
    if (!d)
        return;
    free(d->ri);
    free(d->rq);
    free(d->disp);
    free(d->x);
    free(d->x2);
    free(d->fir);
    free(d->re);
    free(d->im);
    free(d->pw);
    free(d->tc);
    free(d->ts);
    free(d);
}

/* Back to the state right after dsp_open (buffers kept). */
void dsp_reset(struct dsp *d)
{
    d->nin = 0;
    d->sec = 0;
    d->next_tick = (uint64_t)ceil(d->fs);
    d->acc_i = d->acc_q = 0;
    d->acc_n = 0;
    d->last_i = d->last_q = 0;
    d->bad_in_sec = d->n_in_sec = 0;
    d->n1 = 0;
    d->seg_start = 0;
    d->settle = false;
    d->cx = d->cy = 0;
    d->a11 = d->a22 = 1;
    d->a12 = 0;
    d->fit_ok = d->body = false;
    d->r_ref = 0;
    d->spd_n = d->spd_head = 0;
    d->nfl_n = d->nfl_head = 0;
    memset(&d->st, 0, sizeof d->st);
}

/* Copy the counters. */
void dsp_stats(const struct dsp *d, struct dsp_stats *out)
{
    *out = d->st;
}

/* Solve the n x n system a x = b in place (partial pivoting); -1 if singular. */
static int solve(double *a, double *b, int n)
{
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r * n + c]) > fabs(a[piv * n + c]))
                piv = r;
        if (!(fabs(a[piv * n + c]) > 1e-12))
            return -1;
        if (piv != c) {
            for (int k = 0; k < n; k++) {
                double t = a[c * n + k];
                a[c * n + k] = a[piv * n + k];
                a[piv * n + k] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (int r = c + 1; r < n; r++) {
            double f = a[r * n + c] / a[c * n + c];
            for (int k = c; k < n; k++)
                a[r * n + k] -= f * a[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < n; k++)
            s -= a[r * n + k] * b[k];
        b[r] = s / a[r * n + r];
    }
    return 0;
}

/* Stage-1 sample m of the ring. */
static inline void ring_get(const struct dsp *d, uint64_t m, double *x, double *y)
{
    size_t k = (size_t)(m % d->rcap);
    *x = d->ri[k];
    *y = d->rq[k];
}

/* How well a candidate correction maps the points of [m0, m1) onto the unit
 * circle: the number of octants visited (by >= 0.5 % of the points) and the
 * RMS of |w| - 1. */
static void fit_check(const struct dsp *d, uint64_t m0, uint64_t m1, const double c[5],
                      int *octants, double *rms)
{
    unsigned cnt[8] = {0};
    double e2 = 0;
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        double u = x - c[0], v = y - c[1];
        double w1 = c[2] * u + c[3] * v, w2 = c[4] * v;
        double r = sqrt(w1 * w1 + w2 * w2);
        e2 += (r - 1) * (r - 1);
        /* quadrant x which side of the diagonal: 8 distinct octants */
        unsigned o = (w2 < 0) * 4u + (w1 < 0) * 2u + (fabs(w1) < fabs(w2));
        cnt[o & 7]++;
    }
    size_t n = (size_t)(m1 - m0);
    *octants = 0;
    for (int k = 0; k < 8; k++)
        *octants += cnt[k] * 200 >= n;
    *rms = sqrt(e2 / n);
}

/* Mean of stage-1 samples [m0, m1) (m1 > m0). */
static void ring_mean(const struct dsp *d, uint64_t m0, uint64_t m1, double *mx, double *my)
{
    double sx = 0, sy = 0;
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        sx += x;
        sy += y;
    }
    *mx = sx / (double)(m1 - m0);
    *my = sy / (double)(m1 - m0);
}

/* Estimate the DC offset and I/Q imbalance over stage-1 samples [m0, m1) and
 * adopt it when it is trustworthy (see dsp.h); otherwise keep the last one. */
static void correction_fit(struct dsp *d, uint64_t m0, uint64_t m1)
{
    size_t n = (size_t)(m1 - m0);
    if (n < 20)
        return;
    double mx, my;
    ring_mean(d, m0, m1, &mx, &my);
    double var = 0;
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        var += (x - mx) * (x - mx) + (y - my) * (y - my);
    }
    double s = sqrt(var / n);
    if (!(s > 0) || !isfinite(s))
        return;
    /* Normal equations of A u2 + B uv + C v2 + D u + E v = 1 (ellipse) and of
     * u2 + v2 + D u + E v + F = 0 (circle), in normalised coordinates. */
    double ma[25] = {0}, mb[5] = {0}, ca[9] = {0}, cb[3] = {0};
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        double u = (x - mx) / s, v = (y - my) / s;
        double f[5] = {u * u, u * v, v * v, u, v};
        for (int r = 0; r < 5; r++) {
            for (int k = r; k < 5; k++)
                ma[r * 5 + k] += f[r] * f[k];
            mb[r] += f[r];
        }
        double g[3] = {u, v, 1}, t = -(u * u + v * v);
        for (int r = 0; r < 3; r++) {
            for (int k = r; k < 3; k++)
                ca[r * 3 + k] += g[r] * g[k];
            cb[r] += g[r] * t;
        }
    }
    for (int r = 0; r < 5; r++)
        for (int k = 0; k < r; k++)
            ma[r * 5 + k] = ma[k * 5 + r];
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < r; k++)
            ca[r * 3 + k] = ca[k * 3 + r];
    double c[5];
    int oct;
    double rms;
    if (solve(ma, mb, 5) == 0) {
        double A = mb[0], B = mb[1], C = mb[2], D = mb[3], E = mb[4];
        double det = 4 * A * C - B * B;
        if (det > 0 && A > 0 && C > 0) {
            double uc = (B * E - 2 * C * D) / det, vc = (B * D - 2 * A * E) / det;
            double K = 1 + A * uc * uc + B * uc * vc + C * vc * vc;
            double tr = A + C, disc = sqrt((A - C) * (A - C) + B * B);
            double l1 = (tr + disc) / 2, l2 = (tr - disc) / 2;
            if (K > 0 && l2 > 0 && l1 / l2 <= 9) {
                double a = A / K, b = B / K, cc = C / K;
                double a11 = sqrt(a), a12 = b / 2 / a11, r22 = cc - a12 * a12;
                if (r22 > 0) {
                    c[0] = mx + s * uc;
                    c[1] = my + s * vc;
                    c[2] = a11 / s;
                    c[3] = a12 / s;
                    c[4] = sqrt(r22) / s;
                    fit_check(d, m0, m1, c, &oct, &rms);
                    if (oct >= 6 && rms < 0.25) {
                        d->cx = c[0], d->cy = c[1], d->a11 = c[2], d->a12 = c[3], d->a22 = c[4];
                        d->st.ellipse_fits++;
                        d->fit_ok = true;
                        return;
                    }
                }
            }
        }
    }
    if (solve(ca, cb, 3) == 0) {
        double uc = -cb[0] / 2, vc = -cb[1] / 2, r2 = uc * uc + vc * vc - cb[2];
        if (r2 > 0) {
            double r = sqrt(r2) * s;
            c[0] = mx + s * uc;
            c[1] = my + s * vc;
            c[2] = 1 / r;
            c[3] = 0;
            c[4] = 1 / r;
            fit_check(d, m0, m1, c, &oct, &rms);
            if (oct >= 3 && rms < 0.25) {
                d->cx = c[0], d->cy = c[1], d->a11 = c[2], d->a12 = c[3], d->a22 = c[4];
                d->st.circle_fits++;
                d->fit_ok = true;
            }
        }
    }
}

/* What one demodulation saw: phase noise, ambiguous steps, radius spread. */
struct demod_seen {
    double phase_sd, amb_frac, geom_excess;
};

/* Unwrapped displacement (mm) of stage-1 samples [m0, m1) into disp, the
 * phase taken about centre c[0], c[1] after the whitening c[2..4] (w1 =
 * c2 u + c3 v, w2 = c4 v); what it saw into *seen. The phase noise SD is
 * scaled to a 100 Hz band, from the second differences of the phase (6
 * sigma^2 for white noise; the chest's own phase acceleration is ~0.03 rad
 * per sample at most). */
static void unwrap_about(struct dsp *d, uint64_t m0, uint64_t m1, const double c[5],
                         struct demod_seen *seen)
{
    double k = d->lambda / (2 * TWO_PI), prev = 0, acc = 0, pdp = 0, s2 = 0;
    double r1 = 0, r2 = 0;
    size_t ns = 0, amb = 0;
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        double u = x - c[0], v = y - c[1];
        double w1 = c[2] * u + c[3] * v, w2 = c[4] * v;
        double ph = atan2(w2, w1), rad = sqrt(w1 * w1 + w2 * w2);
        r1 += rad;
        r2 += rad * rad;
        if (m > m0) {
            double dp = ph - prev;
            if (dp > M_PI)
                dp -= TWO_PI * floor((dp + M_PI) / TWO_PI);
            else if (dp < -M_PI)
                dp += TWO_PI * floor((M_PI - dp) / TWO_PI);
            acc += dp;
            amb += fabs(dp) > M_PI / 2;
            if (m > m0 + 1) {
                s2 += (dp - pdp) * (dp - pdp);
                ns++;
            }
            pdp = dp;
        }
        prev = ph;
        d->disp[m - m0] = acc * k;
    }
    double var = ns ? s2 / (6.0 * ns) : 0, n = (double)(m1 - m0);
    seen->phase_sd = sqrt(var * 100.0 / d->fs1);
    seen->amb_frac = n > 1 ? amb / (n - 1) : 0;
    /* Geometry: around the right centre the points keep a constant radius
     * up to the noise, which moves radius and phase alike; around a wrong
     * one (DC not yet estimable, e.g. at low SNR) the radius swings with
     * the phase and atan2 gives a distorted projection. */
    double cv2 = r1 > 0 ? (r2 / n) / ((r1 / n) * (r1 / n)) - 1 : 0;
    seen->geom_excess = cv2 > var ? sqrt(cv2 - var) : 0;
}

/* Corrected, unwrapped displacement of [m0, m1) into disp, about the
 * accepted DC / imbalance correction; sets phase_sd, amb_frac and
 * geom_excess. */
static void demodulate(struct dsp *d, uint64_t m0, uint64_t m1)
{
    const double c[5] = {d->cx, d->cy, d->a11, d->a12, d->a22};
    struct demod_seen seen;
    unwrap_about(d, m0, m1, c, &seen);
    d->phase_sd = seen.phase_sd;
    d->amb_frac = seen.amb_frac;
    d->geom_excess = seen.geom_excess;
}

/* Anti-alias filter and decimate disp[0..n) into out (xcap long); returns
 * the length. */
static size_t decimate(struct dsp *d, size_t n, double *out)
{
    size_t half = d->nfir / 2, nx = 0;
    for (size_t c = half; c + half < n && nx < d->xcap; c += d->d2) {
        double s = 0;
        const double *src = d->disp + c - half;
        for (unsigned k = 0; k < d->nfir; k++)
            s += d->fir[k] * src[k];
        out[nx++] = s;
    }
    return nx;
}

/* In-place radix-2 complex FFT of re/im (length nfft). */
static void fft(struct dsp *d)
{
    size_t n = d->nfft;
    double *re = d->re, *im = d->im;
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
        if (i < j) {
            double t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        size_t step = n / len, h = len / 2;
        for (size_t i = 0; i < n; i += len) {
            for (size_t k = 0; k < h; k++) {
                double wr = d->tc[k * step], wi = d->ts[k * step];
                double *ar = re + i + k, *ai = im + i + k;
                double br = ar[h] * wr - ai[h] * wi, bi = ar[h] * wi + ai[h] * wr;
                ar[h] = *ar - br;
                ai[h] = *ai - bi;
                *ar += br;
                *ai += bi;
            }
        }
    }
}

/* Power spectrum of the linearly detrended, Hann-windowed x[0..n) into pw. */
static void spectrum(struct dsp *d, const double *x, size_t n)
{
    /* least-squares line through x */
    double sx = 0, sxy = 0, mid = (n - 1) / 2.0, sxx = 0;
    for (size_t k = 0; k < n; k++) {
        sx += x[k];
        sxy += (k - mid) * x[k];
        sxx += (k - mid) * (k - mid);
    }
    double mean = sx / n, slope = sxx > 0 ? sxy / sxx : 0;
    for (size_t k = 0; k < d->nfft; k++) {
        double v = 0;
        if (k < n) {
            double w = 0.5 - 0.5 * cos(TWO_PI * (k + 0.5) / n);
            v = (x[k] - mean - slope * (k - mid)) * w;
        }
        d->re[k] = v;
        d->im[k] = 0;
    }
    fft(d);
    for (size_t k = 0; k <= d->nfft / 2; k++)
        d->pw[k] = d->re[k] * d->re[k] + d->im[k] * d->im[k];
}

/* Interpolated frequency (in bins) of a peak at bin k (log-parabolic). */
static double peak_interp(const double *pw, size_t k)
{
    double a = log(pw[k - 1] + 1e-300), b = log(pw[k] + 1e-300), c = log(pw[k + 1] + 1e-300);
    double den = a - 2 * b + c;
    double off = den < 0 ? 0.5 * (a - c) / den : 0;
    if (off > 0.5)
        off = 0.5;
    if (off < -0.5)
        off = -0.5;
    return k + off;
}

/* Interpolated frequency (in bins) of the peak of pw nearest bin k, whose
 * top may be the neighbouring bin: log-parabolic through k-1, k, k+1, the
 * vertex taken up to a bin away (a Hann main lobe zero-padded >= 2x is
 * parabolic in log power well beyond that). */
static double peak_interp_near(const double *pw, size_t k)
{
    double a = log(pw[k - 1] + 1e-300), b = log(pw[k] + 1e-300), c = log(pw[k + 1] + 1e-300);
    double den = a - 2 * b + c;
    double off = den < 0 ? 0.5 * (a - c) / den : 0;
    if (off > 1)
        off = 1;
    if (off < -1)
        off = -1;
    return k + off;
}

/* Share of the power in bins [k0, k1] that lies within +-lobe bins of fk. */
static double peak_share(const double *pw, size_t k0, size_t k1, double fk, double lobe)
{
    double in = 0, all = 0;
    for (size_t k = k0; k <= k1; k++) {
        all += pw[k];
        if (fabs(k - fk) <= lobe)
            in += pw[k];
    }
    return all > 0 ? in / all : 0;
}

/* Band edges in bins for [lo, hi] Hz, kept inside 1 .. nfft/2 - 1. */
static void band(const struct dsp *d, double lo, double hi, size_t *k0, size_t *k1)
{
    double df = d->fd / d->nfft;
    double a = ceil(lo / df), b = floor(hi / df);
    if (a < 1)
        a = 1;
    if (b > d->nfft / 2 - 1)
        b = d->nfft / 2 - 1;
    *k0 = (size_t)a;
    *k1 = (size_t)(b < a ? a : b);
}

/* Breathing rate (Hz) over x[0..n) and its confidence. */
static double breath_rate(struct dsp *d, const double *x, size_t n, double *conf)
{
    spectrum(d, x, n);
    size_t k0, k1, best;
    /* search a little beyond the reported band so that a maximum on the
     * search edge (the slope of drift or of something faster) can be told
     * from a true peak near the band edge */
    band(d, 0.7 * d->p.rr_min_bpm / 60, 1.15 * d->p.rr_max_bpm / 60, &k0, &k1);
    /* below 12 /min weight by f / 12 /min (the spectrum of a
     * half-derivative there): the slow wander of a real range point's
     * phase (posture settling, clutter drift) rises towards 0 Hz like 1/f
     * and would otherwise win over the breathing at a few breaths/min; a
     * periodic slow breath keeps its peak. Above, no weighting: noise must
     * not be favoured at fast rates. */
    /* The breathing peak against the displacement spectrum's noise floor:
     * the median bin from 2 Hz to 0.4 fd (nothing physiological there but
     * the heartbeat's weak harmonics), in dB; 0 when fd is too low. */
    size_t a, b;
    band(d, 2.0, 0.4 * d->fd, &a, &b);
    d->peak_floor_db = 0;
    if (b > a + 8 && b - a < d->nfft / 2) {
        size_t nv = b - a + 1;
        double *v = d->im; /* free after spectrum() */
        memcpy(v, d->pw + a, nv * sizeof *v);
        size_t mid = nv / 2;
        /* quickselect the median */
        size_t lo = 0, hi = nv - 1;
        while (lo < hi) {
            double piv = v[mid];
            size_t l = lo, h = hi;
            while (l <= h) {
                while (v[l] < piv)
                    l++;
                while (v[h] > piv)
                    h--;
                if (l <= h) {
                    double t = v[l];
                    v[l] = v[h];
                    v[h] = t;
                    l++;
                    if (h == 0)
                        break;
                    h--;
                }
            }
            if (mid <= h)
                hi = h;
            else if (mid >= l)
                lo = l;
            else
                break;
        }
        double mx = 0;
        for (size_t k = k0; k <= k1; k++)
            mx = d->pw[k] > mx ? d->pw[k] : mx;
        if (v[mid] > 0 && mx > 0)
            d->peak_floor_db = 10 * log10(mx / v[mid]);
    }
    double kw = 12.0 / 60 / (d->fd / d->nfft);
    memcpy(d->im, d->pw, (d->nfft / 2 + 1) * sizeof *d->im); /* the plain spectrum */
    for (size_t k = k0 > 0 ? k0 - 1 : 0; k < kw && k <= d->nfft / 2; k++)
        d->pw[k] *= (double)k / kw;
    best = k0;
    for (size_t k = k0; k <= k1; k++)
        if (d->pw[k] > d->pw[best])
            best = k;
    /* The weighting picks the peak but must not place it: f / 12 /min
     * rises across the main lobe and tilted a slow breath's peak upwards
     * (+0.3 .. +0.5 /min at 6-11 /min over 20 s, enough to lift a NEWS2
     * band edge: 11.7 read as 12). Interpolate on the plain spectrum
     * around the chosen bin instead; its top lies within a bin of it.
     * Not below 2 cycles in the window, blending in up to 2.5: there the
     * tone's mirror image at -f leaks into its lobe and pulls the plain
     * peak down by up to half a bin (6 /min in 20 s: -0.5 /min, under
     * rr_min_bpm in a third of the seconds), which the weighting's tilt
     * roughly offsets. The confidence stays that of the peak as chosen. */
    double lobe = 2.0 * d->nfft / n; /* Hann main-lobe half-width in bins: 2 cycles */
    double fw = peak_interp(d->pw, best), fk = fw;
    if (best < kw) {
        double wp = (best - lobe) / (0.25 * lobe);
        wp = wp < 0 ? 0 : wp > 1 ? 1 : wp;
        fk = fw + wp * (peak_interp_near(d->im, best) - fw);
    }
    *conf = peak_share(d->pw, k0, k1, fw, lobe);
    if (best == k0 || best == k1)
        *conf = 0;
    return fk * d->fd / d->nfft;
}

/* Heart rate (Hz) over x[0..n) with breathing harmonics of fb (Hz, 0 = none)
 * notched out, and its confidence. */
static double heart_rate(struct dsp *d, const double *x, size_t n, double fb, double *conf)
{
    spectrum(d, x, n);
    size_t k0, k1;
    band(d, d->p.hr_min_bpm / 60, d->p.hr_max_bpm / 60, &k0, &k1);
    double df = d->fd / d->nfft;
    double lobe = 2.0 * d->nfft / n;
    long za[3], zb[3]; /* notched bin ranges */
    int nz = 0;
    if (fb > 0) {
        /* Notch the breathing fundamental (its main lobe reaches into the
         * band at fast breathing) and its 2nd and 3rd harmonics: a smooth
         * breathing waveform puts nearly all of its harmonic energy there,
         * 10-30 dB above the heartbeat; higher ones are weaker than it. */
        for (int h = 1; h <= 3; h++) {
            double fh = h * fb / df, w = lobe + 0.03 * h * fb / df;
            long a = (long)ceil(fh - w), b = (long)floor(fh + w);
            if (a < 1)
                a = 1;
            if (b > (long)(d->nfft / 2))
                b = (long)(d->nfft / 2);
            for (long k = a; k <= b; k++)
                d->pw[k] *= NOTCH_GAIN;
            za[nz] = a;
            zb[nz++] = b;
        }
    }
    /* Below 1.25 x the breathing rate (plus a main lobe) the breathing
     * fundamental's skirt dominates; a heart rate there cannot be told
     * from it and is not physiological anyway. */
    if (fb > 0) {
        double lo = 1.25 * fb / df + lobe;
        if (lo > k0)
            k0 = lo < k1 ? (size_t)ceil(lo) : k1;
    }
    size_t best = k0;
    double bs = -1;
    for (size_t k = k0; k <= k1; k++) {
        size_t k2 = 2 * k;
        /* the pulse's 2nd harmonic adds to a candidate's score, but at
         * most half its own power: a noise bump at half the heart rate
         * must not win on the strength of the true peak */
        double p2 = k2 <= d->nfft / 2 ? d->pw[k2] : 0;
        double s = d->pw[k] + 0.5 * (p2 < d->pw[k] ? p2 : d->pw[k]);
        if (s > bs) {
            bs = s;
            best = k;
        }
    }
    /* climb to the local maximum of the plain spectrum */
    while (best > k0 && d->pw[best - 1] > d->pw[best])
        best--;
    while (best < k1 && d->pw[best + 1] > d->pw[best])
        best++;
    double fk = peak_interp(d->pw, best);
    *conf = peak_share(d->pw, k0, k1, fk, lobe);
    /* a maximum on the band edge is the slope of something outside it */
    if (best == k0 || best == k1)
        *conf = 0;
    /* Ambiguous when the peak's top runs into a notch (the notch has
     * shaved one side: the estimate is biased), or when half its frequency
     * lies in a notch with (before notching) at least half its power there
     * and there is power at 1.5 times it: then the heartbeat's fundamental
     * may be hidden under a breathing harmonic, this peak being its 2nd
     * harmonic and the one at 1.5 x its 3rd. */
    size_t k15 = (size_t)lround(1.5 * fk);
    double p15 = 0;
    for (size_t k = k15 - 1; k <= k15 + 1 && k <= d->nfft / 2; k++)
        p15 = d->pw[k] > p15 ? d->pw[k] : p15;
    for (int z = 0; z < nz; z++) {
        if (fk + lobe / 4 >= za[z] && fk - lobe / 4 <= zb[z])
            *conf = 0;
        long kh = lround(fk / 2);
        if (kh >= za[z] && kh <= zb[z] && kh >= 1 &&
            d->pw[kh] / NOTCH_GAIN >= 0.5 * d->pw[best] && p15 >= 0.15 * d->pw[best])
            *conf = 0;
    }
    return fk * df;
}

/* 1 when v is on the good side of good, 0 beyond bad, linear between. */
static double ramp(double bad, double good, double v)
{
    double f = (bad - v) / (bad - good);
    return f > 1 ? 1 : f < 0 ? 0 : f;
}

/* max - min of x[0..n). */
static double span(const double *x, size_t n)
{
    double lo = x[0], hi = x[0];
    for (size_t k = 1; k < n; k++) {
        lo = x[k] < lo ? x[k] : lo;
        hi = x[k] > hi ? x[k] : hi;
    }
    return hi - lo;
}

/* Median of the recent still seconds' squared speeds. */
static double speed_median(const struct dsp *d)
{
    float v[MOTION_HIST]; /* float is ample for a motion threshold */
    unsigned n = d->spd_n;
    for (unsigned k = 0; k < n; k++)
        v[k] = (float)d->spd[k];
    return n ? ww_median(v, n) : 0; /* the one median (util.c) */
}

/* Presence test: the variance of the last PRESENCE_S seconds of stage-1
 * samples over the receiver's noise floor. The floor is the minimum, over the
 * last FLOOR_HIST seconds, of each second's white-noise estimate (half the
 * mean squared sample-to-sample difference): a moving or fast-breathing chest
 * inflates single estimates, never the minimum, so motion is not mistaken
 * for an empty bed. Returns the ratio (about 1 for noise alone). */
static double presence_ratio(struct dsp *d)
{
    uint64_t n = (uint64_t)ceil(d->fs1);
    if (n > d->n1)
        n = d->n1;
    if (n > d->rcap - 1)
        n = d->rcap - 1;
    if (n < 4)
        return 0;
    uint64_t m0 = d->n1 - n;
    double dd = 0, px = 0, py = 0;
    for (uint64_t m = m0; m < d->n1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        if (m > m0)
            dd += (x - px) * (x - px) + (y - py) * (y - py);
        px = x;
        py = y;
    }
    d->nfl[d->nfl_head] = dd / (2.0 * (n - 1));
    d->nfl_head = (d->nfl_head + 1) % FLOOR_HIST;
    if (d->nfl_n < FLOOR_HIST)
        d->nfl_n++;
    double noise = d->nfl[0];
    for (unsigned k = 1; k < d->nfl_n; k++)
        if (d->nfl[k] < noise)
            noise = d->nfl[k];

    n = (uint64_t)(PRESENCE_S * d->fs1);
    if (n > d->n1)
        n = d->n1;
    if (n > d->rcap - 1)
        n = d->rcap - 1;
    m0 = d->n1 - n;
    /* least-squares line through I and through Q: a slow drift of the
     * receiver or the static clutter (real front-ends wander by many times
     * their noise over seconds) is not a breathing chest */
    double mx = 0, my = 0, sx = 0, sy = 0, stt = 0, mid = (n - 1) / 2.0;
    for (uint64_t m = m0; m < d->n1; m++) {
        double x, y, tt = (double)(m - m0) - mid;
        ring_get(d, m, &x, &y);
        mx += x;
        my += y;
        sx += tt * x;
        sy += tt * y;
        stt += tt * tt;
    }
    mx /= n;
    my /= n;
    sx = stt > 0 ? sx / stt : 0;
    sy = stt > 0 ? sy / stt : 0;
    double var = 0;
    for (uint64_t m = m0; m < d->n1; m++) {
        double x, y, tt = (double)(m - m0) - mid;
        ring_get(d, m, &x, &y);
        x -= mx + sx * tt;
        y -= my + sy * tt;
        var += x * x + y * y;
    }
    var /= n;
    if (!(noise > 0))
        return var > 0 ? 1e9 : 0;
    return var / noise;
}

/* Mean corrected radius of stage-1 samples [m0, m1): about 1 for the echo
 * of the chest the correction was fitted on, about 0 without it. */
static double echo_radius(struct dsp *d, uint64_t m0, uint64_t m1)
{
    double sum = 0;
    for (uint64_t m = m0; m < m1; m++) {
        double x, y;
        ring_get(d, m, &x, &y);
        double u = x - d->cx, v = y - d->cy;
        double w1 = d->a11 * u + d->a12 * v, w2 = d->a22 * v;
        sum += sqrt(w1 * w1 + w2 * w2);
    }
    return m1 > m0 ? sum / (double)(m1 - m0) : 0;
}

/* A second without enough movement to be judged present: is the body still
 * there, only still? A breath-hold (apnoea) leaves the chest's echo where
 * it was on the arc the correction was fitted on; a person leaving takes it
 * away (the samples fall back to the clutter centre, radius about 0). So
 * a present, fitted body whose echo keeps its radius is still present, with
 * no rates: the ward then judges apnoea, never "out of bed" (CLINICAL.md:
 * radar cannot see breathing that has stopped, but it sees the body). */
static bool still_body(struct dsp *d)
{
    if (!d->fit_ok || !d->body || !(d->r_ref > 0))
        return false;
    uint64_t n = (uint64_t)ceil(d->fs1);
    if (n > d->n1)
        n = d->n1;
    if (n < 4)
        return false;
    double rn = echo_radius(d, d->n1 - n, d->n1);
    /* the noise floor in corrected units: the echo must stand clear of it */
    double noise = d->nfl_n ? d->nfl[0] : 0;
    for (unsigned k = 1; k < d->nfl_n; k++)
        if (d->nfl[k] < noise)
            noise = d->nfl[k];
    double g = 0.5 * (d->a11 * d->a11 + d->a12 * d->a12 + d->a22 * d->a22);
    return rn > 0.5 * d->r_ref && rn < 2.0 * d->r_ref &&
           rn * rn > d->p.presence_snr * noise * g;
}

/* Steps 1 and 7: a bad second, or presence. Fills r; false when the reading
 * is complete without further analysis (bad, absent, or a still body). */
static bool second_present(struct dsp *d, struct reading *r)
{
    bool bad = d->bad_in_sec * 10 > d->n_in_sec;
    d->bad_in_sec = d->n_in_sec = 0;
    if (bad) {
        d->seg_start = d->n1;
        d->st.bad_seconds++;
        return false;
    }
    r->have |= READING_PRESENCE | READING_MOTION;
    d->pres_ratio = presence_ratio(d);
    if (d->pres_ratio < d->p.presence_snr) {
        if (still_body(d)) {
            /* Present and still (a breath-hold): no rates, no new segment. */
            r->presence = true;
            d->st.still_seconds++;
            return false;
        }
        d->body = false;
        d->seg_start = d->n1;
        d->st.absent_seconds++;
        return false;
    }
    r->presence = true;
    d->body = true;
    return true;
}

/* Steps 3-5 over the clean segment: correct, demodulate, decimate into x.
 * Returns the decimated length (< 2: too short to analyse) and the
 * segment's length in stage-1 samples. */
static size_t second_segment(struct dsp *d, uint64_t *seglen)
{
    uint64_t win = (uint64_t)(d->p.rr_window_s * d->fs1);
    uint64_t len = d->n1 - d->seg_start;
    if (len > win)
        len = win;
    *seglen = len;
    uint64_t m0 = d->n1 - len;
    if (len < d->nfir + 2 * d->d2)
        return 0;
    correction_fit(d, m0, d->n1);
    demodulate(d, m0, d->n1);
    if (d->fit_ok) { /* the echo's radius while the chest moves, for still_body */
        uint64_t n1s = (uint64_t)ceil(d->fs1);
        d->r_ref = echo_radius(d, d->n1 > n1s ? d->n1 - n1s : 0, d->n1);
    }
    d->seg_m0 = m0;
    return decimate(d, (size_t)len, d->x);
}

/* Step 6: is this second motion? RMS chest speed over the last second,
 * absolute and against the recent still seconds; a still second's speed
 * joins their history. */
static bool second_motion(struct dsp *d, size_t nx)
{
    size_t ns = (size_t)ceil(d->fd);
    if (ns > nx - 1)
        ns = nx - 1;
    double e = 0;
    for (size_t k = nx - ns; k < nx; k++) {
        double v = (d->x[k] - d->x[k - 1]) * d->fd;
        e += v * v;
    }
    e = ns ? e / ns : 0;
    double med = speed_median(d);
    bool motion = !isfinite(e) || sqrt(e) > d->p.motion_speed_mm_s ||
                  (d->spd_n >= 5 && e > d->p.motion_ratio * med);
    if (motion)
        return true;
    d->spd[d->spd_head] = e;
    d->spd_head = (d->spd_head + 1) % MOTION_HIST;
    if (d->spd_n < MOTION_HIST)
        d->spd_n++;
    return false;
}

/* The looser RR gate of real range points (see trust_gates), without its
 * geometry term. */
static double rr_relief_terms(const struct dsp *d)
{
    return ramp(30, 36, d->peak_floor_db) * ramp(0.025, 0.010, d->amb_frac) *
           ramp(0.45, 0.35, d->phase_sd);
}

/* The segment demodulated again about its own mean, with no whitening, and
 * decimated into x2: a centre that owes nothing to the DC / imbalance fit.
 * Returns the length. */
static size_t centre_free(struct dsp *d)
{
    if (d->nx2)
        return d->nx2;
    uint64_t m0 = d->seg_m0, m1 = d->n1;
    double mx, my;
    ring_mean(d, m0, m1, &mx, &my);
    const double c[5] = {mx, my, 1, 0, 1};
    struct demod_seen seen;
    unwrap_about(d, m0, m1, c, &seen);
    d->cf_phase_sd = seen.phase_sd;
    d->cf_amb_frac = seen.amb_frac;
    d->nx2 = decimate(d, (size_t)(m1 - m0), d->x2);
    return d->nx2;
}

/* The breathing rate (Hz) of the newest n samples about the segment's own
 * mean (centre_free), its confidence, and its peak over floor in *pf;
 * peak_floor_db is left as it was. Kept for the second: the centre check
 * and the rate about the mean ask for the same windows (20 s, 15 s). Uses
 * the spectrum work buffers. */
static double cf_rate(struct dsp *d, size_t n, double *conf, double *pf)
{
    size_t nx2 = centre_free(d);
    if (n > nx2)
        n = nx2;
    for (unsigned k = 0; k < d->cf_memo_n; k++)
        if (d->cf_memo[k].n == n) {
            *conf = d->cf_memo[k].conf;
            *pf = d->cf_memo[k].pf;
            return d->cf_memo[k].f;
        }
    *conf = *pf = 0;
    double f = 0;
    if (n >= 2) {
        double keep = d->peak_floor_db;
        f = breath_rate(d, d->x2 + nx2 - n, n, conf);
        *pf = d->peak_floor_db;
        d->peak_floor_db = keep;
    }
    if (d->cf_memo_n < 2)
        d->cf_memo[d->cf_memo_n++] = (struct cf_answer){n, f, *conf, *pf};
    return f;
}

/* Does the breathing rate fb (Hz) of the newest nb decimated samples stand
 * when the phase is taken about another centre? A chest moving along one
 * arc is seen breathing at the same rate from any point inside it (the
 * segment's mean is one: every ray from there crosses the arc once); a
 * rate that is an artefact of the fitted centre (an arc seen edge-on
 * through a wrong DC estimate doubles its rate) does not survive the
 * change. */
static bool rate_centre_free(struct dsp *d, size_t nb, double fb)
{
    double conf, pf;
    double f = cf_rate(d, nb, &conf, &pf);
    return conf > 0 && fabs(f - fb) * 60 <= CENTRE_AGREE_BPM;
}

/* Step 10: the trust gates. Scales *bconf and *hconf; on the looser RR gate
 * may replace the breathing rate *fb by that of the newest 15 s. nb is the
 * length the rate came from, x[0..nx) the decimated segment. */
static void trust_gates(struct dsp *d, size_t nx, size_t nb, double *fb, double *bconf,
                        double *hconf)
{
    /* Unwrapping slips put a lambda/2 step into the displacement that no
     * spectral confidence sees coming. Their precursor is the share of
     * sample-to-sample phase steps beyond pi/2 (ambiguous ones; the chest
     * itself makes < 0.8 rad per fs1 sample): scale both confidences from 1
     * at 0.1 % of steps down to 0 at 0.5 %, and likewise from 1 at 0.30 rad
     * of phase noise (in 100 Hz) down to 0 at 0.45 rad; and from 1 at 0.10
     * to 0 at 0.20 of radius variation that noise does not explain (the
     * DC/imbalance correction does not fit the signal). */
    double hr_f = ramp(0.005, 0.001, d->amb_frac) * ramp(0.45, 0.30, d->phase_sd) *
                  ramp(0.20, 0.10, d->geom_excess);
    /* Real range points are never clean circles: the chest moves through
     * the range cell, so the amplitude swings with the phase, and their
     * phase is noisier (Acconeer A121 at 0.66 m, breathing plainly: 0.45 of
     * radius variation, 0.7-1 % ambiguous steps, 0.27-0.35 rad). A slip
     * spreads power over the spectrum; a breath that still stands >= 36 dB
     * over the displacement noise floor has survived them, and its
     * fundamental is where it was. So RR alone gets a second chance: 1 % ..
     * 2.5 % ambiguous steps, 0.35 .. 0.45 rad, times 30 .. 36 dB of peak
     * over floor. (A 5 dB SNR signal with undetermined DC: 26-28 dB, a
     * harmonic; not passed.) Radius variation says nothing of the rate
     * when a range cell holds several reflectors of one torso (chest,
     * abdomen, shoulders each turning their own phasor: FMCW range bins,
     * 0.5-0.9), and everything when the centre is wrong. So it is not
     * taken on trust either way: below 0.50 it passes; above, the rate
     * passes only when the phase about the segment's own mean gives the
     * same rate (rate_centre_free), and is withheld when it does not (A121
     * points 6-8 summed as one coarser cell: 6-8 /min about the stale fit
     * while the person breathed 18, which the 0.50 .. 0.60 ramp let
     * through). */
    double terms = rr_relief_terms(d), geo = ramp(0.60, 0.50, d->geom_excess);
    bool checked = terms > 0 && terms > hr_f;
    if (checked)
        geo = rate_centre_free(d, nb, *fb) ? 1 : 0;
    double rr_relief = terms * geo;
    if (rr_relief > hr_f && rr_relief > 0) {
        /* On the looser gate the rate must also be that of the newest
         * 15 s: a window still holding the first seconds' posture wander
         * peaks at half the breathing rate (A121: 8 /min for 17). When they
         * differ, the newest 15 s decide, on their own confidence and peak
         * over floor (a coarser but current estimate), and the centre
         * check, where it was needed, is made again on them. */
        size_t nn = (size_t)(15 * d->fd);
        if (nn < nb) {
            double c2;
            double f2 = breath_rate(d, d->x + nx - nn, nn, &c2);
            if (fabs(f2 - *fb) * 60 > 1.5) {
                *fb = f2;
                *bconf = c2;
                terms = rr_relief_terms(d);
                if (checked)
                    geo = rate_centre_free(d, nn, f2) ? 1 : 0;
                rr_relief = terms * geo;
            }
        }
    }
    double rr_f = hr_f > rr_relief ? hr_f : rr_relief;
    *bconf *= rr_f;
    *hconf *= hr_f;
}

/* The breathing rate (Hz) of the newest nb samples about the segment's own
 * mean (centre_free), with its confidence after its own gates. Used when
 * the fitted centre's rate is withheld: a range cell holding several
 * reflectors of one torso is no ellipse, the fit is refused or stale, and
 * the phase about it can lose the breath (a 77 GHz torso cell: 14.7-21
 * /min about the fit, 18.0 about the mean, for 18; A121 points 6-8 summed:
 * 6-8 about the fit, 17-18.6 about the mean). Radius variation is not
 * asked (about the mean a sum of phasors is never a circle). The gates:
 * 30 .. 36 dB of peak over floor, and the strict phase-noise and
 * ambiguous-step limits; or the looser ones of real range points (about
 * the mean the sum of phasors passes near the centre now and then) when
 * the newest 15 s give the same rate within 1 /min and the rate is 12 /min
 * or more. Below 12 /min lies the slow wander of an unwhitened phase (the
 * band the fitted path weights down) and NEWS2's heaviest respiration
 * scores: there only the strict limits count (A121 cells over 7-10 with
 * the looser ones: 7.0-11.5 /min for 18). */
static double rate_about_mean(struct dsp *d, size_t nb, double *conf)
{
    double pf;
    double f = cf_rate(d, nb, conf, &pf);
    if (!(*conf > 0))
        return f;
    double floor_ok = ramp(30, 36, pf);
    double strict = ramp(0.005, 0.001, d->cf_amb_frac) * ramp(0.45, 0.30, d->cf_phase_sd);
    double loose = ramp(0.025, 0.010, d->cf_amb_frac) * ramp(0.45, 0.35, d->cf_phase_sd);
    size_t nn = (size_t)(15 * d->fd);
    if (loose > strict && (f * 60 < 12 || nn >= nb))
        loose = strict;
    if (loose > strict) {
        double c2, pf2;
        double f2 = cf_rate(d, nn, &c2, &pf2);
        if (fabs(f2 - f) * 60 > 1.0)
            loose = strict;
    }
    *conf *= floor_ok * (loose > strict ? loose : strict);
    return f;
}

/* Steps 8-10: the rates of a still, warmed-up second into r. */
static void second_rates(struct dsp *d, size_t nx, struct reading *r)
{
    double bconf, hconf;
    /* The rate is that of the newest rr_rate_s seconds: a real breathing
     * rate drifts by 1-2 /min within half a minute (A121 recording: 16.5
     * rising to 18.8 /min), and a window reports its mean with a lag of
     * half its length. 20 s (Acconeer's own choice) keeps the lag at 10 s
     * and still resolves 5.5 /min (two cycles) with a main lobe of
     * +-6 /min, interpolated. The whole window (rr_window_s) stays the
     * context of the apnoea gate below and of the DC fit. */
    size_t nb = (size_t)(d->p.rr_rate_s * d->fd);
    if (nb > nx)
        nb = nx;
    d->nx2 = 0;
    d->cf_memo_n = 0;
    double fb = breath_rate(d, d->x + nx - nb, nb, &bconf);
    size_t nh = (size_t)(d->p.hr_window_s * d->fd);
    if (nh > nx)
        nh = nx;
    double fh = heart_rate(d, d->x + nx - nh, nh, bconf >= 0.25 ? fb : 0, &hconf);
    trust_gates(d, nx, nb, &fb, &bconf, &hconf);
    const double *xr = d->x;
    if (bconf < d->p.rr_min_quality) {
        double c2, f2 = rate_about_mean(d, nb, &c2);
        if (c2 >= d->p.rr_min_quality) {
            fb = f2;
            bconf = c2;
            xr = d->x2;
            nx = d->nx2;
        }
    }
    /* Breathing that stopped (apnoea) would keep its peak in the window for
     * up to rr_window_s: withhold RR once the last 10 s swing less than a
     * quarter of the whole window's range. */
    size_t nr = (size_t)(10 * d->fd);
    if (nr < nx && span(xr + nx - nr, nr) < 0.25 * span(xr, nx))
        bconf = 0;
    if (bconf >= d->p.rr_min_quality && fb * 60 >= d->p.rr_min_bpm && fb * 60 <= d->p.rr_max_bpm) {
        r->have |= READING_RR;
        r->rr = (float)(fb * 60);
        r->quality = (float)bconf;
        d->st.rr_readings++;
    }
    if (hconf >= d->p.hr_min_quality && fh * 60 >= d->p.hr_min_bpm && fh * 60 <= d->p.hr_max_bpm) {
        r->have |= READING_HR;
        r->hr = (float)(fh * 60);
        float q = (float)hconf;
        if (!(r->have & READING_RR) || q < r->quality)
            r->quality = q;
        d->st.hr_readings++;
    }
}

/* The work done when a second of samples completes: one reading. */
static void second(struct dsp *d, reading_cb cb, void *ctx)
{
    struct reading r;
    memset(&r, 0, sizeof r);
    r.t = (double)d->nin / d->fs;
    r.have = READING_QUALITY;
    r.quality = 0;
    d->sec++;
    d->st.seconds++;
    d->next_tick = (uint64_t)ceil((double)(d->sec + 1) * d->fs);
    if (!second_present(d, &r)) {
        cb(ctx, &r);
        return;
    }
    uint64_t len;
    size_t nx = second_segment(d, &len);
    if (nx < 2) {
        cb(ctx, &r);
        return;
    }
    if (second_motion(d, nx)) {
        r.motion = true;
        d->seg_start = d->n1;
        d->settle = true;
        d->st.motion_seconds++;
        cb(ctx, &r);
        return;
    }
    if (d->settle) {
        /* the second after motion may hold its tail: start afresh after it */
        d->settle = false;
        d->seg_start = d->n1;
        cb(ctx, &r);
        return;
    }
    if ((double)len >= d->p.warmup_s * d->fs1 - 0.5)
        second_rates(d, nx, &r);
    cb(ctx, &r);
}

/* Whether a raw sample value is usable. */
static inline bool sample_ok(float v)
{
    return isfinite(v) && fabsf(v) <= MAX_ABS_SAMPLE;
}

/* Per sample: validate, stage-1 decimate into the ring; per second: analyse. */
void dsp_feed(struct dsp *d, const float *i, const float *q, size_t n, reading_cb cb, void *ctx)
{
    for (size_t k = 0; k < n; k++) {
        float vi = i[k], vq = q[k];
        if (!sample_ok(vi) || !sample_ok(vq)) {
            vi = d->last_i;
            vq = d->last_q;
            d->st.invalid++;
            d->bad_in_sec++;
        } else {
            d->last_i = vi;
            d->last_q = vq;
        }
        d->acc_i += vi;
        d->acc_q += vq;
        if (++d->acc_n == d->d1) {
            size_t at = (size_t)(d->n1 % d->rcap);
            d->ri[at] = (float)(d->acc_i / d->d1);
            d->rq[at] = (float)(d->acc_q / d->d1);
            d->n1++;
            d->acc_i = d->acc_q = 0;
            d->acc_n = 0;
        }
        d->nin++;
        d->n_in_sec++;
        d->st.samples++;
        if (d->nin == d->next_tick)
            second(d, cb, ctx);
    }
}

/* ---- several range points (see dsp.h) ------------------------------------ */

#define MULTI_MAX 64
#define MULTI_CHUNK 256
#define MULTI_SWITCH 1.15
#define MULTI_ALPHA 0.2
#define MULTI_MOTION_S 10
/* a confirmed breath is followed only within this factor of the strongest
 * point's presence ratio: a breathing torso is among the strongest movers
 * (the second A121 person: within 2.0 x of an arm's; knees 20 x below the
 * chest) */
#define MULTI_CONFIRM_WITHIN 4.0

struct dsp_multi {
    unsigned np;
    struct dsp *d[MULTI_MAX];
    struct reading r[MULTI_MAX];
    bool got[MULTI_MAX];
    uint64_t followed_at[MULTI_MAX]; /* second a point was last followed, +1 */
    double strength[MULTI_MAX];      /* smoothed log presence ratio */
    struct dsp_stats st;             /* of the readings emitted */
    unsigned cur;
    uint64_t sec;
    float bi[MULTI_CHUNK], bq[MULTI_CHUNK];
};

struct multi_slot {
    struct dsp_multi *m;
    unsigned p;
};

/* Per-point callback: keep the point's reading of this second. */
static void multi_collect(void *ctx, const struct reading *r)
{
    struct multi_slot *s = ctx;
    s->m->r[s->p] = *r;
    s->m->got[s->p] = true;
}

struct dsp_multi *dsp_multi_open(unsigned npoints, double fs_hz, double wavelength_mm,
                                 const struct dsp_params *opt, char *err, size_t errlen)
{
    if (npoints < 1 || npoints > MULTI_MAX) {
        ww_err(err, errlen, "dsp: %u range points is outside 1 .. %d", npoints, MULTI_MAX);
        return NULL;
    }
    struct dsp_multi *m = calloc(1, sizeof *m);
    if (!m) {
        ww_err(err, errlen, "dsp: out of memory");
        return NULL;
    }
    m->np = npoints;
    for (unsigned p = 0; p < npoints; p++) {
        m->d[p] = dsp_open(fs_hz, wavelength_mm, opt, err, errlen);
        if (!m->d[p]) {
            dsp_multi_close(m);
            return NULL;
        }
    }
    return m;
}

void dsp_multi_close(struct dsp_multi *m)
{
    if (!m)
        return;
    for (unsigned p = 0; p < m->np; p++)
        dsp_close(m->d[p]);
    free(m);
}

void dsp_multi_reset(struct dsp_multi *m)
{
    for (unsigned p = 0; p < m->np; p++)
        dsp_reset(m->d[p]);
    memset(m->followed_at, 0, sizeof m->followed_at);
    memset(&m->st, 0, sizeof m->st);
    m->cur = 0;
    m->sec = 0;
}

void dsp_multi_stats(const struct dsp_multi *m, struct dsp_stats *out)
{
    *out = m->st;
    out->samples = m->d[0]->st.samples;
    out->invalid = 0;
    for (unsigned p = 0; p < m->np; p++)
        out->invalid += m->d[p]->st.invalid;
}

unsigned dsp_multi_point(const struct dsp_multi *m)
{
    return m->cur;
}

/* Point p has a rate that a neighbouring point confirms (their RR within
 * CENTRE_AGREE_BPM): a breathing torso spans several range points of a
 * front-end (the A121's 6 cm points: three at once), each seeing the same
 * breath; one point's lone rate may be a knee, a fold or a harmonic. */
static bool multi_confirmed(const struct dsp_multi *m, unsigned p)
{
    if (!(m->r[p].have & READING_RR))
        return false;
    for (int q = (int)p - 1; q <= (int)p + 1; q += 2)
        if (q >= 0 && q < (int)m->np && (m->r[q].have & READING_RR) &&
            fabsf(m->r[q].rr - m->r[p].rr) <= CENTRE_AGREE_BPM)
            return true;
    return false;
}

/* All points completed a second: choose and emit one reading. */
static void multi_second(struct dsp_multi *m, reading_cb cb, void *ctx)
{
    m->sec++;
    /* Follow the point whose signal stands highest over its noise floor
     * (smoothed over ~5 s): the chest is the strongest moving reflector in
     * front of the radar. Switch only when another point is 1.15 x
     * stronger, so that neighbours of equal strength do not flap. A breath
     * that neighbouring points confirm comes first (H18-24): on a real seated
     * person at 0.42-0.48 m the breathing shows over points 3-11 with about
     * equal strength, and an arm moving at 0.36 m stood highest while
     * points 3-5 each gave the same 20-21 /min; one point's rate alone is
     * never preferred (a seated person's knees gave 10 /min at 0.36 m), nor
     * a confirmed one far weaker than the strongest point. */
    int best = -1, confirmed = -1;
    for (unsigned p = 0; p < m->np; p++) {
        double v = m->d[p]->pres_ratio > 1e-9 ? log(m->d[p]->pres_ratio) : log(1e-9);
        m->strength[p] = m->sec == 1 ? v : m->strength[p] + MULTI_ALPHA * (v - m->strength[p]);
        if (best < 0 || m->strength[p] > m->strength[best])
            best = (int)p;
    }
    double floor = m->strength[best] - log(MULTI_CONFIRM_WITHIN);
    for (unsigned p = 0; p < m->np; p++)
        if (m->strength[p] >= floor && multi_confirmed(m, p) &&
            (confirmed < 0 || m->strength[p] > m->strength[confirmed]))
            confirmed = (int)p;
    bool cur_ok = m->strength[m->cur] >= floor && multi_confirmed(m, m->cur);
    if (confirmed >= 0) {
        if (!cur_ok || m->strength[confirmed] > m->strength[m->cur] + log(MULTI_SWITCH))
            m->cur = (unsigned)confirmed;
    } else if (m->strength[best] > m->strength[m->cur] + log(MULTI_SWITCH)) {
        m->cur = (unsigned)best;
    }
    m->followed_at[m->cur] = m->sec;
    struct reading out = m->r[m->cur];
    if (!(out.have & READING_RR)) {
        /* the chest may have moved into a neighbouring point: motion on
         * any recently followed point is the patient's motion */
        for (unsigned p = 0; p < m->np; p++)
            if (m->followed_at[p] && m->sec - m->followed_at[p] < MULTI_MOTION_S &&
                (m->r[p].have & READING_MOTION) && m->r[p].motion) {
                out.have &= ~(uint32_t)(READING_RR | READING_HR);
                out.have |= READING_MOTION | READING_PRESENCE | READING_QUALITY;
                out.motion = true;
                out.presence = true;
                out.quality = 0;
                break;
            }
    }
    const struct dsp_stats *ps = &m->d[m->cur]->st;
    m->st.seconds++;
    m->st.bad_seconds += !(out.have & READING_PRESENCE);
    m->st.motion_seconds += (out.have & READING_MOTION) && out.motion;
    m->st.absent_seconds += (out.have & READING_PRESENCE) && !out.presence;
    m->st.rr_readings += !!(out.have & READING_RR);
    m->st.hr_readings += !!(out.have & READING_HR);
    m->st.samples = m->d[0]->st.samples;
    m->st.ellipse_fits = ps->ellipse_fits;
    m->st.circle_fits = ps->circle_fits;
    cb(ctx, &out);
}

void dsp_multi_feed(struct dsp_multi *m, const float *i, const float *q, size_t n, reading_cb cb,
                    void *ctx)
{
    size_t off = 0;
    while (off < n) {
        /* every point's dsp ticks at the same sample counts: feed up to the
         * next tick (or a chunk), so that a second completes for all points
         * within one pass */
        struct dsp *d0 = m->d[0];
        size_t run = (size_t)(d0->next_tick - d0->nin);
        if (run > n - off)
            run = n - off;
        if (run > MULTI_CHUNK)
            run = MULTI_CHUNK;
        bool tick = false;
        for (unsigned p = 0; p < m->np; p++) {
            for (size_t k = 0; k < run; k++) {
                m->bi[k] = i[(off + k) * m->np + p];
                m->bq[k] = q[(off + k) * m->np + p];
            }
            struct multi_slot s = {m, p};
            m->got[p] = false;
            dsp_feed(m->d[p], m->bi, m->bq, run, multi_collect, &s);
            tick |= m->got[p];
        }
        if (tick)
            multi_second(m, cb, ctx);
        off += run;
    }
}
