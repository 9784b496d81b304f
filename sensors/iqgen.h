/*
 * iqgen — synthetic raw radar I/Q of a patient in bed, for the DSP's tests,
 * its accuracy benchmark and the scenario simulator's iio recordings.
 *
 * Model: chest displacement d(t) = breathing + heartbeat + gross motion, in mm;
 * the echo's phase is 4 pi d / lambda plus a random constant; the baseband is
 *   I = dc_i + A cos(phi) + n_i,   Q = dc_q + g A sin(phi + eps) + n_q
 * with gain imbalance g, phase imbalance eps and white Gaussian noise n.
 * Breathing is non-sinusoidal (inhale faster than exhale, smooth raised-cosine
 * halves) with a new rate and depth drawn for every breath (irregularity) on
 * top of a slow Ornstein-Uhlenbeck rate wander; the heartbeat is a short pulse
 * per beat with beat-to-beat variability (HRV). Motion is a smooth random
 * trajectory of tens of mm with echo-amplitude changes; an empty bed is static
 * clutter (the DC) and noise only; apnoea holds the chest at end-expiration.
 *
 * Deterministic by seed (own xoshiro256** PRNG, never rand()); the state is a
 * plain struct owned by the caller: no allocation at all. Parameters may be
 * changed at any time with iqgen_set (a ramp is a series of calls); a new
 * breathing/heart rate takes effect from the next breath/beat, as in a body.
 *
 * Truth: iqgen_truth gives the underlying rates at the current sample — the
 * set rate times the slow wander, i.e. what a clinician counting over a
 * minute would find; the per-breath/per-beat jitter around it is
 * irregularity, not a change of rate.
 */
#ifndef WW_IQGEN_H
#define WW_IQGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What to synthesise. iqgen_defaults fills a healthy adult at 60 GHz. */
struct iqgen_params {
    double fs_hz;          /* sampling rate, 1 .. 100000 Hz (fixed after init) */
    double wavelength_mm;  /* 12.4 (24 GHz), 5.0 (60 GHz), 3.9 (77 GHz); fixed */
    bool present;          /* someone in the bed */
    bool apnoea;           /* breathing paused (finishes the current breath) */
    bool motion;           /* gross body motion while set */
    double rr_bpm;         /* breathing rate, /min, 2 .. 80 */
    double rr_irregularity;/* SD of each breath's rate, fraction of rr (0.04) */
    double rr_wander;      /* SD of the slow wander of both rates, fraction */
    double breath_mm;      /* peak-to-peak chest excursion, mm (0.1 .. 30) */
    double breath_var;     /* SD of each breath's depth, fraction (0.1) */
    double inhale_frac;    /* share of a breath spent inhaling, 0.2 .. 0.8 */
    double hr_bpm;         /* heart rate, /min, 20 .. 250 */
    double hrv;            /* SD of each beat's rate, fraction (0.03) */
    double heart_mm;       /* peak chest displacement per beat, mm (0 .. 2) */
    double motion_mm;      /* size of motion excursions, mm (20) */
    double snr_db;         /* echo power over noise power in a 100 Hz band */
    double echo_amp;       /* echo amplitude in output units (e.g. ADC counts) */
    double dc_i, dc_q;     /* static clutter / DC offset, output units */
    double gain_imb;       /* gain of Q relative to I (1 = balanced), 0.2 .. 5 */
    double phase_imb_deg;  /* Q phase error, degrees, -45 .. 45 */
};

/* The truth at the current sample. */
struct iqgen_truth {
    double t;       /* seconds of signal generated so far */
    double rr_bpm;  /* underlying breathing rate; 0 when absent or apnoeic */
    double hr_bpm;  /* underlying heart rate; 0 when absent */
    bool present, motion, apnoea;
};

/* Generator state; treat as opaque (caller-owned so no allocation is needed). */
struct iqgen {
    struct iqgen_params p;
    uint64_t s[4];          /* xoshiro256** state */
    uint64_t n;             /* samples generated */
    double spare;           /* cached second normal deviate */
    bool have_spare;
    double phi0;            /* constant echo phase */
    double noise_sd;        /* per channel, output units */
    double wander, wander_h;/* slow rate wander (fraction) of RR and HR */
    unsigned wander_tick;   /* samples until the next wander update */
    double bp, bf, bamp;    /* breath: cycle phase 0..1, cycle rate Hz, depth mm */
    bool bhold;             /* held at end-expiration (apnoea) */
    double hp, hf;          /* heart: beat phase 0..1, beat rate Hz */
    double m_from, m_to, m_pos, m_len;   /* motion trajectory segment (mm, samples) */
    double a_from, a_to;    /* echo amplitude factor along the segment */
};

/* A healthy adult at 60 GHz, 1 kHz, moderate noise (20 dB), no DC. */
void iqgen_defaults(struct iqgen_params *p);

/* Validate p and start a generator; -1 with a message naming the bad field. */
int iqgen_init(struct iqgen *g, const struct iqgen_params *p, uint64_t seed, char *err,
               size_t errlen);

/* Change parameters from the next sample on (fs_hz and wavelength_mm must not
 * change); -1 with a message, leaving the generator unchanged. */
int iqgen_set(struct iqgen *g, const struct iqgen_params *p, char *err, size_t errlen);

/* Produce the next n samples into separate I and Q arrays. */
void iqgen_generate(struct iqgen *g, float *i, float *q, size_t n);

/* The truth at the current sample. */
void iqgen_truth(const struct iqgen *g, struct iqgen_truth *t);

#endif
