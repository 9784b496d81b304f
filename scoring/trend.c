/*
 * trend — smoothing windows (median of recent values) and per-minute history
 * rings. Pure: time is passed in, no allocation.
 */
#include "trend.h"

#include "util.h"

#include <math.h>
#include <string.h>

/* Reset a window. */
void vwin_clear(struct vwin *w)
{
    w->head = 0;
    w->n = 0;
}

/* Append a value; non-finite values and values older than the newest are
 * dropped so the ring stays in time order. */
void vwin_add(struct vwin *w, int64_t t_ms, float v)
{
    if (!isfinite(v))
        return;
    if (w->n && t_ms < vwin_last_t(w))
        return;
    w->t[w->head] = t_ms;
    w->v[w->head] = v;
    w->head = (w->head + 1) % VWIN_CAP;
    if (w->n < VWIN_CAP)
        w->n++;
}

/* Newest time in the window. */
int64_t vwin_last_t(const struct vwin *w)
{
    if (!w->n)
        return INT64_MIN;
    return w->t[(w->head + VWIN_CAP - 1) % VWIN_CAP];
}

/* Median of the recent part of the window. */
bool vwin_median(const struct vwin *w, int64_t now_ms, int64_t span_ms, unsigned min_n,
                 float *out)
{
    float tmp[VWIN_CAP];
    unsigned m = 0;
    for (unsigned k = 0; k < w->n; k++) {
        unsigned idx = (w->head + VWIN_CAP - 1 - k) % VWIN_CAP;
        if (w->t[idx] > now_ms)
            continue;
        if (w->t[idx] <= now_ms - span_ms)
            break;
        tmp[m++] = w->v[idx];
    }
    if (m == 0 || m < min_n)
        return false;
    *out = (float)ww_median(tmp, m); /* the one median (util.h) */
    return true;
}

/* Slot for an epoch minute. */
static unsigned hist_slot(int64_t minute)
{
    int64_t s = minute % HIST_MINUTES;
    return (unsigned)(s < 0 ? s + HIST_MINUTES : s);
}

/* Floor division of ms to minutes. */
static int64_t to_minute(int64_t t_ms)
{
    return t_ms >= 0 ? t_ms / 60000 : -((-t_ms + 59999) / 60000);
}

/* Reset a history. */
void hist_clear(struct hist *h)
{
    for (unsigned i = 0; i < HIST_MINUTES; i++) {
        h->minute[i] = INT64_MIN;
        h->sum[i] = 0;
        h->n[i] = 0;
    }
}

/* Accumulate a value into its minute, recycling the slot of an old minute. */
void hist_add(struct hist *h, int64_t t_ms, float v)
{
    if (!isfinite(v))
        return;
    int64_t m = to_minute(t_ms);
    unsigned s = hist_slot(m);
    if (h->minute[s] != m) {
        if (h->minute[s] != INT64_MIN && h->minute[s] > m)
            return; /* older than what the slot holds now */
        h->minute[s] = m;
        h->sum[s] = 0;
        h->n[s] = 0;
    }
    if (h->n[s] < UINT16_MAX) {
        h->sum[s] += v;
        h->n[s]++;
    }
}

/* Mean of one minute. */
float hist_minute(const struct hist *h, int64_t t_ms)
{
    int64_t m = to_minute(t_ms);
    unsigned s = hist_slot(m);
    if (h->minute[s] != m || h->n[s] == 0)
        return NAN;
    return h->sum[s] / h->n[s];
}

/* Mean of the minutes in [t0, t1). */
float hist_mean(const struct hist *h, int64_t t0_ms, int64_t t1_ms)
{
    double sum = 0;
    unsigned long n = 0;
    int64_t m0 = to_minute(t0_ms), m1 = to_minute(t1_ms - 1);
    if (m1 - m0 >= HIST_MINUTES)
        m0 = m1 - HIST_MINUTES + 1;
    for (int64_t m = m0; m <= m1; m++) {
        unsigned s = hist_slot(m);
        if (h->minute[s] == m && h->n[s]) {
            sum += h->sum[s];
            n += h->n[s];
        }
    }
    return n ? (float)(sum / n) : NAN;
}

/* Equal buckets over the last span. */
void hist_series(const struct hist *h, int64_t now_ms, int64_t span_ms, float *out,
                 size_t npoints)
{
    for (size_t i = 0; i < npoints; i++) {
        int64_t t0 = now_ms - span_ms + (int64_t)((double)span_ms * i / npoints);
        int64_t t1 = now_ms - span_ms + (int64_t)((double)span_ms * (i + 1) / npoints);
        if (t1 - t0 < 60000) /* a bucket shorter than a minute shows its minute */
            out[i] = hist_minute(h, t1 - 1);
        else
            out[i] = hist_mean(h, t0, t1);
    }
}

/* Raw slot of a minute. */
bool hist_get_minute(const struct hist *h, int64_t minute, float *sum, unsigned *n)
{
    unsigned s = hist_slot(minute);
    if (h->minute[s] != minute || h->n[s] == 0)
        return false;
    *sum = h->sum[s];
    *n = h->n[s];
    return true;
}

/* Overwrite a minute's slot. */
void hist_set_minute(struct hist *h, int64_t minute, float sum, unsigned n)
{
    unsigned s = hist_slot(minute);
    if (n == 0 || !isfinite(sum)) {
        if (h->minute[s] == minute)
            h->n[s] = 0, h->sum[s] = 0;
        return;
    }
    h->minute[s] = minute;
    h->sum[s] = sum;
    h->n[s] = (uint16_t)(n > 65535 ? 65535 : n);
}

int64_t hist_minute_of(int64_t t_ms)
{
    return to_minute(t_ms);
}

/* Rising, falling or steady over 15 minutes. */
int hist_trend(const struct hist *h, int64_t now_ms, float threshold)
{
    float recent = hist_mean(h, now_ms - 5 * 60000, now_ms + 1);
    float before = hist_mean(h, now_ms - 15 * 60000, now_ms - 10 * 60000);
    if (isnan(recent) || isnan(before))
        return 0;
    if (recent - before >= threshold)
        return 1;
    if (before - recent >= threshold)
        return -1;
    return 0;
}
