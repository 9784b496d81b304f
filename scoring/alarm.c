/*
 * alarm — per-bed alarm state machine (contract and conventions in alarm.h).
 */
#include "alarm.h"

#include "util.h"

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
};

/* RCP-style defaults: 20 s delay, 10 s clear, 3 min re-alert, 2 min escalation. */
struct alarm_config alarm_config_default(void)
{
    struct alarm_config c = {{0, 20, 20, 20}, 10, 10, 180, 120, 120};
    return c;
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

/* Report a transition. */
static void emit(alarm_event_cb cb, void *ctx, enum alarm_event_kind k, enum alarm_condition c,
                 struct alarm *a, const char *staff, int64_t t)
{
    struct alarm_event ev = {k, c, conds[c].prio, a, staff, t};
    if (cb)
        cb(ctx, &ev);
}

/* Raw condition with hysteresis; *known false when the input lacks the value. */
static bool raw_condition(enum alarm_condition c, const struct alarm *a,
                          const struct alarm_input *in, const struct alarm_limits *l, bool *known)
{
    *known = true;
    bool on = a->cond;
    switch (c) {
    case AC_NEWS2_HIGH:
        *known = in->news2_valid;
        return in->news2_total >= 7;
    case AC_NEWS2_MEDIUM:
        *known = in->news2_valid;
        return in->news2_total >= 5;
    case AC_NEWS2_LOW_MEDIUM:
        *known = in->news2_valid;
        return in->news2_red;
    case AC_RR_LOW:
        *known = in->rr_valid;
        return on ? in->rr < l->rr_low + l->rr_hyst : in->rr <= l->rr_low;
    case AC_RR_HIGH:
        *known = in->rr_valid;
        return on ? in->rr > l->rr_high - l->rr_hyst : in->rr >= l->rr_high;
    case AC_HR_LOW:
        *known = in->hr_valid;
        return on ? in->hr < l->hr_low + l->hr_hyst : in->hr <= l->hr_low;
    case AC_HR_HIGH:
        *known = in->hr_valid;
        return on ? in->hr > l->hr_high - l->hr_hyst : in->hr >= l->hr_high;
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
    default:
        return false;
    }
}

/* Onset delay of a condition, ms. */
static int64_t onset_ms(enum alarm_condition c, const struct alarm_config *cfg)
{
    if (c == AC_APNOEA)
        return 0;
    if (conds[c].technical)
        return (int64_t)cfg->technical_delay_s * 1000;
    return (int64_t)cfg->delay_s[conds[c].prio] * 1000;
}

/* Lower members of the NEWS2 family that a condition supersedes. */
static bool supersedes(enum alarm_condition hi, enum alarm_condition lo)
{
    if (hi == AC_NEWS2_HIGH)
        return lo == AC_NEWS2_MEDIUM || lo == AC_NEWS2_LOW_MEDIUM;
    if (hi == AC_NEWS2_MEDIUM)
        return lo == AC_NEWS2_LOW_MEDIUM;
    return false;
}

/* Is a higher family member currently shown? */
static bool higher_shown(const struct alarm_bed *b, enum alarm_condition c)
{
    for (int h = 0; h < AC_COUNT; h++)
        if (supersedes(h, c) && b->a[h].state != AS_NONE)
            return true;
    return false;
}

/* Clear a slot's alarm but keep its debounce state. */
static void clear_alarm(struct alarm *a)
{
    bool cond = a->cond, raw = a->raw;
    int64_t since = a->raw_since, seen = a->seen_at;
    bool tracked = a->tracked;
    memset(a, 0, sizeof *a);
    a->cond = cond;
    a->raw = raw;
    a->raw_since = since;
    a->seen_at = seen;
    a->tracked = tracked;
}

/* One tick. */
void alarm_update(struct alarm_bed *b, const struct alarm_input *in,
                  const struct alarm_limits *lim, const struct alarm_config *cfg, int64_t now,
                  alarm_event_cb cb, void *ctx)
{
    /* Highest first so supersession happens before lower members act. */
    for (int c = 0; c < AC_COUNT; c++) {
        struct alarm *a = &b->a[c];
        bool known;
        bool raw = raw_condition(c, a, in, lim, &known);
        if (!known) {
            /* Missing value: the debounce timers are frozen (shifted by the
             * time that passed), so a gap neither starts nor ends an alarm;
             * escalation and re-alert below still run. */
            if (a->tracked)
                a->raw_since += now - a->seen_at;
            raw = a->raw;
        } else if (raw != a->raw || !a->tracked) {
            a->raw = raw;
            a->raw_since = now;
            a->tracked = true;
        }
        a->seen_at = now;
        /* Debounce. */
        if (known && !a->cond && raw && now - a->raw_since >= onset_ms(c, cfg))
            a->cond = true;
        else if (known && a->cond && !raw && now - a->raw_since >= (int64_t)cfg->clear_s * 1000)
            a->cond = false;

        if (a->cond) {
            if (a->state == AS_NONE && !higher_shown(b, c)) {
                clear_alarm(a);
                a->state = AS_ACTIVE;
                a->raised_at = a->last_alert_at = now;
                emit(cb, ctx, AE_RAISED, c, a, NULL, now);
                for (int lo = 0; lo < AC_COUNT; lo++)
                    if (supersedes(c, lo) && b->a[lo].state != AS_NONE) {
                        emit(cb, ctx, AE_SUPERSEDED, lo, &b->a[lo], NULL, now);
                        clear_alarm(&b->a[lo]);
                    }
            } else if (a->state == AS_LATCHED) {
                /* The condition came back before anyone reset the latch. */
                a->state = AS_ACTIVE;
                a->acked = false;
                a->escalated = false;
                a->last_alert_at = now;
                emit(cb, ctx, AE_REALERTED, c, a, NULL, now);
            } else if (a->state == AS_ACTIVE && a->acked &&
                       now - a->acked_at >= (int64_t)cfg->realert_s * 1000) {
                a->acked = false;
                a->escalated = false;
                a->last_alert_at = now;
                emit(cb, ctx, AE_REALERTED, c, a, NULL, now);
            } else if (a->state == AS_ACTIVE && !a->acked && !a->escalated &&
                       now - a->last_alert_at >= (int64_t)cfg->escalate_s * 1000) {
                a->escalated = true;
                emit(cb, ctx, AE_ESCALATED, c, a, NULL, now);
            }
        } else if (a->state == AS_ACTIVE) {
            a->ended_at = now;
            if (conds[c].prio == AP_HIGH && !conds[c].technical) {
                a->state = AS_LATCHED;
                emit(cb, ctx, AE_LATCHED, c, a, NULL, now);
            } else {
                emit(cb, ctx, AE_ENDED, c, a, NULL, now);
                clear_alarm(a);
            }
        }
    }
}

/* Acknowledge: silence while the condition persists (latched: until reset). */
int alarm_ack(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
              alarm_event_cb cb, void *ctx, char *err, size_t errlen)
{
    if ((unsigned)c >= AC_COUNT)
        return ww_err(err, errlen, "no such alarm");
    struct alarm *a = &b->a[c];
    if (!staff || !*staff)
        return ww_err(err, errlen, "acknowledging needs initials or a staff id");
    if (a->state == AS_NONE)
        return ww_err(err, errlen, "no %s alarm to acknowledge", conds[c].text);
    if (a->acked)
        return ww_err(err, errlen, "already acknowledged by %s", a->acked_by);
    a->acked = true;
    a->acked_at = now;
    ww_strlcpy(a->acked_by, staff, sizeof a->acked_by);
    emit(cb, ctx, AE_ACKNOWLEDGED, c, a, staff, now);
    return 0;
}

/* Reset a latched alarm whose condition is over. */
int alarm_reset(struct alarm_bed *b, enum alarm_condition c, const char *staff, int64_t now,
                alarm_event_cb cb, void *ctx, char *err, size_t errlen)
{
    if ((unsigned)c >= AC_COUNT)
        return ww_err(err, errlen, "no such alarm");
    struct alarm *a = &b->a[c];
    if (!staff || !*staff)
        return ww_err(err, errlen, "resetting needs initials or a staff id");
    if (a->state == AS_NONE)
        return ww_err(err, errlen, "no %s alarm to reset", conds[c].text);
    if (a->state != AS_LATCHED)
        return ww_err(err, errlen, "%s: the condition is still present; acknowledge it instead",
                      conds[c].text);
    emit(cb, ctx, AE_RESET, c, a, staff, now);
    clear_alarm(a);
    return 0;
}

/* Slot by id. */
int alarm_find_id(const struct alarm_bed *b, int64_t id)
{
    for (int c = 0; c < AC_COUNT; c++)
        if (b->a[c].state != AS_NONE && b->a[c].id == id)
            return c;
    return -1;
}

/* Restore a stored alarm. */
int alarm_restore(struct alarm_bed *b, enum alarm_condition c, int64_t id, const char *state_name,
                  const char *acked_by, int64_t raised_at, int64_t acked_at,
                  int64_t last_alert_at, bool escalated, int64_t now)
{
    if ((unsigned)c >= AC_COUNT)
        return -1;
    struct alarm *a = &b->a[c];
    memset(a, 0, sizeof *a);
    a->id = id;
    a->raised_at = raised_at;
    a->last_alert_at = last_alert_at ? last_alert_at : raised_at;
    a->escalated = escalated;
    if (!strcmp(state_name, "latched")) {
        a->state = AS_LATCHED;
        a->acked = acked_by && *acked_by;
    } else {
        a->state = AS_ACTIVE;
        /* Assume the condition still holds; if it is gone it ends after clear_s. */
        a->cond = true;
        a->raw = true;
        a->raw_since = now;
        a->seen_at = now;
        a->tracked = true;
        a->acked = !strcmp(state_name, "acknowledged");
    }
    if (a->acked) {
        ww_strlcpy(a->acked_by, acked_by ? acked_by : "", sizeof a->acked_by);
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
    au->paused_until = now + (int64_t)cfg->audio_pause_s * 1000;
    au->paused_at_priority = sounding(beds, nbeds);
}

/* Paused now? */
bool alarm_audio_paused(const struct alarm_audio *au, int64_t now)
{
    return now < au->paused_until;
}

/* Sound? Unacknowledged, and not paused unless of a higher priority than
 * anything sounding when the pause began. */
bool alarm_audible(const struct alarm *a, enum alarm_condition c, const struct alarm_audio *au,
                   int64_t now)
{
    if (a->state == AS_NONE || a->acked)
        return false;
    if (au && alarm_audio_paused(au, now) && conds[c].prio <= au->paused_at_priority)
        return false;
    return true;
}

/* Urgency order. */
int alarm_urgency_cmp(enum alarm_condition cx, const struct alarm *x, enum alarm_condition cy,
                      const struct alarm *y)
{
    if (conds[cx].prio != conds[cy].prio)
        return conds[cx].prio > conds[cy].prio ? -1 : 1;
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

/* Names. */
const char *alarm_condition_name(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT ? conds[c].name : "?";
}

const char *alarm_condition_text(enum alarm_condition c)
{
    return (unsigned)c < AC_COUNT ? conds[c].text : "?";
}

int alarm_condition_find(const char *name)
{
    for (int c = 0; c < AC_COUNT; c++)
        if (!strcmp(conds[c].name, name))
            return c;
    return -1;
}

const char *alarm_priority_name(enum alarm_priority p)
{
    static const char *n[] = {"none", "low", "medium", "high"};
    return (unsigned)p < 4 ? n[p] : "?";
}

const char *alarm_priority_marker(enum alarm_priority p)
{
    static const char *n[] = {"", "*", "**", "***"};
    return (unsigned)p < 4 ? n[p] : "";
}

const char *alarm_event_name(enum alarm_event_kind k)
{
    static const char *n[] = {"raised", "acknowledged", "realerted", "escalated",
                              "ended",  "latched",      "reset",     "superseded"};
    return (unsigned)k < WW_ARRAY_LEN(n) ? n[k] : "?";
}

const char *alarm_state_name(const struct alarm *a)
{
    if (a->state == AS_LATCHED)
        return "latched";
    if (a->state == AS_ACTIVE)
        return a->acked ? "acknowledged" : "active";
    return "ended";
}
