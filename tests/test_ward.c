/* Tests for src/ward: readings -> smoothed values -> NEWS2 -> alarms ->
 * store; staleness; commands; restart restoration. */
#include "ww_test.h"
#include "config.h"
#include "store.h"
#include "ward.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static char ini[4200], db[4200];
static struct ward_config cfg;
static int nraised;
static char last_event[300];

static int64_t apnoea_at, nosig_at;

static void on_event(void *ctx, const struct ward_event *ev)
{
    if (ev->kind == WEV_ALARM && ev->alarm->kind == AE_RAISED) {
        nraised++;
        if (ev->alarm->cond == AC_APNOEA && !apnoea_at)
            apnoea_at = ev->alarm->t;
        if (ev->alarm->cond == AC_NO_SIGNAL && !nosig_at)
            nosig_at = ev->alarm->t;
    }
    snprintf(last_event, sizeof last_event, "%s", ev->text);
}

static int setup(void **state)
{
    char err[1024];
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    snprintf(db, sizeof db, "%s/ward.db", dir);
    char text[8000];
    snprintf(text, sizeof text,
             "[ward]\nname = Test\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\nsensor = "
             "ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n");
    ww_test_write_file(ini, text);
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    nraised = 0;
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* A patient in bed 1 (index 0): only an occupied bed is scored and alarms. */
static void admit0(struct ward *w, int64_t t)
{
    char err[256];
    if (ward_cmd_admit(w, 0, "P-1", "", "KN", t, err, sizeof err) < 0)
        fail_msg("%s", err);
}

/* A full set of normal manual observations (one commit). */
static void enter_set(struct ward *w, int64_t t)
{
    char err[256];
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {"97", "air", "125", "A", "37.0"};
    if (ward_cmd_observations(w, 0, p, v, 5, "KN", t, err, sizeof err) < 0)
        fail_msg("%s", err);
}

/* Feed a reading per second for n seconds from t0, ticking. */
static int64_t feed(struct ward *w, int64_t t0, int n, float rr, float hr)
{
    for (int i = 0; i < n; i++) {
        struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE, .rr = rr,
                            .hr = hr, .presence = true};
        ward_reading(w, 0, &r, t0 + i * 1000LL);
        ward_tick(w, t0 + i * 1000LL);
    }
    return t0 + n * 1000LL;
}

static void test_readings_smoothing_and_staleness(void **state)
{
    char err[256];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_non_null(w);
    admit0(w, 1700000000000LL);
    int64_t t = feed(w, 1700000000000LL, 40, 16, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_true(b->param[NEWS2_RR].have && b->param[NEWS2_RR].automatic);
    assert_true(fabs(b->param[NEWS2_RR].value - 16) < 0.01);
    assert_int_equal(b->sensor, WSENS_OK);
    /* A 10 s artefact does not move the smoothed value. */
    t = feed(w, t, 10, 40, 70);
    assert_true(b->param[NEWS2_RR].value < 17);
    /* The sensor goes quiet: the value turns stale after 60 s, never current. */
    for (int i = 0; i < 70; i++)
        ward_tick(w, t + i * 1000LL);
    assert_true(b->param[NEWS2_RR].stale);
    assert_true(b->score.stale & (1u << NEWS2_RR));
    assert_int_equal(b->sensor, WSENS_NO_SIGNAL);
    ward_free(w);
}

static void test_sustained_change_alarms_within_a_minute(void **state)
{
    char err[256];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    admit0(w, 1700000000000LL);
    enter_set(w, 1700000000000LL);
    ward_set_listener(w, on_event, NULL);
    int64_t t = feed(w, 1700000000000LL, 60, 16, 70);
    assert_int_equal(nraised, 0);
    int64_t start = t;
    int secs = 0;
    while (nraised == 0 && secs < 120) {
        t = feed(w, t, 1, 28, 70);
        secs++;
    }
    /* RR 28 raises rr-high and NEWS2 low-medium; both within ~40 s. */
    assert_true(nraised >= 1);
    assert_in_range((t - start) / 1000, 30, 60);
    ward_free(w);
}

/* Present, heart rate only (no breathing reported), for n seconds. */
static int64_t feed_no_breath(struct ward *w, int64_t t0, int n)
{
    for (int i = 0; i < n; i++) {
        struct reading r = {.have = READING_HR | READING_PRESENCE, .hr = 70, .presence = true};
        ward_reading(w, 0, &r, t0 + i * 1000LL);
        ward_tick(w, t0 + i * 1000LL);
    }
    return t0 + n * 1000LL;
}

/* Breathing stops: apnoea after apnoea_s. After a sensor gap, a sensor
 * warming up (present, no breathing yet) is not apnoea until the warm-up
 * allowance has passed. */
static void test_apnoea_and_sensor_warmup(void **state)
{
    char err[256];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_non_null(w);
    admit0(w, 1700000000000LL);
    ward_set_listener(w, on_event, NULL);
    apnoea_at = 0;
    int64_t t = feed(w, 1700000000000LL, 60, 14, 70);
    int64_t stop = t - 1000; /* the last breath */
    t = feed_no_breath(w, t, 40);
    assert_true(apnoea_at > 0);
    assert_in_range((apnoea_at - stop) / 1000, cfg.apnoea_s, cfg.apnoea_s + 5);
    ward_free(w);

    w = ward_new(&cfg, NULL, err, sizeof err);
    admit0(w, 1700000000000LL);
    ward_set_listener(w, on_event, NULL);
    apnoea_at = 0;
    t = feed(w, 1700000000000LL, 60, 14, 70);
    ward_sensor_state(w, 0, WSENS_DISCONNECTED, "unplugged", t);
    for (int i = 0; i < 30; i++)
        ward_tick(w, t + i * 1000LL);
    t += 30000;
    ward_sensor_state(w, 0, WSENS_STARTING, "back", t);
    int64_t back = t;
    nosig_at = 0;
    t = feed_no_breath(w, t, WARD_SENSOR_WARMUP_S);
    assert_int_equal(apnoea_at, 0); /* warming up: no apnoea */
    t = feed_no_breath(w, t, cfg.apnoea_s + cfg.technical_delay_s + 5);
    /* H16-3: no breath since the signal came back is not apnoea: it is "no
     * valid signal", a technical alarm, after the warm-up plus apnoea_s. */
    assert_int_equal(apnoea_at, 0);
    assert_true(nosig_at > 0);
    assert_in_range((nosig_at - back) / 1000, WARD_SENSOR_WARMUP_S + cfg.apnoea_s,
                    WARD_SENSOR_WARMUP_S + cfg.apnoea_s + cfg.technical_delay_s + 2);
    /* A breath, then none: now it is apnoea, after apnoea_s. */
    t = feed(w, t, 5, 14, 70);
    int64_t last = t - 1000;
    t = feed_no_breath(w, t, cfg.apnoea_s + 5);
    assert_true(apnoea_at > 0);
    assert_in_range((apnoea_at - last) / 1000, cfg.apnoea_s, cfg.apnoea_s + 2);
    ward_free(w);

    /* Breathing seen during the warm-up ends the allowance. */
    w = ward_new(&cfg, NULL, err, sizeof err);
    admit0(w, 1700000000000LL);
    ward_set_listener(w, on_event, NULL);
    apnoea_at = 0;
    t = feed(w, 1700000000000LL, 30, 14, 70);
    stop = t - 1000;
    t = feed_no_breath(w, t, cfg.apnoea_s + 5);
    assert_true(apnoea_at > 0 && (apnoea_at - stop) / 1000 <= cfg.apnoea_s + 5);
    ward_free(w);
}

static void test_commands_stored_and_restored(void **state)
{
    char err[256];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    assert_int_equal(ward_cmd_admit(w, 0, "P-77", "fall", "KN", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(w, 0, "P-78", "", "KN", t, err, sizeof err), -1);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "95", "KN", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "9x", "KN", t, err, sizeof err), -1);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "95", "", t, err, sizeof err), -1);
    assert_int_equal(ward_cmd_observation(w, 0, "bp", "95", "KN", t, err, sizeof err), -1);
    assert_int_equal(ward_cmd_note(w, 0, 0, "Pasienten er urolig, æøå", "KN", t, err, sizeof err),
                     0);
    t = feed(w, t, 60, 30, 140); /* RR and HR high */
    const struct ward_bed *b = ward_bed(w, 0);
    int c = alarm_most_urgent(&b->alarms);
    assert_true(c >= 0);
    int64_t id = b->alarms.a[c].id;
    assert_true(id > 0);
    /* what raised the HR alarm (H19-49: kept across a restart) */
    assert_true(b->alarms.a[AC_HR_HIGH].state != AS_NONE);
    double hr_value = b->alarms.a[AC_HR_HIGH].trig_value, hr_limit = b->alarms.a[AC_HR_HIGH].trig_limit;
    assert_true(isfinite(hr_value) && isfinite(hr_limit) && hr_value >= hr_limit);
    assert_int_equal(ward_cmd_ack(w, 0, id, "ÅSE", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_ack(w, 0, id, "ÅSE", t, err, sizeof err), -1);
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    int raised_before = nraised;
    ward_free(w);
    store_close(st);

    /* Restart: the admission, observation and acknowledged alarm come back.
     * The core summarises the minute the stop left open first (monitor.c). */
    st = store_open(db, NULL, err, sizeof err);
    assert_true(store_recover_minutes(st, err, sizeof err) >= 0);
    w = ward_new(&cfg, st, err, sizeof err);
    ward_set_listener(w, on_event, NULL);
    nraised = 0;
    assert_int_equal(ward_restore(w, t, err, sizeof err), 0);
    b = ward_bed(w, 0);
    assert_true(b->admitted);
    assert_string_equal(b->patient_ref, "P-77");
    assert_true(b->param[NEWS2_SPO2].have);
    assert_string_equal(b->param[NEWS2_SPO2].by, "KN");
    assert_true(b->alarms.a[c].acked);
    assert_string_equal(b->alarms.a[c].acked_by, "ÅSE");
    /* the alarm list still says "HR 140 >= 131" after the restart */
    assert_true(b->alarms.a[AC_HR_HIGH].trig_value == hr_value);
    assert_true(b->alarms.a[AC_HR_HIGH].trig_limit == hr_limit);
    /* H19-50: the trends come back with the rest: the minutes of RR 30 and
     * HR 140 before the restart, and the NEWS2 in force then (they were
     * in memory only: the bed detail's graphs began again empty) */
    float rr_before = hist_mean(&b->h_rr, t - 60000, t), hr_before = hist_mean(&b->h_hr, t - 60000, t);
    float n2_before = hist_mean(&b->h_news2, t - 60000, t);
    if (!(fabsf(rr_before - 30) < 0.01f && fabsf(hr_before - 140) < 0.01f && n2_before > 0))
        fail_msg("trends after restore: RR %.2f HR %.2f NEWS2 %.2f", rr_before, hr_before,
                 n2_before);
    t = feed(w, t, 30, 30, 140);
    assert_true(b->alarms.a[c].acked); /* no re-alert before realert_s */
    assert_int_equal(b->alarms.a[c].id, id);
    (void)raised_before;
    ward_free(w);
    store_close(st);

    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(d, "SELECT count(*) FROM audit WHERE staff='ÅSE'", -1, &s, NULL);
    sqlite3_step(s);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    sqlite3_prepare_v2(d, "SELECT count(*) FROM samples WHERE bed = 1", -1, &s, NULL);
    sqlite3_step(s);
    assert_true(sqlite3_column_int(s, 0) >= 60);
    sqlite3_finalize(s);
    sqlite3_close(d);
}

/* A string column of the first row a query returns ("" when none). */
static void query_text(const char *sql, char *out, size_t n)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    out[0] = 0;
    assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(d);
}

/* H19-20: a NEWS2-high alarm that latched and then escalated (nobody saw
 * it) was stored as 'active': exported as active and, after a restart,
 * restored as a present condition instead of a latch waiting for reset. */
static void test_escalated_latched_alarm_stored_latched(void **state)
{
    char err[256], got[64];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    admit0(w, t);
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *bad[] = {"91", "air", "125", "A", "37.0"};
    const char *good[] = {"97", "air", "125", "A", "37.0"};
    assert_int_equal(ward_cmd_observations(w, 0, p, bad, 5, "KN", t, err, sizeof err), 0);
    const struct ward_bed *b = ward_bed(w, 0);
    const struct alarm *a = &b->alarms.a[AC_NEWS2_HIGH];
    /* RR 3 + HR 3 + SpO2 3 = 9 until NEWS2 high is raised */
    for (int i = 0; i < 120 && a->state == AS_NONE; i++)
        t = feed(w, t, 1, 30, 140);
    assert_int_equal(a->state, AS_ACTIVE);
    int64_t raised = a->raised_at;
    assert_int_equal(ward_cmd_observations(w, 0, p, good, 5, "KN", t, err, sizeof err), 0);
    while (t < raised + (cfg.escalate_s + 30) * 1000LL)
        t = feed(w, t, 1, 16, 70);
    assert_int_equal(a->state, AS_LATCHED);
    assert_true(a->escalated);
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    query_text("SELECT state FROM alarms WHERE condition = 'news2-high'", got, sizeof got);
    assert_string_equal(got, "latched");
    ward_free(w);
    store_close(st);

    /* Restart: it comes back latched, escalated, waiting for a reset. */
    st = store_open(db, NULL, err, sizeof err);
    w = ward_new(&cfg, st, err, sizeof err);
    assert_int_equal(ward_restore(w, t, err, sizeof err), 0);
    b = ward_bed(w, 0);
    assert_int_equal(b->alarms.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    assert_true(b->alarms.a[AC_NEWS2_HIGH].escalated);
    ward_free(w);
    store_close(st);
}

static void test_staff_list_enforced(void **state)
{
    char err[256], staff[4300];
    snprintf(staff, sizeof staff, "%s/staff.txt", dir);
    ww_test_write_file(staff, "KN\n");
    ww_test_write_file(ini, "[ward]\nname = T\nstaff = staff.txt\n[bed.1]\nlabel = A\n");
    assert_int_equal(config_load(ini, &cfg, err, sizeof err), 0);
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_int_equal(ward_cmd_admit(w, 0, "P-1", "", "ZZ", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "staff list"));
    assert_int_equal(ward_cmd_admit(w, 0, "P-1", "", "KN", 1, err, sizeof err), 0);
    assert_int_equal(ward_find_bed(w, "A"), 0);
    assert_int_equal(ward_find_bed(w, "1"), 0);
    assert_int_equal(ward_find_bed(w, "B"), -1);
    ward_free(w);
}

static void test_escalation_runs_paging_hook(void **state)
{
    char err[256], hook[4300], out[4300], text[9000];
    snprintf(hook, sizeof hook, "%s/page.sh", dir);
    snprintf(out, sizeof out, "%s/paged.txt", dir);
    snprintf(text, sizeof text, "#!/bin/sh\nprintf '%%s|' \"$@\" >> '%s'\n", out);
    ww_test_write_file(hook, text);
    chmod(hook, 0755);
    snprintf(text, sizeof text,
             "[ward]\nname = T\n[alarms]\nescalate_s = 30\nescalate_command = %s\n"
             "[bed.1]\nlabel = Rom 1 $HOME `id`\nsensor = ti-vs:file:/dev/null\n",
             hook);
    ww_test_write_file(ini, text);
    chmod(ini, 0644);
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    admit0(w, 1700000000000LL);
    int64_t t = feed(w, 1700000000000LL, 30, 16, 70);
    t = feed(w, t, 80, 16, 150); /* HR high: raised after 20 s, escalates 30 s later */
    ward_free(w);
    for (int i = 0; i < 30; i++) { /* the hook runs asynchronously */
        FILE *f = fopen(out, "r");
        if (f) {
            char buf[256] = "";
            if (!fgets(buf, sizeof buf, f))
                buf[0] = 0;
            fclose(f);
            /* the label arrives verbatim: no shell expanded $HOME or `id` */
            if (strstr(buf, "Rom 1 $HOME `id`|hr-high|medium|"))
                return;
        }
        usleep(100000);
    }
    fail_msg("the paging hook did not run");
}

/* #19 defect 1: the ward reaps only its own paging hooks, by pid. A child
 * someone else started (lp for a print) keeps its exit status for its
 * owner: a failed print can never be collected by the ward's tick and then
 * be audited as printed. */
static void test_tick_leaves_other_children_alone(void **state)
{
    char err[256];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    pid_t pid = fork();
    if (pid == 0)
        _exit(3); /* lp failing */
    assert_true(pid > 0);
    usleep(100000);
    for (int i = 0; i < 3; i++)
        ward_tick(w, 1700000000000LL + i * 1000LL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    ward_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readings_smoothing_and_staleness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sustained_change_alarms_within_a_minute, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apnoea_and_sensor_warmup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_stored_and_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalated_latched_alarm_stored_latched, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_staff_list_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalation_runs_paging_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_leaves_other_children_alone, setup, teardown),
    };
    return cmocka_run_group_tests_name("ward", tests, NULL, NULL);
}
