/* Tests for scoring/trend: smoothing windows and per-minute history. */
#include "ww_test.h"
#include "trend.h"

#include <math.h>

static void test_median_ignores_short_artefact(void **state)
{
    struct vwin w;
    vwin_clear(&w);
    int64_t t = 1000000;
    for (int i = 0; i < 60; i++, t += 1000)
        vwin_add(&w, t, (i >= 30 && i < 40) ? 40.0f : 16.0f); /* 10 s artefact */
    float m;
    assert_true(vwin_median(&w, t, 30000, 10, &m));
    assert_true(m == 16.0f);
}

static void test_median_follows_sustained_change(void **state)
{
    struct vwin w;
    vwin_clear(&w);
    int64_t t = 0;
    for (int i = 0; i < 60; i++, t += 1000)
        vwin_add(&w, t, 16.0f);
    float m = 0;
    int after = -1;
    for (int i = 0; i < 60; i++, t += 1000) {
        vwin_add(&w, t, 30.0f);
        assert_true(vwin_median(&w, t, 30000, 10, &m));
        if (m >= 29.0f && after < 0)
            after = i;
    }
    /* Half the 30 s window: the median has moved after about 15 s. */
    assert_in_range(after, 14, 16);
}

static void test_window_empties_when_values_stop(void **state)
{
    struct vwin w;
    vwin_clear(&w);
    for (int i = 0; i < 20; i++)
        vwin_add(&w, i * 1000, 20.0f);
    float m;
    assert_true(vwin_median(&w, 19000, 30000, 5, &m));
    assert_false(vwin_median(&w, 19000 + 31000, 30000, 1, &m));
    assert_false(vwin_median(&w, 19000, 30000, 25, &m)); /* too few values */
    assert_int_equal(vwin_last_t(&w), 19000);
}

static void test_window_rejects_nan_and_backwards_time(void **state)
{
    struct vwin w;
    vwin_clear(&w);
    vwin_add(&w, 5000, NAN);
    assert_int_equal(w.n, 0);
    vwin_add(&w, 5000, 10.0f);
    vwin_add(&w, 4000, 99.0f);
    assert_int_equal(w.n, 1);
    /* The ring wraps without growing. */
    for (int i = 0; i < 3 * VWIN_CAP; i++)
        vwin_add(&w, 6000 + i * 1000, (float)i);
    assert_int_equal(w.n, VWIN_CAP);
}

static void test_hist_minutes_and_trend(void **state)
{
    struct hist h;
    hist_clear(&h);
    int64_t t0 = 1700000000000LL;
    for (int s = 0; s < 20 * 60; s++) /* RR rising 14 -> 24 over 20 min */
        hist_add(&h, t0 + s * 1000LL, 14.0f + 10.0f * s / 1200.0f);
    int64_t now = t0 + 20 * 60 * 1000LL - 1;
    assert_false(isnan(hist_minute(&h, now)));
    assert_int_equal(hist_trend(&h, now, 2.0f), 1);
    assert_int_equal(hist_trend(&h, now, 50.0f), 0);
    float series[4];
    hist_series(&h, now, 20 * 60000LL, series, 4);
    assert_true(series[0] < series[1] && series[1] < series[2] && series[2] < series[3]);
    /* 12 h later the old minutes are recycled, not averaged in. */
    int64_t later = t0 + 12 * 3600 * 1000LL;
    hist_add(&h, later, 5.0f);
    assert_true(fabsf(hist_minute(&h, later) - 5.0f) < 1e-6f);
    assert_true(isnan(hist_mean(&h, later - 13 * 3600 * 1000LL, later - 12 * 3600 * 1000LL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_ignores_short_artefact),
        cmocka_unit_test(test_median_follows_sustained_change),
        cmocka_unit_test(test_window_empties_when_values_stop),
        cmocka_unit_test(test_window_rejects_nan_and_backwards_time),
        cmocka_unit_test(test_hist_minutes_and_trend),
    };
    return cmocka_run_group_tests_name("trend", tests, NULL, NULL);
}
