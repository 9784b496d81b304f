/*
 * iqgen — synthetic radar I/Q of a breathing, beating, sometimes moving chest
 * (or of an empty bed). See iqgen.h for the model. Everything is driven by the
 * sample counter and the seeded PRNG, so equal seeds give equal samples.
 */
#include "iqgen.h"

#include "util.h"

#include <math.h>
#include <string.h>

#define TWO_PI 6.283185307179586
/* Slow wander: updated every 0.1 s, correlation time 60 s. */
#define WANDER_STEP_S 0.1
#define WANDER_TAU_S 60.0

/* xoshiro256** next 64 bits. */
static uint64_t rng_next(struct iqgen *g)
{
    uint64_t *s = g->s;
    uint64_t x = s[1] * 5;
    uint64_t r = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return r;
}

/* Uniform in (0, 1). */
static double rng_unit(struct iqgen *g)
{
    return ((rng_next(g) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Standard normal deviate (Box-Muller, pairs cached). */
static double rng_normal(struct iqgen *g)
{
    if (g->have_spare) {
        g->have_spare = false;
        return g->spare;
    }
    double u = rng_unit(g), v = rng_unit(g);
    double r = sqrt(-2.0 * log(u));
    g->spare = r * sin(TWO_PI * v);
    g->have_spare = true;
    return r * cos(TWO_PI * v);
}

/* Clamp x to [lo, hi]. */
static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* A healthy adult at 60 GHz, 1 kHz, 20 dB. */
void iqgen_defaults(struct iqgen_params *p)
{
    memset(p, 0, sizeof *p);
    p->fs_hz = 1000;
    p->wavelength_mm = 5.0;
    p->present = true;
    p->rr_bpm = 15;
    p->rr_irregularity = 0.04;
    p->rr_wander = 0.03;
    p->breath_mm = 5;
    p->breath_var = 0.1;
    p->inhale_frac = 0.4;
    p->hr_bpm = 72;
    p->hrv = 0.03;
    p->heart_mm = 0.3;
    p->motion_mm = 20;
    p->snr_db = 20;
    p->echo_amp = 1000;
    p->gain_imb = 1;
}

/* Check one field's range; -1 with a message naming it. */
static int check(double v, double lo, double hi, const char *name, char *err, size_t errlen)
{
    if (!isfinite(v) || v < lo || v > hi)
        return ww_err(err, errlen, "iqgen: %s = %g is outside %g .. %g", name, v, lo, hi);
    return 0;
}

/* Validate every field of p. */
static int validate(const struct iqgen_params *p, char *err, size_t errlen)
{
    if (check(p->fs_hz, 1, 100000, "fs_hz", err, errlen) < 0 ||
        check(p->wavelength_mm, 0.5, 1000, "wavelength_mm", err, errlen) < 0 ||
        check(p->rr_bpm, 2, 80, "rr_bpm", err, errlen) < 0 ||
        check(p->rr_irregularity, 0, 0.3, "rr_irregularity", err, errlen) < 0 ||
        check(p->rr_wander, 0, 0.3, "rr_wander", err, errlen) < 0 ||
        check(p->breath_mm, 0, 30, "breath_mm", err, errlen) < 0 ||
        check(p->breath_var, 0, 0.5, "breath_var", err, errlen) < 0 ||
        check(p->inhale_frac, 0.2, 0.8, "inhale_frac", err, errlen) < 0 ||
        check(p->hr_bpm, 20, 250, "hr_bpm", err, errlen) < 0 ||
        check(p->hrv, 0, 0.3, "hrv", err, errlen) < 0 ||
        check(p->heart_mm, 0, 2, "heart_mm", err, errlen) < 0 ||
        check(p->motion_mm, 0, 500, "motion_mm", err, errlen) < 0 ||
        check(p->snr_db, -40, 200, "snr_db", err, errlen) < 0 ||
        check(p->echo_amp, 1e-6, 1e7, "echo_amp", err, errlen) < 0 ||
        check(p->dc_i, -1e8, 1e8, "dc_i", err, errlen) < 0 ||
        check(p->dc_q, -1e8, 1e8, "dc_q", err, errlen) < 0 ||
        check(p->gain_imb, 0.2, 5, "gain_imb", err, errlen) < 0 ||
        check(p->phase_imb_deg, -45, 45, "phase_imb_deg", err, errlen) < 0)
        return -1;
    return 0;
}

/* Noise SD per channel: the SNR is defined in a 100 Hz band, so the noise
 * density is the same whatever the sampling rate. */
static double noise_sd(const struct iqgen_params *p)
{
    double n100 = p->echo_amp * p->echo_amp / pow(10.0, p->snr_db / 10.0);
    return sqrt(n100 * p->fs_hz / 200.0);
}

/* Draw the next breath's rate and depth. */
static void new_breath(struct iqgen *g)
{
    double f = g->p.rr_bpm / 60.0 * (1.0 + g->wander);
    g->bf = f * clampd(1.0 + g->p.rr_irregularity * rng_normal(g), 0.6, 1.4);
    g->bamp = g->p.breath_mm * clampd(1.0 + g->p.breath_var * rng_normal(g), 0.3, 1.7);
}

/* Draw the next beat's rate. */
static void new_beat(struct iqgen *g)
{
    double f = g->p.hr_bpm / 60.0 * (1.0 + g->wander_h);
    g->hf = f * clampd(1.0 + g->p.hrv * rng_normal(g), 0.6, 1.4);
}

/* Start a new segment of the motion trajectory (0.2 .. 0.8 s long). */
static void new_motion_segment(struct iqgen *g)
{
    g->m_from = g->m_to;
    g->a_from = g->a_to;
    /* each excursion at least half motion_mm: motion is gross by definition */
    double step = g->p.motion_mm * (0.5 + 0.5 * rng_unit(g));
    g->m_to = g->m_from * 0.3 + (rng_unit(g) < 0.5 ? -step : step);
    g->a_to = 0.5 + rng_unit(g);
    g->m_len = (0.2 + 0.6 * rng_unit(g)) * g->p.fs_hz;
    g->m_pos = 0;
}

/* Validate, seed the PRNG, draw the first breath and beat. */
int iqgen_init(struct iqgen *g, const struct iqgen_params *p, uint64_t seed, char *err,
               size_t errlen)
{
    if (validate(p, err, errlen) < 0)
        return -1;
    memset(g, 0, sizeof *g);
    g->p = *p;
    /* splitmix64 expands the seed into the xoshiro state. */
    uint64_t z = seed;
    for (int k = 0; k < 4; k++) {
        z += 0x9e3779b97f4a7c15ull;
        uint64_t x = z;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        g->s[k] = x ^ (x >> 31);
    }
    g->phi0 = TWO_PI * rng_unit(g);
    g->noise_sd = noise_sd(p);
    g->bp = rng_unit(g);
    g->hp = rng_unit(g);
    g->a_from = g->a_to = 1;
    new_breath(g);
    new_beat(g);
    return 0;
}

/* New parameters from the next sample on. */
int iqgen_set(struct iqgen *g, const struct iqgen_params *p, char *err, size_t errlen)
{
    if (validate(p, err, errlen) < 0)
        return -1;
    if (p->fs_hz != g->p.fs_hz || p->wavelength_mm != g->p.wavelength_mm)
        return ww_err(err, errlen, "iqgen: fs_hz and wavelength_mm cannot change after init");
    g->p = *p;
    g->noise_sd = noise_sd(p);
    return 0;
}

/* Breathing waveform over one cycle, 0 at end-expiration, 1 at full inhale:
 * raised-cosine rise over the inhale share, slower raised-cosine fall. */
static double breath_shape(double ph, double ti)
{
    if (ph < ti)
        return 0.5 - 0.5 * cos(M_PI * ph / ti);
    return 0.5 + 0.5 * cos(M_PI * (ph - ti) / (1.0 - ti));
}

/* Heartbeat displacement over one beat: a sin^2 pulse over the first 35 %. */
static double heart_shape(double ph)
{
    if (ph >= 0.35)
        return 0;
    double s = sin(M_PI * ph / 0.35);
    return s * s;
}

/* The next n samples of chest motion -> I/Q. */
void iqgen_generate(struct iqgen *g, float *iout, float *qout, size_t n)
{
    const struct iqgen_params *p = &g->p;
    double dt = 1.0 / p->fs_hz;
    double k = 4.0 * M_PI / p->wavelength_mm;
    double eps = p->phase_imb_deg * M_PI / 180.0;
    unsigned wstep = (unsigned)ceil(WANDER_STEP_S * p->fs_hz);
    double wa = exp(-(double)wstep * dt / WANDER_TAU_S), wb = sqrt(1.0 - wa * wa);
    for (size_t j = 0; j < n; j++) {
        if (g->wander_tick == 0) {
            g->wander = wa * g->wander + wb * p->rr_wander * rng_normal(g);
            g->wander_h = wa * g->wander_h + wb * p->rr_wander * rng_normal(g);
            g->wander_tick = wstep;
        }
        g->wander_tick--;
        /* Breathing: advance the cycle; a new breath at each wrap. */
        if (!g->bhold) {
            g->bp += g->bf * dt;
            if (g->bp >= 1.0) {
                g->bp -= floor(g->bp);
                new_breath(g);
                if (p->apnoea) {
                    g->bhold = true;
                    g->bp = 0;
                }
            }
        } else if (!p->apnoea) {
            g->bhold = false;
        }
        g->hp += g->hf * dt;
        if (g->hp >= 1.0) {
            g->hp -= floor(g->hp);
            new_beat(g);
        }
        /* Motion: finish the current trajectory segment even after motion
         * stops, then rest at its end (a new lying position). */
        if (p->motion && g->m_pos >= g->m_len)
            new_motion_segment(g);
        double mw = 1.0;
        if (g->m_pos < g->m_len) {
            mw = 0.5 - 0.5 * cos(M_PI * g->m_pos / g->m_len);
            g->m_pos += 1;
        }
        double mot = g->m_from + (g->m_to - g->m_from) * mw;
        double amp = g->a_from + (g->a_to - g->a_from) * mw;
        double si = g->noise_sd * rng_normal(g), sq = g->noise_sd * rng_normal(g);
        double vi = p->dc_i + si, vq = p->dc_q + sq;
        if (p->present) {
            double d = g->bamp * breath_shape(g->bp, p->inhale_frac) +
                       p->heart_mm * heart_shape(g->hp) + mot;
            double phi = k * d + g->phi0;
            double a = p->echo_amp * amp;
            vi += a * cos(phi);
            vq += p->gain_imb * a * sin(phi + eps);
        }
        iout[j] = (float)vi;
        qout[j] = (float)vq;
        g->n++;
    }
}

/* The underlying rates and states at the current sample. */
void iqgen_truth(const struct iqgen *g, struct iqgen_truth *t)
{
    memset(t, 0, sizeof *t);
    t->t = g->n / g->p.fs_hz;
    t->present = g->p.present;
    t->motion = g->p.present && g->p.motion;
    t->apnoea = g->p.present && g->p.apnoea;
    if (g->p.present) {
        t->rr_bpm = g->p.apnoea ? 0 : g->p.rr_bpm * (1.0 + g->wander);
        t->hr_bpm = g->p.hr_bpm * (1.0 + g->wander_h);
    }
}
