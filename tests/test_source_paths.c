/* Odd paths a configuration can name for a sensor (issue #21, item 2):
 * a FIFO without a writer, /dev/zero, /dev/urandom, a directory, a symlink
 * loop, a truncated recording. None may block the caller (an alarm(5)
 * turns a hang into a failure) and each is refused with a message naming
 * the path and what it is. A serial port absent when the ward starts is a
 * disconnected sensor that is retried, not a bed left unmonitored. */
#include "ww_test.h"
#include "loop.h"
#include "source.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static void on_alarm(int sig)
{
    static const char msg[] = "not ok - a sensor path blocked the caller for 5 s\n";
    (void)sig;
    (void)!write(1, msg, sizeof msg - 1);
    _exit(1);
}

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    signal(SIGALRM, on_alarm);
    alarm(5);
    return 0;
}

static int teardown(void **state)
{
    alarm(0);
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

struct got {
    int disconnects, connects;
    char last[512];
};

static void on_reading(void *ctx, const struct reading *r)
{
}

static void on_status(void *ctx, enum source_status st, const char *detail)
{
    struct got *g = ctx;
    if (st == SRC_DISCONNECTED)
        g->disconnects++;
    if (st == SRC_CONNECTED)
        g->connects++;
    ww_strlcpy(g->last, detail ? detail : "", sizeof g->last);
}

/* Open uri; expect refusal with a message containing want. */
static void refused(const char *uri, const char *want)
{
    struct got g = {0};
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts o = {.retry_absent = true};
    char err[512] = "";
    struct source *s = source_open(uri, &o, NULL, &cb, &g, err, sizeof err);
    if (s) {
        source_close(s);
        fail_msg("%s was opened", uri);
    }
    if (!strstr(err, want))
        fail_msg("%s: message '%s' lacks '%s'", uri, err, want);
}

static void test_files_that_block_or_never_end(void **state)
{
    char fifo[600], uri[700];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(uri, sizeof uri, "ti-vs:file:%s", fifo);
    refused(uri, "is a FIFO");
    snprintf(uri, sizeof uri, "replay:%s", fifo);
    refused(uri, "is a FIFO");
    refused("ti-vs:file:/dev/zero", "/dev/zero is a character device");
    refused("mr60bha2:file:/dev/urandom", "/dev/urandom is a character device");
    refused("replay:/dev/zero", "is a character device");
    snprintf(uri, sizeof uri, "ti-vs:file:%s", dir);
    refused(uri, "is a directory");
    snprintf(uri, sizeof uri, "replay:%s", dir);
    refused(uri, "is a directory");
}

static void test_symlink_loop_and_truncated_recording(void **state)
{
    char a[600], b[600], uri[700];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    assert_int_equal(symlink(b, a), 0);
    assert_int_equal(symlink(a, b), 0);
    snprintf(uri, sizeof uri, "ti-vs:file:%s", a);
    refused(uri, "symbolic links");
    snprintf(uri, sizeof uri, "replay:%s", a);
    refused(uri, "symbolic links");
    char rec[600];
    snprintf(rec, sizeof rec, "%s/short.wwrec", dir);
    ww_test_write_file(rec, "WWREC");
    snprintf(uri, sizeof uri, "replay:%s", rec);
    refused(uri, "not a wardwatch recording");
}

/* The checker `wardwatch config` uses: the same verdicts by stat alone. */
static void test_check_regular(void **state)
{
    char err[512], fifo[600], file[600];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(ww_check_regular(fifo, err, sizeof err), -1);
    assert_non_null(strstr(err, "is a FIFO"));
    assert_int_equal(ww_check_regular("/dev/zero", err, sizeof err), -1);
    assert_non_null(strstr(err, "character device"));
    assert_int_equal(ww_check_regular(dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "directory"));
    snprintf(file, sizeof file, "%s/cap.bin", dir);
    ww_test_write_file(file, "x");
    assert_int_equal(ww_check_regular(file, err, sizeof err), 0);
}

/* A serial port absent at start: with retry_absent the source exists,
 * reports DISCONNECTED with the reason, and keeps a retry timer; without,
 * the open fails as before (probe, record). */
static void test_absent_serial_port_is_retried(void **state)
{
    struct loop *l = loop_new(false);
    assert_non_null(l);
    char uri[700];
    snprintf(uri, sizeof uri, "ti-vs:%s/ttyUSB-gone", dir);
    struct got g = {0};
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts o = {.reconnect_min_s = 1, .reconnect_max_s = 1, .retry_absent = true};
    char err[512] = "";
    struct source *s = source_open(uri, &o, l, &cb, &g, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(g.disconnects, 1);
    assert_non_null(strstr(g.last, "ttyUSB-gone"));
    /* The retry runs (and fails again quietly) without blocking. */
    int64_t t0 = ww_mono_ms();
    while (ww_mono_ms() - t0 < 1300)
        loop_once(l, 200);
    assert_int_equal(g.connects, 0);
    source_close(s);
    o.retry_absent = false;
    s = source_open(uri, &o, l, &cb, &g, err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "ttyUSB-gone"));
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_that_block_or_never_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_loop_and_truncated_recording, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_serial_port_is_retried, setup, teardown),
    };
    return cmocka_run_group_tests_name("source_paths", tests, NULL, NULL);
}
