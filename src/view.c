/*
 * view — the embedded back end: the board's reads and commands straight on
 * the monitor's ward in this process (see view.h).
 */
#include "view.h"

#include "monitor.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t e_nbeds(void *ctx)
{
    return ward_nbeds(monitor_ward(ctx));
}

static const struct ward_bed *e_bed(void *ctx, size_t i)
{
    return ward_bed(monitor_ward(ctx), i);
}

static const struct ward_config *e_config(void *ctx)
{
    return ward_config(monitor_ward(ctx));
}

static int64_t e_now(void *ctx)
{
    return monitor_now(ctx);
}

static bool e_store_ok(void *ctx)
{
    return ward_store_ok(monitor_ward(ctx));
}

static const struct alarm_audio *e_audio(void *ctx)
{
    return ward_audio(monitor_ward(ctx));
}

static void e_summary(void *ctx, char *buf, size_t n)
{
    monitor_sensor_summary(ctx, buf, n);
}

static int e_history(void *ctx, size_t bed, int64_t t0, int64_t t1, struct ward_history_line *out,
                     int max)
{
    return ward_history(monitor_ward(ctx), bed, t0, t1, out, max);
}

/* Runs the command now: the answer is known before this returns. */
static int e_command(void *ctx, const struct ward_cmd *c, view_reply_cb cb, void *cbctx, char *err,
                     size_t errlen)
{
    char why[512];
    int rc = ward_cmd_exec(monitor_ward(ctx), c, monitor_now(ctx), why, sizeof why);
    cb(cbctx, rc >= 0, rc == 0 ? "" : why); /* rc 1: held, why says so */
    return 0;
}

static enum view_link e_link(void *ctx, char *detail, size_t n, int64_t *since)
{
    if (n)
        detail[0] = 0;
    if (since)
        *since = 0;
    return VIEW_LOCAL;
}

static void e_set_listener(void *ctx, view_event_cb cb, void *cbctx)
{
    /* The only terminal of an in-process ward has nothing to hear from. */
}

int view_handover_from(const struct handover *h, struct view_handover *out)
{
    memset(out, 0, sizeof *out);
    handover_header(h, out->head[0], out->head[1], out->head[2], sizeof out->head[0]);
    size_t n;
    struct handover_line *v = handover_lines(h, &n);
    if (!v)
        return -1;
    /* The plots are for paper only. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].kind != HL_PLOT)
            v[k++] = v[i];
    out->lines = v;
    out->n = k;
    return 0;
}

void view_handover_free(struct view_handover *h)
{
    free(h->lines);
    h->lines = NULL;
    h->n = 0;
}

/* The first whole minute of the admission: a minute that began before it
 * may hold the previous patient's values. */
static int64_t admission_cutoff(const struct ward_bed *b)
{
    int64_t m = hist_minute_of(b->admitted_at);
    return m * 60000 == b->admitted_at ? b->admitted_at : (m + 1) * 60000;
}

void view_trend(const struct ward_bed *b, int series, int64_t now, int64_t span_ms, float *out,
                size_t npoints)
{
    const struct hist *h = series == 0 ? &b->h_rr : series == 1 ? &b->h_hr : &b->h_news2;
    int64_t cut = admission_cutoff(b);
    for (size_t i = 0; i < npoints; i++) {
        int64_t t0 = now - span_ms + (int64_t)((double)span_ms * i / npoints);
        int64_t t1 = now - span_ms + (int64_t)((double)span_ms * (i + 1) / npoints);
        if (!b->admitted || t1 <= cut)
            out[i] = NAN;
        else if (t1 - t0 < 60000) /* a bucket shorter than a minute shows its minute */
            out[i] = t1 - 1 >= cut ? hist_minute(h, t1 - 1) : NAN;
        else
            out[i] = hist_mean(h, t0 > cut ? t0 : cut, t1);
    }
}

int view_trend_arrow(const struct ward_bed *b, int series, int64_t now)
{
    if (!b->admitted || now - admission_cutoff(b) < 15 * 60000LL)
        return 0;
    return series == 0 ? b->trend_rr : b->trend_hr;
}

int view_shift_period(const struct ward_config *cfg, const char *name, int step, int64_t now,
                      char *period, size_t n, int64_t *t0, int64_t *t1, char *err,
                      size_t errlen)
{
    if (step < 0 || step > 2)
        return ww_err(err, errlen, "shift step %d (0, 1 or 2)", step);
    const char *cur = name && *name ? name : handover_current_shift(cfg, now);
    int i = 0;
    while (i < 3 && strcmp(cfg->shifts[i].name, cur))
        i++;
    if (i == 3)
        return ww_err(err, errlen, "unknown shift '%s' (accepted: %s, %s, %s)", cur,
                      cfg->shifts[0].name, cfg->shifts[1].name, cfg->shifts[2].name);
    const char *pick = cfg->shifts[(i + step) % 3].name;
    if (handover_shift_period(cfg, pick, now, t0, t1, err, errlen) < 0)
        return -1;
    ww_strlcpy(period, pick, n);
    return 0;
}

/* Made here and answered before this returns: the in-process board's loop
 * is the core's, and the model takes ~0.2 s for 32 beds x 12 h. */
static int e_handover(void *ctx, const char *period, int step, const char *staff,
                      view_handover_cb cb, void *cbctx, char *err, size_t errlen)
{
    struct ward *w = monitor_ward(ctx);
    int64_t now = monitor_now(ctx);
    char name[16], why[512];
    int64_t t0, t1;
    if (view_shift_period(ward_config(w), period, step, now, name, sizeof name, &t0, &t1, err,
                          errlen) < 0)
        return -1;
    /* Audited before anything is shown: who, where, which period. */
    char detail[200], tty[64] = "";
    if (ttyname_r(0, tty, sizeof tty) != 0)
        ww_strlcpy(tty, "?", sizeof tty);
    snprintf(detail, sizeof detail, "handover preview %s %lld-%lld on the in-process board, %s",
             name, (long long)t0, (long long)t1, tty);
    if (ward_cmd_handover_audit(w, WARD_CMD_NO_BED, "view", detail, staff, now, err, errlen) < 0)
        return -1;
    struct handover *h = ward_handover(w, name, t0, t1, "-", now, why, sizeof why);
    if (!h) {
        cb(cbctx, NULL, why);
        return 0;
    }
    struct view_handover vh;
    int rc = view_handover_from(h, &vh);
    handover_free(h);
    if (rc < 0) {
        cb(cbctx, NULL, "out of memory");
        return 0;
    }
    ww_strlcpy(vh.period, name, sizeof vh.period);
    vh.t0 = t0;
    vh.t1 = t1;
    cb(cbctx, &vh, "");
    view_handover_free(&vh);
    return 0;
}

static int e_print_handover(void *ctx, const char *period, int64_t t0, int64_t t1,
                            const char *staff, view_reply_cb cb, void *cbctx, char *err,
                            size_t errlen)
{
    return ward_print_handover_start(monitor_ward(ctx), monitor_loop(ctx), period, t0, t1, staff,
                                     monitor_now(ctx), cb, cbctx, err, errlen);
}

static const struct view_ops embedded_ops = {
    e_nbeds,   e_bed,     e_config,  e_now,  e_store_ok,     e_audio,
    e_summary, e_history, e_command, e_link, e_set_listener, e_handover,
    e_print_handover,
};

/* The in-process back end. */
struct view view_embedded(struct monitor *m)
{
    return (struct view){&embedded_ops, m};
}
