/*
 * handover_print — hand a finished handover file to CUPS with `lp`.
 *
 * lp is found on PATH and started with posix_spawnp() and an argument
 * vector, so a printer name, a ward name or a bed label with $(...), quotes
 * or backticks reaches lp verbatim and nothing is ever interpreted by a
 * shell. lp's stdout (the request id) and stderr (why it failed: "lp: The
 * printer or class does not exist.") are captured through pipes and given
 * back to the caller, so the nurse sees lp's own words.
 *
 * The monitoring core never waits for lp: handover_print_start runs it
 * under the core's loop (its pipes watched, a timer for the timeout) and
 * calls back when it ends, so a CUPS that hangs cannot hold up the ward's
 * alarms. The command line's handover_print waits, as it has nothing else
 * to do.
 */
#include "handover_print.h"

#include "loop.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define LP_TIMEOUT_MS 60000

/* Printer names CUPS accepts (and that cannot pass for an lp option). */
bool handover_printer_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 127 || name[0] == '-')
        return false;
    for (const unsigned char *s = (const unsigned char *)name; *s; s++)
        if (*s <= ' ' || *s == 0x7F || *s == '/' || *s == '#' || *s == '\\' || *s == '\'' ||
            *s == '"')
            return false;
    return true;
}

/* Trim trailing blanks and join lines with "; ". */
static void tidy(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = 0;
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ';';
}

/* Start lp on file with its stdout and stderr on pipes (*out_fd,
 * *err_fd, non-blocking). 0, or -1 with why. */
static int spawn_lp(const char *file, const char *printer, const char *title, pid_t *pidp,
                    int *out_fd, int *err_fd, char *err, size_t errlen)
{
    if (printer && *printer && !handover_printer_name_ok(printer))
        return ww_err(err, errlen, "'%s' is not a printer name CUPS accepts", printer);
    char *argv[10];
    int a = 0;
    argv[a++] = "lp";
    if (printer && *printer) {
        argv[a++] = "-d";
        argv[a++] = (char *)printer;
    }
    if (title && *title) {
        argv[a++] = "-t";
        argv[a++] = (char *)title;
    }
    argv[a++] = "--";
    argv[a++] = (char *)file;
    argv[a] = NULL;

    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (po[i] >= 0)
                close(po[i]);
            if (pe[i] >= 0)
                close(pe[i]);
        }
        return ww_err(err, errlen, "cannot run lp: %s", strerror(e));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, "lp", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return ww_err(err, errlen, "cannot run lp: %s (is cups-client installed?)",
                      strerror(rc));
    }
    fcntl(po[0], F_SETFL, O_NONBLOCK);
    fcntl(pe[0], F_SETFL, O_NONBLOCK);
    *pidp = pid;
    *out_fd = po[0];
    *err_fd = pe[0];
    return 0;
}

/* Append what fd has to buf (cap bytes with the NUL); false at EOF or on
 * an error other than "nothing yet". */
static bool drain(int fd, char *buf, size_t *len, size_t cap)
{
    for (;;) {
        char tmp[512];
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            return true;
        if (k <= 0)
            return false;
        size_t room = cap - 1 - *len;
        size_t c = (size_t)k < room ? (size_t)k : room;
        memcpy(buf + *len, tmp, c);
        *len += c;
        buf[*len] = 0;
    }
}

/* What lp's end means: 0 with its request line in out, or -1 with why. */
static int lp_result(int status, bool timed_out, char *obuf, char *ebuf, char *out,
                     size_t outlen, char *err, size_t errlen)
{
    tidy(obuf);
    tidy(ebuf);
    char clean_e[1024], clean_o[1024];
    ww_sanitize_text(clean_e, sizeof clean_e, ebuf, false);
    ww_sanitize_text(clean_o, sizeof clean_o, obuf, false);
    if (timed_out)
        return ww_err(err, errlen, "lp did not finish within %d s", LP_TIMEOUT_MS / 1000);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (clean_e[0])
            return ww_err(err, errlen, "%s", clean_e);
        if (WIFSIGNALED(status))
            return ww_err(err, errlen, "lp was killed by signal %d", WTERMSIG(status));
        if (WEXITSTATUS(status) == 127)
            return ww_err(err, errlen, "cannot run lp: not found (is cups-client installed?)");
        return ww_err(err, errlen, "lp failed with status %d and no message",
                      WEXITSTATUS(status));
    }
    if (out && outlen)
        ww_strlcpy(out, clean_o, outlen);
    return 0;
}

/* Run lp on file and wait for it. */
int handover_print(const char *file, const char *printer, const char *title, char *out,
                   size_t outlen, char *err, size_t errlen)
{
    pid_t pid;
    int po0, pe0;
    if (spawn_lp(file, printer, title, &pid, &po0, &pe0, err, errlen) < 0)
        return -1;
    char obuf[1024] = "", ebuf[1024] = "";
    size_t on = 0, en = 0;
    struct pollfd pf[2] = {{po0, POLLIN, 0}, {pe0, POLLIN, 0}};
    int open_fds = 2;
    int64_t deadline = ww_mono_ms() + LP_TIMEOUT_MS;
    bool timed_out = false;
    while (open_fds > 0) {
        int64_t left = deadline - ww_mono_ms();
        if (left <= 0) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        int r = poll(pf, 2, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (!drain(pf[i].fd, i ? ebuf : obuf, i ? &en : &on, sizeof obuf)) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return lp_result(status, timed_out, obuf, ebuf, out, outlen, err, errlen);
}

/* ---- lp under a loop ---- */

struct handover_print_job {
    struct loop *l;
    pid_t pid;
    int fd[2];           /* lp's stdout, stderr; -1 once at EOF */
    char buf[2][1024];
    size_t len[2];
    int timeout_timer, reap_timer;
    bool timed_out;
    char file[1024];     /* removed at the end when remove */
    bool remove;
    handover_print_cb cb;
    void *ctx;
};

static void job_free(struct handover_print_job *j)
{
    for (int i = 0; i < 2; i++)
        if (j->fd[i] >= 0) {
            loop_del_fd(j->l, j->fd[i]);
            close(j->fd[i]);
        }
    if (j->timeout_timer >= 0)
        loop_del_timer(j->l, j->timeout_timer);
    if (j->reap_timer >= 0)
        loop_del_timer(j->l, j->reap_timer);
    if (j->remove)
        unlink(j->file);
    free(j);
}

/* lp has ended (or was killed): the answer, then the job is gone. */
static void job_finish(struct handover_print_job *j, int status)
{
    char out[1024] = "", err[1024] = "";
    int rc = lp_result(status, j->timed_out, j->buf[0], j->buf[1], out, sizeof out, err,
                       sizeof err);
    handover_print_cb cb = j->cb;
    void *ctx = j->ctx;
    job_free(j);
    cb(ctx, rc, rc == 0 ? out : err);
}

/* Finish the job if lp has exited (never blocks); true when it did (the
 * job is then gone). */
static bool job_reap(struct handover_print_job *j)
{
    int status = 0;
    pid_t r = waitpid(j->pid, &status, WNOHANG);
    if (r != j->pid && !(r < 0 && errno != EINTR))
        return false;
    job_finish(j, r == j->pid ? status : 0);
    return true;
}

/* Kill lp and wait for it (at once after SIGKILL). */
static int kill_lp(pid_t pid)
{
    int status = 0;
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static void on_reap_timer(struct loop *l, int id, void *ctx)
{
    job_reap(ctx);
}

static void on_lp_output(struct loop *l, int fd, int ev, void *ctx)
{
    struct handover_print_job *j = ctx;
    int i = fd == j->fd[0] ? 0 : 1;
    if (drain(fd, j->buf[i], &j->len[i], sizeof j->buf[i]))
        return;
    loop_del_fd(l, fd);
    close(fd);
    j->fd[i] = -1;
    /* Both pipes closed: lp is exiting; reap it now or shortly. */
    if (j->fd[0] < 0 && j->fd[1] < 0 && !job_reap(j) && j->reap_timer < 0)
        j->reap_timer = loop_add_timer(l, 20, true, on_reap_timer, j);
}

static void on_lp_timeout(struct loop *l, int id, void *ctx)
{
    struct handover_print_job *j = ctx;
    j->timeout_timer = -1; /* one-shot: gone */
    j->timed_out = true;
    job_finish(j, kill_lp(j->pid));
}

struct handover_print_job *handover_print_start(struct loop *l, const char *file, bool remove,
                                                const char *printer, const char *title,
                                                handover_print_cb cb, void *ctx, char *err,
                                                size_t errlen)
{
    struct handover_print_job *j = calloc(1, sizeof *j);
    if (!j) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    j->l = l;
    j->fd[0] = j->fd[1] = j->timeout_timer = j->reap_timer = -1;
    j->cb = cb;
    j->ctx = ctx;
    ww_strlcpy(j->file, file, sizeof j->file);
    if (spawn_lp(file, printer, title, &j->pid, &j->fd[0], &j->fd[1], err, errlen) < 0) {
        free(j);
        return NULL;
    }
    j->remove = remove;
    j->timeout_timer = loop_add_timer(l, LP_TIMEOUT_MS, false, on_lp_timeout, j);
    if (j->timeout_timer < 0 || loop_add_fd(l, j->fd[0], LOOP_READ, on_lp_output, j) < 0 ||
        loop_add_fd(l, j->fd[1], LOOP_READ, on_lp_output, j) < 0) {
        kill_lp(j->pid);
        j->remove = false;
        job_free(j);
        ww_err(err, errlen, "cannot watch lp: the loop is full");
        return NULL;
    }
    return j;
}

void handover_print_cancel(struct handover_print_job *j)
{
    if (!j)
        return;
    kill_lp(j->pid);
    job_free(j);
}

/* Render h as PDF into a new temporary file (path in tmp, n bytes) and
 * make lp's title. 0, or -1 with why (no file left). */
static int render_for_print(const struct handover *h, const char *bed_label, char *tmp, size_t n,
                            char *title, size_t tn, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    snprintf(tmp, n, "%s/wardwatch-handover.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ww_err(err, errlen, "cannot make a temporary file: %s", strerror(errno));
    close(fd);
    if (handover_write_pdf(h, tmp, err, errlen) < 0) {
        unlink(tmp);
        return -1;
    }
    char l1[200], l2[200], l3[200];
    handover_header(h, l1, l2, l3, sizeof l1);
    if (bed_label && *bed_label)
        snprintf(title, tn, "%s, bed %s, %s", l1, bed_label, l2);
    else
        snprintf(title, tn, "%s, %s", l1, l2);
    return 0;
}

struct handover_print_job *handover_print_pdf_start(struct loop *l, const struct handover *h,
                                                    const char *printer, handover_print_cb cb,
                                                    void *ctx, char *err, size_t errlen)
{
    char tmp[1024], title[700];
    if (render_for_print(h, NULL, tmp, sizeof tmp, title, sizeof title, err, errlen) < 0)
        return NULL;
    struct handover_print_job *j =
        handover_print_start(l, tmp, true, printer, title, cb, ctx, err, errlen);
    if (!j)
        unlink(tmp);
    return j;
}

