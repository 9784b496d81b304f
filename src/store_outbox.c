/*
 * store_outbox — the hospital export's outbox (#20), see store.h.
 *
 * The export module (the hook's owner) adds its messages from inside the
 * store's own transactions (the hook is called by raise_rows and event_rows
 * in store_alarms.c and by store_flush), so a message exists exactly when
 * the data it carries does: an alarm transition rolled back (or held by an
 * outage, then written by a later flush) takes its message with it.
 */
#include "store_int.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

enum { OB_PUT, OB_NEXT, OB_DELETE, OB_DEAD };
static const char *const ob_sql[] = {
    /* the same control id is the same message (a bed's period made again
     * after the clock stepped back): kept once, never a failed flush */
    [OB_PUT] = "INSERT OR IGNORE INTO outbox(dest, control_id, bed, created_at, body)"
               " VALUES(?,?,?,?,?)",
    [OB_NEXT] = "SELECT id, control_id, bed, created_at, body FROM outbox"
                " WHERE dest = ? AND state = 'pending' ORDER BY id LIMIT 1",
    [OB_DELETE] = "DELETE FROM outbox WHERE id = ? AND state = 'pending'",
    [OB_DEAD] = "UPDATE outbox SET state = 'dead', dead_at = ?2, why = ?3"
                " WHERE id = ?1 AND state = 'pending'",
};

static sqlite3_stmt *ob_stmt(struct store *st, int k)
{
    if (!st->ob[k] && sqlite3_prepare_v2(st->db, ob_sql[k], -1, &st->ob[k], NULL) != SQLITE_OK)
        st->ob[k] = NULL;
    return st->ob[k];
}

void store_set_outbox_hook(struct store *st, store_outbox_hook hook, void *ctx)
{
    st->ob_hook = hook;
    st->ob_ctx = ctx;
}

void store_set_outbox_done(struct store *st, store_outbox_done done)
{
    st->ob_done = done;
}

void store_outbox_flushed(struct store *st, bool committed)
{
    if (st->ob_hook && st->ob_done)
        st->ob_done(st->ob_ctx, committed);
}

int store_outbox_alarm(struct store *st, int64_t alarm_id, int64_t event_id, int bed,
                       const char *cond, const char *priority, const char *event, const char *state,
                       const char *who, int64_t t)
{
    if (!st->ob_hook)
        return 0;
    struct store_alarm_tx a = {.alarm_id = alarm_id,
                               .event_id = event_id,
                               .bed = bed,
                               .condition = cond,
                               .priority = priority,
                               .event = event,
                               .state = state,
                               .staff = who,
                               .t = t};
    return st->ob_hook(st->ob_ctx, st, &a);
}

int store_outbox_put(struct store *st, const char *dest, const char *control_id, int bed,
                     int64_t t, const char *body, size_t len)
{
    if (sqlite3_get_autocommit(st->db))
        return -1; /* only inside the store's transaction (from the hook) */
    sqlite3_stmt *s = ob_stmt(st, OB_PUT);
    if (!s)
        return -1;
    store_bind_str(s, 1, dest);
    store_bind_str(s, 2, control_id);
    store_bind_opt_int(s, 3, bed);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_blob(s, 5, body, (int)len, SQLITE_TRANSIENT);
    return store_step(s);
}

int store_outbox_next(struct store *st, const char *dest, struct store_outbox_row *row,
                      char *err, size_t errlen)
{
    memset(row, 0, sizeof *row);
    sqlite3_stmt *s = ob_stmt(st, OB_NEXT);
    if (!s)
        return store_db_err(st, err, errlen, "outbox");
    store_bind_str(s, 1, dest);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(s, 0);
        ww_strlcpy(row->control_id, (const char *)sqlite3_column_text(s, 1),
                   sizeof row->control_id);
        row->bed = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
        row->created_at = sqlite3_column_int64(s, 3);
        int n = sqlite3_column_bytes(s, 4);
        row->body = malloc((size_t)n + 1);
        if (!row->body) {
            sqlite3_reset(s);
            return ww_err(err, errlen, "outbox: out of memory");
        }
        memcpy(row->body, sqlite3_column_blob(s, 4), (size_t)n);
        row->body[n] = 0;
        row->len = (size_t)n;
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return store_db_err(st, err, errlen, "outbox");
}

void store_outbox_row_free(struct store_outbox_row *row)
{
    free(row->body);
    row->body = NULL;
}

int store_outbox_settle(struct store *st, int64_t id, bool delivered, const char *why, int64_t t,
                        char *err, size_t errlen)
{
    sqlite3_stmt *s = ob_stmt(st, delivered ? OB_DELETE : OB_DEAD);
    if (!s)
        return store_db_err(st, err, errlen, "outbox");
    sqlite3_bind_int64(s, 1, id);
    if (!delivered) {
        sqlite3_bind_int64(s, 2, t);
        store_bind_text(s, 3, why);
    }
    if (store_step(s) < 0)
        return store_db_err(st, err, errlen, "outbox");
    return sqlite3_changes(st->db) == 1 ? 0 : ww_err(err, errlen, "outbox: no pending row %lld",
                                                     (long long)id);
}

int store_outbox_pending(struct store *st, const char *dest, int64_t *count, int64_t *oldest,
                         int64_t *dead, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FILTER (WHERE state = 'pending'),"
                           " min(created_at) FILTER (WHERE state = 'pending'),"
                           " count(*) FILTER (WHERE state = 'dead') FROM outbox WHERE dest = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_err(st, err, errlen, "outbox");
    store_bind_str(s, 1, dest);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        *oldest = sqlite3_column_int64(s, 1);
        *dead = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_db_err(st, err, errlen, "outbox");
}
