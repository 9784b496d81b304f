/* Tests for src/loop: timers in order, fds, removal inside callbacks, signals. */
#include "ww_test.h"
#include "loop.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers_fire_in_order),  cmocka_unit_test(test_periodic_timer_and_stop),
        cmocka_unit_test(test_fds_and_removal),       cmocka_unit_test(test_signals_via_signalfd),
        cmocka_unit_test(test_before_sleep_hook),
    };
    return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
