/*
 * loop — poll() over registered fds plus a signalfd, timers kept in a table
 * scanned each turn (a few hundred at most, so a heap would buy nothing).
 * Both tables grow by doubling; callbacks may add and remove fds and timers,
 * including their own, so no pointer into a table is held across a call.
 */
#include "loop.h"

#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct loop_fd {
    int fd; /* -1 free */
    int mask;
    loop_fd_cb cb;
    void *ctx;
};

struct loop_timer {
    bool used;
    bool repeat;
    int64_t period, due;
    loop_timer_cb cb;
    void *ctx;
};

struct loop {
    struct loop_fd *fds;
    int nfds, capfds;          /* slots in use up to nfds, allocated capfds */
    struct pollfd *pfd;        /* poll's array, capfds + 1 */
    int *map;
    struct loop_timer *timers;
    int ntimers, captimers;
    int sigfd;
    sigset_t oldmask;
    loop_signal_cb sig_cb;
    void *sig_ctx;
    loop_hook_cb hook;
    void *hook_ctx;
    bool running;
};

/* New loop. */
struct loop *loop_new(bool handle_signals)
{
    struct loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->sigfd = -1;
    if (handle_signals) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGWINCH);
        pthread_sigmask(SIG_BLOCK, &set, &l->oldmask);
        l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (l->sigfd < 0) {
            /* Blocked signals nobody reads would make SIGINT a no-op. */
            pthread_sigmask(SIG_SETMASK, &l->oldmask, NULL);
            free(l);
            return NULL;
        }
    }
    return l;
}

/* Free, restoring the signal mask. */
void loop_free(struct loop *l)
{
    if (!l)
        return;
    if (l->sigfd >= 0) {
        close(l->sigfd);
        pthread_sigmask(SIG_SETMASK, &l->oldmask, NULL);
    }
    free(l->fds);
    free(l->pfd);
    free(l->map);
    free(l->timers);
    free(l);
}

/* Room for one more fd slot (doubling; new slots are free). */
static int grow_fds(struct loop *l)
{
    int cap = l->capfds ? l->capfds * 2 : 64;
    struct loop_fd *f = realloc(l->fds, (size_t)cap * sizeof *f);
    if (!f)
        return -1;
    l->fds = f;
    for (int i = l->capfds; i < cap; i++)
        l->fds[i].fd = -1;
    struct pollfd *p = realloc(l->pfd, (size_t)(cap + 1) * sizeof *p);
    if (!p)
        return -1;
    l->pfd = p;
    int *m = realloc(l->map, (size_t)(cap + 1) * sizeof *m);
    if (!m)
        return -1;
    l->map = m;
    l->capfds = cap;
    return 0;
}

/* Register or update an fd. */
int loop_add_fd(struct loop *l, int fd, int mask, loop_fd_cb cb, void *ctx)
{
    if (fd < 0)
        return -1;
    int freeslot = -1;
    for (int i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd == fd) {
            l->fds[i].mask = mask;
            l->fds[i].cb = cb;
            l->fds[i].ctx = ctx;
            return 0;
        }
        if (l->fds[i].fd < 0 && freeslot < 0)
            freeslot = i;
    }
    if (freeslot < 0) {
        if (l->nfds == l->capfds && grow_fds(l) < 0)
            return -1;
        freeslot = l->nfds;
    }
    l->fds[freeslot] = (struct loop_fd){fd, mask, cb, ctx};
    if (freeslot >= l->nfds)
        l->nfds = freeslot + 1;
    return 0;
}

/* Stop watching an fd. */
void loop_del_fd(struct loop *l, int fd)
{
    for (int i = 0; i < l->nfds; i++)
        if (l->fds[i].fd == fd)
            l->fds[i].fd = -1;
}

/* Add a timer. */
int loop_add_timer(struct loop *l, int64_t ms, bool repeat, loop_timer_cb cb, void *ctx)
{
    int id = -1;
    for (int i = 0; i < l->ntimers && id < 0; i++)
        if (!l->timers[i].used)
            id = i;
    if (id < 0) {
        if (l->ntimers == l->captimers) {
            int cap = l->captimers ? l->captimers * 2 : 64;
            struct loop_timer *t = realloc(l->timers, (size_t)cap * sizeof *t);
            if (!t)
                return -1;
            l->timers = t;
            l->captimers = cap;
        }
        id = l->ntimers++;
    }
    l->timers[id] = (struct loop_timer){true, repeat, ms, ww_mono_ms() + ms, cb, ctx};
    return id;
}

/* Remove a timer. */
void loop_del_timer(struct loop *l, int id)
{
    if (id >= 0 && id < l->ntimers)
        l->timers[id].used = false;
}

/* Set the signal handler (one per loop). */
void loop_on_signal(struct loop *l, loop_signal_cb cb, void *ctx)
{
    l->sig_cb = cb;
    l->sig_ctx = ctx;
}

/* Set the hook run before each poll (the UI redraws there). */
void loop_before_sleep(struct loop *l, loop_hook_cb cb, void *ctx)
{
    l->hook = cb;
    l->hook_ctx = ctx;
}

/* Fire due timers. */
static void run_timers(struct loop *l)
{
    int64_t now = ww_mono_ms();
    for (int i = 0; i < l->ntimers; i++) {
        struct loop_timer *t = &l->timers[i];
        if (!t->used || t->due > now)
            continue;
        if (t->repeat) {
            t->due += t->period;
            if (t->due <= now) /* fell behind (suspend): do not fire a burst */
                t->due = now + t->period;
        } else {
            t->used = false;
        }
        loop_timer_cb cb = t->cb; /* the table may move during the call */
        void *ctx = t->ctx;
        cb(l, i, ctx);
    }
}

/* One turn. */
void loop_once(struct loop *l, int64_t max_wait_ms)
{
    if (l->hook)
        l->hook(l, l->hook_ctx);
    if (!l->pfd && grow_fds(l) < 0)
        return;
    struct pollfd *pfd = l->pfd;
    int *map = l->map;
    int n = 0;
    for (int i = 0; i < l->nfds; i++) {
        if (l->fds[i].fd < 0)
            continue;
        pfd[n].fd = l->fds[i].fd;
        pfd[n].events = (short)(((l->fds[i].mask & LOOP_READ) ? POLLIN : 0) |
                                ((l->fds[i].mask & LOOP_WRITE) ? POLLOUT : 0));
        pfd[n].revents = 0;
        map[n++] = i;
    }
    if (l->sigfd >= 0) {
        pfd[n].fd = l->sigfd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        map[n++] = -1;
    }
    int64_t wait = max_wait_ms;
    int64_t now = ww_mono_ms();
    for (int i = 0; i < l->ntimers; i++) {
        if (!l->timers[i].used)
            continue;
        int64_t d = l->timers[i].due - now;
        if (d < 0)
            d = 0;
        if (wait < 0 || d < wait)
            wait = d;
    }
    if (wait > 60000 || wait < 0)
        wait = wait < 0 && max_wait_ms < 0 ? 1000 : (wait > 60000 ? 60000 : wait);
    int rc = poll(pfd, (nfds_t)n, (int)wait);
    /* Callbacks may grow the tables (moving pfd and map): read them through
     * l from here on; realloc keeps what poll filled in. */
    if (rc < 0 && errno != EINTR)
        return;
    for (int k = 0; rc > 0 && k < n; k++) {
        if (!l->pfd[k].revents)
            continue;
        if (l->map[k] < 0) {
            struct signalfd_siginfo si;
            while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
                if (l->sig_cb)
                    l->sig_cb(l, (int)si.ssi_signo, l->sig_ctx);
            continue;
        }
        struct loop_fd *f = &l->fds[l->map[k]];
        if (f->fd != l->pfd[k].fd) /* removed by an earlier callback this turn */
            continue;
        int ev = 0;
        if (l->pfd[k].revents & (POLLIN | POLLPRI))
            ev |= LOOP_READ;
        if (l->pfd[k].revents & POLLOUT)
            ev |= LOOP_WRITE;
        if (l->pfd[k].revents & (POLLHUP | POLLERR | POLLNVAL))
            ev |= LOOP_HUP;
        loop_fd_cb cb = f->cb;
        void *ctx = f->ctx;
        cb(l, l->pfd[k].fd, ev, ctx);
    }
    run_timers(l);
}

/* Run until stopped. */
void loop_run(struct loop *l)
{
    l->running = true;
    while (l->running)
        loop_once(l, -1);
}

/* Make loop_run return after the current turn. */
void loop_stop(struct loop *l)
{
    l->running = false;
}

/* True inside loop_run until loop_stop. */
bool loop_running(const struct loop *l)
{
    return l->running;
}
