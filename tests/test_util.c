/* Tests for src/util: strict parsing, text sanitising and the median. */
#include "ww_test.h"
#include "util.h"

#include <math.h>
#include <string.h>

static void test_parse_long(void **state)
{
    long v;
    assert_int_equal(ww_parse_long("08", 0, 100, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(ww_parse_long("-5", -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(ww_parse_long("", 0, 100, &v), -1);
    assert_int_equal(ww_parse_long(" 5", 0, 100, &v), -1);
    assert_int_equal(ww_parse_long("5x", 0, 100, &v), -1);
    assert_int_equal(ww_parse_long("0x10", 0, 100, &v), -1);
    assert_int_equal(ww_parse_long("101", 0, 100, &v), -1);
    assert_int_equal(ww_parse_long("99999999999999999999", 0, 100, &v), -1);
}

static void test_parse_double(void **state)
{
    double d;
    assert_int_equal(ww_parse_double("36.5", 0, 100, &d), 0);
    assert_true(d > 36.49 && d < 36.51);
    assert_int_equal(ww_parse_double(".5", 0, 1, &d), 0);
    assert_int_equal(ww_parse_double("36,5", 0, 100, &d), -1);
    assert_int_equal(ww_parse_double("1e2", 0, 1000, &d), -1);
    assert_int_equal(ww_parse_double("nan", 0, 1000, &d), -1);
    assert_int_equal(ww_parse_double("-", 0, 1000, &d), -1);
    assert_int_equal(ww_parse_double(".", 0, 1000, &d), -1);
    assert_int_equal(ww_parse_double("45.1", 25, 45, &d), -1);
}

static void test_sanitize(void **state)
{
    char out[64];
    ww_sanitize_text(out, sizeof out, "  hei\x1b[2J\x1b]0;evil\x07 på deg\r\n", false);
    assert_string_equal(out, "hei på deg");
    ww_sanitize_text(out, sizeof out, "a\xff" "b\x01" "c", false);
    assert_string_equal(out, "a?bc");
    /* Cut on a character boundary: "æææ" is 6 bytes; 5 bytes room -> "ææ". */
    ww_sanitize_text(out, 6, "æææ", false);
    assert_string_equal(out, "ææ");
    ww_sanitize_text(out, sizeof out, "line1\nline2", true);
    assert_string_equal(out, "line1\nline2");
    ww_sanitize_text(out, sizeof out, "\xc2\x9b" "31m" "x", false); /* C1 CSI */
    assert_string_equal(out, "31mx");
}

/* One median: the middle value, or the mean of the two middle ones. */
static void test_median(void **state)
{
    float odd[] = {18, 12, 16};
    assert_true(ww_median(odd, 3) == 16);
    assert_true(odd[0] == 12 && odd[1] == 16 && odd[2] == 18); /* sorted in place */
    /* H19-22/the RR 16-vs-18 split: an even count is the mean, never the
     * lower or upper middle value. */
    float even[] = {18, 16, 20, 12};
    assert_true(ww_median(even, 4) == 17);
    float half[] = {17, 16};
    assert_true(ww_median(half, 2) == 16.5);
    assert_true(isnan(ww_median(NULL, 0)));
    float one[] = {21.5f};
    assert_true(ww_median(one, 1) == 21.5);
    int iv[] = {40, 10, 30, 20};
    assert_true(ww_median_int(iv, 4) == 25);
    int ih[] = {7, 8};
    assert_true(ww_median_int(ih, 2) == 7.5);
    int i1[] = {-3};
    assert_true(ww_median_int(i1, 1) == -3);
    assert_true(isnan(ww_median_int(NULL, 0)));
}

/* The three forms agree on the same values, above and below the size at
 * which the sort changes method, with duplicates. */
static void test_median_forms_agree(void **state)
{
    uint32_t seed = 12345;
    for (size_t n = 1; n < 200; n += (n < 70 ? 1 : 13)) {
        float f[200];
        int iv[200];
        uint16_t h[64] = {0};
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            int v = (int)((seed >> 16) % 40);
            f[i] = (float)v;
            iv[i] = v;
            h[v]++;
        }
        double mf = ww_median(f, n), mi = ww_median_int(iv, n);
        double mh = ww_median_hist(h, 64);
        for (size_t i = 1; i < n; i++) {
            assert_true(f[i - 1] <= f[i]);
            assert_true(iv[i - 1] <= iv[i]);
        }
        double want = n % 2 ? iv[n / 2] : (iv[n / 2 - 1] + iv[n / 2]) / 2.0;
        if (mf != want || mi != want || mh != want)
            fail_msg("n %zu: float %g int %g hist %g, want %g", n, mf, mi, mh, want);
    }
    uint16_t empty[4] = {0};
    assert_true(isnan(ww_median_hist(empty, 4)));
    uint16_t two[30] = {0};
    two[16] = 1;
    two[18] = 1;
    assert_true(ww_median_hist(two, 30) == 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_median_forms_agree),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
