/*
 * trend — the ward core's smoothing windows and per-minute history, pure.
 *
 * vwin: the last few tens of seconds of one automatic value (RR or HR) as
 * (time, value) pairs in a fixed ring. Scoring and alarms use its median, so a
 * 10-second artefact moves nothing while a sustained change moves the median
 * after half the window. Values older than the window are ignored, so a
 * sensor that went quiet leaves an empty window, never a frozen number.
 *
 * hist: per-minute means over the last 12 hours (for trend arrows, sparklines
 * and the bed detail view), one slot per wall-clock minute, NaN where nothing
 * was measured.
 */
#ifndef WW_TREND_H
#define WW_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VWIN_CAP 128 /* enough for 1 reading/s over 2 minutes */

struct vwin {
    int64_t t[VWIN_CAP];
    float v[VWIN_CAP];
    unsigned head; /* next slot to write */
    unsigned n;    /* entries in the ring */
};

/* Empty the window. */
void vwin_clear(struct vwin *w);
/* Add a value measured at t_ms (times must not go backwards; older ignored). */
void vwin_add(struct vwin *w, int64_t t_ms, float v);
/* Median of the values within (now - span_ms, now]; needs at least min_n of
 * them, else returns false. */
bool vwin_median(const struct vwin *w, int64_t now_ms, int64_t span_ms, unsigned min_n,
                 float *out);
/* Time of the newest value, or INT64_MIN when empty. */
int64_t vwin_last_t(const struct vwin *w);

#define HIST_MINUTES 720 /* 12 hours */

struct hist {
    int64_t minute[HIST_MINUTES]; /* epoch minute stored in the slot */
    float sum[HIST_MINUTES];
    uint16_t n[HIST_MINUTES];
};

/* Empty the history. */
void hist_clear(struct hist *h);
/* Add a value at t_ms (epoch ms). */
void hist_add(struct hist *h, int64_t t_ms, float v);
/* Mean for the minute containing t_ms, NaN if none. */
float hist_minute(const struct hist *h, int64_t t_ms);
/* Mean over [t0_ms, t1_ms), NaN if nothing. */
float hist_mean(const struct hist *h, int64_t t0_ms, int64_t t1_ms);
/* Fill out[npoints] with means of equal buckets covering the last span_ms
 * up to now_ms (NaN for empty buckets). */
void hist_series(const struct hist *h, int64_t now_ms, int64_t span_ms, float *out,
                 size_t npoints);
/* One minute's raw slot (sum and count of its values), for copying a
 * history across the wire: get returns false when the minute holds nothing;
 * set replaces what the minute's slot holds (n 0 clears it). */
bool hist_get_minute(const struct hist *h, int64_t minute, float *sum, unsigned *n);
void hist_set_minute(struct hist *h, int64_t minute, float sum, unsigned n);
/* Epoch minute of t_ms (floor). */
int64_t hist_minute_of(int64_t t_ms);
/* Trend over the last 15 minutes: +1 rising, -1 falling, 0 steady or unknown.
 * Compares the last 5 minutes with the 5 minutes 10-15 minutes ago. */
int hist_trend(const struct hist *h, int64_t now_ms, float threshold);

#endif
