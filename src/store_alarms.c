/*
 * store_alarms — alarm rows and their append-only event log; transitions
 * the database cannot take during an outage are held in order (a raise
 * under a provisional id) and written by the next flush (see store.h).
 *
 * An alarm's stored state is never taken from the caller: it is the one
 * rule's (alarm_state_after, scoring/alarm.h) applied to the row's state
 * before the event, so the record, the handover that replays the events
 * and the export all say the same. The caller's state argument is only
 * checked for being a state name.
 */
#include "store_int.h"

#include "alarm.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The state a new alarm is stored in (the rule's after "raised"). */
static const char *raised_state(void)
{
    return alarm_rec_state_name(alarm_state_after(ARS_ENDED, AE_RAISED));
}

/* Does an alarm exist? Fills its bed, condition and recorded state
 * (enum alarm_rec_state, -1 when not one) when it does. */
bool store_alarm_info(struct store *st, int64_t id, int *bed, char *cond, size_t n, int *state)
{
    sqlite3_stmt *q = st->st[S_ALARM_INFO];
    sqlite3_bind_int64(q, 1, id);
    bool yes = sqlite3_step(q) == SQLITE_ROW;
    if (yes) {
        if (bed)
            *bed = sqlite3_column_int(q, 0);
        if (cond)
            store_col_text(q, 1, cond, n);
        if (state)
            *state = alarm_rec_state_find((const char *)sqlite3_column_text(q, 2));
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return yes;
}

/* An alarm_events row (who: "" for the machine's own, stored NULL; detail
 * "" none, stored NULL); its id in *event_id. */
static int alarm_event_row(struct store *st, int64_t alarm_id, int64_t t, const char *event,
                           const char *who, const char *detail, int64_t *event_id)
{
    sqlite3_stmt *e = st->st[S_ALARM_EVENT];
    sqlite3_bind_int64(e, 1, alarm_id);
    sqlite3_bind_int64(e, 2, t);
    store_bind_str(e, 3, event);
    store_bind_text(e, 4, who);
    store_bind_text(e, 5, detail);
    if (store_step(e) < 0)
        return -1;
    *event_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* The alarm row and its "raised" event inside the open transaction. */
static int raise_rows(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, double value, double limit, int64_t *id)
{
    sqlite3_stmt *s = st->st[S_ALARM_RAISE];
    sqlite3_bind_int(s, 1, bed);
    store_bind_str(s, 2, condition);
    store_bind_str(s, 3, priority);
    sqlite3_bind_int64(s, 4, t);
    store_bind_str(s, 5, raised_state());
    if (store_step(s) < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(st->db);
    /* What raised it, kept so a restart shows "HR 136 >= 131" again. */
    char detail[64] = "";
    if (isfinite(value) && isfinite(limit))
        snprintf(detail, sizeof detail, "value=%.17g limit=%.17g", value, limit);
    int64_t event_id;
    if (alarm_event_row(st, *id, t, "raised", "", detail, &event_id) < 0)
        return -1;
    return store_outbox_alarm(st, *id, event_id, bed, condition, priority, "raised",
                              raised_state(), "", t);
}

/* A transition's row update, event and (with a staff id) audit row inside
 * the open transaction. prev: the row's recorded state before the event
 * (store_alarm_info); the state after it is the one rule's, and the row is
 * latched exactly when that state is (a latch that came back, or ended by
 * a discharge, waits for no reset). A closed alarm's row stays as it is
 * (S_ALARM_UPDATE), its late event is logged. */
static int event_rows(struct store *st, int64_t alarm_id, const char *event, int prev,
                      const char *who, int bed, const char *cond, int64_t t)
{
    enum alarm_rec_state next = alarm_state_after((enum alarm_rec_state)prev,
                                                  (enum alarm_event_kind)alarm_event_find(event));
    const char *state = alarm_rec_state_name(next);
    sqlite3_stmt *u = st->st[S_ALARM_UPDATE];
    sqlite3_bind_int64(u, 1, alarm_id);
    store_bind_str(u, 2, state);
    store_bind_str(u, 3, event);
    store_bind_text(u, 4, who);
    sqlite3_bind_int64(u, 5, t);
    sqlite3_bind_int(u, 6, next == ARS_LATCHED);
    if (store_step(u) < 0)
        return -1;
    int64_t event_id;
    if (alarm_event_row(st, alarm_id, t, event, who, "", &event_id) < 0)
        return -1;
    if (who[0]) {
        char detail[96], action[32];
        snprintf(detail, sizeof detail, "alarm %lld %s", (long long)alarm_id, cond);
        snprintf(action, sizeof action, "alarm-%s", event);
        if (store_audit_row(st, who, action, bed, detail, t) < 0)
            return -1;
    }
    return store_outbox_alarm(st, alarm_id, event_id, bed, cond, NULL, event, state, who, t);
}

/* The stored id of an alarm the ward knows by a provisional (negative) id;
 * 0 while its raise is still queued. */
int64_t store_real_alarm_id(const struct store *st, int64_t id)
{
    if (id > 0)
        return id;
    for (size_t i = st->nmap; i-- > 0;)
        if (st->idmap[i].local == id)
            return st->idmap[i].real;
    return 0;
}

/* Remember local -> real; the oldest half goes when the table is full
 * (alarms raised during an outage long ago, long since ended). */
static void map_alarm_id(struct store *st, int64_t local, int64_t real)
{
    if (st->nmap == STORE_IDMAP_CAP) {
        memmove(st->idmap, st->idmap + STORE_IDMAP_CAP / 2,
                STORE_IDMAP_CAP / 2 * sizeof *st->idmap);
        st->nmap = STORE_IDMAP_CAP / 2;
    }
    st->idmap[st->nmap].local = local;
    st->idmap[st->nmap].real = real;
    st->nmap++;
}

/* Queue an automatic alarm transition the database did not take now. */
static bool queue_alarm_op(struct store *st, const struct store_alarm_op *op)
{
    void *arr = st->aops;
    bool ok = store_make_room(st, &arr, &st->capaops, st->naops, sizeof *st->aops);
    st->aops = arr;
    if (!ok)
        return false;
    st->aops[st->naops++] = *op;
    st->stats.queued++;
    return true;
}

/* Write the queued alarm transitions, in order, inside the open
 * transaction. New id mappings are kept only if the caller commits
 * (*nmap_before restores them otherwise). */
int store_put_alarm_ops(struct store *st)
{
    for (size_t i = 0; i < st->naops; i++) {
        const struct store_alarm_op *op = &st->aops[i];
        if (op->raise) {
            int64_t id;
            if (raise_rows(st, op->bed, op->condition, op->priority, op->t, op->value, op->limit,
                           &id) < 0)
                return -1;
            map_alarm_id(st, op->id, id);
            continue;
        }
        int64_t id = store_real_alarm_id(st, op->id);
        int bed = -1, prev = -1;
        char cond[32] = "";
        if (!id || !store_alarm_info(st, id, &bed, cond, sizeof cond, &prev)) {
            st->stats.lost_rows++; /* its raise is gone: nothing to attach it to */
            continue;
        }
        if (event_rows(st, id, op->event, prev, op->staff, bed, cond, op->t) < 0)
            return -1;
    }
    return 0;
}

/* Write queued alarm transitions now, in their own transaction. */
int store_drain_alarm_ops(struct store *st, char *err, size_t errlen)
{
    if (!st->naops)
        return 0;
    size_t nmap = st->nmap;
    if (store_begin(st, err, errlen, "alarm") < 0)
        return -1;
    if (store_put_alarm_ops(st) < 0) {
        st->nmap = nmap;
        return store_fail(st, err, errlen, "alarm");
    }
    if (store_commit(st, err, errlen, "alarm") < 0) {
        st->nmap = nmap;
        return -1;
    }
    st->stats.flushed += st->naops;
    st->naops = 0;
    return 0;
}

/* Raise: the alarm row and its "raised" event. When the database cannot
 * take it now (full, read-only, locked), the raise is queued under a
 * provisional negative id and written by the next successful flush: an
 * alarm of the machine is never lost to a store outage. */
int store_alarm_raise(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *alarm_id, char *err, size_t errlen)
{
    return store_alarm_raise_trig(st, bed, condition, priority, t, NAN, NAN, alarm_id, err,
                                  errlen);
}

/* The same, with the value and limit that raised it (store.h). */
int store_alarm_raise_trig(struct store *st, int bed, const char *condition, const char *priority,
                           int64_t t, double value, double limit, int64_t *alarm_id, char *err,
                           size_t errlen)
{
    if (!condition || !*condition || strlen(condition) >= 32)
        return ww_err(err, errlen, "alarm: condition name missing or too long");
    if (!priority || !*priority || strlen(priority) >= 8)
        return ww_err(err, errlen, "alarm: priority missing or too long");
    int64_t id = 0;
    /* Queued transitions go first, so the record keeps their order. */
    if (store_drain_alarm_ops(st, err, errlen) == 0 && store_begin(st, err, errlen, "alarm") == 0) {
        if (raise_rows(st, bed, condition, priority, t, value, limit, &id) < 0)
            store_fail(st, err, errlen, "alarm");
        else if (store_commit(st, err, errlen, "alarm") == 0) {
            *alarm_id = id;
            return 0;
        }
    }
    struct store_alarm_op op = {.id = st->next_local_id--, .raise = true, .bed = bed, .t = t,
                                .value = value, .limit = limit};
    ww_strlcpy(op.condition, condition, sizeof op.condition);
    ww_strlcpy(op.priority, priority, sizeof op.priority);
    st->healthy = false;
    if (!queue_alarm_op(st, &op))
        return -1;
    *alarm_id = op.id;
    return 0;
}

/* Alarm transition: row update, event, and audit when a person did it. A
 * person's transition (with a staff id) is confirmed only once committed;
 * the machine's own (no staff id) are queued like a raise when the database
 * cannot take them now. */
int store_alarm_event(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *staff, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1] = "";
    if (alarm_event_find(event) < 0)
        return ww_err(err, errlen,
                      "alarm %lld: unknown event '%.16s' (accepted: raised acknowledged "
                      "realerted escalated ended latched reset superseded)",
                      (long long)alarm_id, event ? event : "");
    if (alarm_rec_state_find(state) < 0)
        return ww_err(err, errlen,
                      "alarm %lld: unknown state '%.16s' (accepted: active acknowledged latched "
                      "ended reset)",
                      (long long)alarm_id, state ? state : "");
    bool personal = !strcmp(event, "acknowledged") || !strcmp(event, "reset");
    if (store_clean_text(who, sizeof who, staff, false, personal, "staff id", err, errlen) < 0)
        return -1;
    if (alarm_id == 0)
        return ww_err(err, errlen, "alarm: no alarm 0");
    int drained = store_drain_alarm_ops(st, err, errlen);
    int64_t id = store_real_alarm_id(st, alarm_id);
    if (drained == 0 && id) {
        int bed = -1, prev = -1;
        char cond[32] = "";
        if (!store_alarm_info(st, id, &bed, cond, sizeof cond, &prev))
            return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
        if (store_begin(st, err, errlen, "alarm") == 0) {
            if (event_rows(st, id, event, prev, who, bed, cond, t) < 0)
                store_fail(st, err, errlen, "alarm");
            else if (store_commit(st, err, errlen, "alarm") == 0)
                return 0;
        }
    } else if (drained == 0 && alarm_id > 0) {
        return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
    } else if (drained == 0 && !st->naops) {
        /* A provisional id the store never issued or has forgotten. */
        return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
    }
    /* The database cannot take it now. The machine's transitions and a
     * person's acknowledgement or reset are held in order, with who did it,
     * and written (event and audit row) by the next successful flush: a
     * nurse must be able to silence an alarm during an outage, and what
     * she did must reach the record. The caller is told it is held (1). */
    struct store_alarm_op op = {.id = alarm_id, .t = t};
    ww_strlcpy(op.event, event, sizeof op.event);
    ww_strlcpy(op.staff, who, sizeof op.staff);
    st->healthy = false;
    if (!queue_alarm_op(st, &op))
        return ww_err(err, errlen, "alarm %lld: not recorded (out of memory)", (long long)alarm_id);
    if (who[0]) {
        ww_err(err, errlen,
               "the store cannot write now: %s by %s is held and will be written when the store "
               "recovers",
               event, who);
        return 1;
    }
    return 0;
}

/* Read an alarm row (ALARM_COLS). */
static void read_alarm(sqlite3_stmt *s, struct store_alarm *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->bed = sqlite3_column_int(s, 1);
    store_col_text(s, 2, a->condition, sizeof a->condition);
    store_col_text(s, 3, a->priority, sizeof a->priority);
    a->raised_at = sqlite3_column_int64(s, 4);
    store_col_text(s, 5, a->state, sizeof a->state);
    store_col_text(s, 6, a->acked_by, sizeof a->acked_by);
    a->acked_at = sqlite3_column_int64(s, 7);
    a->ended_at = sqlite3_column_int64(s, 8);
    store_col_text(s, 9, a->reset_by, sizeof a->reset_by);
    a->reset_at = sqlite3_column_int64(s, 10);
    a->escalated = sqlite3_column_int(s, 11) != 0;
    a->last_alert_at = sqlite3_column_int64(s, 12);
    a->latched = sqlite3_column_int(s, 13) != 0;
    a->trig_value = a->trig_limit = NAN;
}

/* Alarms still shown (active, acknowledged, latched). */
int store_load_open_alarms(struct store *st, void (*cb)(void *, const struct store_alarm *),
                           void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_ALARMS];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm a;
        read_alarm(s, &a);
        /* the raised event's detail: "value=V limit=L", or nothing */
        const unsigned char *d = sqlite3_column_text(s, 14);
        double v, l;
        if (d && sscanf((const char *)d, "value=%lf limit=%lf", &v, &l) == 2 && isfinite(v) &&
            isfinite(l)) {
            a.trig_value = v;
            a.trig_limit = l;
        }
        cb(ctx, &a);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Alarms shown at some time in [t0, t1), in the order raised. */
int store_query_alarms(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_alarm *), void *ctx, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ALARMS];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm a;
        read_alarm(s, &a);
        cb(ctx, &a);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Step a bound alarm-event query to its end. */
static int run_alarm_events(struct store *st, sqlite3_stmt *s,
                            void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                            char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm_event e = {0};
        e.alarm_id = sqlite3_column_int64(s, 0);
        e.bed = sqlite3_column_int(s, 1);
        store_col_text(s, 2, e.condition, sizeof e.condition);
        store_col_text(s, 3, e.priority, sizeof e.priority);
        e.t = sqlite3_column_int64(s, 4);
        store_col_text(s, 5, e.event, sizeof e.event);
        store_col_text(s, 6, e.staff, sizeof e.staff);
        cb(ctx, &e);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Alarm events in a range (the alarm log). */
int store_query_alarm_events(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ALARM_EV];
    store_bind_range(s, bed, t0, t1);
    return run_alarm_events(st, s, cb, ctx, err, errlen);
}

int store_query_stay_alarm_events(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_alarm_event *),
                                  void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_ALARM_EV];
    store_bind_stay(s, stay, t0, t1);
    return run_alarm_events(st, s, cb, ctx, err, errlen);
}
