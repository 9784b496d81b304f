/* Tests for src/store: creation modes, migrations (from a hand-made v1, from
 * v2, a failing one rolled back), refusal of newer and damaged files, audit
 * and alarm-event immutability, batched flushes (all-or-nothing, kept on
 * failure, ring overflow), commands confirmed only after COMMIT and their
 * refusals, restore, range queries, retention, backup and check. Every
 * check of what reached the file is made through a separate sqlite3
 * connection, as another process would see it. */
#include "ww_test.h"
#include "store_fixture.h"
#include "store.h"
#include "util.h"

#include <grp.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Permission bits of a file (-1 when missing). */
static int mode_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/* Schema version 1 exactly as it was released: frozen here so an edit to
 * the released migration (which old files would never see) is caught. */
static const char v1_schema[] =
    "CREATE TABLE beds(number INTEGER PRIMARY KEY, label TEXT NOT NULL);"
    "CREATE TABLE admissions(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL REFERENCES beds(number),"
    " patient_ref TEXT NOT NULL, admitted_at INTEGER NOT NULL, admitted_by TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '', discharged_at INTEGER, discharged_by TEXT,"
    " scale2 INTEGER NOT NULL DEFAULT 0, scale2_by TEXT, scale2_at INTEGER,"
    " rr_low REAL, rr_high REAL, hr_low REAL, hr_high REAL, limits_reason TEXT, limits_by TEXT);"
    "CREATE TABLE samples(bed INTEGER NOT NULL, t INTEGER NOT NULL, rr10 INTEGER, hr10 INTEGER,"
    " q INTEGER, flags INTEGER NOT NULL, PRIMARY KEY(bed, t)) WITHOUT ROWID;"
    "CREATE TABLE observations(id INTEGER PRIMARY KEY, admission INTEGER REFERENCES "
    "admissions(id), bed INTEGER NOT NULL, param TEXT NOT NULL, value REAL NOT NULL,"
    " entered_by TEXT NOT NULL, t INTEGER NOT NULL);"
    "CREATE TABLE scores(bed INTEGER NOT NULL, t INTEGER NOT NULL, total INTEGER NOT NULL,"
    " p_rr INTEGER, p_spo2 INTEGER, p_o2 INTEGER, p_sbp INTEGER, p_hr INTEGER, p_acvpu INTEGER,"
    " p_temp INTEGER, band INTEGER NOT NULL, partial_mask INTEGER NOT NULL,"
    " PRIMARY KEY(bed, t)) WITHOUT ROWID;"
    "CREATE TABLE alarms(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, condition TEXT NOT NULL,"
    " priority TEXT NOT NULL, raised_at INTEGER NOT NULL, state TEXT NOT NULL,"
    " acked_by TEXT, acked_at INTEGER, ended_at INTEGER, reset_by TEXT, reset_at INTEGER,"
    " escalated INTEGER NOT NULL DEFAULT 0, last_alert_at INTEGER);"
    "CREATE TABLE alarm_events(id INTEGER PRIMARY KEY, alarm INTEGER NOT NULL REFERENCES "
    "alarms(id), t INTEGER NOT NULL, event TEXT NOT NULL, staff TEXT, detail TEXT);"
    "CREATE TABLE notes(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, admission INTEGER "
    "REFERENCES admissions(id), alarm INTEGER REFERENCES alarms(id), t INTEGER NOT NULL,"
    " staff TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE TABLE sensor_events(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, t INTEGER NOT NULL,"
    " event TEXT NOT NULL, detail TEXT);"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, staff TEXT NOT NULL,"
    " action TEXT NOT NULL, bed INTEGER, detail TEXT);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
    "PRAGMA user_version = 1;";

static void test_create_modes_and_pragmas(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    assert_true(store_healthy(st));
    assert_int_equal(mode_of(db), 0600);
    /* SQLite's side files appear with the first write; no wider either. */
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", db);
    assert_int_equal(mode_of(side), 0600);
    snprintf(side, sizeof side, "%s-shm", db);
    assert_int_equal(mode_of(side), 0600);
    assert_int_equal(fx_raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    store_close(st);
    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(d, "PRAGMA journal_mode", -1, &s, NULL);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(d);
}

static void test_group_mode(void **state)
{
    struct group *g = getgrnam("adm");
    if (!g)
        g = getgrnam("daemon");
    if (!g || geteuid() != 0) {
        skip(); /* needs a second group we may chown to */
        return;
    }
    gid_t gid = g->gr_gid;
    char name[64];
    snprintf(name, sizeof name, "%s", g->gr_name);
    struct store *st = store_open(db, name, err, sizeof err);
    assert_non_null(st);
    store_close(st);
    struct stat sb;
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0640);
    assert_int_equal(sb.st_gid, gid);
    /* An unknown group is refused by name, and no file is left behind. */
    char other[4300];
    snprintf(other, sizeof other, "%s/other.db", dir);
    assert_null(store_open(other, "no-such-group-ww", err, sizeof err));
    assert_non_null(strstr(err, "no-such-group-ww"));
    assert_int_equal(access(other, F_OK), -1);
}

static void test_migration_from_hand_made_v1(void **state)
{
    assert_int_equal(fx_raw_sql(db, v1_schema), SQLITE_OK);
    assert_int_equal(
        fx_raw_sql(db, "INSERT INTO beds VALUES(1, 'Rom 1');"
                       "INSERT INTO beds VALUES(2, 'Rom 2');"
                       "INSERT INTO samples VALUES(1, 1000, 160, 720, 90, 1);"
                       "INSERT INTO admissions(id, bed, patient_ref, admitted_at, "
                       "admitted_by) VALUES(7, 1, 'P-1', 10, 'KN');"
                       "INSERT INTO alarms(id, bed, condition, priority, raised_at, state)"
                       " VALUES(1, 1, 'rr-high', 'high', 20, 'latched');"
                       "INSERT INTO alarms(id, bed, condition, priority, raised_at, state)"
                       " VALUES(2, 1, 'apnoea', 'high', 30, 'reset');"
                       "INSERT INTO alarm_events(alarm, t, event) VALUES(2, 31, 'latched');"
                       "INSERT INTO audit(t, staff, action) VALUES(5, 'KN', 'admit');"),
        SQLITE_OK);
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name='samples_minute'"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name='sources'"), 1);
    /* Data kept, new columns in place, latched backfilled from the state
     * (alarm 1) but not for an alarm already reset (alarm 2). */
    assert_int_equal(fx_raw_int(db, "SELECT rr10 FROM samples"), 160);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples WHERE source IS NULL"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT latched FROM alarms WHERE id = 1"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT latched FROM alarms WHERE id = 2"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit"), 1);
    /* v2's triggers now guard the alarm log too (v4: rows younger than the
     * retention; this one is from 1970 and may leave, a fresh one not). */
    assert_int_equal(fx_raw_sql(db, "INSERT INTO alarm_events(alarm, t, event) VALUES(2,"
                                    " CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),"
                                    " 'reset')"),
                     SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM alarm_events"), SQLITE_OK);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events"), 2);
    /* v3: a second open admission on bed 1 is refused by the schema itself. */
    assert_int_not_equal(fx_raw_sql(db, "INSERT INTO admissions(bed, patient_ref, admitted_at, "
                                        "admitted_by) VALUES(1, 'P-2', 11, 'KN')"),
                         SQLITE_OK);
}

static void test_migration_from_v2(void **state)
{
    struct store_options o = {.schema_version = 2};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), 2);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name='sources'"), 0);
    assert_int_equal(
        fx_raw_sql(db, "INSERT INTO beds VALUES(4, 'Rom 4');"
                       "INSERT INTO alarms(id, bed, condition, priority, raised_at, state)"
                       " VALUES(3, 4, 'hr-low', 'high', 20, 'acknowledged');"
                       "INSERT INTO alarm_events(alarm, t, event) VALUES(3, 21, 'latched');"),
        SQLITE_OK);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name='sources'"), 1);
    /* Latched earlier, acknowledged since, not reset: still latched. */
    assert_int_equal(fx_raw_int(db, "SELECT latched FROM alarms WHERE id = 3"), 1);
}

static void test_failed_migration_changes_nothing(void **state)
{
    struct store_options o = {.schema_version = 2};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    store_close(st);
    /* Two open admissions on one bed: step 3's unique index cannot be built. */
    assert_int_equal(fx_raw_sql(db,
                                "INSERT INTO beds VALUES(1, 'Rom 1');"
                                "INSERT INTO admissions(bed, patient_ref, admitted_at, admitted_by)"
                                " VALUES(1, 'P-1', 1, 'KN'), (1, 'P-2', 2, 'KN');"),
                     SQLITE_OK);
    assert_null(store_open(db, NULL, err, sizeof err));
    assert_non_null(strstr(err, "migration from schema version 2 to 3 failed"));
    assert_int_equal(fx_raw_int(db, "PRAGMA user_version"), 2);
    /* The whole step rolled back: no table or column from it. */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name='sources'"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM pragma_table_info('alarms')"
                                    " WHERE name = 'latched'"),
                     0);
}

static void test_refuse_newer(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    store_close(st);
    assert_int_equal(fx_raw_sql(db, "PRAGMA user_version = 99"), SQLITE_OK);
    assert_null(store_open(db, NULL, err, sizeof err));
    assert_non_null(strstr(err, "schema version 99 is newer than this wardwatch (6)"));
    assert_non_null(strstr(err, db));
    assert_int_equal(fx_raw_int(db, "PRAGMA user_version"), 99); /* untouched */
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(store_check_file(db, devnull, err, sizeof err), -1);
    assert_non_null(strstr(err, "newer"));
    fclose(devnull);
}

static void test_refuse_damaged(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    for (int i = 0; i < 3000; i++) {
        struct store_sample s = {1 + i % 3, i * 1000LL, 16, 70, 0.9f, 1};
        store_queue_sample(st, &s);
    }
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(fx_raw_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
    /* Garbage over pages 2-4 of a real database. */
    FILE *f = fopen(db, "r+b");
    assert_non_null(f);
    fseek(f, 4096, SEEK_SET);
    for (int i = 0; i < 3 * 4096; i++)
        fputc(0xA5, f);
    fclose(f);
    assert_null(store_open(db, NULL, err, sizeof err));
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, "wardwatch backup"));
    assert_non_null(strstr(err, "mv "));
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(store_check_file(db, devnull, err, sizeof err), -1);
    /* A file that is not a database at all. */
    char text[4300];
    snprintf(text, sizeof text, "%s/notes.txt", dir);
    ww_test_write_file(text, "this is not a database, just a text file with some words in it\n");
    assert_null(store_open(text, NULL, err, sizeof err));
    assert_non_null(strstr(err, "not a wardwatch database"));
    assert_int_equal(store_check_file(text, devnull, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a SQLite database"));
    fclose(devnull);
}

static void test_append_only_logs(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t adm, aid, now = ww_now_ms();
    assert_int_equal(
        store_admit(st, 1, "P-123", "chest pain", "KN", now - 1000, &adm, err, sizeof err), 0);
    assert_true(adm > 0);
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", now, &aid, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM audit WHERE action='admit' AND staff='KN'"), 1);
    assert_int_not_equal(fx_raw_sql(db, "UPDATE audit SET staff = 'XX'"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM audit"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "DELETE FROM alarm_events"), SQLITE_OK);
    assert_int_not_equal(fx_raw_sql(db, "UPDATE alarm_events SET staff = 'XX'"), SQLITE_OK);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE staff='KN'"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events"), 1);
    /* Appending still works. */
    assert_int_equal(fx_raw_sql(db, "INSERT INTO audit(t, staff, action) VALUES(1, 'X', 'y')"),
                     SQLITE_OK);
}

static void test_batching_and_reopen(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    assert_int_equal(store_set_source(st, 2, "mr60bha2 /dev/ttyUSB0", err, sizeof err), 0);
    for (int i = 0; i < 1000; i++) {
        struct store_sample s = {2, 1000LL * i, 15.5f, NAN, 0.8f, STORE_F_PRESENT};
        store_queue_sample(st, &s);
    }
    struct store_sample other = {3, 500, 12, 61.25f, NAN, STORE_F_MOTION};
    store_queue_sample(st, &other);
    struct store_score sc = {2, 5000, 5, {3, -1, -1, -1, 2, -1, -1}, 2, 0x6e};
    store_queue_score(st, &sc);
    store_queue_sensor_event(st, 2, 6000, "disconnected", "unplugged\x1b[2J");
    /* 1000 s of bed 2 span minutes 0..16: the 16 completed ones wait as
     * live summaries beside the rows. */
    assert_int_equal(store_queued(st), 1003 + 16);
    /* Nothing reaches the file before the flush. */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM scores"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sensor_events"), 0);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(store_queued(st), 0);
    struct store_stats stt;
    store_get_stats(st, &stt);
    assert_int_equal(stt.flushed, 1003 + 16);
    assert_int_equal(stt.failed_flushes, 0);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples WHERE bed = 2"), 1000);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples WHERE hr10 IS NULL"), 1000);
    assert_int_equal(fx_raw_int(db, "SELECT min(rr10) FROM samples WHERE bed = 2"), 155);
    assert_int_equal(fx_raw_int(db, "SELECT max(q) FROM samples WHERE bed = 2"), 80);
    assert_int_equal(fx_raw_int(db, "SELECT hr10 FROM samples WHERE bed = 3"), 613);
    assert_int_equal(fx_raw_int(db, "SELECT q IS NULL FROM samples WHERE bed = 3"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT flags FROM samples WHERE bed = 3"), STORE_F_MOTION);
    /* The source named for bed 2 is on each of its rows, none on bed 3's. */
    assert_int_equal(fx_raw_int(db,
                                "SELECT count(*) FROM samples s JOIN sources o ON o.id = s.source"
                                " WHERE o.name = 'mr60bha2 /dev/ttyUSB0' AND s.bed = 2"),
                     1000);
    assert_int_equal(fx_raw_int(db, "SELECT source IS NULL FROM samples WHERE bed = 3"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT total FROM scores"), 5);
    assert_int_equal(fx_raw_int(db, "SELECT p_rr FROM scores"), 3);
    assert_int_equal(fx_raw_int(db, "SELECT p_spo2 IS NULL FROM scores"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT partial_mask FROM scores"), 0x6e);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM sensor_events WHERE detail LIKE '%\x1b%'"), 0);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM sensor_events WHERE event='disconnected'"), 1);
    /* Reopen keeps everything and accepts more. */
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct store_sample s = {2, 999999999, 20, 80, 1, 0};
    store_queue_sample(st, &s);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 1002);
}

static void test_flush_is_all_or_nothing(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    /* Another writer's trigger makes the LAST kind of row in a flush fail:
     * the samples written earlier in the same flush must not stay. */
    assert_int_equal(fx_raw_sql(db, "CREATE TRIGGER no_events BEFORE INSERT ON sensor_events"
                                    " BEGIN SELECT RAISE(ABORT, 'disk says no'); END;"),
                     SQLITE_OK);
    for (int i = 0; i < 200; i++) {
        struct store_sample s = {1, 1000LL * i, 14, 66, 1, 1};
        store_queue_sample(st, &s);
    }
    store_queue_sensor_event(st, 1, 5, "connected", NULL);
    assert_int_equal(store_flush(st, err, sizeof err), -1);
    assert_non_null(strstr(err, "disk says no"));
    assert_false(store_healthy(st));
    assert_non_null(strstr(store_last_error(st), "disk says no"));
    assert_int_equal(store_queued(st), 201 + 3); /* minutes 0-2 completed */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 0);
    assert_int_equal(fx_raw_sql(db, "DROP TRIGGER no_events"), SQLITE_OK);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_true(store_healthy(st));
    assert_int_equal(store_queued(st), 0);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 200);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sensor_events"), 1);
}

static void test_flush_failure_keeps_rows(void **state)
{
    /* A short busy timeout keeps the test quick; the lock outlasts it. */
    struct store_options o = {.busy_timeout_ms = 150};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    assert_int_equal(store_sync_bed(st, 2, "Rom 2", err, sizeof err), 0);
    int64_t adm_before;
    assert_int_equal(store_admit(st, 2, "P-2", "", "KN", 1, &adm_before, err, sizeof err), 0);
    sqlite3 *locker;
    sqlite3_open(db, &locker);
    assert_int_equal(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 50; i++) {
        struct store_sample s = {1, 1000LL * i, 12 + i % 5, 60, 1, 1};
        store_queue_sample(st, &s);
    }
    struct store_score sc = {1, 7000, 3, {0, 0, 0, 0, 3, 0, 0}, 1, 0};
    store_queue_score(st, &sc);
    assert_int_equal(store_flush(st, err, sizeof err), -1);
    assert_non_null(strstr(err, "locked"));
    assert_false(store_healthy(st));
    assert_int_equal(store_queued(st), 51);
    /* More rows during the outage join the queue. */
    struct store_sample late = {1, 60000, 30, 99, 1, 1};
    store_queue_sample(st, &late);
    /* The machine's alarms are queued under a provisional id and reach the
     * file with the rows; a person's acknowledgement is held (1, and said),
     * never confirmed as committed and never lost (H16-12). */
    int64_t id = 12345;
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", 1, &id, err, sizeof err), 0);
    assert_true(id < 0);
    assert_int_equal(store_alarm_event(st, id, "escalated", "active", NULL, 2, err, sizeof err), 0);
    assert_int_equal(
        store_alarm_event(st, id, "acknowledged", "acknowledged", "KN", 3, err, sizeof err), 1);
    assert_non_null(strstr(err, "held"));
    assert_int_equal(store_queued(st), 56); /* minute 0 completed by the late one */
    /* Commands are not confirmed while the write fails, and leave nothing. */
    int64_t adm = 777;
    assert_int_equal(store_admit(st, 1, "P-1", "", "KN", 2, &adm, err, sizeof err), -1);
    assert_int_equal(adm, 777);
    assert_int_equal(store_discharge(st, adm_before, 2, "KN", 3, err, sizeof err), -1);
    assert_int_equal(store_audit(st, "KN", "print", 1, "handover", 4, err, sizeof err), -1);
    sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(locker);
    /* The next flush delivers every row. */
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_true(store_healthy(st));
    struct store_stats stt;
    store_get_stats(st, &stt);
    assert_int_equal(stt.failed_flushes, 1);
    assert_int_equal(stt.dropped_samples, 0);
    /* The provisional id still works: it now names the stored alarm. */
    int64_t nid;
    assert_int_equal(store_add_note(st, 1, 0, id, "checked", "KN", 6, &nid, err, sizeof err), 0);
    assert_int_equal(store_add_note(st, 1, 0, -999, "x", "KN", 6, &nid, err, sizeof err), -1);
    assert_non_null(strstr(err, "no alarm -999"));
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 51);
    assert_int_equal(fx_raw_int(db, "SELECT sum(rr10) FROM samples WHERE t < 50000"), 10 * 700);
    assert_int_equal(fx_raw_int(db, "SELECT hr10 FROM samples WHERE t = 60000"), 990);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM scores"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarms"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT escalated * 10 + (state = 'acknowledged') FROM alarms"),
                     11);
    assert_int_equal(fx_raw_int(db,
                                "SELECT group_concat(event) = 'raised,escalated,acknowledged' FROM"
                                " (SELECT event FROM alarm_events ORDER BY t)"),
                     1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE staff = 'KN' AND t = 3 AND "
                                    "action = 'alarm-acknowledged'"),
                     1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM admissions WHERE bed = 1"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT discharged_at IS NULL FROM admissions WHERE bed = 2"),
                     1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM notes n JOIN alarms a ON a.id = n.alarm"),
                     1);
    /* the first admit, the held acknowledgement and the note after the outage */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit"), 3);
}

static void test_ring_overflow_drops_oldest_samples_only(void **state)
{
    struct store_options o = {.sample_capacity = 100, .score_capacity = 4, .event_capacity = 2};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_sync_bed(st, 1, "A", err, sizeof err), 0);
    for (int i = 0; i < 150; i++) {
        struct store_sample s = {1, 1000LL * i, 10, 60, 1, 1};
        store_queue_sample(st, &s);
    }
    for (int i = 0; i < 10; i++) {
        struct store_score sc = {1, 1000LL * i, i, {0, 0, 0, 0, 0, 0, 0}, 0, 0};
        store_queue_score(st, &sc);
        store_queue_sensor_event(st, 1, 1000LL * i, "no-signal", NULL);
    }
    struct store_stats stt;
    store_get_stats(st, &stt);
    assert_int_equal(stt.dropped_samples, 50);
    assert_int_equal(stt.lost_rows, 0);
    assert_int_equal(store_queued(st), 122); /* and minutes 0, 1 completed */
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 100);
    assert_int_equal(fx_raw_int(db, "SELECT min(t) FROM samples"), 50000); /* the newest kept */
    assert_int_equal(fx_raw_int(db, "SELECT max(t) FROM samples"), 149000);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM scores"), 10);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM sensor_events"), 10);
}

static int nadm, nalarm, nobs, nbeds;
static struct store_alarm alarms_seen[8];
static struct store_admission adm_seen;
static struct store_observation obs_seen[8];

static void on_bed(void *ctx, const struct store_bed *b)
{
    if (nbeds == 2)
        assert_string_equal(b->label, "Rom 3");
    nbeds++;
}
static void on_adm(void *ctx, const struct store_admission *a)
{
    adm_seen = *a;
    nadm++;
}
static void on_alarm(void *ctx, const struct store_alarm *a)
{
    if (nalarm < 8)
        alarms_seen[nalarm] = *a;
    nalarm++;
}
static void on_obs(void *ctx, const struct store_observation *o)
{
    if (nobs < 8)
        obs_seen[nobs] = *o;
    nobs++;
}

/* A re-alerted alarm is restored unacknowledged and not escalated, so it
 * escalates again; the acknowledgement stays in alarm_events. */
static void test_realert_restores_unacked(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t a;
    assert_int_equal(store_alarm_raise(st, 1, "hr-high", "medium", 1000, &a, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a, "escalated", "active", NULL, 2000, err, sizeof err),
                     0);
    assert_int_equal(
        store_alarm_event(st, a, "acknowledged", "acknowledged", "KN", 3000, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a, "realerted", "active", NULL, 4000, err, sizeof err),
                     0);
    store_close(st);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    nalarm = 0;
    assert_int_equal(store_load_open_alarms(st, on_alarm, NULL, err, sizeof err), 0);
    assert_int_equal(nalarm, 1);
    assert_string_equal(alarms_seen[0].state, "active");
    assert_false(alarms_seen[0].escalated);
    assert_string_equal(alarms_seen[0].acked_by, "");
    assert_int_equal(alarms_seen[0].last_alert_at, 4000);
    store_close(st);
}

/* One column expression of alarm id's row, as text ("" when none). */
static const char *alarm_col(int64_t id, const char *expr)
{
    static char out[128];
    char sql[256];
    sqlite3 *d;
    sqlite3_stmt *s;
    snprintf(sql, sizeof sql, "SELECT %s FROM alarms WHERE id = %lld", expr, (long long)id);
    out[0] = 0;
    sqlite3_open(db, &d);
    if (sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return out;
}

/* The stored state is the one rule's (alarm_state_after), whatever state
 * the caller names, and the row's flags agree with it (H19-46). */
static void test_alarm_state_is_the_one_rule(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t a;
    assert_int_equal(store_alarm_raise(st, 1, "apnoea", "high", 1000, &a, err, sizeof err), 0);
    assert_string_equal(alarm_col(a, "state || latched"), "active0");
    assert_int_equal(store_alarm_event(st, a, "latched", "latched", NULL, 2000, err, sizeof err),
                     0);
    /* Escalated while latched: latched (a caller naming "active" is not
     * the record); acknowledged while latched: still latched. */
    assert_int_equal(store_alarm_event(st, a, "escalated", "active", NULL, 3000, err, sizeof err),
                     0);
    assert_string_equal(alarm_col(a, "state || latched || escalated"), "latched11");
    assert_int_equal(
        store_alarm_event(st, a, "acknowledged", "acknowledged", "KN", 3500, err, sizeof err), 0);
    assert_string_equal(alarm_col(a, "state || latched || acked_by"), "latched1KN");
    /* The condition came back: active, waiting for no reset, not ended. */
    assert_int_equal(store_alarm_event(st, a, "realerted", "active", NULL, 4000, err, sizeof err),
                     0);
    assert_string_equal(
        alarm_col(a, "state || latched || coalesce(ended_at, '-') || coalesce(acked_by, '-')"),
        "active0--");
    /* Latched again: ended at this time, not the first latch's. */
    assert_int_equal(store_alarm_event(st, a, "latched", "latched", NULL, 5000, err, sizeof err),
                     0);
    assert_string_equal(alarm_col(a, "state || latched || ended_at"), "latched15000");
    /* A discharge ends it; closed stays closed: a late event is logged but
     * changes nothing. */
    assert_int_equal(store_alarm_event(st, a, "ended", "ended", NULL, 6000, err, sizeof err), 0);
    assert_string_equal(alarm_col(a, "state || latched"), "ended0");
    assert_int_equal(
        store_alarm_event(st, a, "acknowledged", "acknowledged", "AB", 7000, err, sizeof err), 0);
    assert_string_equal(alarm_col(a, "state || latched || coalesce(acked_by, '-')"), "ended0-");
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events"), 8);
    nalarm = 0;
    assert_int_equal(store_load_open_alarms(st, on_alarm, NULL, err, sizeof err), 0);
    assert_int_equal(nalarm, 0);
    store_close(st);
}

static void test_commands_and_restore(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t adm, a1, a2, a3, a4;
    assert_int_equal(store_admit(st, 3, "P-9", "COPD\nhome O2", "KN", 100, &adm, err, sizeof err),
                     0);
    assert_int_equal(store_set_scale2(st, adm, 3, true, "Dr Berg", "KN", 200, err, sizeof err), 0);
    assert_int_equal(store_set_limits(st, adm, 3, 8, 30, 40, 131, "COPD baseline RR 26", "KN", 300,
                                      err, sizeof err),
                     0);
    assert_int_equal(store_add_observation(st, adm, 3, "spo2", 89, "KN", 400, err, sizeof err), 0);
    assert_int_equal(store_add_observation(st, adm, 3, "spo2", 91, "KN", 500, err, sizeof err), 0);
    assert_int_equal(store_add_observation(st, adm, 3, "temp", 37.2, "KN", 500, err, sizeof err),
                     0);
    assert_int_equal(store_alarm_raise(st, 3, "rr-high", "medium", 600, &a1, err, sizeof err), 0);
    assert_int_equal(store_alarm_raise(st, 3, "apnoea", "high", 610, &a2, err, sizeof err), 0);
    assert_int_equal(store_alarm_raise(st, 3, "hr-low", "high", 620, &a3, err, sizeof err), 0);
    assert_int_equal(store_alarm_raise(st, 3, "no-signal", "low", 630, &a4, err, sizeof err), 0);
    assert_true(a1 < a2 && a2 < a3 && a3 < a4);
    assert_int_equal(
        store_alarm_event(st, a1, "acknowledged", "acknowledged", "ÅSE", 700, err, sizeof err), 0);
    assert_int_equal(
        store_alarm_event(st, a1, "escalated", "acknowledged", NULL, 750, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a2, "ended", "ended", NULL, 800, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a3, "latched", "latched", NULL, 810, err, sizeof err),
                     0);
    assert_int_equal(store_alarm_event(st, a4, "latched", "latched", NULL, 820, err, sizeof err),
                     0);
    assert_int_equal(store_alarm_event(st, a4, "reset", "reset", "KN", 830, err, sizeof err), 0);
    int64_t note;
    assert_int_equal(store_add_note(st, 3, adm, a1, "Pasient hoster, RR-artefakt \x1b[2J", "ÅSE",
                                    710, &note, err, sizeof err),
                     0);
    assert_true(note > 0);
    store_close(st);

    /* A restart sees the open admission, the open alarms, the latest obs. */
    st = store_open(db, NULL, err, sizeof err);
    nadm = nalarm = nobs = nbeds = 0;
    assert_int_equal(store_load_beds(st, on_bed, NULL, err, sizeof err), 0);
    assert_int_equal(nbeds, 3);
    assert_int_equal(store_load_admissions(st, on_adm, NULL, err, sizeof err), 0);
    assert_int_equal(nadm, 1);
    assert_int_equal(adm_seen.id, adm);
    assert_int_equal(adm_seen.bed, 3);
    assert_string_equal(adm_seen.patient_ref, "P-9");
    assert_string_equal(adm_seen.note, "COPD\nhome O2");
    assert_string_equal(adm_seen.admitted_by, "KN");
    assert_int_equal(adm_seen.admitted_at, 100);
    assert_true(adm_seen.scale2);
    assert_string_equal(adm_seen.scale2_by, "Dr Berg");
    assert_int_equal(adm_seen.scale2_at, 200);
    assert_true(adm_seen.has_limits);
    assert_true(adm_seen.rr_low == 8 && adm_seen.rr_high == 30);
    assert_true(adm_seen.hr_low == 40 && adm_seen.hr_high == 131);
    assert_string_equal(adm_seen.limits_reason, "COPD baseline RR 26");
    assert_string_equal(adm_seen.limits_by, "KN");
    assert_int_equal(store_load_open_alarms(st, on_alarm, NULL, err, sizeof err), 0);
    assert_int_equal(nalarm, 2); /* a1 acknowledged, a3 latched; a2 ended, a4 reset */
    assert_int_equal(alarms_seen[0].id, a1);
    assert_string_equal(alarms_seen[0].state, "acknowledged");
    assert_string_equal(alarms_seen[0].acked_by, "ÅSE");
    assert_int_equal(alarms_seen[0].acked_at, 700);
    assert_true(alarms_seen[0].escalated);
    assert_int_equal(alarms_seen[0].last_alert_at, 750);
    assert_false(alarms_seen[0].latched);
    assert_int_equal(alarms_seen[0].raised_at, 600);
    assert_string_equal(alarms_seen[0].priority, "medium");
    assert_int_equal(alarms_seen[1].id, a3);
    assert_string_equal(alarms_seen[1].state, "latched");
    assert_true(alarms_seen[1].latched);
    assert_int_equal(alarms_seen[1].ended_at, 810);
    assert_int_equal(alarms_seen[1].acked_at, 0);
    assert_int_equal(store_load_latest_observations(st, adm, on_obs, NULL, err, sizeof err), 0);
    assert_int_equal(nobs, 2);
    assert_string_equal(obs_seen[0].param, "spo2");
    assert_true(obs_seen[0].value == 91);
    assert_int_equal(obs_seen[0].t, 500);
    assert_string_equal(obs_seen[1].param, "temp");
    assert_true(fabs(obs_seen[1].value - 37.2) < 1e-9);
    assert_int_equal(store_discharge(st, adm, 3, "KN", 900, err, sizeof err), 0);
    assert_int_equal(store_discharge(st, adm, 3, "KN", 901, err, sizeof err), -1);
    assert_non_null(strstr(err, "no open admission"));
    nadm = 0;
    assert_int_equal(store_load_admissions(st, on_adm, NULL, err, sizeof err), 0);
    assert_int_equal(nadm, 0);
    /* The bed is free again. */
    int64_t adm2;
    assert_int_equal(store_admit(st, 3, "P-10", NULL, "KN", 1000, &adm2, err, sizeof err), 0);
    assert_true(adm2 > adm);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE action='alarm-acknowledged'"
                                    " AND staff='ÅSE' AND bed = 3"),
                     1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit WHERE action='alarm-reset'"
                                    " AND staff='KN'"),
                     1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM notes WHERE text LIKE '%\x1b%'"), 0);
    assert_int_equal(fx_raw_int(db, "SELECT alarm FROM notes"), a1);
    /* admit scale2 limits 3 obs ack reset note discharge admit */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit"), 11);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarm_events"), 10);
}

static void test_command_refusals(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t adm = 0, id = 0;
    char big[STORE_ADMISSION_NOTE_MAX + 2]; /* one byte over the longest note */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(store_admit(st, 9, "P-1", "", "KN", 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "bed 9"));
    assert_int_equal(store_admit(st, 1, "", "", "KN", 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "patient reference is missing"));
    assert_int_equal(store_admit(st, 1, "\x1b[31m", "", "KN", 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "patient reference is missing"));
    assert_int_equal(store_admit(st, 1, big, "", "KN", 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "patient reference is too long"));
    assert_int_equal(store_admit(st, 1, "P-1", big, "KN", 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "admission note is too long"));
    assert_int_equal(store_admit(st, 1, "P-1", "", NULL, 1, &adm, err, sizeof err), -1);
    assert_non_null(strstr(err, "staff id is missing"));
    assert_int_equal(store_admit(st, 1, "P-1", "", "KN", 1, &adm, err, sizeof err), 0);
    int64_t again = 0;
    assert_int_equal(store_admit(st, 1, "P-2", "", "KN", 2, &again, err, sizeof err), -1);
    assert_non_null(strstr(err, "already has an open admission"));
    assert_int_equal(store_set_scale2(st, adm, 1, true, "", "KN", 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "prescriber is missing"));
    assert_int_equal(store_set_scale2(st, adm, 2, true, "Dr B", "KN", 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "no open admission"));
    assert_int_equal(store_set_limits(st, adm, 1, 30, 8, 40, 130, "r", "KN", 4, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "RR low limit 30 is not below the high limit 8"));
    assert_int_equal(store_set_limits(st, adm, 1, 8, 30, NAN, 130, "r", "KN", 4, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "HR limits"));
    assert_int_equal(store_set_limits(st, adm, 1, 8, 30, 40, 130, " ", "KN", 4, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "limits reason is missing"));
    assert_int_equal(store_add_observation(st, adm, 1, "bp", 120, "KN", 5, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown parameter 'bp'"));
    assert_non_null(strstr(err, "rr spo2 o2 sbp hr acvpu temp scale"));
    assert_int_equal(store_add_observation(st, adm, 1, "sbp", NAN, "KN", 5, err, sizeof err), -1);
    assert_non_null(strstr(err, "sbp value is not a number"));
    assert_int_equal(store_add_note(st, 1, adm, 0, big, "KN", 6, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "note text is too long (4001 bytes, at most 4000)"));
    assert_int_equal(store_add_note(st, 1, adm, 0, "  \t ", "KN", 6, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "note text is missing"));
    assert_int_equal(store_add_note(st, 1, adm, 424242, "ok", "KN", 6, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no alarm 424242"));
    assert_int_equal(store_alarm_raise(st, 1, "", "high", 7, &id, err, sizeof err), -1);
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "high", 7, &id, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, id, "snoozed", "active", "KN", 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown event 'snoozed'"));
    assert_int_equal(store_alarm_event(st, id, "ended", "gone", NULL, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown state 'gone'"));
    assert_int_equal(
        store_alarm_event(st, id, "acknowledged", "acknowledged", NULL, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "staff id is missing"));
    assert_int_equal(store_alarm_event(st, 9999, "ended", "ended", NULL, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "no alarm 9999"));
    assert_int_equal(store_downsample_and_prune(st, 1000, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "max_rows"));
    /* Refusals are not store failures. */
    assert_true(store_healthy(st));
    store_close(st);
    /* Only the two successful commands left audit rows. */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM audit"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM admissions"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM alarms"), 1);
    assert_int_equal(fx_raw_int(db, "SELECT state FROM alarms") == -1, 0);
}

static int nq;
static int64_t qt[16];
static void on_sample(void *ctx, const struct store_sample *s)
{
    if (nq < 16)
        qt[nq] = s->t;
    nq++;
    if (ctx)
        *(struct store_sample *)ctx = *s;
}
static void on_score(void *ctx, const struct store_score *s)
{
    if (nq < 16)
        qt[nq] = s->t;
    nq++;
    *(struct store_score *)ctx = *s;
}
static void on_note(void *ctx, const struct store_note *n)
{
    nq++;
    *(struct store_note *)ctx = *n;
}
static void on_alarm_ev(void *ctx, const struct store_alarm_event *e)
{
    if (nq < 16)
        qt[nq] = e->t;
    nq++;
    *(struct store_alarm_event *)ctx = *e;
}

static void test_range_queries(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    for (int i = 0; i < 10; i++) {
        struct store_sample s = {1, 1000LL * i, 10.0f + (float)i, 70, 0.5f, 1};
        store_queue_sample(st, &s);
        s.bed = 2;
        store_queue_sample(st, &s);
    }
    struct store_score sc = {1, 3000, 4, {1, 0, 0, 0, 3, 0, -1}, 1, 2};
    store_queue_score(st, &sc);
    sc.t = 9000;
    store_queue_score(st, &sc);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    /* [t0, t1): 2000 in, 5000 out; bed 1 only. */
    struct store_sample last;
    nq = 0;
    assert_int_equal(store_query_samples(st, 1, 2000, 5000, on_sample, &last, err, sizeof err), 0);
    assert_int_equal(nq, 3);
    assert_int_equal(qt[0], 2000);
    assert_int_equal(qt[2], 4000);
    assert_int_equal(last.bed, 1);
    assert_true(last.rr == 14.0f && last.hr == 70.0f);
    assert_true(fabsf(last.quality - 0.5f) < 1e-6f);
    nq = 0;
    assert_int_equal(store_query_samples(st, -1, 2000, 5000, on_sample, NULL, err, sizeof err), 0);
    assert_int_equal(nq, 6);
    struct store_score got;
    nq = 0;
    assert_int_equal(store_query_scores(st, 1, 0, 9000, on_score, &got, err, sizeof err), 0);
    assert_int_equal(nq, 1);
    assert_int_equal(got.total, 4);
    assert_int_equal(got.parts[4], 3);
    assert_int_equal(got.parts[6], -1);
    assert_int_equal(got.partial_mask, 2);
    int64_t a, n;
    assert_int_equal(store_alarm_raise(st, 2, "hr-high", "high", 5000, &a, err, sizeof err), 0);
    assert_int_equal(
        store_alarm_event(st, a, "acknowledged", "acknowledged", "KN", 5100, err, sizeof err), 0);
    assert_int_equal(
        store_add_note(st, 2, 0, a, "checked, patient fine", "KN", 5200, &n, err, sizeof err), 0);
    struct store_alarm_event ev;
    nq = 0;
    assert_int_equal(store_query_alarm_events(st, 2, 0, 10000, on_alarm_ev, &ev, err, sizeof err),
                     0);
    assert_int_equal(nq, 2);
    assert_int_equal(qt[0], 5000);
    assert_string_equal(ev.event, "acknowledged");
    assert_string_equal(ev.staff, "KN");
    assert_string_equal(ev.condition, "hr-high");
    assert_string_equal(ev.priority, "high");
    nq = 0;
    assert_int_equal(store_query_alarm_events(st, 1, 0, 10000, on_alarm_ev, &ev, err, sizeof err),
                     0);
    assert_int_equal(nq, 0);
    struct store_note note;
    nq = 0;
    assert_int_equal(store_query_notes(st, 2, 5200, 5201, on_note, &note, err, sizeof err), 0);
    assert_int_equal(nq, 1);
    assert_int_equal(note.alarm_id, a);
    assert_string_equal(note.text, "checked, patient fine");
    nq = 0;
    assert_int_equal(store_query_notes(st, 2, 0, 5200, on_note, &note, err, sizeof err), 0);
    assert_int_equal(nq, 0);
    store_close(st);
}

static void test_downsample_medians(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t t0 = 600000; /* minute 10 */
    for (int i = 0; i < 180; i++) {
        /* minute 10: RR 10..69 shuffled (i*7 mod 60); HR missing every 3rd */
        struct store_sample s = {
            1, t0 + i * 1000LL, (float)(10 + (i * 7) % 60), i % 3 ? (float)(60 + i % 60) : NAN, 1,
            1};
        store_queue_sample(st, &s);
    }
    struct store_sample other = {2, t0 + 5000, 20, 80, 1, 1};
    store_queue_sample(st, &other);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    /* The completed minutes 10 and 11 are summarised live, beside their
     * per-second rows, with the numbers retention will fold them to. */
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = 60 AND n = 60"), 2);
    assert_int_equal(
        fx_raw_int(db, "SELECT rr_med FROM samples_minute WHERE bed = 1 AND minute = 10"), 395);
    assert_int_equal(
        fx_raw_int(db, "SELECT hr_med FROM samples_minute WHERE bed = 1 AND minute = 11"), 900);
    /* ... and per-second readers do not see them twice. */
    nq = 0;
    struct store_sample got;
    assert_int_equal(store_query_samples(st, 1, t0, t0 + 180000, on_sample, &got, err, sizeof err),
                     0);
    assert_int_equal(nq, 180);
    long total = 0, r;
    int calls = 0;
    /* Cut inside minute 12: minutes 10 and 11 of bed 1 and minute 10 of
     * bed 2 go, in batches of 60 rows (one bed-minute) per call. */
    while ((r = store_downsample_and_prune(st, t0 + 120000 + 500, 60, err, sizeof err)) > 0) {
        total += r;
        calls++;
        assert_true(r <= 60);
    }
    assert_int_equal(r, 0);
    assert_int_equal(total, 121);
    assert_int_equal(calls, 3);
    /* Late rows for a folded minute (after an outage) merge into it. */
    struct store_sample late = {1, t0 + 30500, 5, 200, 1, 1};
    store_queue_sample(st, &late);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(store_downsample_and_prune(st, t0 + 120000, 600, err, sizeof err), 1);
    /* Queries fill pruned time with the minute medians. */
    nq = 0;
    assert_int_equal(store_query_samples(st, 1, t0, t0 + 60000, on_sample, &got, err, sizeof err),
                     0);
    assert_int_equal(nq, 1);
    assert_int_equal(got.t, t0);
    assert_true(got.rr == 39.5f); /* median of 10..69 (ww_median) */
    assert_true(isnan(got.quality));
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 60);
    assert_int_equal(fx_raw_int(db, "SELECT min(t) FROM samples"), t0 + 120000);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = 0"), 3);
    /* minute 12, completed by the late row, is live; the late row's minute
     * 10 was still open at close */
    assert_int_equal(
        fx_raw_int(db, "SELECT minute * 1000 + live FROM samples_minute WHERE live > 0"), 12060);
    assert_int_equal(
        fx_raw_int(db, "SELECT rr_min FROM samples_minute WHERE bed = 1 AND minute = 10"),
        50); /* the late 5.0 */
    assert_int_equal(
        fx_raw_int(db, "SELECT rr_max FROM samples_minute WHERE bed = 1 AND minute = 10"), 690);
    assert_int_equal(
        fx_raw_int(db, "SELECT rr_med FROM samples_minute WHERE bed = 1 AND minute = 10"), 395);
    assert_int_equal(fx_raw_int(db, "SELECT n FROM samples_minute WHERE bed = 1 AND minute = 10"),
                     61);
    assert_int_equal(
        fx_raw_int(db, "SELECT hr_max FROM samples_minute WHERE bed = 1 AND minute = 10"), 2000);
    /* minute 11: i = 60..119, HR present for i % 3 != 0 -> 40 values of
     * 60 + i % 60 = 61, 62, 64, 65, ... 119: the median is the mean of
     * the 20th and 21st, 89 and 91. */
    assert_int_equal(fx_raw_int(db, "SELECT n FROM samples_minute WHERE bed = 1 AND minute = 11"),
                     60);
    assert_int_equal(
        fx_raw_int(db, "SELECT hr_min FROM samples_minute WHERE bed = 1 AND minute = 11"), 610);
    assert_int_equal(
        fx_raw_int(db, "SELECT hr_med FROM samples_minute WHERE bed = 1 AND minute = 11"), 900);
    assert_int_equal(
        fx_raw_int(db, "SELECT rr_med FROM samples_minute WHERE bed = 2 AND minute = 10"), 200);
}

static int nmin;
static struct store_minute minutes_seen[8];
static void on_minute(void *ctx, const struct store_minute *m)
{
    (void)ctx;
    if (nmin < 8)
        minutes_seen[nmin] = *m;
    nmin++;
}

/* Queue n seconds of bed 1 from t (RR 10 + i % 7, HR 70 + i % 11). */
static void queue_seconds(struct store *st, int64_t t, int n)
{
    for (int i = 0; i < n; i++) {
        struct store_sample s = {
            1, t + 1000LL * i, 10.0f + (float)(i % 7), 70.0f + (float)(i % 11), 1, 1};
        store_queue_sample(st, &s);
    }
}

static void test_live_minutes_and_recovery(void **state)
{
    const int64_t t0 = 3600000; /* minute 60 */
    /* A core that dies (SIGKILL-like _exit) 25 s into minute 62, after its
     * flush: minutes 60 and 61 are summarised, 62 is only per-second rows. */
    pid_t pid = fork();
    if (pid == 0) {
        struct store *c = fx_open_ward(db, err, sizeof err);
        queue_seconds(c, t0, 145);
        _exit(store_flush(c, err, sizeof err) == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), 145);
    assert_int_equal(fx_raw_int(db, "SELECT group_concat(minute, '') FROM samples_minute"), 6061);
    /* The handover's reader sees the two minutes only. */
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    nmin = 0;
    assert_int_equal(store_query_minutes(st, 1, t0, t0 + 3600000, on_minute, NULL, err, sizeof err),
                     0);
    assert_int_equal(nmin, 2);
    assert_int_equal(minutes_seen[0].t, t0);
    assert_int_equal(minutes_seen[0].n, 60);
    assert_true(minutes_seen[0].rr_min == 10.0f && minutes_seen[0].rr_max == 16.0f);
    assert_true(minutes_seen[0].hr_min == 70.0f && minutes_seen[0].hr_max == 80.0f);
    /* 60 values of 10 + i % 7: 9 each of 10..13, 8 each of 14..16, so the
     * 30th smallest (lower median) is 13. */
    assert_true(minutes_seen[0].rr_med == 13.0f);
    assert_int_equal(store_query_minutes(st, -1, 0, 1, on_minute, NULL, err, sizeof err), -1);
    /* The restarted core summarises what the crash left open... */
    assert_int_equal(store_recover_minutes(st, err, sizeof err), 1);
    assert_int_equal(fx_raw_int(db, "SELECT n * 1000 + live FROM samples_minute WHERE minute = 62"),
                     25025);
    assert_int_equal(store_recover_minutes(st, err, sizeof err), 0); /* nothing twice */
    /* ... and the rest of minute 62, arriving after the restart, merges in. */
    queue_seconds(st, t0 + 145000, 35 + 60);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(fx_raw_int(db, "SELECT n * 1000 + live FROM samples_minute WHERE minute = 62"),
                     60060);
    /* 60-62 summarised; 63 is still the open minute */
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = n"), 3);
    /* Retention folds the live minutes without counting them twice. */
    while (store_downsample_and_prune(st, t0 + 240000, 600, err, sizeof err) > 0)
        ;
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples WHERE t < 3840000"), 0);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE n = 60 AND live = 0"), 4);
    assert_int_equal(fx_raw_int(db, "SELECT rr_med FROM samples_minute WHERE minute = 60"), 130);
    /* Per-second readers see each minute once: folded minutes as one point,
     * live ones as their seconds. */
    nq = 0;
    struct store_sample got;
    assert_int_equal(store_query_samples(st, 1, t0, t0 + 3600000, on_sample, &got, err, sizeof err),
                     0);
    assert_int_equal(nq, 4);
    store_close(st);
}

static void test_live_minutes_any_bed_number(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    /* Wards number their beds as they like (301-332 on the third floor). */
    for (int b = 301; b <= 332; b++) {
        assert_int_equal(store_sync_bed(st, b, "Rom", err, sizeof err), 0);
        for (int i = 0; i < 130; i++) {
            struct store_sample s = {b, 1000LL * i, 14, 70, 1, 1};
            store_queue_sample(st, &s);
        }
    }
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = 60"), 32 * 2);
    nmin = 0;
    assert_int_equal(store_query_minutes(st, 332, 0, 3600000, on_minute, NULL, err, sizeof err), 0);
    assert_int_equal(nmin, 2);
    store_close(st);
}

/* A ward larger than the store's first fixed tables (256 beds, H19-45):
 * every bed's sample source, its live per-minute summaries and the minute
 * a stop left open are kept and readable, for bed 300 as for bed 1. */
static void test_more_than_256_beds(void **state)
{
    enum { NBEDS = 300, SECONDS = 150 };
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    for (int b = 1; b <= NBEDS; b++) {
        char label[16], source[40];
        snprintf(label, sizeof label, "Rom %d", b);
        snprintf(source, sizeof source, "mr60bha2 /dev/ttyUSB%d", b);
        assert_int_equal(store_sync_bed(st, b, label, err, sizeof err), 0);
        assert_int_equal(store_set_source(st, b, source, err, sizeof err), 0);
    }
    /* Minutes 0 and 1 complete, 2 open; each bed's RR its own (10 + b % 9
     * + i % 5), HR 60 + b % 40. */
    for (int i = 0; i < SECONDS; i++)
        for (int b = 1; b <= NBEDS; b++) {
            struct store_sample s = {
                b, 1000LL * i, (float)(10 + b % 9 + i % 5), (float)(60 + b % 40), 1, 1};
            store_queue_sample(st, &s);
        }
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples"), NBEDS * SECONDS);
    assert_int_equal(fx_raw_int(db,
                                "SELECT count(*) FROM samples s JOIN sources o ON o.id = s.source"
                                " WHERE o.name = 'mr60bha2 /dev/ttyUSB' || s.bed"),
                     NBEDS * SECONDS);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = 60"),
                     NBEDS * 2);
    /* Bed 300 read back: RR 13..17 (10 + 3 + 0..4), HR 80. */
    nmin = 0;
    assert_int_equal(store_query_minutes(st, 300, 0, 3600000, on_minute, NULL, err, sizeof err), 0);
    assert_int_equal(nmin, 2);
    assert_true(minutes_seen[1].rr_min == 13.0f && minutes_seen[1].rr_max == 17.0f);
    assert_true(minutes_seen[1].rr_med == 15.0f && minutes_seen[1].hr_med == 80.0f);
    assert_int_equal(minutes_seen[1].n, 60);
    nq = 0;
    assert_int_equal(store_query_samples(st, 300, 0, 3600000, on_sample, NULL, err, sizeof err), 0);
    assert_int_equal(nq, SECONDS);
    /* Stopped inside minute 2: the next start summarises it for every bed. */
    store_close(st);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_recover_minutes(st, err, sizeof err), NBEDS);
    assert_int_equal(
        fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE minute = 2 AND n = 30"), NBEDS);
    store_close(st);
}

/* One median everywhere (ww_median): a minute of RR 16 and 20, 30 each,
 * is summarised as 18, as the handover shows it, whether made live, when
 * recovered after a stop or when retention folds the seconds (H19-47). */
static void test_minute_median_is_the_one_median(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    float rr[60], hr[60];
    for (int i = 0; i < 60; i++) {
        rr[i] = i % 2 ? 20.0f : 16.0f;
        hr[i] = i % 2 ? 71.0f : 70.0f;
        struct store_sample s = {1, 1000LL * i, rr[i], hr[i], 1, 1};
        store_queue_sample(st, &s);
    }
    struct store_sample next = {1, 60000, 16, 70, 1, 1}; /* closes minute 0 */
    store_queue_sample(st, &next);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    float rr_med = (float)ww_median(rr, 60), hr_med = (float)ww_median(hr, 60);
    assert_true(rr_med == 18.0f && hr_med == 70.5f);
    nmin = 0;
    assert_int_equal(store_query_minutes(st, 1, 0, 60000, on_minute, NULL, err, sizeof err), 0);
    assert_int_equal(nmin, 1);
    assert_true(minutes_seen[0].rr_med == rr_med);
    assert_true(minutes_seen[0].hr_med == hr_med);
    /* Beds 3 and 2: the same minute as per-second rows only (a crash
     * before its summary): bed 3 recovered at start, bed 2 folded by
     * retention (with bed 1's and 3's live summaries). */
    static const char rows[] = "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s"
                               " WHERE i < 59) INSERT INTO samples(bed, t, rr10, hr10, q, flags)"
                               " SELECT %d, i * 1000, 160 + i %% 2 * 40, 700 + i %% 2 * 10, 100,"
                               " 1 FROM s";
    char sql[sizeof rows + 8];
    snprintf(sql, sizeof sql, rows, 3);
    assert_int_equal(fx_raw_sql(db, sql), SQLITE_OK);
    assert_int_equal(store_recover_minutes(st, err, sizeof err), 1);
    assert_int_equal(fx_raw_int(db, "SELECT rr_med * 1000 + hr_med FROM samples_minute"
                                    " WHERE bed = 3 AND minute = 0"),
                     180705);
    snprintf(sql, sizeof sql, rows, 2);
    assert_int_equal(fx_raw_sql(db, sql), SQLITE_OK);
    while (store_downsample_and_prune(st, 60000, 600, err, sizeof err) > 0)
        ;
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples WHERE t < 60000"), 0);
    assert_int_equal(fx_raw_int(db,
                                "SELECT count(*) FROM samples_minute WHERE minute = 0 AND n = 60"
                                " AND live = 0 AND rr_med = 180 AND hr_med = 705"),
                     3);
    store_close(st);
}

static void test_upgrade_summarises_old_samples(void **state)
{
    struct store_options o = {.schema_version = 4};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    store_close(st);
    /* A version-4 ward: a folded minute 5 and 3 minutes of per-second rows. */
    assert_int_equal(fx_raw_sql(db,
                                "INSERT INTO beds VALUES(1, 'Rom 1');"
                                "INSERT INTO samples_minute(bed, minute, rr_min, rr_med, rr_max,"
                                " hr_min, hr_med, hr_max, n) VALUES(1, 5, 100, 120, 140, 600, 650,"
                                " 700, 60);"
                                "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k"
                                " WHERE i < 179) INSERT INTO samples(bed, t, rr10, hr10, q, flags)"
                                " SELECT 1, 600000 + i * 1000, 150 + i % 3, NULL, 90, 1 FROM k;"),
                     SQLITE_OK);
    st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_recover_minutes(st, err, sizeof err), 3);
    store_close(st);
    assert_int_equal(fx_raw_int(db, "SELECT count(*) FROM samples_minute WHERE live = 60 AND n = 60"
                                    " AND rr_min = 150 AND rr_med = 151 AND rr_max = 152"
                                    " AND hr_med IS NULL"),
                     3);
    assert_int_equal(fx_raw_int(db, "SELECT live FROM samples_minute WHERE minute = 5"), 0);
}

static void test_backup_and_check(void **state)
{
    struct store *st = fx_open_ward(db, err, sizeof err);
    int64_t adm;
    assert_int_equal(store_admit(st, 1, "P-1", "", "KN", 1, &adm, err, sizeof err), 0);
    for (int i = 0; i < 500; i++) {
        struct store_sample s = {1, 1000LL * i, 15, 70, 1, 1};
        store_queue_sample(st, &s);
    }
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    char copy[4300], copy2[4300], report[4300];
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    snprintf(copy2, sizeof copy2, "%s/copy2.db", dir);
    snprintf(report, sizeof report, "%s/report.txt", dir);
    assert_int_equal(store_backup(st, copy, err, sizeof err), 0);
    assert_int_equal(store_backup(st, copy, err, sizeof err), -1); /* never overwrites */
    assert_non_null(strstr(err, "already exists"));
    /* From the file, by another connection, while the store is open. */
    assert_int_equal(store_backup_file(db, copy2, err, sizeof err), 0);
    store_close(st);
    assert_int_equal(mode_of(copy), 0600);
    assert_int_equal(mode_of(copy2), 0600);
    FILE *rep = fopen(report, "w");
    assert_int_equal(store_check_file(copy, rep, err, sizeof err), 0);
    fclose(rep);
    char text[4096] = "";
    rep = fopen(report, "r");
    size_t got = fread(text, 1, sizeof text - 1, rep);
    text[got] = 0;
    fclose(rep);
    assert_non_null(strstr(text, "schema version 6 (this wardwatch: 6)"));
    assert_non_null(strstr(text, "samples         500 rows"));
    assert_non_null(strstr(text, "admissions      1 rows"));
    assert_non_null(strstr(text, "audit           1 rows"));
    assert_non_null(strstr(text, ": ok"));
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(store_check_file(copy2, devnull, err, sizeof err), 0);
    assert_int_equal(store_check_file("/nonexistent/ward.db", devnull, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(store_backup_file("/nonexistent/ward.db", copy2, err, sizeof err), -1);
    /* A dangling reference is reported by check. */
    sqlite3 *d;
    sqlite3_open(copy, &d);
    assert_int_equal(sqlite3_exec(d,
                                  "PRAGMA foreign_keys=OFF; INSERT INTO observations(admission,"
                                  " bed, param, value, entered_by, t) VALUES(999, 1, 'rr', 12,"
                                  " 'KN', 5)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(d);
    rep = fopen(report, "w");
    assert_int_equal(store_check_file(copy, rep, err, sizeof err), -1);
    fclose(rep);
    assert_non_null(strstr(err, "1 problem(s)"));
    rep = fopen(report, "r");
    got = fread(text, 1, sizeof text - 1, rep);
    text[got] = 0;
    fclose(rep);
    assert_non_null(strstr(text, "foreign key: observations row"));
    fclose(devnull);
}

/* ---- outbox (#20) ---- */
struct ob_ctx {
    int calls, fail_next;
    int flushes;
};

static int ob_hook(void *ctx, struct store *st, const struct store_alarm_tx *a)
{
    struct ob_ctx *c = ctx;
    c->calls++;
    if (c->fail_next) {
        c->fail_next--;
        return -1;
    }
    char ctl[48], body[160];
    if (a) {
        snprintf(ctl, sizeof ctl, "A%lld", (long long)a->event_id);
        snprintf(body, sizeof body, "alarm %lld %s %s %s by '%s'", (long long)a->alarm_id,
                 a->condition, a->event, a->state, a->staff);
        if (store_outbox_put(st, "d", ctl, a->bed, a->t, body, strlen(body)) < 0)
            return -1;
        /* the same control id again is the same message: kept once */
        return store_outbox_put(st, "d", ctl, a->bed, a->t, "again", 5);
    }
    snprintf(ctl, sizeof ctl, "F%d", ++c->flushes);
    return store_outbox_put(st, "obs", ctl, 1, 0, "flush", 5);
}

static int64_t rows_in(const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* Each message is written in the transaction of the alarm transition it
 * carries: with it, never without it, also when an outage held the
 * transition and a later flush wrote it; pending rows survive a restart;
 * settled rows go (delivered) or stay as dead letters. */
static void test_outbox(void **state)
{
    struct store_options o = {.busy_timeout_ms = 150};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_schema_version(st), 6);
    struct ob_ctx c = {0};
    store_set_outbox_hook(st, ob_hook, &c);
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    int64_t id;
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", 1000, &id, err, sizeof err), 0);
    assert_true(id > 0);
    assert_int_equal(
        store_alarm_event(st, id, "acknowledged", "acknowledged", "KN", 2000, err, sizeof err), 0);
    int64_t n, oldest, dead;
    assert_int_equal(store_outbox_pending(st, "d", &n, &oldest, &dead, err, sizeof err), 0);
    assert_int_equal(n, 2); /* not 4 */
    assert_int_equal(oldest, 1000);
    struct store_outbox_row r;
    assert_int_equal(store_outbox_next(st, "d", &r, err, sizeof err), 1);
    char want[160];
    snprintf(want, sizeof want, "alarm %lld rr-high raised active by ''", (long long)id);
    assert_string_equal(r.body, want);
    assert_int_equal(r.bed, 1);
    /* the same row again until it is settled */
    int64_t first = r.id;
    store_outbox_row_free(&r);
    assert_int_equal(store_outbox_next(st, "d", &r, err, sizeof err), 1);
    assert_int_equal(r.id, first);
    store_outbox_row_free(&r);
    assert_int_equal(store_outbox_settle(st, first, true, "", 3000, err, sizeof err), 0);
    assert_int_equal(store_outbox_settle(st, first, true, "", 3000, err, sizeof err), -1);
    assert_int_equal(store_outbox_next(st, "d", &r, err, sizeof err), 1);
    assert_non_null(strstr(r.body, "acknowledged acknowledged by 'KN'"));
    assert_int_equal(store_outbox_settle(st, r.id, false, "AE bad OBX", 3000, err, sizeof err), 0);
    store_outbox_row_free(&r);
    assert_int_equal(store_outbox_next(st, "d", &r, err, sizeof err), 0);
    assert_int_equal(store_outbox_pending(st, "d", &n, &oldest, &dead, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dead, 1);
    assert_int_equal(rows_in("SELECT count(*) FROM outbox WHERE why = 'AE bad OBX'"), 1);
    /* outside the store's transaction nothing can be put */
    assert_int_equal(store_outbox_put(st, "d", "X", 1, 0, "x", 1), -1);

    /* An outage holds the raise: no message without its alarm row. */
    sqlite3 *locker;
    sqlite3_open(db, &locker);
    assert_int_equal(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    int64_t held;
    assert_int_equal(store_alarm_raise(st, 1, "apnoea", "high", 4000, &held, err, sizeof err), 0);
    assert_true(held < 0);
    sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(locker);
    assert_int_equal(rows_in("SELECT count(*) FROM alarms WHERE condition = 'apnoea'"), 0);
    assert_int_equal(rows_in("SELECT count(*) FROM outbox WHERE instr(CAST(body AS TEXT), "
                             "'apnoea') > 0"),
                     0);
    /* A hook that fails fails the write: the flush keeps everything. */
    struct store_sample smp = {1, 5000, 12, 60, 1, 1};
    store_queue_sample(st, &smp);
    c.fail_next = 1;
    assert_int_equal(store_flush(st, err, sizeof err), -1);
    assert_int_equal(rows_in("SELECT count(*) FROM alarms WHERE condition = 'apnoea'"), 0);
    assert_int_equal(store_flush(st, err, sizeof err), 0);
    assert_int_equal(rows_in("SELECT count(*) FROM alarms WHERE condition = 'apnoea'"), 1);
    assert_int_equal(rows_in("SELECT count(*) FROM outbox WHERE instr(CAST(body AS TEXT), "
                             "'apnoea raised') > 0"),
                     1);
    assert_int_equal(rows_in("SELECT count(*) FROM outbox WHERE dest = 'obs'"), 1);
    store_close(st);

    /* A restart: what is pending is still there, in order. */
    st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_outbox_next(st, "d", &r, err, sizeof err), 1);
    assert_non_null(strstr(r.body, "apnoea raised"));
    store_outbox_row_free(&r);
    assert_int_equal(store_outbox_next(st, "obs", &r, err, sizeof err), 1);
    assert_string_equal(r.body, "flush");
    store_outbox_row_free(&r);
    store_close(st);
}

/* The outbox after the database file was deleted under the running store
 * and put back: messages go into the file at the path, and are read from
 * it, not from the deleted one (H19-48). */
static void test_outbox_after_reattach(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ob_ctx c = {0};
    store_set_outbox_hook(st, ob_hook, &c);
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    struct store_sample smp = {1, 1000, 12, 60, 1, 1};
    store_queue_sample(st, &smp);
    assert_int_equal(store_flush(st, err, sizeof err), 0); /* message F1 */
    struct store_outbox_row r;
    assert_int_equal(store_outbox_next(st, "obs", &r, err, sizeof err), 1);
    store_outbox_row_free(&r);
    assert_int_equal(unlink(db), 0);
    assert_false(store_check_attached(st));
    assert_int_equal(store_reattach(st, 2000, err, sizeof err), 0);
    smp.t = 2000;
    store_queue_sample(st, &smp);
    assert_int_equal(store_flush(st, err, sizeof err), 0); /* message F2 */
    assert_int_equal(rows_in("SELECT count(*) FROM outbox WHERE control_id IN ('F1', 'F2')"), 2);
    assert_int_equal(store_outbox_next(st, "obs", &r, err, sizeof err), 1);
    assert_string_equal(r.control_id, "F1");
    assert_int_equal(store_outbox_settle(st, r.id, true, "", 3000, err, sizeof err), 0);
    store_outbox_row_free(&r);
    assert_int_equal(store_outbox_next(st, "obs", &r, err, sizeof err), 1);
    assert_string_equal(r.control_id, "F2");
    store_outbox_row_free(&r);
    assert_int_equal(rows_in("SELECT count(*) FROM outbox"), 1);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_modes_and_pragmas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_hand_made_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_only_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batching_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_failure_keeps_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_overflow_drops_oldest_samples_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commands_and_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realert_restores_unacked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_state_is_the_one_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_downsample_medians, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_minutes_and_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_minutes_any_bed_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_than_256_beds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minute_median_is_the_one_median, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_summarises_old_samples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_and_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_after_reattach, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
