/* Tests for src/server: `wardwatch serve`'s listening side on a loop in this
 * process (a monitor of a three-bed ward without sensors or store), with
 * clients on its UNIX socket speaking src/proto.h frames: HELLO answered by
 * WELCOME and the snapshot; a command's effect (BED, EVENT) before its
 * REPLY, a refusal with the reason; HISTREQ answered; the ward's seconds
 * broadcast; a board that stops reading dropped at the queue limit while
 * another carries on; a wrong version, bad frame lengths, undecodable and
 * unexpected frames closed, each told why (BYE) and logged; socket mode,
 * a live server's socket refused; BYE to every board when it stops. */
#include "ww_test.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "proto.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct fx {
    char *dir;
    char sock[200], logpath[4200];
    struct ward_config *cfg;
    struct loop *l;
    struct monitor *m;
    struct server *s;
};

struct peer {
    int fd;
    uint8_t in[1 << 20];
    size_t len, off;
    bool eof;
};

static uint8_t obuf[PROTO_MAX_FRAME];

static struct proto_buf *ob(void)
{
    static struct proto_buf b;
    b = (struct proto_buf){obuf, 0, sizeof obuf, 0, false};
    return &b;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = ww_test_tmpdir();
    char ini[4200], staff[4200], err[512], text[2000];
    snprintf(ini, sizeof ini, "%s/w.ini", f->dir);
    snprintf(staff, sizeof staff, "%s/staff.txt", f->dir);
    snprintf(f->sock, sizeof f->sock, "%s/run/w.sock", f->dir);
    snprintf(f->logpath, sizeof f->logpath, "%s/serve.log", f->dir);
    ww_test_write_file(staff, "KN\nAB\n");
    snprintf(text, sizeof text,
             "[ward]\nname = Testpost\ndatabase = x.db\nstaff = staff.txt\n"
             "[bed.1]\nlabel = Rom 1\n[bed.2]\nlabel = Rom 2\n[bed.3]\nlabel = Rom 3\n");
    ww_test_write_file(ini, text);
    f->cfg = malloc(sizeof *f->cfg);
    if (config_load(ini, f->cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    f->l = loop_new(false);
    struct monitor_opts mo = {.speed = 50}; /* a ward second every 20 ms once started */
    f->m = monitor_new(f->cfg, NULL, f->l, &mo, err, sizeof err);
    if (!f->m)
        fail_msg("%s", err);
    if (log_open(f->logpath, err, sizeof err) < 0)
        fail_msg("%s", err);
    log_set_tty_owned(true);
    struct server_opts so = {f->sock, NULL, 2, 0};
    f->s = server_new(f->m, f->l, &so, err, sizeof err);
    if (!f->s)
        fail_msg("%s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    server_free(f->s);
    monitor_free(f->m);
    loop_free(f->l);
    log_close();
    free(f->cfg);
    ww_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static struct peer *dial(struct fx *f)
{
    struct peer *p = calloc(1, sizeof *p);
    p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ww_strlcpy(sa.sun_path, f->sock, sizeof sa.sun_path);
    assert_int_equal(connect(p->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return p;
}

static void hang_up(struct peer *p)
{
    close(p->fd);
    free(p);
}

static void put(struct peer *p, const uint8_t *b, size_t n)
{
    assert_int_equal(send(p->fd, b, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void put_frame(struct peer *p, struct proto_buf *b)
{
    put(p, b->p, b->len);
}

static void hello(struct peer *p, uint16_t version, const char *name)
{
    struct proto_hello h = {PROTO_MAGIC, version, "test", ""};
    ww_strlcpy(h.name, name, sizeof h.name);
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_hello(b, &h), 0);
    put_frame(p, b);
}

/* The next whole frame from the server, running the loop meanwhile; NULL
 * at EOF or after ms. */
static const uint8_t *next(struct fx *f, struct peer *p, int ms, size_t *fl)
{
    int64_t end = ww_mono_ms() + ms;
    for (;;) {
        int k = proto_frame(p->in + p->off, p->len - p->off, fl);
        assert_true(k >= 0);
        if (k == 1) {
            const uint8_t *fr = p->in + p->off;
            p->off += *fl;
            return fr;
        }
        if (p->off) {
            memmove(p->in, p->in + p->off, p->len - p->off);
            p->len -= p->off;
            p->off = 0;
        }
        ssize_t r = read(p->fd, p->in + p->len, sizeof p->in - p->len);
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
            p->eof = true;
            return NULL;
        }
        if (r > 0) {
            p->len += (size_t)r;
            continue;
        }
        if (ww_mono_ms() > end)
            return NULL;
        loop_once(f->l, 10);
    }
}

/* Frames up to and including the first of type; its frame or NULL. */
static const uint8_t *until(struct fx *f, struct peer *p, uint8_t type, size_t *fl)
{
    const uint8_t *fr;
    while ((fr = next(f, p, 3000, fl)))
        if (proto_frame_type(fr) == type)
            return fr;
    return NULL;
}

/* EOF within ms (frames before it are read and dropped). */
static bool closed(struct fx *f, struct peer *p, int ms)
{
    size_t fl;
    int64_t end = ww_mono_ms() + ms;
    while (ww_mono_ms() < end)
        if (!next(f, p, 50, &fl) && p->eof)
            return true;
    return false;
}

/* A board attached with its snapshot read. */
static struct peer *board(struct fx *f, const char *name)
{
    struct peer *p = dial(f);
    hello(p, PROTO_VERSION, name);
    size_t fl;
    assert_non_null(until(f, p, PT_SYNCED, &fl));
    return p;
}

static const char *log_text(struct fx *f)
{
    static char buf[65536];
    FILE *fp = fopen(f->logpath, "r");
    size_t n = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
    buf[n] = 0;
    if (fp)
        fclose(fp);
    return buf;
}

static void test_welcome_and_snapshot(void **state)
{
    struct fx *f = *state;
    struct stat st;
    assert_int_equal(stat(f->sock, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0660);
    struct peer *p = dial(f);
    hello(p, PROTO_VERSION, "station");
    size_t fl;
    const uint8_t *fr = next(f, p, 3000, &fl);
    assert_non_null(fr);
    assert_int_equal(proto_frame_type(fr), PT_WELCOME);
    static struct proto_welcome w;
    assert_int_equal(proto_get_welcome(fr, fl, &w), 0);
    assert_int_equal(w.version, PROTO_VERSION);
    assert_string_equal(w.ward, "Testpost");
    assert_int_equal(w.nbeds, 3);
    assert_int_equal(w.nstaff, 2);
    assert_string_equal(w.staff[1], "AB");
    assert_true(w.now_ms > 1700000000000LL);
    fr = next(f, p, 3000, &fl);
    assert_int_equal(proto_frame_type(fr), PT_STATE);
    /* every bed with its three histories, in order, then SYNCED */
    static struct ward_bed b;
    for (uint32_t i = 0; i < 3; i++) {
        fr = next(f, p, 3000, &fl);
        assert_int_equal(proto_frame_type(fr), PT_BED);
        uint32_t idx;
        struct proto_minute mi;
        assert_int_equal(proto_get_bed(fr, fl, &idx, &b, &mi), 0);
        assert_int_equal(idx, i);
        char want[16];
        snprintf(want, sizeof want, "Rom %u", i + 1);
        assert_string_equal(b.label, want);
        for (int k = 0; k < PS_COUNT; k++) {
            static struct proto_hist h;
            fr = next(f, p, 3000, &fl);
            assert_int_equal(proto_get_hist(fr, fl, &h), 0);
            assert_int_equal(h.bed, i);
            assert_int_equal(h.series, k);
        }
    }
    fr = next(f, p, 3000, &fl);
    assert_int_equal(proto_frame_type(fr), PT_SYNCED);
    assert_int_equal(server_clients(f->s), 1);
    assert_non_null(strstr(log_text(f), "(station, uid"));
    hang_up(p);
    loop_once(f->l, 50);
    assert_int_equal(server_clients(f->s), 0);
}

static void test_commands_answered_after_their_effect(void **state)
{
    struct fx *f = *state;
    struct peer *p = board(f, "station");
    struct peer *other = board(f, "pts/3");
    static struct proto_cmd c;
    memset(&c, 0, sizeof c);
    c.req = 41;
    c.cmd.kind = WCMD_ADMIT;
    c.cmd.bed = 1;
    strcpy(c.cmd.ref, "P-0042");
    strcpy(c.cmd.staff, "KN");
    strcpy(c.cmd.text, "from A&E");
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_cmd(b, &c), 0);
    put_frame(p, b);
    /* the BED showing the admission comes before the REPLY */
    bool bed_seen = false;
    size_t fl;
    const uint8_t *fr;
    static struct ward_bed wb;
    while ((fr = next(f, p, 3000, &fl)) && proto_frame_type(fr) != PT_REPLY) {
        uint32_t idx;
        struct proto_minute mi;
        if (proto_frame_type(fr) == PT_BED && proto_get_bed(fr, fl, &idx, &wb, &mi) == 0 &&
            idx == 1 && wb.admitted && !strcmp(wb.patient_ref, "P-0042"))
            bed_seen = true;
    }
    assert_non_null(fr);
    struct proto_reply r;
    assert_int_equal(proto_get_reply(fr, fl, &r), 0);
    assert_int_equal(r.req, 41);
    assert_true(r.ok);
    assert_true(bed_seen);
    /* the other board hears the event, naming the terminal it came from */
    fr = until(f, other, PT_EVENT, &fl);
    assert_non_null(fr);
    struct proto_event e;
    assert_int_equal(proto_get_event(fr, fl, &e), 0);
    assert_true(e.by_staff);
    assert_int_equal(e.bed, 1);
    assert_string_equal(e.from, "station");
    /* a refusal is answered with the reason (bed 1 is taken) */
    c.req = 42;
    strcpy(c.cmd.ref, "P-0043");
    b = ob();
    assert_int_equal(proto_put_cmd(b, &c), 0);
    put_frame(p, b);
    fr = until(f, p, PT_REPLY, &fl);
    assert_non_null(fr);
    assert_int_equal(proto_get_reply(fr, fl, &r), 0);
    assert_int_equal(r.req, 42);
    assert_false(r.ok);
    assert_true(r.message[0] != 0);
    /* HISTREQ answered by HISTORY of the same request */
    struct proto_histreq hr = {77, 1, 0, INT64_MAX / 2, 10};
    b = ob();
    assert_int_equal(proto_put_histreq(b, &hr), 0);
    put_frame(p, b);
    fr = until(f, p, PT_HISTORY, &fl);
    assert_non_null(fr);
    static struct proto_history h;
    assert_int_equal(proto_get_history(fr, fl, &h), 0);
    assert_int_equal(h.req, 77);
    assert_int_equal(h.bed, 1);
    hang_up(p);
    hang_up(other);
}

static void test_ward_seconds_broadcast(void **state)
{
    struct fx *f = *state;
    assert_int_equal(monitor_start(f->m), 0);
    struct peer *p = board(f, "station");
    size_t fl;
    const uint8_t *fr = until(f, p, PT_STATE, &fl);
    assert_non_null(fr);
    struct proto_state s1, s2;
    assert_int_equal(proto_get_state(fr, fl, &s1), 0);
    fr = until(f, p, PT_STATE, &fl);
    assert_non_null(fr);
    assert_int_equal(proto_get_state(fr, fl, &s2), 0);
    assert_true(s2.now_ms > s1.now_ms);
    hang_up(p);
}

static void test_slow_board_dropped(void **state)
{
    struct fx *f = *state;
    assert_int_equal(monitor_start(f->m), 0);
    /* Admission notes of 4000 bytes make each BED frame big. */
    char note[WARD_NOTE_MAX + 1], err[512];
    memset(note, 'n', WARD_NOTE_MAX);
    note[WARD_NOTE_MAX] = 0;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ward_cmd_admit(monitor_ward(f->m), i, "P-1", note, "KN",
                                        monitor_now(f->m), err, sizeof err),
                         0);
    struct peer *slow = dial(f);
    int small = 4096;
    setsockopt(slow->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    hello(slow, PROTO_VERSION, "slow");
    struct peer *good = board(f, "good");
    /* the slow one never reads; the good one reads on */
    size_t fl;
    int64_t end = ww_mono_ms() + 20000;
    while (server_clients(f->s) == 2 && ww_mono_ms() < end)
        next(f, good, 50, &fl);
    assert_int_equal(server_clients(f->s), 1);
    const char *lg = log_text(f);
    if (!strstr(lg, "(slow, uid") || !strstr(lg, "dropped: too slow:") ||
        !strstr(lg, "(limit 65536)"))
        fail_msg("no drop logged: %s", lg);
    assert_true(closed(f, slow, 3000));
    /* the good board still gets the ward's seconds */
    assert_non_null(until(f, good, PT_STATE, &fl));
    assert_false(good->eof);
    hang_up(slow);
    hang_up(good);
}

/* A peer that is closed: told why by BYE (or EOF), the reason logged. */
static void expect_closed_with(struct fx *f, struct peer *p, const char *bye_has,
                               const char *log_has)
{
    size_t fl;
    const uint8_t *fr = until(f, p, PT_BYE, &fl);
    if (!fr)
        fail_msg("no BYE (wanted '%s')", bye_has);
    struct proto_bye bye;
    assert_int_equal(proto_get_bye(fr, fl, &bye), 0);
    if (!strstr(bye.reason, bye_has))
        fail_msg("BYE '%s' lacks '%s'", bye.reason, bye_has);
    assert_true(closed(f, p, 3000));
    if (log_has && !strstr(log_text(f), log_has))
        fail_msg("log lacks '%s': %s", log_has, log_text(f));
}

static void test_bad_peers_closed_with_the_reason(void **state)
{
    struct fx *f = *state;
    struct peer *keep = board(f, "keep");
    char want[80];
    /* another protocol version */
    struct peer *p = dial(f);
    hello(p, PROTO_VERSION + 1, "old");
    snprintf(want, sizeof want, "protocol version %d not supported (this server speaks %d)",
             PROTO_VERSION + 1, PROTO_VERSION);
    expect_closed_with(f, p, want, want);
    hang_up(p);
    /* bytes that are no HELLO */
    p = dial(f);
    const char g[] = "GET / HTTP/1.0\r\n\r\n";
    put(p, (const uint8_t *)g, sizeof g - 1);
    assert_true(closed(f, p, 3000));
    hang_up(p);
    /* a HELLO frame that does not decode */
    p = dial(f);
    const uint8_t bad[] = {0, 0, 0, 3, PT_HELLO, 1, 2};
    put(p, bad, sizeof bad);
    expect_closed_with(f, p, "malformed message: expected HELLO", NULL);
    hang_up(p);
    /* after the snapshot: a frame length of 0 */
    p = board(f, "zero");
    const uint8_t zero[] = {0, 0, 0, 0};
    put(p, zero, sizeof zero);
    expect_closed_with(f, p, "malformed message: bad frame length",
                       "(zero, uid");
    assert_non_null(strstr(log_text(f), "closed: malformed message: bad frame length"));
    hang_up(p);
    /* a CMD of no known kind */
    p = board(f, "badcmd");
    static struct proto_cmd c;
    memset(&c, 0, sizeof c);
    c.cmd.kind = WCMD_ACK;
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_cmd(b, &c), 0);
    obuf[PROTO_HEADER + 1 + 4] = 0xee;
    put_frame(p, b);
    expect_closed_with(f, p, "malformed message: bad CMD", "closed: malformed message: bad CMD");
    hang_up(p);
    /* a frame only the server sends */
    p = board(f, "echo");
    struct proto_buf *b2 = ob();
    assert_int_equal(proto_put_synced(b2), 0);
    put_frame(p, b2);
    expect_closed_with(f, p, "unexpected SYNCED (0x85)", "unexpected SYNCED (0x85)");
    hang_up(p);
    /* the good board was never disturbed */
    assert_int_equal(server_clients(f->s), 1);
    struct proto_histreq hr = {5, 0, 0, 1, 1};
    b = ob();
    assert_int_equal(proto_put_histreq(b, &hr), 0);
    put_frame(keep, b);
    size_t fl;
    assert_non_null(until(f, keep, PT_HISTORY, &fl));
    hang_up(keep);
}

static void test_full_and_second_server(void **state)
{
    struct fx *f = *state;
    struct peer *a = board(f, "a");
    struct peer *b = board(f, "b");
    struct peer *c = dial(f);
    hello(c, PROTO_VERSION, "c");
    expect_closed_with(f, c, "server full: 2 boards attached", NULL);
    hang_up(c);
    char err[300] = "";
    assert_int_equal(server_socket_free(f->sock, err, sizeof err), -1);
    assert_non_null(strstr(err, "another wardwatch serve is listening"));
    /* stopping says so to every board and removes the socket */
    server_free(f->s);
    f->s = NULL;
    expect_closed_with(f, a, "the monitoring server is stopping", NULL);
    expect_closed_with(f, b, "the monitoring server is stopping", NULL);
    assert_int_equal(access(f->sock, F_OK), -1);
    assert_int_equal(server_socket_free(f->sock, err, sizeof err), 0);
    hang_up(a);
    hang_up(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_welcome_and_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_answered_after_their_effect, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ward_seconds_broadcast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_board_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_peers_closed_with_the_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_and_second_server, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
