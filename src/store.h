/*
 * store — the one module that owns the SQLite database. Exactly one process
 * writes it (Debian 12's SQLite 3.40 has the WAL-reset race between
 * concurrent writers): the monitoring core.
 *
 * - Opened in WAL mode, synchronous=FULL, foreign keys on, busy timeout;
 *   created 0600 (0640 with a group) before SQLite touches it; schema
 *   migrations by PRAGMA user_version, each in one transaction; a database
 *   newer than this binary, or one failing quick_check, is refused.
 * - Sample data (per-second samples, scores, sensor events) is queued in
 *   memory and written by store_flush() in ONE transaction; the caller flushes
 *   at most once a second by the wall clock. A failed flush keeps every row
 *   queued and the next flush retries; only if the queue overflows during a
 *   long outage are the oldest SAMPLE rows dropped (counted), never scores or
 *   events.
 * - Commands (admit, discharge, observation, note, alarm transitions, Scale 2,
 *   limits, audit) commit immediately, each with its audit row, and return 0
 *   only after COMMIT.
 * - The audit table is append-only: triggers refuse UPDATE and DELETE.
 * Times are INTEGER milliseconds since the epoch. All SQL is prepared once.
 */
#ifndef WW_STORE_H
#define WW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STORE_SCHEMA_VERSION 2

struct store;

struct store_sample {
    int bed;        /* bed number */
    int64_t t;      /* ms */
    float rr, hr;   /* NaN when absent */
    float quality;  /* NaN when absent */
    unsigned flags; /* STORE_F_* */
};
enum { STORE_F_PRESENT = 1, STORE_F_MOTION = 2, STORE_F_MANUAL = 4 };

struct store_score {
    int bed;
    int64_t t;
    int total;
    int parts[7]; /* -1 not scored */
    int band;
    unsigned partial_mask; /* missing | stale bits */
};

struct store_admission {
    int64_t id;
    int bed;
    char patient_ref[40];
    int64_t admitted_at;
    char admitted_by[24];
    char note[256];
    bool scale2;
    char scale2_by[24];
    int64_t scale2_at;
    bool has_limits;
    double rr_low, rr_high, hr_low, hr_high;
    char limits_reason[256];
};

struct store_alarm {
    int64_t id;
    int bed;
    char condition[32];
    char priority[8];
    int64_t raised_at;
    char state[16]; /* active acknowledged latched ended reset */
    char acked_by[24];
    int64_t acked_at;
    int64_t ended_at;
    char reset_by[24];
    int64_t reset_at;
    bool escalated;
    int64_t last_alert_at;
};

struct store_observation {
    int64_t id;
    int bed;
    int64_t admission;
    char param[8];
    double value;
    char by[24];
    int64_t t;
};

struct store_note {
    int64_t id;
    int bed;
    int64_t alarm_id; /* 0 none */
    int64_t t;
    char by[24];
    char text[1024];
};

struct store_alarm_event {
    int64_t alarm_id;
    int bed;
    char condition[32];
    char priority[8];
    int64_t t;
    char event[16];
    char staff[24];
};

struct store_stats {
    uint64_t queued, flushed, dropped_samples, failed_flushes;
};

/* Open or create; group may be NULL. */
struct store *store_open(const char *path, const char *group, char *err, size_t errlen);
void store_close(struct store *st);
int store_schema_version(struct store *st);
bool store_healthy(const struct store *st);
const char *store_last_error(const struct store *st);
void store_get_stats(const struct store *st, struct store_stats *out);

/* Make sure a bed row exists with this label. */
int store_sync_bed(struct store *st, int bed, const char *label, char *err, size_t errlen);

/* Queued rows. */
void store_queue_sample(struct store *st, const struct store_sample *s);
void store_queue_score(struct store *st, const struct store_score *s);
void store_queue_sensor_event(struct store *st, int bed, int64_t t, const char *event,
                              const char *detail);
size_t store_queued(const struct store *st);
/* Write everything queued in one transaction. */
int store_flush(struct store *st, char *err, size_t errlen);

/* Commands: 0 after COMMIT, -1 with a message. */
int store_admit(struct store *st, int bed, const char *patient_ref, const char *note,
                const char *staff, int64_t t, int64_t *admission_id, char *err, size_t errlen);
int store_discharge(struct store *st, int64_t admission_id, int bed, const char *staff, int64_t t,
                    char *err, size_t errlen);
int store_set_scale2(struct store *st, int64_t admission_id, int bed, bool on,
                     const char *prescriber, const char *staff, int64_t t, char *err,
                     size_t errlen);
int store_set_limits(struct store *st, int64_t admission_id, int bed, double rr_low,
                     double rr_high, double hr_low, double hr_high, const char *reason,
                     const char *staff, int64_t t, char *err, size_t errlen);
int store_add_observation(struct store *st, int64_t admission_id, int bed, const char *param,
                          double value, const char *staff, int64_t t, char *err, size_t errlen);
int store_add_note(struct store *st, int bed, int64_t admission_id, int64_t alarm_id,
                   const char *text, const char *staff, int64_t t, int64_t *note_id, char *err,
                   size_t errlen);
/* A new alarm row; returns its id. */
int store_alarm_raise(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *alarm_id, char *err, size_t errlen);
/* A transition: updates the alarm row and appends an alarm event; events
 * with a staff id (acknowledged, reset) are audited too. */
int store_alarm_event(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *staff, int64_t t, char *err, size_t errlen);
/* A generic audit row (prints, exports, audio pause...). */
int store_audit(struct store *st, const char *staff, const char *action, int bed,
                const char *detail, int64_t t, char *err, size_t errlen);

/* Restore after a restart. */
int store_load_admissions(struct store *st, void (*cb)(void *, const struct store_admission *),
                          void *ctx, char *err, size_t errlen);
int store_load_open_alarms(struct store *st, void (*cb)(void *, const struct store_alarm *),
                           void *ctx, char *err, size_t errlen);
/* Latest value of each parameter for an admission. */
int store_load_latest_observations(struct store *st, int64_t admission_id,
                                   void (*cb)(void *, const struct store_observation *),
                                   void *ctx, char *err, size_t errlen);

/* Range queries, [t0, t1). bed < 0: all beds. */
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

/* Retention: downsample per-second samples older than cutoff into per-minute
 * min/median/max and delete them, at most max_rows per call. Returns rows
 * removed (0 when done) or -1. */
long store_downsample(struct store *st, int64_t cutoff_ms, int max_rows, char *err,
                      size_t errlen);

/* Consistent copy of the live database (backup API), created 0600. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen);
/* The same from a database file (read-only open; safe while wardwatch runs). */
int store_backup_file(const char *src, const char *dest, char *err, size_t errlen);
/* Verify a database file: integrity_check, foreign_key_check, version, row
 * counts printed to report. 0 when sound. */
int store_check_file(const char *path, FILE *report, char *err, size_t errlen);

#endif
