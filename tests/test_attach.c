/* Tests for src/attach: a board's mirror of a served ward, attached to a
 * fake server end in this process (a UNIX socket on the same loop, frames
 * made by proto.c's encoders): HELLO names the terminal; the snapshot
 * (WELCOME, STATE, BED, HIST, SYNCED) fills the view; later STATE, BED and
 * EVENT frames update it; a command is sent as CMD and answered by its
 * REPLY only; a WELCOME of another protocol version is refused naming both
 * versions (H19-33); BYE, malformed frames and frames before WELCOME drop
 * the link with the reason, and a command waiting then is told. */
#include "ww_test.h"
#include "attach.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "util.h"
#include "view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NOW 1796150000000LL

struct fake {
    struct loop *l;
    char *dir;
    char path[108];
    int lfd, cfd;
    int accepted;
    uint16_t version; /* WELCOME's */
    bool state_first; /* a STATE before the WELCOME */
    uint8_t in[PROTO_MAX_FRAME];
    size_t inlen;
    struct proto_hello hello;
    int nhello;
    struct proto_cmd cmd;
    int ncmd;
};

static struct ward_bed sbed; /* the server's bed (large: static) */
static uint8_t obuf[PROTO_MAX_FRAME];

static struct proto_buf *ob(void)
{
    static struct proto_buf b;
    b = (struct proto_buf){obuf, 0, sizeof obuf, 0, false};
    return &b;
}

/* Write an encoded frame to the board. */
static void push(struct fake *f, struct proto_buf *b)
{
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = send(f->cfd, b->p + off, b->len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        off += (size_t)w;
    }
}

static void server_bed(int64_t admission, double rr)
{
    memset(&sbed, 0, sizeof sbed);
    sbed.number = 1;
    strcpy(sbed.label, "Rom 1 vindu");
    sbed.admitted = true;
    sbed.admission_id = admission;
    strcpy(sbed.patient_ref, "P-0042");
    sbed.admitted_at = NOW - 3600000;
    sbed.sensor = WSENS_OK;
    sbed.param[NEWS2_RR] = (struct ward_value){true, rr, NOW, "", true, false};
    sbed.score_valid = true;
    sbed.score.total = 5;
    hist_clear(&sbed.h_rr);
    hist_clear(&sbed.h_hr);
    hist_clear(&sbed.h_news2);
    alarm_bed_init(&sbed.alarms);
}

static void send_bed(struct fake *f, uint32_t index)
{
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_bed(b, index, &sbed, NOW), 0);
    push(f, b);
}

static void send_state(struct fake *f, bool store_ok, const char *exports)
{
    struct proto_state st = {NOW, store_ok, {0, 0}, ""};
    ww_strlcpy(st.exports, exports, sizeof st.exports);
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_state(b, &st), 0);
    push(f, b);
}

/* WELCOME (f->version), STATE, two beds with bed 0's RR history, SYNCED. */
static void send_snapshot(struct fake *f)
{
    static struct proto_welcome w;
    memset(&w, 0, sizeof w);
    w.version = f->version;
    strcpy(w.software, "9.9.9");
    strcpy(w.ward, "Testpost");
    w.client_id = 7;
    w.nbeds = 2;
    w.now_ms = NOW;
    w.audio_pause_s = 90;
    w.nstaff = 2;
    strcpy(w.staff[0], "KN");
    strcpy(w.staff[1], "AB");
    if (f->state_first)
        send_state(f, true, "");
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_welcome(b, &w), 0);
    push(f, b);
    send_state(f, false, "HL7 ok");
    server_bed(11, 18);
    /* one minute of RR history, 20 minutes ago */
    hist_add(&sbed.h_rr, NOW - 20 * 60000, 22);
    send_bed(f, 0);
    static struct proto_hist h;
    proto_hist_from(&h, 0, PS_RR, &sbed.h_rr, NOW);
    b = ob();
    assert_int_equal(proto_put_hist(b, &h), 0);
    push(f, b);
    server_bed(0, 0);
    sbed.admitted = false;
    strcpy(sbed.label, "Rom 2");
    send_bed(f, 1);
    b = ob();
    assert_int_equal(proto_put_synced(b), 0);
    push(f, b);
}

static void on_client(struct loop *l, int fd, int ev, void *ctx)
{
    struct fake *f = ctx;
    ssize_t r = read(fd, f->in + f->inlen, sizeof f->in - f->inlen);
    if (r <= 0) {
        loop_del_fd(l, fd);
        close(fd);
        f->cfd = -1;
        f->inlen = 0;
        return;
    }
    f->inlen += (size_t)r;
    size_t off = 0, fl;
    while (proto_frame(f->in + off, f->inlen - off, &fl) == 1) {
        const uint8_t *fr = f->in + off;
        if (proto_frame_type(fr) == PT_HELLO) {
            assert_int_equal(proto_get_hello(fr, fl, &f->hello), 0);
            f->nhello++;
            send_snapshot(f);
        } else if (proto_frame_type(fr) == PT_CMD) {
            assert_int_equal(proto_get_cmd(fr, fl, &f->cmd), 0);
            f->ncmd++;
        }
        off += fl;
    }
    memmove(f->in, f->in + off, f->inlen - off);
    f->inlen -= off;
}

static void on_listen(struct loop *l, int fd, int ev, void *ctx)
{
    struct fake *f = ctx;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
    if (f->cfd >= 0) {
        loop_del_fd(l, f->cfd);
        close(f->cfd);
    }
    f->cfd = c;
    f->inlen = 0;
    f->accepted++;
    loop_add_fd(l, c, LOOP_READ, on_client, f);
}

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof *f);
    f->l = loop_new(false);
    f->dir = ww_test_tmpdir();
    snprintf(f->path, sizeof f->path, "%s/w.sock", f->dir);
    f->version = PROTO_VERSION;
    f->cfd = -1;
    f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ww_strlcpy(sa.sun_path, f->path, sizeof sa.sun_path);
    if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(f->lfd, 4) < 0)
        return -1;
    loop_add_fd(f->l, f->lfd, LOOP_READ, on_listen, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;
    if (f->cfd >= 0)
        close(f->cfd);
    close(f->lfd);
    loop_free(f->l);
    ww_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Run the loop for ms (the frames sent reach the mirror). */
static void run(struct fake *f, int ms)
{
    int64_t end = ww_mono_ms() + ms;
    while (ww_mono_ms() < end)
        loop_once(f->l, 10);
}

/* Run the loop until the view is connected again (the mirror retries each
 * second) or ms pass; under load this may take longer than the retry. */
static enum view_link reconnected(struct fake *f, struct view v, int ms)
{
    int64_t end = ww_mono_ms() + ms;
    while (v.ops->link(v.ctx, NULL, 0, NULL) != VIEW_CONNECTED && ww_mono_ms() < end)
        loop_once(f->l, 10);
    return v.ops->link(v.ctx, NULL, 0, NULL);
}

/* Minutes of the last hour holding a value; *last: the latest value. */
static int minutes_with_data(const struct hist *h, float *last)
{
    int k = 0;
    int64_t now = hist_minute_of(NOW);
    for (int64_t m = now - 60; m <= now; m++) {
        float sum;
        unsigned n;
        if (hist_get_minute(h, m, &sum, &n) && n) {
            k++;
            *last = sum / (float)n;
        }
    }
    return k;
}

static struct attach *attached(struct fake *f)
{
    struct attach *a = attach_new(f->l, f->path, "test-term");
    assert_non_null(a);
    char err[600] = "";
    bool absent = true;
    if (attach_connect(a, 3000, &absent, err, sizeof err) < 0)
        fail_msg("attach: %s", err);
    assert_false(absent);
    return a;
}

/* What the board's listener heard. */
static char heard[8][400];
static int nheard;
static bool heard_alert;
static void on_event(void *ctx, bool alert, const char *text)
{
    if (!text || nheard >= 8)
        return;
    ww_strlcpy(heard[nheard++], text, sizeof heard[0]);
    heard_alert = heard_alert || alert;
}

static struct {
    int n;
    bool ok;
    char msg[600];
} reply;
static void on_reply(void *ctx, bool ok, const char *message)
{
    reply.n++;
    reply.ok = ok;
    ww_strlcpy(reply.msg, message, sizeof reply.msg);
}

static void test_snapshot_fills_the_view(void **state)
{
    struct fake *f = *state;
    struct attach *a = attached(f);
    assert_int_equal(f->nhello, 1);
    assert_int_equal(f->hello.magic, PROTO_MAGIC);
    assert_int_equal(f->hello.version, PROTO_VERSION);
    assert_string_equal(f->hello.name, "test-term");
    struct view v = attach_view(a);
    char detail[300];
    assert_int_equal(v.ops->link(v.ctx, detail, sizeof detail, NULL), VIEW_CONNECTED);
    assert_string_equal(detail, f->path);
    assert_int_equal(v.ops->nbeds(v.ctx), 2);
    assert_null(v.ops->bed(v.ctx, 2));
    const struct ward_config *cfg = v.ops->config(v.ctx);
    assert_string_equal(cfg->name, "Testpost");
    assert_int_equal(cfg->nstaff, 2);
    assert_string_equal(cfg->staff[1], "AB");
    assert_int_equal(cfg->audio_pause_s, 90);
    const struct ward_bed *b0 = v.ops->bed(v.ctx, 0);
    assert_string_equal(b0->label, "Rom 1 vindu");
    assert_string_equal(b0->patient_ref, "P-0042");
    assert_int_equal(b0->admission_id, 11);
    assert_true(b0->param[NEWS2_RR].have);
    assert_true(b0->param[NEWS2_RR].value == 18);
    assert_int_equal(b0->score.total, 5);
    assert_false(v.ops->bed(v.ctx, 1)->admitted);
    assert_string_equal(v.ops->bed(v.ctx, 1)->label, "Rom 2");
    /* the HIST frame: bed 0's RR minute 20 minutes ago */
    float last = 0;
    assert_int_equal(minutes_with_data(&b0->h_rr, &last), 1);
    assert_true(last == 22);
    /* STATE */
    assert_false(v.ops->store_ok(v.ctx));
    char sum[300];
    v.ops->sensor_summary(v.ctx, sum, sizeof sum);
    assert_true(strncmp(sum, "HL7 ok | ", 9) == 0);
    int64_t now = v.ops->now(v.ctx);
    assert_true(now >= NOW && now < NOW + 5000);
    attach_free(a);
}

static void test_updates_after_the_snapshot(void **state)
{
    struct fake *f = *state;
    struct attach *a = attached(f);
    struct view v = attach_view(a);
    nheard = 0;
    heard_alert = false;
    v.ops->set_listener(v.ctx, on_event, NULL);
    send_state(f, true, "");
    server_bed(11, 27);
    send_bed(f, 0);
    run(f, 100);
    assert_true(v.ops->store_ok(v.ctx));
    const struct ward_bed *b0 = v.ops->bed(v.ctx, 0);
    assert_true(b0->param[NEWS2_RR].value == 27);
    /* the same admission keeps its trend */
    float last = 0;
    assert_int_equal(minutes_with_data(&b0->h_rr, &last), 1);
    /* another admission: the previous patient's trend is gone (H16-8) */
    server_bed(12, 14);
    send_bed(f, 0);
    run(f, 100);
    assert_int_equal(minutes_with_data(&b0->h_rr, &last), 0);
    assert_int_equal(b0->admission_id, 12);
    /* EVENTs: by staff at another terminal named; the ward's own not shown */
    struct proto_event e = {NOW, 0, 0, true, "Bed 1: alarm acknowledged by KN", "station"};
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_event(b, &e), 0);
    push(f, b);
    struct proto_event e2 = {NOW, 0, 0, false, "Bed 1: NEWS2 high", ""};
    b = ob();
    assert_int_equal(proto_put_event(b, &e2), 0);
    push(f, b);
    run(f, 100);
    assert_int_equal(nheard, 1);
    assert_string_equal(heard[0], "Bed 1: alarm acknowledged by KN (station)");
    assert_false(heard_alert);
    attach_free(a);
}

static void test_command_answered_by_its_reply(void **state)
{
    struct fake *f = *state;
    struct attach *a = attached(f);
    struct view v = attach_view(a);
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = WCMD_NOTE;
    c.bed = 1;
    strcpy(c.staff, "KN");
    strcpy(c.text, "walked to the window");
    char err[300] = "";
    memset(&reply, 0, sizeof reply);
    assert_int_equal(v.ops->command(v.ctx, &c, on_reply, NULL, err, sizeof err), 0);
    /* one at a time */
    assert_int_equal(v.ops->command(v.ctx, &c, on_reply, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "still waiting"));
    run(f, 100);
    assert_int_equal(f->ncmd, 1);
    assert_int_equal(f->cmd.cmd.kind, WCMD_NOTE);
    assert_int_equal(f->cmd.cmd.bed, 1);
    assert_string_equal(f->cmd.cmd.text, "walked to the window");
    assert_int_equal(reply.n, 0);
    /* another request's REPLY is not this command's answer */
    struct proto_reply r = {f->cmd.req + 100, true, false, "other"};
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_reply(b, &r), 0);
    push(f, b);
    run(f, 50);
    assert_int_equal(reply.n, 0);
    r = (struct proto_reply){f->cmd.req, false, false, "bed 2 is free: nothing saved"};
    b = ob();
    assert_int_equal(proto_put_reply(b, &r), 0);
    push(f, b);
    run(f, 50);
    assert_int_equal(reply.n, 1);
    assert_false(reply.ok);
    assert_string_equal(reply.msg, "bed 2 is free: nothing saved");
    attach_free(a);
}

/* H19-33: a WELCOME of another protocol version was "malformed WELCOME
 * from the server": neither version named, nothing to tell the nurse or
 * the administrator which side to update. */
static void test_other_version_refused_naming_both(void **state)
{
    struct fake *f = *state;
    f->version = PROTO_VERSION + 1;
    struct attach *a = attach_new(f->l, f->path, "test-term");
    char err[600] = "", want[64];
    bool absent = true;
    assert_int_equal(attach_connect(a, 2000, &absent, err, sizeof err), -1);
    assert_false(absent);
    snprintf(want, sizeof want, "protocol version %d, this board %d", PROTO_VERSION + 1,
             PROTO_VERSION);
    if (!strstr(err, want) || !strstr(err, "(wardwatch 9.9.9)"))
        fail_msg("'%s' or the server's software not in: %s", want, err);
    assert_non_null(strstr(err, f->path));
    struct view v = attach_view(a);
    assert_int_equal(v.ops->link(v.ctx, NULL, 0, NULL), VIEW_CONNECTING);
    assert_int_equal(v.ops->nbeds(v.ctx), 0);
    attach_free(a);
}

static void test_bye_drops_the_link(void **state)
{
    struct fake *f = *state;
    struct attach *a = attached(f);
    struct view v = attach_view(a);
    nheard = 0;
    heard_alert = false;
    v.ops->set_listener(v.ctx, on_event, NULL);
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = WCMD_NOTE;
    strcpy(c.staff, "KN");
    strcpy(c.text, "x");
    char err[300];
    memset(&reply, 0, sizeof reply);
    assert_int_equal(v.ops->command(v.ctx, &c, on_reply, NULL, err, sizeof err), 0);
    struct proto_bye bye = {"the monitoring server is stopping"};
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_bye(b, &bye), 0);
    push(f, b);
    run(f, 100);
    char detail[600];
    assert_int_equal(v.ops->link(v.ctx, detail, sizeof detail, NULL), VIEW_LOST);
    assert_non_null(strstr(detail, "server: the monitoring server is stopping"));
    /* the board is told loudly, the waiting command that it is unknown */
    assert_true(heard_alert);
    assert_non_null(strstr(heard[0], "CONNECTION TO THE MONITORING SERVER LOST"));
    assert_int_equal(reply.n, 1);
    assert_false(reply.ok);
    assert_non_null(strstr(reply.msg, "lost before it answered"));
    /* the mirror keeps the last data; commands are refused */
    assert_int_equal(v.ops->nbeds(v.ctx), 2);
    assert_int_equal(v.ops->command(v.ctx, &c, on_reply, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "NOT saved"));
    /* it reconnects by itself and takes a fresh snapshot */
    assert_int_equal(reconnected(f, v, 10000), VIEW_CONNECTED);
    assert_int_equal(f->nhello, 2);
    assert_string_equal(heard[nheard - 1], "connection to the monitoring server restored");
    attach_free(a);
}

static void test_malformed_frames_drop_the_link(void **state)
{
    struct fake *f = *state;
    struct attach *a = attached(f);
    struct view v = attach_view(a);
    char detail[600];
    /* a BED beyond the ward's beds */
    server_bed(11, 30);
    send_bed(f, 5);
    run(f, 100);
    assert_int_equal(v.ops->link(v.ctx, detail, sizeof detail, NULL), VIEW_LOST);
    assert_non_null(strstr(detail, "malformed BED from the server"));
    assert_true(v.ops->bed(v.ctx, 0)->param[NEWS2_RR].value == 18); /* unchanged */
    assert_int_equal(reconnected(f, v, 10000), VIEW_CONNECTED);
    /* a frame length of 0 */
    uint8_t zero[4] = {0, 0, 0, 0};
    assert_int_equal(send(f->cfd, zero, 4, MSG_NOSIGNAL), 4);
    run(f, 100);
    assert_int_equal(v.ops->link(v.ctx, detail, sizeof detail, NULL), VIEW_LOST);
    assert_non_null(strstr(detail, "malformed frame from the server"));
    assert_int_equal(reconnected(f, v, 10000), VIEW_CONNECTED);
    /* a frame type the server never sends (HELLO) */
    struct proto_hello h = {PROTO_MAGIC, PROTO_VERSION, "x", "y"};
    struct proto_buf *b = ob();
    assert_int_equal(proto_put_hello(b, &h), 0);
    push(f, b);
    run(f, 100);
    assert_int_equal(v.ops->link(v.ctx, detail, sizeof detail, NULL), VIEW_LOST);
    assert_non_null(strstr(detail, "malformed HELLO"));
    attach_free(a);
}

static void test_state_before_welcome_refused(void **state)
{
    struct fake *f = *state;
    f->state_first = true;
    struct attach *a = attach_new(f->l, f->path, "test-term");
    char err[600] = "";
    bool absent = true;
    assert_int_equal(attach_connect(a, 2000, &absent, err, sizeof err), -1);
    assert_non_null(strstr(err, "malformed STATE"));
    attach_free(a);
}

static void test_nobody_listening_is_absent(void **state)
{
    struct fake *f = *state;
    char path[200], err[600] = "";
    snprintf(path, sizeof path, "%s/none.sock", f->dir);
    struct attach *a = attach_new(f->l, path, "t");
    bool absent = false;
    assert_int_equal(attach_connect(a, 500, &absent, err, sizeof err), -1);
    assert_true(absent);
    assert_non_null(strstr(err, path));
    attach_free(a);
}

int main(void)
{
    log_set_tty_owned(true); /* the mirror's log lines are not the test's output */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_fills_the_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_updates_after_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_answered_by_its_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_version_refused_naming_both, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bye_drops_the_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_frames_drop_the_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_before_welcome_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nobody_listening_is_absent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
