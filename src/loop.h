/*
 * loop — wardwatch's single-threaded event loop (in the manner of redis'
 * ae.c): file descriptors with read/write interest, one-shot and periodic
 * timers on CLOCK_MONOTONIC (poll's timeout comes from the nearest timer),
 * signals through a signalfd (SIGINT, SIGTERM, SIGHUP, SIGWINCH are blocked
 * and delivered as events), and a before-sleep hook where the UI redraws.
 * The fd and timer tables grow as needed (no silent limit: a ward of 128
 * beds, each with a sensor fd and reconnect timers, fits); nothing is
 * allocated per event, only when a table grows.
 */
#ifndef WW_LOOP_H
#define WW_LOOP_H

#include <stdbool.h>
#include <stdint.h>

enum { LOOP_READ = 1, LOOP_WRITE = 2, LOOP_HUP = 4 };

struct loop;
typedef void (*loop_fd_cb)(struct loop *l, int fd, int events, void *ctx);
typedef void (*loop_timer_cb)(struct loop *l, int id, void *ctx);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *ctx);
typedef void (*loop_hook_cb)(struct loop *l, void *ctx);

/* Create; handle_signals blocks INT/TERM/HUP/WINCH and reads them from a
 * signalfd (restored by loop_free). NULL when out of memory or no signalfd. */
struct loop *loop_new(bool handle_signals);
void loop_free(struct loop *l);
/* Watch fd for mask (LOOP_READ|LOOP_WRITE); replaces an earlier watch.
 * The callback gets LOOP_READ/LOOP_WRITE/LOOP_HUP (hang-up or error).
 * -1 only when out of memory (or fd < 0). */
int loop_add_fd(struct loop *l, int fd, int mask, loop_fd_cb cb, void *ctx);
void loop_del_fd(struct loop *l, int fd);
/* Timer after ms (CLOCK_MONOTONIC); periodic when repeat (a periodic timer
 * that fell behind fires once, not in a burst). Returns an id >= 0 (a freed
 * id is reused), or -1 only when out of memory. Timers, fds and the stop
 * flag may be changed from inside any callback. */
int loop_add_timer(struct loop *l, int64_t ms, bool repeat, loop_timer_cb cb, void *ctx);
void loop_del_timer(struct loop *l, int id);
void loop_on_signal(struct loop *l, loop_signal_cb cb, void *ctx);
void loop_before_sleep(struct loop *l, loop_hook_cb cb, void *ctx);
/* Run until loop_stop. */
void loop_run(struct loop *l);
/* One iteration, waiting at most max_wait_ms (-1: until the next timer). */
void loop_once(struct loop *l, int64_t max_wait_ms);
void loop_stop(struct loop *l);
bool loop_running(const struct loop *l);

#endif
