/*
 * cmd_news2 — `wardwatch news2`: score a set of observations from the
 * command line, for clinicians checking the chart and for scripts (--json).
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "news2.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cmd_news2_usage[] =
    "wardwatch news2 [--rr N] [--spo2 N] [--scale 1|2] [--o2 air|oxygen]\n"
    "                       [--sbp N] [--hr N] [--acvpu A|C|V|P|U] [--temp N] [--json]\n"
    "                       [-c FILE]\n";

static const char news2_help[] =
    "Values are rounded to the chart's precision first, halves up: whole numbers\n"
    "for RR, SpO2, SBP and HR (24.5 -> 25), 0.1 degC for temperature on the digits\n"
    "as typed (35.05 -> 35.1). Parameters not given are missing: the total is then\n"
    "a lower bound, the band is that of the lower bound, and the result is marked\n"
    "partial; with no values at all the result is NEWS2 >= 0, partial, all missing.\n"
    "--scale defaults to 1; --o2 has no default. On Scale 2, SpO2 >= 93 scores by\n"
    "air or oxygen: without --o2 it counts 0 as a lower bound (partial).\n"
    "Plausible ranges (after rounding): RR 0-80, SpO2 50-100, SBP 40-300,\n"
    "HR 20-300, temperature 25.0-45.0; --o2 air|oxygen; --acvpu A|C|V|P|U\n"
    "(C = new confusion). Numbers use a decimal point (C locale), no comma.\n"
    "--json prints one object: total, parts, band, red, partial, missing,\n"
    "monitoring_hours (0 = continuous; that of the lower bound: with partial\n"
    "true the set is incomplete and due now). The response levels (monitoring\n"
    "intervals) are the ward's: [news2] of -c FILE, else $WARDWATCH_CONFIG, else\n"
    "the installed configuration when there is one, else the RCP table.\n"
    "Exit status 0 ok, 2 bad input or a configuration that does not load.\n";

/* Map a flag to its parameter, or -1. */
static int flag_param(const char *flag)
{
    static const char *flags[NEWS2_NPARAMS] = {"--rr",  "--spo2",  "--o2",  "--sbp",
                                               "--hr",  "--acvpu", "--temp"};
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        if (!strcmp(flag, flags[p]))
            return p;
    return -1;
}

/* Print the result as one JSON object. */
static void print_json(const struct news2_result *r)
{
    printf("{\"total\":%d,\"parts\":{", r->total);
    int first = 1;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        if (r->points[p] < 0)
            continue;
        printf("%s\"%s\":%d", first ? "" : ",", news2_param_name(p), r->points[p]);
        first = 0;
    }
    printf("},\"band\":\"%s\",\"red\":%s,\"partial\":%s,\"missing\":[", news2_band_name(r->band),
           r->red ? "true" : "false", r->partial ? "true" : "false");
    first = 1;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        if (!(r->missing & (1u << p)))
            continue;
        printf("%s\"%s\"", first ? "" : ",", news2_param_name(p));
        first = 0;
    }
    printf("],\"monitoring_hours\":%g}\n", r->monitoring_h);
}

/* Print the result as a small table for people. */
static void print_text(const struct news2_input *in, const char *const *typed,
                       const struct news2_result *r)
{
    printf("%-18s %-8s %s\n", "parameter", "value", "points");
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        char pts[16];
        if (r->points[p] >= 0)
            snprintf(pts, sizeof pts, "%s%d", (r->lower_bound & (1u << p)) ? ">= " : "",
                     r->points[p]);
        else
            ww_strlcpy(pts, "missing", sizeof pts);
        char label[40];
        snprintf(label, sizeof label, "%s%s", news2_param_label(p),
                 p == NEWS2_SPO2 ? (in->scale == 2 ? " (Scale 2)" : " (Scale 1)") : "");
        /* The value shown is the value scored, rounded once by the chart's
         * rule (CLINICAL.md); what was typed follows when it differs. */
        char shown[24] = "-", note[80] = "";
        if (in->present[p]) {
            news2_value_text(p, in->value[p], shown, sizeof shown);
            char *end;
            double t = strtod(typed[p], &end);
            if (p != NEWS2_O2 && p != NEWS2_ACVPU && *end == 0 && fabs(t - strtod(shown, NULL)) > 1e-9)
                snprintf(note, sizeof note, "%*s(typed %s)", 4 - (int)strlen(pts) > 1 ? 4 - (int)strlen(pts) : 1,
                         "", typed[p]);
        }
        printf("%-18s %-8s %s%s\n", label, shown, pts, note);
    }
    /* A partial total is a lower bound, and so is the band computed from it. */
    printf("NEWS2 %s%d%s, %s%s risk%s\n", r->partial ? ">= " : "", r->total,
           r->partial ? " (partial)" : "", r->partial ? "at least " : "",
           news2_band_name(r->band), r->red ? ", a single parameter scored 3" : "");
    if (r->lower_bound & (1u << NEWS2_SPO2))
        printf("SpO2 on Scale 2 at 93 %% or more: air or oxygen not given, counted as air "
               "(lower bound)\n");
    int nmiss = 0;
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        nmiss += (r->missing >> p) & 1;
    /* An incomplete set is not a lower frequency: it is due now
     * (CLINICAL.md); the interval is that of the lower bound at least. */
    if (r->partial && nmiss && r->monitoring_h > 0)
        printf("minimum monitoring: the set is incomplete (%d missing): complete it now\n", nmiss);
    else if (r->partial && nmiss)
        printf("minimum monitoring: continuous; the set is incomplete (%d missing): complete it now\n",
               nmiss);
    else if (r->monitoring_h > 0)
        printf("minimum monitoring: every %g hour%s\n", r->monitoring_h,
               r->monitoring_h == 1 ? "" : "s");
    else
        printf("minimum monitoring: continuous\n");
}

/* The ward's response table (H16-20): -c FILE or $WARDWATCH_CONFIG must
 * load; the installed configuration is used when it exists; else the RCP
 * defaults. 0, or -1 with the message printed. */
static int ward_policy(const char *path, struct news2_policy *pol)
{
    *pol = news2_policy_default();
    const char *pick = config_pick_path(path);
    bool named = (path && *path) || (getenv("WARDWATCH_CONFIG") && *getenv("WARDWATCH_CONFIG"));
    if (!named && access(pick, F_OK) != 0)
        return 0;
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg) {
        fprintf(stderr, "wardwatch news2: out of memory reading %s\n", pick);
        return -1;
    }
    if (config_load(path, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch news2: %s\n", err);
        free(cfg);
        return -1;
    }
    *pol = cfg->policy;
    free(cfg);
    return 0;
}

/* Entry point. */
int cmd_news2_main(int argc, char **argv)
{
    struct news2_input in = {.scale = 1};
    const char *typed[NEWS2_NPARAMS] = {0};
    bool json = false, scale_set = false;
    const char *cfg_path = NULL;
    char err[256];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_usage(stdout, cmd_news2_usage);
            fputs(news2_help, stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            json = true;
            continue;
        }
        if (!strcmp(a, "-c")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "wardwatch news2: -c needs a configuration file\n");
                return 2;
            }
            cfg_path = argv[++i];
            continue;
        }
        int p = flag_param(a);
        if (p < 0 && strcmp(a, "--scale") != 0) {
            return cmd_usage_error("news2", cmd_news2_usage, "unknown option '%s' (see --help)",
                                   a);
        }
        if (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2)) {
            fprintf(stderr, "wardwatch news2: %s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (p < 0) { /* --scale */
            long s;
            if (scale_set) {
                fprintf(stderr, "wardwatch news2: --scale given twice\n");
                return 2;
            }
            if (ww_parse_long(v, 1, 2, &s) < 0) {
                fprintf(stderr, "wardwatch news2: --scale: '%s' is not 1 or 2\n", v);
                return 2;
            }
            in.scale = (int)s;
            scale_set = true;
            continue;
        }
        if (in.present[p]) {
            fprintf(stderr, "wardwatch news2: %s given twice\n", a);
            return 2;
        }
        if (news2_parse_value(p, v, &in.value[p], err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch news2: --%s\n", err);
            return 2;
        }
        in.present[p] = true;
        typed[p] = v;
    }
    struct news2_policy pol;
    if (ward_policy(cfg_path, &pol) < 0)
        return 2;
    struct news2_result r;
    if (news2_score(&in, &pol, &r, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch news2: %s\n", err);
        return 2;
    }
    if (json)
        print_json(&r);
    else
        print_text(&in, typed, &r);
    return 0;
}
