/*
 * store_retention — per-second samples folded into per-minute summaries,
 * and the record's retention: rows older than record_days deleted in small
 * batches, referrers first, each pass audited (see store.h).
 */
#include "store_int.h"

#include "util.h"

#include <stdio.h>

/* Fold one bed-minute into samples_minute and delete its rows; returns the
 * rows deleted or -1. */
static long fold_minute(struct store *st, int bed, int64_t m)
{
    sqlite3_stmt *r = st->st[S_DS_ROWS];
    int nrr = 0, nhr = 0, n = 0, rc;
    store_bind_range(r, bed, m * 60000, (m + 1) * 60000);
    /* Per-second rows: 60 a minute; the scratch holds far more. */
    while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
        if (sqlite3_column_type(r, 0) != SQLITE_NULL && nrr < STORE_DS_SCRATCH)
            st->ds_rr[nrr++] = sqlite3_column_int(r, 0);
        if (sqlite3_column_type(r, 1) != SQLITE_NULL && nhr < STORE_DS_SCRATCH)
            st->ds_hr[nhr++] = sqlite3_column_int(r, 1);
        n++;
    }
    sqlite3_reset(r);
    sqlite3_clear_bindings(r);
    if (rc != SQLITE_DONE)
        return -1;
    /* The same summary as the live one (store_minute_summary). */
    struct store_minute_row row = {.bed = bed, .minute = m, .n = n, .nrr = nrr, .nhr = nhr};
    if (nrr)
        store_minute_summary(row.rr, st->ds_rr, nrr);
    if (nhr)
        store_minute_summary(row.hr, st->ds_hr, nhr);
    sqlite3_stmt *p = st->st[S_DS_PUT];
    store_bind_minute(p, &row);
    if (store_step(p) < 0)
        return -1;
    sqlite3_stmt *d = st->st[S_DS_DELETE];
    store_bind_range(d, bed, m * 60000, (m + 1) * 60000);
    if (store_step(d) < 0)
        return -1;
    return sqlite3_changes(st->db);
}

/* Downsample and prune old per-second samples in small batches: about
 * max_rows rows (max_rows/60 bed-minutes, at least one) per call, in one
 * transaction, oldest minute of each bed first. Each step finds a bed's
 * oldest sample through the (bed, t) key, so a large table costs no scan. */
long store_downsample_and_prune(struct store *st, int64_t older_than_ms, int max_rows, char *err,
                                size_t errlen)
{
    if (max_rows <= 0)
        return ww_err(err, errlen, "retention: max_rows %d must be positive", max_rows);
    if (older_than_ms < 0)
        return ww_err(err, errlen, "retention: cutoff %lld is before 1970",
                      (long long)older_than_ms);
    int64_t cut = older_than_ms / 60000 * 60000; /* whole minutes only */
    int budget = max_rows / 60 > 0 ? max_rows / 60 : 1;
    enum { MAX_GROUPS = 256 };
    struct {
        int bed;
        int64_t m;
    } todo[MAX_GROUPS];
    long removed = 0;
    if (store_begin(st, err, errlen, "retention") < 0)
        return -1;
    while (budget > 0) {
        int ntodo = 0, rc;
        /* Collect first: the deletes must not run under the open scan. */
        sqlite3_stmt *g = st->st[S_DS_GROUPS];
        sqlite3_bind_int64(g, 1, cut);
        sqlite3_bind_int(g, 2, budget < MAX_GROUPS ? budget : MAX_GROUPS);
        while ((rc = sqlite3_step(g)) == SQLITE_ROW && ntodo < MAX_GROUPS) {
            todo[ntodo].bed = sqlite3_column_int(g, 0);
            todo[ntodo].m = sqlite3_column_int64(g, 1) / 60000;
            ntodo++;
        }
        sqlite3_reset(g);
        sqlite3_clear_bindings(g);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return store_fail(st, err, errlen, "retention");
        if (ntodo == 0)
            break;
        for (int i = 0; i < ntodo; i++) {
            long k = fold_minute(st, todo[i].bed, todo[i].m);
            if (k < 0)
                return store_fail(st, err, errlen, "retention");
            removed += k;
        }
        budget -= ntodo;
    }
    if (store_commit(st, err, errlen, "retention") < 0)
        return -1;
    return removed;
}

/* Set the record retention (the retention table's trigger audits a change). */
int store_set_record_days(struct store *st, int days, char *err, size_t errlen)
{
    if (days < 30 || days > 36500)
        return ww_err(err, errlen, "retention: record_days %d is not in 30-36500", days);
    if (days == st->record_days)
        return 0;
    sqlite3_bind_int(st->st[S_RET_SET], 1, days);
    if (store_step(st->st[S_RET_SET]) < 0) {
        st->healthy = false;
        return store_db_err(st, err, errlen, "cannot store the retention");
    }
    st->record_days = days;
    return 0;
}

/* The record retention in days. */
int store_record_days(const struct store *st)
{
    return st->record_days;
}

/* Delete up to *budget rows with one prune statement; -1 on error. */
static long prune_step(struct store *st, enum store_stmt id, int64_t cut, long *budget)
{
    if (*budget <= 0)
        return 0;
    sqlite3_stmt *s = st->st[id];
    sqlite3_bind_int64(s, 1, cut);
    sqlite3_bind_int64(s, 2, *budget);
    if (store_step(s) < 0)
        return -1;
    long n = sqlite3_changes(st->db);
    *budget -= n;
    return n;
}

/* Record retention in small batches (see store.h). */
long store_prune_record(struct store *st, int64_t now_ms, int max_rows, char *err, size_t errlen)
{
    if (max_rows <= 0)
        return ww_err(err, errlen, "retention: max_rows %d must be positive", max_rows);
    int64_t keep = (int64_t)st->record_days * 86400000LL;
    /* The triggers judge age by the database's clock: never ask for more
     * than they allow (a fast replay's ward clock runs ahead of it), and
     * keep a minute in hand for the time between here and the trigger. */
    int64_t cut = now_ms - keep;
    int64_t wall_cut = ww_now_ms() - keep - 60000;
    if (wall_cut < cut)
        cut = wall_cut;
    if (cut <= 0)
        return 0;
    static const enum store_stmt order[] = {S_PR_SCORES, S_PR_MINUTES, S_PR_SENSOR_EV,
                                            S_PR_OBS,    S_PR_NOTES,   S_PR_ALARM_EV,
                                            S_PR_ALARMS, S_PR_ADM,     S_PR_AUDIT};
    long budget = max_rows, removed = 0;
    if (store_begin(st, err, errlen, "retention") < 0)
        return -1;
    for (size_t i = 0; i < WW_ARRAY_LEN(order); i++) {
        long n = prune_step(st, order[i], cut, &budget);
        if (n < 0)
            return store_fail(st, err, errlen, "retention");
        removed += n;
    }
    st->prune_pass_rows += removed;
    /* A pass ends when a batch had room to spare: the removal is audited
     * once per pass, in the transaction of its last batch. */
    if (budget > 0 && st->prune_pass_rows > 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "%ld rows older than %d days (before %lld)",
                 st->prune_pass_rows, st->record_days, (long long)cut);
        if (store_audit_row(st, "system", "retention-prune", -1, detail, now_ms) < 0)
            return store_fail(st, err, errlen, "retention");
    }
    if (store_commit(st, err, errlen, "retention") < 0)
        return -1;
    if (budget > 0)
        st->prune_pass_rows = 0;
    return removed;
}

/* Older name of store_downsample_and_prune. */
long store_downsample(struct store *st, int64_t cutoff_ms, int max_rows, char *err,
                      size_t errlen)
{
    return store_downsample_and_prune(st, cutoff_ms, max_rows, err, errlen);
}
