/* Tests for src/loop: timers in order and not early, periodic timers,
 * fds (read, write, hang-up), removal inside callbacks, full tables,
 * signals through the signalfd, the before-sleep hook, stop. */
#include "ww_test.h"
#include "loop.h"
#include "util.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static int order[16], norder;
static void on_timer(struct loop *l, int id, void *ctx)
{
    order[norder++] = (int)(intptr_t)ctx;
}

static void test_timers_fire_in_order(void **state)
{
    struct loop *l = loop_new(false);
    norder = 0;
    loop_add_timer(l, 30, false, on_timer, (void *)3);
    loop_add_timer(l, 10, false, on_timer, (void *)1);
    loop_add_timer(l, 20, false, on_timer, (void *)2);
    for (int i = 0; i < 50 && norder < 3; i++)
        loop_once(l, 100);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
    loop_free(l);
}

static int ticks;
static void on_tick(struct loop *l, int id, void *ctx)
{
    if (++ticks == 5)
        loop_stop(l);
}

static void test_periodic_timer_and_stop(void **state)
{
    struct loop *l = loop_new(false);
    ticks = 0;
    loop_add_timer(l, 5, true, on_tick, NULL);
    loop_run(l);
    assert_int_equal(ticks, 5);
    assert_false(loop_running(l));
    loop_free(l);
}

static int reads, other_called;
static int pipes[2][2];
static void on_read(struct loop *l, int fd, int ev, void *ctx)
{
    char buf[16];
    assert_true(ev & LOOP_READ);
    assert_true(read(fd, buf, sizeof buf) > 0);
    reads++;
    /* Remove the other fd from inside a callback: it must not be called. */
    loop_del_fd(l, pipes[1][0]);
    loop_del_fd(l, fd);
}
static void on_other(struct loop *l, int fd, int ev, void *ctx)
{
    other_called++;
    char buf[16];
    (void)!read(fd, buf, sizeof buf);
    loop_del_fd(l, pipes[0][0]);
    loop_del_fd(l, fd);
}

static int hup_seen;
static void on_hup(struct loop *l, int fd, int ev, void *ctx)
{
    hup_seen = (ev & LOOP_HUP) != 0;
    loop_del_fd(l, fd);
}

static void test_fds_and_removal(void **state)
{
    struct loop *l = loop_new(false);
    assert_int_equal(pipe(pipes[0]), 0);
    assert_int_equal(pipe(pipes[1]), 0);
    reads = other_called = 0;
    loop_add_fd(l, pipes[0][0], LOOP_READ, on_read, NULL);
    loop_add_fd(l, pipes[1][0], LOOP_READ, on_other, NULL);
    assert_int_equal(write(pipes[0][1], "x", 1), 1);
    assert_int_equal(write(pipes[1][1], "y", 1), 1);
    loop_once(l, 100);
    assert_int_equal(reads + other_called, 1);
    loop_once(l, 10); /* nothing left registered */
    assert_int_equal(reads + other_called, 1);
    /* Hang-up is reported. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[1]);
    hup_seen = 0;
    loop_add_fd(l, p[0], LOOP_READ, on_hup, NULL);
    loop_once(l, 100);
    assert_true(hup_seen);
    close(p[0]);
    for (int i = 0; i < 2; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    loop_free(l);
}

static int got_signal;
static void on_signal(struct loop *l, int signo, void *ctx)
{
    got_signal = signo;
    loop_stop(l);
}

static void test_signals_via_signalfd(void **state)
{
    struct loop *l = loop_new(true);
    got_signal = 0;
    loop_on_signal(l, on_signal, NULL);
    kill(getpid(), SIGHUP);
    loop_once(l, 1000);
    assert_int_equal(got_signal, SIGHUP);
    loop_free(l);
}

static int hooks;
static void on_hook(struct loop *l, void *ctx)
{
    hooks++;
}

static void test_before_sleep_hook(void **state)
{
    struct loop *l = loop_new(false);
    hooks = 0;
    loop_before_sleep(l, on_hook, NULL);
    loop_once(l, 0);
    loop_once(l, 0);
    assert_int_equal(hooks, 2);
    loop_free(l);
}

static int64_t fired_at;
static void on_stamp(struct loop *l, int id, void *ctx)
{
    fired_at = ww_mono_ms();
    loop_stop(l);
}

/* A one-shot timer never fires early, and fires well within a generous
 * bound (no tight timing asserts: CI machines are loaded). */
static void test_timer_not_early(void **state)
{
    struct loop *l = loop_new(false);
    fired_at = 0;
    int64_t t0 = ww_mono_ms();
    assert_true(loop_add_timer(l, 60, false, on_stamp, NULL) >= 0);
    loop_run(l);
    assert_true(fired_at - t0 >= 60);
    assert_true(fired_at - t0 < 2000);
    loop_free(l);
}

static int victim_fired, killer_id, victim_id;
static void on_victim(struct loop *l, int id, void *ctx)
{
    victim_fired++;
}
static void on_killer(struct loop *l, int id, void *ctx)
{
    /* Remove a timer that is due in the same turn, and itself (periodic). */
    loop_del_timer(l, victim_id);
    loop_del_timer(l, id);
    killer_id = id;
}

/* Timers removed from inside a callback do not fire afterwards. */
static void test_timer_removed_in_callback(void **state)
{
    struct loop *l = loop_new(false);
    victim_fired = 0;
    killer_id = -1;
    int k = loop_add_timer(l, 10, true, on_killer, NULL);
    victim_id = loop_add_timer(l, 10, false, on_victim, NULL);
    assert_true(k >= 0 && victim_id >= 0);
    /* The killer sits in the lower slot, so it runs first in the turn. */
    assert_true(k < victim_id);
    usleep(30000);
    loop_once(l, 0);
    assert_int_equal(killer_id, k);
    assert_int_equal(victim_fired, 0);
    for (int i = 0; i < 3; i++)
        loop_once(l, 20);
    assert_int_equal(victim_fired, 0);
    loop_free(l);
}

/* #19 defect 6: no fixed table. 1000 timers and 600 fds (a 128-bed ward
 * with reconnect timers and sensor fds fits many times over) all register
 * and all fire; a freed id is reused. */
static int many_fired;
static void on_many(struct loop *l, int id, void *ctx)
{
    many_fired++;
}
static int many_read;
static void on_many_fd(struct loop *l, int fd, int ev, void *ctx)
{
    char c;
    if (read(fd, &c, 1) == 1)
        many_read++;
    loop_del_fd(l, fd);
}

static void test_tables_grow(void **state)
{
    struct loop *l = loop_new(false);
    int ids[1000];
    for (int i = 0; i < 1000; i++) {
        ids[i] = loop_add_timer(l, i == 999 ? 100000 : 1, false, on_many, NULL);
        assert_true(ids[i] >= 0);
    }
    loop_del_timer(l, ids[7]);
    assert_int_equal(loop_add_timer(l, 1, false, on_many, NULL), ids[7]);
    int p[300][2];
    for (int i = 0; i < 300; i++) {
        assert_int_equal(pipe(p[i]), 0);
        assert_int_equal(write(p[i][1], "x", 1), 1);
        assert_int_equal(loop_add_fd(l, p[i][0], LOOP_READ, on_many_fd, NULL), 0);
        assert_int_equal(loop_add_fd(l, p[i][1], 0, on_many_fd, NULL), 0);
    }
    for (int k = 0; k < 20 && (many_fired < 999 || many_read < 300); k++)
        loop_once(l, 20);
    assert_int_equal(many_fired, 999);
    assert_int_equal(many_read, 300);
    for (int i = 0; i < 300; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    loop_free(l);
}

static int writable, read_a, read_b;
static void on_writable(struct loop *l, int fd, int ev, void *ctx)
{
    if (ev & LOOP_WRITE)
        writable++;
    loop_del_fd(l, fd);
}
static void on_a(struct loop *l, int fd, int ev, void *ctx)
{
    read_a++;
}
static void on_b(struct loop *l, int fd, int ev, void *ctx)
{
    char c;
    read_b += (int)read(fd, &c, 1);
}

/* Write interest is reported; adding an fd again replaces its watch. */
static void test_write_interest_and_replace(void **state)
{
    struct loop *l = loop_new(false);
    int p[2];
    assert_int_equal(pipe(p), 0);
    writable = read_a = read_b = 0;
    assert_int_equal(loop_add_fd(l, p[1], LOOP_WRITE, on_writable, NULL), 0);
    loop_once(l, 100);
    assert_int_equal(writable, 1);
    assert_int_equal(loop_add_fd(l, p[0], LOOP_READ, on_a, NULL), 0);
    assert_int_equal(loop_add_fd(l, p[0], LOOP_READ, on_b, NULL), 0);
    assert_int_equal(write(p[1], "z", 1), 1);
    loop_once(l, 100);
    assert_int_equal(read_a, 0);
    assert_int_equal(read_b, 1);
    /* Nothing to read now: the callback is not called, poll times out. */
    loop_once(l, 10);
    assert_int_equal(read_b, 1);
    close(p[0]);
    close(p[1]);
    loop_free(l);
}

static int sigs[8], nsigs;
static void on_any_signal(struct loop *l, int signo, void *ctx)
{
    if (nsigs < 8)
        sigs[nsigs++] = signo;
    if (signo != SIGWINCH)
        loop_stop(l);
}

/* INT, TERM and WINCH raised in the process arrive through the loop, in a
 * turn, not as asynchronous handlers; the mask is restored on free. */
static void test_signals_int_term_winch(void **state)
{
    const int which[] = {SIGINT, SIGTERM, SIGWINCH};
    for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
        struct loop *l = loop_new(true);
        assert_non_null(l);
        nsigs = 0;
        loop_on_signal(l, on_any_signal, NULL);
        assert_int_equal(raise(which[i]), 0); /* blocked: stays pending */
        assert_int_equal(nsigs, 0);
        loop_once(l, 1000);
        assert_int_equal(nsigs, 1);
        assert_int_equal(sigs[0], which[i]);
        loop_free(l);
        sigset_t cur;
        pthread_sigmask(SIG_BLOCK, NULL, &cur);
        assert_false(sigismember(&cur, which[i]));
    }
}

static int stop_ticks;
static void on_signal_tick(struct loop *l, int id, void *ctx)
{
    if (++stop_ticks == 2)
        kill(getpid(), SIGTERM);
}

/* loop_run ends on a signal sent while it runs. */
static void test_run_until_signal(void **state)
{
    struct loop *l = loop_new(true);
    nsigs = 0;
    stop_ticks = 0;
    loop_on_signal(l, on_any_signal, NULL);
    loop_add_timer(l, 5, true, on_signal_tick, NULL);
    loop_run(l);
    assert_int_equal(nsigs, 1);
    assert_int_equal(sigs[0], SIGTERM);
    assert_int_equal(stop_ticks, 2);
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_fire_in_order),  cmocka_unit_test(test_periodic_timer_and_stop),
        cmocka_unit_test(test_fds_and_removal),       cmocka_unit_test(test_signals_via_signalfd),
        cmocka_unit_test(test_before_sleep_hook),     cmocka_unit_test(test_timer_not_early),
        cmocka_unit_test(test_timer_removed_in_callback), cmocka_unit_test(test_tables_grow),
        cmocka_unit_test(test_write_interest_and_replace),
        cmocka_unit_test(test_signals_int_term_winch),  cmocka_unit_test(test_run_until_signal),
    };
    return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
