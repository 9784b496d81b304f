/*
 * The board's alarm sounds (#17 "Sound"): each priority its own burst, as
 * IEC 60601-1-8 (table 3) has them: high priority 10 pulses in a burst
 * (3 + 2, 3 + 2), medium 3 pulses, low 1 or 2; high the fastest pulses
 * and its burst repeated most often, so a nurse tells them apart without
 * looking.
 */
#include "board.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int pulses(const char *p)
{
    int n = 0;
    for (; *p; p++)
        n += *p == '1';
    return n;
}

/* Frames (100 ms) between the first two pulses. */
static int spacing(const char *p)
{
    const char *a = strchr(p, '1');
    const char *b = a ? strchr(a + 1, '1') : NULL;
    return b ? (int)(b - a) : 1000;
}

static void test_pulses_per_burst(void **state)
{
    int r;
    const char *h = board_bell_pattern(AP_HIGH, &r);
    assert_int_equal(pulses(h), 10);
    /* 3 + 2: the gap after the third pulse is longer than between pulses */
    const char *p = h;
    int gaps[10], ng = 0, last = -1;
    for (int i = 0; p[i]; i++)
        if (p[i] == '1') {
            if (last >= 0)
                gaps[ng++] = i - last;
            last = i;
        }
    assert_true(gaps[2] > gaps[0] && gaps[2] > gaps[1] && gaps[4] > gaps[2]);
    assert_int_equal(pulses(board_bell_pattern(AP_MEDIUM, &r)), 3);
    int low = pulses(board_bell_pattern(AP_LOW, &r));
    assert_true(low == 1 || low == 2);
    assert_int_equal(pulses(board_bell_pattern(AP_NONE, &r)), 0);
    /* every burst starts with a pulse (the board rings it at once) */
    assert_int_equal(board_bell_pattern(AP_HIGH, &r)[0], '1');
    assert_int_equal(board_bell_pattern(AP_MEDIUM, &r)[0], '1');
    assert_int_equal(board_bell_pattern(AP_LOW, &r)[0], '1');
}

static void test_high_fastest_and_most_often(void **state)
{
    int rh, rm, rl;
    const char *h = board_bell_pattern(AP_HIGH, &rh);
    const char *m = board_bell_pattern(AP_MEDIUM, &rm);
    const char *l = board_bell_pattern(AP_LOW, &rl);
    assert_true(spacing(h) < spacing(m));
    assert_true(rh < rm && rm < rl);
    /* a burst ends before the next one is due */
    assert_true((int)strlen(h) * 100 < rh && (int)strlen(m) * 100 < rm && (int)strlen(l) * 100 < rl);
    /* IEC 60601-1-8: a high-priority burst repeats within 2.5-15 s, a medium
     * one within 2.5-30 s */
    assert_true(rh >= 2500 && rh <= 15000);
    assert_true(rm >= 2500 && rm <= 30000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pulses_per_burst),
        cmocka_unit_test(test_high_fastest_and_most_often),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
