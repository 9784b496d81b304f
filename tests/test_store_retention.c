/* Tests for src/store_retention.c: the record's retention (record_days,
 * batches, referrers before what they refer to, the append-only logs'
 * triggers, the audited pass, a ward clock ahead of the database's). Split
 * from test_store.c, which keeps the rest of the store; what reached the
 * file is checked through a separate sqlite3 connection. */
#include "ww_test.h"
#include "store_fixture.h"
#include "store.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static char db[4200];
static char err[2048];

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(db, sizeof db, "%s/ward.db", dir);
    err[0] = 0;
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

static void test_record_retention(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    const int64_t day = 86400000LL, now = ww_now_ms();
    const int64_t old = now - 400 * day, recent = now - 10 * day;
    assert_int_equal(store_record_days(st), 3650);
    assert_int_equal(store_set_record_days(st, 20, err, sizeof err), -1);
    assert_non_null(strstr(err, "record_days"));
    assert_int_equal(store_set_record_days(st, 365, err, sizeof err), 0);
    assert_int_equal(store_record_days(st), 365);
    /* An old, finished stay: admission, observation, note, alarm raised and
     * ended, audit, discharge, scores, sensor events, per-minute samples. */
    int64_t adm, aid, open_aid, nid;
    assert_int_equal(store_admit(st, 1, "P-OLD", "", "KN", old, &adm, err, sizeof err), 0);
    assert_int_equal(
        store_add_observation(st, adm, 1, "spo2", 95, "KN", old + 1000, err, sizeof err), 0);
    assert_int_equal(
        store_alarm_raise(st, 1, "rr-high", "medium", old + 2000, &aid, err, sizeof err), 0);
    assert_int_equal(
        store_add_note(st, 1, adm, aid, "doctor informed", "KN", old + 2500, &nid, err, sizeof err),
        0);
    assert_int_equal(
        store_alarm_event(st, aid, "ended", "ended", NULL, old + 3000, err, sizeof err), 0);
    assert_int_equal(store_discharge(st, adm, 1, "KN", old + 4000, err, sizeof err), 0);
    /* An old alarm still latched: kept with its events whatever its age. */
    assert_int_equal(store_alarm_raise(st, 2, "apnoea", "high", old, &open_aid, err, sizeof err),
                     0);
    assert_int_equal(
        store_alarm_event(st, open_aid, "latched", "latched", NULL, old + 1, err, sizeof err), 0);
    for (int i = 0; i < 30; i++) {
        struct store_score sc = {3, old + i * 1000, i % 4, {0, 0, 0, 0, 0, 0, 0}, 0, 0};
        store_queue_score(st, &sc);
        sc.t = recent + i * 1000;
        store_queue_score(st, &sc);
        store_queue_sensor_event(st, 3, old + i, "no signal", "old");
        struct store_sample smp = {3, old + i * 60000, 16, 70, 0.9f, STORE_F_PRESENT};
        store_queue_sample(st, &smp);
    }
    store_queue_sensor_event(st, 3, recent, "no signal", "recent");
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    while (store_downsample_and_prune(st, now, 600, err, sizeof err) > 0)
        ;
    /* A recent stay that must survive. */
    int64_t adm2;
    assert_int_equal(store_admit(st, 1, "P-NEW", "", "AB", recent, &adm2, err, sizeof err), 0);
    assert_int_equal(
        store_add_observation(st, adm2, 1, "temp", 37.5, "AB", recent + 1, err, sizeof err), 0);
    assert_int_equal(store_audit(st, "AB", "print", -1, "handover", recent + 2, err, sizeof err),
                     0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute"), 30);
    long long audit_before = fx_count_of(db, "audit");

    /* Plain SQL: no UPDATE of the audit or the alarm log, old or new; no
     * DELETE of a row younger than the retention. */
    assert_int_not_equal(fx_raw_sql(db, "UPDATE audit SET staff = 'XX'"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "UPDATE audit SET t = 0 WHERE staff = 'AB'"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "UPDATE alarm_events SET staff = 'XX'"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM audit WHERE staff = 'AB'"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM audit"), SQLITE_OK); /* all or nothing */
    assert_int_equal(fx_count_of(db, "audit"), audit_before);
    /* The retention itself: one row, at least 30 days, changes audited. */
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM retention"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "UPDATE retention SET record_days = 1"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "INSERT INTO retention VALUES(2, 30)"), SQLITE_OK);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE action = 'retention-changed'"
                                    " AND detail = 'record_days 3650 -> 365'"),
                     1);

    /* The prune: small batches until nothing is left. */
    int calls = 0;
    long total = 0, r;
    while ((r = store_prune_record(st, now, 7, err, sizeof err)) > 0) {
        assert_true(r <= 7);
        total += r;
        calls++;
        assert_true(calls < 100);
    }
    assert_int_equal(r, 0);
    assert_true(calls >= 5);
    /* Gone: the old stay (30 scores, 30 minutes, 30 sensor events, 1
     * observation, 1 note, the ended alarm and its 2 events, the admission
     * and its audit rows: admit, observation, note, discharge). */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM scores"), 30);
    assert_int_equal(fx_raw_int(db, "SELECT min(t) FROM scores") >= recent, 1);
    assert_int_equal(fx_count_of(db, "samples_minute"), 0);
    assert_int_equal(fx_count_of(db, "sensor_events"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM observations"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM notes"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM admissions"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM admissions WHERE patient_ref = 'P-NEW'"),
                     1);
    /* The latched alarm and its events stay; the ended one went. */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarms"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events WHERE alarm = 1"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events"), 2);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE t < "
                                    "(julianday('now') - 2440587.5) * 86400000 - 365 * 86400000.0"),
                     0);
    /* AB: admit, observation, print */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE staff = 'AB'"), 3);
    /* One audit row for the whole pass, with its count. */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE action = 'retention-prune'"),
                     1);
    char want[160];
    snprintf(want, sizeof want,
             "SELECT count(*) FROM audit WHERE action = 'retention-prune' AND detail LIKE "
             "'%ld rows older than 365 days%%'",
             total);
    assert_int_equal(fx_raw_int(db, want), 1);
    /* Integrity after it all. */
    store_close(st);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(store_check_file(db, devnull, err, sizeof err), 0);
    fclose(devnull);
}

/* A ward clock ahead of the database's (a fast replay) asks for no more
 * than the triggers allow: an audit row 100 days old by the database's
 * clock stays, and the prune does not fail on it. */
static void test_prune_with_the_ward_clock_ahead(void **state)
{
    const int64_t day = 86400000LL, now = ww_now_ms();
    struct store *st = fx_open_ward(db, err, sizeof err);
    assert_int_equal(store_set_record_days(st, 365, err, sizeof err), 0);
    store_close(st);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_record_days(st), 365);
    assert_int_equal(store_audit(st, "CD", "export", -1, NULL, now - 100 * day, err, sizeof err),
                     0);
    if (store_prune_record(st, now + 300 * day, 600, err, sizeof err) != 0)
        fail_msg("prune with the ward clock ahead: %s", err);
    assert_true(store_healthy(st));
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE staff = 'CD'"), 1);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune_with_the_ward_clock_ahead, setup, teardown),
    };
    return cmocka_run_group_tests_name("store_retention", tests, NULL, NULL);
}
