/*
 * alarm — the alarm state machine of one bed, pure: time passed in as epoch
 * milliseconds, no I/O, no allocation. Conventions from IEC 60601-1-8 (see
 * ../shared/CLINICAL.md).
 *
 * Conditions. Each tick the ward core passes a snapshot (struct alarm_input:
 * smoothed RR/HR, the NEWS2 result, apnoea, sensor and store state). For each
 * condition the machine derives a raw condition (limits with hysteresis: RR
 * high starts at RR >= rr_high and holds until RR <= rr_high - hysteresis), then
 * debounces it: the raw condition must hold for the onset delay of its
 * priority before the alarm is raised (apnoea: none, its duration is already
 * in the input; technical: technical_delay) and must be absent for clear_s
 * before the alarm ends. A missing value (rr_valid false...) freezes that
 * condition's timers: it neither starts nor ends an alarm by itself.
 *
 * NEWS2 family: medium is raised at total >= 5, high at >= 7, low-medium on a
 * single 3. A higher member supersedes the lower ones (they end with event
 * "superseded"), and a lower member never raises while a higher one is shown.
 *
 * States. An alarm is ACTIVE while its condition lasts; acknowledging (by a
 * staff id) silences it while the condition persists; a persisting
 * acknowledged alarm re-alerts after realert_s; an unacknowledged one
 * escalates after escalate_s (visual urgency, paging hook). When the
 * condition ends a high-priority physiological alarm LATCHES (stays shown
 * until a nurse resets it); every other alarm ends. Technical alarms never
 * latch. A new or higher condition on the same bed alerts regardless of
 * acknowledgements of the others. Every transition is reported once through
 * the event callback, which the ward core stores and audits; the callback is
 * where a raised alarm gets its (store) id.
 */
#ifndef WW_ALARM_H
#define WW_ALARM_H

#include "news2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum alarm_condition {
    AC_NEWS2_HIGH,
    AC_NEWS2_MEDIUM,
    AC_NEWS2_LOW_MEDIUM,
    AC_RR_LOW,
    AC_RR_HIGH,
    AC_HR_LOW,
    AC_HR_HIGH,
    AC_APNOEA,
    AC_DISCONNECTED,
    AC_NO_SIGNAL,
    AC_OUT_OF_BED,
    AC_STORE_FAILURE,
    AC_OBS_OVERDUE,
    AC_COUNT
};

enum alarm_priority { AP_NONE, AP_LOW, AP_MEDIUM, AP_HIGH };
enum alarm_state { AS_NONE, AS_ACTIVE, AS_LATCHED };
enum alarm_event_kind {
    AE_RAISED,
    AE_ACKNOWLEDGED,
    AE_REALERTED,
    AE_ESCALATED,
    AE_ENDED,
    AE_LATCHED,
    AE_RESET,
    AE_SUPERSEDED,
};

struct alarm_limits {
    double rr_low, rr_high, hr_low, hr_high; /* alarm at <= low or >= high */
    double rr_hyst, hr_hyst;
};

struct alarm_config {
    int delay_s[4]; /* by enum alarm_priority (physiological) */
    int technical_delay_s;
    int clear_s;
    int realert_s;
    int escalate_s;
    int audio_pause_s;
};

struct alarm_input {
    bool rr_valid, hr_valid;
    double rr, hr;
    bool news2_valid;
    int news2_total;
    bool news2_red;
    bool apnoea;      /* no breathing detected for the configured time */
    bool disconnected, no_signal, out_of_bed, store_failure, obs_overdue;
};

struct alarm {
    enum alarm_state state;
    bool acked;
    bool escalated;
    int64_t id; /* given by the event callback on AE_RAISED */
    int64_t raised_at, acked_at, last_alert_at, ended_at;
    char acked_by[24];
    /* debouncing */
    bool cond;          /* debounced condition */
    bool raw;           /* last raw condition */
    int64_t raw_since;  /* raw has had its current value since */
    int64_t seen_at;    /* last tick evaluated */
    bool tracked;       /* raw/raw_since hold a real observation */
};

struct alarm_bed {
    struct alarm a[AC_COUNT];
};

struct alarm_event {
    enum alarm_event_kind kind;
    enum alarm_condition cond;
    enum alarm_priority priority;
    struct alarm *alarm; /* the callback sets alarm->id on AE_RAISED */
    const char *staff;   /* acknowledged, reset */
    int64_t t;
};

typedef void (*alarm_event_cb)(void *ctx, const struct alarm_event *ev);

/* Ward-wide audio pause. */
struct alarm_audio {
    int64_t paused_until;
    enum alarm_priority paused_at_priority; /* highest sounding when paused */
};

struct alarm_config alarm_config_default(void);
void alarm_bed_init(struct alarm_bed *b);

/* Evaluate one tick. */
void alarm_update(struct alarm_bed *b, const struct alarm_input *in,
                  const struct alarm_limits *lim, const struct alarm_config *cfg, int64_t now,
                  alarm_event_cb cb, void *ctx);

/* Operator actions: -1 with a message when refused (nothing changes). */
int alarm_ack(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
              alarm_event_cb cb, void *ctx, char *err, size_t errlen);
int alarm_reset(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
                alarm_event_cb cb, void *ctx, char *err, size_t errlen);
/* The condition slot holding alarm id, or -1. */
int alarm_find_id(const struct alarm_bed *b, int64_t id);

/* Restore an alarm from the store after a restart. state_name is the stored
 * state: "active", "acknowledged", "latched". */
int alarm_restore(struct alarm_bed *b, enum alarm_condition c, int64_t id, const char *state_name,
                  const char *acked_by, int64_t raised_at, int64_t acked_at,
                  int64_t last_alert_at, bool escalated, int64_t now);

/* Audio pause. */
void alarm_audio_pause(struct alarm_audio *au, const struct alarm_bed *beds, size_t nbeds,
                       const struct alarm_config *cfg, int64_t now);
bool alarm_audio_paused(const struct alarm_audio *au, int64_t now);
/* Should this alarm sound now? */
bool alarm_audible(const struct alarm *a, enum alarm_condition c, const struct alarm_audio *au,
                   int64_t now);

/* The most urgent shown alarm of a bed (-1 none): priority, then
 * unacknowledged first, then oldest. */
int alarm_most_urgent(const struct alarm_bed *b);
/* Compare two (condition, alarm) pairs for urgency; <0 when x is more urgent. */
int alarm_urgency_cmp(enum alarm_condition cx, const struct alarm *x, enum alarm_condition cy,
                      const struct alarm *y);

enum alarm_priority alarm_priority_of(enum alarm_condition c);
bool alarm_is_technical(enum alarm_condition c);
const char *alarm_condition_name(enum alarm_condition c); /* "rr-high" */
const char *alarm_condition_text(enum alarm_condition c); /* "RR high" */
int alarm_condition_find(const char *name);
const char *alarm_priority_name(enum alarm_priority p);   /* "high" */
const char *alarm_priority_marker(enum alarm_priority p); /* "***" */
const char *alarm_event_name(enum alarm_event_kind k);    /* "raised" */
/* Display state: "active", "acknowledged", "latched", "ended". */
const char *alarm_state_name(const struct alarm *a);

#endif
