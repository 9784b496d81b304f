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

static int per_bed[200];
static float last_hr[200];
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

/* A ti-vs people capture of n people (ids 1..n, HR 50+id), frames frames. */
static void write_people(const char *path, int n, int frames)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct ti_vs_person p[32];
    uint8_t buf[8192];
    for (int i = 0; i < n; i++)
        p[i] = (struct ti_vs_person){(uint16_t)(i + 1), 0.4f, 50.0f + (float)(i + 1), 14};
    for (int fr = 0; fr < frames; fr++) {
        size_t len = encode_ti_vs_people(buf, sizeof buf, (uint32_t)fr + 1, p, (size_t)n);
        assert_true(len > 0);
        fwrite(buf, 1, len, f);
    }
    fclose(f);
}

/* H19-15: beds on one multi-patient radar share one reader however many
 * there are (a table of 16 once opened the port a second time for the 17th
 * bed: two readers of one serial port each get half the bytes). */
static void test_many_beds_one_sensor(void **state)
{
    enum { NB = 24 };
    char *dir = ww_test_tmpdir();
    char cap[4200], ini[4200], err[512];
    snprintf(cap, sizeof cap, "%s/people.bin", dir);
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    write_people(cap, NB, 100);
    size_t tn = 200 + NB * (80 + strlen(cap)), n = 0;
    char *text = malloc(tn);
    n += (size_t)snprintf(text, tn, "[ward]\nname = T\ndatabase = x.db\n");
    for (int i = 1; i <= NB; i++)
        n += (size_t)snprintf(text + n, tn - n,
                              "[bed.%d]\nlabel = P%d\nsensor = ti-vs:file:%s\ntarget = %d\n", i,
                              i, cap, i);
    ww_test_write_file(ini, text);
    free(text);
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 1};
    struct monitor *m = monitor_new(cfg, NULL, l, &mo, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(monitor_active_sources(m), 1);
    memset(per_bed, 0, sizeof per_bed);
    monitor_on_reading(m, on_reading, NULL);
    monitor_run_fast(m, 5);
    for (int i = 0; i < NB; i++) {
        assert_int_equal(per_bed[i], 100);
        assert_true(last_hr[i] == 50.0f + (float)(i + 1));
    }
    monitor_free(m);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

/* A 128-bed ward (twice the old limit), every bed on its own sensor: every
 * bed gets its readings. */
static void test_large_ward(void **state)
{
    enum { NB = 128 };
    char *dir = ww_test_tmpdir();
    char ini[4200], err[512];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    size_t tn = 200 + NB * (120 + strlen(dir)), n = 0;
    char *text = malloc(tn);
    n += (size_t)snprintf(text, tn, "[ward]\nname = T\ndatabase = x.db\n");
    for (int i = 1; i <= NB; i++) {
        char cap[4200];
        snprintf(cap, sizeof cap, "%s/c%d.bin", dir, i);
        write_people(cap, 1, 60);
        n += (size_t)snprintf(text + n, tn - n, "[bed.%d]\nlabel = Bed %d\nsensor = ti-vs:file:%s\n",
                              i, i, cap);
    }
    ww_test_write_file(ini, text);
    free(text);
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_int_equal(cfg->nbeds, NB);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 1};
    struct monitor *m = monitor_new(cfg, NULL, l, &mo, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(monitor_active_sources(m), NB);
    assert_int_equal(ward_nbeds(monitor_ward(m)), NB);
    memset(per_bed, 0, sizeof per_bed);
    monitor_on_reading(m, on_reading, NULL);
    monitor_run_fast(m, 5);
    for (int i = 0; i < NB; i++) {
        assert_int_equal(per_bed[i], 60);
        assert_true(last_hr[i] == 51.0f);
    }
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
        cmocka_unit_test(test_many_beds_one_sensor),
        cmocka_unit_test(test_large_ward),
    };
    return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
