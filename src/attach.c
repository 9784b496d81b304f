/*
 * attach — the server's ward mirrored on a board (see attach.h). The mirror
 * is a fixed array of ward_bed (decoded BED frames overwrite the fields on
 * the wire; histories come from HIST frames and the current minute carried
 * by each BED), a ward_config holding the ward name and staff list from
 * WELCOME, and the ward clock from STATE, run forward locally between
 * frames. One command may wait for its REPLY at a time (the board sends
 * one form at a time).
 */
#include "attach.h"

#include "log.h"
#include "proto.h"
#include "util.h"

#include <errno.h>
#include <libintl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define _(s) gettext(s)

#define SILENCE_MS 5000 /* nothing from a connected server this long: lost */
#define RETRY_MS 1000   /* reconnect attempts */
#define HISTORY_MS 3000 /* refresh of the detail view's history */
#define OUT_CAP 65536
#define HANDOVER_WAIT_MS 15000 /* the server builds it from the store */

enum astate { A_IDLE, A_HANDSHAKE, A_SYNCED };

struct attach {
    struct loop *l;
    char path[108];
    char name[PROTO_MAX_NAME + 1];
    int fd;
    enum astate st;
    bool welcomed;    /* WELCOME received on this connection */
    bool ever_synced; /* a snapshot was received once: the data is a ward's */
    int64_t since;    /* monotonic: the link state changed */
    int64_t last_rx;  /* monotonic: last frame */
    int64_t last_try;
    char why[600]; /* why the link is down */
    int timer;
    /* the mirror */
    struct ward_config *cfg;
    struct ward_bed *beds; /* nbeds, from the WELCOME */
    struct ward_bed *scratch;
    size_t nbeds;
    int64_t now_ms, now_mono;
    bool store_ok;
    char exports[200]; /* the server's export status (STATE) */
    struct alarm_audio audio;
    /* I/O */
    uint8_t in[PROTO_MAX_FRAME];
    size_t inlen;
    uint8_t out[OUT_CAP];
    size_t outlen;
    uint8_t frame[PROTO_MAX_FRAME];
    struct proto_hist hist;
    struct proto_history history;
    /* the command waiting for its REPLY */
    bool pending;
    uint32_t req, next_req;
    view_reply_cb cb;
    void *cbctx;
    /* a print waiting for its REPLY (lp may take its time: other commands
     * go on meanwhile) */
    bool ppending;
    uint32_t preq;
    view_reply_cb pcb;
    void *pcbctx;
    /* history cache for the detail view */
    struct ward_history_line hlines[PROTO_MAX_HISTORY];
    int hn;
    size_t hbed;
    bool hvalid, hasked;
    uint32_t hreq;
    /* the bed's admission when the lines were asked for (the cache is
     * shown only while it is still the bed's admission: H16-8) */
    int64_t hadm, hreq_adm;
    int64_t hat;
    view_event_cb ecb;
    void *ectx;
    /* the handover preview being received: the board's loop runs on, the
     * answer goes to hocb (#19 defect 3: nothing stops a board's loop) */
    struct proto_hopart *hopart;
    bool howait;
    uint32_t horeq;
    struct view_handover ho;
    size_t hogot;
    int64_t hostart; /* monotonic: asked */
    view_handover_cb hocb;
    void *hoctx;
};

static void on_io(struct loop *l, int fd, int ev, void *ctx);

/* The preview asked for is answered (h) or given up (why); the board hears
 * it once. */
static void ho_finish(struct attach *a, bool ok, const char *why)
{
    if (!a->howait)
        return;
    a->howait = false;
    if (a->hocb)
        a->hocb(a->hoctx, ok ? &a->ho : NULL, ok ? "" : why);
    view_handover_free(&a->ho);
}

/* Tell the board something (the message line). */
static void notify(struct attach *a, bool alert, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify(struct attach *a, bool alert, const char *fmt, ...)
{
    if (!a->ecb)
        return;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    a->ecb(a->ectx, alert, text);
}

/* Drop the connection; the mirror stays, marked lost. */
static void disconnect(struct attach *a, const char *why)
{
    if (a->fd >= 0) {
        loop_del_fd(a->l, a->fd);
        close(a->fd);
        a->fd = -1;
    }
    bool was_synced = a->st == A_SYNCED;
    a->st = A_IDLE;
    a->inlen = a->outlen = 0;
    a->hasked = false;
    if (why && *why)
        ww_strlcpy(a->why, why, sizeof a->why);
    if (was_synced) {
        a->since = ww_mono_ms();
        log_msg(LOG_WARN, "lost the monitoring server on %s: %s", a->path, a->why);
        notify(a, true,
               _("CONNECTION TO THE MONITORING SERVER LOST (%s): data is stale, reconnecting"),
               a->why);
    }
    if (a->pending) {
        a->pending = false;
        a->cb(a->cbctx, false,
              _("the connection to the server was lost before it answered: check on the board "
                "whether it was saved"));
    }
    ho_finish(a, false, _("the connection to the server was lost"));
    if (a->ppending) {
        a->ppending = false;
        a->pcb(a->pcbctx, false,
               _("the connection to the server was lost before lp answered: check the printer "
                 "queue before printing again"));
    }
}

/* Queue bytes for the server (written at once when possible). */
static int send_bytes(struct attach *a, const uint8_t *p, size_t n)
{
    if (a->fd < 0)
        return -1;
    if (a->outlen == 0) {
        ssize_t w = send(a->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            disconnect(a, strerror(errno));
            return -1;
        }
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        }
        if (n == 0)
            return 0;
    }
    if (a->outlen + n > sizeof a->out)
        return -1; /* the server is not reading */
    memcpy(a->out + a->outlen, p, n);
    a->outlen += n;
    loop_add_fd(a->l, a->fd, LOOP_READ | LOOP_WRITE, on_io, a);
    return 0;
}

/* Frame handlers: one per frame kind the server sends. Each returns 0 when
 * the frame was taken, -1 when malformed (the caller disconnects naming
 * the frame) and 1 when it disconnected itself (the input buffer is gone). */

/* WELCOME: the ward's name, staff list, bed count and clock. Another
 * protocol version is refused naming both (the server says which it
 * speaks; the board would otherwise misread every frame that follows).
 * The beds are as many as the ward has: 40 kB each, a table for the limit
 * of 1024 would be 40 MB per board (H19-18). */
static int on_welcome(struct attach *a, const uint8_t *f, size_t n)
{
    static struct proto_welcome w;
    if (proto_get_welcome(f, n, &w) < 0)
        return -1;
    if (w.version != PROTO_VERSION) {
        char why[160];
        snprintf(why, sizeof why,
                 "the server (wardwatch %s) speaks protocol version %u, this board %u: "
                 "update one of them",
                 w.software, (unsigned)w.version, (unsigned)PROTO_VERSION);
        disconnect(a, why);
        return 1;
    }
    ww_strlcpy(a->cfg->name, w.ward, sizeof a->cfg->name);
    a->cfg->audio_pause_s = w.audio_pause_s;
    a->cfg->nstaff = w.nstaff;
    for (int i = 0; i < w.nstaff; i++)
        ww_strlcpy(a->cfg->staff[i], w.staff[i], sizeof a->cfg->staff[i]);
    if (w.nbeds != a->nbeds || !a->beds) {
        free(a->beds);
        a->nbeds = 0;
        a->beds = calloc(w.nbeds ? w.nbeds : 1, sizeof *a->beds);
        if (!a->beds) {
            char why[96];
            snprintf(why, sizeof why, "out of memory for the ward's %u beds", w.nbeds);
            disconnect(a, why);
            return 1;
        }
        for (size_t i = 0; i < w.nbeds; i++) {
            hist_clear(&a->beds[i].h_rr);
            hist_clear(&a->beds[i].h_hr);
            hist_clear(&a->beds[i].h_news2);
        }
        a->nbeds = w.nbeds;
    }
    a->now_ms = w.now_ms;
    a->now_mono = ww_mono_ms();
    a->welcomed = true;
    return 0;
}

/* STATE: the ward clock, the store, the alarm audio, the exports. */
static int on_state(struct attach *a, const uint8_t *f, size_t n)
{
    struct proto_state s;
    if (proto_get_state(f, n, &s) < 0)
        return -1;
    a->now_ms = s.now_ms;
    a->now_mono = ww_mono_ms();
    a->store_ok = s.store_ok;
    a->audio = s.audio;
    ww_strlcpy(a->exports, s.exports, sizeof a->exports);
    return 0;
}

/* BED: one bed's fields and the current minute of its histories. */
static int on_bed(struct attach *a, const uint8_t *f, size_t n)
{
    uint32_t i;
    struct proto_minute mi;
    /* Decode over a copy so a malformed frame leaves the bed as it was. */
    if (n < PROTO_HEADER + 5)
        return -1;
    i = ((uint32_t)f[5] << 24) | ((uint32_t)f[6] << 16) | ((uint32_t)f[7] << 8) | f[8];
    if (i >= a->nbeds)
        return -1;
    *a->scratch = a->beds[i];
    if (proto_get_bed(f, n, &i, a->scratch, &mi) < 0)
        return -1;
    /* Another admission (or a discharge): the mirrored trends were the
     * previous patient's, as the server's were (H16-8). */
    if (a->scratch->admission_id != a->beds[i].admission_id)
        ward_bed_clear_history(a->scratch);
    proto_minute_apply(&mi, a->scratch);
    a->beds[i] = *a->scratch;
    return 0;
}

/* HIST: 12 h of one series of one bed (the snapshot). */
static int on_hist(struct attach *a, const uint8_t *f, size_t n)
{
    if (proto_get_hist(f, n, &a->hist) < 0 || a->hist.bed >= a->nbeds)
        return -1;
    struct ward_bed *b = &a->beds[a->hist.bed];
    struct hist *h = a->hist.series == PS_RR   ? &b->h_rr
                     : a->hist.series == PS_HR ? &b->h_hr
                                               : &b->h_news2;
    proto_hist_apply(&a->hist, h);
    return 0;
}

/* SYNCED: the snapshot is whole; the link is up (again). */
static int on_synced(struct attach *a, const uint8_t *f, size_t n)
{
    if (proto_get_synced(f, n) < 0)
        return -1;
    if (a->st != A_SYNCED) {
        bool again = a->ever_synced;
        a->st = A_SYNCED;
        a->ever_synced = true;
        a->since = ww_mono_ms();
        a->why[0] = 0;
        log_msg(LOG_INFO, "attached to the monitoring server on %s", a->path);
        if (again)
            notify(a, false, _("connection to the monitoring server restored"));
    }
    return 0;
}

/* EVENT: what someone did, shown on every board (with the terminal). */
static int on_event(struct attach *a, const uint8_t *f, size_t n)
{
    struct proto_event e;
    if (proto_get_event(f, n, &e) < 0)
        return -1;
    if (e.by_staff && a->st == A_SYNCED) {
        if (e.from[0] && strcmp(e.from, a->name))
            notify(a, false, "%s (%s)", e.text, e.from);
        else if (!e.from[0] || !a->pending)
            notify(a, false, "%s", e.text);
    }
    return 0;
}

/* HOPART: part of the handover preview asked for. */
static int on_hopart(struct attach *a, const uint8_t *f, size_t n)
{
    if (!a->hopart && !(a->hopart = malloc(sizeof *a->hopart))) {
        ho_finish(a, false, _("out of memory"));
        return 0;
    }
    struct proto_hopart *p = a->hopart;
    if (proto_get_hopart(f, n, p) < 0)
        return -1;
    if (!a->howait || p->req != a->horeq)
        return 0; /* the answer to a request given up on */
    if (p->first == 0 && !a->ho.lines) {
        a->ho.lines = calloc(p->total ? p->total : 1, sizeof *a->ho.lines);
        if (!a->ho.lines) {
            ho_finish(a, false, _("out of memory"));
            return 0;
        }
        a->ho.n = p->total;
        for (int i = 0; i < 3; i++)
            ww_strlcpy(a->ho.head[i], p->head[i], sizeof a->ho.head[i]);
        /* the period as the server's [shifts] make it */
        ww_strlcpy(a->ho.period, p->period, sizeof a->ho.period);
        a->ho.t0 = p->t0;
        a->ho.t1 = p->t1;
    }
    if (!a->ho.lines || p->first != a->hogot || p->total != a->ho.n)
        return -1; /* parts out of order */
    memcpy(a->ho.lines + p->first, p->line, p->n * sizeof *p->line);
    a->hogot += p->n;
    if (a->hogot == a->ho.n)
        ho_finish(a, true, "");
    return 0;
}

/* REPLY: the answer to a preview, a print or a command. */
static int on_reply(struct attach *a, const uint8_t *f, size_t n)
{
    struct proto_reply r;
    if (proto_get_reply(f, n, &r) < 0)
        return -1;
    if (a->howait && r.req == a->horeq) {
        ho_finish(a, false, r.message);
        return 0;
    }
    if (a->ppending && r.req == a->preq) {
        a->ppending = false;
        a->pcb(a->pcbctx, r.ok, r.message);
        return 0;
    }
    if (a->pending && r.req == a->req) {
        a->pending = false;
        a->cb(a->cbctx, r.ok, r.message);
    }
    return 0;
}

/* HISTORY: the detail view's history lines, into the cache. */
static int on_history(struct attach *a, const uint8_t *f, size_t n)
{
    if (proto_get_history(f, n, &a->history) < 0)
        return -1;
    if (a->history.req == a->hreq) {
        a->hasked = false;
        a->hbed = a->history.bed;
        a->hadm = a->hreq_adm;
        a->hn = a->history.n;
        memcpy(a->hlines, a->history.line, (size_t)a->hn * sizeof a->hlines[0]);
        a->hvalid = true;
        a->hat = ww_mono_ms();
        if (a->ecb)
            a->ecb(a->ectx, false, NULL);
    }
    return 0;
}

/* BYE: the server closes, saying why. */
static int on_bye(struct attach *a, const uint8_t *f, size_t n)
{
    struct proto_bye b;
    if (proto_get_bye(f, n, &b) < 0)
        return -1;
    char why[sizeof b.reason + 16];
    snprintf(why, sizeof why, "server: %s", b.reason);
    disconnect(a, why);
    return 1;
}

/* One frame from the server: 0 taken, -1 malformed, 1 disconnected. */
static int handle(struct attach *a, const uint8_t *f, size_t n)
{
    uint8_t type = proto_frame_type(f);
    if (a->st == A_HANDSHAKE && type != PT_WELCOME && type != PT_BYE && !a->welcomed)
        return -1;
    switch (type) {
    case PT_WELCOME:
        return on_welcome(a, f, n);
    case PT_STATE:
        return on_state(a, f, n);
    case PT_BED:
        return on_bed(a, f, n);
    case PT_HIST:
        return on_hist(a, f, n);
    case PT_SYNCED:
        return on_synced(a, f, n);
    case PT_EVENT:
        return on_event(a, f, n);
    case PT_HOPART:
        return on_hopart(a, f, n);
    case PT_REPLY:
        return on_reply(a, f, n);
    case PT_HISTORY:
        return on_history(a, f, n);
    case PT_BYE:
        return on_bye(a, f, n);
    default:
        return -1;
    }
}

/* Socket readable or writable. */
static void on_io(struct loop *l, int fd, int ev, void *ctx)
{
    struct attach *a = ctx;
    if ((ev & LOOP_WRITE) && a->outlen) {
        ssize_t w = send(a->fd, a->out, a->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            memmove(a->out, a->out + w, a->outlen - (size_t)w);
            a->outlen -= (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            disconnect(a, strerror(errno));
            return;
        }
        if (!a->outlen)
            loop_add_fd(l, a->fd, LOOP_READ, on_io, a);
    }
    if (!(ev & (LOOP_READ | LOOP_HUP)))
        return;
    ssize_t r = read(a->fd, a->in + a->inlen, sizeof a->in - a->inlen);
    if (r == 0) {
        disconnect(a, _("the server closed the connection"));
        return;
    }
    if (r < 0) {
        if (errno != EAGAIN && errno != EINTR)
            disconnect(a, strerror(errno));
        return;
    }
    a->inlen += (size_t)r;
    a->last_rx = ww_mono_ms();
    size_t off = 0, fl;
    int k;
    while ((k = proto_frame(a->in + off, a->inlen - off, &fl)) == 1) {
        int h = handle(a, a->in + off, fl);
        if (h != 0) {
            if (h < 0) {
                char why[64];
                snprintf(why, sizeof why, "malformed %s from the server",
                         proto_type_name(proto_frame_type(a->in + off)));
                disconnect(a, why);
            }
            return; /* disconnected: the buffer is gone */
        }
        off += fl;
    }
    if (k < 0) {
        disconnect(a, "malformed frame from the server");
        return;
    }
    memmove(a->in, a->in + off, a->inlen - off);
    a->inlen -= off;
}

/* One connection attempt: -1 with errno-like reason in a->why. */
static int try_connect(struct attach *a)
{
    a->last_try = ww_mono_ms();
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ww_strlcpy(a->why, strerror(errno), sizeof a->why);
        return -1;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ww_strlcpy(sa.sun_path, a->path, sizeof sa.sun_path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        ww_strlcpy(a->why, strerror(e), sizeof a->why);
        close(fd);
        errno = e;
        return -1;
    }
    a->fd = fd;
    a->st = A_HANDSHAKE;
    a->inlen = a->outlen = 0;
    a->last_rx = ww_mono_ms();
    a->welcomed = false;
    if (loop_add_fd(a->l, fd, LOOP_READ, on_io, a) < 0) {
        disconnect(a, "event loop full");
        return -1;
    }
    struct proto_hello h = {PROTO_MAGIC, PROTO_VERSION, WARDWATCH_VERSION, ""};
    ww_strlcpy(h.name, a->name, sizeof h.name);
    struct proto_buf b = {a->frame, 0, sizeof a->frame, 0, false};
    if (proto_put_hello(&b, &h) < 0 || send_bytes(a, b.p, b.len) < 0) {
        disconnect(a, "cannot send HELLO");
        return -1;
    }
    return 0;
}

/* Twice a second: reconnect, and notice a server gone silent. */
static void on_timer(struct loop *l, int id, void *ctx)
{
    struct attach *a = ctx;
    int64_t mono = ww_mono_ms();
    if (a->fd >= 0 && mono - a->last_rx > SILENCE_MS) {
        disconnect(a, _("the server stopped answering"));
        return;
    }
    if (a->howait && mono - a->hostart > HANDOVER_WAIT_MS)
        ho_finish(a, false, _("the server did not send the handover in time"));
    if (a->fd < 0 && a->ever_synced && mono - a->last_try >= RETRY_MS)
        try_connect(a);
}

/* New mirror (not connected yet). */
struct attach *attach_new(struct loop *l, const char *path, const char *name)
{
    struct attach *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cfg = calloc(1, sizeof *a->cfg);
    a->scratch = calloc(1, sizeof *a->scratch);
    if (!a->cfg || !a->scratch) {
        attach_free(a);
        return NULL;
    }
    config_defaults(a->cfg);
    a->cfg->name[0] = 0;
    a->l = l;
    a->fd = -1;
    a->store_ok = true;
    ww_strlcpy(a->path, path, sizeof a->path);
    ww_strlcpy(a->name, name, sizeof a->name);
    a->since = ww_mono_ms();
    a->timer = loop_add_timer(l, 500, true, on_timer, a);
    return a;
}

void attach_free(struct attach *a)
{
    if (!a)
        return;
    if (a->fd >= 0) {
        loop_del_fd(a->l, a->fd);
        close(a->fd);
    }
    if (a->timer >= 0 && a->l)
        loop_del_timer(a->l, a->timer);
    a->hocb = NULL; /* a preview still on its way is given up */
    free(a->cfg);
    free(a->beds);
    free(a->scratch);
    free(a->hopart);
    view_handover_free(&a->ho);
    free(a);
}

/* First connection, before the board starts. */
int attach_connect(struct attach *a, int timeout_ms, bool *absent, char *err, size_t errlen)
{
    *absent = false;
    if (strlen(a->path) >= sizeof a->path)
        return ww_err(err, errlen, "socket path too long: %s", a->path);
    if (try_connect(a) < 0) {
        *absent = errno == ENOENT || errno == ECONNREFUSED;
        return ww_err(err, errlen, "%s: %s", a->path, a->why);
    }
    int64_t end = ww_mono_ms() + timeout_ms;
    while (a->st == A_HANDSHAKE && ww_mono_ms() < end)
        loop_once(a->l, 50);
    if (a->st == A_SYNCED)
        return 0;
    if (a->fd >= 0)
        disconnect(a, "no snapshot in time");
    return ww_err(err, errlen, "%s: %s", a->path, a->why[0] ? a->why : "no answer");
}

/* ---- the view ---- */

static size_t v_nbeds(void *ctx)
{
    struct attach *a = ctx;
    return a->nbeds;
}

static const struct ward_bed *v_bed(void *ctx, size_t i)
{
    struct attach *a = ctx;
    return i < a->nbeds ? &a->beds[i] : NULL;
}

static const struct ward_config *v_config(void *ctx)
{
    return ((struct attach *)ctx)->cfg;
}

/* The server's ward clock, run on locally between frames. */
static int64_t v_now(void *ctx)
{
    struct attach *a = ctx;
    return a->now_ms + (ww_mono_ms() - a->now_mono);
}

static bool v_store_ok(void *ctx)
{
    return ((struct attach *)ctx)->store_ok;
}

static const struct alarm_audio *v_audio(void *ctx)
{
    return &((struct attach *)ctx)->audio;
}

static void v_summary(void *ctx, char *buf, size_t n)
{
    struct attach *a = ctx;
    /* as the in-process view: the export first, the sensors last (the
     * board appends the faulty sensors' names) */
    int o = a->exports[0] ? snprintf(buf, n, "%s | ", a->exports) : 0;
    if (o < 0 || (size_t)o >= n)
        o = 0;
    ward_sensor_summary(a->beds, a->nbeds, buf + o, n - (size_t)o);
}

/* From the cache; asks the server for a fresh copy in the background. */
static int v_history(void *ctx, size_t bed, int64_t t0, int64_t t1, struct ward_history_line *out,
                     int max)
{
    struct attach *a = ctx;
    int64_t mono = ww_mono_ms();
    int64_t adm = bed < a->nbeds ? a->beds[bed].admission_id : 0;
    bool mine = a->hvalid && a->hbed == bed && a->hadm == adm;
    if (a->st == A_SYNCED && !a->hasked && (!mine || mono - a->hat > HISTORY_MS / 2)) {
        struct proto_histreq hr = {++a->next_req, (uint32_t)bed, t0, t1,
                                   (uint16_t)(max > PROTO_MAX_HISTORY ? PROTO_MAX_HISTORY : max)};
        struct proto_buf b = {a->frame, 0, sizeof a->frame, 0, false};
        if (proto_put_histreq(&b, &hr) == 0 && send_bytes(a, b.p, b.len) == 0) {
            a->hreq = hr.req;
            a->hreq_adm = adm;
            a->hasked = true;
        }
    }
    if (!mine)
        return 0;
    int n = a->hn < max ? a->hn : max;
    memcpy(out, a->hlines + (a->hn - n), (size_t)n * sizeof *out);
    return n;
}

/* Send; the answer comes with the REPLY. */
static int v_command(void *ctx, const struct ward_cmd *c, view_reply_cb cb, void *cbctx, char *err,
                     size_t errlen)
{
    struct attach *a = ctx;
    if (a->st != A_SYNCED)
        return ww_err(err, errlen,
                      _("not connected to the monitoring server: NOT saved, enter it again when "
                        "the connection is back"));
    if (a->pending)
        return ww_err(err, errlen, _("the previous command is still waiting for the server"));
    static struct proto_cmd pc;
    pc.req = ++a->next_req;
    pc.cmd = *c;
    struct proto_buf b = {a->frame, 0, sizeof a->frame, 0, false};
    if (proto_put_cmd(&b, &pc) < 0 || send_bytes(a, b.p, b.len) < 0)
        return ww_err(err, errlen, _("could not send to the monitoring server: NOT saved"));
    a->pending = true;
    a->req = pc.req;
    a->cb = cb;
    a->cbctx = cbctx;
    return 0;
}

static enum view_link v_link(void *ctx, char *detail, size_t n, int64_t *since)
{
    struct attach *a = ctx;
    if (n)
        snprintf(detail, n, "%s%s%s", a->path, a->why[0] ? ": " : "", a->why);
    if (since)
        *since = a->since;
    if (a->st == A_SYNCED)
        return VIEW_CONNECTED;
    return a->ever_synced ? VIEW_LOST : VIEW_CONNECTING;
}

static void v_set_listener(void *ctx, view_event_cb cb, void *cbctx)
{
    struct attach *a = ctx;
    a->ecb = cb;
    a->ectx = cbctx;
}

/* Run this connection (only) until *done, the link drops or timeout_ms
 * pass: the board waits for an answer it shows at once (the preview, a
 * print). Frames arriving meanwhile are handled as usual. 0 when done. */
static int pump_until(struct attach *a, const bool *done, int timeout_ms)
{
    int64_t until = ww_mono_ms() + timeout_ms;
    while (!*done) {
        int64_t left = until - ww_mono_ms();
        if (a->fd < 0 || a->st != A_SYNCED || left <= 0)
            return -1;
        struct pollfd p = {a->fd, (short)(POLLIN | (a->outlen ? POLLOUT : 0)), 0};
        int k = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (k < 0 && errno != EINTR)
            return -1;
        if (k <= 0)
            continue;
        int ev = (p.revents & POLLIN ? LOOP_READ : 0) | (p.revents & POLLOUT ? LOOP_WRITE : 0) |
                 (p.revents & (POLLHUP | POLLERR) ? LOOP_HUP : 0);
        on_io(a->l, a->fd, ev, a);
    }
    return 0;
}

/* The store and the [shifts] are the server's (one writer per database;
 * the core that owns the configuration works out the period): the server
 * makes the preview and sends its lines. Never waits: the answer comes to
 * cb from the loop (HOPART, a refusal, a lost link or the time limit). */
static int v_handover(void *ctx, const char *period, int step, const char *staff,
                      view_handover_cb cb, void *cbctx, char *err, size_t errlen)
{
    struct attach *a = ctx;
    if (a->st != A_SYNCED)
        return ww_err(err, errlen, "%s", _("not connected to the monitoring server"));
    if (a->howait)
        return ww_err(err, errlen, "%s", _("the previous handover is still on its way"));
    struct proto_horeq hr = {++a->next_req, "", 0, 0, "", true, (uint8_t)step};
    ww_strlcpy(hr.period, period ? period : "", sizeof hr.period);
    ww_strlcpy(hr.staff, staff ? staff : "", sizeof hr.staff);
    struct proto_buf b = {a->frame, 0, sizeof a->frame, 0, false};
    if (step < 0 || step > 2 || proto_put_horeq(&b, &hr) < 0 || send_bytes(a, b.p, b.len) < 0)
        return ww_err(err, errlen, "%s", _("could not ask the monitoring server"));
    view_handover_free(&a->ho);
    a->horeq = hr.req;
    a->howait = true;
    a->hogot = 0;
    a->hostart = ww_mono_ms();
    a->hocb = cb;
    a->hoctx = cbctx;
    return 0;
}

struct print_wait {
    bool done, ok;
    char msg[PROTO_MAX_MESSAGE + 1];
};

static void on_print_reply(void *ctx, bool ok, const char *message)
{
    struct print_wait *w = ctx;
    w->done = true;
    w->ok = ok;
    ww_strlcpy(w->msg, message ? message : "", sizeof w->msg);
}

/* A print is a command the server runs (and audits) and answers with lp's
 * request line when lp is done; it has its own slot so acknowledgements
 * and notes from this board go on meanwhile. */
static int v_print_handover(void *ctx, const char *period, int64_t t0, int64_t t1,
                            const char *staff, view_reply_cb cb, void *cbctx, char *err,
                            size_t errlen)
{
    struct attach *a = ctx;
    if (a->st != A_SYNCED)
        return ww_err(err, errlen, "%s", _("not connected to the monitoring server"));
    if (a->ppending)
        return ww_err(err, errlen, "%s", _("the previous print is still with the server"));
    static struct proto_cmd pc;
    memset(&pc, 0, sizeof pc);
    pc.req = ++a->next_req;
    pc.cmd.kind = WCMD_PRINT_HANDOVER;
    pc.cmd.t0 = t0;
    pc.cmd.t1 = t1;
    ww_strlcpy(pc.cmd.staff, staff ? staff : "", sizeof pc.cmd.staff);
    ww_strlcpy(pc.cmd.text, period ? period : "", sizeof pc.cmd.text);
    struct proto_buf b = {a->frame, 0, sizeof a->frame, 0, false};
    if (proto_put_cmd(&b, &pc) < 0 || send_bytes(a, b.p, b.len) < 0)
        return ww_err(err, errlen, "%s", _("could not send to the monitoring server"));
    a->ppending = true;
    a->preq = pc.req;
    a->pcb = cb;
    a->pcbctx = cbctx;
    return 0;
}

static const struct view_ops attach_ops = {
    v_nbeds,   v_bed,     v_config,  v_now,  v_store_ok,     v_audio,
    v_summary, v_history, v_command, v_link, v_set_listener, v_handover,
    v_print_handover,
};

struct view attach_view(struct attach *a)
{
    return (struct view){&attach_ops, a};
}

/* One command from a process that is not a board: connect, take the
 * snapshot, send, wait for the REPLY, leave. */
int attach_run_command(const char *path, const char *name, const struct ward_cmd *c,
                       int timeout_ms, bool *absent, char *msg, size_t msglen, char *err,
                       size_t errlen)
{
    *absent = false;
    struct loop *l = loop_new(false);
    struct attach *a = l ? attach_new(l, path, name) : NULL;
    if (!a) {
        loop_free(l);
        return ww_err(err, errlen, "out of memory");
    }
    int rc = attach_connect(a, timeout_ms, absent, err, errlen);
    if (rc == 0) {
        struct print_wait w = {false, false, ""};
        rc = v_command(a, c, on_print_reply, &w, err, errlen);
        if (rc == 0 && pump_until(a, &w.done, timeout_ms) < 0) {
            a->pending = false;
            rc = ww_err(err, errlen, "the monitoring server on %s did not answer in %d s", path,
                        timeout_ms / 1000);
        } else if (rc == 0 && !w.ok) {
            rc = ww_err(err, errlen, "%s", w.msg);
        } else if (rc == 0 && msg) {
            ww_strlcpy(msg, w.msg, msglen);
        }
    }
    attach_free(a);
    loop_free(l);
    return rc;
}
