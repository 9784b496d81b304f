/*
 * util — bounded strings, error buffers, strict number parsing, clocks and
 * text sanitising. See util.h for the conventions.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* Copy with truncation and guaranteed termination. */
size_t ww_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n > 0) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return len;
}

/* Format a message into the caller's error buffer. */
int ww_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Strict base-10 long within a range. */
int ww_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/*
 * Strict plain decimal in the C locale, parsed by hand so the result never
 * depends on LC_NUMERIC: [+-]digits[.digits] or [+-].digits.
 */
int ww_parse_double(const char *s, double min, double max, double *out)
{
    if (!s || !*s)
        return -1;
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    double v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        digits++;
        if (digits > 15)
            return -1;
    }
    if (*p == '.') {
        p++;
        double scale = 1;
        int frac = 0;
        while (*p >= '0' && *p <= '9') {
            scale /= 10;
            v += (*p++ - '0') * scale;
            frac++;
            digits++;
            if (frac > 9)
                return -1;
        }
    }
    if (*p || digits == 0)
        return -1;
    if (neg)
        v = -v;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Wall-clock milliseconds since the epoch. */
int64_t ww_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Monotonic milliseconds. */
int64_t ww_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Local time as text. */
void ww_fmt_time(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Length of the UTF-8 sequence starting at s, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and out-of-range code points are invalid. */
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Strip controls and escape sequences, validate UTF-8, trim, bound. */
size_t ww_sanitize_text(char *dst, size_t maxbytes, const char *src, bool keep_newlines)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0;
    if (maxbytes == 0)
        return 0;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    while (*s) {
        uint32_t cp;
        size_t n = utf8_seq(s, &cp);
        char tmp[4];
        size_t tn;
        if (n == 0) {
            tmp[0] = '?';
            tn = 1;
            n = 1;
        } else if (cp == 0x1B) {
            /* ESC: skip a CSI/OSC/other escape sequence as a whole. */
            s++;
            if (*s == '[') {
                s++;
                while (*s && !(*s >= 0x40 && *s <= 0x7E))
                    s++;
                if (*s)
                    s++;
            } else if (*s == ']' || *s == 'P' || *s == '_' || *s == '^') {
                s++;
                while (*s && *s != 0x07 && !(s[0] == 0x1B && s[1] == '\\'))
                    s++;
                if (*s == 0x07)
                    s++;
                else if (*s)
                    s += 2;
            } else if (*s) {
                s++;
            }
            continue;
        } else if (cp == '\n' && keep_newlines) {
            tmp[0] = '\n';
            tn = 1;
        } else if (cp == '\t' || cp == '\n' || cp == '\r') {
            tmp[0] = ' ';
            tn = 1;
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
                   cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            /* C0/C1 controls and bidi overrides that can disguise text. */
            s += n;
            continue;
        } else {
            memcpy(tmp, s, n);
            tn = n;
        }
        if (o + tn > maxbytes - 1)
            break;
        memcpy(dst + o, tmp, tn);
        o += tn;
        s += n;
    }
    while (o > 0 && (dst[o - 1] == ' ' || dst[o - 1] == '\n'))
        o--;
    dst[o] = '\0';
    return o;
}

/* Display width of a UTF-8 string in terminal columns. */
int ww_utf8_width(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    int w = 0;
    while (*s) {
        uint32_t cp;
        size_t n = utf8_seq(s, &cp);
        if (n == 0) {
            w++;
            s++;
            continue;
        }
        int cw = wcwidth((wchar_t)cp);
        w += cw > 0 ? cw : (cp < 0x80 ? 1 : 0);
        s += n;
    }
    return w;
}

/* What a non-regular path is, for messages. */
const char *ww_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    default:
        return "not a regular file";
    }
}

/* Non-blocking open of a regular file (see util.h). O_NONBLOCK makes the
 * open of a FIFO without a writer return at once instead of waiting
 * forever; the fstat then refuses everything that is not a plain file
 * (reads from a FIFO or a device could block or never end). */
FILE *ww_fopen_regular(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        ww_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        ww_err(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        ww_err(err, errlen, "%s is %s, not a file (a capture or recording must be a regular file)",
               path, ww_file_kind(st.st_mode));
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        ww_err(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

/* Regular-file check by stat (see util.h). */
int ww_check_regular(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return ww_err(err, errlen, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ww_err(err, errlen,
                      "%s is %s, not a file (a capture or recording must be a regular file)",
                      path, ww_file_kind(st.st_mode));
    return 0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Insertion below this many values: a minute's samples or a smoothing
 * window are small and nearly sorted. */
#define SMALL_SORT 64

void ww_sort_floats(float *v, size_t n)
{
    if (n > SMALL_SORT) {
        qsort(v, n, sizeof *v, cmp_float);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        float x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void ww_sort_ints(int *v, size_t n)
{
    if (n > SMALL_SORT) {
        qsort(v, n, sizeof *v, cmp_int);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

double ww_median(float *v, size_t n)
{
    if (!n)
        return NAN;
    ww_sort_floats(v, n);
    return n % 2 ? v[n / 2] : ((double)v[n / 2 - 1] + v[n / 2]) / 2;
}

double ww_median_int(int *v, size_t n)
{
    if (!n)
        return NAN;
    ww_sort_ints(v, n);
    return n % 2 ? v[n / 2] : ((double)v[n / 2 - 1] + v[n / 2]) / 2;
}

double ww_median_hist(const uint16_t *h, size_t bins)
{
    size_t n = 0;
    for (size_t k = 0; k < bins; k++)
        n += h[k];
    if (!n)
        return NAN;
    /* the values at sorted positions (n-1)/2 and n/2 (the same one for odd n) */
    size_t seen = 0, lo = 0, hi = 0;
    bool have_lo = false;
    for (size_t k = 0; k < bins; k++) {
        seen += h[k];
        if (!have_lo && seen > (n - 1) / 2) {
            lo = k;
            have_lo = true;
        }
        if (seen > n / 2) {
            hi = k;
            break;
        }
    }
    return ((double)lo + (double)hi) / 2;
}
