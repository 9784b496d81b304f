/*
 * log — wardwatch's diagnostic log. Lines go to a log file when one is
 * configured and to stderr unless the terminal belongs to curses (never print
 * to stderr under curses: it corrupts the screen). The most recent warning is
 * kept for the UI's status line. Patient references must never be logged.
 */
#ifndef WW_LOG_H
#define WW_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Open (append; mode 0600 whatever the umask or the old mode) the log
 * file, closing one opened before; NULL keeps only stderr. */
int log_open(const char *path, char *err, unsigned long errlen);
/* Stop writing to stderr while curses owns the terminal (true) or resume. */
void log_set_tty_owned(bool owned);
/* Minimum level written (default LOG_INFO; WARDWATCH_DEBUG=1 gives debug). */
void log_set_level(enum log_level lvl);
/* Write one line. */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* While curses owns the terminal, text that libraries write to stderr
 * (libiio prints its errors there, from any thread) would scribble over the
 * screen: fd 2 becomes a non-blocking pipe whose read end (returned; -1 on
 * failure) the caller watches in its loop and drains into the log as
 * warnings; release restores fd 2. */
int log_capture_stderr(void);
void log_drain_stderr(int fd);
void log_release_stderr(void);
/* The latest warning or error line (for the status line), "" if none. */
const char *log_last_warning(void);
/* Close the file. */
void log_close(void);

#endif
