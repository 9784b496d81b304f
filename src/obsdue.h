/*
 * obsdue — when the next full set of observations is due: the rule of
 * CLINICAL.md ("When the next set is due"), in one place for the ward core
 * (the board's OBS DUE, the obs-overdue alarm) and the handover (its
 * "Next observation due ... OVERDUE"), so the board and the printed page
 * never disagree on what is overdue.
 *
 *   - A new admission's first full set is due admission_obs_due_min after
 *     admission (default 0: at once) until a complete set is entered.
 *   - After that, it is due the last complete set's entry time (set_at)
 *     plus the minimum monitoring interval of the worst response level seen
 *     since (due_level; continuous monitoring: continuous_obs_min), so a
 *     score that wobbles between bands cannot move it back and forth.
 *   - A manual part that goes stale (or is missing) makes it due then.
 *
 * A set is complete when every manual part (all but the radar's RR and HR
 * on a bed with a sensor) is present and within its maximum age. Pure: no
 * clock, no I/O.
 */
#ifndef WW_OBSDUE_H
#define WW_OBSDUE_H

#include "config.h"
#include "news2.h"

#include <stdbool.h>
#include <stdint.h>

/* The latest value of one NEWS2 parameter, as far as timing needs it. */
struct obsdue_part {
    bool have;
    bool automatic; /* the radar's (RR/HR), not entered by a person */
    int64_t t;      /* when measured or entered, ms */
};

/* Is parameter p part of the manual set (on a bed with or without a sensor)? */
bool obsdue_manual_part(bool has_sensor, int p);
/* How long a value of p counts, ms: a hand count of RR/HR outranks the
 * radar for counted_valid_min (on a bed without a sensor it is kept as long
 * as SpO2); every other value by its max_age_s. */
int64_t obsdue_max_age_ms(const struct ward_config *c, bool has_sensor, int p, bool automatic);
/* Every manual part present and fresh at now. */
bool obsdue_set_complete(const struct ward_config *c, bool has_sensor,
                         const struct obsdue_part parts[NEWS2_NPARAMS], int64_t now);
/* A set is taken at one visit: every manual part entered within this long
 * of the newest. */
#define OBSDUE_SET_WINDOW_MS (15 * 60000LL)
/* Does the entry at now complete a new set, so the clock starts afresh?
 * Every manual part present, fresh and entered within OBSDUE_SET_WINDOW_MS
 * before now: one value re-checked an hour after the set (a temperature, a
 * hand count) completes nothing new and never moves the due time later
 * (CLINICAL.md: "the due time only moves later when a new complete set is
 * entered"); a set entered one value at a time in one visit does. */
bool obsdue_set_new(const struct ward_config *c, bool has_sensor,
                    const struct obsdue_part parts[NEWS2_NPARAMS], int64_t now);
/* When the next full set is due (the rule above). set_at 0: no complete
 * set since admission; due_level: the worst enum news2_level since set_at,
 * -1 none. */
int64_t obsdue_due(const struct ward_config *c, bool has_sensor, int64_t admitted_at,
                   int64_t set_at, int due_level, const struct obsdue_part parts[NEWS2_NPARAMS]);
/* The same, and *part: the NEWS2 parameter whose value going stale (or
 * missing) makes the set due before the level's interval ends, -1 when
 * the interval (or the admission) decides. */
int64_t obsdue_due_why(const struct ward_config *c, bool has_sensor, int64_t admitted_at,
                       int64_t set_at, int due_level, const struct obsdue_part parts[NEWS2_NPARAMS],
                       int *part);
/* Overdue at now? (Due at the very millisecond counts.) */
bool obsdue_overdue(int64_t due, int64_t now);

#endif
