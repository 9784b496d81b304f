/*
 * iqlink — libiio I/Q streams on the loop thread (see iqlink.h). Every
 * libiio call in wardwatch is in this file.
 */
#include "iqlink.h"

#include "util.h"

#include <errno.h>
#include <iio.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 512      /* floats per hand-over slot: BLOCK / points frames */
#define RING 32        /* slots between the reader thread and the loop */
#define DEFAULT_WAVELENGTH_MM 12.4
#define SPEED_OF_LIGHT_MM_S 299792458e3

/* One open libiio context with the device's I/Q buffer. */
struct conn {
    struct iio_context *ctx;
    struct iio_device *dev;
    struct iio_channel *ci[IQLINK_MAX_POINTS], *cq[IQLINK_MAX_POINTS];
    unsigned np;
    struct iio_buffer *buf;
    const struct iio_data_format *fi[IQLINK_MAX_POINTS], *fq[IQLINK_MAX_POINTS];
    double fs, wl;
    char detail[1024];
};

enum msg_kind { MSG_CONNECTED, MSG_SAMPLES, MSG_LOST };

/* A slot handed from the reader thread to the loop. */
struct slot {
    enum msg_kind kind;
    size_t n;
    double fs, wl;
    char text[1024];
    float i[BLOCK], q[BLOCK];
};

struct iqlink {
    struct iqlink_opts o;
    char ctx_uri[512], device[128], ich[512], qch[512];
    unsigned np;
    char iname[IQLINK_MAX_POINTS][64], qname[IQLINK_MAX_POINTS][64];
    struct loop *loop;
    struct iqlink_cb cb;
    void *cbctx;
    bool threaded;
    /* loop-thread state */
    bool up, flowing, loss_reported;
    int64_t last_data_ms;
    int watch_timer, retry_timer;
    int backoff_s;
    struct iqlink_stats st;
    /* local mode */
    struct conn c;
    bool open;
    int pollfd;
    /* threaded mode */
    pthread_t thread;
    bool thread_started;
    int efd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;
    bool reconnect_req;        /* under mu */
    struct iio_buffer *busy;   /* under mu: the buffer a refill may block on */
    unsigned head, tail;       /* under mu: slots written / consumed */
    struct slot ring[RING];
};

/* --- the libiio part --------------------------------------------------- */

/* Read a double attribute of the device, else of channel ch; 0 if absent. */
static double read_fs(struct iio_device *dev, struct iio_channel *ch)
{
    double v = 0;
    if (iio_device_find_attr(dev, "sampling_frequency") &&
        iio_device_attr_read_double(dev, "sampling_frequency", &v) == 0 && v > 0)
        return v;
    if (ch && iio_channel_find_attr(ch, "sampling_frequency") &&
        iio_channel_attr_read_double(ch, "sampling_frequency", &v) == 0 && v > 0)
        return v;
    return 0;
}

/* The carrier frequency of an altvoltage output channel (the radar's LO),
 * in Hz, or 0. */
static double read_carrier(struct iio_device *dev)
{
    unsigned n = iio_device_get_channels_count(dev);
    for (unsigned k = 0; k < n; k++) {
        struct iio_channel *ch = iio_device_get_channel(dev, k);
        const char *id = iio_channel_get_id(ch);
        double f = 0;
        if (iio_channel_is_output(ch) && id && !strncmp(id, "altvoltage", 10) &&
            iio_channel_find_attr(ch, "frequency") &&
            iio_channel_attr_read_double(ch, "frequency", &f) == 0 && f > 1e8)
            return f;
    }
    return 0;
}

static void conn_close(struct conn *c)
{
    if (c->buf)
        iio_buffer_destroy(c->buf);
    if (c->ctx)
        iio_context_destroy(c->ctx);
    memset(c, 0, sizeof *c);
}

/* Text of a negative errno from libiio. */
static void iio_errtext(int e, char *buf, size_t n)
{
    iio_strerror(e < 0 ? -e : e, buf, n);
}

/* Find and check each range point's I and Q channels: 0, or -1 with err. */
static int conn_channels(struct conn *c, const struct iqlink *k, char *err, size_t errlen)
{
    c->np = k->np;
    for (unsigned p = 0; p < k->np; p++) {
        const char *in = k->iname[p], *qn = k->qname[p];
        c->ci[p] = iio_device_find_channel(c->dev, in, false);
        c->cq[p] = iio_device_find_channel(c->dev, qn, false);
        if (!c->ci[p] || !c->cq[p]) {
            ww_err(err, errlen, "%s: device '%s' has no input channel '%s'", k->ctx_uri, k->device,
                   !c->ci[p] ? in : qn);
            return -1;
        }
        if (!iio_channel_is_scan_element(c->ci[p]) || !iio_channel_is_scan_element(c->cq[p])) {
            ww_err(err, errlen,
                   "%s: channels '%s'/'%s' of '%s' cannot be streamed (not scan elements)",
                   k->ctx_uri, in, qn, k->device);
            return -1;
        }
        c->fi[p] = iio_channel_get_data_format(c->ci[p]);
        c->fq[p] = iio_channel_get_data_format(c->cq[p]);
        if (c->fi[p]->length == 0 || c->fi[p]->length > 64 || c->fi[p]->length % 8 ||
            c->fq[p]->length == 0 || c->fq[p]->length > 64 || c->fq[p]->length % 8) {
            ww_err(err, errlen, "%s: unsupported sample format (%u/%u bits)", k->ctx_uri,
                   c->fi[p]->length, c->fq[p]->length);
            return -1;
        }
    }
    return 0;
}

/* Open the context, device, channels and buffer. */
static int conn_open(struct conn *c, const struct iqlink *k, bool blocking, char *err,
                     size_t errlen)
{
    char why[160];
    memset(c, 0, sizeof *c);
    /* libiio 0.24's network backend cuts the ":PORT" off the string it is
     * given: hand it a copy. */
    char uri[sizeof k->ctx_uri];
    ww_strlcpy(uri, k->ctx_uri, sizeof uri);
    errno = 0;
    c->ctx = iio_create_context_from_uri(uri);
    if (!c->ctx) {
        iio_errtext(errno ? errno : EIO, why, sizeof why);
        return ww_err(err, errlen, "%s: cannot open the libiio context: %s", k->ctx_uri, why);
    }
    if (!blocking || k->o.no_signal_s > 0) {
        unsigned ms = (unsigned)(k->o.no_signal_s > 0 ? k->o.no_signal_s : 5) * 1000u;
        if (ms > 5000)
            ms = 5000;
        (void)iio_context_set_timeout(c->ctx, ms);
    }
    c->dev = iio_context_find_device(c->ctx, k->device);
    if (!c->dev) {
        ww_err(err, errlen, "%s: no IIO device '%s' (the context has %u device(s))", k->ctx_uri,
               k->device, iio_context_get_devices_count(c->ctx));
        goto fail;
    }
    if (conn_channels(c, k, err, errlen) < 0)
        goto fail;
    const char *fs_from = "fs= in the URI";
    c->fs = k->o.fs_hz;
    if (c->fs <= 0) {
        c->fs = read_fs(c->dev, c->ci[0]);
        fs_from = "the device's sampling_frequency";
    }
    if (c->fs < 10 || c->fs > 100000) {
        if (c->fs <= 0)
            ww_err(err, errlen,
                   "%s: device '%s' has no sampling_frequency attribute: give fs=HZ in the URI",
                   k->ctx_uri, k->device);
        else
            ww_err(err, errlen, "%s: sampling rate %.6g Hz from %s is outside 10-100000 Hz",
                   k->ctx_uri, c->fs, fs_from);
        goto fail;
    }
    const char *wl_from = "wavelength_mm= in the URI";
    c->wl = k->o.wavelength_mm;
    if (c->wl <= 0) {
        double f = read_carrier(c->dev);
        if (f > 0) {
            c->wl = SPEED_OF_LIGHT_MM_S / f;
            wl_from = "the device's carrier frequency";
        } else {
            c->wl = DEFAULT_WAVELENGTH_MM;
            wl_from = "the default (24 GHz); set wavelength_mm= for other radars";
        }
    }
    long bufsz = k->o.buffer > 0 ? k->o.buffer : (long)(c->fs / 10);
    if (bufsz < 64)
        bufsz = 64;
    if (bufsz > 65536)
        bufsz = 65536;
    unsigned n = iio_device_get_channels_count(c->dev);
    for (unsigned j = 0; j < n; j++)
        iio_channel_disable(iio_device_get_channel(c->dev, j));
    for (unsigned p = 0; p < c->np; p++) {
        iio_channel_enable(c->ci[p]);
        iio_channel_enable(c->cq[p]);
    }
    errno = 0;
    c->buf = iio_device_create_buffer(c->dev, (size_t)bufsz, false);
    if (!c->buf) {
        iio_errtext(errno ? errno : EIO, why, sizeof why);
        ww_err(err, errlen, "%s: cannot start streaming from '%s': %s", k->ctx_uri, k->device,
               why);
        goto fail;
    }
    if (!blocking) {
        int r = iio_buffer_set_blocking_mode(c->buf, false);
        if (r < 0) {
            iio_errtext(r, why, sizeof why);
            ww_err(err, errlen, "%s: no non-blocking mode: %s", k->ctx_uri, why);
            goto fail;
        }
    }
    if (c->np == 1)
        snprintf(c->detail, sizeof c->detail,
                 "%s %s (%s/%s) at %.6g Hz (%s), wavelength %.3g mm (%s)", k->ctx_uri, k->device,
                 k->iname[0], k->qname[0], c->fs, fs_from, c->wl, wl_from);
    else
        snprintf(c->detail, sizeof c->detail,
                 "%s %s (%u range points, %s .. %s/%s) at %.6g Hz (%s), wavelength %.3g mm (%s)",
                 k->ctx_uri, k->device, c->np, k->iname[0], k->iname[c->np - 1],
                 k->qname[c->np - 1], c->fs, fs_from, c->wl, wl_from);
    return 0;
fail:
    conn_close(c);
    return -1;
}

/* One converted sample of channel ch as a float. */
static float convert(const struct iio_channel *ch, const struct iio_data_format *f,
                     const void *src)
{
    union {
        int8_t s8;
        uint8_t u8;
        int16_t s16;
        uint16_t u16;
        int32_t s32;
        uint32_t u32;
        int64_t s64;
        uint64_t u64;
        uint8_t raw[8];
    } v = {.u64 = 0};
    iio_channel_convert(ch, v.raw, src);
    switch (f->length) {
    case 8:
        return f->is_signed ? v.s8 : v.u8;
    case 16:
        return f->is_signed ? v.s16 : v.u16;
    case 32:
        return f->is_signed ? (float)v.s32 : (float)v.u32;
    default:
        return f->is_signed ? (float)v.s64 : (float)v.u64;
    }
}

/* Refill once and pass the samples to sink in blocks of at most BLOCK.
 * Returns the samples read, 0 when none were ready (non-blocking), or a
 * negative errno. */
static long conn_read(struct conn *c, void (*sink)(void *, const float *, const float *, size_t),
                      void *ctx)
{
    ssize_t r = iio_buffer_refill(c->buf);
    if (r == -EAGAIN)
        return 0;
    if (r < 0)
        return (long)r;
    if (r == 0)
        return -EIO;
    ptrdiff_t step = iio_buffer_step(c->buf);
    uint8_t *end = iio_buffer_end(c->buf);
    if (step <= 0)
        return -EINVAL;
    uint8_t *pi[IQLINK_MAX_POINTS], *pq[IQLINK_MAX_POINTS], *base = NULL;
    for (unsigned p = 0; p < c->np; p++) {
        pi[p] = iio_buffer_first(c->buf, c->ci[p]);
        pq[p] = iio_buffer_first(c->buf, c->cq[p]);
        if (!base || pi[p] < base)
            base = pi[p];
        if (pq[p] < base)
            base = pq[p];
    }
    size_t last = 0; /* from the frame's first byte to just past its furthest channel */
    for (unsigned p = 0; p < c->np; p++) {
        size_t a = (size_t)(pi[p] - base) + c->fi[p]->length / 8;
        size_t b = (size_t)(pq[p] - base) + c->fq[p]->length / 8;
        last = a > last ? a : last;
        last = b > last ? b : last;
    }
    float bi[BLOCK], bq[BLOCK];
    size_t per = BLOCK / c->np; /* frames per block */
    size_t n = 0;
    long total = 0;
    /* A frame is whole when all of its channels lie before the end. */
    while (base + last <= end) {
        for (unsigned p = 0; p < c->np; p++) {
            bi[n * c->np + p] = convert(c->ci[p], c->fi[p], pi[p]);
            bq[n * c->np + p] = convert(c->cq[p], c->fq[p], pq[p]);
            pi[p] += step;
            pq[p] += step;
        }
        base += step;
        if (++n == per) {
            sink(ctx, bi, bq, n);
            total += (long)n;
            n = 0;
        }
    }
    if (n) {
        sink(ctx, bi, bq, n);
        total += (long)n;
    }
    return total;
}

/* Stop a blocking refill from another thread. */
static void conn_cancel(struct iio_buffer *b)
{
    iio_buffer_cancel(b);
}

/* --- loop-thread side, both modes --------------------------------------- */

static void on_connected(struct iqlink *k, double fs, double wl, const char *detail)
{
    k->up = true;
    k->flowing = false;
    k->loss_reported = false;
    k->last_data_ms = ww_mono_ms();
    if (k->cb.connected)
        k->cb.connected(k->cbctx, fs, wl, detail);
}

static void on_samples(struct iqlink *k, const float *i, const float *q, size_t n)
{
    if (!k->up)
        return; /* data of a connection the watchdog already gave up on */
    if (!k->flowing) {
        k->flowing = true;
        if (k->cb.ready)
            k->cb.ready(k->cbctx);
    }
    k->last_data_ms = ww_mono_ms();
    k->st.samples += n;
    k->st.blocks++;
    k->cb.samples(k->cbctx, i, q, n);
}

/* Report a loss once per connection (and once for a first connect that
 * fails), not on every failed retry. */
static void on_lost(struct iqlink *k, bool no_signal, const char *why)
{
    bool report = k->up || !k->loss_reported;
    if (k->up)
        k->st.reconnects++;
    k->up = false;
    k->flowing = false;
    k->st.errors++;
    if (report) {
        k->loss_reported = true;
        if (k->cb.lost)
            k->cb.lost(k->cbctx, no_signal, why);
    }
}

/* --- local mode: the buffer's poll fd in the loop ------------------------ */

static void local_retry(struct loop *l, int id, void *ctx);

static void sink_direct(void *ctx, const float *i, const float *q, size_t n)
{
    on_samples(ctx, i, q, n);
}

/* Tear down and schedule a reconnect. */
static void local_teardown(struct iqlink *k)
{
    if (k->open) {
        if (k->pollfd >= 0)
            loop_del_fd(k->loop, k->pollfd);
        conn_close(&k->c);
        k->open = false;
        k->pollfd = -1;
    }
    if (k->retry_timer < 0)
        k->retry_timer =
            loop_add_timer(k->loop, (int64_t)k->backoff_s * 1000, false, local_retry, k);
}

static void on_local_fd(struct loop *l, int fd, int ev, void *ctx)
{
    struct iqlink *k = ctx;
    char why[160];
    for (int turn = 0; turn < 16 && k->open; turn++) {
        long r = conn_read(&k->c, sink_direct, k);
        if (r < 0) {
            iio_errtext((int)r, why, sizeof why);
            char msg[200];
            snprintf(msg, sizeof msg, "the IIO device stopped: %s", why);
            local_teardown(k);
            on_lost(k, false, msg);
            return;
        }
        if (r == 0) {
            /* Readable with nothing to read: the other end is gone (a
             * FIFO's writer closed), or the loop would spin. */
            if (ev & LOOP_HUP) {
                local_teardown(k);
                on_lost(k, false, "the IIO device hung up");
            }
            return;
        }
    }
}

/* Open now; 0 or -1 with a message. */
static int local_connect(struct iqlink *k, char *err, size_t errlen)
{
    if (conn_open(&k->c, k, false, err, errlen) < 0)
        return -1;
    int fd = iio_buffer_get_poll_fd(k->c.buf);
    if (fd < 0 || loop_add_fd(k->loop, fd, LOOP_READ, on_local_fd, k) < 0) {
        conn_close(&k->c);
        return ww_err(err, errlen, "%s: no poll fd for the IIO buffer", k->ctx_uri);
    }
    k->pollfd = fd;
    k->open = true;
    on_connected(k, k->c.fs, k->c.wl, k->c.detail);
    return 0;
}

static void local_retry(struct loop *l, int id, void *ctx)
{
    struct iqlink *k = ctx;
    char err[512];
    k->retry_timer = -1;
    if (local_connect(k, err, sizeof err) == 0) {
        k->backoff_s = k->o.reconnect_min_s;
        return;
    }
    on_lost(k, false, err);
    k->backoff_s = k->backoff_s * 2 > k->o.reconnect_max_s ? k->o.reconnect_max_s : k->backoff_s * 2;
    k->retry_timer = loop_add_timer(l, (int64_t)k->backoff_s * 1000, false, local_retry, k);
}

/* --- threaded mode: a reader thread per remote context ------------------- */

/* Claim the next free slot (waits while the loop catches up); NULL when
 * stopping. */
static struct slot *slot_claim(struct iqlink *k)
{
    pthread_mutex_lock(&k->mu);
    while (k->head - k->tail >= RING && !atomic_load(&k->stop))
        pthread_cond_wait(&k->cv, &k->mu);
    struct slot *s = atomic_load(&k->stop) ? NULL : &k->ring[k->head % RING];
    pthread_mutex_unlock(&k->mu);
    return s;
}

/* Publish the claimed slot and wake the loop. */
static void slot_publish(struct iqlink *k)
{
    pthread_mutex_lock(&k->mu);
    k->head++;
    pthread_mutex_unlock(&k->mu);
    uint64_t one = 1;
    ssize_t w = write(k->efd, &one, sizeof one);
    (void)w;
}

static void post_text(struct iqlink *k, enum msg_kind kind, double fs, double wl, const char *t)
{
    struct slot *s = slot_claim(k);
    if (!s)
        return;
    s->kind = kind;
    s->n = 0;
    s->fs = fs;
    s->wl = wl;
    ww_strlcpy(s->text, t, sizeof s->text);
    slot_publish(k);
}

static void sink_ring(void *ctx, const float *i, const float *q, size_t n)
{
    struct iqlink *k = ctx;
    struct slot *s = slot_claim(k);
    if (!s)
        return;
    s->kind = MSG_SAMPLES;
    s->n = n;
    memcpy(s->i, i, n * k->np * sizeof *i);
    memcpy(s->q, q, n * k->np * sizeof *q);
    slot_publish(k);
}

/* Sleep up to s seconds, or until stopping. */
static void thread_sleep(struct iqlink *k, int s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s;
    pthread_mutex_lock(&k->mu);
    while (!atomic_load(&k->stop)) {
        if (pthread_cond_timedwait(&k->cv, &k->mu, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&k->mu);
}

static void *reader_main(void *arg)
{
    struct iqlink *k = arg;
    int backoff = k->o.reconnect_min_s;
    while (!atomic_load(&k->stop)) {
        struct conn c;
        char err[512];
        if (conn_open(&c, k, true, err, sizeof err) < 0) {
            post_text(k, MSG_LOST, 0, 0, err);
            thread_sleep(k, backoff);
            backoff = backoff * 2 > k->o.reconnect_max_s ? k->o.reconnect_max_s : backoff * 2;
            continue;
        }
        backoff = k->o.reconnect_min_s;
        pthread_mutex_lock(&k->mu);
        k->busy = c.buf;
        k->reconnect_req = false;
        pthread_mutex_unlock(&k->mu);
        post_text(k, MSG_CONNECTED, c.fs, c.wl, c.detail);
        for (;;) {
            long r = conn_read(&c, sink_ring, k);
            pthread_mutex_lock(&k->mu);
            bool again = k->reconnect_req;
            pthread_mutex_unlock(&k->mu);
            if (atomic_load(&k->stop))
                break;
            if (again) {
                /* The loop's watchdog gave up on this connection and has
                 * reported it. */
                break;
            }
            if (r < 0) {
                char why[160], msg[800];
                iio_errtext((int)r, why, sizeof why);
                snprintf(msg, sizeof msg, "%s: the IIO stream stopped: %s", k->ctx_uri, why);
                post_text(k, MSG_LOST, 0, 0, msg);
                break;
            }
        }
        pthread_mutex_lock(&k->mu);
        k->busy = NULL;
        pthread_mutex_unlock(&k->mu);
        conn_close(&c);
        if (!atomic_load(&k->stop))
            thread_sleep(k, k->o.reconnect_min_s);
    }
    return NULL;
}

/* The eventfd: drain every published slot. */
static void on_efd(struct loop *l, int fd, int ev, void *ctx)
{
    struct iqlink *k = ctx;
    uint64_t v;
    ssize_t r = read(fd, &v, sizeof v);
    (void)r;
    for (;;) {
        pthread_mutex_lock(&k->mu);
        bool empty = k->tail == k->head;
        struct slot *s = &k->ring[k->tail % RING];
        pthread_mutex_unlock(&k->mu);
        if (empty)
            break;
        /* The slot is ours until tail moves past it. */
        switch (s->kind) {
        case MSG_CONNECTED:
            on_connected(k, s->fs, s->wl, s->text);
            break;
        case MSG_SAMPLES:
            on_samples(k, s->i, s->q, s->n);
            break;
        case MSG_LOST:
            on_lost(k, false, s->text);
            break;
        }
        pthread_mutex_lock(&k->mu);
        k->tail++;
        pthread_cond_broadcast(&k->cv);
        pthread_mutex_unlock(&k->mu);
    }
}

/* --- both modes ---------------------------------------------------------- */

/* Watchdog: no samples for no_signal_s while connected. */
static void on_watch(struct loop *l, int id, void *ctx)
{
    struct iqlink *k = ctx;
    if (!k->up || ww_mono_ms() - k->last_data_ms < (int64_t)k->o.no_signal_s * 1000)
        return;
    char msg[128];
    snprintf(msg, sizeof msg, "no I/Q samples for %d s", k->o.no_signal_s);
    if (k->threaded) {
        pthread_mutex_lock(&k->mu);
        k->reconnect_req = true;
        if (k->busy)
            conn_cancel(k->busy);
        pthread_mutex_unlock(&k->mu);
    } else {
        local_teardown(k);
    }
    on_lost(k, true, msg);
}

/* Split one comma-separated channel list into names; the count or -1. */
static int split_list(const char *list, char names[][64], const char *key, char *err,
                      size_t errlen)
{
    int n = 0;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || len >= 64)
            return ww_err(err, errlen, "iio: %s=%s: channel name %d is %s", key, list, n + 1,
                          len ? "too long" : "empty");
        if (n == IQLINK_MAX_POINTS)
            return ww_err(err, errlen, "iio: %s=%s: more than %d channels", key, list,
                          IQLINK_MAX_POINTS);
        memcpy(names[n], p, len);
        names[n][len] = 0;
        n++;
        if (!e)
            return n;
        p = e + 1;
    }
}

int iqlink_points(const char *ich, const char *qch, char iname[][64], char qname[][64], char *err,
                  size_t errlen)
{
    char ibuf[IQLINK_MAX_POINTS][64], qbuf[IQLINK_MAX_POINTS][64];
    char (*in)[64] = iname ? iname : ibuf, (*qn)[64] = qname ? qname : qbuf;
    int ni = split_list(ich ? ich : "voltage0", in, "i", err, errlen);
    if (ni < 0)
        return -1;
    int nq = split_list(qch ? qch : "voltage1", qn, "q", err, errlen);
    if (nq < 0)
        return -1;
    if (ni != nq)
        return ww_err(err, errlen, "iio: %d I channel(s) but %d Q channel(s): i= and q= pair "
                                   "up one to one",
                      ni, nq);
    for (int a = 0; a < ni; a++)
        for (int b = 0; b < ni; b++) {
            if (!strcmp(in[a], qn[b]))
                return ww_err(err, errlen, "iio: channel '%s' is both an I and a Q channel",
                              in[a]);
            if (a < b && (!strcmp(in[a], in[b]) || !strcmp(qn[a], qn[b])))
                return ww_err(err, errlen, "iio: channel '%s' is listed twice",
                              !strcmp(in[a], in[b]) ? in[a] : qn[a]);
        }
    return ni;
}

struct iqlink *iqlink_open(const struct iqlink_opts *o, struct loop *l, const struct iqlink_cb *cb,
                           void *ctx, char *err, size_t errlen)
{
    if (!l) {
        ww_err(err, errlen, "internal: iio sensor without an event loop");
        return NULL;
    }
    struct iqlink *k = calloc(1, sizeof *k);
    if (!k) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    k->o = *o;
    ww_strlcpy(k->ctx_uri, o->ctx_uri, sizeof k->ctx_uri);
    ww_strlcpy(k->device, o->device, sizeof k->device);
    ww_strlcpy(k->ich, o->ich ? o->ich : "voltage0", sizeof k->ich);
    ww_strlcpy(k->qch, o->qch ? o->qch : "voltage1", sizeof k->qch);
    int np = iqlink_points(k->ich, k->qch, k->iname, k->qname, err, errlen);
    if (np < 0) {
        free(k);
        return NULL;
    }
    k->np = (unsigned)np;
    if (k->o.reconnect_min_s <= 0)
        k->o.reconnect_min_s = 1;
    if (k->o.reconnect_max_s < k->o.reconnect_min_s)
        k->o.reconnect_max_s = 30;
    if (k->o.no_signal_s <= 0)
        k->o.no_signal_s = 10;
    k->backoff_s = k->o.reconnect_min_s;
    k->loop = l;
    k->cb = *cb;
    k->cbctx = ctx;
    k->pollfd = k->efd = k->watch_timer = k->retry_timer = -1;
    k->threaded = strncmp(k->ctx_uri, "local:", 6) != 0;
    if (!k->threaded) {
        if (local_connect(k, err, errlen) < 0)
            goto fail;
    } else {
        pthread_mutex_init(&k->mu, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_cond_init(&k->cv, &ca);
        pthread_condattr_destroy(&ca);
        k->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (k->efd < 0 || loop_add_fd(l, k->efd, LOOP_READ, on_efd, k) < 0) {
            ww_err(err, errlen, "cannot set up the I/Q hand-over (eventfd)");
            goto fail;
        }
        /* The reader thread must not take the loop's signals. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int rc = pthread_create(&k->thread, NULL, reader_main, k);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc != 0) {
            ww_err(err, errlen, "cannot start the I/Q reader thread: %s", strerror(rc));
            goto fail;
        }
        k->thread_started = true;
    }
    k->watch_timer = loop_add_timer(l, 1000, true, on_watch, k);
    if (k->watch_timer < 0) {
        ww_err(err, errlen, "too many timers for another sensor");
        goto fail;
    }
    return k;
fail:
    iqlink_close(k);
    return NULL;
}

void iqlink_close(struct iqlink *k)
{
    if (!k)
        return;
    if (k->watch_timer >= 0)
        loop_del_timer(k->loop, k->watch_timer);
    if (k->retry_timer >= 0)
        loop_del_timer(k->loop, k->retry_timer);
    if (k->threaded) {
        if (k->thread_started) {
            pthread_mutex_lock(&k->mu);
            atomic_store(&k->stop, true);
            if (k->busy)
                conn_cancel(k->busy);
            pthread_cond_broadcast(&k->cv);
            pthread_mutex_unlock(&k->mu);
            pthread_join(k->thread, NULL);
        }
        if (k->efd >= 0) {
            loop_del_fd(k->loop, k->efd);
            close(k->efd);
        }
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
    } else if (k->open) {
        if (k->pollfd >= 0)
            loop_del_fd(k->loop, k->pollfd);
        conn_close(&k->c);
    }
    free(k);
}

void iqlink_stats(const struct iqlink *k, struct iqlink_stats *out)
{
    *out = k->st;
}
