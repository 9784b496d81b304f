/*
 * dsp — wardwatch's own vital-signs DSP: raw radar baseband I/Q in, one
 * struct reading per second out (respiration rate, heart rate, quality,
 * presence, motion). Pure: no I/O, no globals, no clock reads. Time is the
 * sample count: a reading's t is (samples fed) / fs, so a recording or a FIFO
 * streamed faster than real time gives exactly the same readings, and the
 * output does not depend on how the samples are chunked.
 *
 * Chain (see SENSORS.md "DSP from I/Q to RR and HR"):
 *   1. invalid samples (NaN, Inf, |v| > 1e9) are replaced by the last valid
 *      one and counted; a second with more than 10 % of them is "bad";
 *   2. complex boxcar decimation to fs1 = fs / floor(fs/100) (100..200 Hz;
 *      fs itself below 100 Hz) into a ring of the last rr_window_s seconds;
 *   then once per second of samples, over the clean segment (the samples
 *   since the last motion/absence/bad second, at most rr_window_s):
 *   3. DC and I/Q gain/phase imbalance correction: an algebraic ellipse fit
 *      (5 parameters, normalised moments) when the arc covers >= 225 degrees,
 *      else a circle fit when it covers >= 90 degrees, else the last accepted
 *      correction; the fitted ellipse is whitened to a unit circle;
 *   4. atan2 demodulation with unwrapping (any number of 2 pi wraps; needs
 *      < pi per fs1 sample, i.e. chest speed < lambda*fs1/4 mm/s: 390 mm/s at
 *      77 GHz and 100 Hz) -> displacement in mm = lambda phi / (4 pi);
 *   5. anti-alias FIR (Blackman-windowed sinc, cut-off 0.4 fd) and decimation
 *      to fd = fs1 / round(fs1/20) (about 20 Hz);
 *   6. motion: per-second RMS chest speed above motion_speed_mm_s, or above
 *      motion_ratio x the median of the recent still seconds -> motion;
 *   7. presence: variance of the complex signal over the last 5 s against the
 *      receiver's noise floor (the minimum over the last 60 s of each
 *      second's white-noise estimate from sample-to-sample differences, so
 *      a moving chest does not read as noise); below presence_snr -> absent;
 *   8. breathing, over the newest rr_rate_s (20 s) of the segment (a real
 *      rate drifts; a longer window lags it): linear detrend, Hann window, zero-padded FFT, strongest
 *      peak in 0.7 rr_min .. 1.15 rr_max /min (below 12 /min weighted by
 *      f / 12 /min against 1/f phase wander), Gaussian (log-parabolic)
 *      interpolation on the unweighted spectrum from 2.5 cycles per window
 *      up (unbiased within 0.05 /min; the weighting would tilt it);
 *      confidence = share of the searched band's power within the peak's
 *      main lobe;
 *   9. heart over the last hr_window_s: the same spectrum in hr_min..hr_max
 *      /min, with the breathing fundamental, 2nd and 3rd harmonics notched
 *      out over a main lobe each (a smooth breathing waveform puts 10-30 dB
 *      more than the heartbeat there; higher harmonics are weaker than the
 *      heartbeat), candidates scored by their power plus half the power at
 *      twice their frequency (the pulse's own harmonic; the bonus is capped
 *      at half the candidate's own power) so that half/double rates lose; only above 1.25 x the breathing rate plus a
 *      main lobe (below, the breathing fundamental's skirt dominates); a
 *      maximum on a search-band edge has confidence 0;
 *  10. trust gates, multiplied into both confidences: unwrapping at risk
 *      (more than 0.1 .. 0.5 % of phase steps beyond pi/2, or phase noise
 *      0.30 .. 0.45 rad in 100 Hz: slips put lambda/2 steps into the chest
 *      signal), and a correction that does not fit the signal (radius
 *      variation unexplained by noise 0.10 .. 0.20: DC present but not yet
 *      estimable, the phase would be a distorted projection); and for RR,
 *      apnoea: the last 10 s swing less than a quarter of the window's
 *      range (breathing stopped; the old peak would linger). RR alone has a
 *      looser gate for real range points (1-2.5 % ambiguous steps, 0.35-0.45
 *      rad, its peak 30-36 dB over the displacement floor) on which the
 *      rate must also come out the same (within 1 /min) with the phase
 *      taken about the segment's own mean instead of the fitted centre, and
 *      when the fitted centre's rate is withheld, the rate about that mean
 *      is reported on its own gates (a range cell holding several
 *      reflectors of one torso is no ellipse: doc/hazards.md H18-23). Rates whose
 *      confidence falls below rr_min_quality / hr_min_quality, or that lie
 *      outside rr_min..rr_max / hr_min..hr_max, are withheld.
 *
 * Sampling rate: >= 100 Hz keeps fs1 >= 100 Hz, enough for the fastest
 * breathing at 77 GHz; below that the unwrapping gate withholds rates when
 * the phase moves too fast per sample (e.g. 77 GHz at 10 Hz).
 *
 * Warm-up: the first RR and HR come once the clean segment is warmup_s
 * (default 20 s) long: at t = 20 s after start, after a dsp_reset, and 20 s
 * after motion, absence or a bad second ends. Readings before that carry
 * presence/motion/quality only.
 *
 * What each per-second reading carries (t is always set):
 *   bad second (garbage samples)   have = QUALITY, quality 0
 *   motion                         PRESENCE (true) | MOTION (true) | QUALITY 0
 *   absent                         PRESENCE (false) | MOTION (false) | QUALITY 0
 *   present, still                 PRESENCE | MOTION (false) | QUALITY, plus
 *                                  RR when its confidence >= rr_min_quality and
 *                                  HR when its confidence >= hr_min_quality;
 *                                  quality = the lower confidence of the rates
 *                                  reported (0 when none is, e.g. warming up)
 * The second after a motion second is treated as settling: present, no
 * motion, no rates, and the clean segment restarts after it.
 * t = (samples fed) / fs at the end of each second: exactly 1, 2, 3 ... for
 * an integer fs, ceil(k fs) / fs otherwise.
 */
#ifndef WW_DSP_H
#define WW_DSP_H

#include "reading.h"

#include <stddef.h>
#include <stdint.h>

/* Tunables; dsp_params_default gives the values the benchmark was run with. */
struct dsp_params {
    double rr_window_s;        /* clean window kept (DC fit, apnoea gate), 10..60 (30) */
    double hr_window_s;        /* heart analysis window, 6..rr_window_s (16) */
    double warmup_s;           /* clean seconds before rates, 5..rr_window_s (20) */
    double rr_min_bpm, rr_max_bpm; /* breathing search band (5.5 .. 45) */
    double hr_min_bpm, hr_max_bpm; /* heart search band (38 .. 190) */
    double rr_min_quality;     /* RR withheld below this confidence (0.40) */
    double hr_min_quality;     /* HR withheld below this confidence (0.15) */
    double presence_snr;       /* signal/noise variance ratio for presence (4) */
    double motion_speed_mm_s;  /* absolute RMS speed meaning motion (45) */
    double motion_ratio;       /* relative jump of per-second speed^2 (12) */
    double rr_rate_s;          /* newest seconds the breathing rate is taken
                                * from, 10..rr_window_s (20) */
};

/* Opaque DSP state; one per bed/sensor. */
struct dsp;

/* Fill p with the defaults. */
void dsp_params_default(struct dsp_params *p);

/* Allocate a DSP for sampling rate fs_hz (10 .. 100000) and carrier wavelength
 * wavelength_mm (0.5 .. 1000); opt NULL means the defaults. All buffers are
 * sized here; feeding never allocates. NULL with a message naming the bad
 * argument or field. */
struct dsp *dsp_open(double fs_hz, double wavelength_mm, const struct dsp_params *opt,
                     char *err, size_t errlen);

/* Free everything (NULL is fine). */
void dsp_close(struct dsp *d);

/* Forget the signal (after a reconnect): warm-up restarts and t restarts at
 * 0 with the next sample. */
void dsp_reset(struct dsp *d);

/* Feed n samples given as two separate arrays (i[k], q[k] is sample k; the
 * scale is arbitrary, e.g. raw ADC counts). cb is called once per completed
 * second of samples, from inside this call. */
void dsp_feed(struct dsp *d, const float *i, const float *q, size_t n, reading_cb cb, void *ctx);

/* Counters for diagnostics. */
struct dsp_stats {
    uint64_t samples;          /* fed since open/reset */
    uint64_t invalid;          /* NaN/Inf/huge samples replaced */
    uint64_t seconds;          /* readings emitted */
    uint64_t bad_seconds, motion_seconds, absent_seconds;
    uint64_t still_seconds;    /* present by the body's echo alone (breath-hold) */
    uint64_t rr_readings, hr_readings;
    uint64_t ellipse_fits, circle_fits; /* accepted corrections */
};

/* Copy the counters. */
void dsp_stats(const struct dsp *d, struct dsp_stats *out);

/* ---- several range points ---------------------------------------------
 * FMCW and pulsed front-ends deliver one complex sample per range point per
 * frame; the chest is in one or a few of them and moves between them. A
 * dsp_multi runs one dsp per point (same fs, wavelength and tunables) and
 * emits one reading per second: that of the point that carries the breath.
 *
 * Choice, each second: among the points whose RR a neighbouring point
 * confirms (within 1 /min: a torso spans several points, each seeing the
 * same breath) and that stand within 4 x of the strongest point, the one
 * standing highest over its own noise floor (the presence ratio, smoothed
 * over about 5 s); when no point is confirmed,
 * the strongest point of all (the chest is usually the strongest moving
 * reflector). Switching only when the followed point is no longer
 * confirmed or another is 1.15 x stronger. The followed point's reading is
 * passed on, rates included when it has them; one point's unconfirmed rate
 * is never preferred (a knee, a fold, a harmonic). When the followed
 * point has no RR, motion on any point followed in the last 10 s is
 * reported as motion. The reading's
 * id is not touched; dsp_multi_point() says which point was used.
 *
 * Cost: points x the cost of one dsp. */
struct dsp_multi;

/* npoints 1 .. 64; other arguments as dsp_open. */
struct dsp_multi *dsp_multi_open(unsigned npoints, double fs_hz, double wavelength_mm,
                                 const struct dsp_params *opt, char *err, size_t errlen);
void dsp_multi_close(struct dsp_multi *m);
void dsp_multi_reset(struct dsp_multi *m);
/* Feed n frames; frame k's point p is i[k * npoints + p] + j q[k * npoints + p]. */
void dsp_multi_feed(struct dsp_multi *m, const float *i, const float *q, size_t n, reading_cb cb,
                    void *ctx);
/* Counters of the readings emitted (seconds, rr_readings, ...); samples
 * counts frames, invalid the bad samples of all points; the fit counters
 * are those of the point followed. */
void dsp_multi_stats(const struct dsp_multi *m, struct dsp_stats *out);
/* The point the last reading came from. */
unsigned dsp_multi_point(const struct dsp_multi *m);

#endif
