/* Tests for src/monitor: beds sharing a multi-patient radar by target id;
 * a capture driving the ward headless. */
#include "ww_test.h"
#include "config.h"
#include "encode.h"
#include "loop.h"
#include "monitor.h"
#include "simulate.h"
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

/* H16-13: a sensor missing when the core starts (unplugged, a hub still
 * enumerating) is a technical alarm for its bed and is retried with backoff,
 * like one that goes away later; when it appears, the bed is monitored. */
struct appear {
    const char *rec;
    struct loop *l;
    struct monitor *m;
    bool made;
    int ticks;
    enum ward_sensor_state at_start;
};

static void on_appear(struct loop *l, int id, void *ctx)
{
    struct appear *a = ctx;
    char err[256];
    a->ticks++;
    if (a->ticks == 1)
        a->at_start = ward_bed(monitor_ward(a->m), 0)->sensor;
    if (a->ticks == 5 && !a->made) { /* 0.5 s in: the sensor appears */
        struct sim_spec sp = {.scenario = SCEN_STABLE, .seed = 3, .seconds = 60};
        snprintf(sp.driver, sizeof sp.driver, "mr60bha2");
        snprintf(sp.label, sizeof sp.label, "bed");
        if (simulate_write(&sp, a->rec, err, sizeof err) < 0)
            fail_msg("%s", err);
        a->made = true;
    }
    if (a->ticks >= 40 || (a->made && per_bed[0] > 0))
        loop_stop(l);
}

static void test_sensor_missing_at_start_is_retried(void **state)
{
    char *dir = ww_test_tmpdir();
    char rec[4200], ini[4200], text[10000], err[512];
    snprintf(rec, sizeof rec, "%s/late.wwrec", dir);
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    snprintf(text, sizeof text,
             "[ward]\nname = T\ndatabase = x.db\n[sensors]\nreconnect_min_s = 1\n"
             "[bed.1]\nlabel = A\nsensor = replay:%s?stream=0\n",
             rec);
    ww_test_write_file(ini, text);
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 10};
    struct monitor *m = monitor_new(cfg, NULL, l, &mo, err, sizeof err);
    assert_non_null(m);
    memset(per_bed, 0, sizeof per_bed);
    monitor_on_reading(m, on_reading, NULL);
    assert_int_equal(ward_bed(monitor_ward(m), 0)->sensor, WSENS_DISCONNECTED);
    struct appear a = {rec, l, m, false, 0, WSENS_NONE};
    loop_add_timer(l, 100, true, on_appear, &a);
    monitor_start(m);
    loop_run(l);
    assert_int_equal(a.at_start, WSENS_DISCONNECTED);
    assert_true(a.made);
    assert_true(per_bed[0] > 0); /* opened on a retry, readings arrive */
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
        cmocka_unit_test(test_sensor_missing_at_start_is_retried),
    };
    return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
