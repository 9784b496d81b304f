/*
 * store — SQLite persistence for the ward (contract in store.h). Schema
 * history lives in the migrations[] table: each step runs in one
 * transaction and bumps PRAGMA user_version. Rates are stored as integer
 * tenths and quality as a percentage so a bed-day of per-second samples stays
 * small.
 */
#include "store.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const migrations[STORE_SCHEMA_VERSION] = {
    /* 1: the core record */
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
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
    /* 2: retention (per-minute samples) and the indexes the queries need */
    "CREATE TABLE samples_minute(bed INTEGER NOT NULL, minute INTEGER NOT NULL,"
    " rr_min INTEGER, rr_med INTEGER, rr_max INTEGER, hr_min INTEGER, hr_med INTEGER,"
    " hr_max INTEGER, n INTEGER NOT NULL, PRIMARY KEY(bed, minute)) WITHOUT ROWID;"
    "CREATE INDEX alarms_open ON alarms(state);"
    "CREATE INDEX alarm_events_t ON alarm_events(t);"
    "CREATE INDEX notes_bed_t ON notes(bed, t);"
    "CREATE INDEX observations_bed_t ON observations(bed, t);"
    "CREATE INDEX observations_adm ON observations(admission, param, t);"
    "CREATE INDEX audit_t ON audit(t);"
    "CREATE INDEX sensor_events_bed_t ON sensor_events(bed, t);"
    "CREATE TRIGGER alarm_events_no_update BEFORE UPDATE ON alarm_events"
    " BEGIN SELECT RAISE(ABORT, 'alarm events are append-only'); END;"
    "CREATE TRIGGER alarm_events_no_delete BEFORE DELETE ON alarm_events"
    " BEGIN SELECT RAISE(ABORT, 'alarm events are append-only'); END;",
};

enum stmt_id {
    S_BED,
    S_SAMPLE,
    S_SCORE,
    S_SENSOR_EV,
    S_AUDIT,
    S_ADMIT,
    S_DISCHARGE,
    S_SCALE2,
    S_LIMITS,
    S_OBS,
    S_NOTE,
    S_ALARM_RAISE,
    S_ALARM_UPDATE,
    S_ALARM_EVENT,
    S_ALARM_INFO,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BED] = "INSERT INTO beds(number, label) VALUES(?1, ?2)"
              " ON CONFLICT(number) DO UPDATE SET label = excluded.label",
    [S_SAMPLE] = "INSERT OR REPLACE INTO samples(bed, t, rr10, hr10, q, flags)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_SCORE] = "INSERT OR REPLACE INTO scores VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                " ?11, ?12)",
    [S_SENSOR_EV] = "INSERT INTO sensor_events(bed, t, event, detail) VALUES(?1, ?2, ?3, ?4)",
    [S_AUDIT] = "INSERT INTO audit(t, staff, action, bed, detail) VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_ADMIT] = "INSERT INTO admissions(bed, patient_ref, admitted_at, admitted_by, note)"
                " VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_DISCHARGE] = "UPDATE admissions SET discharged_at = ?2, discharged_by = ?3"
                    " WHERE id = ?1 AND discharged_at IS NULL",
    [S_SCALE2] = "UPDATE admissions SET scale2 = ?2, scale2_by = ?3, scale2_at = ?4"
                 " WHERE id = ?1 AND discharged_at IS NULL",
    [S_LIMITS] = "UPDATE admissions SET rr_low = ?2, rr_high = ?3, hr_low = ?4, hr_high = ?5,"
                 " limits_reason = ?6, limits_by = ?7 WHERE id = ?1 AND discharged_at IS NULL",
    [S_OBS] = "INSERT INTO observations(admission, bed, param, value, entered_by, t)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_NOTE] = "INSERT INTO notes(bed, admission, alarm, t, staff, text)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_ALARM_RAISE] = "INSERT INTO alarms(bed, condition, priority, raised_at, state,"
                      " last_alert_at) VALUES(?1, ?2, ?3, ?4, 'active', ?4)",
    [S_ALARM_UPDATE] =
        "UPDATE alarms SET state = ?2,"
        " acked_by = CASE WHEN ?3 = 'acknowledged' THEN ?4 ELSE acked_by END,"
        " acked_at = CASE WHEN ?3 = 'acknowledged' THEN ?5 ELSE acked_at END,"
        " ended_at = CASE WHEN ?3 IN ('ended', 'latched') THEN ?5 ELSE ended_at END,"
        " reset_by = CASE WHEN ?3 = 'reset' THEN ?4 ELSE reset_by END,"
        " reset_at = CASE WHEN ?3 = 'reset' THEN ?5 ELSE reset_at END,"
        " escalated = CASE WHEN ?3 = 'escalated' THEN 1 ELSE escalated END,"
        " last_alert_at = CASE WHEN ?3 IN ('realerted', 'raised') THEN ?5 ELSE last_alert_at END"
        " WHERE id = ?1",
    [S_ALARM_EVENT] = "INSERT INTO alarm_events(alarm, t, event, staff) VALUES(?1, ?2, ?3, ?4)",
    [S_ALARM_INFO] = "SELECT bed, condition FROM alarms WHERE id = ?1",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

struct sensor_ev_row {
    int bed;
    int64_t t;
    char event[32];
    char detail[128];
};

struct store {
    sqlite3 *db;
    char path[1024];
    sqlite3_stmt *st[S_COUNT];
    /* sample ring: may drop the oldest in a long outage */
    struct store_sample *samples;
    size_t cap, head, n;
    /* scores and sensor events: never dropped */
    struct store_score *scores;
    size_t nscores, capscores;
    struct sensor_ev_row *sevs;
    size_t nsevs, capsevs;
    bool healthy;
    char last_error[256];
    struct store_stats stats;
};

#define SAMPLE_CAP (64 * 3600) /* an hour of a 64-bed ward */

/* Record an SQLite error. */
static int db_err(struct store *st, char *err, size_t errlen, const char *what)
{
    snprintf(st->last_error, sizeof st->last_error, "%s: %s", what, sqlite3_errmsg(st->db));
    return ww_err(err, errlen, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

/* Run a statement that returns no rows (reset afterwards). */
static int step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* BEGIN IMMEDIATE. */
static int begin(struct store *st, char *err, size_t errlen)
{
    if (step_done(st->st[S_BEGIN]) < 0)
        return db_err(st, err, errlen, "cannot start a transaction");
    return 0;
}

/* COMMIT, or roll back and report. */
static int commit(struct store *st, char *err, size_t errlen, const char *what)
{
    if (step_done(st->st[S_COMMIT]) < 0) {
        db_err(st, err, errlen, what);
        step_done(st->st[S_ROLLBACK]);
        st->healthy = false;
        return -1;
    }
    st->healthy = true;
    return 0;
}

/* Roll back after a failed statement. */
static int fail(struct store *st, char *err, size_t errlen, const char *what)
{
    db_err(st, err, errlen, what);
    step_done(st->st[S_ROLLBACK]);
    st->healthy = false;
    return -1;
}

/* Bind text or NULL. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Bind a rate as integer tenths, NULL if NaN. */
static void bind_tenths(sqlite3_stmt *s, int i, float v)
{
    if (isfinite(v))
        sqlite3_bind_int(s, i, (int)lrintf(v * 10.0f));
    else
        sqlite3_bind_null(s, i);
}

/* Create the file with tight permissions before SQLite opens it. */
static int create_file(const char *path, const char *group, char *err, size_t errlen)
{
    mode_t mode = group && *group ? 0640 : 0600;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        return ww_err(err, errlen, "%s: cannot create database: %s", path, strerror(errno));
    }
    if (group && *group) {
        struct group *g = getgrnam(group);
        if (!g || fchown(fd, (uid_t)-1, g->gr_gid) < 0) {
            close(fd);
            unlink(path);
            return ww_err(err, errlen, "%s: cannot give group '%s' access", path, group);
        }
        fchmod(fd, 0640);
    }
    close(fd);
    return 0;
}

/* Apply migrations up to target. */
static int migrate(struct store *st, int target, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int version = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return db_err(st, err, errlen, "cannot read the schema version");
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is newer than this wardwatch (%d); "
                      "use a newer wardwatch",
                      st->path, version, STORE_SCHEMA_VERSION);
    for (int v = version; v < target; v++) {
        char *msg = NULL;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", v + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            ww_err(err, errlen, "%s: migration to schema version %d failed: %s", st->path, v + 1,
                   msg ? msg : sqlite3_errmsg(st->db));
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

struct store *store_open_version(const char *path, const char *group, int target, char *err,
                                 size_t errlen);

/* Open at the current schema version. */
struct store *store_open(const char *path, const char *group, char *err, size_t errlen)
{
    return store_open_version(path, group, STORE_SCHEMA_VERSION, err, errlen);
}

/* Open and migrate to target (lower targets exist for migration tests). */
struct store *store_open_version(const char *path, const char *group, int target, char *err,
                                 size_t errlen)
{
    mode_t old = umask(077);
    struct store *st = calloc(1, sizeof *st);
    if (!st) {
        umask(old);
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    ww_strlcpy(st->path, path, sizeof st->path);
    if (create_file(path, group, err, errlen) < 0)
        goto fail;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot open database: %s", path,
               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 1000);
    sqlite3_extended_result_codes(st->db, 1);
    /* A damaged file is refused before anything writes to it. */
    sqlite3_stmt *q;
    int ok = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(q, 0);
            ok = r && !strcmp(r, "ok");
        }
        sqlite3_finalize(q);
    }
    if (!ok) {
        ww_err(err, errlen,
               "%s: the database is damaged (%s). wardwatch will not write over it: move it "
               "aside (mv %s %s.damaged) and restore the latest `wardwatch backup` copy, or "
               "start a new file; `wardwatch check FILE` shows what is wrong",
               path, sqlite3_errmsg(st->db), path, path);
        goto fail;
    }
    char *msg = NULL;
    if (sqlite3_exec(st->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot configure the database: %s", path, msg);
        sqlite3_free(msg);
        goto fail;
    }
    if (migrate(st, target, err, errlen) < 0)
        goto fail;
    if (target == STORE_SCHEMA_VERSION) {
        for (int i = 0; i < S_COUNT; i++)
            if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->st[i],
                                   NULL) != SQLITE_OK) {
                ww_err(err, errlen, "%s: cannot prepare statement %d: %s", path, i,
                       sqlite3_errmsg(st->db));
                goto fail;
            }
    }
    st->cap = SAMPLE_CAP;
    st->samples = malloc(st->cap * sizeof *st->samples);
    if (!st->samples) {
        ww_err(err, errlen, "out of memory");
        goto fail;
    }
    st->healthy = true;
    umask(old);
    return st;
fail:
    umask(old);
    store_close(st);
    return NULL;
}

/* Close, finalising statements. */
void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->st[i]);
    if (st->db)
        sqlite3_close(st->db);
    free(st->samples);
    free(st->scores);
    free(st->sevs);
    free(st);
}

/* Current user_version. */
int store_schema_version(struct store *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

/* Health after the last write. */
bool store_healthy(const struct store *st)
{
    return st->healthy;
}

/* Last error text. */
const char *store_last_error(const struct store *st)
{
    return st->last_error;
}

/* Counters. */
void store_get_stats(const struct store *st, struct store_stats *out)
{
    *out = st->stats;
}

/* Bed row. */
int store_sync_bed(struct store *st, int bed, const char *label, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_BED];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, label, -1, SQLITE_TRANSIENT);
    if (step_done(s) < 0)
        return db_err(st, err, errlen, "cannot store bed");
    return 0;
}

/* Queue a sample (ring; oldest dropped when full). */
void store_queue_sample(struct store *st, const struct store_sample *s)
{
    if (st->n == st->cap) {
        st->head = (st->head + 1) % st->cap;
        st->n--;
        st->stats.dropped_samples++;
    }
    st->samples[(st->head + st->n) % st->cap] = *s;
    st->n++;
    st->stats.queued++;
}

/* Grow an array by doubling. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, nc * elem);
    if (np)
        *cap = nc;
    return np;
}

/* Queue a score (never dropped). */
void store_queue_score(struct store *st, const struct store_score *s)
{
    struct store_score *np = grow(st->scores, &st->capscores, st->nscores + 1, sizeof *np);
    if (!np)
        return;
    st->scores = np;
    st->scores[st->nscores++] = *s;
    st->stats.queued++;
}

/* Queue a sensor event (never dropped). */
void store_queue_sensor_event(struct store *st, int bed, int64_t t, const char *event,
                              const char *detail)
{
    struct sensor_ev_row *np = grow(st->sevs, &st->capsevs, st->nsevs + 1, sizeof *np);
    if (!np)
        return;
    st->sevs = np;
    struct sensor_ev_row *r = &st->sevs[st->nsevs++];
    r->bed = bed;
    r->t = t;
    ww_strlcpy(r->event, event, sizeof r->event);
    ww_strlcpy(r->detail, detail ? detail : "", sizeof r->detail);
    st->stats.queued++;
}

/* Rows waiting. */
size_t store_queued(const struct store *st)
{
    return st->n + st->nscores + st->nsevs;
}

/* One transaction for everything queued; on failure everything stays. */
int store_flush(struct store *st, char *err, size_t errlen)
{
    if (store_queued(st) == 0)
        return 0;
    if (begin(st, err, errlen) < 0) {
        st->healthy = false;
        st->stats.failed_flushes++;
        return -1;
    }
    for (size_t i = 0; i < st->n; i++) {
        const struct store_sample *r = &st->samples[(st->head + i) % st->cap];
        sqlite3_stmt *s = st->st[S_SAMPLE];
        sqlite3_bind_int(s, 1, r->bed);
        sqlite3_bind_int64(s, 2, r->t);
        bind_tenths(s, 3, r->rr);
        bind_tenths(s, 4, r->hr);
        if (isfinite(r->quality))
            sqlite3_bind_int(s, 5, (int)lrintf(r->quality * 100.0f));
        else
            sqlite3_bind_null(s, 5);
        sqlite3_bind_int(s, 6, (int)r->flags);
        if (step_done(s) < 0)
            goto failed;
    }
    for (size_t i = 0; i < st->nscores; i++) {
        const struct store_score *r = &st->scores[i];
        sqlite3_stmt *s = st->st[S_SCORE];
        sqlite3_bind_int(s, 1, r->bed);
        sqlite3_bind_int64(s, 2, r->t);
        sqlite3_bind_int(s, 3, r->total);
        for (int p = 0; p < 7; p++) {
            if (r->parts[p] >= 0)
                sqlite3_bind_int(s, 4 + p, r->parts[p]);
            else
                sqlite3_bind_null(s, 4 + p);
        }
        sqlite3_bind_int(s, 11, r->band);
        sqlite3_bind_int(s, 12, (int)r->partial_mask);
        if (step_done(s) < 0)
            goto failed;
    }
    for (size_t i = 0; i < st->nsevs; i++) {
        const struct sensor_ev_row *r = &st->sevs[i];
        sqlite3_stmt *s = st->st[S_SENSOR_EV];
        sqlite3_bind_int(s, 1, r->bed);
        sqlite3_bind_int64(s, 2, r->t);
        sqlite3_bind_text(s, 3, r->event, -1, SQLITE_TRANSIENT);
        bind_text(s, 4, r->detail);
        if (step_done(s) < 0)
            goto failed;
    }
    if (commit(st, err, errlen, "cannot write samples") < 0) {
        st->stats.failed_flushes++;
        return -1;
    }
    st->stats.flushed += store_queued(st);
    st->n = st->head = 0;
    st->nscores = st->nsevs = 0;
    return 0;
failed:
    st->stats.failed_flushes++;
    return fail(st, err, errlen, "cannot write samples");
}

/* Insert an audit row inside the current transaction. */
static int audit_row(struct store *st, const char *staff, const char *action, int bed,
                     const char *detail, int64_t t)
{
    sqlite3_stmt *s = st->st[S_AUDIT];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, staff && *staff ? staff : "system", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_TRANSIENT);
    if (bed >= 0)
        sqlite3_bind_int(s, 4, bed);
    else
        sqlite3_bind_null(s, 4);
    bind_text(s, 5, detail);
    return step_done(s);
}

/* Run one prepared command statement plus its audit row in a transaction. */
static int command(struct store *st, sqlite3_stmt *s, bool must_change, const char *staff,
                   const char *action, int bed, const char *detail, int64_t t, char *err,
                   size_t errlen)
{
    if (begin(st, err, errlen) < 0) {
        sqlite3_clear_bindings(s);
        st->healthy = false;
        return -1;
    }
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return fail(st, err, errlen, action);
    if (must_change && sqlite3_changes(st->db) == 0) {
        step_done(st->st[S_ROLLBACK]);
        return ww_err(err, errlen, "%s: nothing to change (not admitted or already closed)",
                      action);
    }
    if (audit_row(st, staff, action, bed, detail, t) < 0)
        return fail(st, err, errlen, action);
    return commit(st, err, errlen, action);
}

/* Admit. */
int store_admit(struct store *st, int bed, const char *patient_ref, const char *note,
                const char *staff, int64_t t, int64_t *admission_id, char *err, size_t errlen)
{
    char ref[40], clean[256];
    ww_sanitize_text(ref, sizeof ref, patient_ref, false);
    ww_sanitize_text(clean, sizeof clean, note ? note : "", true);
    sqlite3_stmt *s = st->st[S_ADMIT];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, t);
    sqlite3_bind_text(s, 4, staff, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, clean, -1, SQLITE_TRANSIENT);
    if (command(st, s, false, staff, "admit", bed, ref, t, err, errlen) < 0)
        return -1;
    /* last_insert_rowid is the audit row now: look the admission up instead. */
    sqlite3_stmt *q;
    *admission_id = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT max(id) FROM admissions WHERE bed = ?1 AND discharged_at IS NULL",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int(q, 1, bed);
        if (sqlite3_step(q) == SQLITE_ROW)
            *admission_id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return 0;
}

/* Discharge. */
int store_discharge(struct store *st, int64_t admission_id, int bed, const char *staff, int64_t t,
                    char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_DISCHARGE];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int64(s, 2, t);
    sqlite3_bind_text(s, 3, staff, -1, SQLITE_TRANSIENT);
    return command(st, s, true, staff, "discharge", bed, NULL, t, err, errlen);
}

/* Scale 2 on or off. */
int store_set_scale2(struct store *st, int64_t admission_id, int bed, bool on,
                     const char *prescriber, const char *staff, int64_t t, char *err,
                     size_t errlen)
{
    char detail[128];
    snprintf(detail, sizeof detail, "scale %d prescribed by %s", on ? 2 : 1,
             prescriber ? prescriber : "-");
    sqlite3_stmt *s = st->st[S_SCALE2];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int(s, 2, on);
    bind_text(s, 3, prescriber);
    sqlite3_bind_int64(s, 4, t);
    return command(st, s, true, staff, "scale2", bed, detail, t, err, errlen);
}

/* Individual limits. */
int store_set_limits(struct store *st, int64_t admission_id, int bed, double rr_low,
                     double rr_high, double hr_low, double hr_high, const char *reason,
                     const char *staff, int64_t t, char *err, size_t errlen)
{
    char clean[256], detail[400];
    ww_sanitize_text(clean, sizeof clean, reason ? reason : "", false);
    snprintf(detail, sizeof detail, "RR %g-%g HR %g-%g: %s", rr_low, rr_high, hr_low, hr_high,
             clean);
    sqlite3_stmt *s = st->st[S_LIMITS];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_double(s, 2, rr_low);
    sqlite3_bind_double(s, 3, rr_high);
    sqlite3_bind_double(s, 4, hr_low);
    sqlite3_bind_double(s, 5, hr_high);
    sqlite3_bind_text(s, 6, clean, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, staff, -1, SQLITE_TRANSIENT);
    return command(st, s, true, staff, "limits", bed, detail, t, err, errlen);
}

/* Observation. */
int store_add_observation(struct store *st, int64_t admission_id, int bed, const char *param,
                          double value, const char *staff, int64_t t, char *err, size_t errlen)
{
    char detail[64];
    snprintf(detail, sizeof detail, "%s=%g", param, value);
    sqlite3_stmt *s = st->st[S_OBS];
    if (admission_id > 0)
        sqlite3_bind_int64(s, 1, admission_id);
    else
        sqlite3_bind_null(s, 1);
    sqlite3_bind_int(s, 2, bed);
    sqlite3_bind_text(s, 3, param, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 4, value);
    sqlite3_bind_text(s, 5, staff, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, t);
    return command(st, s, false, staff, "observation", bed, detail, t, err, errlen);
}

/* Note. */
int store_add_note(struct store *st, int bed, int64_t admission_id, int64_t alarm_id,
                   const char *text, const char *staff, int64_t t, int64_t *note_id, char *err,
                   size_t errlen)
{
    char clean[1024];
    ww_sanitize_text(clean, sizeof clean, text, true);
    if (!clean[0])
        return ww_err(err, errlen, "empty note");
    sqlite3_stmt *s = st->st[S_NOTE];
    sqlite3_bind_int(s, 1, bed);
    if (admission_id > 0)
        sqlite3_bind_int64(s, 2, admission_id);
    else
        sqlite3_bind_null(s, 2);
    if (alarm_id > 0)
        sqlite3_bind_int64(s, 3, alarm_id);
    else
        sqlite3_bind_null(s, 3);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_text(s, 5, staff, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, clean, -1, SQLITE_TRANSIENT);
    if (begin(st, err, errlen) < 0)
        return -1;
    if (step_done(s) < 0)
        return fail(st, err, errlen, "note");
    int64_t id = sqlite3_last_insert_rowid(st->db);
    char detail[64];
    snprintf(detail, sizeof detail, "note %lld%s", (long long)id, alarm_id > 0 ? " on alarm" : "");
    if (audit_row(st, staff, "note", bed, detail, t) < 0)
        return fail(st, err, errlen, "note");
    if (commit(st, err, errlen, "note") < 0)
        return -1;
    if (note_id)
        *note_id = id;
    return 0;
}

/* New alarm row. */
int store_alarm_raise(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *alarm_id, char *err, size_t errlen)
{
    if (begin(st, err, errlen) < 0)
        return -1;
    sqlite3_stmt *s = st->st[S_ALARM_RAISE];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, condition, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, priority, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, t);
    if (step_done(s) < 0)
        return fail(st, err, errlen, "alarm");
    int64_t id = sqlite3_last_insert_rowid(st->db);
    sqlite3_stmt *e = st->st[S_ALARM_EVENT];
    sqlite3_bind_int64(e, 1, id);
    sqlite3_bind_int64(e, 2, t);
    sqlite3_bind_text(e, 3, "raised", -1, SQLITE_STATIC);
    sqlite3_bind_null(e, 4);
    if (step_done(e) < 0)
        return fail(st, err, errlen, "alarm");
    if (commit(st, err, errlen, "alarm") < 0)
        return -1;
    *alarm_id = id;
    return 0;
}

/* Alarm transition. */
int store_alarm_event(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *staff, int64_t t, char *err, size_t errlen)
{
    if (begin(st, err, errlen) < 0)
        return -1;
    sqlite3_stmt *u = st->st[S_ALARM_UPDATE];
    sqlite3_bind_int64(u, 1, alarm_id);
    sqlite3_bind_text(u, 2, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(u, 3, event, -1, SQLITE_TRANSIENT);
    bind_text(u, 4, staff);
    sqlite3_bind_int64(u, 5, t);
    if (step_done(u) < 0)
        return fail(st, err, errlen, "alarm");
    if (sqlite3_changes(st->db) == 0) {
        step_done(st->st[S_ROLLBACK]);
        return ww_err(err, errlen, "no alarm %lld", (long long)alarm_id);
    }
    sqlite3_stmt *e = st->st[S_ALARM_EVENT];
    sqlite3_bind_int64(e, 1, alarm_id);
    sqlite3_bind_int64(e, 2, t);
    sqlite3_bind_text(e, 3, event, -1, SQLITE_TRANSIENT);
    bind_text(e, 4, staff);
    if (step_done(e) < 0)
        return fail(st, err, errlen, "alarm");
    if (staff && *staff) {
        int bed = -1;
        char detail[96] = "";
        sqlite3_stmt *q = st->st[S_ALARM_INFO];
        sqlite3_bind_int64(q, 1, alarm_id);
        if (sqlite3_step(q) == SQLITE_ROW) {
            bed = sqlite3_column_int(q, 0);
            snprintf(detail, sizeof detail, "alarm %lld %s", (long long)alarm_id,
                     (const char *)sqlite3_column_text(q, 1));
        }
        sqlite3_reset(q);
        char action[32];
        snprintf(action, sizeof action, "alarm-%s", event);
        if (audit_row(st, staff, action, bed, detail, t) < 0)
            return fail(st, err, errlen, "alarm");
    }
    return commit(st, err, errlen, "alarm");
}

/* Generic audit row. */
int store_audit(struct store *st, const char *staff, const char *action, int bed,
                const char *detail, int64_t t, char *err, size_t errlen)
{
    if (begin(st, err, errlen) < 0)
        return -1;
    if (audit_row(st, staff, action, bed, detail, t) < 0)
        return fail(st, err, errlen, "audit");
    return commit(st, err, errlen, "audit");
}

/* Copy a text column into a buffer. */
static void col_text(sqlite3_stmt *s, int i, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    ww_strlcpy(dst, v ? (const char *)v : "", n);
}

/* Prepare an ad-hoc query (not on a hot path). */
static sqlite3_stmt *prep(struct store *st, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        db_err(st, err, errlen, "query");
        return NULL;
    }
    return s;
}

/* Finish a query loop. */
static int finish(struct store *st, sqlite3_stmt *s, int rc, char *err, size_t errlen)
{
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_err(st, err, errlen, "query");
    return 0;
}

/* Open admissions. */
int store_load_admissions(struct store *st, void (*cb)(void *, const struct store_admission *),
                          void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, bed, patient_ref, admitted_at, admitted_by, note, scale2,"
                           " scale2_by, scale2_at, rr_low, rr_high, hr_low, hr_high,"
                           " limits_reason FROM admissions WHERE discharged_at IS NULL ORDER BY id",
                           err, errlen);
    if (!s)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_admission a = {0};
        a.id = sqlite3_column_int64(s, 0);
        a.bed = sqlite3_column_int(s, 1);
        col_text(s, 2, a.patient_ref, sizeof a.patient_ref);
        a.admitted_at = sqlite3_column_int64(s, 3);
        col_text(s, 4, a.admitted_by, sizeof a.admitted_by);
        col_text(s, 5, a.note, sizeof a.note);
        a.scale2 = sqlite3_column_int(s, 6) != 0;
        col_text(s, 7, a.scale2_by, sizeof a.scale2_by);
        a.scale2_at = sqlite3_column_int64(s, 8);
        a.has_limits = sqlite3_column_type(s, 9) != SQLITE_NULL;
        a.rr_low = sqlite3_column_double(s, 9);
        a.rr_high = sqlite3_column_double(s, 10);
        a.hr_low = sqlite3_column_double(s, 11);
        a.hr_high = sqlite3_column_double(s, 12);
        col_text(s, 13, a.limits_reason, sizeof a.limits_reason);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Read an alarm row. */
static void read_alarm(sqlite3_stmt *s, struct store_alarm *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->bed = sqlite3_column_int(s, 1);
    col_text(s, 2, a->condition, sizeof a->condition);
    col_text(s, 3, a->priority, sizeof a->priority);
    a->raised_at = sqlite3_column_int64(s, 4);
    col_text(s, 5, a->state, sizeof a->state);
    col_text(s, 6, a->acked_by, sizeof a->acked_by);
    a->acked_at = sqlite3_column_int64(s, 7);
    a->ended_at = sqlite3_column_int64(s, 8);
    col_text(s, 9, a->reset_by, sizeof a->reset_by);
    a->reset_at = sqlite3_column_int64(s, 10);
    a->escalated = sqlite3_column_int(s, 11) != 0;
    a->last_alert_at = sqlite3_column_int64(s, 12);
}

/* Alarms still shown (active, acknowledged, latched). */
int store_load_open_alarms(struct store *st, void (*cb)(void *, const struct store_alarm *),
                           void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, bed, condition, priority, raised_at, state, acked_by,"
                           " acked_at, ended_at, reset_by, reset_at, escalated, last_alert_at"
                           " FROM alarms WHERE state IN ('active', 'acknowledged', 'latched')"
                           " ORDER BY id",
                           err, errlen);
    if (!s)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm a;
        read_alarm(s, &a);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Read an observation row. */
static void read_obs(sqlite3_stmt *s, struct store_observation *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    o->admission = sqlite3_column_int64(s, 1);
    o->bed = sqlite3_column_int(s, 2);
    col_text(s, 3, o->param, sizeof o->param);
    o->value = sqlite3_column_double(s, 4);
    col_text(s, 5, o->by, sizeof o->by);
    o->t = sqlite3_column_int64(s, 6);
}

/* Latest value of each parameter. */
int store_load_latest_observations(struct store *st, int64_t admission_id,
                                   void (*cb)(void *, const struct store_observation *),
                                   void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT o.id, o.admission, o.bed, o.param, o.value, o.entered_by, o.t"
                           " FROM observations o WHERE o.admission = ?1 AND o.id ="
                           " (SELECT id FROM observations WHERE admission = ?1 AND"
                           "  param = o.param ORDER BY t DESC, id DESC LIMIT 1)",
                           err, errlen);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, admission_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return finish(st, s, rc, err, errlen);
}

/* Bind bed (or all), t0, t1 as ?1 ?2 ?3. */
static void bind_range(sqlite3_stmt *s, int bed, int64_t t0, int64_t t1)
{
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_int64(s, 2, t0);
    sqlite3_bind_int64(s, 3, t1);
}

/* Samples in a range: per-second rows, then per-minute rows where the
 * per-second ones were pruned (medians stand in). */
int store_query_samples(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_sample *), void *ctx, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT bed, t, rr10, hr10, q, flags FROM samples"
                           " WHERE (?1 < 0 OR bed = ?1) AND t >= ?2 AND t < ?3"
                           " UNION ALL SELECT bed, minute * 60000, rr_med, hr_med, NULL, 0"
                           " FROM samples_minute WHERE (?1 < 0 OR bed = ?1)"
                           " AND minute * 60000 >= ?2 AND minute * 60000 < ?3 ORDER BY 2",
                           err, errlen);
    if (!s)
        return -1;
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_sample r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.rr = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN : sqlite3_column_int(s, 2) / 10.0f;
        r.hr = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN : sqlite3_column_int(s, 3) / 10.0f;
        r.quality =
            sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN : sqlite3_column_int(s, 4) / 100.0f;
        r.flags = (unsigned)sqlite3_column_int(s, 5);
        cb(ctx, &r);
    }
    return finish(st, s, rc, err, errlen);
}

/* Scores in a range. */
int store_query_scores(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_score *), void *ctx, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT * FROM scores WHERE (?1 < 0 OR bed = ?1) AND t >= ?2"
                           " AND t < ?3 ORDER BY t",
                           err, errlen);
    if (!s)
        return -1;
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_score r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.total = sqlite3_column_int(s, 2);
        for (int p = 0; p < 7; p++)
            r.parts[p] =
                sqlite3_column_type(s, 3 + p) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 3 + p);
        r.band = sqlite3_column_int(s, 10);
        r.partial_mask = (unsigned)sqlite3_column_int(s, 11);
        cb(ctx, &r);
    }
    return finish(st, s, rc, err, errlen);
}

/* Observations in a range. */
int store_query_observations(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_observation *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, admission, bed, param, value, entered_by, t FROM "
                           "observations WHERE (?1 < 0 OR bed = ?1) AND t >= ?2 AND t < ?3"
                           " ORDER BY t, id",
                           err, errlen);
    if (!s)
        return -1;
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return finish(st, s, rc, err, errlen);
}

/* Notes in a range. */
int store_query_notes(struct store *st, int bed, int64_t t0, int64_t t1,
                      void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT id, bed, alarm, t, staff, text FROM notes WHERE"
                           " (?1 < 0 OR bed = ?1) AND t >= ?2 AND t < ?3 ORDER BY t, id",
                           err, errlen);
    if (!s)
        return -1;
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_note n = {0};
        n.id = sqlite3_column_int64(s, 0);
        n.bed = sqlite3_column_int(s, 1);
        n.alarm_id = sqlite3_column_int64(s, 2);
        n.t = sqlite3_column_int64(s, 3);
        col_text(s, 4, n.by, sizeof n.by);
        col_text(s, 5, n.text, sizeof n.text);
        cb(ctx, &n);
    }
    return finish(st, s, rc, err, errlen);
}

/* Alarm events in a range. */
int store_query_alarm_events(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT e.alarm, a.bed, a.condition, a.priority, e.t, e.event, e.staff"
                           " FROM alarm_events e JOIN alarms a ON a.id = e.alarm"
                           " WHERE (?1 < 0 OR a.bed = ?1) AND e.t >= ?2 AND e.t < ?3"
                           " ORDER BY e.t, e.id",
                           err, errlen);
    if (!s)
        return -1;
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm_event e = {0};
        e.alarm_id = sqlite3_column_int64(s, 0);
        e.bed = sqlite3_column_int(s, 1);
        col_text(s, 2, e.condition, sizeof e.condition);
        col_text(s, 3, e.priority, sizeof e.priority);
        e.t = sqlite3_column_int64(s, 4);
        col_text(s, 5, e.event, sizeof e.event);
        col_text(s, 6, e.staff, sizeof e.staff);
        cb(ctx, &e);
    }
    return finish(st, s, rc, err, errlen);
}

/* Median of a small int array (sorted in place). */
static int median_int(int *v, int n)
{
    for (int i = 1; i < n; i++) {
        int x = v[i], j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return v[n / 2];
}

/* Downsample and prune old per-second samples in small batches: whole
 * bed-minutes older than the cutoff are folded into samples_minute (min,
 * median, max) and their rows deleted, about max_rows rows per call. */
long store_downsample(struct store *st, int64_t cutoff_ms, int max_rows, char *err,
                      size_t errlen)
{
    int64_t cutoff = cutoff_ms / 60000 * 60000; /* whole minutes only */
    int groups = max_rows / 60 > 0 ? max_rows / 60 : 1;
    sqlite3_stmt *g = prep(st,
                           "SELECT bed, t / 60000 AS m FROM samples WHERE t < ?1"
                           " GROUP BY bed, m ORDER BY m LIMIT ?2",
                           err, errlen);
    sqlite3_stmt *r = prep(st,
                           "SELECT rr10, hr10 FROM samples WHERE bed = ?1 AND t >= ?2 AND t < ?3",
                           err, errlen);
    sqlite3_stmt *ins = prep(st,
                             "INSERT OR REPLACE INTO samples_minute VALUES(?1, ?2, ?3, ?4, ?5,"
                             " ?6, ?7, ?8, ?9)",
                             err, errlen);
    sqlite3_stmt *del = prep(st, "DELETE FROM samples WHERE bed = ?1 AND t >= ?2 AND t < ?3",
                             err, errlen);
    long removed = -1;
    if (!g || !r || !ins || !del)
        goto out;
    if (begin(st, err, errlen) < 0)
        goto out;
    sqlite3_bind_int64(g, 1, cutoff);
    sqlite3_bind_int(g, 2, groups);
    removed = 0;
    int rc;
    while ((rc = sqlite3_step(g)) == SQLITE_ROW) {
        int bed = sqlite3_column_int(g, 0);
        int64_t m = sqlite3_column_int64(g, 1);
        int rr[256], hr[256], nrr = 0, nhr = 0, n = 0;
        sqlite3_bind_int(r, 1, bed);
        sqlite3_bind_int64(r, 2, m * 60000);
        sqlite3_bind_int64(r, 3, (m + 1) * 60000);
        while (sqlite3_step(r) == SQLITE_ROW && n < 256) {
            if (sqlite3_column_type(r, 0) != SQLITE_NULL)
                rr[nrr++] = sqlite3_column_int(r, 0);
            if (sqlite3_column_type(r, 1) != SQLITE_NULL)
                hr[nhr++] = sqlite3_column_int(r, 1);
            n++;
        }
        sqlite3_reset(r);
        sqlite3_bind_int(ins, 1, bed);
        sqlite3_bind_int64(ins, 2, m);
        for (int i = 3; i <= 8; i++)
            sqlite3_bind_null(ins, i);
        if (nrr) {
            int med = median_int(rr, nrr); /* sorts: rr[0] is the minimum */
            sqlite3_bind_int(ins, 3, rr[0]);
            sqlite3_bind_int(ins, 4, med);
            sqlite3_bind_int(ins, 5, rr[nrr - 1]);
        }
        if (nhr) {
            int med = median_int(hr, nhr);
            sqlite3_bind_int(ins, 6, hr[0]);
            sqlite3_bind_int(ins, 7, med);
            sqlite3_bind_int(ins, 8, hr[nhr - 1]);
        }
        sqlite3_bind_int(ins, 9, n);
        if (step_done(ins) < 0)
            break;
        sqlite3_bind_int(del, 1, bed);
        sqlite3_bind_int64(del, 2, m * 60000);
        sqlite3_bind_int64(del, 3, (m + 1) * 60000);
        if (step_done(del) < 0)
            break;
        removed += sqlite3_changes(st->db);
    }
    if (rc != SQLITE_DONE) {
        fail(st, err, errlen, "downsample");
        removed = -1;
    } else if (commit(st, err, errlen, "downsample") < 0) {
        removed = -1;
    }
out:
    sqlite3_finalize(g);
    sqlite3_finalize(r);
    sqlite3_finalize(ins);
    sqlite3_finalize(del);
    return removed;
}

static int backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen);

/* Backup API copy of the open store to a 0600 file. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen)
{
    return backup_db(st->db, dest, err, errlen);
}

/* Backup of a database file another process may be writing (read-only). */
int store_backup_file(const char *src, const char *dest, char *err, size_t errlen)
{
    sqlite3 *db;
    if (access(src, R_OK) != 0)
        return ww_err(err, errlen, "%s: %s", src, strerror(errno));
    if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot open: %s", src, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 2000);
    int rc = backup_db(db, dest, err, errlen);
    sqlite3_close(db);
    return rc;
}

/* Copy src page by page into a new 0600 file. */
static int backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen)
{
    mode_t old = umask(077);
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        umask(old);
        return ww_err(err, errlen, "%s: %s", dest, strerror(errno));
    }
    close(fd);
    sqlite3 *out;
    int rc = sqlite3_open(dest, &out);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
        if (b) {
            do {
                rc = sqlite3_backup_step(b, 256);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(20);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(out);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        ww_err(err, errlen, "%s: backup failed: %s", dest, sqlite3_errmsg(out));
        sqlite3_close(out);
        unlink(dest);
        umask(old);
        return -1;
    }
    sqlite3_close(out);
    umask(old);
    return 0;
}

/* Verify a database file. */
int store_check_file(const char *path, FILE *report, char *err, size_t errlen)
{
    sqlite3 *db;
    if (access(path, R_OK) != 0)
        return ww_err(err, errlen, "%s: %s", path, strerror(errno));
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot open: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    int problems = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK) {
        ww_err(err, errlen, "%s: not a database or badly damaged: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (r && strcmp(r, "ok")) {
            problems++;
            fprintf(report, "integrity: %s\n", r);
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        ww_err(err, errlen, "%s: integrity check failed: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            problems++;
            fprintf(report, "foreign key: table %s row %lld\n", sqlite3_column_text(s, 0),
                    (long long)sqlite3_column_int64(s, 1));
        }
        sqlite3_finalize(s);
    }
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    fprintf(report, "%s: schema version %d (this wardwatch: %d)\n", path, version,
            STORE_SCHEMA_VERSION);
    static const char *tables[] = {"beds",   "admissions",    "samples",      "samples_minute",
                                   "scores", "observations",  "alarms",       "alarm_events",
                                   "notes",  "sensor_events", "audit"};
    for (size_t i = 0; i < WW_ARRAY_LEN(tables); i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                fprintf(report, "  %-15s %lld rows\n", tables[i],
                        (long long)sqlite3_column_int64(s, 0));
            sqlite3_finalize(s);
        }
    }
    sqlite3_close(db);
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen, "%s: schema version %d is newer than this wardwatch", path,
                      version);
    if (problems)
        return ww_err(err, errlen, "%s: %d problem(s) found", path, problems);
    fprintf(report, "%s: ok\n", path);
    return 0;
}
