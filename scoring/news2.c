/*
 * news2 — NEWS2 points, totals, bands and the response table, exactly as the
 * RCP 2017 chart (see ../shared/CLINICAL.md); rounding and partial-set rules
 * are documented in news2.h.
 */
#include "news2.h"

#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *label;
    double min, max; /* plausible range (numeric parameters) */
} params[NEWS2_NPARAMS] = {
    [NEWS2_RR] = {"rr", "Respiration rate", 0, 80},
    [NEWS2_SPO2] = {"spo2", "SpO2", 50, 100},
    [NEWS2_O2] = {"o2", "Air or oxygen", 0, 1},
    [NEWS2_SBP] = {"sbp", "Systolic BP", 40, 300},
    [NEWS2_HR] = {"hr", "Pulse", 20, 300},
    [NEWS2_ACVPU] = {"acvpu", "Consciousness", 0, 255},
    [NEWS2_TEMP] = {"temp", "Temperature", 25.0, 45.0},
};

/* The plausible range as people read it ("25.0-45.0" for temperature). */
static const char *range_text(enum news2_param p)
{
    static const char *r[NEWS2_NPARAMS] = {
        [NEWS2_RR] = "0-80",   [NEWS2_SPO2] = "50-100",          [NEWS2_O2] = "air or oxygen",
        [NEWS2_SBP] = "40-300", [NEWS2_HR] = "20-300",           [NEWS2_ACVPU] = "A, C, V, P, U",
        [NEWS2_TEMP] = "25.0-45.0",
    };
    return r[p];
}

/* The RCP response table. */
struct news2_policy news2_policy_default(void)
{
    struct news2_policy p = {{12, 4, 1, 1, 0}};
    return p;
}

/* Half-up rounding to the chart's precision. */
double news2_round(enum news2_param p, double v)
{
    if (p == NEWS2_TEMP)
        return floor(v * 10.0 + 0.5 + 1e-6) / 10.0;
    return floor(v + 0.5);
}

/* Plausibility of a value, judged after rounding to chart precision. */
bool news2_plausible(enum news2_param p, double v)
{
    if ((unsigned)p >= NEWS2_NPARAMS || !isfinite(v))
        return false;
    if (p == NEWS2_O2)
        return v == 0 || v == 1;
    if (p == NEWS2_ACVPU)
        return v == 'A' || v == 'C' || v == 'V' || v == 'P' || v == 'U';
    if (p == NEWS2_TEMP) { /* compare in tenths: 45.0 is not exact in binary */
        long t = lround(news2_round(p, v) * 10.0);
        return t >= 250 && t <= 450;
    }
    double r = news2_round(p, v);
    return r >= params[p].min && r <= params[p].max;
}

/* Temperature points from tenths of a degree. */
int news2_temp_points(int t)
{
    if (t < 250 || t > 450)
        return -1;
    return t <= 350 ? 3 : t <= 360 ? 1 : t <= 380 ? 0 : t <= 390 ? 1 : 2;
}

/* Temperature points from the text as typed. */
int news2_temp_text_points(const char *text)
{
    int t;
    if (news2_parse_temp(text, &t) < 0)
        return -1;
    return news2_temp_points(t);
}

/* SpO2 points on either scale. */
static int spo2_points(int s, int scale, int oxygen)
{
    if (scale == 2) {
        if (s <= 83)
            return 3;
        if (s <= 85)
            return 2;
        if (s <= 87)
            return 1;
        if (s <= 92 || oxygen <= 0) /* 88-92, or >= 93 on air (or unknown: lower bound) */
            return 0;
        if (s <= 94)
            return 1;
        if (s <= 96)
            return 2;
        return 3;
    }
    if (s <= 91)
        return 3;
    if (s <= 93)
        return 2;
    if (s <= 95)
        return 1;
    return 0;
}

/* Points for one parameter. */
int news2_points(enum news2_param p, double value, int scale, int oxygen)
{
    if (!news2_plausible(p, value))
        return -1;
    double r = news2_round(p, value);
    int v = (int)r;
    switch (p) {
    case NEWS2_RR:
        return v <= 8 ? 3 : v <= 11 ? 1 : v <= 20 ? 0 : v <= 24 ? 2 : 3;
    case NEWS2_SPO2:
        return spo2_points(v, scale, oxygen);
    case NEWS2_O2:
        return v == 1 ? 2 : 0;
    case NEWS2_SBP:
        return v <= 90 ? 3 : v <= 100 ? 2 : v <= 110 ? 1 : v <= 219 ? 0 : 3;
    case NEWS2_HR:
        return v <= 40 ? 3 : v <= 50 ? 1 : v <= 90 ? 0 : v <= 110 ? 1 : v <= 130 ? 2 : 3;
    case NEWS2_ACVPU:
        return v == 'A' ? 0 : 3;
    case NEWS2_TEMP:
        return news2_temp_points((int)lround(r * 10.0)); /* tenths, exact after rounding */
    default:
        return -1;
    }
}

/* The response level of a total (and whether one parameter scored 3). */
enum news2_level news2_level_of(int total, bool red)
{
    if (total >= 7)
        return NEWS2_LEVEL_HIGH;
    if (total >= 5)
        return NEWS2_LEVEL_MEDIUM;
    if (red)
        return NEWS2_LEVEL_LOW_MEDIUM;
    return total == 0 ? NEWS2_LEVEL_ZERO : NEWS2_LEVEL_LOW;
}

/* Score a set of observations. */
int news2_score(const struct news2_input *in, const struct news2_policy *pol,
                struct news2_result *out, char *err, size_t errlen)
{
    struct news2_policy def = news2_policy_default();
    if (!pol)
        pol = &def;
    if (in->scale != 1 && in->scale != 2)
        return ww_err(err, errlen, "SpO2 scale must be 1 or 2, not %d", in->scale);
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        if (in->present[p] && !news2_plausible(p, in->value[p])) {
            if (p == NEWS2_O2)
                return ww_err(err, errlen, "o2: must be air or oxygen");
            if (p == NEWS2_ACVPU)
                return ww_err(err, errlen, "acvpu: must be one of A, C, V, P, U");
            return ww_err(err, errlen, "%s: %g is outside the plausible range %s",
                          params[p].name, in->value[p], range_text(p));
        }
    }
    memset(out, 0, sizeof *out);
    int oxygen = -1;
    if (in->present[NEWS2_O2] && !in->stale[NEWS2_O2])
        oxygen = in->value[NEWS2_O2] == 1 ? 1 : 0;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        out->points[p] = -1;
        if (!in->present[p]) {
            out->missing |= 1u << p;
            continue;
        }
        if (in->stale[p]) {
            out->stale |= 1u << p;
            continue;
        }
        int pts = news2_points(p, in->value[p], in->scale, oxygen);
        out->points[p] = pts;
        out->total += pts;
        if (pts == 3)
            out->red = true;
        /* Scale 2 at >= 93 % scores by air/oxygen: unknown -> 0 as a lower bound. */
        if (p == NEWS2_SPO2 && in->scale == 2 && oxygen < 0 &&
            news2_round(p, in->value[p]) >= 93)
            out->lower_bound |= 1u << p;
    }
    out->partial = (out->missing | out->stale | out->lower_bound) != 0;
    out->level = news2_level_of(out->total, out->red);
    out->band = out->level == NEWS2_LEVEL_HIGH         ? NEWS2_BAND_HIGH
                : out->level == NEWS2_LEVEL_MEDIUM     ? NEWS2_BAND_MEDIUM
                : out->level == NEWS2_LEVEL_LOW_MEDIUM ? NEWS2_BAND_LOW_MEDIUM
                                                       : NEWS2_BAND_LOW;
    out->monitoring_h = pol->monitoring_h[out->level];
    return 0;
}

/* Temperature text to tenths, half up on the typed digits. */
int news2_parse_temp(const char *text, int *tenths)
{
    const char *p = text;
    if (!p || !*p)
        return -1;
    long whole = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        whole = whole * 10 + (*p++ - '0');
        if (++digits > 3)
            return -1;
    }
    int frac1 = 0, frac_rest_up = 0, fdigits = 0;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (fdigits == 0)
                frac1 = *p - '0';
            else if (fdigits == 1)
                frac_rest_up = *p >= '5';
            p++;
            if (++fdigits > 6)
                return -1;
        }
        if (fdigits == 0)
            return -1;
    }
    if (*p || digits == 0)
        return -1;
    *tenths = (int)(whole * 10 + frac1 + frac_rest_up);
    return 0;
}

/* Parse a typed value for a parameter. */
int news2_parse_value(enum news2_param p, const char *text, double *out, char *err,
                      size_t errlen)
{
    if (p == NEWS2_O2) {
        if (!strcasecmp(text, "air")) {
            *out = 0;
            return 0;
        }
        if (!strcasecmp(text, "oxygen") || !strcasecmp(text, "o2")) {
            *out = 1;
            return 0;
        }
        return ww_err(err, errlen, "o2: '%s' is not air or oxygen", text);
    }
    if (p == NEWS2_ACVPU) {
        if (strlen(text) == 1 && strchr("ACVPU", toupper((unsigned char)text[0]))) {
            *out = toupper((unsigned char)text[0]);
            return 0;
        }
        return ww_err(err, errlen, "acvpu: '%s' is not one of A, C, V, P, U", text);
    }
    double v;
    if (p == NEWS2_TEMP) {
        int tenths;
        if (news2_parse_temp(text, &tenths) < 0)
            return ww_err(err, errlen,
                          "temp: '%s' is not a temperature like 37.2 (degC, accepted: "
                          "25.0-45.0)",
                          text);
        if (tenths < 250 || tenths > 450)
            return ww_err(err, errlen, "temp: %s is outside the plausible range 25.0-45.0",
                          text);
        v = tenths / 10.0;
    } else if (ww_parse_double(text, -1e9, 1e9, &v) < 0) {
        return ww_err(err, errlen, "%s: '%s' is not a number (accepted: %s)", params[p].name,
                      text, range_text(p));
    }
    if (!news2_plausible(p, v))
        return ww_err(err, errlen, "%s: %s is outside the plausible range %s", params[p].name,
                      text, range_text(p));
    /* Rounded once here, by the chart's rule: what is kept, shown and
     * scored is the same number ("20.5" is 21, never shown as 20). */
    *out = news2_round(p, v);
    return 0;
}

/* A value as a nurse enters and reads it (see news2.h). */
void news2_value_text(enum news2_param p, double value, char *buf, size_t n)
{
    if (p == NEWS2_O2)
        snprintf(buf, n, "%s", value >= 0.5 ? "oxygen" : "air");
    else if (p == NEWS2_ACVPU && value >= 'A' && value <= 'Z')
        snprintf(buf, n, "%c", (char)value);
    else if (p == NEWS2_TEMP)
        snprintf(buf, n, "%.1f", news2_round(p, value));
    else if ((unsigned)p < NEWS2_NPARAMS)
        snprintf(buf, n, "%.0f", news2_round(p, value));
    else
        snprintf(buf, n, "%g", value);
}

/* Short machine name. */
const char *news2_param_name(enum news2_param p)
{
    return (unsigned)p < NEWS2_NPARAMS ? params[p].name : "?";
}

/* Human label. */
const char *news2_param_label(enum news2_param p)
{
    return (unsigned)p < NEWS2_NPARAMS ? params[p].label : "?";
}

/* Lookup by name. */
int news2_param_find(const char *name)
{
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        if (!strcmp(name, params[p].name))
            return p;
    return -1;
}

/* Band name. */
const char *news2_band_name(enum news2_band b)
{
    static const char *n[] = {"low", "low-medium", "medium", "high"};
    return (unsigned)b < 4 ? n[b] : "?";
}

/* Level name. */
const char *news2_level_name(enum news2_level l)
{
    static const char *n[] = {"zero", "low", "low-medium", "medium", "high"};
    return (unsigned)l < NEWS2_NLEVELS ? n[l] : "?";
}
