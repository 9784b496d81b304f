/*
 * ward — the monitoring core (contract in ward.h). Readings feed per-bed
 * smoothing windows; each tick derives the NEWS2 inputs (automatic RR/HR from
 * the window medians, manual values with their age), scores, evaluates the
 * alarm machine, and queues rows for the store. Commands go to the store
 * first and change memory only once committed.
 */
#include "ward.h"

#include "handover.h"

#include "log.h"
#include "obsdue.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <libintl.h>
#include <math.h>
#include <spawn.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refusals reach the nurse on the board: translated (po/). */
#define _(s) gettext(s)

#define SMOOTH_SPAN_MS 30000 /* median window for automatic RR/HR */
#define SMOOTH_MIN_N 5

struct ward {
    const struct ward_config *cfg;
    struct store *st;
    size_t nbeds;
    struct ward_bed *beds;
    struct alarm_config acfg;
    struct alarm_audio audio;
    ward_event_cb cb;
    void *cb_ctx;
    bool store_ok;
    bool export_failing; /* ward_set_export_failure */
    int64_t last_tick;
    size_t cur_bed; /* bed whose alarms are being evaluated (event callback) */
    bool stored;    /* the transition being reported is already in the store */
    const struct ward_printer *printer; /* installed by the command layer */
    void *printer_ctx;
    pid_t *hooks;   /* paging hooks still running, reaped by pid */
    size_t nhooks, caphooks;
};

/* Emit a ward event. */
static void emit(struct ward *w, enum ward_event_kind k, int64_t t, int bed,
                 const struct alarm_event *ae, const struct news2_result *sc, const char *text)
{
    if (!w->cb)
        return;
    struct ward_event ev = {k, t, bed, ae, sc, text};
    w->cb(w->cb_ctx, &ev);
}

/* Default limits from the configuration. */
static struct alarm_limits default_limits(const struct ward_config *c)
{
    struct alarm_limits l = {c->rr_low, c->rr_high, c->hr_low, c->hr_high, c->rr_hysteresis,
                             c->hr_hysteresis};
    return l;
}

/* Build the ward. */
struct ward *ward_new(const struct ward_config *cfg, struct store *st, char *err, size_t errlen)
{
    struct ward *w = calloc(1, sizeof *w);
    if (!w) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    w->cfg = cfg;
    w->st = st;
    w->store_ok = true;
    w->nbeds = (size_t)cfg->nbeds;
    w->beds = calloc(w->nbeds ? w->nbeds : 1, sizeof *w->beds);
    if (!w->beds) {
        free(w);
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    /* A configuration that was never loaded (config_defaults only, as
     * replay without -c) leaves the per-priority delays at -1, "= delay_s":
     * resolved here, never zero by accident. */
    w->acfg.delay_s[AP_HIGH] = cfg->delay_high_s >= 0 ? cfg->delay_high_s : cfg->delay_s;
    w->acfg.delay_s[AP_MEDIUM] = cfg->delay_medium_s >= 0 ? cfg->delay_medium_s : cfg->delay_s;
    w->acfg.delay_s[AP_LOW] = cfg->delay_low_s >= 0 ? cfg->delay_low_s : cfg->delay_s;
    w->acfg.technical_delay_s = cfg->technical_delay_s;
    w->acfg.clear_s = cfg->clear_s;
    w->acfg.clear_physio_s = cfg->physio_clear_s;
    w->acfg.realert_s = cfg->realert_s;
    w->acfg.escalate_s = cfg->escalate_s;
    w->acfg.audio_pause_s = cfg->audio_pause_s;
    w->acfg.score_hyst = cfg->score_hysteresis;
    for (size_t i = 0; i < w->nbeds; i++) {
        struct ward_bed *b = &w->beds[i];
        const struct config_bed *cb = &cfg->beds[i];
        b->number = cb->number;
        ww_strlcpy(b->label, cb->label, sizeof b->label);
        ww_strlcpy(b->sensor_uri, cb->sensor, sizeof b->sensor_uri);
        b->sensor = cb->sensor[0] ? WSENS_STARTING : WSENS_NONE;
        b->limits = default_limits(cfg);
        vwin_clear(&b->rr_win);
        vwin_clear(&b->hr_win);
        hist_clear(&b->h_rr);
        hist_clear(&b->h_hr);
        hist_clear(&b->h_news2);
        alarm_bed_init(&b->alarms);
        b->due_level = -1;
        b->last_breath_ms = b->last_presence_ms = 0;
        if (st && store_sync_bed(st, b->number, b->label, err, errlen) < 0) {
            ward_free(w);
            return NULL;
        }
    }
    return w;
}

/* Free. */
void ward_free(struct ward *w)
{
    if (!w)
        return;
    /* Prints still running are given up (nobody is left to answer). */
    ward_set_printer(w, NULL, NULL);
    free(w->hooks);
    free(w->beds);
    free(w);
}

void ward_set_listener(struct ward *w, ward_event_cb cb, void *ctx)
{
    w->cb = cb;
    w->cb_ctx = ctx;
}

size_t ward_nbeds(const struct ward *w)
{
    return w->nbeds;
}

const struct ward_bed *ward_bed(const struct ward *w, size_t i)
{
    return i < w->nbeds ? &w->beds[i] : NULL;
}

const struct ward_config *ward_config(const struct ward *w)
{
    return w->cfg;
}

bool ward_store_ok(const struct ward *w)
{
    return w->store_ok;
}

void ward_set_export_failure(struct ward *w, bool failing)
{
    w->export_failing = failing;
}

/* Bed by label or number. */
int ward_find_bed(const struct ward *w, const char *s)
{
    for (size_t i = 0; i < w->nbeds; i++)
        if (!strcmp(w->beds[i].label, s))
            return (int)i;
    long n;
    if (ww_parse_long(s, 1, 9999, &n) == 0)
        for (size_t i = 0; i < w->nbeds; i++)
            if (w->beds[i].number == n)
                return (int)i;
    return -1;
}

/* Display names of sensor states. */
const char *ward_sensor_state_name(enum ward_sensor_state s)
{
    static const char *n[] = {"manual",       "starting",   "ok",    "no signal",
                              "disconnected", "out of bed", "motion"};
    return (unsigned)s < WW_ARRAY_LEN(n) ? n[s] : "?";
}

/* The single entry point of automatic readings. */
void ward_reading(struct ward *w, size_t i, const struct reading *r, int64_t now)
{
    if (i >= w->nbeds)
        return;
    struct ward_bed *b = &w->beds[i];
    b->last_reading_ms = now;
    if (r->have & READING_PRESENCE) {
        b->present = r->presence;
        if (r->presence)
            b->last_presence_ms = now;
        else
            b->absence_reported = true;
    }
    if (r->have & READING_MOTION) {
        b->motion = r->motion;
        b->reports_motion = true; /* it says when it cannot see the vital signs */
    }
    if (r->have & READING_QUALITY)
        b->quality = r->quality;
    bool usable = !b->motion && (!(r->have & READING_PRESENCE) || r->presence);
    if ((r->have & READING_RR) && usable && isfinite(r->rr) && r->rr >= 0 && r->rr <= 80) {
        if (r->rr >= 1) {
            vwin_add(&b->rr_win, now, r->rr);
            b->last_breath_ms = now; /* ends a warm-up allowance too */
            b->last_presence_ms = now;
        }
    }
    if ((r->have & READING_HR) && usable && isfinite(r->hr) && r->hr >= 20 && r->hr <= 300) {
        vwin_add(&b->hr_win, now, r->hr);
        b->last_presence_ms = now;
        b->last_heart_ms = now;
    }
    if (b->sensor == WSENS_STARTING || b->sensor == WSENS_NO_SIGNAL ||
        b->sensor == WSENS_DISCONNECTED) {
        /* A sensor that starts or comes back: its breathing signal must
         * show a breath before apnoea can be judged (resp_valid_since). */
        b->sensor = WSENS_OK;
        b->sensor_since = now;
        b->resp_valid_since = 0;
        b->breath_seen = false;
        b->readings_since = now;
        b->absence_reported = (r->have & READING_PRESENCE) && !r->presence;
    }
}

/* Transport state from the sensor source. */
void ward_sensor_state(struct ward *w, size_t i, enum ward_sensor_state s, const char *detail,
                       int64_t now)
{
    if (i >= w->nbeds)
        return;
    struct ward_bed *b = &w->beds[i];
    if (b->sensor == s)
        return;
    b->sensor = s;
    b->sensor_since = now;
    ww_strlcpy(b->sensor_detail, detail ? detail : "", sizeof b->sensor_detail);
    if (s == WSENS_DISCONNECTED || s == WSENS_NO_SIGNAL || s == WSENS_STARTING) {
        /* Nothing from the sensor may look current any more. */
        vwin_clear(&b->rr_win);
        vwin_clear(&b->hr_win);
    }
    if (s != WSENS_OK) {
        b->resp_valid_since = 0;
        b->breath_seen = false;
    }
    if (s == WSENS_STARTING || s == WSENS_DISCONNECTED)
        b->reports_motion = false; /* learnt again from what the sensor sends */
    if (w->st)
        store_queue_sensor_event(w->st, b->number, now, ward_sensor_state_name(s), detail);
    char text[200];
    snprintf(text, sizeof text, "%s: sensor %s%s%s", b->label, ward_sensor_state_name(s),
             detail && *detail ? ": " : "", detail ? detail : "");
    emit(w, WEV_SENSOR, now, (int)i, NULL, NULL, text);
}

extern char **environ;

/* The ward's paging hook on escalation: run without a shell, the bed, the
 * alarm and its priority as separate arguments (never interpolated into a
 * command line). Children are reaped in ward_tick. */
static void run_escalation_hook(struct ward *w, const struct ward_bed *b,
                                const struct alarm_event *ev)
{
    const char *cmd = w->cfg->escalate_command;
    if (!cmd[0])
        return;
    char *argv[] = {(char *)cmd, (char *)b->label, (char *)alarm_condition_name(ev->cond),
                    (char *)alarm_priority_name(ev->priority), NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, cmd, NULL, NULL, argv, environ);
    if (rc != 0) {
        log_msg(LOG_ERROR, "escalation hook %s could not run: %s", cmd, strerror(rc));
        return;
    }
    log_msg(LOG_INFO, "escalation hook run for %s %s", b->label, alarm_condition_name(ev->cond));
    /* Reaped by its pid in ward_tick: never another child's status (lp's,
     * whose exit status decides whether a print is audited as printed). */
    if (w->nhooks == w->caphooks) {
        size_t cap = w->caphooks ? w->caphooks * 2 : 8;
        pid_t *p = realloc(w->hooks, cap * sizeof *p);
        if (!p) {
            log_msg(LOG_ERROR, "escalation hook %d: out of memory to track it", (int)pid);
            return;
        }
        w->hooks = p;
        w->caphooks = cap;
    }
    w->hooks[w->nhooks++] = pid;
}

/* Reap the paging hooks that have ended, each by its own pid. */
static void reap_hooks(struct ward *w)
{
    for (size_t i = 0; i < w->nhooks;) {
        int status;
        pid_t r = waitpid(w->hooks[i], &status, WNOHANG);
        if (r == w->hooks[i] || (r < 0 && errno == ECHILD)) {
            if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                log_msg(LOG_WARN, "escalation hook (pid %d) failed", (int)w->hooks[i]);
            w->hooks[i] = w->hooks[--w->nhooks];
            continue;
        }
        i++;
    }
}

/* Store an alarm transition (called from the alarm machine). */
static void on_alarm_event(void *ctx, const struct alarm_event *ev)
{
    struct ward *w = ctx;
    struct ward_bed *b = &w->beds[w->cur_bed];
    char err[256];
    const char *cname = alarm_condition_name(ev->cond);
    if (w->st && !w->stored) {
        if (ev->kind == AE_RAISED) {
            int64_t id = 0;
            if (store_alarm_raise_trig(w->st, b->number, cname, alarm_priority_name(ev->priority),
                                       ev->t, ev->alarm->trig_value, ev->alarm->trig_limit, &id,
                                       err, sizeof err) < 0) {
                w->store_ok = false;
                log_msg(LOG_ERROR, "%s", err);
            }
            /* Without the store an alarm still needs a ward-unique id, apart
             * from the store's own provisional ids (-1, -2, ...). */
            ev->alarm->id =
                id ? id : -(int64_t)(1000000000000LL + w->cur_bed * 1000 + (size_t)ev->cond + 1);
        } else {
            /* The slot already shows the event (or is about to be
             * cleared): the rule is idempotent, so this is the state after. */
            const char *state = alarm_rec_state_name(
                alarm_state_after(alarm_rec_state_of(ev->alarm), ev->kind));
            if (ev->alarm->id != 0 &&
                store_alarm_event(w->st, ev->alarm->id, alarm_event_name(ev->kind), state,
                                  ev->staff, ev->t, err, sizeof err) < 0) {
                w->store_ok = false;
                log_msg(LOG_ERROR, "%s", err);
            }
        }
    } else if (ev->kind == AE_RAISED && !w->st) {
        static int64_t local_id;
        ev->alarm->id = ++local_id;
    }
    if (ev->kind == AE_ESCALATED)
        run_escalation_hook(w, b, ev);
    char text[200];
    snprintf(text, sizeof text, "%s: %s %s %s%s%s", b->label, alarm_priority_marker(ev->priority),
             alarm_condition_text(ev->cond), alarm_event_name(ev->kind),
             ev->staff ? " by " : "", ev->staff ? ev->staff : "");
    emit(w, WEV_ALARM, ev->t, (int)w->cur_bed, ev, NULL, text);
}

/* Has the radar lost the patient? Then its last values are stale at once
 * (disconnected, no signal, starting, out of bed, motion, nobody present):
 * their age is only the backstop. */
static bool radar_lost(const struct ward_bed *b)
{
    return b->sensor != WSENS_OK || b->motion || !b->present;
}

/* A radar value measured at t is stale: the device has lost the patient
 * now, or had lost them since t (the one rule for the radar's own value
 * and the value scored). */
static bool radar_value_lost(const struct ward_bed *b, int64_t t)
{
    return radar_lost(b) || t < b->radar_fresh_after;
}

/* Manual parts of a set (the rule: src/obsdue.c). */
static bool manual_part(const struct ward_bed *b, int p)
{
    return obsdue_manual_part(b->sensor != WSENS_NONE, p);
}

/* How long a value of p counts (the rule: src/obsdue.c). */
static int64_t max_age_ms(const struct ward *w, const struct ward_bed *b, int p,
                          const struct ward_value *v)
{
    return obsdue_max_age_ms(w->cfg, b->sensor != WSENS_NONE, p, v->automatic);
}

/* The bed's values as the timing rule reads them. */
static void obs_parts(const struct ward_bed *b, struct obsdue_part parts[NEWS2_NPARAMS])
{
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        parts[p] = (struct obsdue_part){b->param[p].have, b->param[p].automatic, b->param[p].t_ms};
}

/* NEWS2 input from the bed's current values. */
static void news2_input_of(struct ward *w, struct ward_bed *b, int64_t now,
                           struct news2_input *in)
{
    memset(in, 0, sizeof *in);
    in->scale = b->scale2 ? 2 : 1;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        struct ward_value *v = &b->param[p];
        v->stale = v->have && (now - v->t_ms > max_age_ms(w, b, p, v) ||
                               (v->automatic && radar_value_lost(b, v->t_ms)));
        in->present[p] = v->have;
        in->stale[p] = v->stale;
        in->value[p] = v->value;
    }
}

/* Refresh the radar's own value from its window, rounded once by the
 * chart's rule; otherwise the old value stays, ages, and turns stale. */
static void update_radar(const struct ward_bed *b, struct ward_value *v, enum news2_param p,
                         const struct vwin *win, int64_t now)
{
    float m;
    if (vwin_median(win, now, SMOOTH_SPAN_MS, SMOOTH_MIN_N, &m)) {
        v->have = true;
        v->automatic = true;
        v->value = news2_round(p, m);
        v->t_ms = vwin_last_t(win);
        v->by[0] = 0;
    }
    v->stale = v->have && (radar_value_lost(b, v->t_ms) || now - v->t_ms > 60000);
}

/* The value scored: a hand count while it counts, else the radar's. */
static void choose_scored(struct ward *w, struct ward_bed *b, int p, const struct ward_value *radar,
                          int64_t now)
{
    struct ward_value *v = &b->param[p];
    bool counted = v->have && !v->automatic && now - v->t_ms <= max_age_ms(w, b, p, v);
    if (counted || (v->have && !v->automatic && b->sensor == WSENS_NONE))
        return;
    *v = *radar;
}

/* When the next full set is due (ward.h, set_at). */
static void obs_timing(struct ward *w, struct ward_bed *b, int64_t now)
{
    const struct ward_config *c = w->cfg;
    if (!b->admitted || b->replayed) {
        b->obs_due_ms = 0;
        b->obs_overdue = false;
        return;
    }
    if (b->set_at && b->score_valid && (int)b->score.level > b->due_level)
        b->due_level = (int)b->score.level;
    struct obsdue_part parts[NEWS2_NPARAMS];
    obs_parts(b, parts);
    b->obs_due_ms =
        obsdue_due(c, b->sensor != WSENS_NONE, b->admitted_at, b->set_at, b->due_level, parts);
    b->obs_overdue = obsdue_overdue(b->obs_due_ms, now);
}

/* Does the entry at now complete a new set (obsdue_set_new)? */
static bool set_complete(struct ward *w, struct ward_bed *b, int64_t now)
{
    struct obsdue_part parts[NEWS2_NPARAMS];
    obs_parts(b, parts);
    return obsdue_set_new(w->cfg, b->sensor != WSENS_NONE, parts, now);
}

/* The breathing signal apnoea is judged on: valid while the sensor is ok
 * and the patient present and still; it must show a breath after it became
 * valid, and one that shows none for the warm-up plus apnoea_s is "no valid
 * signal", not apnoea. */
static void breathing_signal(struct ward *w, struct ward_bed *b, int64_t now)
{
    /* A sensor that reports neither breathing nor a heartbeat has lost the
     * patient (the MR60BHA2 reports 0 for both during gross motion, with no
     * motion flag); a heartbeat without breathing is what apnoea looks like. */
    bool heart = b->last_heart_ms && now - b->last_heart_ms <= WARD_HEART_GAP_S * 1000;
    bool breath = b->last_breath_ms && now - b->last_breath_ms <= WARD_HEART_GAP_S * 1000;
    bool valid = b->sensor == WSENS_OK && !b->motion && b->present &&
                 (b->reports_motion || heart || breath);
    if (!valid) {
        b->resp_valid_since = 0;
        b->breath_seen = false;
        b->resp_unconfirmed = false;
        return;
    }
    if (!b->resp_valid_since)
        b->resp_valid_since = now;
    if (b->last_breath_ms >= b->resp_valid_since)
        b->breath_seen = true;
    b->resp_unconfirmed =
        !b->breath_seen &&
        now - b->resp_valid_since >= (int64_t)(WARD_SENSOR_WARMUP_S + w->cfg->apnoea_s) * 1000;
}

/* Nobody in the bed for out_of_bed_s: since someone was last seen, or,
 * when nobody has been seen since the readings began (a radar aimed past
 * the patient, a patient never in bed: H16-19), since then plus the
 * sensor's warm-up allowance, once it has said "nobody". */
static bool out_of_bed(const struct ward_bed *b, const struct ward_config *c, int64_t now)
{
    if (b->present)
        return false;
    int64_t limit = (int64_t)c->out_of_bed_s * 1000;
    if (b->last_presence_ms && b->last_presence_ms >= b->readings_since)
        return now - b->last_presence_ms > limit;
    return b->absence_reported && b->readings_since &&
           now - b->readings_since > limit + (int64_t)WARD_SENSOR_WARMUP_S * 1000;
}

/* Once a second. */
void ward_tick(struct ward *w, int64_t now)
{
    const struct ward_config *c = w->cfg;
    w->last_tick = now;
    reap_hooks(w);
    for (size_t i = 0; i < w->nbeds; i++) {
        struct ward_bed *b = &w->beds[i];
        /* Sensor-derived states. */
        if (b->sensor == WSENS_OK || b->sensor == WSENS_MOTION || b->sensor == WSENS_OUT_OF_BED) {
            enum ward_sensor_state s = WSENS_OK;
            if (now - b->last_reading_ms > (int64_t)c->no_signal_s * 1000)
                s = WSENS_NO_SIGNAL;
            else if (out_of_bed(b, c, now))
                s = WSENS_OUT_OF_BED;
            else if (b->motion)
                s = WSENS_MOTION;
            if (s != b->sensor)
                ward_sensor_state(w, i, s, s == WSENS_NO_SIGNAL ? "no valid readings" : "", now);
        } else if (b->sensor == WSENS_STARTING && b->sensor_since &&
                   now - b->sensor_since > (int64_t)c->no_signal_s * 1000) {
            ward_sensor_state(w, i, WSENS_NO_SIGNAL, "nothing decoded since start", now);
        } else if (b->sensor == WSENS_STARTING && !b->sensor_since) {
            b->sensor_since = now;
        }
        if (radar_lost(b)) {
            /* The device has lost the patient: nothing measured before or
             * during the loss may be scored once it has them back, however
             * young (CLINICAL.md "stale device values"); a new median is
             * made of new readings. */
            vwin_clear(&b->rr_win);
            vwin_clear(&b->hr_win);
            b->radar_fresh_after = now;
        }
        update_radar(b, &b->radar_rr, NEWS2_RR, &b->rr_win, now);
        update_radar(b, &b->radar_hr, NEWS2_HR, &b->hr_win, now);
        choose_scored(w, b, NEWS2_RR, &b->radar_rr, now);
        choose_scored(w, b, NEWS2_HR, &b->radar_hr, now);
        struct news2_input in;
        news2_input_of(w, b, now, &in);
        struct news2_result prev = b->score;
        bool had = b->score_valid;
        char err[128];
        /* An unoccupied bed carries no score: its readings are nobody's. */
        b->score_valid = b->admitted && news2_score(&in, &c->policy, &b->score, err, sizeof err) == 0;
        if (!b->score_valid)
            memset(&b->score, 0, sizeof b->score);
        if (b->score_valid && !b->score.partial)
            b->last_complete_ms = now;
        bool changed = b->score_valid &&
                       (!had || prev.total != b->score.total || prev.band != b->score.band ||
                        prev.partial != b->score.partial || prev.missing != b->score.missing ||
                        prev.stale != b->score.stale);
        if (changed) {
            if (w->st) {
                struct store_score ss = {b->number, now, b->score.total, {0}, (int)b->score.band,
                                         b->score.missing | b->score.stale};
                for (int p = 0; p < NEWS2_NPARAMS; p++)
                    ss.parts[p] = b->score.points[p];
                store_queue_score(w->st, &ss);
            }
            char text[128];
            snprintf(text, sizeof text, "%s: NEWS2 %s%d %s", b->label,
                     b->score.partial ? ">=" : "", b->score.total, news2_band_name(b->score.band));
            emit(w, WEV_SCORE, now, (int)i, NULL, &b->score, text);
        }
        obs_timing(w, b, now);
        /* Trends. */
        if (b->radar_rr.have && !b->radar_rr.stale)
            hist_add(&b->h_rr, now, (float)b->radar_rr.value);
        if (b->radar_hr.have && !b->radar_hr.stale)
            hist_add(&b->h_hr, now, (float)b->radar_hr.value);
        if (b->score_valid)
            hist_add(&b->h_news2, now, (float)b->score.total);
        b->trend_rr = hist_trend(&b->h_rr, now, 2.0f);
        b->trend_hr = hist_trend(&b->h_hr, now, 5.0f);
        /* Alarm conditions, only for occupied or sensor-equipped beds. */
        struct alarm_input ai = {0};
        const struct ward_value *rr = &b->param[NEWS2_RR], *hr = &b->param[NEWS2_HR];
        ai.rr_valid = rr->have && !rr->stale;
        ai.rr = rr->value;
        ai.hr_valid = hr->have && !hr->stale;
        ai.hr = hr->value;
        ai.rr_valid = ai.rr_valid && b->admitted;
        ai.hr_valid = ai.hr_valid && b->admitted;
        ai.news2_valid = b->score_valid;
        ai.news2_total = b->score.total;
        ai.news2_red = b->score.red;
        for (int p = 0; p < NEWS2_NPARAMS; p++)
            if (b->score.points[p] > ai.news2_max_points)
                ai.news2_max_points = b->score.points[p];
        breathing_signal(w, b, now);
        ai.apnoea = b->admitted && b->resp_valid_since && b->breath_seen &&
                    now - b->last_breath_ms >= (int64_t)c->apnoea_s * 1000;
        ai.disconnected = b->sensor == WSENS_DISCONNECTED;
        /* A sensor fault shows on a free bed too (it must be fixed before the
         * next admission); an unconfirmed breathing signal only for a patient. */
        ai.no_signal = b->sensor == WSENS_NO_SIGNAL || (b->admitted && b->resp_unconfirmed);
        ai.out_of_bed = b->sensor == WSENS_OUT_OF_BED && b->admitted;
        ai.store_failure = !w->store_ok;
        ai.export_failure = w->export_failing && b->admitted;
        ai.obs_overdue = b->obs_overdue;
        w->cur_bed = i;
        alarm_update(&b->alarms, &ai, &b->limits, &w->acfg, now, on_alarm_event, w);
        /* One sample row per bed-second. */
        if (w->st && (b->sensor != WSENS_NONE)) {
            struct store_sample s = {b->number, now / 1000 * 1000, NAN, NAN, NAN, 0};
            if (b->radar_rr.have && !b->radar_rr.stale)
                s.rr = (float)b->radar_rr.value;
            if (b->radar_hr.have && !b->radar_hr.stale)
                s.hr = (float)b->radar_hr.value;
            if (now - b->last_reading_ms < 5000)
                s.quality = b->quality;
            s.flags = (b->present ? STORE_F_PRESENT : 0) | (b->motion ? STORE_F_MOTION : 0);
            store_queue_sample(w->st, &s);
        }
    }
}

/* Write queued rows. */
int ward_flush(struct ward *w, char *err, size_t errlen)
{
    if (!w->st)
        return 0;
    int rc = store_flush(w->st, err, errlen);
    bool ok = rc == 0 && store_healthy(w->st);
    if (ok != w->store_ok) {
        w->store_ok = ok;
        emit(w, WEV_STORE, w->last_tick, -1, NULL, NULL,
             ok ? "store writes resumed" : "store write failure");
        log_msg(ok ? LOG_INFO : LOG_ERROR, "%s", ok ? "store writes resumed" : err);
    }
    return rc;
}

/* Staff id check shared by every command. */
static int check_staff(struct ward *w, const char *staff, char *err, size_t errlen)
{
    if (!staff || !*staff)
        return ww_err(err, errlen, _("initials or staff id required"));
    if (!config_staff_syntax(staff))
        return ww_err(err, errlen, _("'%s' is not a staff id (2-16 letters or digits)"), staff);
    if (!config_staff_valid(w->cfg, staff))
        return ww_err(err, errlen, _("'%s' is not on the ward's staff list"), staff);
    return 0;
}

/* Bed index check. */
static int check_bed(struct ward *w, size_t bed, char *err, size_t errlen)
{
    if (bed >= w->nbeds)
        return ww_err(err, errlen, _("no such bed"));
    return 0;
}

/* Emit a command event. */
static void cmd_event(struct ward *w, size_t bed, int64_t now, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cmd_event(struct ward *w, size_t bed, int64_t now, const char *fmt, ...)
{
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    emit(w, WEV_COMMAND, now, (int)bed, NULL, NULL, text);
}

/* A patient arrives or leaves: nothing of the last one may be scored,
 * counted, due or alarmed for the next (the physiological alarms end). */
static void new_patient(struct ward *w, size_t bed, int64_t now)
{
    struct ward_bed *b = &w->beds[bed];
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        memset(&b->param[p], 0, sizeof b->param[p]);
    memset(&b->score, 0, sizeof b->score);
    b->score_valid = false;
    b->set_at = b->last_complete_ms = 0;
    b->due_level = -1;
    b->obs_due_ms = 0;
    b->obs_overdue = false;
    ward_bed_clear_history(b); /* trends of nobody, or of the last patient */
    w->cur_bed = bed;
    alarm_end_physiological(&b->alarms, now, on_alarm_event, w);
}

/* Admit (staff already checked). */
static int admit(struct ward *w, size_t bed, const char *patient_ref, const char *note,
                 const char *staff, int64_t now, char *err, size_t errlen)
{
    struct ward_bed *b = &w->beds[bed];
    if (b->admitted)
        return ww_err(err, errlen, _("%s is occupied: discharge first"), b->label);
    /* Counted before anything is cut: a reference cut to fit would name
     * another patient. */
    size_t nch = 0;
    for (const char *q = patient_ref ? patient_ref : ""; *q; q++)
        nch += ((unsigned char)*q & 0xC0) != 0x80;
    if (nch > 32)
        return ww_err(err, errlen,
                      _("patient reference too long: %zu characters, at most 32 (nothing saved)"), nch);
    char ref[40 * 4];
    ww_sanitize_text(ref, sizeof ref, patient_ref ? patient_ref : "", false);
    if (strlen(ref) < 2)
        return ww_err(err, errlen, _("patient reference needed (pseudonymous, 2-32 characters)"));
    if (strlen(ref) >= sizeof b->patient_ref)
        return ww_err(err, errlen, _("patient reference too long: %zu bytes, at most %zu (nothing saved)"),
                      strlen(ref), sizeof b->patient_ref - 1);
    /* The note is kept whole or refused: never cut (hazard H16-9). */
    if (note && strlen(note) > WARD_NOTE_MAX)
        return ww_err(err, errlen,
                      _("admission note too long: %zu bytes, at most %d (nothing saved)"),
                      strlen(note), WARD_NOTE_MAX);
    int64_t id = 0;
    if (w->st && store_admit(w->st, b->number, ref, note, staff, now, &id, err, errlen) < 0)
        return -1;
    b->admitted = true;
    b->admission_id = id;
    ww_strlcpy(b->patient_ref, ref, sizeof b->patient_ref);
    ww_sanitize_text(b->admission_note, sizeof b->admission_note, note ? note : "", true);
    b->admitted_at = now;
    b->replayed = false;
    b->scale2 = false;
    b->limits = default_limits(w->cfg);
    b->limits_reason[0] = 0;
    new_patient(w, bed, now);
    cmd_event(w, bed, now, "%s: admitted by %s", b->label, staff);
    return 0;
}

/* Admit a patient. */
int ward_cmd_admit(struct ward *w, size_t bed, const char *patient_ref, const char *note,
                   const char *staff, int64_t now, char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    return admit(w, bed, patient_ref, note, staff, now, err, errlen);
}

/* A replayed stream is a patient's: admitted when the recording starts. */
int ward_admit_recording(struct ward *w, size_t bed, const char *source, int64_t now, char *err,
                         size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0)
        return -1;
    char note[300];
    snprintf(note, sizeof note, "replayed recording %s", source ? source : "");
    if (admit(w, bed, w->beds[bed].label, note, "REC", now, err, errlen) < 0)
        return -1;
    /* A recording carries no hand-entered observations: their timing is
     * nothing it can be judged on (no obs-overdue from a replay). */
    w->beds[bed].replayed = true;
    return 0;
}

/* Discharge. */
int ward_cmd_discharge(struct ward *w, size_t bed, const char *staff, int64_t now, char *err,
                       size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    if (!b->admitted)
        return ww_err(err, errlen, _("%s has no patient"), b->label);
    if (w->st && store_discharge(w->st, b->admission_id, b->number, staff, now, err, errlen) < 0)
        return -1;
    b->admitted = false;
    b->admission_id = 0;
    b->patient_ref[0] = b->admission_note[0] = 0;
    b->scale2 = false;
    b->limits = default_limits(w->cfg);
    new_patient(w, bed, now);
    cmd_event(w, bed, now, "%s: discharged by %s", b->label, staff);
    return 0;
}

/* Hand-entered observation: a set of one. */
int ward_cmd_observation(struct ward *w, size_t bed, const char *param, const char *value,
                         const char *staff, int64_t now, char *err, size_t errlen)
{
    const char *params[1] = {param}, *values[1] = {value};
    return ward_cmd_observations(w, bed, params, values, 1, staff, now, err, errlen);
}

/* A set of hand-entered observations: validated whole, one commit, one
 * change of the bed's values (so one score change at the next tick). */
int ward_cmd_observations(struct ward *w, size_t bed, const char *const *params,
                          const char *const *values, size_t n, const char *staff, int64_t now,
                          char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    if (!b->admitted)
        return ww_err(err, errlen, _("%s has no patient: admit first"), b->label);
    if (n == 0 || n > NEWS2_NPARAMS)
        return ww_err(err, errlen, "an observation set has 1 to %d values", NEWS2_NPARAMS);
    int ps[NEWS2_NPARAMS];
    double vs[NEWS2_NPARAMS];
    const char *names[NEWS2_NPARAMS];
    for (size_t k = 0; k < n; k++) {
        int p = news2_param_find(params[k] ? params[k] : "");
        if (p < 0)
            return ww_err(err, errlen,
                          "unknown observation '%s' (accepted: rr spo2 o2 sbp hr acvpu temp)",
                          params[k] ? params[k] : "");
        for (size_t j = 0; j < k; j++)
            if (ps[j] == p)
                return ww_err(err, errlen, "%s is given twice in one set", news2_param_name(p));
        char perr[200];
        if (news2_parse_value(p, values[k] ? values[k] : "", &vs[k], perr, sizeof perr) < 0)
            return ww_err(err, errlen, "%s", perr);
        ps[k] = p;
        names[k] = news2_param_name(p);
    }
    if (w->st && store_add_observations(w->st, b->admission_id, b->number, names, vs, n, staff,
                                        now, err, errlen) < 0)
        return -1;
    char text[300];
    int o = snprintf(text, sizeof text, "%s:", b->label);
    for (size_t k = 0; k < n; k++) {
        struct ward_value *wv = &b->param[ps[k]];
        wv->have = true;
        wv->value = vs[k];
        wv->t_ms = now;
        wv->automatic = false;
        wv->stale = false;
        ww_strlcpy(wv->by, staff, sizeof wv->by);
        if (o > 0 && (size_t)o < sizeof text)
            o += snprintf(text + o, sizeof text - (size_t)o, " %s = %s", names[k], values[k]);
    }
    /* A new complete set starts the clock of the next one afresh; one value
     * re-checked later does not (obsdue_set_new). */
    if (set_complete(w, b, now)) {
        b->set_at = now;
        b->due_level = -1;
    }
    cmd_event(w, bed, now, "%s entered by %s", text, staff);
    return 0;
}

_Static_assert(WARD_NOTE_MAX == STORE_NOTE_MAX && WARD_NOTE_MAX == STORE_ADMISSION_NOTE_MAX,
               "one note limit end to end");

/* Note on a bed or an alarm. */
int ward_cmd_note(struct ward *w, size_t bed, int64_t alarm_id, const char *text,
                  const char *staff, int64_t now, char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    /* Kept whole or refused, never cut (hazard H16-9). */
    if (text && strlen(text) > WARD_NOTE_MAX)
        return ww_err(err, errlen, _("note too long: %zu bytes, at most %d (nothing saved)"),
                      strlen(text), WARD_NOTE_MAX);
    char clean[WARD_NOTE_MAX + 1];
    ww_sanitize_text(clean, sizeof clean, text ? text : "", true);
    if (!clean[0])
        return ww_err(err, errlen, _("empty note"));
    struct ward_bed *b = &w->beds[bed];
    if (w->st && store_add_note(w->st, b->number, b->admission_id, alarm_id, clean, staff, now,
                                NULL, err, errlen) < 0)
        return -1;
    cmd_event(w, bed, now, "%s: note by %s", b->label, staff);
    return 0;
}

/* What an action with no alarm id means: acknowledge the most urgent
 * alarm nobody has acknowledged, reset the most urgent latched one. */
enum pick { PICK_UNACKED, PICK_LATCHED };

/* Find an alarm by id on a bed (id 0: the most urgent one the action can
 * apply to, never one it would only be refused on). */
static int find_alarm(struct ward_bed *b, int64_t alarm_id, enum pick pick, char *err,
                      size_t errlen)
{
    int c = -1;
    if (alarm_id != 0) {
        c = alarm_find_id(&b->alarms, alarm_id);
        if (c < 0)
            return ww_err(err, errlen,
                          _("that alarm is no longer shown on %s (it ended or changed)"), b->label);
        return c;
    }
    for (int k = 0; k < AC_COUNT; k++) {
        const struct alarm *a = &b->alarms.a[k];
        bool fits = a->state != AS_NONE && (pick == PICK_UNACKED ? !a->acked : a->state == AS_LATCHED);
        if (fits && (c < 0 || alarm_urgency_cmp(k, a, c, &b->alarms.a[c]) < 0))
            c = k;
    }
    if (c < 0 && alarm_most_urgent(&b->alarms) >= 0)
        return ww_err(err, errlen,
                      pick == PICK_UNACKED ? _("every alarm on %s is already acknowledged")
                                           : _("no latched alarm to reset on %s"),
                      b->label);
    if (c < 0)
        return ww_err(err, errlen, _("no such alarm on %s"), b->label);
    return c;
}

/* Acknowledge. */
int ward_cmd_ack(struct ward *w, size_t bed, int64_t alarm_id, const char *staff, int64_t now,
                 char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    int c = find_alarm(b, alarm_id, PICK_UNACKED, err, errlen);
    if (c < 0)
        return -1;
    struct alarm *a = &b->alarms.a[c];
    if (a->acked)
        return ww_err(err, errlen, _("already acknowledged by %s"), a->acked_by);
    /* Commit first (or hold it for the store's recovery); only then
     * silence. An alarm raised during an outage has a provisional id the
     * store maps to its row once written. */
    int held = 0;
    if (w->st && a->id != 0 &&
        (held = store_alarm_event(
             w->st, a->id, "acknowledged",
             alarm_rec_state_name(alarm_state_after(alarm_rec_state_of(a), AE_ACKNOWLEDGED)),
             staff, now, err, errlen)) < 0)
        return -1;
    /* The transition is already stored: the machine only reports it. */
    w->cur_bed = bed;
    w->stored = true;
    char aerr[128];
    int rc = alarm_ack(&b->alarms, c, staff, now, on_alarm_event, w, aerr, sizeof aerr);
    w->stored = false;
    if (rc < 0)
        return ww_err(err, errlen, "%s", aerr);
    if (held > 0)
        w->store_ok = false;
    return held > 0 ? 1 : 0;
}

/* Reset a latched alarm. */
int ward_cmd_reset(struct ward *w, size_t bed, int64_t alarm_id, const char *staff,
                   int64_t now, char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    int c = find_alarm(b, alarm_id, PICK_LATCHED, err, errlen);
    if (c < 0)
        return -1;
    struct alarm *a = &b->alarms.a[c];
    if (a->state != AS_LATCHED)
        return ww_err(err, errlen, _("%s: the condition is still present; acknowledge it instead"),
                      alarm_condition_text(c));
    int held = 0;
    if (w->st && a->id != 0 &&
        (held = store_alarm_event(
             w->st, a->id, "reset",
             alarm_rec_state_name(alarm_state_after(alarm_rec_state_of(a), AE_RESET)), staff,
             now, err, errlen)) < 0)
        return -1;
    w->cur_bed = bed;
    w->stored = true;
    char aerr[128];
    int rc = alarm_reset(&b->alarms, c, staff, now, on_alarm_event, w, aerr, sizeof aerr);
    w->stored = false;
    if (rc < 0)
        return ww_err(err, errlen, "%s", aerr);
    if (held > 0)
        w->store_ok = false;
    return held > 0 ? 1 : 0;
}

/* Scale 2 on/off (a clinician's decision, recorded with who). */
int ward_cmd_scale2(struct ward *w, size_t bed, bool on, const char *prescriber,
                    const char *staff, int64_t now, char *err, size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    if (!b->admitted)
        return ww_err(err, errlen, _("%s has no patient"), b->label);
    char who[24];
    ww_sanitize_text(who, sizeof who, prescriber ? prescriber : "", false);
    if (on && strlen(who) < 2)
        return ww_err(err, errlen, _("Scale 2 needs the prescribing clinician"));
    if (w->st && store_set_scale2(w->st, b->admission_id, b->number, on, who, staff, now, err,
                                  errlen) < 0)
        return -1;
    b->scale2 = on;
    ww_strlcpy(b->scale2_by, on ? who : "", sizeof b->scale2_by);
    b->scale2_at = now;
    cmd_event(w, bed, now, "%s: SpO2 scale %d (prescribed by %s) set by %s", b->label, on ? 2 : 1,
              on ? who : "-", staff);
    return 0;
}

/* Individual limits with a reason. */
int ward_cmd_limits(struct ward *w, size_t bed, const struct alarm_limits *lim,
                    const char *reason, const char *staff, int64_t now, char *err,
                    size_t errlen)
{
    if (check_bed(w, bed, err, errlen) < 0 || check_staff(w, staff, err, errlen) < 0)
        return -1;
    struct ward_bed *b = &w->beds[bed];
    if (!b->admitted)
        return ww_err(err, errlen, _("%s has no patient"), b->label);
    if (!(lim->rr_low >= 0 && lim->rr_low < lim->rr_high && lim->rr_high <= 80 &&
          lim->hr_low >= 20 && lim->hr_low < lim->hr_high && lim->hr_high <= 300))
        return ww_err(err, errlen,
                      _("limits must satisfy 0 <= RR low < RR high <= 80 and 20 <= HR low < HR "
                        "high <= 300"));
    char why[256];
    ww_sanitize_text(why, sizeof why, reason ? reason : "", false);
    if (strlen(why) < 3)
        return ww_err(err, errlen, _("individual limits need a reason"));
    if (w->st && store_set_limits(w->st, b->admission_id, b->number, lim->rr_low, lim->rr_high,
                                  lim->hr_low, lim->hr_high, why, staff, now, err, errlen) < 0)
        return -1;
    b->limits = *lim;
    b->limits.rr_hyst = w->cfg->rr_hysteresis;
    b->limits.hr_hyst = w->cfg->hr_hysteresis;
    ww_strlcpy(b->limits_reason, why, sizeof b->limits_reason);
    cmd_event(w, bed, now, "%s: limits set by %s", b->label, staff);
    return 0;
}

/* Ward-wide audio pause. */
int ward_cmd_audio_pause(struct ward *w, const char *staff, int64_t now, char *err,
                         size_t errlen)
{
    if (check_staff(w, staff, err, errlen) < 0)
        return -1;
    if (w->st && store_audit(w->st, staff, "audio-pause", -1, NULL, now, err, errlen) < 0)
        return -1;
    struct alarm_bed *beds = malloc(w->nbeds * sizeof *beds + 1);
    if (!beds)
        return ww_err(err, errlen, "out of memory");
    for (size_t i = 0; i < w->nbeds; i++)
        beds[i] = w->beds[i].alarms;
    alarm_audio_pause(&w->audio, beds, w->nbeds, &w->acfg, now);
    free(beds);
    cmd_event(w, (size_t)-1, now, "audio paused for %d s by %s", w->cfg->audio_pause_s, staff);
    return 0;
}

/* WCMD_OBSERVATIONS: "NAME=VALUE ..." split into one set. */
static int exec_observations(struct ward *w, const struct ward_cmd *c, int64_t now, char *err,
                             size_t errlen)
{
    char text[sizeof c->text];
    ww_strlcpy(text, c->text, sizeof text);
    const char *params[NEWS2_NPARAMS], *values[NEWS2_NPARAMS];
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return ww_err(err, errlen, "observation set: '%.40s' is not NAME=VALUE", tok);
        if (n == NEWS2_NPARAMS)
            return ww_err(err, errlen, "observation set: more than %d values", NEWS2_NPARAMS);
        *eq = 0;
        params[n] = tok;
        values[n++] = eq + 1;
    }
    if (!n)
        return ww_err(err, errlen, "observation set: no values");
    return ward_cmd_observations(w, c->bed, params, values, n, c->staff, now, err, errlen);
}

/* A command as data through the functions above. */
/* A command composed for one patient lands on no other: the bed must hold
 * the admission (or be free) as when its form opened. */
static int check_patient(struct ward *w, const struct ward_cmd *c, char *err, size_t errlen)
{
    if (!c->check_patient || c->kind == WCMD_AUDIO_PAUSE || c->kind == WCMD_PRINT_HANDOVER ||
        c->kind == WCMD_HANDOVER_AUDIT)
        return 0;
    if (check_bed(w, c->bed, err, errlen) < 0)
        return -1;
    const struct ward_bed *b = &w->beds[c->bed];
    const char *now_ref = b->admitted ? b->patient_ref : "";
    int64_t now_id = b->admitted ? b->admission_id : 0;
    if (now_id == c->admission_id && !strcmp(now_ref, c->expect_ref))
        return 0;
    if (!c->expect_ref[0])
        return ww_err(err, errlen, _("%s: %s was admitted since this was started: nothing saved"),
                      b->label, now_ref);
    if (!b->admitted)
        return ww_err(err, errlen, _("%s: %s was discharged since this was started: nothing saved"),
                      b->label, c->expect_ref);
    return ww_err(err, errlen, _("%s now holds %s, not %s as when this was started: nothing saved"),
                  b->label, now_ref, c->expect_ref);
}

int ward_cmd_exec(struct ward *w, const struct ward_cmd *c, int64_t now, char *err, size_t errlen)
{
    if (check_patient(w, c, err, errlen) < 0)
        return -1;
    switch (c->kind) {
    case WCMD_ACK:
        return ward_cmd_ack(w, c->bed, c->alarm_id, c->staff, now, err, errlen);
    case WCMD_RESET:
        return ward_cmd_reset(w, c->bed, c->alarm_id, c->staff, now, err, errlen);
    case WCMD_NOTE:
        return ward_cmd_note(w, c->bed, c->alarm_id, c->text, c->staff, now, err, errlen);
    case WCMD_OBSERVATION:
        return ward_cmd_observation(w, c->bed, c->param, c->value, c->staff, now, err, errlen);
    case WCMD_ADMIT:
        return ward_cmd_admit(w, c->bed, c->ref, c->text, c->staff, now, err, errlen);
    case WCMD_DISCHARGE:
        return ward_cmd_discharge(w, c->bed, c->staff, now, err, errlen);
    case WCMD_SCALE2:
        return ward_cmd_scale2(w, c->bed, c->on, c->prescriber, c->staff, now, err, errlen);
    case WCMD_LIMITS:
        return ward_cmd_limits(w, c->bed, &c->limits, c->text, c->staff, now, err, errlen);
    case WCMD_AUDIO_PAUSE:
        return ward_cmd_audio_pause(w, c->staff, now, err, errlen);
    case WCMD_PRINT_HANDOVER:
        /* Never here: waiting for lp would hold the core's loop, and the
         * alarms with it, for up to lp's timeout. Prints start with
         * ward_print_handover_start and answer from the loop. */
        return ww_err(err, errlen,
                      "print-handover is not run inline: it starts under the core's loop "
                      "(ward_print_handover_start)");
    case WCMD_HANDOVER_AUDIT:
        return ward_cmd_handover_audit(w, c->bed, c->param, c->text, c->staff, now, err, errlen);
    case WCMD_OBSERVATIONS:
        return exec_observations(w, c, now, err, errlen);
    }
    return ww_err(err, errlen, "unknown command %d", (int)c->kind);
}

/* Names for logs. */
const char *ward_cmd_name(enum ward_cmd_kind k)
{
    static const char *n[] = {"?",         "ack",         "reset",          "note",
                              "observation", "admit",     "discharge",      "scale2",
                              "limits",    "audio-pause", "print-handover", "handover-audit",
                              "observations"};
    return (unsigned)k < WW_ARRAY_LEN(n) ? n[k] : "?";
}

/* Sensor summary over an array of beds (the status line). */
void ward_sensor_summary(const struct ward_bed *beds, size_t nbeds, char *buf, size_t n)
{
    int count[8] = {0};
    for (size_t i = 0; i < nbeds; i++)
        if ((unsigned)beds[i].sensor < WW_ARRAY_LEN(count))
            count[beds[i].sensor]++;
    int o = snprintf(buf, n, gettext("sensors %d ok"), count[WSENS_OK] + count[WSENS_MOTION]);
    static const enum ward_sensor_state bad[] = {WSENS_STARTING, WSENS_NO_SIGNAL,
                                                 WSENS_DISCONNECTED, WSENS_OUT_OF_BED};
    for (size_t k = 0; k < WW_ARRAY_LEN(bad) && o > 0 && (size_t)o < n; k++)
        if (count[bad[k]])
            o += snprintf(buf + o, n - (size_t)o, ", %d %s", count[bad[k]],
                          gettext(ward_sensor_state_name(bad[k])));
}

bool ward_audio_paused(const struct ward *w, int64_t now)
{
    return alarm_audio_paused(&w->audio, now);
}

const struct alarm_audio *ward_audio(const struct ward *w)
{
    return &w->audio;
}

/* Restore callbacks. */
static void restore_adm(void *ctx, const struct store_admission *a)
{
    struct ward *w = ctx;
    for (size_t i = 0; i < w->nbeds; i++) {
        struct ward_bed *b = &w->beds[i];
        if (b->number != a->bed)
            continue;
        b->admitted = true;
        b->admission_id = a->id;
        ww_strlcpy(b->patient_ref, a->patient_ref, sizeof b->patient_ref);
        ww_strlcpy(b->admission_note, a->note, sizeof b->admission_note);
        b->admitted_at = a->admitted_at;
        b->scale2 = a->scale2;
        ww_strlcpy(b->scale2_by, a->scale2_by, sizeof b->scale2_by);
        b->scale2_at = a->scale2_at;
        if (a->has_limits) {
            b->limits.rr_low = a->rr_low;
            b->limits.rr_high = a->rr_high;
            b->limits.hr_low = a->hr_low;
            b->limits.hr_high = a->hr_high;
            ww_strlcpy(b->limits_reason, a->limits_reason, sizeof b->limits_reason);
        }
    }
}

struct restore_ctx {
    struct ward *w;
    size_t bed;
    int64_t now;
};

static void restore_obs(void *ctx, const struct store_observation *o)
{
    struct restore_ctx *r = ctx;
    int p = news2_param_find(o->param);
    if (p < 0)
        return;
    struct ward_value *v = &r->w->beds[r->bed].param[p];
    v->have = true;
    v->value = o->value;
    v->t_ms = o->t;
    v->automatic = false;
    ww_strlcpy(v->by, o->by, sizeof v->by);
}

static void restore_alarm(void *ctx, const struct store_alarm *a)
{
    struct restore_ctx *r = ctx;
    int c = alarm_condition_find(a->condition);
    if (c < 0)
        return;
    for (size_t i = 0; i < r->w->nbeds; i++)
        if (r->w->beds[i].number == a->bed)
            if (alarm_restore(&r->w->beds[i].alarms, c, a->id, a->state, a->acked_by,
                              a->raised_at, a->acked_at, a->last_alert_at, a->escalated,
                              r->now) == 0)
                alarm_restore_trigger(&r->w->beds[i].alarms, c, a->trig_value, a->trig_limit);
}

/* Restore from the store after a restart. */
/* Trend restore: the stored minutes of RR and HR into the bed's history. */
static void restore_minute(void *ctx, const struct store_minute *m)
{
    struct ward_bed *b = ctx;
    if (isfinite(m->rr_med))
        hist_add(&b->h_rr, m->t, m->rr_med);
    if (isfinite(m->hr_med))
        hist_add(&b->h_hr, m->t, m->hr_med);
}

/* NEWS2 trend restore: stored scores arrive in time order; each minute
 * gets the score in force at its end (a score holds until the next). */
struct score_fill {
    struct ward_bed *b;
    int64_t minute, now; /* the next minute to fill, and where to stop */
    bool have;
    int total;
};

/* Fill the minutes that end by `until` with the score in force. */
static void score_fill_to(struct score_fill *f, int64_t until)
{
    for (; f->minute + 60000 <= until && f->minute < f->now; f->minute += 60000)
        if (f->have)
            hist_add(&f->b->h_news2, f->minute, (float)f->total);
}

static void restore_score(void *ctx, const struct store_score *sc)
{
    struct score_fill *f = ctx;
    score_fill_to(f, sc->t);
    f->have = true;
    f->total = sc->total;
}

/* The bed's trends after a restart (H19-50): they were kept in memory only,
 * so a crash or an upgrade left the bed detail's 1, 4 and 12 h graphs and the
 * 15 min arrows empty, while the store held every minute. RR and HR come
 * from the stored minute medians, NEWS2 from the stored scores (a score
 * holds until the next one), over this admission's last 12 hours. */
static int restore_trends(struct ward *w, struct ward_bed *b, int64_t now, char *err,
                          size_t errlen)
{
    int64_t t0 = now - (int64_t)HIST_MINUTES * 60000;
    if (b->admitted_at > t0)
        t0 = b->admitted_at;
    if (t0 >= now)
        return 0;
    if (store_query_minutes(w->st, b->number, t0, now, restore_minute, b, err, errlen) < 0)
        return -1;
    struct score_fill f = {b, t0 - t0 % 60000, now, false, 0};
    /* the score in force at t0 is the last one before it: from the admission */
    int64_t q0 = b->admitted_at < t0 ? b->admitted_at : t0;
    if (store_query_scores(w->st, b->number, q0, now, restore_score, &f, err, errlen) < 0)
        return -1;
    score_fill_to(&f, INT64_MAX);
    b->trend_rr = hist_trend(&b->h_rr, now, 2.0f);
    b->trend_hr = hist_trend(&b->h_hr, now, 5.0f);
    return 0;
}

int ward_restore(struct ward *w, int64_t now, char *err, size_t errlen)
{
    if (!w->st)
        return 0;
    if (store_load_admissions(w->st, restore_adm, w, err, errlen) < 0)
        return -1;
    struct restore_ctx r = {w, 0, now};
    for (size_t i = 0; i < w->nbeds; i++) {
        if (!w->beds[i].admitted)
            continue;
        r.bed = i;
        if (store_load_latest_observations(w->st, w->beds[i].admission_id, restore_obs, &r, err,
                                           errlen) < 0)
            return -1;
        /* The last complete set: entered when its newest part was. */
        struct ward_bed *b = &w->beds[i];
        b->due_level = -1;
        bool all = true;
        int64_t newest = 0;
        for (int p = 0; p < NEWS2_NPARAMS; p++) {
            if (!manual_part(b, p))
                continue;
            all &= b->param[p].have;
            if (b->param[p].have && b->param[p].t_ms > newest)
                newest = b->param[p].t_ms;
        }
        b->set_at = all ? newest : 0;
        /* Trends are not worth the rest: one that cannot be read leaves
         * the graphs empty, and admissions and alarms are restored all the same. */
        char terr[256];
        (void)restore_trends(w, b, now, terr, sizeof terr);
    }
    if (store_load_open_alarms(w->st, restore_alarm, &r, err, errlen) < 0)
        return -1;
    /* A physiological alarm left open on a bed nobody is admitted to (a
     * crash between a discharge and its "ended" rows) would stay frozen
     * there for the next patient: it ends now. */
    for (size_t i = 0; i < w->nbeds; i++)
        if (!w->beds[i].admitted) {
            w->cur_bed = i;
            alarm_end_physiological(&w->beds[i].alarms, now, on_alarm_event, w);
        }
    return 0;
}

struct hist_ctx {
    struct ward_history_line *out;
    int max, n;
};

/* Append a line, keeping the newest when there are more than max. */
static void hist_put(struct hist_ctx *h, const struct ward_history_line *l)
{
    if (h->n == h->max) {
        memmove(h->out, h->out + 1, (size_t)(h->max - 1) * sizeof *h->out);
        h->n--;
    }
    h->out[h->n++] = *l;
}

static void hist_obs(void *ctx, const struct store_observation *o)
{
    struct ward_history_line l = {.t = o->t, .kind = WH_OBS};
    news2_value_text(news2_param_find(o->param), o->value, l.detail, sizeof l.detail);
    ww_strlcpy(l.what, o->param, sizeof l.what);
    ww_strlcpy(l.by, o->by, sizeof l.by);
    snprintf(l.text, sizeof l.text, "obs %s = %s (%s)", l.what, l.detail, l.by);
    hist_put(ctx, &l);
}

/* The note cut to fit n bytes on a whole UTF-8 character, marked " …" as
 * continuing (the store and the handover keep it whole: H16-9). */
static void note_fit(char *out, size_t n, const char *text)
{
    size_t len = strlen(text);
    if (len < n) {
        memcpy(out, text, len + 1);
        return;
    }
    static const char more[] = " \u2026"; /* " …" (UTF-8) */
    size_t keep = n - sizeof more;
    while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(out, text, keep);
    memcpy(out + keep, more, sizeof more);
}

static void hist_note(void *ctx, const struct store_note *n)
{
    /* One line of the detail view: a longer note is shown to a whole UTF-8
     * character and marked as continuing. */
    struct ward_history_line l = {.t = n->t, .kind = WH_NOTE, .on_alarm = n->alarm_id > 0};
    ww_strlcpy(l.by, n->by, sizeof l.by);
    int head = snprintf(l.text, sizeof l.text, WARD_NOTE_HEAD, l.by, l.on_alarm ? WARD_NOTE_ON_ALARM : "");
    if (head < 0 || (size_t)head >= sizeof l.text - 8)
        head = (int)strlen(l.text);
    note_fit(l.text + head, sizeof l.text - (size_t)head, n->text);
    hist_put(ctx, &l);
}

/* The note alone of a history line (ward.h). */
const char *ward_history_note(const struct ward_history_line *l)
{
    int k = snprintf(NULL, 0, WARD_NOTE_HEAD, l->by, l->on_alarm ? WARD_NOTE_ON_ALARM : "");
    return l->kind == WH_NOTE && k > 0 && (size_t)k <= strlen(l->text) ? l->text + k : NULL;
}

static void hist_alarm(void *ctx, const struct store_alarm_event *e)
{
    struct ward_history_line l = {.t = e->t, .kind = WH_ALARM};
    int c = alarm_condition_find(e->condition);
    ww_strlcpy(l.what, e->condition, sizeof l.what);
    ww_strlcpy(l.detail, e->event, sizeof l.detail);
    ww_strlcpy(l.by, e->staff, sizeof l.by);
    snprintf(l.text, sizeof l.text, "alarm %s %s %s%s%s", alarm_priority_marker(alarm_priority_of(c)),
             c >= 0 ? alarm_condition_text(c) : e->condition, e->event, e->staff[0] ? " by " : "",
             e->staff);
    hist_put(ctx, &l);
}

/* Sort lines by time (three sources were appended one after another). */
static int hist_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct ward_history_line *)a)->t, y = ((const struct ward_history_line *)b)->t;
    return (x > y) - (x < y);
}

/* Forget the bed's trends: a new patient's detail and arrows start empty
 * (hazard H16-8). */
void ward_bed_clear_history(struct ward_bed *b)
{
    hist_clear(&b->h_rr);
    hist_clear(&b->h_hr);
    hist_clear(&b->h_news2);
    b->trend_rr = b->trend_hr = 0;
}

/* A bed's recent history from the store: its current stay's only. */
int ward_history(struct ward *w, size_t bed, int64_t t0, int64_t t1,
                 struct ward_history_line *out, int max)
{
    if (!w->st || bed >= w->nbeds || max <= 0)
        return -1;
    char err[256];
    const struct ward_bed *b = &w->beds[bed];
    struct store_stay stay = {b->number, b->admission_id, b->admitted_at};
    if (!b->admitted && store_current_stay(w->st, b->number, &stay, err, sizeof err) < 0)
        return -1;
    if (!b->admitted)
        stay.admission = 0; /* free in memory: never another admission's rows */
    /* Each source keeps its newest max lines; merged and cut to max below. */
    struct ward_history_line *tmp = malloc(3 * (size_t)max * sizeof *tmp);
    if (!tmp)
        return -1;
    int total = 0;
    struct hist_ctx h = {tmp, max, 0};
    store_query_stay_observations(w->st, &stay, t0, t1, hist_obs, &h, err, sizeof err);
    total += h.n;
    h = (struct hist_ctx){tmp + total, max, 0};
    store_query_stay_notes(w->st, &stay, t0, t1, hist_note, &h, err, sizeof err);
    total += h.n;
    h = (struct hist_ctx){tmp + total, max, 0};
    store_query_stay_alarm_events(w->st, &stay, t0, t1, hist_alarm, &h, err, sizeof err);
    total += h.n;
    qsort(tmp, (size_t)total, sizeof *tmp, hist_cmp);
    int first = total > max ? total - max : 0;
    memcpy(out, tmp + first, (size_t)(total - first) * sizeof *out);
    free(tmp);
    return total - first;
}

/* The handover model from the ward's store. */
struct handover *ward_handover(struct ward *w, const char *period_name, int64_t t0, int64_t t1,
                               const char *staff, int64_t now, char *err, size_t errlen)
{
    if (!w->st) {
        ww_err(err, errlen, "no ward database: the handover needs one");
        return NULL;
    }
    struct handover_request req = {t0, t1, period_name, -1, now, staff};
    return handover_build(w->st, w->cfg, &req, err, errlen);
}

/* Audit a handover another process made from this ward's store (the
 * store has one writer: this core). */
int ward_cmd_handover_audit(struct ward *w, uint32_t bed, const char *what, const char *detail,
                            const char *staff, int64_t now, char *err, size_t errlen)
{
    if (!w->st)
        return ww_err(err, errlen, "no ward database to audit in");
    if (!config_staff_valid(w->cfg, staff))
        return ww_err(err, errlen, "'%s' is not a valid staff id", staff ? staff : "");
    static const char *const whats[] = {"view", "export", "print"};
    const char *action = NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(whats); i++)
        if (what && !strcmp(what, whats[i]))
            action = whats[i];
    if (!action)
        return ww_err(err, errlen, "handover audit: '%s' is not view, export or print",
                      what ? what : "");
    if (bed != WARD_CMD_NO_BED && bed >= w->nbeds)
        return ww_err(err, errlen, "no bed %u (the ward has %zu)", bed, w->nbeds);
    if (!detail || !*detail)
        return ww_err(err, errlen, "handover audit: the detail (period, beds, where) is missing");
    char act[32];
    snprintf(act, sizeof act, "handover-%s", action);
    return store_audit(w->st, staff, act, bed == WARD_CMD_NO_BED ? -1 : w->beds[bed].number,
                       detail, now, err, errlen);
}

int ward_print_handover_start(struct ward *w, struct loop *l, const char *period_name, int64_t t0,
                              int64_t t1, const char *staff, int64_t now, ward_print_cb cb,
                              void *ctx, char *err, size_t errlen)
{
    if (!config_staff_valid(w->cfg, staff))
        return ww_err(err, errlen, "'%s' is not a valid staff id", staff ? staff : "");
    if (!w->printer)
        return ww_err(err, errlen, "this process does not print handovers");
    return w->printer->start(w->printer_ctx, l, period_name, t0, t1, staff, now, cb, ctx, err,
                             errlen);
}

void ward_print_forget(struct ward *w, void *ctx)
{
    if (w->printer)
        w->printer->forget(w->printer_ctx, ctx);
}

void ward_set_printer(struct ward *w, const struct ward_printer *ops, void *pctx)
{
    if (w->printer)
        w->printer->release(w->printer_ctx);
    w->printer = ops;
    w->printer_ctx = pctx;
}

