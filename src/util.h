/*
 * util — small helpers shared by every layer: bounded string copies, error
 * buffers, strict number parsing, time, and sanitising text that came from
 * outside (notes, labels, recordings) before it is shown, printed or stored.
 *
 * Conventions used across wardwatch:
 * - Functions that can fail return -1 and write a one-line message into a
 *   caller buffer (char *err, size_t errlen); 0 on success.
 * - Wall-clock time is int64_t milliseconds since the Unix epoch (ww_now_ms);
 *   intervals use CLOCK_MONOTONIC (ww_mono_ms). Pure cores never read clocks.
 */
#ifndef WW_UTIL_H
#define WW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Copy src into dst of size n, always NUL-terminated; returns strlen(src). */
size_t ww_strlcpy(char *dst, const char *src, size_t n);

/* printf into an error buffer (no-op when err is NULL); always returns -1. */
int ww_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Strict base-10 integer: whole string, no spaces, within [min,max]. */
int ww_parse_long(const char *s, long min, long max, long *out);

/* Strict plain decimal, locale-independent: optional sign, digits, optional
 * '.' and digits ("36.5", "-1", ".5"); exponents, hex, blanks refused. */
int ww_parse_double(const char *s, double min, double max, double *out);

/* Wall clock, ms since the epoch. */
int64_t ww_now_ms(void);
/* Monotonic clock, ms. */
int64_t ww_mono_ms(void);

/* Format epoch ms as local "YYYY-MM-DD HH:MM:SS" into buf. */
void ww_fmt_time(int64_t ms, char *buf, size_t n);

/*
 * Make text from outside safe to show, print or store: valid UTF-8 only
 * (invalid bytes become '?'), control characters and escape sequences removed
 * (tabs and newlines become spaces unless keep_newlines), trailing and leading
 * blanks trimmed, cut to at most maxbytes-1 bytes on a character boundary.
 * Returns the number of bytes written (dst is always terminated).
 */
size_t ww_sanitize_text(char *dst, size_t maxbytes, const char *src, bool keep_newlines);

/*
 * Open a file a configuration names (a capture, a recording) for reading
 * without ever blocking: non-blocking open, then only a regular file is
 * accepted. A FIFO without a writer, a device (/dev/zero, a tty), a
 * directory or a socket is refused with a message naming the path and what
 * it is. NULL with the message on failure.
 */
FILE *ww_fopen_regular(const char *path, char *err, size_t errlen);
/* The same check by stat alone (nothing opened): 0 for a regular file, -1
 * with the message otherwise (missing, a FIFO, a device, a loop...). */
int ww_check_regular(const char *path, char *err, size_t errlen);
/* "a FIFO", "a directory", "a character device"... for a stat st_mode. */
const char *ww_file_kind(unsigned mode);

/* Number of terminal columns a UTF-8 string takes (wcwidth per character). */
int ww_utf8_width(const char *s);

/*
 * THE MEDIAN, one definition for every figure wardwatch shows or keeps (the
 * smoothed RR/HR that is scored, the store's minute summaries, the
 * handover's trends and acknowledgement times, the exported minute values):
 * the middle of the sorted values, and for an even count the mean of the two
 * middle values (16 and 18 give 17; 16 and 17 give 16.5, which the chart's
 * rule, halves up, shows as 17). NaN when there are no values (NaNs in the
 * input are not values: the caller leaves them out).
 */
/* Sorts v in place (insertion up to 64 values, where it beats qsort). */
double ww_median(float *v, size_t n);
double ww_median_int(int *v, size_t n);
/* Of values counted in a histogram: h[k] values equal to k, k < bins. */
double ww_median_hist(const uint16_t *h, size_t bins);
/* Ascending sorts used by the medians. */
void ww_sort_floats(float *v, size_t n);
void ww_sort_ints(int *v, size_t n);

#endif
