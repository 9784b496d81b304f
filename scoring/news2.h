/*
 * news2 — the National Early Warning Score 2 (Royal College of Physicians,
 * 2017), pure: no I/O, no clock, no allocation.
 *
 * Rounding rule (so every value maps to exactly one band): a value is first
 * rounded to the chart's precision, halves up — RR, SpO2, systolic BP and
 * pulse to the nearest whole number (8.4 -> 8, 8.5 -> 9, 20.5 -> 21,
 * 24.5 -> 25, 90.5 -> 91), temperature to 0.1 degC (35.05 -> 35.1,
 * 38.05 -> 38.1, 39.05 -> 39.1). Temperatures are decided on their decimal
 * digits as typed: news2_parse_temp and news2_temp_text_points work on the
 * text, and news2_parse_value uses them. A temperature given as a binary
 * double is rounded as floor(t * 10 + 0.5 + 1e-6) / 10: the epsilon (1e-7
 * degC) lifts a decimal half that binary holds just below it (35.05 is
 * 35.0499..., the average (32.3 + 32.4) / 2 is 32.349999999999994) back onto
 * the half, and is far below any real measurement difference.
 * Halves of whole numbers (8.5) are exact in binary, so RR, SpO2, SBP and HR
 * need no epsilon.
 *
 * Plausibility is checked on the rounded value, with the same inclusive
 * ranges: RR 0-80, SpO2 50-100, SBP 40-300, HR 20-300, temperature
 * 25.0-45.0 (so 80.4 is RR 80 and accepted, 80.5 is 81 and refused).
 * Implausible values are refused with an error naming the parameter and the
 * range, never scored.
 *
 * Partial sets: what is present and fresh is scored; missing and stale
 * parameters are listed; the total is then a lower bound and the band is that
 * of the lower bound, flagged partial. Stale values are never scored. With
 * nothing present the result is total 0, band low, partial, all missing.
 *
 * SpO2 on Scale 2 at 93 % or more depends on air or oxygen (0 on air, 1-3 on
 * oxygen). When air/oxygen is missing or stale it is scored 0, the lower
 * bound, and SpO2 is marked in `lower_bound` (and the result partial): scoring
 * it as on oxygen would invent points, scoring it as on air silently would
 * hide that the points may be higher.
 */
#ifndef WW_NEWS2_H
#define WW_NEWS2_H

#include <stdbool.h>
#include <stddef.h>

enum news2_param {
    NEWS2_RR,
    NEWS2_SPO2,
    NEWS2_O2,
    NEWS2_SBP,
    NEWS2_HR,
    NEWS2_ACVPU,
    NEWS2_TEMP,
    NEWS2_NPARAMS
};

enum news2_band { NEWS2_BAND_LOW, NEWS2_BAND_LOW_MEDIUM, NEWS2_BAND_MEDIUM, NEWS2_BAND_HIGH };

/* Rows of the response table: total 0, total 1-4, low-medium, medium, high. */
enum news2_level {
    NEWS2_LEVEL_ZERO,
    NEWS2_LEVEL_LOW,
    NEWS2_LEVEL_LOW_MEDIUM,
    NEWS2_LEVEL_MEDIUM,
    NEWS2_LEVEL_HIGH,
    NEWS2_NLEVELS
};

/* Minimum monitoring interval per response level, hours (0 = continuous). */
struct news2_policy {
    double monitoring_h[NEWS2_NLEVELS];
};

struct news2_input {
    bool present[NEWS2_NPARAMS]; /* a value was given */
    bool stale[NEWS2_NPARAMS];   /* older than its maximum age: not scored */
    double value[NEWS2_NPARAMS]; /* o2: 0 air, 1 oxygen; acvpu: 'A','C','V','P','U' */
    int scale;                   /* SpO2 scale 1 or 2 */
};

struct news2_result {
    int total;                   /* lower bound when partial */
    int points[NEWS2_NPARAMS];   /* -1: not scored (missing or stale) */
    bool red;                    /* a single parameter scored 3 */
    enum news2_band band;
    enum news2_level level;
    bool partial;
    unsigned missing;            /* bit (1 << param) */
    unsigned stale;              /* bit (1 << param) */
    unsigned lower_bound;        /* bit (1 << param): scored, but only a lower
                                  * bound (SpO2 Scale 2 >= 93 %, o2 unknown) */
    double monitoring_h;
};

/* The RCP defaults: 12, 4, 1, 1, 0 hours. */
struct news2_policy news2_policy_default(void);

/* Score a set. -1 with a message naming the parameter and range when a
 * present value is implausible (nothing is scored then). */
int news2_score(const struct news2_input *in, const struct news2_policy *pol,
                struct news2_result *out, char *err, size_t errlen);

/* The response level (the table above) of a total, red: a single
 * parameter scored 3. The one rule: news2_score and readers of stored
 * scores (the handover) use it. */
enum news2_level news2_level_of(int total, bool red);

/* Points for one parameter's value (after rounding); -1 if implausible.
 * For NEWS2_SPO2 scale and oxygen matter; oxygen < 0 means unknown (scored as
 * on air, the lower bound). */
int news2_points(enum news2_param p, double value, int scale, int oxygen);

/* Round to chart precision (halves up); temperature to 0.1. */
double news2_round(enum news2_param p, double value);

/* Parse a temperature as typed ("38.05", "37") into tenths of a degree,
 * rounding half up on the decimal digits. -1 on malformed text. */
int news2_parse_temp(const char *text, int *tenths);

/* Points for a temperature in tenths of a degree (already rounded);
 * -1 outside 250-450. */
int news2_temp_points(int tenths);

/* Points for a temperature as typed ("35.05" -> 1), rounded on its digits;
 * -1 when malformed or implausible. */
int news2_temp_text_points(const char *text);

/* Parse a value for a parameter as typed by a person: numbers strictly in the
 * C locale, o2 "air"/"oxygen", acvpu one of A C V P U (case-insensitive).
 * The value comes back rounded to the chart's precision (news2_round), the
 * one number to keep, show and score. -1 with a message naming the accepted
 * form and range. */
int news2_parse_value(enum news2_param p, const char *text, double *out, char *err,
                      size_t errlen);

/* Plausible range check, on the value rounded to chart precision; o2 must
 * be 0 or 1, acvpu one of 'A','C','V','P','U'. */
bool news2_plausible(enum news2_param p, double value);

/* A value as a nurse enters and reads it, the one rounding of the chart:
 * o2 "air"/"oxygen", acvpu its letter ("C", never 67), temperature to 0.1
 * ("37.0"), the others whole ("18"). */
void news2_value_text(enum news2_param p, double value, char *buf, size_t n);

const char *news2_param_name(enum news2_param p);   /* "rr", "spo2", ... */
const char *news2_param_label(enum news2_param p);  /* "Respiration rate" ... */
int news2_param_find(const char *name);             /* by name, -1 if unknown */
const char *news2_band_name(enum news2_band b);     /* "low", "low-medium", ... */
const char *news2_level_name(enum news2_level l);   /* "zero", "low", ... */

#endif
