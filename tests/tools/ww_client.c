/*
 * ww_client — a scripted protocol peer for tests/t_serve.sh, built from the
 * real encoders and decoders (src/proto.h). One line of result on stdout.
 *
 *   ww_client SOCK hello            attach, take the snapshot: "synced N beds"
 *   ww_client SOCK late MS          connect, wait MS milliseconds, then attach
 *                                   as hello does (a board slow to say HELLO)
 *   ww_client SOCK exports          attach: the export status of the first
 *                                   STATE frame ("" without exports)
 *   ww_client SOCK garbage          send bytes that are no frame: "closed" when
 *                                   the server hangs up on us
 *   ww_client SOCK oversize         a frame header of 2 GiB: "closed"
 *   ww_client SOCK version          HELLO with version 99: "bye: REASON"
 *   ww_client SOCK badcmd           after the snapshot a CMD of unknown kind:
 *                                   "closed"
 *   ww_client SOCK slow SECONDS     attach and stop reading: "closed" when the
 *                                   server dropped us, else "open"
 *   ww_client SOCK full N           N connections attach, one more gets BYE:
 *                                   "bye: REASON"
 *   ww_client SOCK race BED A B     two connections acknowledge the same alarm
 *                                   of bed index BED (the most urgent in the
 *                                   snapshot) as staff A and B at once:
 *                                   "A: ok|refused: why" and "B: ..." lines;
 *                                   fails unless exactly one won and its BED
 *                                   showing the acknowledgement came first
 *   ww_client SOCK admit BED REF STAFF
 *                                   admit a patient on bed index BED: "ok" or
 *                                   "refused: why"
 *   ww_client SOCK discharge BED STAFF
 *                                   discharge the patient on bed index BED:
 *                                   "ok" or "refused: why"
 *   ww_client SOCK obs BED STAFF "NAME=VALUE ..."
 *                                   enter a set of observations by hand on
 *                                   bed index BED: "ok", "held: why" or
 *                                   "refused: why"
 *   ww_client SOCK ack BED STAFF    acknowledge the most urgent unacknowledged
 *                                   alarm of bed index BED: "ok" (committed),
 *                                   "held: why" (done, written when the store
 *                                   recovers) or "refused: why"
 *   ww_client SOCK burst TAG N STAFF send up to N commands one after another
 *                                   (notes "TAG-k" and observations on every
 *                                   bed in turn, acknowledgements of shown
 *                                   alarms), each sent only after the previous
 *                                   one was answered; prints "confirmed note
 *                                   TAG-k" (and "confirmed obs|ack ...") for
 *                                   each one the server committed ("held ..."
 *                                   for one held for the store), flushed at
 *                                   once, until N or the server goes away
 *   ww_client SOCK alarms           the snapshot's shown alarms, one line each:
 *                                   "alarm ID BED-INDEX active|latched acked|unacked"
 *   ww_client SOCK handover T0 T1 [STAFF [N]]
 *                                   ask for the handover preview of [T0, T1)
 *                                   (epoch ms) twice without reading: "handover
 *                                   N lines in K parts: HEAD" for each answer,
 *                                   "refused: why" for a refusal; fails when a
 *                                   part comes out of order
 *   ww_client SOCK beds WAIT STAY   attach, read nothing for WAIT seconds (the
 *                                   snapshot waits in the server's queue while
 *                                   the ward goes on), take the snapshot, then
 *                                   follow the ward STAY seconds: "synced N
 *                                   beds, K seen live, R with sensor readings,
 *                                   open|closed" (K: distinct beds in BED frames
 *                                   after the snapshot; R: beds whose sensor is
 *                                   ok at the end; and the kB/s that came after
 *                                   the snapshot); fails when dropped
 *   ww_client SOCK admitall PREFIX STAFF
 *                                   admit a patient PREFIX-N on every bed index
 *                                   N, one command after another: "admitted K
 *                                   of N" (fails unless K = N)
 * Exit status 0 when the run went as the mode expects, 1 otherwise.
 */
#include "proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct peer {
    int fd;
    uint8_t in[PROTO_MAX_FRAME];
    size_t inlen;
    uint32_t nbeds;
    struct ward_bed *beds;
};

static uint8_t out[PROTO_MAX_FRAME];

static int dial(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        printf("connect: %s\n", strerror(errno));
        exit(1);
    }
    return fd;
}

static void put(int fd, const uint8_t *p, size_t n)
{
    if (send(fd, p, n, MSG_NOSIGNAL) != (ssize_t)n) {
        printf("send: %s\n", strerror(errno));
        exit(1);
    }
}

static void hello(int fd, uint16_t version, const char *name)
{
    struct proto_buf b = {out, 0, sizeof out, 0, false};
    struct proto_hello h = {PROTO_MAGIC, version, "test", ""};
    snprintf(h.name, sizeof h.name, "%s", name);
    proto_put_hello(&b, &h);
    put(fd, out, b.len);
}

/* The next frame (waiting up to ms); NULL on EOF or timeout (*eof set). */
static const uint8_t *next_frame(struct peer *p, int ms, size_t *fl, bool *eof)
{
    static uint8_t frame[PROTO_MAX_FRAME];
    *eof = false;
    for (;;) {
        int k = proto_frame(p->in, p->inlen, fl);
        if (k == 1) {
            memcpy(frame, p->in, *fl);
            memmove(p->in, p->in + *fl, p->inlen - *fl);
            p->inlen -= *fl;
            return frame;
        }
        if (k < 0) {
            printf("malformed frame from the server\n");
            exit(1);
        }
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, ms) <= 0)
            return NULL;
        ssize_t r = read(p->fd, p->in + p->inlen, sizeof p->in - p->inlen);
        if (r <= 0) {
            *eof = true;
            return NULL;
        }
        p->inlen += (size_t)r;
    }
}

/* Read the snapshot into p->beds; -1 on anything else. */
static int sync_peer(struct peer *p)
{
    size_t fl;
    bool eof;
    const uint8_t *f;
    static struct proto_welcome w;
    while ((f = next_frame(p, 5000, &fl, &eof))) {
        uint8_t t = proto_frame_type(f);
        if (t == PT_WELCOME) {
            if (proto_get_welcome(f, fl, &w) < 0)
                return -1;
            p->nbeds = w.nbeds;
            p->beds = calloc(w.nbeds + 1, sizeof *p->beds);
        } else if (t == PT_BED) {
            uint32_t i;
            struct proto_minute mi;
            static struct ward_bed tmp;
            if (proto_get_bed(f, fl, &i, &tmp, &mi) < 0 || i >= p->nbeds)
                return -1;
            p->beds[i] = tmp;
        } else if (t == PT_SYNCED) {
            return 0;
        }
    }
    return -1;
}

/* Wait for the server to hang up (reading and discarding). */
static bool closed_within(struct peer *p, int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, 200) > 0) {
            ssize_t r = read(p->fd, p->in, sizeof p->in);
            if (r <= 0)
                return true;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
            return false;
    }
}

/* An ack of alarm id on bed as staff. */
static void send_ack(int fd, uint32_t req, uint32_t bed, int64_t id, const char *staff)
{
    static struct proto_cmd c;
    memset(&c, 0, sizeof c);
    c.req = req;
    c.cmd.kind = WCMD_ACK;
    c.cmd.bed = bed;
    c.cmd.alarm_id = id;
    snprintf(c.cmd.staff, sizeof c.cmd.staff, "%s", staff);
    struct proto_buf b = {out, 0, sizeof out, 0, false};
    proto_put_cmd(&b, &c);
    put(fd, out, b.len);
}

/* The REPLY to req; BED frames before it update p->beds (so the caller can
 * check the effect arrived before the answer). */
static int await_reply(struct peer *p, uint32_t req, struct proto_reply *r)
{
    size_t fl;
    bool eof;
    const uint8_t *f;
    while ((f = next_frame(p, 5000, &fl, &eof))) {
        uint8_t t = proto_frame_type(f);
        if (t == PT_BED) {
            uint32_t i;
            struct proto_minute mi;
            static struct ward_bed tmp;
            if (proto_get_bed(f, fl, &i, &tmp, &mi) == 0 && i < p->nbeds)
                p->beds[i] = tmp;
        }
        if (t == PT_REPLY && proto_get_reply(f, fl, r) == 0 && r->req == req)
            return 0;
    }
    return -1;
}

/* Send one command and wait for its answer: 1 confirmed (committed), 2
 * held for the store's recovery (not yet recorded), 0 refused (why in msg),
 * -1 the server went away. */
static int command(struct peer *p, uint32_t req, const struct ward_cmd *cmd, char *msg, size_t n)
{
    static struct proto_cmd c;
    memset(&c, 0, sizeof c);
    c.req = req;
    c.cmd = *cmd;
    struct proto_buf b = {out, 0, sizeof out, 0, false};
    proto_put_cmd(&b, &c);
    if (send(p->fd, out, b.len, MSG_NOSIGNAL) != (ssize_t)b.len)
        return -1;
    struct proto_reply r;
    if (await_reply(p, req, &r) < 0)
        return -1;
    snprintf(msg, n, "%s", r.message);
    return r.ok ? (r.held ? 2 : 1) : 0;
}

/* Did the mirror show the alarm acknowledged by staff when the REPLY came? */
static bool shows_ack(const struct peer *p, uint32_t bed, int64_t id, const char *staff)
{
    int c = alarm_find_id(&p->beds[bed].alarms, id);
    return c >= 0 && p->beds[bed].alarms.a[c].acked &&
           !strcmp(p->beds[bed].alarms.a[c].acked_by, staff);
}

/* beds mode (see the top). */
static int mode_beds(struct peer *p, int wait_s, long stay_s)
{
    hello(p->fd, PROTO_VERSION, "beds");
    sleep((unsigned)wait_s);
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    bool *seen = calloc(p->nbeds + 1, 1);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long stay_ms = stay_s * 1000, live = 0, bytes = 0;
    bool eof = false;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (el >= stay_ms)
            break;
        size_t fl;
        const uint8_t *f = next_frame(p, (int)(stay_ms - el), &fl, &eof);
        if (!f) {
            if (eof)
                break;
            continue;
        }
        bytes += (long)fl;
        uint32_t i;
        struct proto_minute mi;
        static struct ward_bed tmp;
        if (proto_frame_type(f) == PT_BED && proto_get_bed(f, fl, &i, &tmp, &mi) == 0 &&
            i < p->nbeds) {
            p->beds[i] = tmp;
            live += !seen[i];
            seen[i] = true;
        }
    }
    long ok = 0;
    for (uint32_t i = 0; i < p->nbeds; i++)
        ok += p->beds[i].sensor == WSENS_OK;
    printf("synced %u beds, %ld seen live, %ld with sensor readings, %ld kB/s, %s\n", p->nbeds,
           live, ok, stay_ms ? bytes / stay_ms : 0, eof ? "closed" : "open");
    free(seen);
    return eof ? 1 : 0;
}

/* admitall mode (see the top). */
static int mode_admitall(struct peer *p, const char *prefix, const char *staff)
{
    hello(p->fd, PROTO_VERSION, "admitall");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->nbeds; i++) {
        struct ward_cmd c = {.kind = WCMD_ADMIT, .bed = i};
        snprintf(c.ref, sizeof c.ref, "%s-%u", prefix, i);
        snprintf(c.staff, sizeof c.staff, "%s", staff);
        char msg[256];
        int rc = command(p, 100 + i, &c, msg, sizeof msg);
        if (rc < 0)
            break;
        if (rc == 0)
            printf("bed index %u refused: %s\n", i, msg);
        k += rc > 0;
    }
    printf("admitted %u of %u\n", k, p->nbeds);
    return k == p->nbeds ? 0 : 1;
}

/* hello mode (see the top). */
static int mode_hello(struct peer *p)
{
    hello(p->fd, PROTO_VERSION, "ww_client");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    printf("synced %u beds\n", p->nbeds);
    return 0;
}

/* exports mode (see the top). */
static int mode_exports(struct peer *p)
{
    hello(p->fd, PROTO_VERSION, "ww_client");
    size_t fl;
    bool eof;
    const uint8_t *f;
    while ((f = next_frame(p, 5000, &fl, &eof))) {
        static struct proto_state st;
        if (proto_frame_type(f) == PT_STATE) {
            if (proto_get_state(f, fl, &st) < 0)
                return printf("bad STATE\n"), 1;
            printf("%s\n", st.exports);
            return 0;
        }
    }
    return printf("no STATE\n"), 1;
}

/* garbage and oversize modes (see the top). */
static int mode_garbage(struct peer *p, bool garbage)
{
    if (garbage) {
        const char g[] = "GET / HTTP/1.0\r\n\r\n";
        put(p->fd, (const uint8_t *)g, sizeof g - 1);
    } else {
        const uint8_t h[] = {0x7f, 0xff, 0xff, 0xff, PT_HELLO, 0, 0, 0};
        put(p->fd, h, sizeof h);
    }
    bool c = closed_within(p, 3000);
    printf("%s\n", c ? "closed" : "open");
    return c ? 0 : 1;
}

/* version mode (see the top). */
static int mode_version(struct peer *p)
{
    hello(p->fd, 99, "ww_client");
    size_t fl;
    bool eof;
    const uint8_t *f = next_frame(p, 3000, &fl, &eof);
    struct proto_bye bye;
    if (!f || proto_get_bye(f, fl, &bye) < 0)
        return printf("no BYE\n"), 1;
    printf("bye: %s\n", bye.reason);
    return closed_within(p, 3000) ? 0 : 1;
}

/* badcmd mode (see the top). */
static int mode_badcmd(struct peer *p)
{
    hello(p->fd, PROTO_VERSION, "ww_client");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    /* A CMD whose kind byte is no command. */
    struct proto_buf b = {out, 0, sizeof out, 0, false};
    static struct proto_cmd c;
    c.cmd.kind = WCMD_ACK;
    proto_put_cmd(&b, &c);
    out[PROTO_HEADER + 1 + 4] = 0xee;
    put(p->fd, out, b.len);
    bool cl = closed_within(p, 3000);
    printf("%s\n", cl ? "closed" : "open");
    return cl ? 0 : 1;
}

/* slow mode (see the top). */
static int mode_slow(struct peer *p, int seconds)
{
    hello(p->fd, PROTO_VERSION, "slow");
    sleep((unsigned)seconds);
    bool cl = closed_within(p, 2000);
    printf("%s\n", cl ? "closed" : "open");
    return cl ? 0 : 1;
}

/* full mode (see the top). */
static int mode_full(struct peer *p, struct peer *q, const char *path, int want)
{
    /* p plus n - 1 more attach; one more is turned away with BYE. */
    static struct peer more[16];
    hello(p->fd, PROTO_VERSION, "full-0");
    if (sync_peer(p) < 0)
        return printf("connection 1 got no snapshot\n"), 1;
    for (int i = 1; i < want && i < 16; i++) {
        more[i].fd = dial(path);
        hello(more[i].fd, PROTO_VERSION, "full-n");
        if (sync_peer(&more[i]) < 0)
            return printf("connection %d got no snapshot\n", i + 1), 1;
    }
    q->fd = dial(path); /* turned away at once, before any HELLO */
    size_t fl;
    bool eof;
    const uint8_t *f = next_frame(q, 3000, &fl, &eof);
    struct proto_bye bye;
    if (!f || proto_get_bye(f, fl, &bye) < 0)
        return printf("connection %d was not turned away\n", want + 1), 1;
    printf("bye: %s\n", bye.reason);
    return 0;
}

/* race mode (see the top). */
static int mode_race(struct peer *p, struct peer *q, const char *path, uint32_t bed,
                     const char *sa, const char *sb)
{
    q->fd = dial(path);
    hello(p->fd, PROTO_VERSION, "race-a");
    hello(q->fd, PROTO_VERSION, "race-b");
    if (sync_peer(p) < 0 || sync_peer(q) < 0 || bed >= p->nbeds)
        return printf("no snapshot\n"), 1;
    int c = alarm_most_urgent(&p->beds[bed].alarms);
    if (c < 0)
        return printf("no alarm on bed index %u\n", bed), 1;
    int64_t id = p->beds[bed].alarms.a[c].id;
    /* Both in flight before either is answered. */
    send_ack(p->fd, 7, bed, id, sa);
    send_ack(q->fd, 8, bed, id, sb);
    struct proto_reply ra, rb;
    if (await_reply(p, 7, &ra) < 0 || await_reply(q, 8, &rb) < 0)
        return printf("no reply\n"), 1;
    printf("%s: %s%s\n", sa, ra.ok ? "ok" : "refused: ", ra.message);
    printf("%s: %s%s\n", sb, rb.ok ? "ok" : "refused: ", rb.message);
    /* The winner's own mirror showed the acknowledgement before the answer. */
    const char *winner = ra.ok ? sa : sb;
    bool before = ra.ok ? shows_ack(p, bed, id, winner) : shows_ack(q, bed, id, winner);
    if (!before)
        printf("the REPLY came before the BED showing the acknowledgement\n");
    return ra.ok != rb.ok && before ? 0 : 1;
}

/* alarms mode (see the top). */
static int mode_alarms(struct peer *p)
{
    hello(p->fd, PROTO_VERSION, "alarms");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    for (uint32_t i = 0; i < p->nbeds; i++)
        for (int c = 0; c < AC_COUNT; c++) {
            const struct alarm *a = &p->beds[i].alarms.a[c];
            if (a->state == AS_NONE)
                continue;
            printf("alarm %lld %u %s %s\n", (long long)a->id, i,
                   a->state == AS_LATCHED ? "latched" : "active", a->acked ? "acked" : "unacked");
        }
    return 0;
}

/* admit mode (see the top). */
static int mode_admit(struct peer *p, uint32_t bed, const char *ref, const char *staff)
{
    hello(p->fd, PROTO_VERSION, "admit");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    struct ward_cmd c = {.kind = WCMD_ADMIT, .bed = bed};
    snprintf(c.ref, sizeof c.ref, "%s", ref);
    snprintf(c.staff, sizeof c.staff, "%s", staff);
    char msg[512];
    int rc = command(p, 1, &c, msg, sizeof msg);
    printf(rc > 0 ? "ok\n" : rc == 0 ? "refused: %s\n" : "no reply\n", msg);
    return rc > 0 ? 0 : 1;
}

/* ack and obs modes (see the top): one command that may be held for the
 * store. text is the observations of obs, NULL for ack. */
static int mode_held_cmd(struct peer *p, const char *name, enum ward_cmd_kind kind,
                         uint32_t bed, const char *staff, const char *text)
{
    hello(p->fd, PROTO_VERSION, name);
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    struct ward_cmd c = {.kind = kind, .bed = bed};
    snprintf(c.staff, sizeof c.staff, "%s", staff);
    if (text)
        snprintf(c.text, sizeof c.text, "%s", text);
    char msg[512];
    int rc = command(p, 1, &c, msg, sizeof msg);
    printf(rc == 1 ? "ok\n" : rc == 2 ? "held: %s\n" : rc == 0 ? "refused: %s\n" : "no reply\n",
           msg);
    return rc > 0 ? 0 : 1;
}

/* The k-th command of burst mode, described in what. */
static void burst_cmd(const struct peer *p, long k, const char *tag, struct ward_cmd *c,
                      char *what, size_t wn)
{
    static const char *params[] = {"spo2", "sbp", "temp", "acvpu"};
    static const char *values[] = {"95", "118", "37.2", "A"};
    int kind = (int)(k % 3);
    int ca = alarm_most_urgent(&p->beds[c->bed].alarms);
    if (kind == 2 && ca >= 0 && !p->beds[c->bed].alarms.a[ca].acked) {
        c->kind = WCMD_ACK;
        c->alarm_id = p->beds[c->bed].alarms.a[ca].id;
        snprintf(what, wn, "ack %lld", (long long)c->alarm_id);
    } else if (kind == 1) {
        c->kind = WCMD_OBSERVATION;
        snprintf(c->param, sizeof c->param, "%s", params[k % 4]);
        snprintf(c->value, sizeof c->value, "%s", values[k % 4]);
        snprintf(what, wn, "obs %u %s %s", c->bed, c->param, c->value);
    } else {
        c->kind = WCMD_NOTE;
        snprintf(c->text, sizeof c->text, "%s-%ld", tag, k);
        snprintf(what, wn, "note %s", c->text);
    }
}

/* burst mode (see the top). */
static int mode_burst(struct peer *p, const char *tag, long n, const char *staff)
{
    hello(p->fd, PROTO_VERSION, "burst");
    if (sync_peer(p) < 0 || p->nbeds == 0)
        return printf("no snapshot\n"), 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (long k = 0; k < n; k++) {
        struct ward_cmd c = {.bed = (uint32_t)(k % p->nbeds)};
        snprintf(c.staff, sizeof c.staff, "%s", staff);
        char what[sizeof c.text + 64];
        burst_cmd(p, k, tag, &c, what, sizeof what);
        char msg[512];
        int rc = command(p, (uint32_t)(k + 1), &c, msg, sizeof msg);
        if (rc < 0)
            return 0; /* the server went away: what was confirmed is printed */
        if (rc == 1)
            printf("confirmed %s\n", what);
        else if (rc == 2)
            printf("held %s\n", what); /* done, not yet recorded */
    }
    return 0;
}

/* handover mode (see the top). */
static int mode_handover(struct peer *p, int64_t t0, int64_t t1, const char *staff)
{
    hello(p->fd, PROTO_VERSION, "handover");
    if (sync_peer(p) < 0)
        return printf("no snapshot\n"), 1;
    for (uint32_t req = 1; req <= 2; req++) {
        struct proto_horeq hr = {req, "", t0, t1, "", false, 0};
        snprintf(hr.staff, sizeof hr.staff, "%s", staff);
        struct proto_buf b = {out, 0, sizeof out, 0, false};
        proto_put_horeq(&b, &hr);
        put(p->fd, out, b.len);
    }
    static struct proto_hopart hp;
    size_t fl;
    bool eof;
    const uint8_t *f;
    uint32_t got[3] = {0}, parts[3] = {0};
    int answers = 0;
    while (answers < 2 && (f = next_frame(p, 10000, &fl, &eof))) {
        uint8_t t = proto_frame_type(f);
        struct proto_reply r;
        if (t == PT_REPLY && proto_get_reply(f, fl, &r) == 0 && r.req >= 1 && r.req <= 2) {
            printf("refused: %s\n", r.message);
            answers++;
        } else if (t == PT_HOPART) {
            if (proto_get_hopart(f, fl, &hp) < 0 || hp.req < 1 || hp.req > 2 ||
                hp.first != got[hp.req])
                return printf("bad or out-of-order HOPART\n"), 1;
            got[hp.req] += hp.n;
            parts[hp.req]++;
            if (got[hp.req] == hp.total) {
                printf("handover %u lines in %u parts: %s\n", hp.total, parts[hp.req],
                       hp.head[0]);
                answers++;
            }
        }
    }
    return answers == 2 ? 0 : (printf("no answer\n"), 1);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: ww_client SOCK hello|garbage|oversize|version|badcmd|slow S|race B A B\n");
        return 2;
    }
    const char *path = argv[1], *mode = argv[2];
    static struct peer p, q;
    p.fd = dial(path);
    if (!strcmp(mode, "hello"))
        return mode_hello(&p);
    if (!strcmp(mode, "late") && argc > 3) {
        struct timespec ts = {atoi(argv[3]) / 1000, (long)(atoi(argv[3]) % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return mode_hello(&p);
    }
    if (!strcmp(mode, "exports"))
        return mode_exports(&p);
    if (!strcmp(mode, "garbage") || !strcmp(mode, "oversize"))
        return mode_garbage(&p, !strcmp(mode, "garbage"));
    if (!strcmp(mode, "version"))
        return mode_version(&p);
    if (!strcmp(mode, "badcmd"))
        return mode_badcmd(&p);
    if (!strcmp(mode, "beds") && argc > 4)
        return mode_beds(&p, atoi(argv[3]), atol(argv[4]));
    if (!strcmp(mode, "slow") && argc > 3)
        return mode_slow(&p, atoi(argv[3]));
    if (!strcmp(mode, "full") && argc > 3)
        return mode_full(&p, &q, path, atoi(argv[3]));
    if (!strcmp(mode, "race") && argc > 5)
        return mode_race(&p, &q, path, (uint32_t)atoi(argv[3]), argv[4], argv[5]);
    if (!strcmp(mode, "alarms"))
        return mode_alarms(&p);
    if (!strcmp(mode, "admitall") && argc > 4)
        return mode_admitall(&p, argv[3], argv[4]);
    if (!strcmp(mode, "admit") && argc > 5)
        return mode_admit(&p, (uint32_t)atoi(argv[3]), argv[4], argv[5]);
    if (!strcmp(mode, "discharge") && argc > 4)
        return mode_held_cmd(&p, "discharge", WCMD_DISCHARGE, (uint32_t)atoi(argv[3]), argv[4], NULL);
    if (!strcmp(mode, "ack") && argc > 4)
        return mode_held_cmd(&p, "ack", WCMD_ACK, (uint32_t)atoi(argv[3]), argv[4], NULL);
    if (!strcmp(mode, "obs") && argc > 5)
        return mode_held_cmd(&p, "obs", WCMD_OBSERVATIONS, (uint32_t)atoi(argv[3]), argv[4],
                             argv[5]);
    if (!strcmp(mode, "burst") && argc > 5)
        return mode_burst(&p, argv[3], atol(argv[4]), argv[5]);
    if (!strcmp(mode, "handover") && argc > 4)
        return mode_handover(&p, atoll(argv[3]), atoll(argv[4]), argc > 5 ? argv[5] : "ES");
    fprintf(stderr, "ww_client: unknown mode %s\n", mode);
    return 2;
}
