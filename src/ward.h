/*
 * ward — the monitoring core's state and its command API.
 *
 * The ward holds every bed: identity, current admission, the latest automatic
 * readings with their age and smoothing windows, the latest manual
 * observations, the current NEWS2 result, the bed's alarms, and per-minute
 * history for trends. Readings enter through ward_reading() only; once a
 * second ward_tick() re-derives staleness, scores and alarm conditions and
 * queues the per-second sample rows for the store.
 *
 * Commands (admit, discharge, observation, note, acknowledge, reset, Scale 2,
 * limits, audio pause) validate their input, are committed to the store with
 * their audit row, and only then change the in-memory state and return 0.
 * The UI and the command line use these and nothing else; the UI never
 * touches sensors or SQLite.
 *
 * Time: every function takes now_ms, wall-clock epoch milliseconds, from the
 * caller (live: the clock; replay: the recording's start plus stream time),
 * so a replay at any speed gives the same result.
 */
#ifndef WW_WARD_H
#define WW_WARD_H

#include "alarm.h"
#include "config.h"
#include "news2.h"
#include "reading.h"
#include "trend.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Apnoea is judged only on a breathing signal that is valid (sensor ok,
 * patient present and still) and has shown a breath since it became valid.
 * A valid signal that shows no breath for this warm-up plus apnoea_s is "no
 * valid signal" (technical), never apnoea: the I/Q DSP needs 20 s and the
 * MR60BHA2 about 60 s after a start, a reconnect or motion. */
#define WARD_SENSOR_WARMUP_S 60
/* A sensor that never flags motion (the MR60BHA2 reports 0 for both rates
 * instead) has a valid breathing signal only while it also reports a
 * heartbeat (or a breath) within this many seconds. */
#define WARD_HEART_GAP_S 10

struct store;

/* What the bed's sensor is doing, for the board's status column. */
enum ward_sensor_state {
    WSENS_NONE,         /* bed has no sensor (manual only) */
    WSENS_STARTING,     /* opened, nothing decoded yet */
    WSENS_OK,           /* readings arriving */
    WSENS_NO_SIGNAL,    /* connected, but nothing valid for no_signal_s */
    WSENS_DISCONNECTED, /* transport gone; reconnecting */
    WSENS_OUT_OF_BED,   /* sensor reports nobody present for out_of_bed_s */
    WSENS_MOTION,       /* patient moving: rates withheld */
};

/* One value of a NEWS2 parameter with where it came from. */
struct ward_value {
    bool have;
    double value;   /* for o2: 0 air / 1 oxygen; acvpu: the letter as a char */
    int64_t t_ms;   /* measured or entered at */
    char by[24];    /* staff id for entered values, "" for radar */
    bool automatic; /* from the radar */
    bool stale;     /* older than its configured maximum age, or the radar
                     * has lost the patient (disconnected, no signal, out of
                     * bed, motion) */
};

#define WARD_TEXT 256
/* Longest note and admission note, in bytes of UTF-8 (STORE_NOTE_MAX):
 * longer ones are refused with a message, never cut. */
#define WARD_NOTE_MAX 4000

struct ward_bed {
    /* identity */
    int number;
    char label[64];
    char sensor_uri[1024];

    /* admission */
    bool admitted;
    int64_t admission_id;
    char patient_ref[40];
    int64_t admitted_at;
    bool replayed;        /* admitted by replay for its recording's stream */
    char admission_note[WARD_NOTE_MAX + 1];
    bool scale2;
    char scale2_by[24];
    int64_t scale2_at;
    struct alarm_limits limits;
    char limits_reason[WARD_TEXT];

    /* sensor and automatic values */
    enum ward_sensor_state sensor;
    int64_t sensor_since;
    char sensor_detail[128];
    struct vwin rr_win, hr_win;
    int64_t last_reading_ms;
    int64_t last_presence_ms; /* last time someone was seen */
    int64_t readings_since;   /* the sensor's readings began (0: none yet) */
    bool absence_reported;    /* it has said "nobody" since they began */
    int64_t last_breath_ms;   /* last time breathing was detected */
    int64_t last_heart_ms;    /* last time a heartbeat was reported */
    float quality;
    bool present, motion;
    bool reports_motion;      /* the sensor flags motion (the MR60BHA2 does not) */

    /* Breathing signal for apnoea (see WARD_SENSOR_WARMUP_S). */
    int64_t resp_valid_since; /* 0: not valid now */
    bool breath_seen;         /* a breath since resp_valid_since */
    bool resp_unconfirmed;    /* valid, but no breath for warm-up + apnoea_s */

    /* NEWS2 inputs (index enum news2_param) and result. RR and HR hold the
     * value scored: a hand count (automatic false) for counted_valid_min
     * after it was entered, else the radar's. radar_rr/radar_hr always hold
     * the radar's own latest value, shown beside a count. Every automatic
     * value is rounded once, by the chart's rule (news2_round), and that
     * number is what is shown, scored, judged, stored and printed. */
    struct ward_value param[NEWS2_NPARAMS];
    struct ward_value radar_rr, radar_hr;
    /* Radar values measured before this are stale: the last time the
     * device had lost the patient (motion, out of bed, no signal). */
    int64_t radar_fresh_after;
    struct news2_result score;
    bool score_valid;
    int64_t last_complete_ms; /* last time every parameter was present and fresh */
    /* Observation timing (CLINICAL.md): the next full set is due set_at
     * plus the interval of the worst response level since (due_level), so
     * it only moves sooner until a new complete set is entered; a set with a
     * manual part missing or stale is overdue at once; a new admission's
     * first set is due admission_obs_due_min after admission. */
    int64_t set_at;           /* a complete set was last entered (0: none) */
    int due_level;            /* worst enum news2_level since set_at */
    int64_t obs_due_ms;       /* next full set due */
    bool obs_overdue;

    /* trends */
    struct hist h_rr, h_hr, h_news2;
    int trend_rr, trend_hr;

    /* alarms */
    struct alarm_bed alarms;
};

/* Something the ward did, for replay --alarms, the log and attached boards. */
enum ward_event_kind { WEV_ALARM, WEV_SCORE, WEV_SENSOR, WEV_COMMAND, WEV_STORE };
struct ward_event {
    enum ward_event_kind kind;
    int64_t t_ms;
    int bed; /* index, -1 ward-wide */
    const struct alarm_event *alarm;    /* WEV_ALARM */
    const struct news2_result *score;   /* WEV_SCORE */
    const char *text;                   /* human-readable summary */
};
typedef void (*ward_event_cb)(void *ctx, const struct ward_event *ev);

struct ward;

/* Build the ward from a loaded configuration; st may be NULL (no store, e.g.
 * a headless replay that only counts alarms). */
struct ward *ward_new(const struct ward_config *cfg, struct store *st, char *err, size_t errlen);
void ward_free(struct ward *w);
/* Restore admissions, observations and open alarms from the store. */
int ward_restore(struct ward *w, int64_t now_ms, char *err, size_t errlen);
/* Where ward events go (one listener). */
void ward_set_listener(struct ward *w, ward_event_cb cb, void *ctx);

size_t ward_nbeds(const struct ward *w);
const struct ward_bed *ward_bed(const struct ward *w, size_t i);
/* Index of the bed with this label or number text, or -1. */
int ward_find_bed(const struct ward *w, const char *label_or_number);
const struct ward_config *ward_config(const struct ward *w);

/* The single entry point of automatic readings. */
void ward_reading(struct ward *w, size_t bed, const struct reading *r, int64_t now_ms);
/* Sensor transport state changes (connected, disconnected, no signal). */
void ward_sensor_state(struct ward *w, size_t bed, enum ward_sensor_state s, const char *detail,
                       int64_t now_ms);
/* Once a second: staleness, smoothing, NEWS2, alarms, sample rows. */
void ward_tick(struct ward *w, int64_t now_ms);
/* Write queued rows (call at most once a second, by the wall clock). */
int ward_flush(struct ward *w, char *err, size_t errlen);
bool ward_store_ok(const struct ward *w);
/* A hospital export has been failing longer than its fail_alarm_min (or
 * has recovered): a technical alarm on every admitted bed from the next
 * tick, whose data is what does not reach the hospital (#20). */
void ward_set_export_failure(struct ward *w, bool failing);

/* Commands: 0 when committed, -1 with a message (nothing changed).
 * ward_cmd_ack and ward_cmd_reset (and ward_cmd_exec for them) return 1
 * when the store cannot write now: the action is done and held for the
 * store's recovery, and err says so (the nurse must be able to silence an
 * alarm during an outage, and must be told it is not yet recorded). */
int ward_cmd_admit(struct ward *w, size_t bed, const char *patient_ref, const char *note,
                   const char *staff, int64_t now_ms, char *err, size_t errlen);
/* Replay: the bed's stream is a patient's, admitted at the recording's
 * start (staff "REC"), so every alarm that night would have raised shows. */
int ward_admit_recording(struct ward *w, size_t bed, const char *source, int64_t now, char *err,
                         size_t errlen);
int ward_cmd_discharge(struct ward *w, size_t bed, const char *staff, int64_t now_ms, char *err,
                       size_t errlen);
/* param: "rr" "spo2" "o2" "sbp" "hr" "acvpu" "temp"; value as typed. */
int ward_cmd_observation(struct ward *w, size_t bed, const char *param, const char *value,
                         const char *staff, int64_t now_ms, char *err, size_t errlen);
/* A whole set (params[k] = values[k], k < n, each parameter once): one
 * commit, one change of the bed's values. */
int ward_cmd_observations(struct ward *w, size_t bed, const char *const *params,
                          const char *const *values, size_t n, const char *staff, int64_t now,
                          char *err, size_t errlen);
int ward_cmd_note(struct ward *w, size_t bed, int64_t alarm_id, const char *text,
                  const char *staff, int64_t now_ms, char *err, size_t errlen);
int ward_cmd_ack(struct ward *w, size_t bed, int64_t alarm_id, const char *staff, int64_t now_ms,
                 char *err, size_t errlen);
int ward_cmd_reset(struct ward *w, size_t bed, int64_t alarm_id, const char *staff,
                   int64_t now_ms, char *err, size_t errlen);
int ward_cmd_scale2(struct ward *w, size_t bed, bool on, const char *prescriber,
                    const char *staff, int64_t now_ms, char *err, size_t errlen);
int ward_cmd_limits(struct ward *w, size_t bed, const struct alarm_limits *lim,
                    const char *reason, const char *staff, int64_t now_ms, char *err,
                    size_t errlen);
int ward_cmd_audio_pause(struct ward *w, const char *staff, int64_t now_ms, char *err,
                         size_t errlen);
bool ward_audio_paused(const struct ward *w, int64_t now_ms);
const struct alarm_audio *ward_audio(const struct ward *w);

/* One command as data: what a board sends (in this process or over the
 * server socket, see proto.h) and ward_cmd_exec runs through the functions
 * above. Text fields are as typed; the ward validates and sanitises. */
enum ward_cmd_kind {
    WCMD_ACK = 1,
    WCMD_RESET,
    WCMD_NOTE,        /* bed, alarm_id (0: the bed), text */
    WCMD_OBSERVATION, /* bed, param, value */
    WCMD_ADMIT,       /* bed, ref, text (admission note) */
    WCMD_DISCHARGE,
    WCMD_SCALE2,      /* bed, on, prescriber */
    WCMD_LIMITS,      /* bed, limits, text (reason) */
    WCMD_AUDIO_PAUSE, /* ward-wide */
    /* the handover of [t0, t1) (text: the period's name) printed and
     * audited: started with ward_print_handover_start under the core's
     * loop (ward_cmd_exec refuses it: it would wait for lp) */
    WCMD_PRINT_HANDOVER,
    /* audit a handover made elsewhere (`wardwatch handover` beside a running
     * server): param view|export|print, text the detail, bed the bed's
     * index or WARD_CMD_NO_BED for the ward */
    WCMD_HANDOVER_AUDIT,
    /* a set of observations in one commit: bed, text "NAME=VALUE ..." (names
     * as for WCMD_OBSERVATION, separated by spaces or newlines) */
    WCMD_OBSERVATIONS,
    WCMD_KIND_MAX = WCMD_OBSERVATIONS
};
#define WARD_CMD_NO_BED UINT32_MAX
struct ward_cmd {
    enum ward_cmd_kind kind;
    uint32_t bed;     /* index */
    int64_t alarm_id; /* ack, reset, note; 0 the most urgent (ack, reset) */
    char staff[24];
    char param[16];
    char value[64];
    char ref[40];
    char prescriber[24];
    bool on;
    struct alarm_limits limits;
    int64_t t0, t1; /* a period (print handover) */
    char text[WARD_NOTE_MAX + 1]; /* note, admission note, reason, period */
    /* The patient the command was composed for (a board's form keeps them
     * from when it opened): with check_patient, a command on a bed whose
     * patient changed since (discharged, another admitted) is refused.
     * expect_ref "" and admission_id 0: a free bed. */
    bool check_patient;
    int64_t admission_id;
    char expect_ref[40];
};
/* Run a command: 0 committed, 1 held (see above), -1 with the refusal
 * (nothing changed). */
int ward_cmd_exec(struct ward *w, const struct ward_cmd *c, int64_t now_ms, char *err,
                  size_t errlen);
/* Command name for logs ("ack", "note", ...). */
const char *ward_cmd_name(enum ward_cmd_kind k);

/* "sensors 10 ok, 1 no signal" for beds[0..n). */
void ward_sensor_summary(const struct ward_bed *beds, size_t n, char *buf, size_t len);

/* History of a bed from the store for the detail view and the handover, as
 * display lines (time, who, what), oldest first, over [t0, t1): entered
 * observations, notes and alarm transitions. Returns the count written (up
 * to max), or -1 without a store. */
enum ward_history_kind { WH_TEXT, WH_OBS, WH_NOTE, WH_ALARM, WH_COUNT };
#define WARD_NOTE_HEAD "note (%s)%s: "
#define WARD_NOTE_ON_ALARM " on alarm"
struct ward_history_line {
    int64_t t;
    char text[200]; /* the line in English (logs, tests, older readers) */
    /* The same, by its parts, for a board to word in its own language:
     * WH_OBS what = parameter name ("spo2"), detail = the value as entered;
     * WH_NOTE text is WARD_NOTE_HEAD (by, " on alarm" or "") then the
     * note, so the note alone starts after as many bytes as that head;
     * WH_ALARM what = condition name ("rr-high"), detail = event name
     * ("escalated"). by: who, "" for the system. */
    uint8_t kind;
    bool on_alarm; /* WH_NOTE: written on an alarm */
    char what[32];
    char detail[32];
    char by[24];
};
/* The note alone of a WH_NOTE line (its text after WARD_NOTE_HEAD), or
 * NULL when the text does not start so. */
const char *ward_history_note(const struct ward_history_line *l);
/* Only the bed's current stay is shown (hazard H16-8): for an admitted bed
 * the rows of its admission and the alarms raised since it began; for a free
 * bed what was entered since the last discharge. */
int ward_history(struct ward *w, size_t bed, int64_t t0, int64_t t1,
                 struct ward_history_line *out, int max);

/* Empty a bed's per-minute trends (RR, HR, NEWS2) and its trend arrows: at
 * an admission (and a discharge) so nothing of the previous patient is
 * shown as the new one's (hazard H16-8). The board also shows trends only
 * from admitted_at, and attached boards clear their mirror when the
 * admission changes. */
void ward_bed_clear_history(struct ward_bed *b);

/* The handover summary of [t0, t1) from the ward's store, for the board's
 * preview ("printed by" staff, at now); NULL with a message (no store, or
 * the store failed). Free with handover_free(). */
struct handover;
struct handover *ward_handover(struct ward *w, const char *period_name, int64_t t0, int64_t t1,
                               const char *staff, int64_t now, char *err, size_t errlen);
/* Print the handover of [t0, t1) without waiting for lp, through the
 * printer the command layer installed (ward_set_printer; src/print.c): the
 * core itself never links lp, pango or cairo, so nothing of printing can
 * hold its loop (doc/hazards.md H19-40). The staff id is checked here; the
 * printer makes the model and the PDF, runs lp under loop l, audits the
 * print (ok or failed) and then calls cb(ctx, ok, lp's request line or
 * why) once from the loop. 0 when started; -1 with why (refused, no
 * printer installed, or lp could not start: audited as failed; cb is then
 * never called). A ward freed first gives its prints up without calling
 * back. */
struct loop;
typedef void (*ward_print_cb)(void *ctx, bool ok, const char *msg);
int ward_print_handover_start(struct ward *w, struct loop *l, const char *period_name, int64_t t0,
                              int64_t t1, const char *staff, int64_t now, ward_print_cb cb,
                              void *ctx, char *err, size_t errlen);
/* Give up the prints started with ctx (their asker is going away): lp
 * killed, no call back. */
void ward_print_forget(struct ward *w, void *ctx);
/* What prints for the ward: start as ward_print_handover_start (staff
 * already checked), forget as ward_print_forget, release when the ward is
 * freed (give every print up, free pctx). */
struct ward_printer {
    int (*start)(void *pctx, struct loop *l, const char *period_name, int64_t t0, int64_t t1,
                 const char *staff, int64_t now, ward_print_cb cb, void *ctx, char *err,
                 size_t errlen);
    void (*forget)(void *pctx, void *ctx);
    void (*release)(void *pctx);
};
/* Install the printer (ops must outlive the ward; a printer installed
 * before is released). */
void ward_set_printer(struct ward *w, const struct ward_printer *ops, void *pctx);
/* Audit a handover made from this ward's store by another process (what:
 * view, export or print; bed an index or WARD_CMD_NO_BED). */
int ward_cmd_handover_audit(struct ward *w, uint32_t bed, const char *what, const char *detail,
                            const char *staff, int64_t now, char *err, size_t errlen);

/* Names for display. */
const char *ward_sensor_state_name(enum ward_sensor_state s);

#endif
