/*
 * log — timestamped lines to a 0600 log file and, when curses does not own
 * the terminal, to stderr. Module state is process-wide by nature (one log).
 */
#include "log.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static FILE *log_file;
static bool tty_owned;
static enum log_level min_level = LOG_INFO;
static char last_warning[256];

/* Open the log file for appending with owner-only permissions. */
int log_open(const char *path, char *err, unsigned long errlen)
{
    const char *dbg = getenv("WARDWATCH_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        min_level = LOG_DEBUG;
    /* Opened again (another file, or none): the previous one is closed,
     * not leaked (H19-31). */
    log_close();
    if (!path)
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        return ww_err(err, errlen, "%s: cannot open log file: %m", path);
    /* 0600 whatever the umask made of a new file or whoever made an old
     * one wider: the log names staff, terminals and alarms (H19-32). */
    if (fchmod(fd, 0600) < 0) {
        int e = errno;
        close(fd);
        return ww_err(err, errlen, "%s: cannot make the log file owner-only (0600): %s", path,
                      strerror(e));
    }
    FILE *f = fdopen(fd, "a");
    if (!f) {
        close(fd);
        return ww_err(err, errlen, "%s: cannot open log file", path);
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    return 0;
}

/* Curses owns the terminal: keep quiet on stderr. */
void log_set_tty_owned(bool owned)
{
    tty_owned = owned;
}

/* Threshold. */
void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

/* Format and emit one line. */
void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warning", "error"};
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (lvl >= LOG_WARN)
        ww_strlcpy(last_warning, msg, sizeof last_warning);
    if (lvl < min_level)
        return;
    char ts[32];
    ww_fmt_time(ww_now_ms(), ts, sizeof ts);
    if (log_file)
        fprintf(log_file, "%s %s: %s\n", ts, names[lvl], msg);
    if (!tty_owned)
        fprintf(stderr, "wardwatch: %s: %s\n", names[lvl], msg);
}

/* stderr into a pipe while curses owns the terminal (see log.h). */
static int saved_stderr = -1, capture_rd = -1;
static char partial[512];
static size_t npartial;

int log_capture_stderr(void)
{
    if (capture_rd >= 0)
        return capture_rd;
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    fflush(stderr);
    saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_stderr < 0 || dup2(p[1], STDERR_FILENO) < 0) {
        close(p[0]);
        close(p[1]);
        if (saved_stderr >= 0)
            close(saved_stderr);
        saved_stderr = -1;
        return -1;
    }
    close(p[1]);
    capture_rd = p[0];
    npartial = 0;
    return capture_rd;
}

/* One captured line into the log (warnings: a library complained). */
static void captured_line(char *line, size_t n)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        n--;
    line[n] = 0;
    if (n) {
        char clean[512];
        ww_sanitize_text(clean, sizeof clean, line, false);
        log_msg(LOG_WARN, "%s", clean);
    }
}

void log_drain_stderr(int fd)
{
    char buf[1024];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t k = 0; k < r; k++) {
            if (buf[k] == '\n' || npartial == sizeof partial - 1) {
                captured_line(partial, npartial);
                npartial = 0;
                if (buf[k] == '\n')
                    continue;
            }
            partial[npartial++] = buf[k];
        }
    }
}

void log_release_stderr(void)
{
    if (capture_rd < 0)
        return;
    fflush(stderr);
    log_drain_stderr(capture_rd);
    if (npartial)
        captured_line(partial, npartial);
    npartial = 0;
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    close(capture_rd);
    saved_stderr = capture_rd = -1;
}

/* Last warning for the status line. */
const char *log_last_warning(void)
{
    return last_warning;
}

/* Close. */
void log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}
