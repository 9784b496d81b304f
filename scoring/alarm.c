/*
 * alarm — per-bed alarm state machine (contract and conventions in alarm.h).
 *
 * Each condition has one slot (struct alarm) holding both its debounce state
 * and the alarm shown for it, so a bed never shows two alarms for the same
 * condition and nothing is allocated. alarm_update walks the slots from the
 * most to the least severe NEWS2 member, so a higher member is raised (and
 * supersedes the lower ones) before a lower member is looked at in the same
 * tick.
 */
#include "alarm.h"

#include "util.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    const char *text;
    enum alarm_priority prio;
    bool technical;
} conds[AC_COUNT] = {
    [AC_NEWS2_HIGH] = {"news2-high", "NEWS2 high (>= 7)", AP_HIGH, false},
    [AC_NEWS2_MEDIUM] = {"news2-medium", "NEWS2 medium (5-6)", AP_MEDIUM, false},
    [AC_NEWS2_LOW_MEDIUM] = {"news2-low-medium", "NEWS2 single parameter 3", AP_LOW, false},
    [AC_RR_LOW] = {"rr-low", "RR low", AP_MEDIUM, false},
    [AC_RR_HIGH] = {"rr-high", "RR high", AP_MEDIUM, false},
    [AC_HR_LOW] = {"hr-low", "HR low", AP_MEDIUM, false},
    [AC_HR_HIGH] = {"hr-high", "HR high", AP_MEDIUM, false},
    [AC_APNOEA] = {"apnoea", "Apnoea: no breathing detected", AP_HIGH, false},
    [AC_DISCONNECTED] = {"sensor-disconnected", "Sensor disconnected", AP_MEDIUM, true},
    [AC_NO_SIGNAL] = {"no-signal", "No valid signal", AP_MEDIUM, true},
    [AC_OUT_OF_BED] = {"out-of-bed", "Patient out of bed", AP_LOW, true},
    [AC_STORE_FAILURE] = {"store-failure", "Store write failure", AP_MEDIUM, true},
    [AC_OBS_OVERDUE] = {"obs-overdue", "Observations overdue", AP_LOW, true},
    [AC_EXPORT_FAILURE] = {"export-failure", "Export to the hospital failing", AP_MEDIUM, true},
};

/* Defaults as documented in alarm.h (the INI's defaults). */
struct alarm_config alarm_config_default(void)
{
    struct alarm_config c;
    memset(&c, 0, sizeof c);
    c.delay_high_s = c.delay_medium_s = c.delay_low_s = 20;
    c.technical_delay_s = 10;
    c.clear_s = 10;
    c.realert_s = 180;
    c.escalate_s = 120;
    c.audio_pause_s = 120;
    c.score_hyst = 2;
    c.clear_physio_s = 60;
    c.limits = (struct alarm_limits){.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 131,
                                     .rr_hyst = 2, .hr_hyst = 5};
    return c;
}

/* One integer setting within [lo, hi]. */
static int check_range(const char *name, int v, int lo, int hi, char *err, size_t errlen)
{
    if (v < lo || v > hi)
        return ww_err(err, errlen, "alarm setting %s = %d is out of range (%d-%d)", name, v, lo,
                      hi);
    return 0;
}

/* Validate a configuration. */
int alarm_config_check(const struct alarm_config *cfg, char *err, size_t errlen)
{
    if (check_range("delay_high_s", cfg->delay_high_s, 0, 3600, err, errlen) < 0 ||
        check_range("delay_medium_s", cfg->delay_medium_s, 0, 3600, err, errlen) < 0 ||
        check_range("delay_low_s", cfg->delay_low_s, 0, 3600, err, errlen) < 0 ||
        check_range("technical_delay_s", cfg->technical_delay_s, 0, 3600, err, errlen) < 0 ||
        check_range("clear_s", cfg->clear_s, 0, 3600, err, errlen) < 0 ||
        check_range("realert_s", cfg->realert_s, 1, 86400, err, errlen) < 0 ||
        check_range("escalate_s", cfg->escalate_s, 1, 86400, err, errlen) < 0 ||
        check_range("audio_pause_s", cfg->audio_pause_s, 1, 3600, err, errlen) < 0 ||
        check_range("score_hysteresis", cfg->score_hyst, 0, 4, err, errlen) < 0 ||
        check_range("physio_clear_s", cfg->clear_physio_s, -1, 3600, err, errlen) < 0)
        return -1;
    return alarm_limits_check(&cfg->limits, err, errlen);
}

/* One low/high pair with its hysteresis. */
static int check_pair(const char *what, double lo, double hi, double hyst, char *err,
                      size_t errlen)
{
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(hyst))
        return ww_err(err, errlen, "%s limits must be numbers", what);
    if (lo < 0 || hyst < 0)
        return ww_err(err, errlen, "%s limits and hysteresis must not be negative", what);
    if (lo >= hi)
        return ww_err(err, errlen, "%s low limit %g must be below the high limit %g", what, lo,
                      hi);
    /* A high condition ends at hi - hyst; past lo it would overlap the low one. */
    if (hi - hyst <= lo || lo + hyst >= hi)
        return ww_err(err, errlen, "%s hysteresis %g is too large for limits %g-%g", what, hyst,
                      lo, hi);
    return 0;
}

/* Validate limits. */
int alarm_limits_check(const struct alarm_limits *lim, char *err, size_t errlen)
{
    if (check_pair("RR", lim->rr_low, lim->rr_high, lim->rr_hyst, err, errlen) < 0 ||
        check_pair("HR", lim->hr_low, lim->hr_high, lim->hr_hyst, err, errlen) < 0)
        return -1;
    return 0;
}

/* Empty bed. */
void alarm_bed_init(struct alarm_bed *b)
{
    memset(b, 0, sizeof *b);
}

/* Priority of a condition. */
enum alarm_priority alarm_priority_of(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT ? conds[c].prio : AP_NONE;
}

/* Technical condition? */
bool alarm_is_technical(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT && conds[c].technical;
}

/* Latching condition? */
bool alarm_latches(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT && conds[c].prio == AP_HIGH && !conds[c].technical;
}

/* Report a transition. */
static void emit(const struct alarm_bed *b, alarm_event_cb cb, void *ctx,
                 enum alarm_event_kind k, enum alarm_condition c, struct alarm *a,
                 const char *staff, int64_t t)
{
    if (!cb)
        return;
    struct alarm_event ev = {.kind = k,
                             .cond = c,
                             .priority = conds[c].prio,
                             .alarm = a,
                             .staff = staff,
                             .t = t,
                             .id = a->id,
                             .bed = b->bed};
    cb(ctx, &ev);
}

/* Whole number, halves up: the NEWS2 chart rule (news2_round), so a limit
 * and the score agree on what 24.5 is. */
static double whole(double v)
{
    return floor(v + 0.5);
}

/* Limit check with hysteresis: "on" conditions end only past the limit by
 * hyst, and never while the value is at or beyond the limit itself (with
 * hysteresis 0, "past the limit by 0" alone was false at the limit: the
 * condition toggled every second and never raised, H16-17). */
static bool over_high(double v, double limit, double hyst, bool on)
{
    return v >= limit || (on && v > limit - hyst);
}

static bool under_low(double v, double limit, double hyst, bool on)
{
    return v <= limit || (on && v < limit + hyst);
}

/* Raw condition; *known is false when the input lacks what it needs. */
static bool raw_condition(enum alarm_condition c, const struct alarm *a,
                          const struct alarm_input *in, const struct alarm_limits *l,
                          const struct alarm_config *cfg, bool *known)
{
    /* Score hysteresis keeps a NEWS2 alarm whose condition is on; it never
     * raises one, nor brings back a latched one whose condition ended (a
     * latched "NEWS2 high (>= 7)" must not re-alert at 5). */
    int sh = cfg->score_hyst > 0 && a->state == AS_ACTIVE ? cfg->score_hyst : 0;
    bool on = a->raw || a->cond;
    bool rr_ok = in->rr_valid && isfinite(in->rr);
    bool hr_ok = in->hr_valid && isfinite(in->hr);
    double rr = rr_ok ? whole(in->rr) : 0, hr = hr_ok ? whole(in->hr) : 0;
    *known = true;
    switch (c) {
    case AC_NEWS2_HIGH:
        *known = in->news2_valid;
        return in->news2_total >= 7 - sh;
    case AC_NEWS2_MEDIUM:
        *known = in->news2_valid;
        return in->news2_total >= 5 - sh;
    case AC_NEWS2_LOW_MEDIUM:
        *known = in->news2_valid;
        return in->news2_red || (sh && in->news2_max_points >= 3 - sh);
    case AC_RR_LOW:
        *known = rr_ok;
        return under_low(rr, l->rr_low, l->rr_hyst, on);
    case AC_RR_HIGH:
        *known = rr_ok;
        return over_high(rr, l->rr_high, l->rr_hyst, on);
    case AC_HR_LOW:
        *known = hr_ok;
        return under_low(hr, l->hr_low, l->hr_hyst, on);
    case AC_HR_HIGH:
        *known = hr_ok;
        return over_high(hr, l->hr_high, l->hr_hyst, on);
    case AC_APNOEA:
        return in->apnoea;
    case AC_DISCONNECTED:
        return in->disconnected;
    case AC_NO_SIGNAL:
        return in->no_signal && !in->disconnected;
    case AC_OUT_OF_BED:
        return in->out_of_bed && !in->disconnected;
    case AC_STORE_FAILURE:
        return in->store_failure;
    case AC_OBS_OVERDUE:
        return in->obs_overdue;
    case AC_EXPORT_FAILURE:
        return in->export_failure;
    default:
        return false;
    }
}

/* Seconds to ms; negative settings count as 0. */
static int64_t ms(int s)
{
    return s > 0 ? (int64_t)s * 1000 : 0;
}

/* Onset delay of a condition, ms. */
static int64_t onset_ms(enum alarm_condition c, const struct alarm_config *cfg)
{
    if (c == AC_APNOEA)
        return 0;
    if (conds[c].technical)
        return ms(cfg->technical_delay_s);
    return ms(cfg->delay_s[conds[c].prio]);
}

/* Clear delay of a condition, ms: physiological conditions have their own
 * (longer) one, so a patient hovering at a limit keeps one alarm. */
static int64_t clear_ms(enum alarm_condition c, const struct alarm_config *cfg)
{
    if (conds[c].technical || cfg->clear_physio_s < 0)
        return ms(cfg->clear_s);
    return ms(cfg->clear_physio_s);
}

/* Does raising hi end a shown lo? NEWS2 lower members, and the opposite limit. */
static bool supersedes(int hi, int lo)
{
    switch (hi) {
    case AC_NEWS2_HIGH:
        return lo == AC_NEWS2_MEDIUM || lo == AC_NEWS2_LOW_MEDIUM;
    case AC_NEWS2_MEDIUM:
        return lo == AC_NEWS2_LOW_MEDIUM;
    case AC_RR_LOW:
        return lo == AC_RR_HIGH || lo == AC_NEWS2_LOW_MEDIUM;
    case AC_RR_HIGH:
        return lo == AC_RR_LOW || lo == AC_NEWS2_LOW_MEDIUM;
    case AC_HR_LOW:
        return lo == AC_HR_HIGH || lo == AC_NEWS2_LOW_MEDIUM;
    case AC_HR_HIGH:
        return lo == AC_HR_LOW || lo == AC_NEWS2_LOW_MEDIUM;
    default:
        return false;
    }
}

/* Is a higher NEWS2 member on, or pending its onset delay (which holds
 * back a lower one)? A latched one whose condition has gone holds nothing:
 * a new lower condition (a fresh 3 in one parameter) alerts while it waits
 * for its reset (H16-18). */
static bool higher_member(const struct alarm *h)
{
    return h->state == AS_ACTIVE || (h->tracked && h->raw);
}

static bool higher_shown(const struct alarm_bed *b, int c)
{
    if (c == AC_NEWS2_LOW_MEDIUM)
        return higher_member(&b->a[AC_NEWS2_HIGH]) || higher_member(&b->a[AC_NEWS2_MEDIUM]) ||
               higher_member(&b->a[AC_RR_LOW]) || higher_member(&b->a[AC_RR_HIGH]) ||
               higher_member(&b->a[AC_HR_LOW]) || higher_member(&b->a[AC_HR_HIGH]);
    if (c == AC_NEWS2_MEDIUM)
        return higher_member(&b->a[AC_NEWS2_HIGH]);
    return false;
}

/* Take a slot's alarm off the bed but keep its debounce state. */
static void clear_alarm(struct alarm *a)
{
    bool cond = a->cond, raw = a->raw, tracked = a->tracked;
    int64_t since = a->raw_since, seen = a->seen_at;
    double onset = a->onset_value;
    memset(a, 0, sizeof *a);
    a->onset_value = onset;
    a->cond = cond;
    a->raw = raw;
    a->raw_since = since;
    a->seen_at = seen;
    a->tracked = tracked;
}

/* Clamp a time to the latest seen on the bed (time never runs backwards). */
static int64_t bed_time(struct alarm_bed *b, int64_t now)
{
    if (now < b->last_now)
        return b->last_now;
    b->last_now = now;
    return now;
}

/* The value condition c compares in this input (NaN: none, or missing). */
static double cond_value(int c, const struct alarm_input *in)
{
    switch (c) {
    case AC_NEWS2_HIGH:
    case AC_NEWS2_MEDIUM:
        return in->news2_valid ? in->news2_total : NAN;
    case AC_NEWS2_LOW_MEDIUM:
        return in->news2_valid ? in->news2_max_points : NAN;
    case AC_RR_LOW:
    case AC_RR_HIGH:
        return in->rr_valid && isfinite(in->rr) ? whole(in->rr) : NAN;
    case AC_HR_LOW:
    case AC_HR_HIGH:
        return in->hr_valid && isfinite(in->hr) ? whole(in->hr) : NAN;
    default:
        return NAN;
    }
}

/* The limit condition c crosses (NaN: a technical condition). */
static double cond_limit(int c, const struct alarm_limits *l)
{
    switch (c) {
    case AC_NEWS2_HIGH:
        return 7;
    case AC_NEWS2_MEDIUM:
        return 5;
    case AC_NEWS2_LOW_MEDIUM:
        return 3;
    case AC_RR_LOW:
        return l->rr_low;
    case AC_RR_HIGH:
        return l->rr_high;
    case AC_HR_LOW:
        return l->hr_low;
    case AC_HR_HIGH:
        return l->hr_high;
    default:
        return NAN;
    }
}

/* v is further past the limit than w (lower for the low limits). */
static bool worse(int c, double v, double w)
{
    if (isnan(w))
        return true;
    return c == AC_RR_LOW || c == AC_HR_LOW ? v < w : v > w;
}

/* Update one slot's raw condition and debounced condition. */
static void debounce(struct alarm *a, int c, const struct alarm_input *in,
                     const struct alarm_limits *lim, const struct alarm_config *cfg, int64_t now)
{
    bool known;
    bool raw = raw_condition(c, a, in, lim, cfg, &known);
    if (!known) {
        /* Missing value: shift the timers by the gap so they stand still. */
        if (a->tracked)
            a->raw_since += now - a->seen_at;
        a->seen_at = now;
        return;
    }
    /* The value that crossed the limit, kept at its worst until the alarm
     * is raised (a value the hysteresis only holds never replaces it). */
    double v = cond_value(c, in);
    if (raw && (!a->raw || !a->tracked))
        a->onset_value = v;
    else if (raw && a->state == AS_NONE && !isnan(v) && worse(c, v, a->onset_value))
        a->onset_value = v;
    if (raw != a->raw || !a->tracked) {
        a->raw = raw;
        a->raw_since = now;
        a->tracked = true;
    }
    a->seen_at = now;
    if (!a->cond && raw && now - a->raw_since >= onset_ms(c, cfg))
        a->cond = true;
    else if (a->cond && !raw && now - a->raw_since >= clear_ms(c, cfg))
        a->cond = false;
}

/* End the shown alarms c outranks (raised, or back from its latch). */
static void supersede_lower(struct alarm_bed *b, int c, int64_t now, alarm_event_cb cb, void *ctx)
{
    for (int lo = 0; lo < AC_COUNT; lo++)
        if (supersedes(c, lo) && b->a[lo].state != AS_NONE) {
            emit(b, cb, ctx, AE_SUPERSEDED, lo, &b->a[lo], NULL, now);
            /* Forget its debounce state too: it must qualify again from
             * scratch, or a condition still clearing would raise at once. */
            memset(&b->a[lo], 0, sizeof b->a[lo]);
        }
}

/* Raise a new alarm for slot c; supersede what it outranks. */
static void raise_alarm(struct alarm_bed *b, int c, const struct alarm_input *in,
                        const struct alarm_limits *l, int64_t now, alarm_event_cb cb, void *ctx)
{
    struct alarm *a = &b->a[c];
    clear_alarm(a);
    a->trig_value = a->onset_value;
    a->trig_limit = isnan(a->onset_value) ? NAN : cond_limit(c, l);
    a->state = AS_ACTIVE;
    a->raised_at = a->last_alert_at = now;
    emit(b, cb, ctx, AE_RAISED, c, a, NULL, now);
    supersede_lower(b, c, now, cb, ctx);
}

/* Timers of a shown alarm: re-alert when acknowledged and persisting,
 * escalate once when unacknowledged. */
static void run_timers(struct alarm_bed *b, int c, const struct alarm_config *cfg, int64_t now,
                       alarm_event_cb cb, void *ctx)
{
    struct alarm *a = &b->a[c];
    if (a->acked) {
        if (a->state == AS_ACTIVE && now - a->acked_at >= ms(cfg->realert_s)) {
            a->acked = false;
            a->acked_by[0] = '\0';
            a->escalated = false;
            a->last_alert_at = now;
            emit(b, cb, ctx, AE_REALERTED, c, a, NULL, now);
        }
    } else if (!a->escalated && now - a->last_alert_at >= ms(cfg->escalate_s)) {
        a->escalated = true;
        emit(b, cb, ctx, AE_ESCALATED, c, a, NULL, now);
    }
}

/* One tick. */
void alarm_update(struct alarm_bed *b, const struct alarm_input *in,
                  const struct alarm_limits *lim, const struct alarm_config *cfg, int64_t now,
                  alarm_event_cb cb, void *ctx)
{
    now = bed_time(b, now);
    /* Held back by a higher member at the start of the tick too: one that
     * ends in this tick still holds the lower one for this tick, so the
     * lower one's onset delay counts from the first tick without it. */
    bool held[AC_COUNT];
    for (int c = 0; c < AC_COUNT; c++)
        held[c] = higher_shown(b, c);
    /* Highest NEWS2 member first (enum order), so supersession happens
     * before lower members act. */
    for (int c = 0; c < AC_COUNT; c++) {
        struct alarm *a = &b->a[c];
        debounce(a, c, in, lim, cfg, now);
        if (a->state == AS_NONE && (held[c] || higher_shown(b, c))) {
            /* Held back by a higher NEWS2 member: its onset delay starts
             * only once the higher one has gone. */
            a->cond = false;
            if (a->tracked)
                a->raw_since = now;
            continue;
        }
        if (a->cond) {
            if (a->state == AS_NONE) {
                raise_alarm(b, c, in, lim, now, cb, ctx);
            } else if (a->state == AS_LATCHED) {
                /* The condition came back before anyone reset the latch. */
                a->state = AS_ACTIVE;
                a->acked = false;
                a->acked_by[0] = '\0';
                a->escalated = false;
                a->ended_at = 0;
                a->last_alert_at = now;
                emit(b, cb, ctx, AE_REALERTED, c, a, NULL, now);
                supersede_lower(b, c, now, cb, ctx);
            } else {
                run_timers(b, c, cfg, now, cb, ctx);
            }
        } else if (a->state == AS_ACTIVE) {
            a->ended_at = now;
            if (alarm_latches(c)) {
                a->state = AS_LATCHED;
                emit(b, cb, ctx, AE_LATCHED, c, a, NULL, now);
                run_timers(b, c, cfg, now, cb, ctx); /* escalation may be due too */
            } else {
                emit(b, cb, ctx, AE_ENDED, c, a, NULL, now);
                clear_alarm(a);
            }
        } else if (a->state == AS_LATCHED) {
            /* Nobody has seen it: a latched alarm escalates like an active one. */
            run_timers(b, c, cfg, now, cb, ctx);
        }
    }
}

/* Room for a staff id, terminator included. */
#define STAFF_CAP sizeof(((struct alarm *)0)->acked_by)

/* A usable staff id: non-blank and short enough to keep whole. */
static int check_staff(const char *staff, const char *doing, char *err, size_t errlen)
{
    if (!staff || !staff[strspn(staff, " \t")])
        return ww_err(err, errlen, "%s an alarm needs initials or a staff id", doing);
    if (strlen(staff) >= STAFF_CAP)
        return ww_err(err, errlen, "staff id '%.23s...' is too long (at most %zu bytes)", staff,
                      STAFF_CAP - 1);
    return 0;
}

/* Validate an acknowledgement. */
int alarm_check_ack(const struct alarm_bed *b, enum alarm_condition c, const char *staff,
                    char *err, size_t errlen)
{
    if ((unsigned)c >= AC_COUNT)
        return ww_err(err, errlen, "no such alarm condition (%d)", (int)c);
    if (check_staff(staff, "acknowledging", err, errlen) < 0)
        return -1;
    const struct alarm *a = &b->a[c];
    if (a->state == AS_NONE)
        return ww_err(err, errlen, "no %s alarm to acknowledge", conds[c].text);
    if (a->acked)
        return ww_err(err, errlen, "%s: already acknowledged by %s", conds[c].text, a->acked_by);
    return 0;
}

/* Validate a reset. */
int alarm_check_reset(const struct alarm_bed *b, enum alarm_condition c, const char *staff,
                      char *err, size_t errlen)
{
    if ((unsigned)c >= AC_COUNT)
        return ww_err(err, errlen, "no such alarm condition (%d)", (int)c);
    if (check_staff(staff, "resetting", err, errlen) < 0)
        return -1;
    const struct alarm *a = &b->a[c];
    if (a->state == AS_NONE)
        return ww_err(err, errlen, "no %s alarm to reset", conds[c].text);
    if (a->state != AS_LATCHED)
        return ww_err(err, errlen, "%s: the condition is still present; acknowledge it instead",
                      conds[c].text);
    return 0;
}

/* Acknowledge: silence while the condition persists (latched: until reset). */
int alarm_ack(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
              alarm_event_cb cb, void *ctx, char *err, size_t errlen)
{
    if (alarm_check_ack(b, c, staff, err, errlen) < 0)
        return -1;
    now = bed_time(b, now);
    struct alarm *a = &b->a[c];
    a->acked = true;
    a->acked_at = now;
    ww_strlcpy(a->acked_by, staff, sizeof a->acked_by);
    emit(b, cb, ctx, AE_ACKNOWLEDGED, c, a, staff, now);
    return 0;
}

/* Reset a latched alarm whose condition is over. */
int alarm_reset(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
                alarm_event_cb cb, void *ctx, char *err, size_t errlen)
{
    if (alarm_check_reset(b, c, staff, err, errlen) < 0)
        return -1;
    now = bed_time(b, now);
    struct alarm *a = &b->a[c];
    emit(b, cb, ctx, AE_RESET, c, a, staff, now);
    clear_alarm(a);
    return 0;
}

/* Discharge or admission: the patient's alarms end, debounce forgotten
 * (alarm.h). */
void alarm_end_physiological(struct alarm_bed *b, int64_t now, alarm_event_cb cb, void *ctx)
{
    now = bed_time(b, now);
    for (int c = 0; c < AC_COUNT; c++) {
        /* the technical conditions about the patient go with them; those of
         * the sensor and the store stay with the bed */
        if (conds[c].technical && c != AC_OUT_OF_BED && c != AC_OBS_OVERDUE &&
            c != AC_EXPORT_FAILURE)
            continue;
        struct alarm *a = &b->a[c];
        if (a->state != AS_NONE) {
            a->ended_at = now;
            emit(b, cb, ctx, AE_ENDED, c, a, NULL, now);
        }
        memset(a, 0, sizeof *a);
    }
}

/* Slot by id. */
int alarm_find_id(const struct alarm_bed *b, int64_t id)
{
    if (id == 0)
        return -1;
    for (int c = 0; c < AC_COUNT; c++)
        if (b->a[c].state != AS_NONE && b->a[c].id == id)
            return c;
    return -1;
}

/* Restore a stored alarm (corrections towards alerting, see alarm.h). */
int alarm_restore(struct alarm_bed *b, enum alarm_condition c, int64_t id, const char *state_name,
                  const char *acked_by, int64_t raised_at, int64_t acked_at,
                  int64_t last_alert_at, bool escalated, int64_t now)
{
    if ((unsigned)c >= AC_COUNT || !state_name)
        return -1;
    bool latched = !strcmp(state_name, "latched");
    bool acked = !strcmp(state_name, "acknowledged");
    if (!latched && !acked && strcmp(state_name, "active"))
        return -1;
    now = bed_time(b, now);
    bool have_staff = acked_by && *acked_by;
    if (latched)
        acked = have_staff; /* a latched alarm may have been acknowledged */
    else if (acked && !have_staff)
        acked = false; /* nobody to name: alert again */
    if (latched && !alarm_latches(c))
        latched = false; /* cannot be: treat it as still present */
    if (raised_at > now)
        raised_at = now;
    if (last_alert_at <= 0 || last_alert_at < raised_at)
        last_alert_at = raised_at;
    if (last_alert_at > now)
        last_alert_at = now;
    if (acked_at > now)
        acked_at = now;

    struct alarm *a = &b->a[c];
    memset(a, 0, sizeof *a);
    a->id = id;
    a->trig_value = a->trig_limit = NAN; /* alarm_restore_trigger, when stored */
    a->raised_at = raised_at;
    a->last_alert_at = last_alert_at;
    a->escalated = escalated;
    if (latched) {
        a->state = AS_LATCHED;
        a->ended_at = now;
    } else {
        /* Assume the condition still holds; if it is gone it ends after clear_s. */
        a->state = AS_ACTIVE;
        a->cond = true;
        a->raw = true;
        a->raw_since = now;
        a->seen_at = now;
        a->tracked = true;
    }
    if (acked) {
        a->acked = true;
        ww_strlcpy(a->acked_by, acked_by, sizeof a->acked_by);
        a->acked_at = acked_at;
    }
    return 0;
}

/* Highest priority currently sounding on the ward. */
static enum alarm_priority sounding(const struct alarm_bed *beds, size_t n)
{
    enum alarm_priority p = AP_NONE;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < AC_COUNT; c++)
            if (beds[i].a[c].state != AS_NONE && !beds[i].a[c].acked && conds[c].prio > p)
                p = conds[c].prio;
    return p;
}

/* Pause audio ward-wide. */
void alarm_audio_pause(struct alarm_audio *au, const struct alarm_bed *beds, size_t nbeds,
                       const struct alarm_config *cfg, int64_t now)
{
    au->paused_until = now + ms(cfg->audio_pause_s);
    au->paused_at_priority = beds ? sounding(beds, nbeds) : AP_NONE;
}

/* End the pause now. */
void alarm_audio_resume(struct alarm_audio *au)
{
    au->paused_until = 0;
    au->paused_at_priority = AP_NONE;
}

/* Paused now? */
bool alarm_audio_paused(const struct alarm_audio *au, int64_t now)
{
    return now < au->paused_until;
}

/* Pause left. */
int64_t alarm_audio_remaining_ms(const struct alarm_audio *au, int64_t now)
{
    return alarm_audio_paused(au, now) ? au->paused_until - now : 0;
}

/* Sound? Unacknowledged, and not paused unless of a higher priority than
 * anything sounding when the pause began. */
bool alarm_audible(const struct alarm *a, enum alarm_condition c, const struct alarm_audio *au,
                   int64_t now)
{
    if ((unsigned)c >= AC_COUNT || a->state == AS_NONE || a->acked)
        return false;
    if (au && alarm_audio_paused(au, now) && conds[c].prio <= au->paused_at_priority)
        return false;
    return true;
}

/* Urgency order. */
int alarm_urgency_cmp(enum alarm_condition cx, const struct alarm *x, enum alarm_condition cy,
                      const struct alarm *y)
{
    enum alarm_priority px = alarm_priority_of(cx), py = alarm_priority_of(cy);
    if (px != py)
        return px > py ? -1 : 1;
    if (x->acked != y->acked)
        return x->acked ? 1 : -1;
    if (x->escalated != y->escalated)
        return x->escalated ? -1 : 1;
    if (x->raised_at != y->raised_at)
        return x->raised_at < y->raised_at ? -1 : 1;
    return cx < cy ? -1 : cx > cy;
}

/* Most urgent shown alarm. */
int alarm_most_urgent(const struct alarm_bed *b)
{
    int best = -1;
    for (int c = 0; c < AC_COUNT; c++) {
        if (b->a[c].state == AS_NONE)
            continue;
        if (best < 0 || alarm_urgency_cmp(c, &b->a[c], best, &b->a[best]) < 0)
            best = c;
    }
    return best;
}

/* Shown alarms, most urgent first (insertion sort: at most AC_COUNT). */
size_t alarm_list(const struct alarm_bed *b, int64_t now, struct alarm_view *out, size_t max)
{
    int order[AC_COUNT];
    size_t n = 0;
    for (int c = 0; c < AC_COUNT; c++) {
        if (b->a[c].state == AS_NONE)
            continue;
        size_t j = n++;
        while (j > 0 && alarm_urgency_cmp(c, &b->a[c], order[j - 1], &b->a[order[j - 1]]) < 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = c;
    }
    for (size_t i = 0; i < n && i < max; i++) {
        int c = order[i];
        const struct alarm *a = &b->a[c];
        out[i] = (struct alarm_view){
            .cond = c,
            .priority = conds[c].prio,
            .id = a->id,
            .name = conds[c].name,
            .text = conds[c].text,
            .state = alarm_state_name(a),
            .marker = alarm_priority_marker(conds[c].prio),
            .acked_by = a->acked ? a->acked_by : "",
            .age_ms = now > a->raised_at ? now - a->raised_at : 0,
            .acked = a->acked,
            .latched = a->state == AS_LATCHED,
            .escalated = a->escalated,
        };
    }
    return n;
}

/* Condition name for display and JSON. */
const char *alarm_condition_name(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT ? conds[c].name : "?";
}

/* Human text of a condition. */
const char *alarm_condition_text(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT ? conds[c].text : "?";
}

/* Condition by name, -1 if unknown. */
int alarm_condition_find(const char *name)
{
    for (int c = 0; name && c < AC_COUNT; c++)
        if (!strcmp(conds[c].name, name))
            return c;
    return -1;
}

/* "high", "medium", "low". */
const char *alarm_priority_name(enum alarm_priority p)
{
    static const char *n[] = {"none", "low", "medium", "high"};
    return (unsigned)p < WW_ARRAY_LEN(n) ? n[p] : "?";
}

/* "***", "**", "*": urgency without colour. */
const char *alarm_priority_marker(enum alarm_priority p)
{
    static const char *n[] = {"", "*", "**", "***"};
    return (unsigned)p < WW_ARRAY_LEN(n) ? n[p] : "";
}

/* Event name for the audit trail. */
const char *alarm_event_name(enum alarm_event_kind k)
{
    static const char *n[AE_COUNT] = {"raised", "acknowledged", "realerted", "escalated",
                                      "ended",  "latched",      "reset",     "superseded"};
    return (unsigned)k < AE_COUNT ? n[k] : "?";
}

int alarm_event_find(const char *name)
{
    for (int k = 0; k < AE_COUNT && name; k++)
        if (!strcmp(alarm_event_name((enum alarm_event_kind)k), name))
            return k;
    return -1;
}

/* Display state of a slot. */
const char *alarm_state_name(const struct alarm *a)
{
    return alarm_rec_state_name(alarm_rec_state_of(a));
}

/* The recorded-state rule (table in alarm.h). */
enum alarm_rec_state alarm_state_after(enum alarm_rec_state prev, enum alarm_event_kind ev)
{
    if (ev == AE_RAISED)
        return ARS_ACTIVE;
    if ((unsigned)prev >= ARS_COUNT || !alarm_rec_state_open(prev))
        return prev == ARS_RESET ? ARS_RESET : ARS_ENDED; /* closed stays closed */
    switch (ev) {
    case AE_ACKNOWLEDGED: return prev == ARS_LATCHED ? ARS_LATCHED : ARS_ACKNOWLEDGED;
    case AE_REALERTED: return ARS_ACTIVE;
    case AE_LATCHED: return ARS_LATCHED;
    case AE_ENDED:
    case AE_SUPERSEDED: return ARS_ENDED;
    case AE_RESET: return ARS_RESET;
    case AE_ESCALATED:
    default: return prev;
    }
}

const char *alarm_rec_state_name(enum alarm_rec_state s)
{
    static const char *const n[ARS_COUNT] = {"active", "acknowledged", "latched", "ended",
                                             "reset"};
    return (unsigned)s < ARS_COUNT ? n[s] : "?";
}

int alarm_rec_state_find(const char *name)
{
    for (int s = 0; s < ARS_COUNT && name; s++)
        if (!strcmp(alarm_rec_state_name((enum alarm_rec_state)s), name))
            return s;
    return -1;
}

bool alarm_rec_state_open(enum alarm_rec_state s)
{
    return s == ARS_ACTIVE || s == ARS_ACKNOWLEDGED || s == ARS_LATCHED;
}

enum alarm_rec_state alarm_rec_state_of(const struct alarm *a)
{
    if (a->state == AS_LATCHED)
        return ARS_LATCHED;
    if (a->state == AS_ACTIVE)
        return a->acked ? ARS_ACKNOWLEDGED : ARS_ACTIVE;
    return ARS_ENDED;
}

/* The restored alarm's trigger (alarm.h). */
void alarm_restore_trigger(struct alarm_bed *b, enum alarm_condition c, double value, double limit)
{
    if ((unsigned)c >= AC_COUNT || b->a[c].state == AS_NONE)
        return;
    bool both = isfinite(value) && isfinite(limit);
    b->a[c].trig_value = both ? value : NAN;
    b->a[c].trig_limit = both ? limit : NAN;
}
