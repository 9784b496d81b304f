/*
 * export — alarms to the hospital through the outbox (see export.h).
 */
#include "export.h"
#include "fhir.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "mllp.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <libintl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The status line reaches the nurse on the board: translated (po/). */
#define _(s) gettext(s)

#define RR_BINS 81  /* 0-80 /min */
#define HR_BINS 301 /* 0-300 /min */

/* One bed's radar values over the current period. */
struct hist_acc {
    uint16_t rr[RR_BINS], hr[HR_BINS];
    int nrr, nhr;
    int64_t rr_ms, hr_ms; /* last value's time */
};

struct dest {
    struct export *e;
    const struct config_export *cfg;
    bool alarms;                 /* the alarm connection; else observations */
    int64_t period_start;        /* observations: the open period */
    int64_t put_end;             /* its messages up to here are in an uncommitted flush */
    struct hist_acc *acc;        /* per ward bed index */
    char name[48];
    bool fhir;                   /* protocol fhir: h, else s */
    struct mllp_sender *s;
    struct http_sender *h;
    struct store_outbox_row row; /* the one in flight (body owned) */
    bool have_row;
    int64_t fail_ward_ms;        /* ward clock when the sender began failing, 0 not */
    struct export_status st;     /* as of the last tick (the status line) */
};

struct export {
    struct loop *l;
    struct store *st;
    const struct ward *w;
    int64_t now;
    struct hl7_ident ident;
    struct fhir_ident fident;
    int64_t tick_ms; /* the ward tick running (export_before_tick) */
    export_bed_info_cb info;
    void *info_ctx;
    struct dest d[2 * CONFIG_MAX_EXPORTS];
    int n;
    size_t nacc; /* beds each observation accumulator holds: the ward's */
};

static int d_next(void *ctx, struct mllp_out *out)
{
    struct dest *d = ctx;
    char err[256];
    store_outbox_row_free(&d->row);
    d->have_row = false;
    int rc = store_outbox_next(d->e->st, d->name, &d->row, err, sizeof err);
    if (rc < 0)
        log_msg(LOG_WARN, "export %s: %s", d->name, err);
    if (rc != 1)
        return 0;
    d->have_row = true;
    out->row = d->row.id;
    ww_strlcpy(out->control_id, d->row.control_id, sizeof out->control_id);
    out->msg = d->row.body;
    out->len = d->row.len;
    return 1;
}

static void d_done(void *ctx, int64_t row, enum hl7_verdict v, const char *why)
{
    struct dest *d = ctx;
    char err[256];
    if (store_outbox_settle(d->e->st, row, v == HL7_DELIVERED, why, ww_now_ms(), err,
                            sizeof err) < 0)
        /* the row stays pending and goes again: a duplicate, never a loss */
        log_msg(LOG_ERROR, "export %s: %s", d->name, err);
}

static int h_next(void *ctx, struct http_out *out)
{
    struct mllp_out m = {0};
    if (d_next(ctx, &m) != 1)
        return 0;
    out->row = m.row;
    out->body = m.msg;
    out->len = m.len;
    return 1;
}

static enum hl7_verdict h_judge(void *ctx, int64_t row, long status, const char *body,
                                size_t len, char *why, size_t whylen)
{
    struct dest *d = ctx;
    int n = d->have_row && d->row.id == row ? fhir_bundle_entries(d->row.body, d->row.len) : -1;
    if (n < 0) {
        /* the row went (a store error after the send): ask again */
        snprintf(why, whylen, "message %lld no longer at hand", (long long)row);
        return HL7_RETRY;
    }
    return fhir_verdict(status, body, len, n, why, whylen);
}

static int prio_of(const char *name)
{
    for (int p = AP_LOW; p <= AP_HIGH; p++)
        if (!strcmp(alarm_priority_name((enum alarm_priority)p), name))
            return p;
    return -1;
}

/* The median of a histogram's values (ww_median_hist, the one median),
 * rounded once by the chart's rule. */
static int hist_median(const uint16_t *h, int bins, enum news2_param p)
{
    return (int)news2_round(p, ww_median_hist(h, (size_t)bins));
}

static void acc_add(uint16_t *h, int bins, int *n, double v)
{
    if (!(v >= 0) || v >= bins)
        return;
    int k = (int)news2_round(NEWS2_RR, v);
    if (k < 0 || k >= bins || h[k] == UINT16_MAX)
        return;
    h[k]++;
    (*n)++;
}

void export_before_tick(struct export *e, const struct ward *w, int64_t now_ms)
{
    if (!e)
        return;
    e->w = w;
    e->tick_ms = now_ms;
}

/* The value and limit that raised a rate alarm, from the bed now (the
 * raise is in this tick): the alarm machine's whole number. */
static void raise_value(struct export *e, const struct store_alarm_tx *a, struct hl7_alert *m)
{
    bool rr = m->cond == AC_RR_HIGH || m->cond == AC_RR_LOW;
    bool high = m->cond == AC_RR_HIGH || m->cond == AC_HR_HIGH;
    if (!rr && m->cond != AC_HR_HIGH && m->cond != AC_HR_LOW)
        return;
    if (!e->w || a->t != e->tick_ms || m->kind != AE_RAISED)
        return; /* written after the tick that raised it: no stale value */
    for (size_t i = 0; i < ward_nbeds(e->w); i++) {
        const struct ward_bed *b = ward_bed(e->w, i);
        if (b->number != a->bed)
            continue;
        const struct ward_value *v = &b->param[rr ? NEWS2_RR : NEWS2_HR];
        if (!v->have || v->stale)
            return;
        m->have_value = true;
        m->value = (int)floor(v->value + 0.5);
        double lim = rr ? (high ? m->limits.rr_high : m->limits.rr_low)
                        : (high ? m->limits.hr_high : m->limits.hr_low);
        snprintf(m->text, sizeof m->text, "%s %d %s %.0f", rr ? "RR" : "pulse", m->value,
                 high ? ">=" : "<=", lim);
        return;
    }
}

void export_tick(struct export *e, const struct ward *w, int64_t now_ms)
{
    if (!e)
        return;
    e->w = w;
    e->now = now_ms;
    size_t nb = ward_nbeds(w);
    for (int i = 0; i < e->n; i++) {
        struct dest *d = &e->d[i];
        /* how long it has been failing, by the ward clock (the demo's
         * accelerated clock too), and how far behind it is */
        export_status(e, i, &d->st);
        if (!d->st.failing_since_ms)
            d->fail_ward_ms = 0;
        else if (!d->fail_ward_ms)
            d->fail_ward_ms = now_ms;
        if (d->alarms || !d->acc)
            continue;
        if (!d->period_start)
            d->period_start = now_ms / (d->cfg->period_s * 1000LL) * d->cfg->period_s * 1000LL;
        for (size_t b = 0; b < nb && b < e->nacc; b++) {
            const struct ward_bed *wb = ward_bed(w, b);
            struct hist_acc *a = &d->acc[b];
            if (!wb->admitted)
                continue;
            if (wb->radar_rr.have && !wb->radar_rr.stale && wb->radar_rr.t_ms >= d->period_start) {
                acc_add(a->rr, RR_BINS, &a->nrr, wb->radar_rr.value);
                a->rr_ms = wb->radar_rr.t_ms;
            }
            if (wb->radar_hr.have && !wb->radar_hr.stale && wb->radar_hr.t_ms >= d->period_start) {
                acc_add(a->hr, HR_BINS, &a->nhr, wb->radar_hr.value);
                a->hr_ms = wb->radar_hr.t_ms;
            }
        }
    }
}

/* One ORU^R01 per admitted bed for the period [t0, t1) of dest d. */
static int put_observations(struct export *e, struct store *st, struct dest *d, int64_t t0,
                            int64_t t1)
{
    size_t nb = ward_nbeds(e->w);
    for (size_t b = 0; b < nb && b < e->nacc; b++) {
        const struct ward_bed *wb = ward_bed(e->w, b);
        struct hist_acc *a = &d->acc[b];
        if (!wb->admitted) {
            memset(a, 0, sizeof *a);
            continue;
        }
        struct hl7_obs o = {0};
        /* deterministic: destination, bed, period; unique per destination */
        snprintf(o.control_id, sizeof o.control_id, "%s%d-%lld", d->fhir ? "WWF" : "WWO",
                 wb->number, (long long)(t0 / 1000));
        o.msg_ms = t1;
        o.t0_ms = t0;
        o.t1_ms = t1;
        if (e->info(e->info_ctx, wb->number, &o.subj, &o.limits) < 0)
            continue;
        if (a->nrr) {
            o.have_rr = true;
            o.rr = hist_median(a->rr, RR_BINS, NEWS2_RR);
            o.rr_ms = a->rr_ms;
        }
        if (a->nhr) {
            o.have_hr = true;
            o.hr = hist_median(a->hr, HR_BINS, NEWS2_HR);
            o.hr_ms = a->hr_ms;
        }
        for (int p = 0; p < NEWS2_NPARAMS && o.nmanual < HL7_MAX_MANUAL; p++) {
            const struct ward_value *v = &wb->param[p];
            if (!v->have || v->automatic || v->t_ms < t0 || v->t_ms >= t1)
                continue;
            struct hl7_manual *m = &o.manual[o.nmanual++];
            m->param = (enum news2_param)p;
            m->value = v->value;
            m->t_ms = v->t_ms;
            ww_strlcpy(m->by, v->by, sizeof m->by);
        }
        if (wb->score_valid) {
            o.have_news2 = true;
            o.news2_total = wb->score.total;
            o.news2_partial = wb->score.partial;
            o.news2_missing = wb->score.missing;
            o.news2_stale = wb->score.stale;
            o.news2_ms = t1;
        }
        struct hl7_ident id = e->ident;
        ww_strlcpy(id.facility, d->cfg->facility, sizeof id.facility);
        ww_strlcpy(id.receiver_app, d->cfg->receiver, sizeof id.receiver_app);
        char err[256];
        size_t len;
        int nentries;
        struct fhir_ident fid = e->fident;
        ww_strlcpy(fid.patient_system, d->cfg->patient_system, sizeof fid.patient_system);
        char *msg = d->fhir ? fhir_build_bundle(&fid, wb->number, &o, &len, &nentries, err,
                                                sizeof err)
                            : hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
        if (!msg) {
            log_msg(LOG_ERROR, "export %s: bed %d: %s", d->cfg->name, wb->number, err);
            continue; /* a bed without a patient reference: nothing to chart */
        }
        int rc = store_outbox_put(st, d->cfg->name, o.control_id, wb->number, t1, msg, len);
        free(msg);
        if (rc < 0)
            return -1;
    }
    /* the values stay until the store says the flush committed (flushed):
     * a failed put, or a COMMIT that fails after every put went in, fails
     * the whole transaction, and the next flush builds every bed's message
     * again from the same values, with the same control ids */
    return 0;
}

/* Inside the store's transaction: one ORU^R40 per alarm destination, or at
 * a flush the observations of every period that ended. */
static int hook(void *ctx, struct store *st, const struct store_alarm_tx *a)
{
    struct export *e = ctx;
    if (!a) {
        for (int i = 0; e->w && i < e->n; i++) {
            struct dest *d = &e->d[i];
            int64_t len = d->cfg->period_s * 1000LL;
            if (d->alarms || !d->period_start || e->now < d->period_start + len)
                continue;
            /* a gap (the store down for periods) is one message, not many,
             * covering the whole gap: the radar's values and the hand
             * entries of every period in it, the score as of its end */
            int64_t end = e->now / len * len;
            if (put_observations(e, st, d, d->period_start, end) < 0)
                return -1;
            d->put_end = end;
        }
        return 0;
    }
    int kind = alarm_event_find(a->event);
    int cond = alarm_condition_find(a->condition);
    if (kind < 0 || cond < 0) {
        log_msg(LOG_ERROR, "export: alarm %lld: unknown event '%s' or condition '%s'",
                (long long)a->alarm_id, a->event, a->condition);
        return 0; /* nothing a receiver could read; never hold the ward's record */
    }
    struct hl7_alert m = {0};
    snprintf(m.control_id, sizeof m.control_id, "WWA%lld", (long long)a->event_id);
    m.msg_ms = a->t;
    m.t_ms = a->t;
    if (kind == AE_RAISED) {
        snprintf(m.alert_id, sizeof m.alert_id, "A%lld", (long long)a->alarm_id);
    } else {
        snprintf(m.alert_id, sizeof m.alert_id, "A%lld-%lld", (long long)a->alarm_id,
                 (long long)a->event_id);
        snprintf(m.parent_id, sizeof m.parent_id, "A%lld", (long long)a->alarm_id);
    }
    m.cond = (enum alarm_condition)cond;
    /* the priority is stored with the raise; a later event carries the
     * condition's, which the machine never changes */
    int p = a->priority ? prio_of(a->priority) : -1;
    m.priority = p > 0 ? (enum alarm_priority)p : alarm_priority_of(m.cond);
    m.kind = (enum alarm_event_kind)kind;
    /* the alarm's state after this event, as the ward stored it (alarm_state_after) */
    int rs = alarm_rec_state_find(a->state);
    m.latched = rs == ARS_LATCHED;
    m.acked = rs == ARS_ACKNOWLEDGED || kind == AE_ACKNOWLEDGED;
    ww_strlcpy(m.by, a->staff, sizeof m.by);
    if (e->info(e->info_ctx, a->bed, &m.subj, &m.limits) < 0)
        snprintf(m.subj.bed_label, sizeof m.subj.bed_label, "%d", a->bed);
    if (!m.subj.patient_ref[0])
        ww_strlcpy(m.subj.patient_ref, "UNKNOWN", sizeof m.subj.patient_ref);
    snprintf(m.text, sizeof m.text, "%s", alarm_condition_text(m.cond));
    raise_value(e, a, &m);
    for (int i = 0; i < e->n; i++) {
        struct dest *d = &e->d[i];
        if (!d->alarms)
            continue;
        struct hl7_ident id = e->ident;
        ww_strlcpy(id.facility, d->cfg->facility, sizeof id.facility);
        ww_strlcpy(id.receiver_app, d->cfg->receiver, sizeof id.receiver_app);
        char err[256];
        size_t len;
        char *msg = hl7_build_oru_r40(&id, (enum hl7_alert_codes)d->cfg->alarm_codes, &m, &len,
                                      err, sizeof err);
        if (!msg) {
            log_msg(LOG_ERROR, "export %s: %s", d->name, err);
            return -1;
        }
        int rc = store_outbox_put(st, d->name, m.control_id, a->bed, a->t, msg, len);
        free(msg);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The store's word on the flush the hook put observations in (H20-40):
 * committed, the periods are out and their values go; else nothing of
 * them was written and the next flush makes them again. */
static void flushed(void *ctx, bool committed)
{
    struct export *e = ctx;
    for (int i = 0; i < e->n; i++) {
        struct dest *d = &e->d[i];
        if (!d->put_end)
            continue;
        if (committed) {
            if (d->acc) /* as many as the ward has beds (H19-18) */
                memset(d->acc, 0, e->nacc * sizeof *d->acc);
            d->period_start = d->put_end;
        }
        d->put_end = 0;
    }
}

struct export *export_new(struct loop *l, struct store *st, const struct ward_config *cfg,
                          const struct hl7_ident *ident, export_bed_info_cb info, void *info_ctx,
                          char *err, size_t errlen)
{
    struct export *e = calloc(1, sizeof *e);
    if (!e) {
        ww_err(err, errlen, "export: out of memory");
        return NULL;
    }
    e->l = l;
    e->st = st;
    e->ident = *ident;
    e->info = info;
    e->info_ctx = info_ctx;
    e->nacc = (size_t)cfg->nbeds;
    ww_strlcpy(e->fident.ward, ident->ward, sizeof e->fident.ward);
    for (int i = 0; i < cfg->nexports; i++) {
        const struct config_export *c = &cfg->exports[i];
        for (int k = 0; k < 2; k++) {
            /* fhir: observations only (alarms are hl7's PCD-04) */
            if (k == 1 && (!c->alarms || c->protocol == EXPORT_FHIR))
                continue;
            struct dest *d = &e->d[e->n];
            d->e = e;
            d->cfg = c;
            d->alarms = k == 1;
            snprintf(d->name, sizeof d->name, k ? "%s/alarms" : "%s", c->name);
            if (!d->alarms) {
                d->acc = calloc(e->nacc + 1, sizeof *d->acc);
                if (!d->acc) {
                    ww_err(err, errlen, "export: out of memory for %zu beds", e->nacc);
                    export_free(e);
                    return NULL;
                }
            }
            if (c->protocol == EXPORT_FHIR) {
                d->fhir = true;
                struct http_params hp = {.timeout_ms = c->ack_timeout_s * 1000,
                                         .retry_min_ms = 1000,
                                         .retry_max_ms = 60000,
                                         .content_type = "application/fhir+json"};
                static const struct http_ops hops = {h_next, h_judge, d_done};
                d->h = http_sender_new(l, d->name, c->url, &hp, &hops, d, err, errlen);
            } else {
                struct mllp_params p = {.ack_timeout_ms = c->ack_timeout_s * 1000,
                                        .retry_min_ms = 1000,
                                        .retry_max_ms = 60000};
                static const struct mllp_ops ops = {d_next, d_done};
                d->s = mllp_sender_new(l, d->name, c->host, c->port, &p, &ops, d, err, errlen);
            }
            if (!d->s && !d->h) {
                free(d->acc);
                export_free(e);
                return NULL;
            }
            e->n++;
        }
    }
    if (e->n) {
        store_set_outbox_hook(st, hook, e);
        store_set_outbox_done(st, flushed);
    }
    export_kick(e); /* what a restart left pending goes now */
    return e;
}

void export_free(struct export *e)
{
    if (!e)
        return;
    if (e->n) {
        store_set_outbox_hook(e->st, NULL, NULL);
        store_set_outbox_done(e->st, NULL);
    }
    for (int i = 0; i < e->n; i++) {
        mllp_sender_free(e->d[i].s);
        http_sender_free(e->d[i].h);
        store_outbox_row_free(&e->d[i].row);
        free(e->d[i].acc);
    }
    free(e);
}

void export_kick(struct export *e)
{
    for (int i = 0; e && i < e->n; i++) {
        if (e->d[i].fhir)
            http_sender_kick(e->d[i].h);
        else
            mllp_sender_kick(e->d[i].s);
    }
}

int export_count(const struct export *e) { return e ? e->n : 0; }

/* "HH:MM" of a ward time (local). */
static void hhmm(int64_t ms, char out[8])
{
    char t[32];
    ww_fmt_time(ms, t, sizeof t);
    snprintf(out, 8, "%.5s", t + 11);
}

bool export_failing(const struct export *e, char *text, size_t n)
{
    bool any = false;
    if (n)
        text[0] = 0;
    for (int i = 0; e && i < e->n; i++) {
        const struct dest *d = &e->d[i];
        if (!d->fail_ward_ms || e->now - d->fail_ward_ms < d->cfg->fail_alarm_min * 60000LL)
            continue;
        if (!any && n) {
            char t[8];
            hhmm(d->fail_ward_ms, t);
            snprintf(text, n, "export to %s failing since %s", d->name, t);
        }
        any = true;
    }
    return any;
}

void export_dest_text(const char *name, enum export_state state, const char *since,
                      int64_t pending, int64_t behind_ms, bool dead, char *buf, size_t n)
{
    char what[128];
    if (state == EXPORT_ST_FAILING)
        snprintf(what, sizeof what, _("FAILING since %s, %lld waiting"), since,
                 (long long)pending);
    else if (state == EXPORT_ST_RETRYING)
        snprintf(what, sizeof what, _("retrying, %lld waiting"), (long long)pending);
    else if (behind_ms >= 60000)
        snprintf(what, sizeof what, _("%lld min behind"), (long long)(behind_ms / 60000));
    else
        snprintf(what, sizeof what, "%s", _("ok"));
    snprintf(buf, n, _("export %s %s%s"), name, what, dead ? _(" (dead letters)") : "");
}

void export_summary(const struct export *e, char *buf, size_t n)
{
    size_t o = 0;
    if (n)
        buf[0] = 0;
    for (int i = 0; e && i < e->n && o < n; i++) {
        const struct dest *d = &e->d[i];
        char t[8] = "";
        int64_t behind = d->st.oldest_ms ? e->now - d->st.oldest_ms : 0;
        enum export_state s = EXPORT_ST_OK;
        if (d->fail_ward_ms && e->now - d->fail_ward_ms >= d->cfg->fail_alarm_min * 60000LL) {
            hhmm(d->fail_ward_ms, t);
            s = EXPORT_ST_FAILING;
        } else if (d->fail_ward_ms) {
            s = EXPORT_ST_RETRYING;
        }
        if (i && n - o > 2)
            o += (size_t)snprintf(buf + o, n - o, ", ");
        export_dest_text(d->name, s, t, d->st.pending, behind, d->st.dead > 0, buf + o, n - o);
        o += strlen(buf + o);
    }
}

int export_status(struct export *e, int i, struct export_status *out)
{
    if (!e || i < 0 || i >= e->n)
        return -1;
    struct dest *d = &e->d[i];
    memset(out, 0, sizeof *out);
    ww_strlcpy(out->dest, d->name, sizeof out->dest);
    char err[256];
    if (store_outbox_pending(e->st, d->name, &out->pending, &out->oldest_ms, &out->dead, err,
                             sizeof err) < 0)
        ww_strlcpy(out->last_error, err, sizeof out->last_error);
    if (d->fhir) {
        struct http_status hs;
        http_sender_status(d->h, &hs);
        out->failing_since_ms = hs.failing_since_ms;
        if (hs.last_error[0])
            ww_strlcpy(out->last_error, hs.last_error, sizeof out->last_error);
    } else {
        struct mllp_status ms;
        mllp_sender_status(d->s, &ms);
        out->failing_since_ms = ms.failing_since_ms;
        if (ms.last_error[0])
            ww_strlcpy(out->last_error, ms.last_error, sizeof out->last_error);
    }
    return 0;
}
