/* Tests for src/util: strict parsing and text sanitising. */
#include "ww_test.h"
#include "util.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_sanitize),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
