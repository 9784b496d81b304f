/*
 * server — boards attached to `wardwatch serve` over a UNIX socket (see
 * server.h). One fixed table of client slots; frames are encoded once into
 * a scratch buffer and copied into each board's queue; a write is tried at
 * once and only what the kernel does not take is queued, with LOOP_WRITE
 * interest until the queue is empty. Clients found dead or too slow inside
 * a callback are closed at its end (reap), never in the middle of a walk.
 */
#include "server.h"

#include "log.h"
#include "monitor.h"
#include "proto.h"
#include "util.h"
#include "view.h"
#include "ward.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SERVER_SLOTS 128
/* Connections that have not said HELLO yet live in their own small pool
 * with a short timeout: they never count against max_clients nor take an
 * identified board's place, so a peer that keeps connecting and saying
 * nothing cannot turn boards away. A board sends HELLO as soon as it has
 * connected, so its HELLO is read at once when it is accepted; when the
 * pool is full, what the waiting ones sent is read first, and the oldest
 * still silent makes room. At most ACCEPT_BATCH connections a turn, so a
 * peer that reconnects as fast as it can never holds the loop. */
#define PENDING_SLOTS 16
#define ALL_SLOTS (SERVER_SLOTS + PENDING_SLOTS)
#define HELLO_TIMEOUT_MS 2000
#define ACCEPT_BATCH 32
/* Warnings about unidentified peers and turned-away boards: at most one
 * summary line per LOG_QUIET_MS. */
#define LOG_QUIET_MS 10000
/* Handover previews (patient data of the whole ward): each audited with who
 * and where, and at most HO_BURST at once then one per HO_REFILL_MS per
 * terminal (uid and terminal name, so reconnecting does not reset it). */
#define HO_BURST 6
#define HO_REFILL_MS 10000
#define HO_TERMINALS 32

enum client_end { CE_NONE, CE_EOF, CE_ERROR, CE_MALFORMED, CE_SLOW, CE_BYE };

struct client {
    struct server *s;
    int fd; /* -1: free slot */
    unsigned id;
    char name[PROTO_MAX_NAME + 1];
    uid_t uid;
    pid_t pid;
    bool hello;
    int64_t connected_mono;
    enum client_end end;
    char end_why[128];
    uint8_t in[PROTO_MAX_FRAME];
    size_t inlen;
    uint8_t *out;
    size_t outoff, outlen, outcap;
    /* Of the queue, bytes sent with force (the snapshot, a handover): not
     * counted against the slow-client bound, or a ward whose snapshot is
     * past it (about 1.5 MB at 128 beds) dropped every board as it attached
     * (H19-16). Forced frames come first, so the first bytes written off the
     * queue are taken as these. */
    size_t exempt;
};

struct server {
    struct monitor *m;
    struct ward *w;
    struct loop *l;
    struct server_opts o;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev;
    ino_t ino;
    int fd;
    int timer;
    unsigned next_id;
    int nclients; /* boards that said HELLO */
    int npending; /* connections that have not yet */
    struct client *c[ALL_SLOTS];
    /* handover preview budgets per terminal (uid + name), least recently
     * used reused */
    struct ho_budget {
        uid_t uid;
        char name[PROTO_MAX_NAME + 1];
        double tokens;
        int64_t at;
    } ho[HO_TERMINALS];
    /* rate-limited log: counts since the last summary */
    int64_t quiet_since;
    unsigned long n_nohello, n_pool_full, n_full, n_ho_limited;
    const struct client *cur; /* whose command is running (events name it) */
    bool *dirty; /* one per bed of the ward */
    size_t ndirty;
    uint8_t scratch[PROTO_MAX_FRAME];
    struct proto_buf buf;
    struct proto_hist hist; /* scratch for snapshots */
    struct proto_history history;
    struct proto_hopart *hopart; /* scratch for handovers, allocated on use */
    /* prints under way: who asked, answered when lp is done */
    struct server_print {
        bool used;
        struct server *s;
        unsigned client;
        uint32_t req;
    } prints[4];
};

static void client_readable(struct loop *l, int fd, int ev, void *ctx);

/* Mark a client to be closed at the end of this callback. */
static void client_fail(struct client *c, enum client_end e, const char *why)
{
    if (c->end != CE_NONE)
        return;
    c->end = e;
    ww_strlcpy(c->end_why, why, sizeof c->end_why);
}

/* Queue (or write at once) one encoded frame to a board. force: exempt
 * from the slow-client bound (the snapshot of a board that just came). */
static void client_send(struct client *c, const uint8_t *p, size_t n, bool force)
{
    if (c->end != CE_NONE && c->end != CE_BYE)
        return;
    size_t queued = c->outlen - c->outoff;
    if (queued == 0) {
        c->exempt = 0;
        ssize_t wr = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (wr < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            client_fail(c, CE_ERROR, strerror(errno));
            return;
        }
        if (wr > 0) {
            p += wr;
            n -= (size_t)wr;
        }
        if (n == 0)
            return;
    }
    size_t counted = queued - (c->exempt < queued ? c->exempt : queued);
    if (!force && counted + n > c->s->o.queue_limit) {
        char why[128];
        snprintf(why, sizeof why, "too slow: %zu bytes unread (limit %zu)", counted + n,
                 c->s->o.queue_limit);
        client_fail(c, CE_SLOW, why);
        return;
    }
    if (c->outoff && c->outoff == c->outlen)
        c->outoff = c->outlen = 0;
    if (c->outlen + n > c->outcap) {
        if (c->outoff) { /* compact before growing */
            memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
            c->outlen -= c->outoff;
            c->outoff = 0;
        }
        size_t cap = c->outcap ? c->outcap : 65536;
        while (cap < c->outlen + n)
            cap *= 2;
        if (cap != c->outcap) {
            uint8_t *np = realloc(c->out, cap);
            if (!np) {
                client_fail(c, CE_ERROR, "out of memory");
                return;
            }
            c->out = np;
            c->outcap = cap;
        }
    }
    memcpy(c->out + c->outlen, p, n);
    c->outlen += n;
    if (force)
        c->exempt += n;
    loop_add_fd(c->s->l, c->fd, LOOP_READ | LOOP_WRITE, client_readable, c);
}

/* Write what the kernel takes of the queue. */
static void client_flush(struct client *c)
{
    while (c->outoff < c->outlen) {
        ssize_t wr =
            send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (wr < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            client_fail(c, CE_ERROR, strerror(errno));
            return;
        }
        c->outoff += (size_t)wr;
        c->exempt = c->exempt > (size_t)wr ? c->exempt - (size_t)wr : 0;
    }
    c->outoff = c->outlen = 0;
    c->exempt = 0;
    loop_add_fd(c->s->l, c->fd, LOOP_READ, client_readable, c);
}

/* The scratch buffer, emptied, for one frame: used as
 * frame_len(s, proto_put_x(scratch(s), ...)). */
static struct proto_buf *scratch(struct server *s)
{
    s->buf = (struct proto_buf){s->scratch, 0, sizeof s->scratch, 0, false};
    return &s->buf;
}

/* Length of the frame just encoded, 0 when it did not fit (never expected:
 * every message is bounded below PROTO_MAX_FRAME). */
static size_t frame_len(struct server *s, int rc)
{
    if (rc < 0) {
        log_msg(LOG_ERROR, "server: a frame did not fit");
        return 0;
    }
    return s->buf.len;
}

/* Send a frame to every board that has its snapshot. */
static void broadcast(struct server *s, size_t n)
{
    if (!n)
        return;
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i] && s->c[i]->hello && s->c[i]->end == CE_NONE)
            client_send(s->c[i], s->scratch, n, false);
}

/* Ward state (clock, store, audio) to everyone. */
static void broadcast_state(struct server *s)
{
    struct proto_state st = {monitor_now(s->m), ward_store_ok(s->w), *ward_audio(s->w), ""};
    monitor_export_summary(s->m, st.exports, sizeof st.exports);
    broadcast(s, frame_len(s, proto_put_state(scratch(s), &st)));
}

/* One bed to everyone. */
static void broadcast_bed(struct server *s, size_t i)
{
    broadcast(s, frame_len(s, proto_put_bed(scratch(s), (uint32_t)i, ward_bed(s->w, i),
                                            monitor_now(s->m))));
}

/* Beds changed by a command or an event, then the ward state. */
static void broadcast_dirty(struct server *s)
{
    for (size_t i = 0; i < s->ndirty; i++)
        if (s->dirty[i]) {
            s->dirty[i] = false;
            broadcast_bed(s, i);
        }
    broadcast_state(s);
}

/* Close a client now. */
static void client_close(struct client *c)
{
    struct server *s = c->s;
    if (!c->hello) {
        /* Unidentified: counted, summarised by note_quiet (a flood must
         * not write thousands of lines a minute). */
        s->npending--;
        if (c->end != CE_BYE)
            s->n_nohello++;
        loop_del_fd(s->l, c->fd);
        close(c->fd);
        for (int i = 0; i < ALL_SLOTS; i++)
            if (s->c[i] == c)
                s->c[i] = NULL;
        free(c->out);
        free(c);
        return;
    }
    const char *what = c->end == CE_EOF         ? "left"
                       : c->end == CE_MALFORMED ? "closed: malformed message"
                       : c->end == CE_SLOW      ? "dropped"
                       : c->end == CE_BYE       ? "closed"
                                                : "closed: error";
    log_msg(c->end == CE_EOF || c->end == CE_BYE ? LOG_INFO : LOG_WARN,
            "board %u (%s, uid %d pid %d) %s%s%s", c->id, c->name[0] ? c->name : "?", (int)c->uid,
            (int)c->pid, what, c->end_why[0] ? ": " : "", c->end_why);
    loop_del_fd(s->l, c->fd);
    close(c->fd);
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i] == c)
            s->c[i] = NULL;
    s->nclients--;
    free(c->out);
    free(c);
}

/* A peer closed for what it sent is told what (BYE "malformed message:
 * ..."), so its log says which side is wrong. Best effort: one write that
 * never waits, and only onto an empty queue (never into the middle of a
 * frame already half written). */
static void tell_malformed(struct server *s, struct client *c)
{
    if (c->end != CE_MALFORMED || c->outoff < c->outlen)
        return;
    struct proto_bye bye;
    snprintf(bye.reason, sizeof bye.reason, "malformed message: %s", c->end_why);
    size_t n = frame_len(s, proto_put_bye(scratch(s), &bye));
    if (n && send(c->fd, s->scratch, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_msg(LOG_DEBUG, "bye: %s", strerror(errno));
}

/* Close every client marked in this callback; a BYE is flushed first. */
static void reap(struct server *s)
{
    for (int i = 0; i < ALL_SLOTS; i++) {
        struct client *c = s->c[i];
        if (!c || c->end == CE_NONE)
            continue;
        if (c->end == CE_BYE && c->outoff < c->outlen)
            client_flush(c);
        tell_malformed(s, c);
        client_close(c);
    }
}

/* Say why and close (after what is queued). */
static void client_bye(struct client *c, const char *reason)
{
    struct proto_bye bye;
    ww_strlcpy(bye.reason, reason, sizeof bye.reason);
    client_send(c, c->s->scratch, frame_len(c->s, proto_put_bye(scratch(c->s), &bye)), true);
    client_fail(c, CE_BYE, reason);
}

/* WELCOME and the snapshot: state, every bed with its histories, SYNCED. */
static void send_snapshot(struct server *s, struct client *c)
{
    const struct ward_config *cfg = ward_config(s->w);
    static struct proto_welcome wl;
    memset(&wl, 0, sizeof wl);
    wl.version = PROTO_VERSION;
    ww_strlcpy(wl.software, WARDWATCH_VERSION, sizeof wl.software);
    ww_strlcpy(wl.ward, cfg->name, sizeof wl.ward);
    wl.client_id = c->id;
    wl.nbeds = (uint32_t)ward_nbeds(s->w);
    wl.now_ms = monitor_now(s->m);
    wl.audio_pause_s = cfg->audio_pause_s;
    wl.nstaff = cfg->nstaff;
    for (int i = 0; i < cfg->nstaff && i < CONFIG_MAX_STAFF; i++)
        ww_strlcpy(wl.staff[i], cfg->staff[i], sizeof wl.staff[i]);
    client_send(c, s->scratch, frame_len(s, proto_put_welcome(scratch(s), &wl)), true);
    struct proto_state st = {monitor_now(s->m), ward_store_ok(s->w), *ward_audio(s->w), ""};
    monitor_export_summary(s->m, st.exports, sizeof st.exports);
    client_send(c, s->scratch, frame_len(s, proto_put_state(scratch(s), &st)), true);
    int64_t now = monitor_now(s->m);
    for (size_t i = 0; i < ward_nbeds(s->w); i++) {
        const struct ward_bed *bed = ward_bed(s->w, i);
        client_send(c, s->scratch, frame_len(s, proto_put_bed(scratch(s), (uint32_t)i, bed, now)),
                    true);
        const struct hist *h[PS_COUNT] = {&bed->h_rr, &bed->h_hr, &bed->h_news2};
        for (int k = 0; k < PS_COUNT; k++) {
            proto_hist_from(&s->hist, (uint32_t)i, (enum proto_series)k, h[k], now);
            client_send(c, s->scratch, frame_len(s, proto_put_hist(scratch(s), &s->hist)), true);
        }
    }
    client_send(c, s->scratch, frame_len(s, proto_put_synced(scratch(s))), true);
}

/* lp is done with a board's print (audited): answer that board, if it is
 * still here. */
static void on_print_done(void *ctx, bool ok, const char *msg)
{
    struct server_print *p = ctx;
    struct server *s = p->s;
    p->used = false;
    for (int i = 0; i < ALL_SLOTS; i++) {
        struct client *c = s->c[i];
        if (!c || c->id != p->client)
            continue;
        struct proto_reply r = {p->req, ok, false, ""};
        ww_strlcpy(r.message, msg, sizeof r.message);
        client_send(c, s->scratch, frame_len(s, proto_put_reply(scratch(s), &r)), false);
        log_msg(ok ? LOG_INFO : LOG_WARN, "board %u (%s): handover printed: %s", c->id, c->name,
                msg);
        reap(s);
        return;
    }
    log_msg(LOG_INFO, "handover print for board %u, gone meanwhile: %s", p->client, msg);
}

/* A print: started under the loop, answered when lp is done, so the
 * ward never waits for CUPS. */
static void start_print(struct server *s, struct client *c, const struct proto_cmd *pc)
{
    char err[512] = "";
    struct server_print *p = NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(s->prints) && !p; i++)
        if (!s->prints[i].used)
            p = &s->prints[i];
    int rc = -1;
    if (!p)
        ww_err(err, sizeof err, "%zu handover prints are still running; try again shortly",
               WW_ARRAY_LEN(s->prints));
    else {
        *p = (struct server_print){true, s, c->id, pc->req};
        rc = ward_print_handover_start(s->w, s->l, pc->cmd.text, pc->cmd.t0, pc->cmd.t1,
                                       pc->cmd.staff, monitor_now(s->m), on_print_done, p, err,
                                       sizeof err);
        if (rc < 0)
            p->used = false;
    }
    log_msg(rc == 0 ? LOG_INFO : LOG_WARN, "board %u (%s): print-handover by %s: %s%s", c->id,
            c->name, pc->cmd.staff, rc == 0 ? "started" : "refused: ", rc == 0 ? "" : err);
    if (rc < 0) {
        struct proto_reply r = {pc->req, false, false, ""};
        ww_strlcpy(r.message, err, sizeof r.message);
        client_send(c, s->scratch, frame_len(s, proto_put_reply(scratch(s), &r)), false);
    }
}

/* A command from a board: run it, send its effect to all, then answer. */
static void handle_cmd(struct server *s, struct client *c, const struct proto_cmd *pc)
{
    if (pc->cmd.kind == WCMD_PRINT_HANDOVER) {
        start_print(s, c, pc);
        return;
    }
    char err[512] = "";
    s->cur = c;
    int rc = ward_cmd_exec(s->w, &pc->cmd, monitor_now(s->m), err, sizeof err);
    s->cur = NULL;
    if (pc->cmd.kind != WCMD_AUDIO_PAUSE && pc->cmd.bed < s->ndirty)
        s->dirty[pc->cmd.bed] = true;
    char where[32] = "ward";
    if (pc->cmd.kind != WCMD_AUDIO_PAUSE)
        snprintf(where, sizeof where, "bed index %u", pc->cmd.bed);
    log_msg(rc == 0 ? LOG_INFO : LOG_WARN, "board %u (%s): %s %s by %s: %s%s", c->id, c->name,
            ward_cmd_name(pc->cmd.kind), where, pc->cmd.staff,
            rc == 0 ? "committed" : rc > 0 ? "held: " : "refused: ", rc == 0 ? "" : err);
    broadcast_dirty(s);
    /* Held (rc 1): done, not yet recorded; the board says so. */
    struct proto_reply r = {pc->req, rc >= 0, rc > 0, ""};
    ww_strlcpy(r.message, rc == 0 ? "" : err, sizeof r.message);
    client_send(c, s->scratch, frame_len(s, proto_put_reply(scratch(s), &r)), false);
}

/* A refusal of a request that is not a command. */
static void send_refusal(struct server *s, struct client *c, uint32_t req, const char *why)
{
    struct proto_reply r = {req, false, false, ""};
    ww_strlcpy(r.message, why, sizeof r.message);
    client_send(c, s->scratch, frame_len(s, proto_put_reply(scratch(s), &r)), false);
}

/* The handover preview for a board, made from the store here, as HOPART
 * frames. Several hundred kB for a full ward, so past the slow-client
 * bound; a board gets one only once everything sent before has been read,
 * which bounds what a board can make the server hold to one handover. */
/* Take one preview from the terminal's budget; false (with the wait in
 * seconds) when it is spent. */
static bool ho_take(struct server *s, const struct client *c, int *wait_s)
{
    int64_t mono = ww_mono_ms();
    struct ho_budget *b = NULL, *lru = &s->ho[0];
    for (int i = 0; i < HO_TERMINALS && !b; i++) {
        if (s->ho[i].at && s->ho[i].uid == c->uid && !strcmp(s->ho[i].name, c->name))
            b = &s->ho[i];
        else if (s->ho[i].at < lru->at)
            lru = &s->ho[i];
    }
    if (!b) {
        b = lru;
        b->uid = c->uid;
        ww_strlcpy(b->name, c->name, sizeof b->name);
        b->tokens = HO_BURST;
        b->at = mono;
    }
    b->tokens += (double)(mono - b->at) / HO_REFILL_MS;
    if (b->tokens > HO_BURST)
        b->tokens = HO_BURST;
    b->at = mono;
    if (b->tokens < 1) {
        *wait_s = (int)((1 - b->tokens) * HO_REFILL_MS / 1000) + 1;
        return false;
    }
    b->tokens -= 1;
    return true;
}

static void send_handover(struct server *s, struct client *c, const struct proto_horeq *req)
{
    char err[512];
    /* The period from this core's [shifts] (version 6): a board has none of
     * its own (#19 defect 2). */
    struct proto_horeq resolved = *req;
    const struct proto_horeq *hr = &resolved;
    if (req->resolve &&
        view_shift_period(ward_config(s->w), req->period, req->step, monitor_now(s->m),
                          resolved.period, sizeof resolved.period, &resolved.t0, &resolved.t1,
                          err, sizeof err) < 0) {
        send_refusal(s, c, req->req, err);
        return;
    }
    if (c->outlen > c->outoff) {
        send_refusal(s, c, hr->req, "the server is still sending to this board; try again");
        return;
    }
    int wait_s = 0;
    if (!ho_take(s, c, &wait_s)) {
        snprintf(err, sizeof err,
                 "too many handover previews from this terminal (%d, then one per %d s); try "
                 "again in %d s",
                 HO_BURST, HO_REFILL_MS / 1000, wait_s);
        s->n_ho_limited++;
        send_refusal(s, c, hr->req, err);
        return;
    }
    /* Patient data of the whole ward: audited with who and where before it
     * is made, refused when it cannot be audited. */
    char detail[200];
    snprintf(detail, sizeof detail, "handover preview %s %lld-%lld at board %u (%s, uid %d pid %d)",
             hr->period[0] ? hr->period : "period", (long long)hr->t0, (long long)hr->t1, c->id,
             c->name, (int)c->uid, (int)c->pid);
    if (ward_cmd_handover_audit(s->w, WARD_CMD_NO_BED, "view", detail, hr->staff,
                                monitor_now(s->m), err, sizeof err) < 0) {
        log_msg(LOG_WARN, "board %u (%s): handover preview by %s refused: %s", c->id, c->name,
                hr->staff, err);
        send_refusal(s, c, hr->req, err);
        return;
    }
    if (!s->hopart && !(s->hopart = malloc(sizeof *s->hopart))) {
        send_refusal(s, c, hr->req, "the server is out of memory");
        return;
    }
    struct handover *h = ward_handover(s->w, hr->period, hr->t0, hr->t1, "-", monitor_now(s->m),
                                       err, sizeof err);
    struct view_handover vh;
    if (!h || view_handover_from(h, &vh) < 0) {
        send_refusal(s, c, hr->req, h ? "the server is out of memory" : err);
        handover_free(h);
        return;
    }
    handover_free(h);
    if (vh.n > PROTO_MAX_HOTOTAL)
        vh.n = PROTO_MAX_HOTOTAL;
    struct proto_hopart *p = s->hopart;
    p->req = hr->req;
    p->total = (uint32_t)vh.n;
    ww_strlcpy(p->period, hr->period, sizeof p->period);
    p->t0 = hr->t0;
    p->t1 = hr->t1;
    for (int i = 0; i < 3; i++)
        ww_strlcpy(p->head[i], vh.head[i], sizeof p->head[i]);
    size_t first = 0;
    do {
        size_t k = vh.n - first < PROTO_MAX_HOLINES ? vh.n - first : PROTO_MAX_HOLINES;
        p->first = (uint32_t)first;
        p->n = (uint16_t)k;
        memcpy(p->line, vh.lines + first, k * sizeof *p->line);
        client_send(c, s->scratch, frame_len(s, proto_put_hopart(scratch(s), p)), true);
        first += k;
    } while (first < vh.n && c->end == CE_NONE);
    log_msg(LOG_INFO, "board %u (%s): handover preview %s by %s, %zu lines", c->id, c->name,
            hr->period[0] ? hr->period : "period", hr->staff, vh.n);
    view_handover_free(&vh);
}

/* One whole frame from a board. */
static void handle_frame(struct server *s, struct client *c, const uint8_t *f, size_t n)
{
    uint8_t type = proto_frame_type(f);
    if (!c->hello) {
        struct proto_hello h;
        if (type != PT_HELLO || proto_get_hello(f, n, &h) < 0 || h.magic != PROTO_MAGIC) {
            client_fail(c, CE_MALFORMED, "expected HELLO");
            return;
        }
        ww_strlcpy(c->name, h.name[0] ? h.name : "board", sizeof c->name);
        if (h.version != PROTO_VERSION) {
            char why[128];
            snprintf(why, sizeof why, "protocol version %u not supported (this server speaks %u)",
                     h.version, PROTO_VERSION);
            log_msg(LOG_WARN, "board (%s, uid %d pid %d) refused: %s", c->name, (int)c->uid,
                    (int)c->pid, why);
            client_bye(c, why);
            return;
        }
        /* max_clients counts identified boards only. */
        if (s->nclients >= s->o.max_clients) {
            char why[128];
            snprintf(why, sizeof why, "server full: %d boards attached", s->nclients);
            s->n_full++;
            client_bye(c, why);
            return;
        }
        c->hello = true;
        s->npending--;
        s->nclients++;
        log_msg(LOG_INFO, "board %u (%s, uid %d pid %d, wardwatch %s) attached", c->id, c->name,
                (int)c->uid, (int)c->pid, h.software);
        send_snapshot(s, c);
        return;
    }
    switch (type) {
    case PT_CMD: {
        static struct proto_cmd pc;
        if (proto_get_cmd(f, n, &pc) < 0) {
            client_fail(c, CE_MALFORMED, "bad CMD");
            return;
        }
        handle_cmd(s, c, &pc);
        return;
    }
    case PT_HISTREQ: {
        struct proto_histreq hr;
        if (proto_get_histreq(f, n, &hr) < 0) {
            client_fail(c, CE_MALFORMED, "bad HISTREQ");
            return;
        }
        struct proto_history *h = &s->history;
        h->req = hr.req;
        h->bed = hr.bed;
        int k = ward_history(s->w, hr.bed, hr.t0, hr.t1, h->line, hr.max);
        h->n = (uint16_t)(k < 0 ? 0 : k);
        client_send(c, s->scratch, frame_len(s, proto_put_history(scratch(s), h)), false);
        return;
    }
    case PT_HOREQ: {
        struct proto_horeq hr;
        if (proto_get_horeq(f, n, &hr) < 0) {
            client_fail(c, CE_MALFORMED, "bad HOREQ");
            return;
        }
        send_handover(s, c, &hr);
        return;
    }
    default: {
        char why[64];
        snprintf(why, sizeof why, "unexpected %s (0x%02x)", proto_type_name(type), type);
        client_fail(c, CE_MALFORMED, why);
        return;
    }
    }
}

/* Readable (or writable) board. */
static void client_readable(struct loop *l, int fd, int ev, void *ctx)
{
    struct client *c = ctx;
    struct server *s = c->s;
    if (ev & LOOP_WRITE)
        client_flush(c);
    if ((ev & (LOOP_READ | LOOP_HUP)) && c->end == CE_NONE) {
        ssize_t r = read(fd, c->in + c->inlen, sizeof c->in - c->inlen);
        if (r == 0) {
            client_fail(c, CE_EOF, "");
        } else if (r < 0) {
            if (errno != EAGAIN && errno != EINTR)
                client_fail(c, CE_ERROR, strerror(errno));
        } else {
            c->inlen += (size_t)r;
            size_t off = 0, fl;
            int k;
            while (c->end == CE_NONE && (k = proto_frame(c->in + off, c->inlen - off, &fl)) == 1) {
                handle_frame(s, c, c->in + off, fl);
                off += fl;
            }
            if (c->end == CE_NONE && k < 0)
                client_fail(c, CE_MALFORMED, "bad frame length");
            memmove(c->in, c->in + off, c->inlen - off);
            c->inlen -= off;
        }
    }
    reap(s);
}

/* Room in the pool of unidentified connections: read what the waiting
 * ones sent (a board's HELLO is there already), then let one still silent
 * go: the oldest of the process holding the most. A process flooding the
 * socket thus pushes out its own connections, not a board that connected
 * a moment before it could send its HELLO (H21-3b). */
static void make_pending_room(struct server *s)
{
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i] && !s->c[i]->hello && s->c[i]->end == CE_NONE)
            client_readable(s->l, s->c[i]->fd, LOOP_READ, s->c[i]);
    if (s->npending < PENDING_SLOTS)
        return;
    /* The silent ones (a flood's pool: PENDING_SLOTS or a few more), then
     * per process how many it holds. */
    struct client *silent[ALL_SLOTS], *o = NULL;
    int ns = 0, on = 0;
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i] && !s->c[i]->hello && s->c[i]->end == CE_NONE)
            silent[ns++] = s->c[i];
    for (int i = 0; i < ns; i++) {
        int n = 0;
        for (int j = 0; j < ns; j++)
            n += silent[j]->pid == silent[i]->pid;
        if (!o || n > on || (n == on && silent[i]->connected_mono < o->connected_mono)) {
            o = silent[i];
            on = n;
        }
    }
    if (o) {
        client_fail(o, CE_MALFORMED, "no HELLO (room made for a newer connection)");
        reap(s);
    }
}

/* A connection arrives: into the pool of unidentified connections. */
static void on_accept(struct loop *l, int fd, int ev, void *ctx)
{
    struct server *s = ctx;
    for (int k = 0; k < ACCEPT_BATCH; k++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
            break;
        int64_t mono = ww_mono_ms();
        if (s->nclients >= s->o.max_clients) {
            /* Full of identified boards: told at once (and counted for
             * the summary line, not logged one by one). */
            struct proto_bye bye;
            snprintf(bye.reason, sizeof bye.reason, "server full: %d boards attached", s->nclients);
            size_t n = frame_len(s, proto_put_bye(scratch(s), &bye));
            if (send(cfd, s->scratch, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                log_msg(LOG_DEBUG, "bye: %s", strerror(errno));
            close(cfd);
            s->n_full++;
            continue;
        }
        if (s->npending >= PENDING_SLOTS)
            make_pending_room(s);
        int slot = -1;
        for (int i = 0; i < ALL_SLOTS; i++)
            if (!s->c[i]) {
                slot = i;
                break;
            }
        struct client *c = slot < 0 ? NULL : calloc(1, sizeof *c);
        if (!c) {
            s->n_pool_full++;
            close(cfd);
            continue;
        }
        c->s = s;
        c->fd = cfd;
        c->id = ++s->next_id;
        c->connected_mono = mono;
        struct ucred cr;
        socklen_t crl = sizeof cr;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0) {
            c->uid = cr.uid;
            c->pid = cr.pid;
        }
        if (loop_add_fd(s->l, cfd, LOOP_READ, client_readable, c) < 0) {
            log_msg(LOG_WARN, "a connection was turned away: no room in the event loop");
            close(cfd);
            free(c);
            continue;
        }
        s->c[slot] = c;
        s->npending++;
        /* A board's HELLO is usually here already. */
        client_readable(l, cfd, LOOP_READ, c);
    }
}

/* Ward events: alarm transitions and commands go out at once. */
static void on_ward_event(void *ctx, const struct ward_event *ev)
{
    struct server *s = ctx;
    if (ev->bed >= 0 && (size_t)ev->bed < s->ndirty)
        s->dirty[ev->bed] = true;
    if (ev->kind == WEV_SCORE)
        return; /* in the next BED */
    struct proto_event pe = {0};
    pe.t_ms = ev->t_ms;
    pe.bed = ev->bed;
    pe.kind = (uint8_t)ev->kind;
    pe.by_staff = ev->kind == WEV_COMMAND || (ev->kind == WEV_ALARM && ev->alarm->staff);
    ww_strlcpy(pe.text, ev->text ? ev->text : "", sizeof pe.text);
    ww_strlcpy(pe.from, s->cur ? s->cur->name : "", sizeof pe.from);
    log_msg(LOG_INFO, "%s%s%s", pe.text, pe.from[0] ? " at " : "", pe.from);
    broadcast(s, frame_len(s, proto_put_event(scratch(s), &pe)));
}

/* After each ward second: every bed and the state, to every board. */
static void on_tick(void *ctx, int64_t now)
{
    struct server *s = ctx;
    for (size_t i = 0; i < ward_nbeds(s->w); i++) {
        broadcast_bed(s, i);
        if (i < s->ndirty)
            s->dirty[i] = false;
    }
    broadcast_state(s);
    reap(s);
}

/* One summary line of unidentified and turned-away peers, at most every
 * LOG_QUIET_MS. */
static void note_quiet(struct server *s, int64_t mono)
{
    if (mono - s->quiet_since < LOG_QUIET_MS)
        return;
    if (s->n_nohello || s->n_pool_full || s->n_full)
        log_msg(LOG_WARN,
                "in the last %lld s: %lu connections closed without a HELLO, %lu refused "
                "(%d waiting for HELLO), %lu boards turned away (server full: %d of %d)",
                (long long)(mono - s->quiet_since) / 1000, s->n_nohello, s->n_pool_full,
                PENDING_SLOTS, s->n_full, s->nclients, s->o.max_clients);
    if (s->n_ho_limited)
        log_msg(LOG_WARN, "in the last %lld s: %lu handover previews refused (rate limit)",
                (long long)(mono - s->quiet_since) / 1000, s->n_ho_limited);
    s->n_nohello = s->n_pool_full = s->n_full = s->n_ho_limited = 0;
    s->quiet_since = mono;
}

/* Once a second: connections that never said HELLO are let go; the
 * summary of them when due. */
static void on_timer(struct loop *l, int id, void *ctx)
{
    struct server *s = ctx;
    int64_t mono = ww_mono_ms();
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i] && !s->c[i]->hello && mono - s->c[i]->connected_mono > HELLO_TIMEOUT_MS)
            client_fail(s->c[i], CE_MALFORMED, "no HELLO within 2 s");
    reap(s);
    note_quiet(s, mono);
}

/* The socket's directory: made 0770 for the group when missing. */
static int make_dir(const char *path, gid_t gid, bool chgrp, char *err, size_t errlen)
{
    char copy[PATH_MAX];
    ww_strlcpy(copy, path, sizeof copy);
    const char *dir = dirname(copy);
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ww_err(err, errlen, "%s: not a directory", dir);
        return 0;
    }
    if (errno != ENOENT)
        return ww_err(err, errlen, "%s: %s", dir, strerror(errno));
    if (mkdir(dir, 0770) < 0)
        return ww_err(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    if ((chgrp && chown(dir, (uid_t)-1, gid) < 0) || chmod(dir, 0770) < 0)
        return ww_err(err, errlen, "%s: cannot give it to the ward group: %s", dir,
                      strerror(errno));
    return 0;
}

/* Nobody listening on path (absent, or a dead server's socket). */
int server_socket_free(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return ww_err(err, errlen, "socket path too long (max %zu bytes): %s",
                      sizeof sa.sun_path - 1, path);
    ww_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;
    if (!S_ISSOCK(st.st_mode))
        return ww_err(err, errlen, "%s exists and is not a socket: not touching it", path);
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return ww_err(err, errlen, "socket: %s", strerror(errno));
    int rc = connect(probe, (struct sockaddr *)&sa, sizeof sa);
    close(probe);
    if (rc == 0)
        return ww_err(err, errlen, "another wardwatch serve is listening on %s", path);
    return 0;
}

/* Listen. */
struct server *server_new(struct monitor *m, struct loop *l, const struct server_opts *o, char *err,
                          size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(o->path) >= sizeof sa.sun_path)
        return ww_err(err, errlen, "socket path too long (max %zu bytes): %s",
                      sizeof sa.sun_path - 1, o->path),
               NULL;
    gid_t gid = getgid();
    bool chgrp = false;
    if (o->group && *o->group) {
        struct group *g = getgrnam(o->group);
        if (!g)
            return ww_err(err, errlen, "unix group '%s' does not exist", o->group), NULL;
        gid = g->gr_gid;
        chgrp = true;
    }
    if (make_dir(o->path, gid, chgrp, err, errlen) < 0)
        return NULL;
    ww_strlcpy(sa.sun_path, o->path, sizeof sa.sun_path);
    struct stat st;
    if (server_socket_free(o->path, err, errlen) < 0)
        return NULL;
    if (lstat(o->path, &st) == 0)
        unlink(o->path); /* a dead server's socket */
    struct server *s = calloc(1, sizeof *s);
    if (!s)
        return ww_err(err, errlen, "out of memory"), NULL;
    s->m = m;
    s->w = monitor_ward(m);
    s->ndirty = ward_nbeds(s->w);
    s->dirty = calloc(s->ndirty + 1, sizeof *s->dirty);
    if (!s->dirty) {
        free(s);
        return ww_err(err, errlen, "out of memory for %zu beds", ward_nbeds(monitor_ward(m))),
               NULL;
    }
    s->l = l;
    s->o = *o;
    if (s->o.max_clients <= 0 || s->o.max_clients > SERVER_SLOTS)
        s->o.max_clients = SERVER_SLOTS;
    if (s->o.queue_limit < 65536)
        s->o.queue_limit = 65536;
    ww_strlcpy(s->path, o->path, sizeof s->path);
    s->timer = -1;
    s->quiet_since = ww_mono_ms();
    s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        ww_err(err, errlen, "socket: %s", strerror(errno));
        free(s->dirty);
        free(s);
        return NULL;
    }
    /* Created 0660 from the start (no window where others could connect). */
    mode_t old = umask(0117);
    int rc = bind(s->fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc < 0 || (chgrp && chown(o->path, (uid_t)-1, gid) < 0) || chmod(o->path, 0660) < 0 ||
        listen(s->fd, 16) < 0 || lstat(o->path, &st) < 0) {
        ww_err(err, errlen, "%s: %s", o->path, strerror(errno));
        if (rc == 0)
            unlink(o->path);
        close(s->fd);
        free(s->dirty);
        free(s);
        return NULL;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    if (loop_add_fd(l, s->fd, LOOP_READ, on_accept, s) < 0 ||
        (s->timer = loop_add_timer(l, 1000, true, on_timer, s)) < 0) {
        ww_err(err, errlen, "event loop full");
        server_free(s);
        return NULL;
    }
    ward_set_listener(s->w, on_ward_event, s);
    monitor_on_tick(m, on_tick, s);
    return s;
}

/* Goodbye to every board, remove our socket (not a successor's). */
void server_free(struct server *s)
{
    if (!s)
        return;
    for (int i = 0; i < ALL_SLOTS; i++)
        if (s->c[i])
            client_bye(s->c[i], "the monitoring server is stopping");
    reap(s);
    for (size_t i = 0; i < WW_ARRAY_LEN(s->prints); i++)
        if (s->prints[i].used)
            ward_print_forget(s->w, &s->prints[i]);
    ward_set_listener(s->w, NULL, NULL);
    monitor_on_tick(s->m, NULL, NULL);
    if (s->timer >= 0)
        loop_del_timer(s->l, s->timer);
    loop_del_fd(s->l, s->fd);
    close(s->fd);
    struct stat st;
    if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        unlink(s->path);
    free(s->hopart);
    free(s->dirty);
    free(s);
}

int server_clients(const struct server *s)
{
    return s->nclients;
}
