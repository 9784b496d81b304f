/*
 * store_record — the ward's record as people make it: beds, admissions
 * (Scale 2, individual limits), observations, notes, the audit trail, and
 * what a bed's current stay may show (see store_int.h). Every command
 * commits with its audit row before it returns 0.
 */
#include "store_int.h"

#include "util.h"

#include <math.h>
#include <string.h>

/* Bed row (insert, or update the label). */
int store_sync_bed(struct store *st, int bed, const char *label, char *err, size_t errlen)
{
    char clean[STORE_LABEL_MAX + 1];
    if (bed < 0)
        return ww_err(err, errlen, "bed number %d is negative", bed);
    if (store_clean_text(clean, sizeof clean, label, false, true, "bed label", err, errlen) < 0)
        return -1;
    sqlite3_stmt *s = st->st[S_BED];
    sqlite3_bind_int(s, 1, bed);
    store_bind_str(s, 2, clean);
    if (store_step(s) < 0) {
        st->healthy = false;
        return store_db_err(st, err, errlen, "cannot store the bed");
    }
    return 0;
}

/* Insert an audit row inside the current transaction. */
int store_audit_row(struct store *st, const char *staff, const char *action, int bed,
                    const char *detail, int64_t t)
{
    sqlite3_stmt *s = st->st[S_AUDIT];
    sqlite3_bind_int64(s, 1, t);
    store_bind_str(s, 2, staff && *staff ? staff : "system");
    store_bind_str(s, 3, action);
    store_bind_opt_int(s, 4, bed);
    store_bind_text(s, 5, detail);
    return store_step(s);
}

/* Generic audit row. */
int store_audit(struct store *st, const char *staff, const char *action, int bed,
                const char *detail, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], act[32], det[STORE_REASON_MAX + 1];
    if (store_clean_text(who, sizeof who, staff, false, false, "staff id", err, errlen) < 0 ||
        store_clean_text(act, sizeof act, action, false, true, "audit action", err, errlen) < 0 ||
        store_clean_text(det, sizeof det, detail, false, false, "audit detail", err, errlen) < 0)
        return -1;
    if (store_begin(st, err, errlen, "audit") < 0)
        return -1;
    if (store_audit_row(st, who, act, bed, det, t) < 0)
        return store_fail(st, err, errlen, "audit");
    return store_commit(st, err, errlen, "audit");
}

/* Does the bed exist in the beds table? */
static bool bed_exists(struct store *st, int bed)
{
    sqlite3_stmt *s = st->st[S_BED_EXISTS];
    sqlite3_bind_int(s, 1, bed);
    bool yes = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return yes;
}

/* Open admission on a bed (0 none, -1 on a database error). */
static int64_t open_admission(struct store *st, int bed)
{
    sqlite3_stmt *s = st->st[S_OPEN_ADM];
    sqlite3_bind_int(s, 1, bed);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return id;
}

/* Run one bound command statement plus its audit row in a transaction.
 * must_change: refuse (roll back) when no row matched. *rowid gets the
 * command row's id (before the audit row is inserted). */
static int command(struct store *st, sqlite3_stmt *s, bool must_change, const char *nochange,
                   const char *staff, const char *action, int bed, const char *detail, int64_t t,
                   int64_t *rowid, char *err, size_t errlen)
{
    if (store_begin(st, err, errlen, action) < 0) {
        sqlite3_clear_bindings(s);
        return -1;
    }
    if (store_step(s) < 0)
        return store_fail(st, err, errlen, action);
    if (must_change && sqlite3_changes(st->db) == 0) {
        store_rollback(st);
        return ww_err(err, errlen, "%s: %s", action, nochange);
    }
    if (rowid)
        *rowid = sqlite3_last_insert_rowid(st->db);
    if (store_audit_row(st, staff, action, bed, detail, t) < 0)
        return store_fail(st, err, errlen, action);
    return store_commit(st, err, errlen, action);
}

/* Admit a patient to a bed that has no open admission. */
int store_admit(struct store *st, int bed, const char *patient_ref, const char *note,
                const char *staff, int64_t t, int64_t *admission_id, char *err, size_t errlen)
{
    char ref[STORE_REF_MAX + 1], clean[STORE_ADMISSION_NOTE_MAX + 1], who[STORE_STAFF_MAX + 1];
    if (store_clean_text(ref, sizeof ref, patient_ref, false, true, "patient reference", err,
                         errlen) < 0 ||
        store_clean_text(clean, sizeof clean, note, true, false, "admission note", err,
                         errlen) < 0 ||
        store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (!bed_exists(st, bed))
        return ww_err(err, errlen, "admit: bed %d is not in the ward's bed list", bed);
    int64_t open = open_admission(st, bed);
    if (open < 0)
        return store_db_err(st, err, errlen, "admit");
    if (open > 0)
        return ww_err(err, errlen, "admit: bed %d already has an open admission (%lld)", bed,
                      (long long)open);
    sqlite3_stmt *s = st->st[S_ADMIT];
    sqlite3_bind_int(s, 1, bed);
    store_bind_str(s, 2, ref);
    sqlite3_bind_int64(s, 3, t);
    store_bind_str(s, 4, who);
    store_bind_str(s, 5, clean);
    int64_t id = 0;
    if (command(st, s, false, NULL, who, "admit", bed, ref, t, &id, err, errlen) < 0)
        return -1;
    if (admission_id)
        *admission_id = id;
    return 0;
}

/* Discharge an open admission. */
int store_discharge(struct store *st, int64_t admission_id, int bed, const char *staff, int64_t t,
                    char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], detail[48];
    if (store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "admission %lld", (long long)admission_id);
    sqlite3_stmt *s = st->st[S_DISCHARGE];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int64(s, 2, t);
    store_bind_str(s, 3, who);
    sqlite3_bind_int(s, 4, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "discharge",
                   bed, detail, t, NULL, err, errlen);
}

/* Scale 2 on (with its prescriber) or off. */
int store_set_scale2(struct store *st, int64_t admission_id, int bed, bool on,
                     const char *prescriber, const char *staff, int64_t t, char *err,
                     size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], by[STORE_STAFF_MAX + 1], detail[96];
    if (store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0 ||
        store_clean_text(by, sizeof by, prescriber, false, on, "prescriber", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "SpO2 scale %d%s%s", on ? 2 : 1, by[0] ? " prescribed by " : "",
             by);
    sqlite3_stmt *s = st->st[S_SCALE2];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int(s, 2, on);
    store_bind_text(s, 3, by);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_int(s, 5, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "scale2", bed,
                   detail, t, NULL, err, errlen);
}

/* Check one low/high pair of limits. */
static int check_pair(const char *name, double lo, double hi, char *err, size_t errlen)
{
    if (!isfinite(lo) || !isfinite(hi) || lo < 0 || hi > 1000)
        return ww_err(err, errlen, "limits: %s limits %g-%g are not numbers in 0-1000", name, lo,
                      hi);
    if (lo >= hi)
        return ww_err(err, errlen, "limits: %s low limit %g is not below the high limit %g", name,
                      lo, hi);
    return 0;
}

/* Individual limits, with the reason. */
int store_set_limits(struct store *st, int64_t admission_id, int bed, double rr_low,
                     double rr_high, double hr_low, double hr_high, const char *reason,
                     const char *staff, int64_t t, char *err, size_t errlen)
{
    char clean[STORE_REASON_MAX + 1], who[STORE_STAFF_MAX + 1], detail[STORE_REASON_MAX + 80];
    if (check_pair("RR", rr_low, rr_high, err, errlen) < 0 ||
        check_pair("HR", hr_low, hr_high, err, errlen) < 0 ||
        store_clean_text(clean, sizeof clean, reason, false, true, "limits reason", err,
                         errlen) < 0 ||
        store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "RR %g-%g HR %g-%g: %s", rr_low, rr_high, hr_low, hr_high,
             clean);
    sqlite3_stmt *s = st->st[S_LIMITS];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_double(s, 2, rr_low);
    sqlite3_bind_double(s, 3, rr_high);
    sqlite3_bind_double(s, 4, hr_low);
    sqlite3_bind_double(s, 5, hr_high);
    store_bind_str(s, 6, clean);
    store_bind_str(s, 7, who);
    sqlite3_bind_int(s, 8, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "limits", bed,
                   detail, t, NULL, err, errlen);
}

/* The observation parameters the store accepts. */
static const char *const obs_params[] = {"rr", "spo2", "o2", "sbp", "hr", "acvpu", "temp", "scale"};

/* A parameter name and value the store accepts, or a message naming it. */
static int check_obs(const char *param, double value, char *err, size_t errlen)
{
    bool known = false;
    for (size_t i = 0; param && i < WW_ARRAY_LEN(obs_params); i++)
        known |= !strcmp(param, obs_params[i]);
    if (!known)
        return ww_err(err, errlen,
                      "observation: unknown parameter '%.16s' (accepted: rr spo2 o2 sbp hr "
                      "acvpu temp scale)",
                      param ? param : "");
    if (!isfinite(value))
        return ww_err(err, errlen, "observation: %s value is not a number", param);
    return 0;
}

/* Observation entered by staff: a set of one. */
int store_add_observation(struct store *st, int64_t admission_id, int bed, const char *param,
                          double value, const char *staff, int64_t t, char *err, size_t errlen)
{
    return store_add_observations(st, admission_id, bed, &param, &value, 1, staff, t, err, errlen);
}

/* A whole set of observations in one transaction: every row and its audit
 * row, or none. */
int store_add_observations(struct store *st, int64_t admission_id, int bed,
                           const char *const *params, const double *values, size_t n,
                           const char *staff, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], detail[64];
    if (n == 0)
        return ww_err(err, errlen, "observation set: no values");
    for (size_t k = 0; k < n; k++)
        if (check_obs(params[k], values[k], err, errlen) < 0)
            return -1;
    if (store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (store_begin(st, err, errlen, "observation") < 0)
        return -1;
    sqlite3_stmt *s = st->st[S_OBS];
    for (size_t k = 0; k < n; k++) {
        store_bind_id(s, 1, admission_id);
        sqlite3_bind_int(s, 2, bed);
        store_bind_str(s, 3, params[k]);
        sqlite3_bind_double(s, 4, values[k]);
        store_bind_str(s, 5, who);
        sqlite3_bind_int64(s, 6, t);
        if (store_step(s) < 0)
            return store_fail(st, err, errlen, "observation");
        snprintf(detail, sizeof detail, "%s=%g", params[k], values[k]);
        if (store_audit_row(st, who, "observation", bed, detail, t) < 0)
            return store_fail(st, err, errlen, "observation");
    }
    return store_commit(st, err, errlen, "observation");
}

/* Nursing note, optionally on an alarm. */
int store_add_note(struct store *st, int bed, int64_t admission_id, int64_t alarm_id,
                   const char *text, const char *staff, int64_t t, int64_t *note_id, char *err,
                   size_t errlen)
{
    char clean[STORE_NOTE_MAX + 1], who[STORE_STAFF_MAX + 1], detail[64];
    if (store_clean_text(clean, sizeof clean, text, true, true, "note text", err, errlen) < 0 ||
        store_clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (alarm_id < 0) {
        /* An alarm raised during an outage: its provisional id. */
        int64_t given = alarm_id;
        if (store_drain_alarm_ops(st, err, errlen) < 0)
            return -1;
        alarm_id = store_real_alarm_id(st, given);
        if (!alarm_id)
            return ww_err(err, errlen, "note: no alarm %lld", (long long)given);
    }
    if (alarm_id > 0 && !store_alarm_info(st, alarm_id, NULL, NULL, 0, NULL))
        return ww_err(err, errlen, "note: no alarm %lld", (long long)alarm_id);
    sqlite3_stmt *s = st->st[S_NOTE];
    sqlite3_bind_int(s, 1, bed);
    store_bind_id(s, 2, admission_id);
    store_bind_id(s, 3, alarm_id);
    sqlite3_bind_int64(s, 4, t);
    store_bind_str(s, 5, who);
    store_bind_str(s, 6, clean);
    if (alarm_id > 0)
        snprintf(detail, sizeof detail, "note on alarm %lld", (long long)alarm_id);
    else
        snprintf(detail, sizeof detail, "note");
    int64_t id = 0;
    if (command(st, s, false, NULL, who, "note", bed, detail, t, &id, err, errlen) < 0)
        return -1;
    if (note_id)
        *note_id = id;
    return 0;
}

/* Beds. */
int store_load_beds(struct store *st, void (*cb)(void *, const struct store_bed *), void *ctx,
                    char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_BEDS];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_bed b = {0};
        b.number = sqlite3_column_int(s, 0);
        store_col_text(s, 1, b.label, sizeof b.label);
        cb(ctx, &b);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Read an admission row (ADM_COLS). */
static void read_admission(sqlite3_stmt *s, struct store_admission *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->bed = sqlite3_column_int(s, 1);
    store_col_text(s, 2, a->patient_ref, sizeof a->patient_ref);
    a->admitted_at = sqlite3_column_int64(s, 3);
    store_col_text(s, 4, a->admitted_by, sizeof a->admitted_by);
    store_col_text(s, 5, a->note, sizeof a->note);
    a->scale2 = sqlite3_column_int(s, 6) != 0;
    store_col_text(s, 7, a->scale2_by, sizeof a->scale2_by);
    a->scale2_at = sqlite3_column_int64(s, 8);
    a->has_limits = sqlite3_column_type(s, 9) != SQLITE_NULL;
    a->rr_low = sqlite3_column_double(s, 9);
    a->rr_high = sqlite3_column_double(s, 10);
    a->hr_low = sqlite3_column_double(s, 11);
    a->hr_high = sqlite3_column_double(s, 12);
    store_col_text(s, 13, a->limits_reason, sizeof a->limits_reason);
    store_col_text(s, 14, a->limits_by, sizeof a->limits_by);
    a->discharged_at = sqlite3_column_int64(s, 15);
}

/* Open admissions. */
int store_load_admissions(struct store *st, void (*cb)(void *, const struct store_admission *),
                          void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_ADM];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_admission a;
        read_admission(s, &a);
        cb(ctx, &a);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Admissions open at some time in [t0, t1), discharged ones too. */
int store_query_admissions(struct store *st, int bed, int64_t t0, int64_t t1,
                           void (*cb)(void *, const struct store_admission *), void *ctx,
                           char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ADM];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_admission a;
        read_admission(s, &a);
        cb(ctx, &a);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Read an observation row (OBS_COLS). */
static void read_obs(sqlite3_stmt *s, struct store_observation *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    o->admission = sqlite3_column_int64(s, 1);
    o->bed = sqlite3_column_int(s, 2);
    store_col_text(s, 3, o->param, sizeof o->param);
    o->value = sqlite3_column_double(s, 4);
    store_col_text(s, 5, o->by, sizeof o->by);
    o->t = sqlite3_column_int64(s, 6);
}

/* Latest value of each parameter. */
int store_load_latest_observations(struct store *st, int64_t admission_id,
                                   void (*cb)(void *, const struct store_observation *),
                                   void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_LATEST];
    sqlite3_bind_int64(s, 1, admission_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Observations in a range. */
int store_query_observations(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_observation *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_OBS_BED : S_Q_OBS];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Step a bound note query (id, bed, alarm, t, staff, text) to its end. */
static int run_notes(struct store *st, sqlite3_stmt *s,
                     void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                     size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_note n = {0};
        n.id = sqlite3_column_int64(s, 0);
        n.bed = sqlite3_column_int(s, 1);
        n.alarm_id = sqlite3_column_int64(s, 2);
        n.t = sqlite3_column_int64(s, 3);
        store_col_text(s, 4, n.by, sizeof n.by);
        store_col_text(s, 5, n.text, sizeof n.text);
        cb(ctx, &n);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Notes in a range. */
int store_query_notes(struct store *st, int bed, int64_t t0, int64_t t1,
                      void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_NOTES_BED : S_Q_NOTES];
    store_bind_range(s, bed, t0, t1);
    return run_notes(st, s, cb, ctx, err, errlen);
}

/* The stay a bed is in now. */
int store_current_stay(struct store *st, int bed, struct store_stay *out, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY];
    memset(out, 0, sizeof *out);
    out->bed = bed;
    sqlite3_bind_int(s, 1, bed);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->admission = sqlite3_column_int64(s, 0);
        out->since = sqlite3_column_int64(s, 1); /* NULL (never discharged): 0 */
        rc = sqlite3_step(s);
    }
    return store_finish(st, s, rc, err, errlen);
}

int store_query_stay_observations(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_observation *),
                                  void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_OBS];
    store_bind_stay(s, stay, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return store_finish(st, s, rc, err, errlen);
}

int store_query_stay_notes(struct store *st, const struct store_stay *stay, int64_t t0,
                           int64_t t1, void (*cb)(void *, const struct store_note *), void *ctx,
                           char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_NOTES];
    store_bind_stay(s, stay, t0, t1);
    return run_notes(st, s, cb, ctx, err, errlen);
}
