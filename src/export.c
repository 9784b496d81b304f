/*
 * export — alarms to the hospital through the outbox (see export.h).
 */
#include "export.h"
#include "log.h"
#include "loop.h"
#include "mllp.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dest {
    struct export *e;
    const struct config_export *cfg;
    char name[48];
    struct mllp_sender *s;
    struct store_outbox_row row; /* the one in flight (body owned) */
    bool have_row;
};

struct export {
    struct loop *l;
    struct store *st;
    struct hl7_ident ident;
    export_bed_info_cb info;
    void *info_ctx;
    struct dest d[CONFIG_MAX_EXPORTS];
    int n;
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

static int kind_of(const char *event)
{
    for (int k = 0; k < AE_COUNT; k++)
        if (!strcmp(alarm_event_name((enum alarm_event_kind)k), event))
            return k;
    return -1;
}

static int prio_of(const char *name)
{
    for (int p = AP_LOW; p <= AP_HIGH; p++)
        if (!strcmp(alarm_priority_name((enum alarm_priority)p), name))
            return p;
    return -1;
}

/* Inside the store's transaction: one ORU^R40 per alarm destination. */
static int hook(void *ctx, struct store *st, const struct store_alarm_tx *a)
{
    struct export *e = ctx;
    if (!a)
        return 0; /* the periodic ORU^R01 is not built yet */
    int kind = kind_of(a->event);
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
    m.latched = !strcmp(a->state, "latched");
    m.acked = !strcmp(a->state, "acknowledged") || kind == AE_ACKNOWLEDGED;
    ww_strlcpy(m.by, a->staff, sizeof m.by);
    if (e->info(e->info_ctx, a->bed, &m.subj, &m.limits) < 0)
        snprintf(m.subj.bed_label, sizeof m.subj.bed_label, "%d", a->bed);
    if (!m.subj.patient_ref[0])
        ww_strlcpy(m.subj.patient_ref, "UNKNOWN", sizeof m.subj.patient_ref);
    snprintf(m.text, sizeof m.text, "%s", alarm_condition_text(m.cond));
    for (int i = 0; i < e->n; i++) {
        struct dest *d = &e->d[i];
        if (!d->cfg->alarms)
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
    for (int i = 0; i < cfg->nexports; i++) {
        const struct config_export *c = &cfg->exports[i];
        if (c->protocol != EXPORT_HL7 || !c->alarms)
            continue;
        struct dest *d = &e->d[e->n];
        d->e = e;
        d->cfg = c;
        snprintf(d->name, sizeof d->name, "%s/alarms", c->name);
        struct mllp_params p = {.ack_timeout_ms = c->ack_timeout_s * 1000,
                                .retry_min_ms = 1000,
                                .retry_max_ms = 60000};
        static const struct mllp_ops ops = {d_next, d_done};
        d->s = mllp_sender_new(l, d->name, c->host, c->port, &p, &ops, d, err, errlen);
        if (!d->s) {
            export_free(e);
            return NULL;
        }
        e->n++;
    }
    if (e->n)
        store_set_outbox_hook(st, hook, e);
    export_kick(e); /* what a restart left pending goes now */
    return e;
}

void export_free(struct export *e)
{
    if (!e)
        return;
    if (e->n)
        store_set_outbox_hook(e->st, NULL, NULL);
    for (int i = 0; i < e->n; i++) {
        mllp_sender_free(e->d[i].s);
        store_outbox_row_free(&e->d[i].row);
    }
    free(e);
}

void export_kick(struct export *e)
{
    for (int i = 0; e && i < e->n; i++)
        mllp_sender_kick(e->d[i].s);
}

int export_count(const struct export *e) { return e ? e->n : 0; }

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
    struct mllp_status ms;
    mllp_sender_status(d->s, &ms);
    out->failing_since_ms = ms.failing_since_ms;
    if (ms.last_error[0])
        ww_strlcpy(out->last_error, ms.last_error, sizeof out->last_error);
    return 0;
}
