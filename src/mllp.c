/*
 * mllp — one MLLP connection to one destination, on the loop (see mllp.h).
 */
#include "mllp.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum mllp_state {
    MS_IDLE,       /* no socket, nothing pending */
    MS_BACKOFF,    /* no socket, timer to reconnect */
    MS_CONNECTING, /* non-blocking connect in progress */
    MS_READY,      /* connected, nothing in flight */
    MS_SENDING,    /* writing the frame */
    MS_WAITING,    /* frame sent, waiting for the ACK */
    MS_RETRY_WAIT, /* AR/CR: resend after the backoff on this connection */
};

struct mllp_sender {
    struct loop *l;
    char name[64];
    struct sockaddr_storage addr;
    socklen_t alen;
    struct mllp_params p;
    struct mllp_ops ops;
    void *ctx;

    enum mllp_state st;
    int fd;
    int timer;
    int backoff_ms;
    struct hl7_deframer df;

    bool in_flight;
    int64_t row;
    char ctl[HL7_ID];
    char *frame;
    size_t flen, fsent;

    struct mllp_status stat;
};

static void on_fd(struct loop *l, int fd, int events, void *ctx);
static void start_connect(struct mllp_sender *s);
static void send_next(struct mllp_sender *s);

static void stop_timer(struct mllp_sender *s)
{
    if (s->timer >= 0)
        loop_del_timer(s->l, s->timer);
    s->timer = -1;
}

static void close_socket(struct mllp_sender *s)
{
    if (s->fd >= 0) {
        loop_del_fd(s->l, s->fd);
        close(s->fd);
    }
    s->fd = -1;
    hl7_deframer_free(&s->df);
    hl7_deframer_init(&s->df);
    s->stat.connected = false;
}

static void on_backoff(struct loop *l, int id, void *ctx)
{
    struct mllp_sender *s = ctx;
    s->timer = -1;
    if (s->st == MS_BACKOFF) {
        s->st = MS_IDLE;
        start_connect(s);
    } else if (s->st == MS_RETRY_WAIT) {
        s->st = MS_READY;
        s->stat.resent++;
        send_next(s);
    }
}

static int next_backoff(struct mllp_sender *s)
{
    int ms = s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 > s->p.retry_max_ms ? s->p.retry_max_ms : s->backoff_ms * 2;
    return ms;
}

/* The connection failed: close it, remember since when, try again later.
 * The message in flight stays in flight and goes again, byte for byte. */
static void fail(struct mllp_sender *s, const char *why)
{
    close_socket(s);
    stop_timer(s);
    if (!s->stat.failing_since_ms)
        s->stat.failing_since_ms = ww_now_ms();
    if (strcmp(s->stat.last_error, why) != 0)
        log_msg(LOG_WARN, "export %s: %s", s->name, why);
    ww_strlcpy(s->stat.last_error, why, sizeof s->stat.last_error);
    s->st = MS_BACKOFF;
    s->timer = loop_add_timer(s->l, next_backoff(s), false, on_backoff, s);
}

static void on_timeout(struct loop *l, int id, void *ctx)
{
    struct mllp_sender *s = ctx;
    s->timer = -1;
    char why[160];
    if (s->st == MS_CONNECTING)
        snprintf(why, sizeof why, "connect: no answer within %d ms", s->p.ack_timeout_ms);
    else
        snprintf(why, sizeof why, "no ACK for %s within %d ms", s->ctl, s->p.ack_timeout_ms);
    if (s->in_flight)
        s->stat.resent++;
    fail(s, why);
}

static void watch(struct mllp_sender *s, int mask)
{
    if (loop_add_fd(s->l, s->fd, mask, on_fd, s) < 0)
        fail(s, "event loop full");
}

static void start_connect(struct mllp_sender *s)
{
    if (s->st != MS_IDLE)
        return;
    s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        char why[160];
        snprintf(why, sizeof why, "socket: %s", strerror(errno));
        fail(s, why);
        return;
    }
    if (connect(s->fd, (struct sockaddr *)&s->addr, s->alen) < 0 && errno != EINPROGRESS) {
        char why[160];
        snprintf(why, sizeof why, "connect: %s", strerror(errno));
        fail(s, why);
        return;
    }
    s->st = MS_CONNECTING;
    watch(s, LOOP_WRITE);
    s->timer = loop_add_timer(s->l, s->p.ack_timeout_ms, false, on_timeout, s);
}

static void try_write(struct mllp_sender *s)
{
    while (s->fsent < s->flen) {
        ssize_t n = send(s->fd, s->frame + s->fsent, s->flen - s->fsent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(s, LOOP_READ | LOOP_WRITE);
            return;
        }
        if (n <= 0) {
            char why[160];
            snprintf(why, sizeof why, "send: %s", n < 0 ? strerror(errno) : "nothing written");
            fail(s, why);
            return;
        }
        s->fsent += (size_t)n;
    }
    s->st = MS_WAITING;
    watch(s, LOOP_READ);
    stop_timer(s);
    s->timer = loop_add_timer(s->l, s->p.ack_timeout_ms, false, on_timeout, s);
}

static void send_next(struct mllp_sender *s)
{
    if (s->st != MS_READY)
        return;
    if (!s->in_flight) {
        struct mllp_out out = {0};
        if (s->ops.next(s->ctx, &out) != 1)
            return;
        free(s->frame);
        s->frame = hl7_mllp_frame(out.msg, out.len, &s->flen);
        if (!s->frame) {
            fail(s, "out of memory");
            return;
        }
        s->row = out.row;
        ww_strlcpy(s->ctl, out.control_id, sizeof s->ctl);
        s->in_flight = true;
    }
    s->fsent = 0;
    s->st = MS_SENDING;
    try_write(s);
}

/* The message in flight is settled: forget it, take the next. */
static void settle(struct mllp_sender *s, enum hl7_verdict v, const char *why)
{
    stop_timer(s);
    s->in_flight = false;
    free(s->frame);
    s->frame = NULL;
    /* only a delivery ends a failure: a destination refusing every message
     * (AE/CE) is failing too, though each message is settled */
    if (v == HL7_DELIVERED) {
        s->stat.failing_since_ms = 0;
        s->stat.last_error[0] = 0;
    } else {
        if (!s->stat.failing_since_ms)
            s->stat.failing_since_ms = ww_now_ms();
        snprintf(s->stat.last_error, sizeof s->stat.last_error, "%.40s refused: %.100s", s->ctl,
                 why);
    }
    s->backoff_ms = s->p.retry_min_ms;
    if (v == HL7_DELIVERED)
        s->stat.delivered++;
    else
        s->stat.dead++;
    int64_t row = s->row;
    s->st = MS_READY;
    s->ops.done(s->ctx, row, v, why);
    send_next(s);
}

static void on_ack(struct mllp_sender *s, const char *msg, size_t len)
{
    struct hl7_ack a;
    char err[160];
    if (hl7_ack_parse(msg, len, &a, err, sizeof err) < 0) {
        s->stat.stray_acks++;
        log_msg(LOG_WARN, "export %s: unreadable answer ignored: %s", s->name, err);
        return;
    }
    if (s->st != MS_WAITING || !s->in_flight) {
        s->stat.stray_acks++;
        return;
    }
    enum hl7_verdict v = hl7_ack_verdict(&a, s->ctl);
    switch (v) {
    case HL7_STRAY:
        s->stat.stray_acks++;
        log_msg(LOG_WARN, "export %s: ACK for %s while waiting for %s: ignored", s->name,
                a.control_id, s->ctl);
        return;
    case HL7_DELIVERED: settle(s, v, ""); return;
    case HL7_DEAD: {
        char why[200];
        snprintf(why, sizeof why, "%s %s", hl7_ack_code_name(a.code), a.text);
        log_msg(LOG_ERROR, "export %s: %s refused (%s): dead-lettered", s->name, s->ctl, why);
        settle(s, v, why);
        return;
    }
    case HL7_RETRY:
        stop_timer(s);
        if (!s->stat.failing_since_ms)
            s->stat.failing_since_ms = ww_now_ms();
        snprintf(s->stat.last_error, sizeof s->stat.last_error, "%s for %s: %.100s",
                 hl7_ack_code_name(a.code), s->ctl, a.text);
        s->st = MS_RETRY_WAIT;
        s->timer = loop_add_timer(s->l, next_backoff(s), false, on_backoff, s);
        return;
    }
}

static void on_fd(struct loop *l, int fd, int events, void *ctx)
{
    struct mllp_sender *s = ctx;
    if (s->st == MS_CONNECTING) {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
            e = errno;
        if (e) {
            char why[160];
            snprintf(why, sizeof why, "connect: %s", strerror(e));
            fail(s, why);
            return;
        }
        stop_timer(s);
        s->st = MS_READY;
        s->stat.connected = true;
        watch(s, LOOP_READ);
        send_next(s);
        return;
    }
    if (events & LOOP_READ || events & LOOP_HUP) {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            char why[160];
            snprintf(why, sizeof why, "connection closed by the peer%s%s", n < 0 ? ": " : "",
                     n < 0 ? strerror(errno) : "");
            if (s->in_flight && s->st == MS_WAITING)
                s->stat.resent++;
            fail(s, why);
            return;
        }
        char err[160];
        if (hl7_deframer_feed(&s->df, buf, (size_t)n, err, sizeof err) < 0) {
            fail(s, err);
            return;
        }
        char *m;
        size_t ml;
        int fd_before = s->fd;
        while (s->fd == fd_before && hl7_deframer_next(&s->df, &m, &ml) == 1) {
            on_ack(s, m, ml);
            free(m);
        }
        return;
    }
    if (events & LOOP_WRITE && s->st == MS_SENDING)
        try_write(s);
}

struct mllp_sender *mllp_sender_new(struct loop *l, const char *name, const char *host, int port,
                                    const struct mllp_params *p, const struct mllp_ops *ops,
                                    void *ctx, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char ps[8];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0 || !res) {
        ww_err(err, errlen, "export %s: cannot resolve %s: %s", name, host, gai_strerror(rc));
        return NULL;
    }
    struct mllp_sender *s = calloc(1, sizeof *s);
    if (!s) {
        freeaddrinfo(res);
        ww_err(err, errlen, "export %s: out of memory", name);
        return NULL;
    }
    memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
    s->alen = res->ai_addrlen;
    freeaddrinfo(res);
    s->l = l;
    ww_strlcpy(s->name, name, sizeof s->name);
    s->p = *p;
    if (s->p.retry_min_ms < 10)
        s->p.retry_min_ms = 10;
    if (s->p.retry_max_ms < s->p.retry_min_ms)
        s->p.retry_max_ms = s->p.retry_min_ms;
    s->backoff_ms = s->p.retry_min_ms;
    s->ops = *ops;
    s->ctx = ctx;
    s->fd = -1;
    s->timer = -1;
    s->st = MS_IDLE;
    hl7_deframer_init(&s->df);
    return s;
}

void mllp_sender_free(struct mllp_sender *s)
{
    if (!s)
        return;
    stop_timer(s);
    close_socket(s);
    hl7_deframer_free(&s->df);
    free(s->frame);
    free(s);
}

void mllp_sender_kick(struct mllp_sender *s)
{
    if (s->st == MS_IDLE)
        start_connect(s);
    else if (s->st == MS_READY)
        send_next(s);
}

void mllp_sender_status(const struct mllp_sender *s, struct mllp_status *st)
{
    *st = s->stat;
    st->in_flight = s->in_flight;
    ww_strlcpy(st->control_id, s->in_flight ? s->ctl : "", sizeof st->control_id);
}
