/* Tests for src/monitor: beds sharing a multi-patient radar by target id;
 * a capture driving the ward headless. */
#include "ww_test.h"
#include "config.h"
#include "encode.h"
#include "loop.h"
#include "monitor.h"
#include "ward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int per_bed[4];
static float last_hr[4];
static void on_reading(void *ctx, size_t bed, int64_t now, const struct reading *r)
{
    per_bed[bed]++;
    last_hr[bed] = r->hr;
}

static void test_people_tracking_beds(void **state)
{
    char *dir = ww_test_tmpdir();
    char cap[4200], ini[4200], text[10000], err[512];
    snprintf(cap, sizeof cap, "%s/people.bin", dir);
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    FILE *f = fopen(cap, "wb");
    uint8_t buf[2048];
    for (uint32_t i = 0; i < 200; i++) {
        struct ti_vs_person p[3] = {{1, 0.4f, 64, 12}, {7, 0.5f, 118, 27}, {9, 0.3f, 90, 18}};
        size_t n = encode_ti_vs_people(buf, sizeof buf, i + 1, p, 3);
        fwrite(buf, 1, n, f);
    }
    fclose(f);
    snprintf(text, sizeof text,
             "[ward]\nname = T\ndatabase = x.db\n[bed.1]\nlabel = A\nsensor = ti-vs:file:%s\n"
             "target = 1\n[bed.2]\nlabel = B\nsensor = ti-vs:file:%s\ntarget = 7\n",
             cap, cap);
    ww_test_write_file(ini, text);
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 1};
    struct monitor *m = monitor_new(cfg, NULL, l, &mo, err, sizeof err);
    assert_non_null(m);
    monitor_on_reading(m, on_reading, NULL);
    monitor_run_fast(m, 5);
    /* One source, each person to its own bed; person 9 has no bed. */
    assert_int_equal(per_bed[0], 200);
    assert_int_equal(per_bed[1], 200);
    assert_true(last_hr[0] == 64);
    assert_true(last_hr[1] == 118);
    /* The capture ended: both beds show it, neither keeps a current value. */
    assert_int_equal(ward_bed(monitor_ward(m), 0)->sensor, WSENS_NO_SIGNAL);
    assert_int_equal(ward_bed(monitor_ward(m), 1)->sensor, WSENS_NO_SIGNAL);
    monitor_free(m);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_people_tracking_beds),
    };
    return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
