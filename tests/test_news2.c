/* Tests for scoring/news2: every band edge, scales, rounding, partial sets. */
#include "ww_test.h"
#include "news2.h"

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

static void test_spo2_scale1(void **state)
{
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
        double rr, hr;
        char acvpu;
        int o2;
        enum news2_level level;
    } rows[] = {
        {16, 70, 'A', 0, NEWS2_LEVEL_ZERO},   {22, 70, 'A', 0, NEWS2_LEVEL_LOW},
        {22, 100, 'A', 0, NEWS2_LEVEL_LOW},   {16, 70, 'V', 0, NEWS2_LEVEL_LOW_MEDIUM},
        {25, 100, 'A', 0, NEWS2_LEVEL_LOW_MEDIUM}, {22, 115, 'A', 0, NEWS2_LEVEL_LOW}, {25, 115, 'A', 0, NEWS2_LEVEL_MEDIUM},
        {25, 115, 'A', 1, NEWS2_LEVEL_HIGH},
    };
    struct news2_policy ward = {{24, 6, 2, 0.5, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct news2_input in = full(rows[i].rr, 97, rows[i].o2, 120, rows[i].hr, rows[i].acvpu,
                                     37.0);
        struct news2_result r;
        assert_int_equal(news2_score(&in, NULL, &r, NULL, 0), 0);
        assert_int_equal(r.level, rows[i].level);
        struct news2_policy def = news2_policy_default();
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
    assert_int_equal(news2_param_find("temp"), NEWS2_TEMP);
    assert_int_equal(news2_param_find("bp"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_edges),        cmocka_unit_test(test_spo2_scale1),
        cmocka_unit_test(test_spo2_scale2),       cmocka_unit_test(test_totals_and_bands),
        cmocka_unit_test(test_response_table),    cmocka_unit_test(test_partial_sets),
        cmocka_unit_test(test_implausible_rejected), cmocka_unit_test(test_parse_values),
    };
    return cmocka_run_group_tests_name("news2", tests, NULL, NULL);
}
