/*
 * store — SQLite persistence for the ward (contract in store.h; the parts
 * and what they share in store_int.h). This part: opening and closing the
 * database, transactions, the bind and column helpers every part uses, and
 * the write queue with its flush.
 *
 * Queues: samples live in a fixed ring (oldest dropped in a long outage,
 * counted); scores and sensor events in preallocated arrays that only grow
 * if an outage outlasts them, because those rows must never be dropped.
 * Per-bed tables (sample sources, the open minute of each bed) grow as beds
 * appear; a table that cannot grow is reported, never skipped quietly.
 */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_SAMPLE_CAP (64 * 3600) /* an hour of a 64-bed ward */
#define DEFAULT_SCORE_CAP (64 * 600)
#define DEFAULT_EVENT_CAP 4096
#define DEFAULT_MINUTE_CAP (64 * 60) /* an hour of a 64-bed ward */
#define DEFAULT_BEDS 64              /* per-bed tables before they grow */

/* Record an SQLite error (also kept for store_last_error). */
int store_db_err(struct store *st, char *err, size_t errlen, const char *what)
{
    ww_err(st->last_error, sizeof st->last_error, "%s: %s: %s", st->path, what,
           sqlite3_errmsg(st->db));
    return ww_err(err, errlen, "%s", st->last_error);
}

/* Step a statement that returns no rows (or ignores them), then reset it. */
int store_step(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* BEGIN IMMEDIATE: take the write lock now so a busy database fails here.
 * While the store is failing, waits for a lock are cut to 100 ms: the loop
 * retries every second and must not stall the ward behind a locked file. */
int store_begin(struct store *st, char *err, size_t errlen, const char *what)
{
    if (st->detached || store_path_moved(st)) {
        st->healthy = false;
        ww_err(st->last_error, sizeof st->last_error,
               "%s: %s: the database file was deleted or replaced under the running server; "
               "the record is kept in the open connection and is being put back",
               st->path, what);
        return ww_err(err, errlen, "%s", st->last_error);
    }
    bool want_short = !st->healthy;
    if (want_short != st->busy_short) {
        sqlite3_busy_timeout(st->db, want_short ? 100 : st->busy_ms);
        st->busy_short = want_short;
    }
    if (store_step(st->st[S_BEGIN]) < 0) {
        st->healthy = false;
        return store_db_err(st, err, errlen, what);
    }
    return 0;
}

/* Roll back the open transaction after a validation refusal (no error). */
void store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        store_step(st->st[S_ROLLBACK]);
}

/* Roll back after a failed statement and report it. */
int store_fail(struct store *st, char *err, size_t errlen, const char *what)
{
    store_db_err(st, err, errlen, what);
    store_rollback(st);
    st->healthy = false;
    return -1;
}

/* COMMIT, or roll back and report: callers confirm only after this. */
int store_commit(struct store *st, char *err, size_t errlen, const char *what)
{
    if (store_step(st->st[S_COMMIT]) < 0)
        return store_fail(st, err, errlen, what);
    st->healthy = true;
    return 0;
}

/* ---- Bind helpers: every statement's values go through these, so each
 * kind of value is bound one way everywhere. */

/* Bind text as it is ("" stays "", a NULL pointer is NULL). */
void store_bind_str(sqlite3_stmt *s, int i, const char *v)
{
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Bind text, NULL when absent or empty. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Bind an id, NULL when 0 (none). */
void store_bind_id(sqlite3_stmt *s, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(s, i, id);
    else
        sqlite3_bind_null(s, i);
}

/* Bind a number that is absent when negative (no bed, a part not scored). */
void store_bind_opt_int(sqlite3_stmt *s, int i, int v)
{
    if (v >= 0)
        sqlite3_bind_int(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* A rate as the integer tenths it is stored as; false when not storable
 * (NaN or outside any sane range). */
bool store_to_tenths(float v, int *out)
{
    if (!(isfinite(v) && v >= 0 && v < 10000))
        return false;
    *out = (int)lroundf(v * 10.0f);
    return true;
}

/* Bind a rate as integer tenths, NULL when not storable. */
void store_bind_tenths(sqlite3_stmt *s, int i, float v)
{
    int t;
    if (store_to_tenths(v, &t))
        sqlite3_bind_int(s, i, t);
    else
        sqlite3_bind_null(s, i);
}

/* Bind min/median/max (tenths) at i..i+2, NULL when the minute had none. */
void store_bind_three(sqlite3_stmt *s, int i, const int *v, bool have)
{
    for (int k = 0; k < 3; k++) {
        if (have)
            sqlite3_bind_int(s, i + k, v[k]);
        else
            sqlite3_bind_null(s, i + k);
    }
}

/* Bind bed (or all), t0, t1 as ?1 ?2 ?3. */
void store_bind_range(sqlite3_stmt *s, int bed, int64_t t0, int64_t t1)
{
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_int64(s, 2, t0);
    sqlite3_bind_int64(s, 3, t1);
}

/* Bind a stay and a range for the S_Q_STAY_* statements. */
void store_bind_stay(sqlite3_stmt *s, const struct store_stay *stay, int64_t t0, int64_t t1)
{
    store_bind_range(s, stay->bed, t0, t1);
    store_bind_id(s, 4, stay->admission);
    sqlite3_bind_int64(s, 5, stay->since);
}

/* Copy a text column into a buffer. */
void store_col_text(sqlite3_stmt *s, int i, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    ww_strlcpy(dst, v ? (const char *)v : "", n);
}

/* Tenths column as a rate, NaN when NULL. */
float store_col_tenths(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : (float)sqlite3_column_int(s, i) / 10.0f;
}

/* Sanitise outside text into dst; refuse it (naming the field) when empty
 * and required, or longer than the field rather than cutting it silently. */
int store_clean_text(char *dst, size_t n, const char *src, bool keep_newlines, bool required,
                     const char *field, char *err, size_t errlen)
{
    if (!src)
        src = "";
    if (strlen(src) >= n)
        return ww_err(err, errlen, "%s is too long (%zu bytes, at most %zu)", field, strlen(src),
                      n - 1);
    ww_sanitize_text(dst, n, src, keep_newlines);
    if (required && !dst[0])
        return ww_err(err, errlen, "%s is missing", field);
    return 0;
}

/* A staff id (or prescriber) for a command: required, sanitised, bounded. */
int store_clean_staff(char *dst, size_t n, const char *staff, const char *field, char *err,
                      size_t errlen)
{
    return store_clean_text(dst, n, staff, false, true, field, err, errlen);
}

/* End a query loop: reset the reused statement and report a failed step. */
int store_finish(struct store *st, sqlite3_stmt *s, int rc, char *err, size_t errlen)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return store_db_err(st, err, errlen, "cannot read the database");
    return 0;
}

/* Create the file with tight permissions before SQLite opens it, so there
 * is no moment with wider ones. An existing file is left as it is. */
static int create_file(const char *path, const char *group, char *err, size_t errlen)
{
    bool grp = group && *group;
    struct group *g = NULL;
    if (grp && !(g = getgrnam(group)))
        return ww_err(err, errlen, "%s: unix group '%s' does not exist", path, group);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, grp ? 0640 : 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        return ww_err(err, errlen, "%s: cannot create the database: %s", path, strerror(errno));
    }
    if (grp) {
        /* umask 077 took the group bit away: put it back after chown. */
        if (fchown(fd, (uid_t)-1, g->gr_gid) < 0 || fchmod(fd, 0640) < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return ww_err(err, errlen, "%s: cannot give group '%s' read access: %s", path, group,
                          strerror(e));
        }
    }
    close(fd);
    return 0;
}

/* See store.h. */
int store_check_writable(const char *path, char *err, size_t errlen)
{
    if (access(path, F_OK) == 0 && access(path, W_OK) < 0)
        return ww_err(err, errlen,
                      "%s: the database file is not writable by this user (uid %d): %s; check "
                      "its owner and mode (ls -l %s)",
                      path, (int)geteuid(), strerror(errno), path);
    char dir[1100];
    ww_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        ww_strlcpy(dir, ".", sizeof dir);
    if (access(dir, W_OK | X_OK) < 0)
        return ww_err(err, errlen,
                      "%s: its directory %s is not writable by this user (uid %d): %s; SQLite "
                      "keeps its -wal and -shm files there",
                      path, dir, (int)geteuid(), strerror(errno));
    return 0;
}

/* Open with the defaults. */
struct store *store_open(const char *path, const char *group, char *err, size_t errlen)
{
    struct store_options o = {.group = group};
    return store_open_with(path, &o, err, errlen);
}

/* A reader's connection: read-only, no migration, this build's schema only.
 * Why: a newer command-line binary reading beside an older running server
 * must not upgrade the server's file under it (nor an older one write to a
 * newer file); the core that holds the lock is the only one that migrates. */
static int open_db_readonly(struct store *st, char *err, size_t errlen)
{
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: cannot open the database to read it: %s", st->path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
    st->busy_ms = 2000;
    sqlite3_busy_timeout(st->db, st->busy_ms);
    sqlite3_extended_result_codes(st->db, 1);
    int version = store_read_version(st->db);
    if (version < 0)
        return ww_err(err, errlen, "%s: cannot read the schema version (not a wardwatch "
                      "database?): %s", st->path, sqlite3_errmsg(st->db));
    st->version = version;
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is newer than this wardwatch reads "
                      "(version %d): it was written by a newer wardwatch; use that version's "
                      "command, nothing was changed",
                      st->path, version, STORE_SCHEMA_VERSION);
    if (version < STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is older than this wardwatch reads "
                      "(version %d); this command only reads and does not upgrade it: start "
                      "the ward's monitoring core of this version (wardwatch serve or the "
                      "board) to upgrade it, or use the wardwatch that wrote it; nothing was "
                      "changed",
                      st->path, version, STORE_SCHEMA_VERSION);
    return store_prepare_all(st, err, errlen);
}

/* Configure the connection, check, migrate and prepare. */
int store_open_db(struct store *st, const struct store_options *o, char *err, size_t errlen)
{
    if (o->readonly)
        return open_db_readonly(st, err, errlen);
    if (create_file(st->path, o->group, err, errlen) < 0)
        return -1;
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: cannot open the database: %s", st->path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
    st->busy_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 2000;
    sqlite3_busy_timeout(st->db, st->busy_ms);
    sqlite3_extended_result_codes(st->db, 1);
    /* A damaged file is refused before anything writes to it. */
    if (store_quick_check(st, err, errlen) < 0)
        return -1;
    sqlite3_stmt *s;
    char mode[16] = "";
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            store_col_text(s, 0, mode, sizeof mode);
        sqlite3_finalize(s);
    }
    if (strcmp(mode, "wal"))
        return ww_err(err, errlen,
                      "%s: cannot switch the database to WAL mode (%s); it must be on a local "
                      "file system",
                      st->path, mode[0] ? mode : sqlite3_errmsg(st->db));
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
                     &msg) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot configure the database: %s", st->path, msg);
        sqlite3_free(msg);
        return -1;
    }
    int target = o->schema_version > 0 ? o->schema_version : STORE_SCHEMA_VERSION;
    if (target > STORE_SCHEMA_VERSION)
        target = STORE_SCHEMA_VERSION;
    if (store_migrate(st, target, err, errlen) < 0)
        return -1;
    if (target < STORE_SCHEMA_VERSION) {
        st->limited = true;
        return 0;
    }
    return store_prepare_all(st, err, errlen);
}

/* Open with options; every queue is allocated here, once. */
struct store *store_open_with(const char *path, const struct store_options *opt, char *err,
                              size_t errlen)
{
    static const struct store_options defaults;
    const struct store_options *o = opt ? opt : &defaults;
    if (!path || !*path) {
        ww_err(err, errlen, "no database file given");
        return NULL;
    }
    struct store *st = calloc(1, sizeof *st);
    if (!st) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    if (ww_strlcpy(st->path, path, sizeof st->path) >= sizeof st->path) {
        ww_err(err, errlen, "database path is too long (%zu bytes)", strlen(path));
        free(st);
        return NULL;
    }
    st->cap = o->sample_capacity ? o->sample_capacity : DEFAULT_SAMPLE_CAP;
    st->capscores = o->score_capacity ? o->score_capacity : DEFAULT_SCORE_CAP;
    st->capsevs = o->event_capacity ? o->event_capacity : DEFAULT_EVENT_CAP;
    st->samples = malloc(st->cap * sizeof *st->samples);
    st->scores = malloc(st->capscores * sizeof *st->scores);
    st->sevs = malloc(st->capsevs * sizeof *st->sevs);
    st->capaccs = st->capsources = DEFAULT_BEDS;
    st->accs = malloc(st->capaccs * sizeof *st->accs);
    st->sources = malloc(st->capsources * sizeof *st->sources);
    st->capmins = DEFAULT_MINUTE_CAP;
    st->mins = malloc(st->capmins * sizeof *st->mins);
    st->capaops = 256;
    st->aops = malloc(st->capaops * sizeof *st->aops);
    st->next_local_id = -1;
    if (!st->samples || !st->scores || !st->sevs || !st->aops || !st->accs || !st->mins ||
        !st->sources) {
        ww_err(err, errlen, "out of memory for the write queues");
        store_close(st);
        return NULL;
    }
    /* The -wal and -shm files SQLite makes must not be wider either. */
    mode_t old = umask(077);
    int rc = store_open_db(st, o, err, errlen);
    umask(old);
    if (rc < 0) {
        store_close(st);
        return NULL;
    }
    struct stat sb;
    if (stat(st->path, &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
    }
    if (o->group)
        ww_strlcpy(st->group, o->group, sizeof st->group);
    st->healthy = true;
    return st;
}

/* Is the file at the path no longer the one open (deleted, or another
 * file put there)? Marks the store detached, once, with a log line. */
bool store_path_moved(struct store *st)
{
    if (st->detached)
        return true;
    if (!st->ino || st->limited)
        return false;
    struct stat sb;
    bool gone = false;
    if (stat(st->path, &sb) == 0) {
        if (sb.st_dev == st->dev && sb.st_ino == st->ino)
            return false;
    } else if (errno == ENOENT) {
        gone = true;
    } else {
        return false; /* cannot tell (a permission problem shows itself in writes) */
    }
    st->detached = true;
    st->healthy = false;
    ww_err(st->last_error, sizeof st->last_error,
           "%s: the database file was %s under the running server; the record is kept in the "
           "open connection and is being put back",
           st->path, gone ? "deleted" : "replaced by another file");
    log_msg(LOG_ERROR, "%s", st->last_error);
    return true;
}

/* See store.h. */
bool store_check_attached(struct store *st)
{
    return !store_path_moved(st);
}

/* See store.h. Each part is an index lookup (per bed on the tables keyed
 * by bed and time; the newest row of the rowid tables). */
int64_t store_last_time(struct store *st)
{
    static const char sql[] =
        "SELECT MAX(COALESCE(("
        " SELECT MAX(x) FROM (SELECT (SELECT MAX(t) FROM samples WHERE bed = b.number) x"
        " FROM beds b UNION ALL SELECT (SELECT MAX(t) FROM scores WHERE bed = b.number)"
        " FROM beds b)), 0),"
        " COALESCE((SELECT MAX(t) FROM audit), 0),"
        " COALESCE((SELECT MAX(t) FROM alarm_events), 0),"
        " COALESCE((SELECT raised_at FROM alarms ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM sensor_events ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM observations ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM notes ORDER BY id DESC LIMIT 1), 0))";
    sqlite3_stmt *s;
    int64_t t = 0;
    if (!st->db || sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        t = sqlite3_column_int64(s, 0);
    else
        t = -1;
    sqlite3_finalize(s);
    return t;
}

/* Close, finalising statements (queued rows not flushed are discarded). */
void store_close(struct store *st)
{
    if (!st)
        return;
    store_finalize_all(st);
    if (st->db)
        sqlite3_close(st->db);
    st->db = NULL;
    free(st->samples);
    free(st->scores);
    free(st->sevs);
    free(st->accs);
    free(st->sources);
    free(st->mins);
    free(st->aops);
    free(st);
}

/* Finalise every prepared statement (at close, and before a reopen), the
 * outbox's too: sqlite3_close refuses a connection with a statement left,
 * which then stays open on the old file and keeps serving that statement. */
void store_finalize_all(struct store *st)
{
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(st->st[i]);
        st->st[i] = NULL;
    }
    for (size_t i = 0; i < WW_ARRAY_LEN(st->ob); i++) {
        sqlite3_finalize(st->ob[i]);
        st->ob[i] = NULL;
    }
}

/* Schema version after migration. */
int store_schema_version(const struct store *st)
{
    return st->version;
}

/* Health after the last write. */
bool store_healthy(const struct store *st)
{
    return st->healthy;
}

/* Last error text ("" when none). */
const char *store_last_error(const struct store *st)
{
    return st->last_error;
}

/* Counters. */
void store_get_stats(const struct store *st, struct store_stats *out)
{
    *out = st->stats;
}

/* Make room for one more row in a never-dropped queue. Only an outage longer
 * than the preallocated size gets here; doubling keeps it rare. */
bool store_make_room(struct store *st, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    void *p = *cap <= SIZE_MAX / 2 / elem ? realloc(*arr, *cap * 2 * elem) : NULL;
    if (!p) {
        st->stats.lost_rows++;
        store_grow_failed(st, "out of memory queueing rows during a write outage; %llu lost",
                          (unsigned long long)st->stats.lost_rows);
        return false;
    }
    *arr = p;
    *cap *= 2;
    return true;
}

/* A table could not grow: the error is kept (store_last_error), logged once
 * per flush interval, and reported by the next flush even when its writes
 * succeed, so the ward shows a store failure rather than running on with
 * part of the record missing. */
void store_grow_failed(struct store *st, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    st->healthy = false;
    ww_err(st->last_error, sizeof st->last_error, "%s: %s", st->path, what);
    if (!st->grow_failed)
        log_msg(LOG_ERROR, "%s", st->last_error);
    st->grow_failed = true;
}

/* The element of bed in a per-bed table kept sorted by bed (each element
 * starts with its int bed): found by binary search, or, when create, a new
 * zeroed one put in its place, the table doubling when full. NULL when
 * absent, or when the table cannot grow (then reported, see above).
 * Pointers into the table are good only until the next create. */
void *store_bed_slot(struct store *st, void **arr, size_t *n, size_t *cap, size_t elem, int bed,
                     bool create)
{
    char *base = *arr;
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int b;
        memcpy(&b, base + mid * elem, sizeof b);
        if (b == bed)
            return base + mid * elem;
        if (b < bed)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!create)
        return NULL;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : DEFAULT_BEDS;
        void *p = ncap <= SIZE_MAX / elem ? realloc(base, ncap * elem) : NULL;
        if (!p) {
            store_grow_failed(st,
                              "out of memory for a table of %zu beds: bed %d is not "
                              "kept (its per-minute summaries or its sample source)",
                              *n + 1, bed);
            return NULL;
        }
        *arr = base = p;
        *cap = ncap;
    }
    memmove(base + (lo + 1) * elem, base + lo * elem, (*n - lo) * elem);
    memset(base + lo * elem, 0, elem);
    memcpy(base + lo * elem, &bed, sizeof bed);
    (*n)++;
    return base + lo * elem;
}

/* Rows waiting. */
size_t store_queued(const struct store *st)
{
    return st->n + st->nscores + st->nsevs + st->nmins + st->naops;
}

/* One transaction for everything queued; the queues are emptied only after
 * COMMIT, so a failure anywhere leaves every row for the next try. */
int store_flush(struct store *st, char *err, size_t errlen)
{
    if (store_queued(st) == 0)
        return 0;
    if (store_begin(st, err, errlen, "cannot write samples") < 0) {
        st->stats.failed_flushes++;
        return -1;
    }
    size_t nmap = st->nmap;
    bool hooked = false;
    if (store_put_alarm_ops(st) < 0) {
        st->nmap = nmap;
        goto failed;
    }
    if (store_put_queued(st) < 0)
        goto failed;
    /* outbox (#20): from here on its owner is told how the flush ended */
    hooked = st->ob_hook != NULL;
    if (hooked && st->ob_hook(st->ob_ctx, st, NULL) < 0)
        goto failed;
    if (store_commit(st, err, errlen, "cannot write samples") < 0) {
        st->nmap = nmap;
        st->stats.failed_flushes++;
        if (hooked)
            store_outbox_flushed(st, false);
        return -1;
    }
    if (hooked)
        store_outbox_flushed(st, true);
    st->stats.flushed += store_queued(st);
    st->n = st->head = 0;
    st->nscores = st->nsevs = st->naops = st->nmins = 0;
    if (st->grow_failed) {
        /* written, but a table could not grow since the last flush */
        st->grow_failed = false;
        st->healthy = false;
        ww_err(err, errlen, "%s", st->last_error);
        return 0;
    }
    return 0;
failed:
    st->nmap = nmap;
    st->stats.failed_flushes++;
    store_fail(st, err, errlen, "cannot write samples");
    if (hooked)
        store_outbox_flushed(st, false);
    return -1;
}
