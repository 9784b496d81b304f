/*
 * monitor — the running monitoring core: the ward, one sensor source per
 * bed, and the ward clock that drives them.
 *
 * Live: the ward clock is the wall clock; serial sources deliver through the
 * event loop; a 1 s timer ticks the ward and flushes the store.
 * Replay and demo: the ward clock starts at the wall time of the start and
 * runs at speed x real time (monitor_start, paced by the loop) or as fast as
 * the machine allows (monitor_run_fast); recordings and captures are pumped
 * to the ward clock, so a replay gives the same readings at any speed. Store
 * batching follows the wall clock in every mode (one transaction a second).
 */
#ifndef WW_MONITOR_H
#define WW_MONITOR_H

#include "config.h"
#include "loop.h"
#include "reading.h"
#include "ward.h"

#include <stdbool.h>
#include <stdint.h>

struct store;
struct monitor;

struct monitor_opts {
    double speed;         /* ward seconds per wall second (1 = live pace) */
    bool loop_recordings; /* demo: recordings start over at their end */
    bool live_clock;      /* ward time = wall clock (live sensors) */
    int64_t start_ms;     /* replay and demo: ward clock start (0: now) */
    bool export;          /* send to the [export.NAME] destinations (#20):
                           * serve and a board with its own core, never a
                           * replay */
};

/* Per-reading hook (replay --json). */
typedef void (*monitor_reading_cb)(void *ctx, size_t bed, int64_t now_ms,
                                   const struct reading *r);

struct monitor *monitor_new(const struct ward_config *cfg, struct store *st, struct loop *l,
                            const struct monitor_opts *o, char *err, size_t errlen);
void monitor_free(struct monitor *m);
struct ward *monitor_ward(struct monitor *m);
/* The loop the monitor runs under. */
struct loop *monitor_loop(struct monitor *m);
void monitor_on_reading(struct monitor *m, monitor_reading_cb cb, void *ctx);
/* After the paced clock moved past one or more ward seconds (ward_tick ran),
 * once per loop timer turn: the server broadcasts the ward's state there. */
typedef void (*monitor_tick_cb)(void *ctx, int64_t now_ms);
void monitor_on_tick(struct monitor *m, monitor_tick_cb cb, void *ctx);
/* Paced operation inside the loop. -1 (logged) when the ward's timer
 * cannot be registered: nothing would be monitored, so callers stop. */
int monitor_start(struct monitor *m);
/* Unpaced: advance the ward clock by up to seconds (all sources ended ->
 * stop early). Returns the ward seconds simulated. */
double monitor_run_fast(struct monitor *m, double seconds);
int64_t monitor_now(const struct monitor *m);
int64_t monitor_start_ms(const struct monitor *m);
/* Sources still delivering. */
int monitor_active_sources(const struct monitor *m);
/* One-line summary of sensor states ("10 ok, 1 no signal"). */
void monitor_sensor_summary(const struct monitor *m, char *buf, size_t n);
/* How each hospital export fares and how far behind it is ("" none), the
 * part of the status line a server sends its boards (proto STATE). */
void monitor_export_summary(const struct monitor *m, char *buf, size_t n);

#endif
