/*
 * log — timestamped lines to a 0600 log file and, when curses does not own
 * the terminal, to stderr. Module state is process-wide by nature (one log).
 */
#include "log.h"

#include "util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    if (!path)
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return ww_err(err, errlen, "%s: cannot open log file: %m", path);
    log_file = fdopen(fd, "a");
    if (!log_file) {
        close(fd);
        return ww_err(err, errlen, "%s: cannot open log file", path);
    }
    setvbuf(log_file, NULL, _IOLBF, 0);
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
