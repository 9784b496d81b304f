/* Tests for sensors/scenario: determinism and the clinical trajectories. */
#include "ww_test.h"
#include "scenario.h"

#include <math.h>
#include <string.h>

/* Mean RR and HR over [t0, t1) stepping at 1 s. */
static void means(enum scenario_kind k, uint64_t seed, double t0, double t1, double *rr,
                  double *hr)
{
    struct scenario s;
    struct scenario_truth tr;
    scenario_init(&s, k, seed, 0, 0);
    double sr = 0, sh = 0;
    int n = 0;
    for (double t = 0; t < t1; t += 1) {
        scenario_step(&s, t, &tr);
        if (t >= t0 && tr.present && !tr.apnoea) {
            sr += tr.rr;
            sh += tr.hr;
            n++;
        }
    }
    *rr = sr / n;
    *hr = sh / n;
}

static void test_names(void **state)
{
    for (int k = 0; k < SCEN_COUNT; k++)
        assert_int_equal(scenario_find(scenario_name(k)), k);
    assert_int_equal(scenario_find("nonsense"), -1);
}

static void test_deterministic_by_seed(void **state)
{
    struct scenario a, b, c;
    struct scenario_truth ta, tb, tc;
    scenario_init(&a, SCEN_RESTLESS, 42, 0, 0);
    scenario_init(&b, SCEN_RESTLESS, 42, 0, 0);
    scenario_init(&c, SCEN_RESTLESS, 43, 0, 0);
    int differ = 0;
    for (double t = 0; t < 3600; t += 0.5) {
        scenario_step(&a, t, &ta);
        scenario_step(&b, t, &tb);
        scenario_step(&c, t, &tc);
        assert_true(ta.rr == tb.rr && ta.hr == tb.hr && ta.present == tb.present &&
                    ta.motion == tb.motion && ta.apnoea == tb.apnoea &&
                    ta.connected == tb.connected);
        differ += ta.rr != tc.rr;
    }
    assert_true(differ > 0);
}

static void test_sepsis_trajectory(void **state)
{
    double rr0, hr0, rr1, hr1;
    means(SCEN_SEPSIS, 7, 0, 600, &rr0, &hr0);
    means(SCEN_SEPSIS, 7, 5400, 6600, &rr1, &hr1);
    assert_true(rr0 > 14 && rr0 < 19);
    assert_true(hr0 > 74 && hr0 < 88);
    assert_true(rr1 > 27 && rr1 < 33);
    assert_true(hr1 > 122 && hr1 < 138);
}

static void test_opioid_apnoea(void **state)
{
    struct scenario s;
    struct scenario_truth tr;
    scenario_init(&s, SCEN_OPIOID, 3, 0, 0);
    int apnoea = 0, early_apnoea = 0;
    double late_rr = 0;
    int late_n = 0;
    for (double t = 0; t < 9000; t += 1) {
        scenario_step(&s, t, &tr);
        apnoea += tr.apnoea;
        if (t < 1800)
            early_apnoea += tr.apnoea;
        if (t > 6000 && !tr.apnoea) {
            late_rr += tr.rr;
            late_n++;
        }
    }
    assert_int_equal(early_apnoea, 0); /* only once RR is low */
    assert_true(apnoea > 60);
    late_rr /= late_n;
    assert_true(late_rr > 5.5 && late_rr < 8.5);
}

static void test_episodes(void **state)
{
    struct scenario s;
    struct scenario_truth tr;
    int absent = 0, unplugged = 0, moving = 0;
    scenario_init(&s, SCEN_OUT_OF_BED, 1, 0, 0);
    for (double t = 0; t < 7200; t += 1) {
        scenario_step(&s, t, &tr);
        absent += !tr.present;
    }
    scenario_init(&s, SCEN_UNPLUG, 1, 0, 0);
    for (double t = 0; t < 7200; t += 1) {
        scenario_step(&s, t, &tr);
        unplugged += !tr.connected;
    }
    scenario_init(&s, SCEN_RESTLESS, 1, 0, 0);
    for (double t = 0; t < 3600; t += 1) {
        scenario_step(&s, t, &tr);
        moving += tr.motion;
    }
    assert_in_range(absent, 360, 1800);
    assert_in_range(unplugged, 90, 600);
    assert_in_range(moving, 200, 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_deterministic_by_seed),
        cmocka_unit_test(test_sepsis_trajectory),
        cmocka_unit_test(test_opioid_apnoea),
        cmocka_unit_test(test_episodes),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
