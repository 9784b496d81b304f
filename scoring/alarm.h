/*
 * alarm — the alarm state machine of one bed, pure: time passed in as
 * milliseconds, no I/O, no clock reads, no allocation, no globals.
 * Conventions from IEC 60601-1-8 (see ../shared/CLINICAL.md, "Alarms").
 *
 * CONDITIONS. Each tick the ward core passes a snapshot (struct alarm_input:
 * smoothed RR/HR, the NEWS2 result, apnoea, sensor and store state) and the
 * bed's limits. Each condition is derived from it in two steps:
 *
 * 1. The raw condition, with hysteresis. RR and HR are first rounded to whole
 *    numbers, halves up (the NEWS2 chart rule, so RR 24.5 is 25 for the limit
 *    as for the score). A limit condition starts at value >= high (or
 *    <= low) and, once on, holds until the value is back past the limit by
 *    the hysteresis: RR high with rr_high 25 and rr_hyst 2 starts at 25 and
 *    ends at 23 (24 keeps it on). "Once on" means raw or debounced on, so a
 *    value hovering at the limit neither restarts the onset delay nor the
 *    clear delay.
 * 2. Debouncing. The raw condition must hold continuously for the onset
 *    delay before the condition is on: delay_s[priority] for physiological
 *    conditions (default 20 s), technical_delay_s for technical ones, none
 *    for apnoea (its own duration, apnoea_s, is already in the input). It
 *    must be absent continuously for clear_s (technical) or clear_physio_s
 *    (physiological, default 60 s) before the condition is off.
 *    So a 10 s artefact never alarms and a sustained change alarms after
 *    the ward's smoothing plus 20 s.
 *
 * MISSING VALUES. When the input lacks the value a condition needs (rr_valid
 * false, NaN, news2_valid false) that condition is frozen: its raw state is
 * kept, its onset and clear timers stop (they resume where they were when the
 * value returns), so a gap neither raises nor ends an alarm by itself. An
 * alarm that is shown stays shown through the gap, and its re-alert and
 * escalation timers keep running: a sensor gap never silences an alarm (the
 * gap has its own technical alarm, sensor disconnected or no signal).
 *
 * | condition            | priority | raw condition                     | latches |
 * |----------------------|----------|-----------------------------------|---------|
 * | news2-high           | high     | total >= 7                        | yes     |
 * | news2-medium         | medium   | total >= 5                        | no      |
 * | news2-low-medium     | low      | a single parameter scored 3       | no      |
 * | rr-low, rr-high      | medium   | RR <= rr_low, RR >= rr_high       | no      |
 * | hr-low, hr-high      | medium   | HR <= hr_low, HR >= hr_high       | no      |
 * | apnoea               | high     | no breathing for apnoea_s         | yes     |
 * | sensor-disconnected  | medium   | technical                         | never   |
 * | no-signal            | medium   | technical (not while disconnected)| never   |
 * | out-of-bed           | low      | technical (not while disconnected)| never   |
 * | store-failure        | medium   | technical                         | never   |
 * | obs-overdue          | low      | technical: overdue by the band's  | never   |
 * |                      |          | monitoring interval               |         |
 *
 * SCORE HYSTERESIS. A NEWS2 alarm that is shown holds until the score is
 * score_hyst points below its trigger: news2-high (on at >= 7) holds while
 * the total is >= 7 - score_hyst, news2-medium (>= 5) while >= 5 - score_hyst,
 * news2-low-medium (a parameter scored 3) while the highest single
 * parameter scores >= 3 - score_hyst. A patient whose HR wobbles across
 * 130/131 (AF) keeps one alarm instead of dozens. The hysteresis only keeps
 * an alarm that is shown: a new one needs the full trigger.
 *
 * Limit conditions are medium priority: a single limit crossing is the
 * NEWS2 3-point edge (low-medium response), one step more urgent than the
 * low-medium score alarm because it names the parameter; the score alarms
 * take over as the total rises.
 *
 * FAMILIES. NEWS2 high > medium > low-medium, and rr-low/rr-high, hr-low/
 * hr-high, are families; an RR or HR limit alarm also outranks NEWS2
 * low-medium (with the default limits it is the same 3-point edge, and it
 * names the parameter): a bed shows at most one alarm per family. When a
 * member is raised, a shown lower NEWS2 member (or the opposite RR/HR limit)
 * ends with the single event "superseded" (not "ended"), and its condition
 * starts over (it must persist its onset delay again). A lower NEWS2 member
 * is not raised while a higher one is shown (active, acknowledged or
 * latched); when the higher one goes away and the lower condition still
 * holds, the lower alarm is raised then, as a new alarm, after its own onset
 * delay counted from the moment the higher one went (the lower condition's
 * timer stands at zero while a higher member is shown or pending). A lower
 * member is not raised either while a higher member's raw condition holds
 * (it is pending its onset delay): the higher one is about to take over, and
 * an alarm that would be superseded seconds after it was raised is noise. So NEWS2 medium ->
 * high gives: "raised" (high) and "superseded" (medium), in that order, in the
 * same tick; the new high alarm alerts even if the medium one was
 * acknowledged.
 *
 * STATES. An alarm is shown in one of:
 *   active        condition on, unacknowledged: sounds; after escalate_s from
 *                 its last alert it escalates once ("escalated": visual
 *                 urgency; the ward core runs the paging hook).
 *   acknowledged  by a staff id; silent while the condition persists; after
 *                 realert_s from the acknowledgement it re-alerts ("realerted",
 *                 back to active, escalation timer restarts).
 *   latched       high-priority physiological alarm whose condition ended:
 *                 stays shown (and sounds unless acknowledged; escalates if
 *                 never acknowledged) until a nurse resets it. If the
 *                 condition returns first, it is active again ("realerted").
 * and leaves the bed with "ended" (condition over, not latching), "reset"
 * (latched alarm cleared by a nurse) or "superseded". Technical alarms never
 * latch. Reset of an alarm that is not latched (its condition is still on)
 * is refused; acknowledging an acknowledged alarm is refused. Staff ids must
 * be non-blank and fit in acked_by (validating against the ward's staff list
 * is the ward core's job). A new or higher condition alerts regardless of
 * acknowledgements of other alarms on the bed.
 *
 * EVENTS. Every transition is reported exactly once through the event
 * callback (raised, acknowledged, realerted, escalated, ended, latched, reset,
 * superseded), which the ward core stores and audits. ALARM IDS: the machine
 * does not allocate them. On "raised" the callback assigns ev->alarm->id (the
 * store's row id when the raise is persisted); ev->id is 0 in that one event
 * and the alarm's id in every later one. Id 0 means "none assigned".
 *
 * TIME is any millisecond clock that does not go backwards; a tick or action
 * with an earlier time than the latest seen on the bed is treated as that
 * latest time (no timer runs backwards).
 *
 * AUDIO PAUSE is ward-wide (struct alarm_audio): for audio_pause_s nothing
 * sounds except alarms of a higher priority than the highest that was
 * sounding when the pause began.
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
    AC_EXPORT_FAILURE, /* a hospital export failing longer than fail_alarm_min */
    AC_COUNT
};

enum alarm_priority { AP_NONE, AP_LOW, AP_MEDIUM, AP_HIGH };

/* Slot state; "acknowledged" is AS_ACTIVE or AS_LATCHED with acked set. */
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
    AE_COUNT
};

/* Per-bed limits: alarm at value <= low or >= high (whole numbers after
 * rounding); a condition that is on ends at high - hyst or low + hyst. */
struct alarm_limits {
    double rr_low, rr_high, hr_low, hr_high;
    double rr_hyst, hr_hyst;
};

struct alarm_config {
    /* Onset delay of physiological conditions by priority, seconds; the
     * array form is indexed by enum alarm_priority. Apnoea has none. */
    union {
        int delay_s[4];
        struct {
            int delay_none_s; /* unused */
            int delay_low_s, delay_medium_s, delay_high_s;
        };
    };
    int technical_delay_s; /* onset delay of technical conditions */
    int clear_s;           /* absence before a technical condition is over */
    int clear_physio_s;    /* ... a physiological one (-1: clear_s) */
    int realert_s;         /* acknowledged and persisting -> re-alert */
    int escalate_s;        /* unacknowledged -> escalate */
    int audio_pause_s;     /* ward-wide audio pause */
    int score_hyst;        /* NEWS2 hysteresis, points (see SCORE HYSTERESIS) */
    struct alarm_limits limits; /* default limits for a new admission */
};

/* One tick's snapshot of a bed (from the ward core). */
struct alarm_input {
    bool rr_valid, hr_valid; /* smoothed value present and fresh */
    double rr, hr;           /* smoothed, per minute */
    bool news2_valid;        /* a NEWS2 result exists for the bed */
    int news2_total;         /* lower bound when partial: still alarms */
    bool news2_red;          /* a single parameter scored 3 */
    int news2_max_points;    /* the highest single-parameter points (hysteresis of red) */
    bool apnoea;             /* no breathing detected for apnoea_s */
    bool disconnected, no_signal, out_of_bed, store_failure, obs_overdue;
    bool export_failure;     /* an export destination failing (#20) */
};

/* One condition slot of a bed: the alarm shown (if any) and debounce state. */
struct alarm {
    enum alarm_state state;
    bool acked;
    bool escalated;
    int64_t id; /* given by the event callback on AE_RAISED */
    int64_t raised_at, acked_at, last_alert_at, ended_at;
    char acked_by[24];
    /* What raised it, for the nurse ("HR 136 >= 131"): the worst value
     * from the crossing to the raise (whole RR or HR per minute, the NEWS2
     * total, or the highest single-parameter points for news2-low-medium;
     * never a value the hysteresis merely held) and the limit it crossed
     * (7, 5, 3, or the bed's RR/HR limit); NaN for technical alarms and
     * alarms restored from the store. */
    double trig_value, trig_limit;
    /* debouncing (private) */
    bool cond;         /* debounced condition */
    bool raw;          /* last known raw condition */
    int64_t raw_since; /* raw has had its value since (shifted over gaps) */
    int64_t seen_at;   /* last tick evaluated */
    bool tracked;      /* raw/raw_since hold a real observation */
    double onset_value; /* the worst value since raw came on (trig_value) */
};

struct alarm_bed {
    struct alarm a[AC_COUNT];
    int bed;          /* copied into events; the caller may set it after init */
    int64_t last_now; /* latest time seen (time never runs backwards) */
};

struct alarm_event {
    enum alarm_event_kind kind;
    enum alarm_condition cond;
    enum alarm_priority priority;
    struct alarm *alarm; /* the callback sets alarm->id on AE_RAISED */
    const char *staff;   /* acknowledged, reset; NULL otherwise */
    int64_t t;
    int64_t id; /* alarm->id (0 on AE_RAISED, see above) */
    int bed;    /* alarm_bed.bed */
};

typedef void (*alarm_event_cb)(void *ctx, const struct alarm_event *ev);

/* Ward-wide audio pause. */
struct alarm_audio {
    int64_t paused_until;
    enum alarm_priority paused_at_priority; /* highest sounding when paused */
};

/* What the UI shows of one alarm (alarm_list). */
struct alarm_view {
    enum alarm_condition cond;
    enum alarm_priority priority;
    int64_t id;
    const char *name;     /* "rr-high" */
    const char *text;     /* "RR high" */
    const char *state;    /* "active", "acknowledged", "latched" */
    const char *marker;   /* "***", "**", "*" */
    const char *acked_by; /* "" unless acknowledged */
    int64_t age_ms;       /* since raised */
    bool acked, latched, escalated;
};

/* Defaults: delays 20 s (physiological), 10 s technical, clear 10 s
 * (technical) and 60 s (physiological), re-alert 180 s, escalate 120 s, audio
 * pause 120 s, limits RR 8/25 HR 40/131, hysteresis 2 and 5, score
 * hysteresis 2. */
struct alarm_config alarm_config_default(void);
/* -1 with a message naming the field when a value is out of range. */
int alarm_config_check(const struct alarm_config *cfg, char *err, size_t errlen);
/* -1 with a message when low >= high, a value is negative or not finite, or a
 * hysteresis would end a condition past the opposite limit. */
int alarm_limits_check(const struct alarm_limits *lim, char *err, size_t errlen);

/* Empty bed (bed number 0; set b->bed afterwards if events should carry it). */
void alarm_bed_init(struct alarm_bed *b);

/* Evaluate one tick: derive conditions, raise, re-alert, escalate, latch and
 * end alarms, reporting each transition through cb (may be NULL). */
void alarm_update(struct alarm_bed *b, const struct alarm_input *in,
                  const struct alarm_limits *lim, const struct alarm_config *cfg, int64_t now,
                  alarm_event_cb cb, void *ctx);

/* Would alarm_ack / alarm_reset accept this? 0, or -1 with the reason; they
 * change nothing, so the ward core can validate before it commits. */
int alarm_check_ack(const struct alarm_bed *b, enum alarm_condition c, const char *staff,
                    char *err, size_t errlen);
int alarm_check_reset(const struct alarm_bed *b, enum alarm_condition c, const char *staff,
                      char *err, size_t errlen);

/* Operator actions: -1 with a message when refused (nothing changes). */
int alarm_ack(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
              alarm_event_cb cb, void *ctx, char *err, size_t errlen);
int alarm_reset(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
                alarm_event_cb cb, void *ctx, char *err, size_t errlen);
/* The patient has left the bed (discharge) or a new one arrives (admission):
 * every shown physiological alarm ends ("ended", whatever its state, latched
 * too) and every physiological condition forgets its debounce state, so
 * nothing of one patient alarms for the next. So do the technical alarms
 * about the patient (out of bed, observations overdue, export failing for
 * their record), which an acknowledgement must never carry to the next
 * one; those of the sensor and the store stay with the bed. */
void alarm_end_physiological(struct alarm_bed *b, int64_t now, alarm_event_cb cb, void *ctx);
/* The condition slot holding the shown alarm with this id, or -1 (id 0: -1). */
int alarm_find_id(const struct alarm_bed *b, int64_t id);

/* Restore an alarm from the store after a restart, before the first tick.
 * state_name is the stored state: "active", "acknowledged" or "latched"
 * (acknowledged when acked_by is non-empty). An active or acknowledged alarm
 * is assumed to persist: if its condition is gone it ends (or latches) after
 * clear_s like any other. Re-alert runs from the stored acked_at and
 * escalation from last_alert_at (raised_at when 0), so nothing re-alerts that
 * was acknowledged less than realert_s ago. No event is emitted. Stored data
 * that does not fit is corrected towards alerting, never dropped: an
 * acknowledgement without a staff id restores unacknowledged, "latched" for
 * a condition that does not latch restores active, times later than now
 * become now. -1 (nothing changed) only for an unknown condition or state. */
int alarm_restore(struct alarm_bed *b, enum alarm_condition c, int64_t id, const char *state_name,
                  const char *acked_by, int64_t raised_at, int64_t acked_at,
                  int64_t last_alert_at, bool escalated, int64_t now);
/* After alarm_restore: the value and limit that raised it, as stored
 * (NaN: unknown, shown without). */
void alarm_restore_trigger(struct alarm_bed *b, enum alarm_condition c, double value, double limit);

/* Audio pause: silence for cfg->audio_pause_s what is sounding now (beds is
 * an array of nbeds). Pausing again restarts the pause. */
void alarm_audio_pause(struct alarm_audio *au, const struct alarm_bed *beds, size_t nbeds,
                       const struct alarm_config *cfg, int64_t now);
/* End a pause early. */
void alarm_audio_resume(struct alarm_audio *au);
bool alarm_audio_paused(const struct alarm_audio *au, int64_t now);
/* Milliseconds of pause left (0 when not paused), for the visible indicator. */
int64_t alarm_audio_remaining_ms(const struct alarm_audio *au, int64_t now);
/* Should this alarm sound now? Shown and unacknowledged, and, while audio is
 * paused (au may be NULL), of a higher priority than the pause began with. */
bool alarm_audible(const struct alarm *a, enum alarm_condition c, const struct alarm_audio *au,
                   int64_t now);

/* The most urgent shown alarm of a bed (-1 none). */
int alarm_most_urgent(const struct alarm_bed *b);
/* Urgency order, <0 when x is more urgent: priority, then unacknowledged
 * before acknowledged, then escalated first, then oldest, then condition. */
int alarm_urgency_cmp(enum alarm_condition cx, const struct alarm *x, enum alarm_condition cy,
                      const struct alarm *y);
/* The shown alarms of a bed, most urgent first, into out (at most max);
 * returns how many are shown (may exceed max). */
size_t alarm_list(const struct alarm_bed *b, int64_t now, struct alarm_view *out, size_t max);

enum alarm_priority alarm_priority_of(enum alarm_condition c);
bool alarm_is_technical(enum alarm_condition c);
/* High-priority physiological: stays latched after its condition ends. */
bool alarm_latches(enum alarm_condition c);
const char *alarm_condition_name(enum alarm_condition c); /* "rr-high" */
const char *alarm_condition_text(enum alarm_condition c); /* "RR high" */
int alarm_condition_find(const char *name);               /* by name, -1 */
const char *alarm_priority_name(enum alarm_priority p);   /* "high" */
const char *alarm_priority_marker(enum alarm_priority p); /* "***" */
const char *alarm_event_name(enum alarm_event_kind k);    /* "raised" */
/* Display state: "active", "acknowledged", "latched", "ended". */
const char *alarm_state_name(const struct alarm *a);
/* Event by its audit name ("raised"), -1 when unknown. */
int alarm_event_find(const char *name);

/*
 * RECORDED STATE. The one rule for the state an alarm is in after each of
 * its events, used wherever an alarm's state is stored, replayed from its
 * events (handover) or exported, so every copy says what the machine above
 * did. The store keeps one of these per alarm (alarms.state) beside its
 * flags (acked_by, escalated, latched):
 *
 * | event        | state after                                        |
 * |--------------|----------------------------------------------------|
 * | raised       | active                                             |
 * | acknowledged | acknowledged; latched stays latched (acked_by set) |
 * | realerted    | active: re-alert, or a latched alarm's condition   |
 * |              | came back (it sounds again: more than latched)     |
 * | escalated    | unchanged: an escalated latched alarm is latched,  |
 * |              | an escalated active one active (escalated flag)    |
 * | latched      | latched                                            |
 * | ended        | ended (condition over, or discharge/admission,     |
 * |              | which ends latched alarms too: see                 |
 * |              | alarm_end_physiological)                           |
 * | superseded   | ended (the event log says why)                     |
 * | reset        | reset                                              |
 *
 * An alarm that is ended or reset is closed: nothing but a new raise (which
 * the machine gives a new id) changes it. The rule is idempotent, so the
 * state of a slot already updated for the event maps to the same state.
 */
enum alarm_rec_state {
    ARS_ACTIVE,
    ARS_ACKNOWLEDGED,
    ARS_LATCHED,
    ARS_ENDED,
    ARS_RESET,
    ARS_COUNT
};
enum alarm_rec_state alarm_state_after(enum alarm_rec_state prev, enum alarm_event_kind ev);
/* "active", "acknowledged", "latched", "ended", "reset" ("?" out of range). */
const char *alarm_rec_state_name(enum alarm_rec_state s);
/* By name, -1 when unknown. */
int alarm_rec_state_find(const char *name);
/* Shown on the bed (active, acknowledged, latched), not closed. */
bool alarm_rec_state_open(enum alarm_rec_state s);
/* The recorded state of a slot (ARS_ENDED for an empty one). */
enum alarm_rec_state alarm_rec_state_of(const struct alarm *a);

#endif
