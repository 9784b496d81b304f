/*
 * view — what a bed-board reads and sends, behind one const struct of
 * function pointers, so the same board runs on two back ends:
 *
 *   embedded  the monitoring core in this process (view_embedded over a
 *             monitor): reads go straight to the ward, commands run through
 *             ward_cmd_exec and are answered before command() returns;
 *   attached  a mirror of a `wardwatch serve` ward fed over its socket
 *             (client.h): reads come from the mirror, commands travel to the
 *             server and are answered when the server has committed them,
 *             while the loop keeps running.
 *
 * The board never learns which one it has, except through link(): the
 * connection state it must show (a lost server is a technical alarm on that
 * terminal, and every value is then stale).
 */
#ifndef WW_VIEW_H
#define WW_VIEW_H

#include "alarm.h"
#include "config.h"
#include "handover.h"
#include "ward.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct monitor;

enum view_link {
    VIEW_LOCAL,      /* in this process */
    VIEW_CONNECTED,  /* attached, snapshot received, updates flowing */
    VIEW_CONNECTING, /* attached, no snapshot yet (first connection) */
    VIEW_LOST,       /* attached, the server went away: data is stale */
};

/* The answer to a command: ok, or the refusal (translated for the nurse). */
typedef void (*view_reply_cb)(void *ctx, bool ok, const char *message);
/* Something the ward did that the nurse should read (another terminal's
 * acknowledgement, a lost or regained server), for the message line; text
 * NULL: data a read may want again (history) has arrived. */
typedef void (*view_event_cb)(void *ctx, bool alert, const char *text);

/* A handover preview: the page header's three lines, the period it is of
 * (as the core that owns the ward's [shifts] worked it out) and the body. */
struct view_handover {
    char head[3][256];
    char period[16];
    int64_t t0, t1;
    struct handover_line *lines;
    size_t n;
};
/* The answer to a preview request: h, or NULL and why it was refused. The
 * callee may take h->lines (leaving NULL); what it leaves is freed. */
typedef void (*view_handover_cb)(void *ctx, struct view_handover *h, const char *why);

/* The shift named name ("" or NULL: the one containing now), moved step
 * (0..2) shifts on in the ward's [shifts] order, as a period: the one
 * containing now, else the last one ended. Only the core that owns the
 * configuration answers this (an attached board has no [shifts]). 0, or -1
 * with why. */
int view_shift_period(const struct ward_config *cfg, const char *name, int step, int64_t now,
                      char *period, size_t n, int64_t *t0, int64_t *t1, char *err,
                      size_t errlen);

/* The preview of a handover model: header, lines without the plots. 0 or
 * -1 (out of memory). */
int view_handover_from(const struct handover *h, struct view_handover *out);

struct view_ops {
    size_t (*nbeds)(void *ctx);
    const struct ward_bed *(*bed)(void *ctx, size_t i);
    /* name, staff list (the board pre-validates initials against it) */
    const struct ward_config *(*config)(void *ctx);
    int64_t (*now)(void *ctx); /* the ward clock, epoch ms */
    bool (*store_ok)(void *ctx);
    const struct alarm_audio *(*audio)(void *ctx);
    void (*sensor_summary)(void *ctx, char *buf, size_t n);
    /* A bed's observation/note/alarm history lines (see ward_history); the
     * attached view answers from a cache it refreshes in the background. */
    int (*history)(void *ctx, size_t bed, int64_t t0, int64_t t1, struct ward_history_line *out,
                   int max);
    /* Send a command. -1 with err: refused before anything was sent (not
     * connected, one still waiting); 0: cb is called exactly once with the
     * answer (possibly before command() returns). */
    int (*command)(void *ctx, const struct ward_cmd *c, view_reply_cb cb, void *cbctx, char *err,
                   size_t errlen);
    /* Connection state; detail gets a short text ("/run/wardwatch/ward.sock",
     * "lost 12 s ago: connection refused"). since_ms: when it last changed. */
    enum view_link (*link)(void *ctx, char *detail, size_t n, int64_t *since_mono_ms);
    void (*set_listener)(void *ctx, view_event_cb cb, void *cbctx);
    /* The handover preview of a shift: the shift named period ("" the
     * current one) moved step (0..2) shifts on, worked out by the core that
     * owns the ward's [shifts] (#19: an attached board has none). Never
     * waits: -1 with err when refused at once, else 0 and cb(cbctx, ...)
     * exactly once later (the in-process core may answer before this
     * returns). staff: who views it; the view is audited (who, where,
     * which period) and refused when it cannot be.
     * The print does not wait either: -1 with err when refused at once,
     * else 0 and cb(cbctx, ok, lp's request line or why) once when lp has
     * taken it (or failed), audited either way (see
     * ward_print_handover_start). */
    int (*handover)(void *ctx, const char *period, int step, const char *staff,
                    view_handover_cb cb, void *cbctx, char *err, size_t errlen);
    int (*print_handover)(void *ctx, const char *period, int64_t t0, int64_t t1,
                          const char *staff, view_reply_cb cb, void *cbctx, char *err,
                          size_t errlen);
};

/* Free out->lines after use. */
void view_handover_free(struct view_handover *h);

/* A bed's trend for the detail view, like hist_series (npoints equal
 * buckets over the span ending at now, NaN where nothing) but of the
 * current admission only (hazard H16-8): nothing before the first whole
 * minute after admitted_at, and all NaN for a free bed. series: 0 RR, 1 HR,
 * 2 NEWS2. */
void view_trend(const struct ward_bed *b, int series, int64_t now, int64_t span_ms, float *out,
                size_t npoints);
/* The bed's RR or HR trend arrow (series 0 or 1: -1, 0, +1), 0 until the
 * admission is older than the 15 minutes the arrow compares. */
int view_trend_arrow(const struct ward_bed *b, int series, int64_t now);

struct view {
    const struct view_ops *ops;
    void *ctx;
};

/* The in-process back end over a running monitor. */
struct view view_embedded(struct monitor *m);

#endif
