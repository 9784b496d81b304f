/* Tests for src/store: migrations, refusal of newer/damaged files, audit
 * immutability, batching, flush failure keeping rows, restore, retention,
 * backup and check. */
#include "ww_test.h"
#include "store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store *store_open_version(const char *path, const char *group, int target, char *err,
                                 size_t errlen);

static char *dir;
static char db[4200];
static char err[1024];

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(db, sizeof db, "%s/ward.db", dir);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Run SQL through a separate connection; returns the sqlite3 rc. */
static int raw_sql(const char *sql)
{
    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_busy_timeout(d, 100);
    int rc = sqlite3_exec(d, sql, NULL, NULL, NULL);
    sqlite3_close(d);
    return rc;
}

/* One integer from a query on a separate connection. */
static long long raw_int(const char *sql)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    long long v = -1;
    sqlite3_open(db, &d);
    if (sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return v;
}

static void test_create_and_mode(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    struct stat sb;
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    store_close(st);
    assert_int_equal(raw_int("PRAGMA journal_mode") == -1, 0);
}

static void test_migration_from_v1(void **state)
{
    struct store *st = store_open_version(db, NULL, 1, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), 1);
    store_close(st);
    assert_int_equal(raw_sql("INSERT INTO beds VALUES(1, 'Rom 1');"
                             "INSERT INTO samples VALUES(1, 1000, 160, 720, 90, 1);"),
                     SQLITE_OK);
    assert_int_equal(raw_int("SELECT count(*) FROM sqlite_master WHERE name='samples_minute'"),
                     0);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), 2);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM sqlite_master WHERE name='samples_minute'"),
                     1);
    assert_int_equal(raw_int("SELECT rr10 FROM samples"), 160); /* data kept */
}

static void test_refuse_newer_and_damaged(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_close(st);
    assert_int_equal(raw_sql("PRAGMA user_version = 99"), SQLITE_OK);
    assert_null(store_open(db, NULL, err, sizeof err));
    assert_non_null(strstr(err, "newer than this wardwatch"));
    /* Garbage over the pages of a real database. */
    assert_int_equal(raw_sql("PRAGMA user_version = 2"), SQLITE_OK);
    st = store_open(db, NULL, err, sizeof err);
    for (int i = 0; i < 2000; i++) {
        struct store_sample s = {1, i * 1000LL, 16, 70, 0.9f, 1};
        store_queue_sample(st, &s);
    }
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    store_close(st);
    raw_sql("PRAGMA wal_checkpoint(TRUNCATE)");
    FILE *f = fopen(db, "r+b");
    fseek(f, 4096, SEEK_SET);
    for (int i = 0; i < 12288; i++)
        fputc(0xA5, f);
    fclose(f);
    assert_null(store_open(db, NULL, err, sizeof err));
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, "backup"));
    assert_int_not_equal(store_check_file(db, stderr, err, sizeof err), 0);
}

static void test_audit_is_append_only(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    int64_t adm;
    assert_int_equal(store_admit(st, 1, "P-123", "chest pain", "KN", 1000, &adm, err, sizeof err),
                     0);
    assert_true(adm > 0);
    int64_t aid;
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", 2000, &aid, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM audit WHERE action='admit' AND staff='KN'"), 1);
    assert_int_not_equal(raw_sql("UPDATE audit SET staff = 'XX'"), SQLITE_OK);
    assert_int_not_equal(raw_sql("DELETE FROM audit"), SQLITE_OK);
    assert_int_not_equal(raw_sql("DELETE FROM alarm_events"), SQLITE_OK);
    assert_int_not_equal(raw_sql("UPDATE alarm_events SET staff = 'XX'"), SQLITE_OK);
    assert_int_equal(raw_int("SELECT count(*) FROM audit WHERE staff='KN'"), 1);
}

static void test_batching_and_reopen(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_sync_bed(st, 2, "Rom 2", err, sizeof err);
    for (int i = 0; i < 100; i++) {
        struct store_sample s = {2, 1000LL * i, 15.5f, NAN, 0.8f, STORE_F_PRESENT};
        store_queue_sample(st, &s);
    }
    struct store_score sc = {2, 5000, 5, {3, -1, -1, -1, 2, -1, -1}, 2, 0x6e};
    store_queue_score(st, &sc);
    store_queue_sensor_event(st, 2, 6000, "disconnected", "unplugged");
    assert_int_equal(raw_int("SELECT count(*) FROM samples"), 0); /* not before flush */
    assert_int_equal(store_queued(st), 102);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(store_queued(st), 0);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM samples"), 100);
    assert_int_equal(raw_int("SELECT count(*) FROM samples WHERE hr10 IS NULL"), 100);
    assert_int_equal(raw_int("SELECT rr10 FROM samples LIMIT 1"), 155);
    assert_int_equal(raw_int("SELECT total FROM scores"), 5);
    assert_int_equal(raw_int("SELECT count(*) FROM sensor_events"), 1);
    /* Reopen keeps everything and accepts more. */
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct store_sample s = {2, 999999, 20, 80, 1, 0};
    store_queue_sample(st, &s);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM samples"), 101);
}

static void test_flush_failure_keeps_rows(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_sync_bed(st, 1, "A", err, sizeof err);
    sqlite3 *locker;
    sqlite3_open(db, &locker);
    assert_int_equal(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 50; i++) {
        struct store_sample s = {1, 1000LL * i, 12, 60, 1, 1};
        store_queue_sample(st, &s);
    }
    assert_int_equal(store_flush(st, err, sizeof err), -1);
    assert_false(store_healthy(st));
    assert_int_equal(store_queued(st), 50);
    int64_t id;
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", 1, &id, err, sizeof err), -1);
    sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(locker);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_true(store_healthy(st));
    struct store_stats stt;
    store_get_stats(st, &stt);
    assert_int_equal(stt.failed_flushes, 1);
    assert_int_equal(stt.dropped_samples, 0);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM samples"), 50);
}

static int nadm, nalarm;
static struct store_alarm last_alarm;
static void on_adm(void *ctx, const struct store_admission *a)
{
    nadm++;
    assert_string_equal(a->patient_ref, "P-9");
    assert_true(a->scale2);
    assert_string_equal(a->scale2_by, "Dr Berg");
    assert_true(a->has_limits);
    assert_true(a->rr_high == 30);
}
static void on_alarm(void *ctx, const struct store_alarm *a)
{
    nalarm++;
    last_alarm = *a;
}
static int nobs;
static void on_obs(void *ctx, const struct store_observation *o)
{
    nobs++;
    if (!strcmp(o->param, "spo2"))
        assert_true(o->value == 91);
}

static void test_commands_and_restore(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_sync_bed(st, 3, "Rom 3", err, sizeof err);
    int64_t adm, a1, a2;
    assert_int_equal(store_admit(st, 3, "P-9", "COPD", "KN", 100, &adm, err, sizeof err), 0);
    assert_int_equal(store_set_scale2(st, adm, 3, true, "Dr Berg", "KN", 200, err, sizeof err), 0);
    assert_int_equal(store_set_limits(st, adm, 3, 8, 30, 40, 131, "COPD baseline RR 26", "KN",
                                      300, err, sizeof err),
                     0);
    assert_int_equal(store_add_observation(st, adm, 3, "spo2", 89, "KN", 400, err, sizeof err), 0);
    assert_int_equal(store_add_observation(st, adm, 3, "spo2", 91, "KN", 500, err, sizeof err), 0);
    assert_int_equal(store_add_observation(st, adm, 3, "temp", 37.2, "KN", 500, err, sizeof err),
                     0);
    assert_int_equal(store_alarm_raise(st, 3, "rr-high", "medium", 600, &a1, err, sizeof err), 0);
    assert_int_equal(store_alarm_raise(st, 3, "apnoea", "high", 610, &a2, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a1, "acknowledged", "acknowledged", "ÅSE", 700, err,
                                       sizeof err),
                     0);
    assert_int_equal(store_alarm_event(st, a2, "ended", "ended", NULL, 800, err, sizeof err), 0);
    int64_t note;
    assert_int_equal(store_add_note(st, 3, adm, a1, "Pasient hoster, RR-artefakt \x1b[2J", "ÅSE",
                                    710, &note, err, sizeof err),
                     0);
    assert_int_equal(store_alarm_event(st, 9999, "ended", "ended", NULL, 800, err, sizeof err),
                     -1);
    store_close(st);
    st = store_open(db, NULL, err, sizeof err);
    nadm = nalarm = nobs = 0;
    assert_int_equal(store_load_admissions(st, on_adm, NULL, err, sizeof err), 0);
    assert_int_equal(nadm, 1);
    assert_int_equal(store_load_open_alarms(st, on_alarm, NULL, err, sizeof err), 0);
    assert_int_equal(nalarm, 1);
    assert_string_equal(last_alarm.state, "acknowledged");
    assert_string_equal(last_alarm.acked_by, "ÅSE");
    assert_int_equal(last_alarm.acked_at, 700);
    assert_int_equal(store_load_latest_observations(st, adm, on_obs, NULL, err, sizeof err), 0);
    assert_int_equal(nobs, 2);
    assert_int_equal(store_discharge(st, adm, 3, "KN", 900, err, sizeof err), 0);
    assert_int_equal(store_discharge(st, adm, 3, "KN", 900, err, sizeof err), -1);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM audit WHERE action='alarm-acknowledged'"
                             " AND staff='ÅSE'"),
                     1);
    assert_int_equal(raw_int("SELECT count(*) FROM notes WHERE text LIKE '%\x1b%'"), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM audit"), 9);
}

static void test_downsample(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_sync_bed(st, 1, "A", err, sizeof err);
    int64_t t0 = 600000; /* minute 10 */
    for (int i = 0; i < 180; i++) {
        struct store_sample s = {1, t0 + i * 1000LL, (float)(10 + i % 60), 70, 1, 1};
        store_queue_sample(st, &s);
    }
    store_flush(st, err, sizeof err);
    long total = 0, r;
    int calls = 0;
    /* Cut at minute 12: two whole minutes go, the third stays. */
    while ((r = store_downsample(st, t0 + 120000 + 500, 60, err, sizeof err)) > 0) {
        total += r;
        calls++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(total, 120);
    assert_int_equal(calls, 2);
    store_close(st);
    assert_int_equal(raw_int("SELECT count(*) FROM samples"), 60);
    assert_int_equal(raw_int("SELECT count(*) FROM samples_minute"), 2);
    assert_int_equal(raw_int("SELECT rr_min FROM samples_minute WHERE minute = 10"), 100);
    assert_int_equal(raw_int("SELECT rr_max FROM samples_minute WHERE minute = 10"), 690);
    assert_int_equal(raw_int("SELECT rr_med FROM samples_minute WHERE minute = 10"), 400);
}

static void test_backup_and_check(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_sync_bed(st, 1, "A", err, sizeof err);
    int64_t adm;
    store_admit(st, 1, "P-1", "", "KN", 1, &adm, err, sizeof err);
    char copy[4300];
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    assert_int_equal(store_backup(st, copy, err, sizeof err), 0);
    assert_int_equal(store_backup(st, copy, err, sizeof err), -1); /* no overwrite */
    store_close(st);
    struct stat sb;
    stat(copy, &sb);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(store_check_file(copy, devnull, err, sizeof err), 0);
    assert_int_equal(store_check_file("/nonexistent.db", devnull, err, sizeof err), -1);
    fclose(devnull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_newer_and_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batching_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_failure_keeps_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_and_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_downsample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_check, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
