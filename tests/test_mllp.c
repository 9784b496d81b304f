/* Tests for src/mllp: the sender on the event loop against a real MLLP peer
 * (tests/hl7_peer.py: Debian's python3-hl7 server and ACKs, faults injected)
 * on 127.0.0.1: late, missing, wrong-id, AE, AR and CA answers, and the peer
 * killed and restarted. */
#include "ww_test.h"
#include "hl7.h"
#include "loop.h"
#include "mllp.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- an outbox in memory ------------------------------------------------ */

enum { PENDING, DELIVERED, DEAD };
struct box {
    int n;
    char *msg[16];
    size_t len[16];
    char ctl[16][HL7_ID];
    int state[16];
    char why[16][200];
    int settled;
};

static int box_next(void *ctx, struct mllp_out *out)
{
    struct box *b = ctx;
    for (int i = 0; i < b->n; i++)
        if (b->state[i] == PENDING) {
            out->row = i;
            ww_strlcpy(out->control_id, b->ctl[i], sizeof out->control_id);
            out->msg = b->msg[i];
            out->len = b->len[i];
            return 1;
        }
    return 0;
}

static void box_done(void *ctx, int64_t row, enum hl7_verdict v, const char *why)
{
    struct box *b = ctx;
    assert_true(row >= 0 && row < b->n);
    assert_int_equal(b->state[row], PENDING);
    b->state[row] = v == HL7_DELIVERED ? DELIVERED : DEAD;
    ww_strlcpy(b->why[row], why, sizeof b->why[row]);
    b->settled++;
}

static void box_add(struct box *b, const char *ctl)
{
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.facility, "STOLAV");
    strcpy(id.ward, "Obs 3");
    struct hl7_obs o = {0};
    ww_strlcpy(o.control_id, ctl, sizeof o.control_id);
    o.msg_ms = o.t1_ms = 1773144000000LL;
    o.t0_ms = o.t1_ms - 60000;
    strcpy(o.subj.patient_ref, "12345678901");
    strcpy(o.subj.bed_label, "Rom 1 d\xc3\xb8r");
    strcpy(o.subj.device_id, "0012A2FFFE000001");
    o.have_rr = true;
    o.rr = 18;
    o.rr_ms = o.t1_ms;
    o.limits = (struct alarm_limits){.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 130};
    char err[128];
    int i = b->n++;
    b->msg[i] = hl7_build_oru_r01(&id, &o, &b->len[i], err, sizeof err);
    assert_non_null(b->msg[i]);
    ww_strlcpy(b->ctl[i], ctl, sizeof b->ctl[i]);
    b->state[i] = PENDING;
}

static void box_free(struct box *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->msg[i]);
}

/* ---- the peer ------------------------------------------------------------ */

static const char *py;
static char *dir;
static pid_t peer = -1; /* killed by the teardown when an assertion fails */
static char portfile[4200], logfile[4200], script[4200];

static const char *python_with_hl7(void)
{
    static const char *const cand[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "%s -c 'import hl7.mllp' >/dev/null 2>&1", cand[i]);
        if (system(cmd) == 0)
            return cand[i];
    }
    return NULL;
}

static pid_t peer_start(int port, const char *plan)
{
    unlink(portfile);
    unlink(logfile);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char ps[16];
        snprintf(ps, sizeof ps, "%d", port);
        execlp(py, py, script, portfile, logfile, ps, plan, (char *)NULL);
        _exit(127);
    }
    peer = pid;
    for (int i = 0; i < 400; i++) { /* up to 20 s on a loaded machine */
        FILE *f = fopen(portfile, "r");
        if (f) {
            int p = 0;
            int ok = fscanf(f, "%d", &p);
            fclose(f);
            if (ok == 1 && p > 0)
                return pid;
        }
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("the peer did not start");
    return -1;
}

static int peer_port(void)
{
    FILE *f = fopen(portfile, "r");
    int p = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &p), 1);
    fclose(f);
    return p;
}

static void peer_kill(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (pid == peer)
        peer = -1;
}

static char *peer_log(void)
{
    static char buf[4096];
    FILE *f = fopen(logfile, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    return buf;
}

/* Run the loop until cond(b) or 30 s (a hang guard, not a speed check). */
static bool run_until(struct loop *l, struct box *b, int settled)
{
    int64_t end = ww_mono_ms() + 30000;
    while (b->settled < settled && ww_mono_ms() < end)
        loop_once(l, 50);
    return b->settled >= settled;
}

static void run_for(struct loop *l, int ms)
{
    int64_t end = ww_mono_ms() + ms;
    while (ww_mono_ms() < end)
        loop_once(l, 20);
}

static int setup(void **state)
{
    py = python_with_hl7();
    if (!py)
        return 0;
    dir = ww_test_tmpdir();
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    snprintf(logfile, sizeof logfile, "%s/log", dir);
    const char *roots[] = {"tests/hl7_peer.py", "../tests/hl7_peer.py"};
    for (int i = 0; i < 2; i++)
        if (access(roots[i], R_OK) == 0) {
            char *abs = realpath(roots[i], NULL);
            ww_strlcpy(script, abs, sizeof script);
            free(abs);
            break;
        }
    return 0;
}

static int teardown(void **state)
{
    if (peer > 0)
        peer_kill(peer);
    if (dir) {
        ww_test_rmtree(dir);
        free(dir);
        dir = NULL;
    }
    return 0;
}

#define NEED_PEER()                                                                              \
    do {                                                                                         \
        if (!py || !script[0]) {                                                                 \
            print_message("# SKIP: python3-hl7 not installed (sh scripts/deps.sh test)\n");      \
            skip();                                                                              \
        }                                                                                        \
    } while (0)

static const struct mllp_ops ops = {box_next, box_done};

/* Every fault in one run: the peer's log shows what arrived, in order. */
static void test_faults(void **state)
{
    NEED_PEER();
    pid_t pid = peer_start(0, "aa,wrongid,ar,ae,late:1.5,missing,ca,aa");
    struct loop *l = loop_new(false);
    struct box b = {0};
    box_add(&b, "M1");
    box_add(&b, "M2");
    box_add(&b, "M3");
    box_add(&b, "M4");
    struct mllp_params p = {.ack_timeout_ms = 700, .retry_min_ms = 100, .retry_max_ms = 400};
    char err[256];
    struct mllp_sender *s =
        mllp_sender_new(l, "peer", "127.0.0.1", peer_port(), &p, &ops, &b, err, sizeof err);
    assert_non_null(s);
    mllp_sender_kick(s);
    bool done = run_until(l, &b, 4);
    char *log = peer_log();
    peer_kill(pid);
    if (!done)
        fail_msg("not settled; the peer saw:\n%s", log);
    /* one message in flight; resends keep the MSH-10; order kept */
    assert_string_equal(log, "1 M1 aa\n"
                             "2 M2 wrongid\n" /* ignored; the ACK timeout resends */
                             "3 M2 ar\n"      /* resent after the backoff */
                             "4 M2 ae\n"      /* dead-lettered */
                             "5 M3 late:1.5\n" /* timed out; reconnect, resend */
                             "6 M3 missing\n"
                             "7 M3 ca\n"
                             "8 M4 aa\n");
    assert_int_equal(b.state[0], DELIVERED);
    assert_int_equal(b.state[1], DEAD);
    assert_non_null(strstr(b.why[1], "AE"));
    assert_int_equal(b.state[2], DELIVERED);
    assert_int_equal(b.state[3], DELIVERED);
    struct mllp_status st;
    mllp_sender_status(s, &st);
    assert_int_equal(st.delivered, 3);
    assert_int_equal(st.dead, 1);
    assert_true(st.stray_acks >= 1);
    assert_int_equal(st.failing_since_ms, 0);
    mllp_sender_free(s);
    loop_free(l);
    box_free(&b);
}

/* The peer killed while idle and while down a message is queued: the
 * sender is failing (since when, why), keeps the message, and delivers it
 * once the peer is back on its port. */
static void test_peer_killed_and_restarted(void **state)
{
    NEED_PEER();
    pid_t pid = peer_start(0, "");
    int port = peer_port();
    struct loop *l = loop_new(false);
    struct box b = {0};
    box_add(&b, "K1");
    struct mllp_params p = {.ack_timeout_ms = 700, .retry_min_ms = 100, .retry_max_ms = 300};
    char err[256];
    struct mllp_sender *s =
        mllp_sender_new(l, "peer", "127.0.0.1", port, &p, &ops, &b, err, sizeof err);
    assert_non_null(s);
    mllp_sender_kick(s);
    assert_true(run_until(l, &b, 1));
    assert_int_equal(b.state[0], DELIVERED);
    peer_kill(pid);
    box_add(&b, "K2");
    mllp_sender_kick(s);
    run_for(l, 1000);
    assert_int_equal(b.state[1], PENDING);
    struct mllp_status st;
    mllp_sender_status(s, &st);
    assert_true(st.failing_since_ms > 0);
    assert_false(st.connected);
    if (!strstr(st.last_error, "connect") && !strstr(st.last_error, "closed"))
        fail_msg("last error '%s'", st.last_error);
    pid = peer_start(port, "");
    assert_true(run_until(l, &b, 2));
    char *log = peer_log();
    peer_kill(pid);
    assert_string_equal(log, "1 K2 aa\n");
    assert_int_equal(b.state[1], DELIVERED);
    mllp_sender_status(s, &st);
    assert_int_equal(st.failing_since_ms, 0);
    assert_int_equal(st.delivered, 2);
    mllp_sender_free(s);
    loop_free(l);
    box_free(&b);
}

/* A destination that refuses every message (AE) settles each one, but it
 * is failing: the failure lasts until a message is delivered (else the
 * export-failure alarm would never come for a receiver rejecting all). */
static void test_refusing_everything_is_failing(void **state)
{
    NEED_PEER();
    pid_t pid = peer_start(0, "ae,ae,aa");
    struct loop *l = loop_new(false);
    struct box b = {0};
    box_add(&b, "R1");
    box_add(&b, "R2");
    struct mllp_params p = {.ack_timeout_ms = 700, .retry_min_ms = 100, .retry_max_ms = 300};
    char err[256];
    struct mllp_sender *s =
        mllp_sender_new(l, "peer", "127.0.0.1", peer_port(), &p, &ops, &b, err, sizeof err);
    assert_non_null(s);
    mllp_sender_kick(s);
    assert_true(run_until(l, &b, 2));
    assert_int_equal(b.state[0], DEAD);
    assert_int_equal(b.state[1], DEAD);
    struct mllp_status st;
    mllp_sender_status(s, &st);
    assert_int_equal(st.dead, 2);
    assert_true(st.failing_since_ms > 0);
    if (!strstr(st.last_error, "R2 refused: AE"))
        fail_msg("last error '%s'", st.last_error);
    box_add(&b, "R3");
    mllp_sender_kick(s);
    assert_true(run_until(l, &b, 3));
    peer_kill(pid);
    assert_int_equal(b.state[2], DELIVERED);
    mllp_sender_status(s, &st);
    assert_int_equal(st.failing_since_ms, 0);
    assert_string_equal(st.last_error, "");
    mllp_sender_free(s);
    loop_free(l);
    box_free(&b);
}

/* Nothing listening at all: refused connects are failures, never a
 * delivery, and the loop is never blocked (it keeps turning). */
static void test_nobody_listening(void **state)
{
    struct loop *l = loop_new(false);
    struct box b = {0};
    box_add(&b, "N1");
    struct mllp_params p = {.ack_timeout_ms = 500, .retry_min_ms = 50, .retry_max_ms = 100};
    char err[256];
    /* port 1 on 127.0.0.1: refused */
    struct mllp_sender *s = mllp_sender_new(l, "none", "127.0.0.1", 1, &p, &ops, &b, err,
                                            sizeof err);
    assert_non_null(s);
    mllp_sender_kick(s);
    int turns = 0;
    int64_t end = ww_mono_ms() + 600;
    while (ww_mono_ms() < end) {
        loop_once(l, 20);
        turns++;
    }
    assert_true(turns > 5);
    assert_int_equal(b.state[0], PENDING);
    struct mllp_status st;
    mllp_sender_status(s, &st);
    assert_true(st.failing_since_ms > 0);
    assert_non_null(strstr(st.last_error, "refused"));
    mllp_sender_free(s);
    /* an unresolvable name is refused when the sender is made */
    assert_null(mllp_sender_new(l, "bad", "no-such-host.invalid", 2575, &p, &ops, &b, err,
                                sizeof err));
    assert_non_null(strstr(err, "cannot resolve"));
    loop_free(l);
    box_free(&b);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_killed_and_restarted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusing_everything_is_failing, setup, teardown),
        cmocka_unit_test(test_nobody_listening),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
