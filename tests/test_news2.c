/* Tests for scoring/news2: every band edge, scales, rounding, partial sets. */
#include "ww_test.h"
#include "news2.h"

#include <math.h>
#include <string.h>

struct edge {
    enum news2_param p;
    double v;
    int pts;
};

/* Both sides of every band edge of the chart. */
static const struct edge edges[] = {
    {NEWS2_RR, 0, 3},     {NEWS2_RR, 8, 3},     {NEWS2_RR, 9, 1},     {NEWS2_RR, 11, 1},
    {NEWS2_RR, 12, 0},    {NEWS2_RR, 20, 0},    {NEWS2_RR, 21, 2},    {NEWS2_RR, 24, 2},
    {NEWS2_RR, 25, 3},    {NEWS2_RR, 80, 3},    {NEWS2_SBP, 40, 3},   {NEWS2_SBP, 90, 3},
    {NEWS2_SBP, 91, 2},   {NEWS2_SBP, 100, 2},  {NEWS2_SBP, 101, 1},  {NEWS2_SBP, 110, 1},
    {NEWS2_SBP, 111, 0},  {NEWS2_SBP, 219, 0},  {NEWS2_SBP, 220, 3},  {NEWS2_SBP, 300, 3},
    {NEWS2_HR, 20, 3},    {NEWS2_HR, 40, 3},    {NEWS2_HR, 41, 1},    {NEWS2_HR, 50, 1},
    {NEWS2_HR, 51, 0},    {NEWS2_HR, 90, 0},    {NEWS2_HR, 91, 1},    {NEWS2_HR, 110, 1},
    {NEWS2_HR, 111, 2},   {NEWS2_HR, 130, 2},   {NEWS2_HR, 131, 3},   {NEWS2_HR, 300, 3},
    {NEWS2_TEMP, 25, 3},  {NEWS2_TEMP, 35.0, 3}, {NEWS2_TEMP, 35.1, 1}, {NEWS2_TEMP, 36.0, 1},
    {NEWS2_TEMP, 36.1, 0}, {NEWS2_TEMP, 38.0, 0}, {NEWS2_TEMP, 38.1, 1}, {NEWS2_TEMP, 39.0, 1},
    {NEWS2_TEMP, 39.1, 2}, {NEWS2_TEMP, 45.0, 2}, {NEWS2_O2, 0, 0},     {NEWS2_O2, 1, 2},
    {NEWS2_ACVPU, 'A', 0}, {NEWS2_ACVPU, 'C', 3}, {NEWS2_ACVPU, 'V', 3}, {NEWS2_ACVPU, 'P', 3},
    {NEWS2_ACVPU, 'U', 3},
    /* Fractional automatic values: rounded half up before banding. */
    {NEWS2_RR, 8.4, 3},   {NEWS2_RR, 8.5, 1},   {NEWS2_RR, 11.49, 1}, {NEWS2_RR, 11.5, 0},
    {NEWS2_RR, 20.4, 0},  {NEWS2_RR, 20.5, 2},  {NEWS2_RR, 24.4, 2},  {NEWS2_RR, 24.5, 3},
    {NEWS2_RR, 24.6, 3},  {NEWS2_HR, 40.5, 1},  {NEWS2_HR, 90.4, 0},  {NEWS2_HR, 90.5, 1},
    {NEWS2_HR, 130.5, 3}, {NEWS2_HR, 50.5, 0},  {NEWS2_TEMP, 35.05, 1}, {NEWS2_TEMP, 35.04, 3},
    {NEWS2_TEMP, 36.05, 0}, {NEWS2_TEMP, 38.05, 1}, {NEWS2_TEMP, 39.05, 2}, {NEWS2_TEMP, 38.04, 0},
    {NEWS2_TEMP, 36.04, 1}, {NEWS2_TEMP, 39.04, 1}, {NEWS2_TEMP, 35.95, 1}, {NEWS2_TEMP, 37.95, 0},
    {NEWS2_RR, 8.49, 3},  {NEWS2_RR, 12.5, 0},  {NEWS2_RR, 80.4, 3},  {NEWS2_HR, 40.4, 3},
    {NEWS2_HR, 110.4, 1}, {NEWS2_HR, 110.5, 2}, {NEWS2_HR, 130.4, 2}, {NEWS2_HR, 19.5, 3},
    {NEWS2_SBP, 90.4, 3}, {NEWS2_SBP, 90.5, 2}, {NEWS2_SBP, 100.4, 2}, {NEWS2_SBP, 100.5, 1},
    {NEWS2_SBP, 110.4, 1}, {NEWS2_SBP, 110.5, 0}, {NEWS2_SBP, 219.4, 0}, {NEWS2_SBP, 219.5, 3},
    {NEWS2_TEMP, 24.95, 3}, {NEWS2_TEMP, 45.04, 2},
};

static void test_band_edges(void **state)
{
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        int pts = news2_points(edges[i].p, edges[i].v, 1, 0);
        if (pts != edges[i].pts)
            fail_msg("%s %g: got %d points, want %d", news2_param_name(edges[i].p), edges[i].v,
                     pts, edges[i].pts);
    }
}

/* Computed temperatures (an average of two readings, a sum) that land on a
 * half-tenth in decimal round up like typed ones, though binary holds them
 * just below: (32.3 + 32.4) / 2 is 32.349999999999994. */
static void test_temperature_arithmetic(void **state)
{
    for (int a = 250; a < 450; a++) {
        double x = a / 10.0, y = (a + 1) / 10.0;
        double forms[3] = {(x + y) / 2, x + 0.05, a * 0.1 + 0.05};
        for (int k = 0; k < 3; k++) {
            long t = lround(news2_round(NEWS2_TEMP, forms[k]) * 10.0);
            if (t != a + 1)
                fail_msg("%.17g (form %d) rounded to %ld tenths, want %d", forms[k], k, t, a + 1);
        }
    }
    assert_int_equal(news2_points(NEWS2_TEMP, (35.0 + 35.1) / 2, 1, 0), 1);
    assert_int_equal(news2_points(NEWS2_TEMP, (38.0 + 38.1) / 2, 1, 0), 1);
    assert_int_equal(news2_points(NEWS2_TEMP, (39.0 + 39.1) / 2, 1, 0), 2);
    /* Just below a half stays down. */
    assert_int_equal(news2_points(NEWS2_TEMP, 35.0499, 1, 0), 3);
    assert_int_equal(news2_points(NEWS2_TEMP, 38.0499, 1, 0), 0);
}

static void test_spo2_scale1(void **state)
{
    /* Fractional SpO2 rounds half up too: 90.5 -> 91 (3), 91.5 -> 92 (2). */
    assert_int_equal(news2_points(NEWS2_SPO2, 90.5, 1, 0), 3);
    assert_int_equal(news2_points(NEWS2_SPO2, 91.4, 1, 0), 3);
    assert_int_equal(news2_points(NEWS2_SPO2, 91.5, 1, 0), 2);
    assert_int_equal(news2_points(NEWS2_SPO2, 95.5, 1, 0), 0);
    assert_int_equal(news2_points(NEWS2_SPO2, 49.5, 1, 0), 3); /* rounds to 50 */
    static const int v[] = {50, 91, 92, 93, 94, 95, 96, 100};
    static const int want[] = {3, 3, 2, 2, 1, 1, 0, 0};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(news2_points(NEWS2_SPO2, v[i], 1, 0), want[i]);
        assert_int_equal(news2_points(NEWS2_SPO2, v[i], 1, 1), want[i]); /* O2 irrelevant */
    }
}

static void test_spo2_scale2(void **state)
{
    static const int v[] = {83, 84, 85, 86, 87, 88, 92, 93, 94, 95, 96, 97, 100};
    static const int air[] = {3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    static const int oxy[] = {3, 2, 2, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3};
    for (int i = 0; i < 13; i++) {
        assert_int_equal(news2_points(NEWS2_SPO2, v[i], 2, 0), air[i]);
        assert_int_equal(news2_points(NEWS2_SPO2, v[i], 2, 1), oxy[i]);
    }
    /* Fractional values on Scale 2 and the 92/93 edge. */
    assert_int_equal(news2_points(NEWS2_SPO2, 92.4, 2, 1), 0);
    assert_int_equal(news2_points(NEWS2_SPO2, 92.5, 2, 1), 1);
    assert_int_equal(news2_points(NEWS2_SPO2, 87.5, 2, 1), 0);
    assert_int_equal(news2_points(NEWS2_SPO2, 83.5, 2, 0), 2);
    /* Full sets on Scale 2: oxygen scores 2 itself, SpO2 97 on O2 another 3. */
    struct news2_input in = {.scale = 2};
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        in.present[p] = true;
    double v2[NEWS2_NPARAMS] = {16, 97, 1, 120, 70, 'A', 37.0};
    memcpy(in.value, v2, sizeof v2);
    struct news2_result r;
    assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.points[NEWS2_SPO2], 3);
    assert_int_equal(r.points[NEWS2_O2], 2);
    assert_int_equal(r.total, 5);
    assert_int_equal(r.band, NEWS2_BAND_MEDIUM);
    assert_false(r.partial);
    assert_int_equal(r.lower_bound, 0);
    in.value[NEWS2_O2] = 0; /* same saturation on air: 0 */
    assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.points[NEWS2_SPO2], 0);
    assert_int_equal(r.total, 0);
    /* The same on Scale 1 on oxygen: SpO2 0, o2 2. */
    in.scale = 1;
    in.value[NEWS2_O2] = 1;
    assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.points[NEWS2_SPO2], 0);
    assert_int_equal(r.total, 2);
}

/* Build a full set. */
static struct news2_input full(double rr, double spo2, int o2, double sbp, double hr, char acvpu,
                               double temp)
{
    struct news2_input in = {.scale = 1};
    double v[NEWS2_NPARAMS] = {rr, spo2, o2, sbp, hr, acvpu, temp};
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        in.present[p] = true;
        in.value[p] = v[p];
    }
    return in;
}

static void test_totals_and_bands(void **state)
{
    struct news2_result r;
    struct news2_policy pol = news2_policy_default();
    struct news2_input in = full(16, 97, 0, 120, 70, 'A', 37.0);
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 0);
    assert_int_equal(r.band, NEWS2_BAND_LOW);
    assert_int_equal(r.level, NEWS2_LEVEL_ZERO);
    assert_true(r.monitoring_h == 12);
    assert_false(r.partial);
    /* Maximum total 20. */
    in = full(30, 85, 1, 80, 140, 'U', 34.0);
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 20);
    assert_int_equal(r.band, NEWS2_BAND_HIGH);
    assert_true(r.monitoring_h == 0);
    /* A single 3 with total < 5: low-medium. */
    in = full(16, 97, 0, 120, 70, 'C', 37.0);
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 3);
    assert_true(r.red);
    assert_int_equal(r.band, NEWS2_BAND_LOW_MEDIUM);
    assert_true(r.monitoring_h == 1);
    /* RR >= 25 with HR 111-130: medium (CLINICAL.md). */
    in = full(25, 97, 0, 120, 115, 'A', 37.0);
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 5);
    assert_int_equal(r.band, NEWS2_BAND_MEDIUM);
    /* A 3 with total >= 5 is medium, not low-medium. */
    in = full(16, 97, 1, 120, 115, 'C', 37.0);
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 7);
    assert_int_equal(r.band, NEWS2_BAND_HIGH);
    in = full(16, 97, 0, 120, 100, 'A', 38.5); /* 1 + 1 */
    assert_int_equal(news2_score(&in, &pol, &r, NULL, 0), 0);
    assert_int_equal(r.total, 2);
    assert_int_equal(r.level, NEWS2_LEVEL_LOW);
    assert_true(r.monitoring_h == 4);
}

/* Table-driven response levels, with the default and an overridden policy. */
static void test_response_table(void **state)
{
    struct {
        double rr, spo2;
        int o2;
        double sbp, hr;
        char acvpu;
        double temp;
        int total;
        enum news2_band band;
        enum news2_level level;
    } rows[] = {
        {16, 97, 0, 120, 70, 'A', 37.0, 0, NEWS2_BAND_LOW, NEWS2_LEVEL_ZERO},
        {16, 95, 0, 120, 70, 'A', 37.0, 1, NEWS2_BAND_LOW, NEWS2_LEVEL_LOW},
        {22, 97, 0, 120, 70, 'A', 37.0, 2, NEWS2_BAND_LOW, NEWS2_LEVEL_LOW},
        {22, 95, 0, 120, 100, 'A', 37.0, 4, NEWS2_BAND_LOW, NEWS2_LEVEL_LOW},
        {16, 97, 0, 120, 70, 'V', 37.0, 3, NEWS2_BAND_LOW_MEDIUM, NEWS2_LEVEL_LOW_MEDIUM},
        {25, 95, 0, 120, 70, 'A', 37.0, 4, NEWS2_BAND_LOW_MEDIUM, NEWS2_LEVEL_LOW_MEDIUM},
        {16, 97, 0, 85, 70, 'A', 37.0, 3, NEWS2_BAND_LOW_MEDIUM, NEWS2_LEVEL_LOW_MEDIUM},
        {16, 97, 0, 120, 70, 'A', 34.9, 3, NEWS2_BAND_LOW_MEDIUM, NEWS2_LEVEL_LOW_MEDIUM},
        {16, 97, 1, 120, 100, 'A', 38.5, 4, NEWS2_BAND_LOW, NEWS2_LEVEL_LOW},
        {16, 97, 1, 120, 115, 'A', 38.5, 5, NEWS2_BAND_MEDIUM, NEWS2_LEVEL_MEDIUM},
        {25, 97, 0, 120, 115, 'A', 37.0, 5, NEWS2_BAND_MEDIUM, NEWS2_LEVEL_MEDIUM},
        {22, 93, 1, 120, 70, 'A', 37.0, 6, NEWS2_BAND_MEDIUM, NEWS2_LEVEL_MEDIUM},
        {22, 93, 1, 120, 100, 'A', 37.0, 7, NEWS2_BAND_HIGH, NEWS2_LEVEL_HIGH},
        {25, 97, 1, 120, 115, 'A', 37.0, 7, NEWS2_BAND_HIGH, NEWS2_LEVEL_HIGH},
        {30, 85, 1, 80, 140, 'U', 34.0, 20, NEWS2_BAND_HIGH, NEWS2_LEVEL_HIGH},
    };
    struct news2_policy def = news2_policy_default();
    static const double rcp[NEWS2_NLEVELS] = {12, 4, 1, 1, 0};
    for (int l = 0; l < NEWS2_NLEVELS; l++)
        assert_true(def.monitoring_h[l] == rcp[l]);
    struct news2_policy ward = {{24, 6, 2, 0.5, 0.25}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct news2_input in = full(rows[i].rr, rows[i].spo2, rows[i].o2, rows[i].sbp,
                                     rows[i].hr, rows[i].acvpu, rows[i].temp);
        struct news2_result r;
        assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
        if (r.total != rows[i].total || r.band != rows[i].band || r.level != rows[i].level)
            fail_msg("row %zu: total %d band %s level %s, want %d %s %s", i, r.total,
                     news2_band_name(r.band), news2_level_name(r.level), rows[i].total,
                     news2_band_name(rows[i].band), news2_level_name(rows[i].level));
        assert_true(r.monitoring_h == def.monitoring_h[rows[i].level]);
        assert_int_equal(news2_score(&in, &ward, &r, NULL, 0), 0);
        assert_true(r.monitoring_h == ward.monitoring_h[rows[i].level]);
    }
}

static void test_partial_sets(void **state)
{
    struct news2_input in = {.scale = 1};
    struct news2_result r;
    /* Radar only: RR 26 and HR 120 -> 5, medium, as a lower bound. */
    in.present[NEWS2_RR] = in.present[NEWS2_HR] = true;
    in.value[NEWS2_RR] = 26;
    in.value[NEWS2_HR] = 120;
    assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
    assert_true(r.partial);
    assert_int_equal(r.total, 5);
    assert_int_equal(r.band, NEWS2_BAND_MEDIUM);
    assert_int_equal(r.points[NEWS2_SPO2], -1);
    assert_int_equal(r.missing, (1u << NEWS2_SPO2) | (1u << NEWS2_O2) | (1u << NEWS2_SBP) |
                                    (1u << NEWS2_ACVPU) | (1u << NEWS2_TEMP));
    /* A stale value is listed and not scored. */
    in.present[NEWS2_SBP] = true;
    in.value[NEWS2_SBP] = 85;
    in.stale[NEWS2_SBP] = true;
    assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.total, 5);
    assert_int_equal(r.stale, 1u << NEWS2_SBP);
    assert_int_equal(r.points[NEWS2_SBP], -1);
    /* Nothing at all: total 0, everything missing, partial. */
    struct news2_input none = {.scale = 1};
    assert_int_equal(news2_score(&none, NULL, &r, NULL, 0), 0);
    assert_true(r.partial);
    assert_int_equal(r.missing, (1u << NEWS2_NPARAMS) - 1);
    /* Scale 2, SpO2 95, oxygen unknown: lower bound 0 for SpO2, o2 missing. */
    struct news2_input s2 = {.scale = 2};
    s2.present[NEWS2_SPO2] = true;
    s2.value[NEWS2_SPO2] = 95;
    assert_int_equal(news2_score(&s2, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.points[NEWS2_SPO2], 0);
    assert_true(r.missing & (1u << NEWS2_O2));
    assert_int_equal(r.lower_bound, 1u << NEWS2_SPO2);
    assert_true(r.partial);
    /* Stale o2 is just as unknown. */
    s2.present[NEWS2_O2] = s2.stale[NEWS2_O2] = true;
    s2.value[NEWS2_O2] = 1;
    assert_int_equal(news2_score(&s2, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.points[NEWS2_SPO2], 0);
    assert_int_equal(r.points[NEWS2_O2], -1);
    assert_int_equal(r.stale, 1u << NEWS2_O2);
    assert_int_equal(r.lower_bound, 1u << NEWS2_SPO2);
    /* Below 93 the points do not depend on oxygen: not a lower bound. */
    s2.value[NEWS2_SPO2] = 92.4;
    assert_int_equal(news2_score(&s2, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.lower_bound, 0);
    /* Scale 1 never depends on oxygen. */
    s2.scale = 1;
    s2.value[NEWS2_SPO2] = 97;
    assert_int_equal(news2_score(&s2, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.lower_bound, 0);

    /* A partial band comes from the lower bound: RR 30 alone is low-medium,
     * RR 30 with HR 135 (3 + 3 = 6) medium. */
    struct news2_input rad = {.scale = 1};
    rad.present[NEWS2_RR] = true;
    rad.value[NEWS2_RR] = 30;
    assert_int_equal(news2_score(&rad, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.total, 3);
    assert_int_equal(r.band, NEWS2_BAND_LOW_MEDIUM);
    assert_true(r.partial && r.red);
    assert_true(r.monitoring_h == 1);
    rad.present[NEWS2_HR] = true;
    rad.value[NEWS2_HR] = 135;
    assert_int_equal(news2_score(&rad, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.total, 6);
    assert_int_equal(r.band, NEWS2_BAND_MEDIUM);
    /* Add a fresh temperature of 39.5 (2): 8, high, still partial. */
    rad.present[NEWS2_TEMP] = true;
    rad.value[NEWS2_TEMP] = 39.5;
    assert_int_equal(news2_score(&rad, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.total, 8);
    assert_int_equal(r.band, NEWS2_BAND_HIGH);
    assert_true(r.partial);
    /* The same temperature stale: not scored, listed, total back to 6. */
    rad.stale[NEWS2_TEMP] = true;
    assert_int_equal(news2_score(&rad, NULL, &r, NULL, 0), 0);
    assert_int_equal(r.total, 6);
    assert_int_equal(r.points[NEWS2_TEMP], -1);
    assert_int_equal(r.stale, 1u << NEWS2_TEMP);
    assert_false(r.missing & (1u << NEWS2_TEMP));
    /* A stale implausible value is still refused: it is bad data, not old. */
    rad.value[NEWS2_TEMP] = 50;
    assert_int_equal(news2_score(&rad, NULL, &r, NULL, 0), -1);
}

static void test_implausible_rejected(void **state)
{
    char err[128];
    struct news2_result r;
    struct {
        enum news2_param p;
        double v;
    } bad[] = {{NEWS2_RR, -1}, {NEWS2_RR, 81},   {NEWS2_SPO2, 49}, {NEWS2_SPO2, 101},
               {NEWS2_SBP, 39}, {NEWS2_SBP, 301}, {NEWS2_HR, 19},   {NEWS2_HR, 301},
               {NEWS2_TEMP, 24.9}, {NEWS2_TEMP, 45.1}, {NEWS2_O2, 2}, {NEWS2_ACVPU, 'X'}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct news2_input in = {.scale = 1};
        in.present[bad[i].p] = true;
        in.value[bad[i].p] = bad[i].v;
        assert_int_equal(news2_score(&in, NULL, &r, err, sizeof err), -1);
        assert_non_null(strstr(err, news2_param_name(bad[i].p)));
    }
    struct news2_input s3 = {.scale = 3};
    assert_int_equal(news2_score(&s3, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "scale"));
    /* The error names the range too. */
    struct news2_input t = {.scale = 1};
    t.present[NEWS2_TEMP] = true;
    t.value[NEWS2_TEMP] = 45.05; /* rounds to 45.1 */
    assert_int_equal(news2_score(&t, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "25.0-45.0"));
    t.value[NEWS2_TEMP] = 24.94; /* rounds to 24.9 */
    assert_int_equal(news2_score(&t, NULL, &r, err, sizeof err), -1);
    struct news2_input h = {.scale = 1};
    h.present[NEWS2_HR] = true;
    h.value[NEWS2_HR] = 300.5; /* rounds to 301 */
    assert_int_equal(news2_score(&h, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "hr"));
    assert_non_null(strstr(err, "20-300"));
    h.value[NEWS2_HR] = NAN;
    assert_int_equal(news2_score(&h, NULL, &r, err, sizeof err), -1);
    h.value[NEWS2_HR] = INFINITY;
    assert_int_equal(news2_score(&h, NULL, &r, err, sizeof err), -1);
    /* Implausible on the edges themselves is accepted. */
    assert_true(news2_plausible(NEWS2_RR, 0) && news2_plausible(NEWS2_RR, 80));
    assert_true(news2_plausible(NEWS2_SPO2, 50) && news2_plausible(NEWS2_SPO2, 100));
    assert_true(news2_plausible(NEWS2_SBP, 40) && news2_plausible(NEWS2_SBP, 300));
    assert_true(news2_plausible(NEWS2_HR, 20) && news2_plausible(NEWS2_HR, 300));
    assert_true(news2_plausible(NEWS2_TEMP, 25.0) && news2_plausible(NEWS2_TEMP, 45.0));
    assert_false(news2_plausible(NEWS2_SPO2, 100.5));
    assert_false(news2_plausible(NEWS2_RR, -0.6));
    assert_int_equal(news2_points(NEWS2_TEMP, 45.1, 1, 0), -1);
}

static void test_parse_values(void **state)
{
    char err[128];
    double v;
    int t;
    assert_int_equal(news2_parse_temp("35.05", &t), 0);
    assert_int_equal(t, 351);
    assert_int_equal(news2_parse_temp("38.05", &t), 0);
    assert_int_equal(t, 381);
    assert_int_equal(news2_parse_temp("39.049", &t), 0);
    assert_int_equal(t, 390);
    assert_int_equal(news2_parse_temp("37", &t), 0);
    assert_int_equal(t, 370);
    assert_int_equal(news2_parse_temp("37,2", &t), -1);
    assert_int_equal(news2_parse_temp("37.", &t), -1);
    assert_int_equal(news2_parse_value(NEWS2_TEMP, "39.05", &v, err, sizeof err), 0);
    assert_int_equal(news2_points(NEWS2_TEMP, v, 1, 0), 2);
    assert_int_equal(news2_parse_value(NEWS2_ACVPU, "c", &v, err, sizeof err), 0);
    assert_true(v == 'C');
    assert_int_equal(news2_parse_value(NEWS2_ACVPU, "X", &v, err, sizeof err), -1);
    assert_int_equal(news2_parse_value(NEWS2_O2, "oxygen", &v, err, sizeof err), 0);
    assert_true(v == 1);
    assert_int_equal(news2_parse_value(NEWS2_SPO2, "9x", &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "spo2"));
    assert_int_equal(news2_parse_value(NEWS2_SBP, "30", &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "40-300"));
    /* Temperature scored on its digits as typed, at every band edge. */
    static const struct {
        const char *text;
        int pts;
    } typed[] = {
        {"35.05", 1}, {"35.0", 3},   {"35.049", 3}, {"35.1", 1},  {"36.0", 1},  {"36.04", 1},
        {"36.05", 0}, {"36.1", 0},   {"38.0", 0},   {"38.04", 0}, {"38.05", 1}, {"38.1", 1},
        {"39.0", 1},  {"39.049", 1}, {"39.05", 2},  {"39.1", 2},  {"25", 3},    {"45", 2},
        {"24.95", 3}, {"45.04", 2},  {"45.05", -1}, {"24.94", -1}, {"", -1},    {"37,2", -1},
        {"-37", -1},  {"37.2.1", -1}, {"3e1", -1},  {" 37", -1},  {"nan", -1},  {".5", -1},
    };
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        int got = news2_temp_text_points(typed[i].text);
        if (got != typed[i].pts)
            fail_msg("temperature '%s': got %d, want %d", typed[i].text, got, typed[i].pts);
        if (typed[i].pts >= 0) { /* the value parser agrees with the text scorer */
            assert_int_equal(news2_parse_value(NEWS2_TEMP, typed[i].text, &v, err, sizeof err), 0);
            assert_int_equal(news2_points(NEWS2_TEMP, v, 1, 0), typed[i].pts);
        } else {
            assert_int_equal(news2_parse_value(NEWS2_TEMP, typed[i].text, &v, err, sizeof err),
                             -1);
            assert_non_null(strstr(err, "25.0-45.0"));
        }
    }
    assert_int_equal(news2_temp_points(350), 3);
    assert_int_equal(news2_temp_points(351), 1);
    assert_int_equal(news2_temp_points(451), -1);
    /* Other numbers strictly in the C locale, halves up via the text path. */
    static const struct {
        enum news2_param p;
        const char *text;
        int pts;
    } nums[] = {
        {NEWS2_RR, "8.4", 3},   {NEWS2_RR, "8.5", 1},    {NEWS2_RR, "20.5", 2},
        {NEWS2_RR, "24.5", 3},  {NEWS2_HR, "90.5", 1},   {NEWS2_SPO2, "90.5", 3},
        {NEWS2_RR, "8,5", -1},  {NEWS2_RR, "", -1},      {NEWS2_HR, "0x40", -1},
        {NEWS2_HR, "inf", -1},  {NEWS2_SBP, "1e2", -1},  {NEWS2_RR, "12 ", -1},
        {NEWS2_RR, "80.5", -1}, {NEWS2_SPO2, "101", -1}, {NEWS2_HR, "-70", -1},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int rc = news2_parse_value(nums[i].p, nums[i].text, &v, err, sizeof err);
        if (nums[i].pts < 0) {
            if (rc != -1)
                fail_msg("%s '%s' accepted", news2_param_name(nums[i].p), nums[i].text);
            assert_non_null(strstr(err, news2_param_name(nums[i].p)));
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(news2_points(nums[i].p, v, 1, 0), nums[i].pts);
        }
    }
    assert_int_equal(news2_parse_value(NEWS2_O2, "air", &v, err, sizeof err), 0);
    assert_true(v == 0);
    assert_int_equal(news2_parse_value(NEWS2_O2, "2", &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "air or oxygen"));
    static const char *acvpu = "ACVPU";
    for (int i = 0; i < 5; i++) {
        char t1[2] = {acvpu[i], 0};
        assert_int_equal(news2_parse_value(NEWS2_ACVPU, t1, &v, err, sizeof err), 0);
        assert_int_equal(news2_points(NEWS2_ACVPU, v, 1, 0), i == 0 ? 0 : 3);
    }
    assert_int_equal(news2_parse_value(NEWS2_ACVPU, "AV", &v, err, sizeof err), -1);
    assert_int_equal(news2_parse_value(NEWS2_ACVPU, "", &v, err, sizeof err), -1);
    assert_int_equal(news2_param_find("temp"), NEWS2_TEMP);
    assert_int_equal(news2_param_find("bp"), -1);
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        assert_int_equal(news2_param_find(news2_param_name(p)), p);
    assert_string_equal(news2_band_name(NEWS2_BAND_LOW), "low");
    assert_string_equal(news2_band_name(NEWS2_BAND_LOW_MEDIUM), "low-medium");
    assert_string_equal(news2_band_name(NEWS2_BAND_MEDIUM), "medium");
    assert_string_equal(news2_band_name(NEWS2_BAND_HIGH), "high");
    static const char *names[] = {"rr", "spo2", "o2", "sbp", "hr", "acvpu", "temp"};
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        assert_string_equal(news2_param_name(p), names[p]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_edges),        cmocka_unit_test(test_temperature_arithmetic),
        cmocka_unit_test(test_spo2_scale1),
        cmocka_unit_test(test_spo2_scale2),       cmocka_unit_test(test_totals_and_bands),
        cmocka_unit_test(test_response_table),    cmocka_unit_test(test_partial_sets),
        cmocka_unit_test(test_implausible_rejected), cmocka_unit_test(test_parse_values),
    };
    return cmocka_run_group_tests_name("news2", tests, NULL, NULL);
}
