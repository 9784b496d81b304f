/*
 * store — the one module that owns the SQLite database. Exactly one process
 * writes it (Debian 12's SQLite 3.40 has the WAL-reset race between
 * concurrent writers): the monitoring core. Other processes only read it
 * (`wardwatch backup`, `wardwatch check`).
 *
 * - Opened in WAL mode, synchronous=FULL, foreign keys on, a 2 s busy
 *   timeout; created 0600 (0640 and chowned to the group when one is named)
 *   with O_EXCL before SQLite touches it, under umask 077 so no file is ever
 *   wider. Schema migrations by PRAGMA user_version, each in one transaction;
 *   a database newer than this binary, or one failing quick_check, is
 *   refused with a message saying how to recover.
 * - Every statement is prepared once at open and reused; every value is
 *   bound. Callbacks of the load and query functions must not call back into
 *   the store.
 * - Sample data (per-second samples, scores, sensor events) is queued in
 *   memory sized at open and written by store_flush() in ONE transaction; the
 *   caller flushes at most once a second. A failed flush keeps every row
 *   queued, store_healthy() turns false and the next flush retries. Only when
 *   the sample ring overflows during a long outage are the oldest SAMPLE rows
 *   dropped (counted in dropped_samples); scores and sensor events are never
 *   dropped (their queues grow past the preallocated size in an outage; only
 *   if memory runs out is a row lost, counted in lost_rows).
 * - Commands (admit, discharge, observation, note, alarm transitions, Scale 2,
 *   limits, audit) commit immediately, each in its own transaction with its
 *   audit row, and return 0 only after COMMIT succeeded. The one exception
 *   is the alarm machine's own transitions (raise, and events without a
 *   staff id): when the database cannot take them (locked, read-only, full)
 *   they are queued in order, a raise under a provisional negative id, and
 *   written by the next successful flush; the provisional id keeps naming
 *   the alarm afterwards. A person's acknowledgement or reset is never
 *   queued: it fails so the person sees it was not recorded.
 * - While the store is failing, lock waits are cut to 100 ms so the loop's
 *   retry each second never stalls the ward behind a locked file. Bad arguments are
 *   refused with a message naming the field; free text is length-limited
 *   (refused when too long, never cut silently) and sanitised.
 * - The audit and alarm_events tables are append-only: triggers refuse
 *   UPDATE always, and DELETE of any row younger than the record retention
 *   (store_prune_record).
 * Times are INTEGER milliseconds since the epoch. Rates are stored as
 * integer tenths per minute, quality as a percentage.
 */
#ifndef WW_STORE_H
#define WW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 1 core tables, 2 per-minute samples + indexes + append-only alarm events,
 * 3 sample sources, the alarms' latched flag, one open admission per bed,
 * 4 record retention (append-only logs may lose rows past the retention),
 * 5 live per-minute summaries (samples_minute.live), 6 the export outbox. */
#define STORE_SCHEMA_VERSION 6

/* Longest accepted texts, in bytes (after sanitising). */
#define STORE_REF_MAX 39     /* pseudonymous patient reference */
#define STORE_STAFF_MAX 23   /* staff id / prescriber */
#define STORE_REASON_MAX 255 /* limits reason */
/* Notes as a nurse writes them: kept whole, refused (never cut) beyond this.
 * The same limit runs end to end (board field, ward_cmd, protocol). */
#define STORE_NOTE_MAX 4000           /* nursing note */
#define STORE_ADMISSION_NOTE_MAX 4000 /* admission note */
#define STORE_LABEL_MAX 63   /* bed label, sample source name */

struct store;

struct store_sample {
    int bed;        /* bed number */
    int64_t t;      /* ms */
    float rr, hr;   /* /min; NaN when absent */
    float quality;  /* 0..1; NaN when absent */
    unsigned flags; /* STORE_F_* */
};
enum { STORE_F_PRESENT = 1, STORE_F_MOTION = 2, STORE_F_MANUAL = 4 };

struct store_score {
    int bed;
    int64_t t;
    int total;
    int parts[7]; /* rr spo2 o2 sbp hr acvpu temp; -1 not scored */
    int band;
    unsigned partial_mask; /* missing | stale bits */
};

struct store_bed {
    int number;
    char label[STORE_LABEL_MAX + 1];
};

struct store_admission {
    int64_t id;
    int bed;
    char patient_ref[STORE_REF_MAX + 1];
    int64_t admitted_at;
    char admitted_by[STORE_STAFF_MAX + 1];
    char note[STORE_ADMISSION_NOTE_MAX + 1];
    bool scale2;
    char scale2_by[STORE_STAFF_MAX + 1];
    int64_t scale2_at;
    bool has_limits;
    double rr_low, rr_high, hr_low, hr_high;
    char limits_reason[STORE_REASON_MAX + 1];
    char limits_by[STORE_STAFF_MAX + 1];
    int64_t discharged_at; /* 0 still admitted */
};

struct store_alarm {
    int64_t id;
    int bed;
    char condition[32];
    char priority[8];
    int64_t raised_at;
    char state[16]; /* active acknowledged latched ended reset */
    char acked_by[STORE_STAFF_MAX + 1];
    int64_t acked_at;   /* 0 never */
    int64_t ended_at;   /* 0 still present */
    char reset_by[STORE_STAFF_MAX + 1];
    int64_t reset_at;
    bool escalated;
    int64_t last_alert_at;
    bool latched; /* the condition ended and the alarm waits for a reset */
    double trig_value, trig_limit; /* what raised it (store_load_open_alarms
                                    * only; NaN unknown) */
};

struct store_observation {
    int64_t id;
    int bed;
    int64_t admission; /* 0 none */
    char param[8];     /* rr spo2 o2 sbp hr acvpu temp scale */
    double value;
    char by[STORE_STAFF_MAX + 1];
    int64_t t;
};

struct store_note {
    int64_t id;
    int bed;
    int64_t alarm_id; /* 0 none */
    int64_t t;
    char by[STORE_STAFF_MAX + 1];
    char text[STORE_NOTE_MAX + 1];
};

struct store_alarm_event {
    int64_t alarm_id;
    int bed;
    char condition[32];
    char priority[8];
    int64_t t;
    char event[16];
    char staff[STORE_STAFF_MAX + 1];
};

struct store_stats {
    uint64_t queued, flushed, dropped_samples, failed_flushes, lost_rows;
};

/* Open options; zero fields mean the defaults. */
struct store_options {
    const char *group;      /* unix group given read access (0640); NULL: 0600 */
    size_t sample_capacity; /* sample ring; default one hour of 64 beds */
    size_t score_capacity;  /* preallocated score queue; default 64 x 600 */
    size_t event_capacity;  /* preallocated sensor-event queue; default 4096 */
    int busy_timeout_ms;    /* wait for another connection's lock; default 2000 */
    /* Migrate only up to this version (tests and tools): such a store
     * supports store_schema_version() and store_close() only. 0: current. */
    int schema_version;
    /* A reader (`wardwatch handover`): open an existing file read-only
     * (SQLITE_OPEN_READONLY), create nothing, set no pragma that writes,
     * never migrate, and refuse any schema version but this build's with
     * the file, its version and the supported one. Only the process that
     * holds the core lock writes or migrates the file (#19). */
    bool readonly;
};

/* Open or create with the defaults; group may be NULL. */
struct store *store_open(const char *path, const char *group, char *err, size_t errlen);
/* Open or create with options (opt may be NULL). */
struct store *store_open_with(const char *path, const struct store_options *opt, char *err,
                              size_t errlen);
void store_close(struct store *st);
int store_schema_version(const struct store *st);
/* False after a failed write until the next successful one. */
bool store_healthy(const struct store *st);
/*
 * The database file deleted or replaced under a running server (a cleanup
 * job, a mistake): store_check_attached compares the file at the path with
 * the one open (device and inode) and returns false once they differ; from
 * then on every write fails with a message saying so (the ward's store
 * failure) and the rows stay queued. store_reattach puts the record back:
 * the open connection still reads all of it, so it is copied with SQLite's
 * backup API to PATH.restoring, a file another hand put at the path is
 * moved aside (PATH.replaced-EPOCH), the copy renamed into place, the store
 * reopened on it and an audit row ("database-restored") written. 0 when
 * reattached (or never detached); -1 with the message otherwise (the store
 * stays detached and nothing is lost while the process runs: try again).
 */
bool store_check_attached(struct store *st);
/* The database (when it exists) and its directory writable by this user:
 * the writer checks before opening, so a read-only file is refused in plain
 * words (who, what to check) rather than at the first write. */
int store_check_writable(const char *path, char *err, size_t errlen);
/* The ward time of the newest thing in the record (samples, scores, alarms
 * and their events, sensor events, observations, notes, audit), ms; 0 for
 * an empty record, -1 when it cannot be read. A restart never puts the
 * ward's clock before it. */
int64_t store_last_time(struct store *st);
int store_reattach(struct store *st, int64_t now_ms, char *err, size_t errlen);
/* The first half of store_reattach at once: the record copied to
 * PATH.restoring (so a crash before the reattach loses nothing); 0 when
 * done or not detached. */
int store_secure_copy(struct store *st, char *err, size_t errlen);
const char *store_last_error(const struct store *st);
void store_get_stats(const struct store *st, struct store_stats *out);

/* Make sure a bed row exists with this label. */
int store_sync_bed(struct store *st, int bed, const char *label, char *err, size_t errlen);
/* Name the source of this bed's samples from now on ("mr60bha2 /dev/ttyUSB0");
 * NULL or "" clears it. Queued samples keep the source they were queued with. */
int store_set_source(struct store *st, int bed, const char *source, char *err, size_t errlen);

/* Queued rows (never block, never allocate per row). */
void store_queue_sample(struct store *st, const struct store_sample *s);
void store_queue_score(struct store *st, const struct store_score *s);
void store_queue_sensor_event(struct store *st, int bed, int64_t t, const char *event,
                              const char *detail);
size_t store_queued(const struct store *st);
/* Write everything queued in one transaction; on failure nothing is lost. */
int store_flush(struct store *st, char *err, size_t errlen);

/* Commands: 0 after COMMIT, -1 with a message. staff is required. */
int store_admit(struct store *st, int bed, const char *patient_ref, const char *note,
                const char *staff, int64_t t, int64_t *admission_id, char *err, size_t errlen);
int store_discharge(struct store *st, int64_t admission_id, int bed, const char *staff, int64_t t,
                    char *err, size_t errlen);
/* Scale 2 on (prescriber required) or off. */
int store_set_scale2(struct store *st, int64_t admission_id, int bed, bool on,
                     const char *prescriber, const char *staff, int64_t t, char *err,
                     size_t errlen);
/* Individual limits; low < high, reason required. */
int store_set_limits(struct store *st, int64_t admission_id, int bed, double rr_low,
                     double rr_high, double hr_low, double hr_high, const char *reason,
                     const char *staff, int64_t t, char *err, size_t errlen);
/* param: rr spo2 o2 sbp hr acvpu temp scale; admission_id 0 when none. */
int store_add_observation(struct store *st, int64_t admission_id, int bed, const char *param,
                          double value, const char *staff, int64_t t, char *err, size_t errlen);
/* A set of n observations (params[k] = values[k]) in one transaction. */
int store_add_observations(struct store *st, int64_t admission_id, int bed,
                           const char *const *params, const double *values, size_t n,
                           const char *staff, int64_t t, char *err, size_t errlen);
/* A note, optionally on an admission and/or an alarm (0 none). */
int store_add_note(struct store *st, int bed, int64_t admission_id, int64_t alarm_id,
                   const char *text, const char *staff, int64_t t, int64_t *note_id, char *err,
                   size_t errlen);
/* A new alarm row (state active) with its "raised" event; returns its id
 * (negative and provisional when queued during an outage, see above). */
int store_alarm_raise(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *alarm_id, char *err, size_t errlen);
/* The same, keeping the value and the limit that raised it (NaN: none, a
 * technical alarm) in the raised event, for a restart to show again. */
int store_alarm_raise_trig(struct store *st, int bed, const char *condition, const char *priority,
                           int64_t t, double value, double limit, int64_t *alarm_id, char *err,
                           size_t errlen);
/* A transition: event is one of raised acknowledged realerted escalated ended
 * latched reset superseded, state the alarm's state afterwards (active
 * acknowledged latched ended reset) as the caller sees it: only checked for
 * being one, the row records the state alarm_state_after (scoring/alarm.h)
 * gives for the event from the row's own. Updates the alarm row and appends an
 * alarm event; acknowledged and reset need a staff id and are audited, as is
 * any other event given one. 0 when committed; 1 when the database cannot
 * take it now and it is held, in order, for the next successful flush (err
 * then says so: a person's acknowledgement or reset during an outage is
 * held, not lost and not refused); -1 when refused. */
int store_alarm_event(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *staff, int64_t t, char *err, size_t errlen);
/* A generic audit row (prints, exports, audio pause...); bed < 0 none. */
int store_audit(struct store *st, const char *staff, const char *action, int bed,
                const char *detail, int64_t t, char *err, size_t errlen);

/* Restore after a restart. */
int store_load_beds(struct store *st, void (*cb)(void *, const struct store_bed *), void *ctx,
                    char *err, size_t errlen);
/* Open (not discharged) admissions with their Scale 2 and limits. */
int store_load_admissions(struct store *st, void (*cb)(void *, const struct store_admission *),
                          void *ctx, char *err, size_t errlen);
/* Alarms neither ended nor reset (active, acknowledged, latched). */
int store_load_open_alarms(struct store *st, void (*cb)(void *, const struct store_alarm *),
                           void *ctx, char *err, size_t errlen);
/* Latest value of each parameter for an admission. */
int store_load_latest_observations(struct store *st, int64_t admission_id,
                                   void (*cb)(void *, const struct store_observation *),
                                   void *ctx, char *err, size_t errlen);

/* Range queries over [t0, t1), in time order; bed < 0: all beds. Samples
 * include per-minute medians (quality NaN) where per-second rows were pruned. */
/* One bed-minute's summary: min / median (ww_median, in tenths) / max of
 * its per-second values (NaN when it had none), n the seconds summarised. */
struct store_minute {
    int bed;
    int64_t t; /* the minute's start, ms */
    float rr_min, rr_med, rr_max, hr_min, hr_med, hr_max;
    int n;
};
/* Per-minute summaries of one bed (bed >= 0) whose minute starts in [t0,
 * t1). The store writes a minute's summary with the flush after the minute
 * ends (when the bed's next sample arrives), so the minute still open, and
 * anything a crash left unsummarised until store_recover_minutes ran, are
 * only in store_query_samples. */
int store_query_minutes(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_minute *), void *ctx, char *err,
                        size_t errlen);
/* The monitoring core, once at start: summarise the per-second rows each bed
 * has after its last summarised minute (the minute a crash or stop left
 * open; after an upgrade from schema 4, all the per-second data, once).
 * Returns the minutes written or -1 (then they are written by later
 * flushes). Only the database's one writer may call it. */
long store_recover_minutes(struct store *st, char *err, size_t errlen);
int store_query_samples(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_sample *), void *ctx, char *err,
                        size_t errlen);
int store_query_scores(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_score *), void *ctx, char *err,
                       size_t errlen);
int store_query_observations(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_observation *), void *ctx,
                             char *err, size_t errlen);
int store_query_notes(struct store *st, int bed, int64_t t0, int64_t t1,
                      void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                      size_t errlen);
int store_query_alarm_events(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                             char *err, size_t errlen);
/* One stay in a bed, to select what belongs to its patient (hazard H16-8):
 * admission > 0 an admission (since: admitted at); 0 the bed while free
 * (since: its last discharge, 0 never), whose rows carry no admission. */
struct store_stay {
    int bed;
    int64_t admission;
    int64_t since;
};
/* The stay bed is in now (its open admission, else free since). */
int store_current_stay(struct store *st, int bed, struct store_stay *out, char *err,
                       size_t errlen);
/* The stay's own rows in [t0, t1), in time order: observations and notes
 * entered under its admission (none of another patient's), and the events
 * of alarms raised on the bed since the stay began. */
int store_query_stay_observations(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_observation *),
                                  void *ctx, char *err, size_t errlen);
int store_query_stay_notes(struct store *st, const struct store_stay *stay, int64_t t0,
                           int64_t t1, void (*cb)(void *, const struct store_note *), void *ctx,
                           char *err, size_t errlen);
int store_query_stay_alarm_events(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_alarm_event *),
                                  void *ctx, char *err, size_t errlen);
/* Admissions open at some time in [t0, t1) (discharged_at set when they
 * ended), by bed then admission time. */
int store_query_admissions(struct store *st, int bed, int64_t t0, int64_t t1,
                           void (*cb)(void *, const struct store_admission *), void *ctx,
                           char *err, size_t errlen);
/* Alarms shown at some time in [t0, t1): raised before t1 and not reset or
 * ended before t0 (still-open ones always), in the order raised. The row's
 * state is the current one; replay store_query_alarm_events for the state
 * at a given time. */
int store_query_alarms(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_alarm *), void *ctx, char *err,
                       size_t errlen);

/* Retention: fold per-second samples of whole minutes before older_than_ms
 * into samples_minute (min/median/max, n) and delete them, about max_rows
 * rows per call so the loop never stalls. Returns the rows removed (0 when
 * nothing is left to do) or -1. */
long store_downsample_and_prune(struct store *st, int64_t older_than_ms, int max_rows, char *err,
                                size_t errlen);
/* Record retention: scores, per-minute samples, sensor events,
 * observations, notes, alarm events, ended alarms, discharged admissions and
 * audit rows older than record_days before now_ms (and never later than the
 * database clock allows) are deleted, at most max_rows rows per call in one
 * transaction, referrers before what they refer to. The audit trail and the
 * alarm log are append-only by trigger: UPDATE is always refused and DELETE
 * only of rows older than the retention table's record_days, so this is the
 * only way rows leave them. Each finished pass writes one "retention-prune"
 * audit row with the count. Returns the rows removed (0: nothing left). */
long store_prune_record(struct store *st, int64_t now_ms, int max_rows, char *err,
                        size_t errlen);
/* Set record_days (30-36500) in the database; a change is audited by the
 * retention table's own trigger, whoever makes it. */
int store_set_record_days(struct store *st, int days, char *err, size_t errlen);
int store_record_days(const struct store *st);
/* Older name of store_downsample_and_prune (monitor.c uses it). */
long store_downsample(struct store *st, int64_t cutoff_ms, int max_rows, char *err,
                      size_t errlen);

/* Consistent copy of the live database (backup API) into a new 0600 file;
 * an existing dest is never overwritten. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen);
/* The same from a database file (read-only open; safe while wardwatch runs). */
int store_backup_file(const char *src, const char *dest, char *err, size_t errlen);
/* Verify a database file (read-only): integrity_check, foreign_key_check,
 * schema version and row counts printed to report. 0 when sound. */
int store_check_file(const char *path, FILE *report, char *err, size_t errlen);

/* ---- Outbox of the hospital export (#20) ---------------------------------
 * The export module registers a hook; the store calls it inside the
 * transaction of every alarm transition it writes (a (alarm event data),
 * including transitions an outage held and a later flush writes) and of
 * every store_flush (a NULL). The hook adds messages with store_outbox_put,
 * which only works inside that transaction; a hook returning -1 fails the
 * transaction (its data and messages are then written later, together).
 * Senders take the oldest pending message per destination and settle it:
 * delivered rows are deleted, dead-lettered ones kept with why. */
struct store_alarm_tx {
    int64_t alarm_id;
    int64_t event_id;      /* the alarm_events row: unique per transition */
    int bed;
    const char *condition;
    const char *priority;  /* NULL except on raised */
    const char *event;     /* raised acknowledged ... */
    const char *state;     /* the alarm's state afterwards */
    const char *staff;     /* "" for the machine's own */
    int64_t t;
};
typedef int (*store_outbox_hook)(void *ctx, struct store *st, const struct store_alarm_tx *a);
void store_set_outbox_hook(struct store *st, store_outbox_hook hook, void *ctx);
/* After every store_flush whose transaction called the hook (with NULL),
 * done (with the hook's ctx) is told whether that transaction committed:
 * only then do the messages the hook put exist. A COMMIT can fail after the
 * hook succeeded (disk full, I/O error), so the hook's owner keeps what its
 * messages carry until done(true), and makes them again (the same control
 * ids) at the next flush after done(false). NULL: not told. */
typedef void (*store_outbox_done)(void *ctx, bool committed);
void store_set_outbox_done(struct store *st, store_outbox_done done);
/* From the hook only. 0 or -1 (the transaction then fails). control_id must
 * be unique per destination; bed < 0 none. */
int store_outbox_put(struct store *st, const char *dest, const char *control_id, int bed,
                     int64_t t, const char *body, size_t len);
struct store_outbox_row {
    int64_t id;
    char control_id[48];
    int bed;
    int64_t created_at;
    char *body; /* malloc'd, NUL-terminated; store_outbox_row_free */
    size_t len;
};
/* The oldest pending message of dest: 1, 0 when none, -1 on error. */
int store_outbox_next(struct store *st, const char *dest, struct store_outbox_row *row,
                      char *err, size_t errlen);
void store_outbox_row_free(struct store_outbox_row *row);
/* Delivered: the row goes; else dead-lettered with why at t. */
int store_outbox_settle(struct store *st, int64_t id, bool delivered, const char *why, int64_t t,
                        char *err, size_t errlen);
/* Pending count and oldest created_at (0 none), dead-lettered count. */
int store_outbox_pending(struct store *st, const char *dest, int64_t *count, int64_t *oldest,
                         int64_t *dead, char *err, size_t errlen);

#endif
