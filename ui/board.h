/*
 * board — the ncurses bed-board nurses use: a tile per bed, bed detail,
 * alarm list, help, and the forms (acknowledge with initials, observation,
 * note, admit, discharge, audio pause). It reads the ward state and sends
 * commands through a view (view.h): the ward in this process, or a mirror
 * of a `wardwatch serve` ward. It never touches sensors or SQLite.
 *
 * Presentation: high-priority alarms flash at ~2 Hz, medium at ~0.5 Hz, low
 * steady, driven by our own clock (not A_BLINK); the markers *** / ** / *
 * carry the priority on monochrome terminals (TERM=vt100, NO_COLOR); the
 * terminal bell rings for audible alarms until they are acknowledged or
 * audio is paused. Below 80x24 a "terminal too small" screen is shown.
 * Redraws happen at most 10 times a second and only when something changed.
 */
#ifndef WW_BOARD_H
#define WW_BOARD_H

#include "loop.h"
#include "view.h"

#include <stdbool.h>

struct monitor;

struct board_opts {
    bool embedded;  /* monitoring runs in this process: quitting stops it */
    bool say_local; /* show "in-process" on the status line */
    bool demo;
    double speed;
    const char *start_msg; /* shown on the message line at start, or NULL */
};

/* Run the board on a view (view.h: in-process or attached to a server)
 * until the nurse quits; returns the exit status. */
int board_run(struct loop *l, const struct view *v, const struct board_opts *o);

/* The bell burst of an alarm priority, one character per 100 ms ('1' a
 * bell, '.' silence), and *repeat_ms from one burst's start to the next
 * while that priority is the highest sounding. */
const char *board_bell_pattern(enum alarm_priority p, int *repeat_ms);

/* Benchmark hook: microseconds per full draw of rows x cols, n draws. */
double board_bench_draw(struct monitor *m, int rows, int cols, int n);

#endif
