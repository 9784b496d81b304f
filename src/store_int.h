/*
 * store_int.h — what the parts of the store share (private: nothing outside
 * src/store*.c includes it; the contract is store.h).
 *
 * The store is one module in several files, split by what each stores:
 *   store.c           open, close, transactions, bind helpers, queue, flush
 *   store_schema.c    migrations and every prepared statement's SQL
 *   store_samples.c   per-second samples, scores, sensor events, per-minute
 *                     summaries (live and recovered)
 *   store_record.c    beds, admissions, observations, notes, audit, stays
 *   store_alarms.c    alarms, their events, transitions held by an outage
 *   store_retention.c downsampling and the record's retention
 *   store_backup.c    backup, check, reattaching a deleted or replaced file
 *   store_outbox.c    the hospital export's outbox (#20)
 * Every name with external linkage starts with store_.
 */
#ifndef WW_STORE_INT_H
#define WW_STORE_INT_H

#include "store.h"

#include <sqlite3.h>
#include <sys/types.h>

/* Every statement the store runs, prepared once at open (SQL in
 * store_schema.c). */
enum store_stmt {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_BED,
    S_BED_EXISTS,
    S_SOURCE_ADD,
    S_SOURCE_GET,
    S_SAMPLE,
    S_SCORE,
    S_SENSOR_EV,
    S_AUDIT,
    S_ADMIT,
    S_OPEN_ADM,
    S_DISCHARGE,
    S_SCALE2,
    S_LIMITS,
    S_OBS,
    S_NOTE,
    S_ALARM_RAISE,
    S_ALARM_UPDATE,
    S_ALARM_EVENT,
    S_ALARM_INFO,
    S_LOAD_BEDS,
    S_LOAD_ADM,
    S_LOAD_ALARMS,
    S_LOAD_LATEST,
    S_Q_SAMPLES,
    S_Q_SAMPLES_BED,
    S_Q_SCORES,
    S_Q_SCORES_BED,
    S_Q_OBS,
    S_Q_OBS_BED,
    S_Q_NOTES,
    S_Q_NOTES_BED,
    S_Q_ALARM_EV,
    S_Q_STAY,
    S_Q_STAY_OBS,
    S_Q_STAY_NOTES,
    S_Q_STAY_ALARM_EV,
    S_Q_ADM,
    S_Q_ALARMS,
    S_DS_GROUPS,
    S_DS_ROWS,
    S_DS_PUT,
    S_DS_DELETE,
    S_MIN_PUT,
    S_MIN_LAST,
    S_MIN_TAIL,
    S_Q_MINUTES_BED,
    S_RET_GET,
    S_RET_SET,
    S_PR_SCORES,
    S_PR_MINUTES,
    S_PR_SENSOR_EV,
    S_PR_OBS,
    S_PR_NOTES,
    S_PR_ALARM_EV,
    S_PR_ALARMS,
    S_PR_ADM,
    S_PR_AUDIT,
    S_COUNT
};

struct store_sample_row {
    struct store_sample s;
    uint32_t source; /* sources.id, 0 none */
};

/* An alarm transition waiting for the database (see store_alarm_raise). */
struct store_alarm_op {
    int64_t id; /* the id the ward holds (negative: provisional) */
    bool raise;
    int bed;
    char condition[32], priority[8];
    char event[16], staff[STORE_STAFF_MAX + 1]; /* the state follows from the event */
    int64_t t;
    double value, limit; /* a raise: what crossed which limit (NaN: none) */
};

#define STORE_IDMAP_CAP 4096

struct store_sensor_ev_row {
    int bed;
    int64_t t;
    char event[32];
    char detail[128];
};

/* Which source this bed's samples currently come from. The per-bed tables
 * (this one and store_minute_acc) start with the bed number, are kept
 * sorted by it and grow as beds appear (store_bed_slot). */
struct store_bed_source {
    int bed;
    uint32_t source;
};

#define STORE_DS_SCRATCH 4096 /* sample values kept for one bed-minute's median */

/* The minute a bed's samples are in, summarised as they are queued. */
#define STORE_ACC_VALUES 64 /* values kept for the median; min/max see every one */
struct store_minute_acc {
    int bed;
    bool open;
    int64_t minute;
    int n, nrr, nhr;
    int rr_min, rr_max, hr_min, hr_max; /* tenths */
    int rr[STORE_ACC_VALUES], hr[STORE_ACC_VALUES];
};

/* A completed minute waiting for the next flush (never dropped). */
struct store_minute_row {
    int bed;
    int64_t minute;
    int n, nrr, nhr;
    int rr[3], hr[3]; /* min, median, max in tenths */
};

struct store {
    sqlite3 *db;
    char path[1024];
    int version;
    bool limited; /* opened below the current version: no statements */
    sqlite3_stmt *st[S_COUNT];
    /* sample ring: may drop the oldest in a long outage */
    struct store_sample_row *samples;
    size_t cap, head, n;
    /* scores and sensor events: never dropped */
    struct store_score *scores;
    size_t nscores, capscores;
    struct store_sensor_ev_row *sevs;
    size_t nsevs, capsevs;
    /* live per-minute summaries: the open minute of each bed (by bed), and
     * the completed ones not yet written */
    struct store_minute_acc *accs;
    size_t naccs, capaccs;
    struct store_minute_row *mins;
    size_t nmins, capmins;
    /* alarm transitions an outage held back, and provisional ids */
    struct store_alarm_op *aops;
    size_t naops, capaops;
    struct {
        int64_t local, real;
    } idmap[STORE_IDMAP_CAP];
    size_t nmap;
    int64_t next_local_id;
    struct store_bed_source *sources; /* by bed */
    size_t nsources, capsources;
    int ds_rr[STORE_DS_SCRATCH], ds_hr[STORE_DS_SCRATCH];
    int busy_ms;          /* busy timeout while healthy */
    bool busy_short;      /* the short one is set */
    int record_days;      /* from the retention table */
    long prune_pass_rows; /* rows removed in the current retention pass */
    bool healthy;
    /* a table could not grow (out of memory) since the last flush: the
     * next flush reports it even when its own writes succeed */
    bool grow_failed;
    char last_error[512];
    struct store_stats stats;
    /* The file this connection has open, to notice it deleted or replaced
     * under us (see store_check_attached). */
    dev_t dev;
    ino_t ino;
    bool detached;
    bool copied; /* the record is safe in PATH.restoring already */
    char group[64];
    /* the hospital export's outbox (#20), store_outbox.c */
    sqlite3_stmt *ob[4];
    store_outbox_hook ob_hook;
    store_outbox_done ob_done;
    void *ob_ctx;
};

/* store_outbox.c: tell the outbox hook's owner how the flush that called
 * it ended (store_set_outbox_done). */
void store_outbox_flushed(struct store *st, bool committed);

/* ---- store.c: errors, transactions ---- */
int store_db_err(struct store *st, char *err, size_t errlen, const char *what);
int store_step(sqlite3_stmt *s);
int store_begin(struct store *st, char *err, size_t errlen, const char *what);
void store_rollback(struct store *st);
int store_fail(struct store *st, char *err, size_t errlen, const char *what);
int store_commit(struct store *st, char *err, size_t errlen, const char *what);
int store_finish(struct store *st, sqlite3_stmt *s, int rc, char *err, size_t errlen);
bool store_path_moved(struct store *st);
int store_open_db(struct store *st, const struct store_options *o, char *err, size_t errlen);
void store_finalize_all(struct store *st);
void store_grow_failed(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool store_make_room(struct store *st, void **arr, size_t *cap, size_t n, size_t elem);
void *store_bed_slot(struct store *st, void **arr, size_t *n, size_t *cap, size_t elem, int bed,
                     bool create);

/* ---- store.c: binding values and reading columns ---- */
void store_bind_str(sqlite3_stmt *s, int i, const char *v);
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
void store_bind_id(sqlite3_stmt *s, int i, int64_t id);
void store_bind_opt_int(sqlite3_stmt *s, int i, int v);
bool store_to_tenths(float v, int *out);
void store_bind_tenths(sqlite3_stmt *s, int i, float v);
void store_bind_three(sqlite3_stmt *s, int i, const int *v, bool have);
void store_bind_range(sqlite3_stmt *s, int bed, int64_t t0, int64_t t1);
void store_bind_stay(sqlite3_stmt *s, const struct store_stay *stay, int64_t t0, int64_t t1);
void store_col_text(sqlite3_stmt *s, int i, char *dst, size_t n);
float store_col_tenths(sqlite3_stmt *s, int i);
int store_clean_text(char *dst, size_t n, const char *src, bool keep_newlines, bool required,
                     const char *field, char *err, size_t errlen);
int store_clean_staff(char *dst, size_t n, const char *staff, const char *field, char *err,
                      size_t errlen);

/* ---- store_schema.c ---- */
int store_read_version(sqlite3 *db);
int store_quick_check(struct store *st, char *err, size_t errlen);
int store_migrate(struct store *st, int target, char *err, size_t errlen);
int store_prepare_all(struct store *st, char *err, size_t errlen);

/* ---- store_samples.c ---- */
int store_put_queued(struct store *st);
void store_minute_summary(int *out, int *v, int n);
void store_bind_minute(sqlite3_stmt *s, const struct store_minute_row *r);

/* ---- store_record.c ---- */
int store_audit_row(struct store *st, const char *staff, const char *action, int bed,
                    const char *detail, int64_t t);

/* ---- store_alarms.c ---- */
int store_put_alarm_ops(struct store *st);
int store_drain_alarm_ops(struct store *st, char *err, size_t errlen);
int64_t store_real_alarm_id(const struct store *st, int64_t id);
bool store_alarm_info(struct store *st, int64_t id, int *bed, char *cond, size_t n, int *state);

/* ---- store_backup.c ---- */
int store_backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen);

/* ---- store_outbox.c ---- */
int store_outbox_alarm(struct store *st, int64_t alarm_id, int64_t event_id, int bed,
                       const char *cond, const char *priority, const char *event,
                       const char *state, const char *who, int64_t t);

#endif
