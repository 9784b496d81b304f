/*
 * handover_print — hand a finished handover file to CUPS with `lp`.
 *
 * lp is found on PATH and started with posix_spawnp() and an argument
 * vector, so a printer name, a ward name or a bed label with $(...), quotes
 * or backticks reaches lp verbatim and nothing is ever interpreted by a
 * shell. lp's stdout (the request id) and stderr (why it failed: "lp: The
 * printer or class does not exist.") are captured through pipes and given
 * back to the caller, so the nurse sees lp's own words.
 */
#include "handover.h"

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

/* Run lp on file. */
int handover_print(const char *file, const char *printer, const char *title, char *out,
                   size_t outlen, char *err, size_t errlen)
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
    char obuf[1024] = "", ebuf[1024] = "";
    size_t on = 0, en = 0;
    struct pollfd pf[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
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
            char *buf = i ? ebuf : obuf;
            size_t *len = i ? &en : &on;
            char tmp[512];
            ssize_t k = read(pf[i].fd, tmp, sizeof tmp);
            if (k <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            size_t room = sizeof obuf - 1 - *len;
            size_t c = (size_t)k < room ? (size_t)k : room;
            memcpy(buf + *len, tmp, c);
            *len += c;
            buf[*len] = 0;
        }
    }
    for (int i = 0; i < 2; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
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

/* PDF in a temporary file, printed, removed. */
int handover_print_pdf(const struct handover *h, const char *printer, const char *bed_label,
                       char *msg, size_t msglen, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s/wardwatch-handover.XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ww_err(err, errlen, "cannot make a temporary file: %s", strerror(errno));
    close(fd);
    int rc = -1;
    if (handover_write_pdf(h, tmp, err, errlen) >= 0) {
        char title[700], l1[200], l2[200], l3[200];
        handover_header(h, l1, l2, l3, sizeof l1);
        if (bed_label && *bed_label)
            snprintf(title, sizeof title, "%s, bed %s, %s", l1, bed_label, l2);
        else
            snprintf(title, sizeof title, "%s, %s", l1, l2);
        rc = handover_print(tmp, printer, title, msg, msglen, err, errlen);
    }
    unlink(tmp);
    return rc;
}
