/*
 * source — transports (serial, capture file, recording) under the protocol
 * drivers, with disconnect/no-signal handling (see source.h).
 */
#include "source.h"

#include "recording.h"
#include "serial.h"
#include "uri.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum src_kind { K_FILE, K_SERIAL, K_REPLAY };

struct source {
    enum src_kind kind;
    struct sensor_uri uri;
    const struct sensor_driver *drv;
    void *drv_state;
    struct source_cb cb;
    void *ctx;
    struct source_opts opts;
    struct loop *loop;
    char describe[1200];
    /* file */
    FILE *f;
    bool realtime;
    double bytes_per_s;
    uint64_t bytes_read;
    /* serial */
    struct serial_port *port;
    int backoff_s;
    int retry_timer, watch_timer;
    int64_t last_good_ms;
    uint64_t frames_seen;
    bool no_signal;
    /* replay */
    struct rec_reader *rec;
    struct rec_stream rec_desc; /* the replayed stream's declaration */
    unsigned stream;
    double loop_offset, last_chunk_t;
    bool have_pending;
    struct rec_chunk pending;
    double time;
    bool ended;
};

/* Driver callback: pass readings on, shifted by the loop offset for
 * looping recordings. */
static void on_reading(void *ctx, const struct reading *r)
{
    struct source *s = ctx;
    if (s->loop_offset != 0) {
        struct reading c = *r;
        c.t += s->loop_offset;
        s->cb.reading(s->ctx, &c);
    } else {
        s->cb.reading(s->ctx, r);
    }
}

/* Bytes into the driver. */
static void deliver(struct source *s, const uint8_t *buf, size_t n)
{
    if (s->cb.raw)
        s->cb.raw(s->ctx, buf, n);
    s->drv->feed(s->drv_state, buf, n, on_reading, s);
}

static void status(struct source *s, enum source_status st, const char *detail)
{
    if (s->cb.status)
        s->cb.status(s->ctx, st, detail);
}

static int serial_connect(struct source *s, char *err, size_t errlen);

/* Reconnect attempt. */
static void on_retry(struct loop *l, int id, void *ctx)
{
    struct source *s = ctx;
    char err[256];
    s->retry_timer = -1;
    if (serial_connect(s, err, sizeof err) == 0) {
        s->backoff_s = s->opts.reconnect_min_s;
        status(s, SRC_CONNECTED, serial_name(s->port));
        return;
    }
    s->backoff_s = s->backoff_s * 2 > s->opts.reconnect_max_s ? s->opts.reconnect_max_s
                                                              : s->backoff_s * 2;
    s->retry_timer = loop_add_timer(l, (int64_t)s->backoff_s * 1000, false, on_retry, s);
}

/* Close the port at once and schedule reconnection. */
static void serial_lost(struct source *s, const char *why)
{
    loop_del_fd(s->loop, serial_fd(s->port));
    serial_close(s->port);
    s->port = NULL;
    status(s, SRC_DISCONNECTED, why);
    if (s->retry_timer < 0)
        s->retry_timer =
            loop_add_timer(s->loop, (int64_t)s->backoff_s * 1000, false, on_retry, s);
}

/* Readable serial fd. */
static void on_serial(struct loop *l, int fd, int ev, void *ctx)
{
    struct source *s = ctx;
    uint8_t buf[8192];
    for (int i = 0; i < 16; i++) {
        ssize_t n = serial_read(s->port, buf, sizeof buf);
        if (n < 0) {
            serial_lost(s, "the port hung up (unplugged?)");
            return;
        }
        if (n == 0)
            break;
        deliver(s, buf, (size_t)n);
    }
    struct parser_stats ps;
    s->drv->stats(s->drv_state, &ps);
    if (ps.frames != s->frames_seen) {
        s->frames_seen = ps.frames;
        s->last_good_ms = ww_mono_ms();
        if (s->no_signal) {
            s->no_signal = false;
            status(s, SRC_CONNECTED, "valid frames again");
        }
    }
}

/* No-signal watchdog. */
static void on_watch(struct loop *l, int id, void *ctx)
{
    struct source *s = ctx;
    if (s->port && !s->no_signal &&
        ww_mono_ms() - s->last_good_ms > (int64_t)s->opts.no_signal_s * 1000) {
        s->no_signal = true;
        status(s, SRC_NO_SIGNAL, "no valid frame received");
    }
}

/* Open the port named by the URI. */
static int serial_connect(struct source *s, char *err, size_t errlen)
{
    const char *b = uri_param(&s->uri, "baud");
    long baud = s->drv->default_baud;
    if (b)
        ww_parse_long(b, 1200, 4000000, &baud);
    if (s->uri.kind == URI_USB)
        s->port = serial_open(NULL, (int)s->uri.vid, (int)s->uri.pid, s->uri.serial, (int)baud, err,
                              errlen);
    else
        s->port = serial_open(s->uri.address, -1, -1, NULL, (int)baud, err, errlen);
    if (!s->port)
        return -1;
    if (loop_add_fd(s->loop, serial_fd(s->port), LOOP_READ, on_serial, s) < 0) {
        serial_close(s->port);
        s->port = NULL;
        return ww_err(err, errlen, "too many open sensors");
    }
    s->last_good_ms = ww_mono_ms();
    s->no_signal = false;
    snprintf(s->describe, sizeof s->describe, "%s at %ld baud", serial_name(s->port), baud);
    return 0;
}

/* Open a source. */
struct source *source_open(const char *text, const struct source_opts *opts, struct loop *l,
                           const struct source_cb *cb, void *ctx, char *err, size_t errlen)
{
    struct source *s = calloc(1, sizeof *s);
    if (!s) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    s->cb = *cb;
    s->ctx = ctx;
    s->opts = *opts;
    if (s->opts.reconnect_min_s <= 0)
        s->opts.reconnect_min_s = 1;
    if (s->opts.reconnect_max_s < s->opts.reconnect_min_s)
        s->opts.reconnect_max_s = 30;
    if (s->opts.no_signal_s <= 0)
        s->opts.no_signal_s = 30;
    s->backoff_s = s->opts.reconnect_min_s;
    s->loop = l;
    s->retry_timer = s->watch_timer = -1;
    if (uri_parse(text, &s->uri, err, errlen) < 0)
        goto fail;
    const char *driver = s->uri.driver;
    if (s->uri.kind == URI_REPLAY) {
        s->kind = K_REPLAY;
        s->rec = rec_reader_open(s->uri.address, err, errlen);
        if (!s->rec)
            goto fail;
        const char *st = uri_param(&s->uri, "stream");
        long sn = 0;
        if (st)
            ww_parse_long(st, 0, 63, &sn);
        s->stream = (unsigned)sn;
        /* Find the stream declaration to learn the driver. */
        struct rec_chunk c;
        int rc;
        while ((rc = rec_next(s->rec, &c, err, errlen)) == 1 && !rec_stream(s->rec, s->stream))
            ;
        const struct rec_stream *found = rec_stream(s->rec, s->stream);
        struct rec_stream copy;
        const struct rec_stream *rs = found ? (copy = *found, &copy) : NULL;
        if (found)
            s->rec_desc = *found;
        if (!rs) {
            if (rc >= 0)
                ww_err(err, errlen, "%s: no stream %u in the recording", s->uri.address,
                       s->stream);
            goto fail;
        }
        if (rec_rewind(s->rec, err, errlen) < 0)
            goto fail;
        struct sensor_uri orig;
        if (uri_parse(rs->uri, &orig, err, errlen) < 0)
            goto fail;
        if (rs->kind != REC_KIND_BYTES) {
            ww_err(err, errlen,
                   "%s: stream %u holds raw I/Q; the I/Q DSP is not in this build", s->uri.address,
                   s->stream);
            goto fail;
        }
        s->uri.nparams = 0;
        memcpy(s->uri.driver, orig.driver, sizeof s->uri.driver);
        /* The recorded driver parameters apply to the replay. */
        for (size_t i = 0; i < orig.nparams; i++) {
            ww_strlcpy(s->uri.keys[i], orig.keys[i], sizeof s->uri.keys[i]);
            ww_strlcpy(s->uri.values[i], orig.values[i], sizeof s->uri.values[i]);
            s->uri.nparams++;
        }
        driver = s->uri.driver;
        snprintf(s->describe, sizeof s->describe, "recording %s (%s)", s->uri.address, rs->uri);
    } else if (!strcmp(driver, "iio")) {
        ww_err(err, errlen, "%s: raw I/Q sensors need the I/Q DSP, which is not in this build",
               text);
        goto fail;
    }
    s->drv = driver_find(driver);
    if (!s->drv) {
        ww_err(err, errlen, "no driver '%s'", driver);
        goto fail;
    }
    s->drv_state = calloc(1, s->drv->state_size);
    struct sensor_param params[URI_MAX_PARAMS];
    size_t np = uri_driver_params(&s->uri, params, URI_MAX_PARAMS);
    if (!s->drv_state || s->drv->init(s->drv_state, params, np, err, errlen) < 0)
        goto fail;
    if (s->kind == K_REPLAY)
        return s;
    if (s->uri.kind == URI_FILE) {
        s->kind = K_FILE;
        s->f = fopen(s->uri.address, "rb");
        if (!s->f) {
            ww_err(err, errlen, "%s: %s", s->uri.address, strerror(errno));
            goto fail;
        }
        const char *pace = uri_param(&s->uri, "pace");
        s->realtime = pace && !strcmp(pace, "realtime");
        const char *b = uri_param(&s->uri, "baud");
        long baud = s->drv->default_baud;
        if (b)
            ww_parse_long(b, 1200, 4000000, &baud);
        s->bytes_per_s = baud / 10.0;
        snprintf(s->describe, sizeof s->describe, "capture %s", s->uri.address);
        return s;
    }
    s->kind = K_SERIAL;
    if (!l) {
        ww_err(err, errlen, "internal: serial source without an event loop");
        goto fail;
    }
    if (serial_connect(s, err, errlen) < 0)
        goto fail;
    s->watch_timer = loop_add_timer(l, 1000, true, on_watch, s);
    return s;
fail:
    source_close(s);
    return NULL;
}

/* Close and free. */
void source_close(struct source *s)
{
    if (!s)
        return;
    if (s->port) {
        if (s->loop)
            loop_del_fd(s->loop, serial_fd(s->port));
        serial_close(s->port);
    }
    if (s->loop && s->retry_timer >= 0)
        loop_del_timer(s->loop, s->retry_timer);
    if (s->loop && s->watch_timer >= 0)
        loop_del_timer(s->loop, s->watch_timer);
    if (s->f)
        fclose(s->f);
    rec_reader_close(s->rec);
    free(s->drv_state);
    free(s);
}

bool source_pumped(const struct source *s)
{
    return s->kind != K_SERIAL;
}

/* Deliver stream data up to until_s. */
int source_pump(struct source *s, double until_s, char *err, size_t errlen)
{
    if (s->ended)
        return 1;
    if (s->kind == K_FILE) {
        uint8_t buf[65536];
        for (;;) {
            size_t want = sizeof buf;
            if (s->realtime) {
                double allowed = until_s * s->bytes_per_s - (double)s->bytes_read;
                if (allowed < 1)
                    return 0;
                if (allowed < want)
                    want = (size_t)allowed;
            }
            size_t n = fread(buf, 1, want, s->f);
            if (n > 0) {
                /* Stream time of a capture: its bytes at the line rate. */
                s->bytes_read += n;
                s->time = (double)s->bytes_read / s->bytes_per_s;
                deliver(s, buf, n);
            }
            if (n < want) {
                s->ended = true;
                status(s, SRC_ENDED, "end of capture");
                return 1;
            }
            if (!s->realtime && s->bytes_read % (1u << 22) == 0)
                return 0; /* let the caller breathe on huge files */
        }
    }
    /* Recording: chunks of our stream up to until_s (stream time, with the
     * loop offset when looping). */
    for (;;) {
        if (!s->have_pending) {
            int rc = rec_next(s->rec, &s->pending, err, errlen);
            if (rc < 0) {
                s->ended = true;
                return -1;
            }
            if (rc == 0) {
                if (s->opts.loop_recording && s->last_chunk_t > 0) {
                    s->loop_offset += s->last_chunk_t + 1.0;
                    if (rec_rewind(s->rec, err, errlen) < 0)
                        return -1;
                    /* Parser state starts over as a sensor restarting would. */
                    struct sensor_param params[URI_MAX_PARAMS];
                    size_t np = uri_driver_params(&s->uri, params, URI_MAX_PARAMS);
                    s->drv->init(s->drv_state, params, np, err, errlen);
                    continue;
                }
                s->ended = true;
                status(s, SRC_ENDED, "end of recording");
                return 1;
            }
            s->have_pending = true;
        }
        struct rec_chunk *c = &s->pending;
        double t = (double)c->t_us / 1e6;
        if (t + s->loop_offset > until_s)
            return 0;
        s->have_pending = false;
        s->last_chunk_t = t;
        s->time = t + s->loop_offset;
        if (c->stream != s->stream)
            continue;
        if (c->type == REC_BYTES) {
            deliver(s, c->data, c->len);
        } else if (c->type == REC_EVENT && c->len >= 2) {
            if (c->data[0] == REC_EV_DISCONNECT)
                status(s, SRC_DISCONNECTED, (const char *)c->data + 1);
            else if (c->data[0] == REC_EV_CONNECT)
                status(s, SRC_CONNECTED, (const char *)c->data + 1);
        }
    }
}

double source_time(const struct source *s)
{
    return s->time;
}

void source_stats(const struct source *s, struct parser_stats *out)
{
    s->drv->stats(s->drv_state, out);
}

const struct sensor_driver *source_driver(const struct source *s)
{
    return s->drv;
}

const char *source_describe(const struct source *s)
{
    return s->describe;
}

const char *source_recorded_uri(const struct source *s)
{
    return s->rec ? s->rec_desc.uri : NULL;
}

const char *source_recorded_label(const struct source *s)
{
    return s->rec ? s->rec_desc.label : NULL;
}
