/*
 * store_backup — copies and checks of the database file (the backup API;
 * safe while the ward writes), and putting the record back when the file
 * is deleted or replaced under a running server (see store.h).
 */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Move a file that is not ours out of the way (with its -wal and -shm). */
static int move_aside(const char *path, const char *suffix, char *moved, size_t n, char *err,
                      size_t errlen)
{
    static const char *ext[] = {"", "-wal", "-shm"};
    moved[0] = '\0';
    for (size_t i = 0; i < WW_ARRAY_LEN(ext); i++) {
        char from[1100], to[1200];
        snprintf(from, sizeof from, "%s%s", path, ext[i]);
        snprintf(to, sizeof to, "%s%s%s", path, suffix, ext[i]);
        if (rename(from, to) < 0 && errno != ENOENT)
            return ww_err(err, errlen, "cannot move %s aside: %s", from, strerror(errno));
        if (i == 0)
            ww_strlcpy(moved, to, n);
    }
    return 0;
}

/* See store.h. */
int store_secure_copy(struct store *st, char *err, size_t errlen)
{
    if (!st->detached || !st->db)
        return 0;
    char tmp[1100];
    struct stat sb;
    snprintf(tmp, sizeof tmp, "%s.restoring", st->path);
    if (st->copied && stat(tmp, &sb) == 0)
        return 0;
    unlink(tmp);
    if (store_backup_db(st->db, tmp, err, errlen) < 0)
        return -1;
    st->copied = true;
    log_msg(LOG_WARN, "%s: the record is copied to %s until it is put back", st->path, tmp);
    return 0;
}

/* See store.h. */
int store_reattach(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
    if (!st->detached)
        return 0;
    char tmp[1100], moved[1200] = "";
    struct stat sb;
    if (!st->db)
        goto reopen; /* the copy is in place already; an earlier reopen failed */
    /* 1. The whole record onto disk first, from the open connection (it
     * still reads the deleted file and its WAL). */
    snprintf(tmp, sizeof tmp, "%s.restoring", st->path);
    /* Writes were refused since the copy was made: it is the whole record. */
    if (!st->copied || stat(tmp, &sb) < 0) {
        unlink(tmp);
        if (store_backup_db(st->db, tmp, err, errlen) < 0)
            return -1;
    }
    st->copied = false;
    if (st->group[0]) {
        struct group *g = getgrnam(st->group);
        if (!g || chown(tmp, (uid_t)-1, g->gr_gid) < 0 || chmod(tmp, 0640) < 0)
            log_msg(LOG_WARN, "%s: cannot give group '%s' read access: %s", tmp, st->group,
                    g ? strerror(errno) : "no such group");
    }
    /* 2. The old connection closes: it checkpoints into the file it has
     * open and removes its own -wal and -shm by name. */
    store_finalize_all(st);
    sqlite3_close(st->db);
    st->db = NULL;
    st->busy_short = false;
    /* 3. Whatever is still at the path (another hand's file, a -wal that
     * must never be replayed into the copy) is kept beside it, and the copy
     * goes into place. */
    char wal[1100], shm[1100];
    snprintf(wal, sizeof wal, "%s-wal", st->path);
    snprintf(shm, sizeof shm, "%s-shm", st->path);
    if (lstat(st->path, &sb) == 0 || lstat(wal, &sb) == 0 || lstat(shm, &sb) == 0) {
        char suffix[64];
        snprintf(suffix, sizeof suffix, ".replaced-%lld", (long long)(now_ms / 1000));
        if (move_aside(st->path, suffix, moved, sizeof moved, err, errlen) < 0) {
            log_msg(LOG_ERROR, "%s: working from %s", err, tmp);
            ww_strlcpy(st->path, tmp, sizeof st->path);
            goto reopen;
        }
        if (lstat(moved, &sb) < 0)
            moved[0] = '\0'; /* only a stale -wal or -shm was there */
    }
    if (rename(tmp, st->path) < 0) {
        log_msg(LOG_ERROR, "cannot put %s back at %s (%s): working from %s", tmp, st->path,
                strerror(errno), tmp);
        ww_strlcpy(st->path, tmp, sizeof st->path);
    }
reopen:;
    struct store_options o = {.group = st->group[0] ? st->group : NULL,
                              .busy_timeout_ms = st->busy_ms};
    mode_t old = umask(077);
    int rc = store_open_db(st, &o, err, errlen);
    umask(old);
    if (rc < 0) {
        /* The copy is on disk; without a connection nothing can be
         * written: say so loudly (every write fails until a restart). */
        log_msg(LOG_ERROR, "%s: restored, but cannot reopen it (retrying): %s", st->path, err);
        store_finalize_all(st);
        sqlite3_close(st->db);
        st->db = NULL;
        return -1;
    }
    if (stat(st->path, &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
    }
    st->detached = false;
    char detail[STORE_REASON_MAX + 1];
    snprintf(detail, sizeof detail, "database file %s under the running server; restored from "
             "the open connection%s%s", moved[0] ? "replaced" : "deleted",
             moved[0] ? ", the other file kept as " : "", moved);
    log_msg(LOG_WARN, "%s: %s", st->path, detail);
    if (store_audit(st, "wardwatch", "database-restored", -1, detail, now_ms, err, errlen) < 0)
        return -1;
    return 0;
}

/* Copy src into a new 0600 file with the backup API in one step (a single
 * read transaction, so the copy is consistent even while the ward writes). */
int store_backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen)
{
    if (!dest || !*dest)
        return ww_err(err, errlen, "backup: no destination file given");
    mode_t old = umask(077);
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        umask(old);
        if (e == EEXIST)
            return ww_err(err, errlen, "%s: already exists; a backup never overwrites a file",
                          dest);
        return ww_err(err, errlen, "%s: cannot create the backup: %s", dest, strerror(e));
    }
    close(fd);
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
        if (b) {
            /* A writer holding the lock: retry for up to about 5 s. */
            for (int tries = 0; tries < 250; tries++) {
                rc = sqlite3_backup_step(b, -1);
                if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                    break;
                sqlite3_sleep(20);
            }
            sqlite3_backup_finish(b);
            if (rc == SQLITE_DONE)
                rc = sqlite3_errcode(out);
        } else {
            rc = sqlite3_errcode(out);
        }
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        ww_err(err, errlen, "%s: backup failed: %s", dest,
               rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the database stayed locked"
               : out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
        sqlite3_close(out);
        unlink(dest);
        umask(old);
        return -1;
    }
    sqlite3_close(out);
    umask(old);
    return 0;
}

/* Backup API copy of the open store. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen)
{
    return store_backup_db(st->db, dest, err, errlen);
}

/* Open a database file read-only, with a clear message when that fails. */
static sqlite3 *open_readonly(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (!path || !*path) {
        ww_err(err, errlen, "no database file given");
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        ww_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot open: %s", path,
               db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    return db;
}

/* Backup of a database file another process may be writing. */
int store_backup_file(const char *src, const char *dest, char *err, size_t errlen)
{
    sqlite3 *db = open_readonly(src, err, errlen);
    if (!db)
        return -1;
    int rc = store_backup_db(db, dest, err, errlen);
    sqlite3_close(db);
    return rc;
}

/* The tables store_check_file counts, with the version that made each. */
static const struct {
    const char *name;
    int since;
} check_tables[] = {
    {"beds", 1},      {"admissions", 1},    {"samples", 1}, {"samples_minute", 2},
    {"scores", 1},    {"observations", 1},  {"alarms", 1},  {"alarm_events", 1},
    {"notes", 1},     {"sensor_events", 1}, {"audit", 1},   {"sources", 3},
    {"retention", 4},
};

/* Run integrity_check; print and count problems. -1 when it cannot run. */
static int integrity(sqlite3 *db, const char *path, FILE *report, int *problems, char *err,
                     size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: not a SQLite database, or damaged beyond checking: %s",
                      path, sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (r && strcmp(r, "ok")) {
            (*problems)++;
            fprintf(report, "integrity: %s\n", r);
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return ww_err(err, errlen,
                      "%s: damaged (%s); restore the latest `wardwatch backup` copy that "
                      "`wardwatch check` finds sound",
                      path, sqlite3_errmsg(db));
    return 0;
}

/* Verify a database file. */
int store_check_file(const char *path, FILE *report, char *err, size_t errlen)
{
    sqlite3 *db = open_readonly(path, err, errlen);
    if (!db)
        return -1;
    int problems = 0;
    if (integrity(db, path, report, &problems, err, errlen) < 0) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            problems++;
            fprintf(report, "foreign key: %s row %lld refers to a missing %s row\n",
                    (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
                    (const char *)sqlite3_column_text(s, 2));
        }
        sqlite3_finalize(s);
    }
    int version = store_read_version(db);
    fprintf(report, "%s: schema version %d (this wardwatch: %d)\n", path, version,
            STORE_SCHEMA_VERSION);
    for (size_t i = 0; i < WW_ARRAY_LEN(check_tables); i++) {
        char sql[96];
        /* Table names come from the constant list above, never from input. */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", check_tables[i].name);
        long long n = -1;
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                n = sqlite3_column_int64(s, 0);
            sqlite3_finalize(s);
        }
        if (n >= 0) {
            fprintf(report, "  %-15s %lld rows\n", check_tables[i].name, n);
        } else if (version >= check_tables[i].since) {
            problems++;
            fprintf(report, "  %-15s missing\n", check_tables[i].name);
        }
    }
    sqlite3_close(db);
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: schema version %d is newer than this wardwatch (%d); check it with "
                      "the wardwatch that wrote it",
                      path, version, STORE_SCHEMA_VERSION);
    if (version < 1)
        return ww_err(err, errlen, "%s: not a wardwatch database (schema version %d)", path,
                      version);
    if (problems)
        return ww_err(err, errlen,
                      "%s: %d problem(s) found; restore the latest `wardwatch backup` copy that "
                      "`wardwatch check` finds sound",
                      path, problems);
    fprintf(report, "%s: ok\n", path);
    return 0;
}
