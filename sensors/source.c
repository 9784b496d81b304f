/*
 * source — transports (serial, capture file, recording) under the protocol
 * drivers, with disconnect/no-signal handling (see source.h).
 *
 * Each transport is a const table of functions chosen from the URI
 * (pick_transport): prepare (optional: may rewrite the URI before the driver
 * is chosen, as a recording names its own driver), open, close, and pump for
 * transports that are pumped rather than polled.
 *
 * A stream is either bytes, decoded by a protocol driver, or raw I/Q,
 * turned into readings by wardwatch's DSP (sensors/dsp.c): the iio
 * transport (libiio through sensors/iqlink.c) and recordings of iio sensors
 * deliver I/Q. For I/Q the stream time is the sample count over the
 * sampling rate, continued across reconnects and loops of a recording.
 */
#include "source.h"

#include "dsp.h"
#include "iqlink.h"
#include "recording.h"
#include "serial.h"
#include "uri.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct source;

struct source_transport {
    const char *name;
    int (*prepare)(struct source *s, char *err, size_t errlen); /* may be NULL */
    int (*open)(struct source *s, char *err, size_t errlen);
    void (*close)(struct source *s);
    int (*pump)(struct source *s, double until_s, char *err, size_t errlen); /* NULL: polled */
};

struct source {
    const struct source_transport *t;
    struct sensor_uri uri;
    const struct sensor_driver *drv;
    void *drv_state;
    struct source_cb cb;
    void *ctx;
    struct source_opts opts;
    struct loop *loop;
    char describe[2200];
    double time;
    bool ended;
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
    /* I/Q streams (iio sensors and their recordings) */
    bool iq;
    struct dsp *dsp;
    unsigned np;              /* range points (I/Q pairs) per frame */
    struct dsp_multi *dspm;   /* instead of dsp when np > 1 */
    double fs, wavelength_mm;
    uint64_t iq_samples;   /* since the DSP was last reset */
    double iq_base;        /* stream time at that reset */
    struct iqlink *link;
    bool link_down;
    struct dsp_stats iq_total; /* counters of the DSP before its last reset */
};

/* Driver callback: pass readings on, shifted by the loop offset for
 * looping recordings. */
static void emit_reading(void *ctx, const struct reading *r)
{
    struct source *s = ctx;
    double off = s->iq ? s->iq_base : s->loop_offset;
    if (off != 0) {
        struct reading c = *r;
        c.t += off;
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
    s->drv->feed(s->drv_state, buf, n, emit_reading, s);
}

/* I/Q samples into the DSP (and to the recorder). */
static void deliver_iq(struct source *s, const float *i, const float *q, size_t n)
{
    if (s->dspm) {
        dsp_multi_feed(s->dspm, i, q, n, emit_reading, s);
    } else {
        if (s->cb.iq)
            s->cb.iq(s->ctx, i, q, n);
        dsp_feed(s->dsp, i, q, n, emit_reading, s);
    }
    s->iq_samples += n;
    s->time = s->iq_base + (double)s->iq_samples / s->fs;
}

/* a += b, counter by counter. */
static void add_dsp_stats(struct dsp_stats *a, const struct dsp_stats *b)
{
    a->samples += b->samples;
    a->invalid += b->invalid;
    a->seconds += b->seconds;
    a->bad_seconds += b->bad_seconds;
    a->motion_seconds += b->motion_seconds;
    a->absent_seconds += b->absent_seconds;
    a->rr_readings += b->rr_readings;
    a->hr_readings += b->hr_readings;
    a->ellipse_fits += b->ellipse_fits;
    a->circle_fits += b->circle_fits;
}

/* A DSP for fs and the wavelength; an existing one is reset when they have
 * not changed, so warm-up starts over as after any gap in the signal. */
static int iq_setup(struct source *s, double fs, double wl, char *err, size_t errlen)
{
    s->iq_base = s->time;
    s->iq_samples = 0;
    if (s->dsp || s->dspm) {
        struct dsp_stats d;
        if (s->dspm)
            dsp_multi_stats(s->dspm, &d);
        else
            dsp_stats(s->dsp, &d);
        add_dsp_stats(&s->iq_total, &d);
    }
    if ((s->dsp || s->dspm) && s->fs == fs && s->wavelength_mm == wl) {
        if (s->dspm)
            dsp_multi_reset(s->dspm);
        else
            dsp_reset(s->dsp);
        return 0;
    }
    dsp_close(s->dsp);
    dsp_multi_close(s->dspm);
    s->dsp = NULL;
    s->dspm = NULL;
    s->fs = fs;
    s->wavelength_mm = wl;
    if (s->np > 1) {
        s->dspm = dsp_multi_open(s->np, fs, wl, NULL, err, errlen);
        return s->dspm ? 0 : -1;
    }
    s->dsp = dsp_open(fs, wl, NULL, err, errlen);
    return s->dsp ? 0 : -1;
}

/* Report a status change. */
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
    if (s->retry_timer < 0)
        status(s, SRC_DISCONNECTED, "no reconnect can be scheduled (out of memory)");
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
    if (s->retry_timer < 0)
        status(s, SRC_DISCONNECTED, "no reconnect can be scheduled (out of memory)");
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

/* Serial transport: open the port and start the no-signal watchdog. */
static int serial_t_open(struct source *s, char *err, size_t errlen)
{
    if (!s->loop)
        return ww_err(err, errlen, "internal: serial source without an event loop");
    if (serial_connect(s, err, errlen) < 0) {
        if (!s->opts.retry_absent)
            return -1;
        /* Absent now: a technical alarm for the bed and the reconnect
         * timer, as after an unplug (never a bed left unmonitored until
         * the next restart). */
        snprintf(s->describe, sizeof s->describe, "%s", s->uri.address);
        status(s, SRC_DISCONNECTED, err);
        s->retry_timer = loop_add_timer(s->loop, (int64_t)s->backoff_s * 1000, false, on_retry, s);
        if (s->retry_timer < 0)
            return ww_err(err, errlen, "too many timers for another sensor");
    }
    s->watch_timer = loop_add_timer(s->loop, 1000, true, on_watch, s);
    if (s->watch_timer < 0)
        return ww_err(err, errlen, "too many timers for another sensor");
    return 0;
}

/* Serial transport: close the port, stop retrying and watching. */
static void serial_t_close(struct source *s)
{
    if (s->port) {
        if (s->loop)
            loop_del_fd(s->loop, serial_fd(s->port));
        serial_close(s->port);
        s->port = NULL;
    }
    if (s->loop && s->retry_timer >= 0)
        loop_del_timer(s->loop, s->retry_timer);
    if (s->loop && s->watch_timer >= 0)
        loop_del_timer(s->loop, s->watch_timer);
    s->retry_timer = s->watch_timer = -1;
}

/* File transport: open a raw capture; its pace is the driver's line rate. */
static int file_t_open(struct source *s, char *err, size_t errlen)
{
    /* Never blocks: a FIFO without a writer, /dev/zero or a directory is
     * refused here (the bed's technical alarm), not waited on. */
    s->f = ww_fopen_regular(s->uri.address, err, errlen);
    if (!s->f)
        return -1;
    const char *pace = uri_param(&s->uri, "pace");
    s->realtime = pace && !strcmp(pace, "realtime");
    const char *b = uri_param(&s->uri, "baud");
    long baud = s->drv->default_baud;
    if (b)
        ww_parse_long(b, 1200, 4000000, &baud);
    s->bytes_per_s = baud / 10.0; /* 8N1: ten bits a byte */
    snprintf(s->describe, sizeof s->describe, "capture %s", s->uri.address);
    return 0;
}

/* File transport: close. */
static void file_t_close(struct source *s)
{
    if (s->f)
        fclose(s->f);
    s->f = NULL;
}

/* Stream time of a capture after its bytes so far: the protocol's own clock
 * when it carries one (TI frame numbers), else the bytes at the line rate.
 * Never runs backwards. */
static void file_time(struct source *s)
{
    double t;
    if (s->drv->clock) {
        if (!s->drv->clock(s->drv_state, &t))
            return; /* no frame yet: still at 0 */
    } else {
        t = (double)s->bytes_read / s->bytes_per_s;
    }
    if (t > s->time)
        s->time = t;
}

/* File transport: deliver the capture up to stream time until_s (all of it
 * unless pace=realtime). A capture is read in pieces of a frame or two when
 * paced and of a few frames when recorded, so each piece is timed near its
 * frames. */
static int file_t_pump(struct source *s, double until_s, char *err, size_t errlen)
{
    uint8_t buf[65536];
    size_t piece = s->realtime ? 512 : s->cb.raw ? 4096 : sizeof buf;
    for (;;) {
        size_t want = piece;
        if (s->realtime) {
            if (s->drv->clock) {
                if (s->time >= until_s)
                    return 0;
            } else {
                double allowed = until_s * s->bytes_per_s - (double)s->bytes_read;
                if (allowed < 1)
                    return 0;
                if (allowed < want)
                    want = (size_t)allowed;
            }
        }
        size_t n = fread(buf, 1, want, s->f);
        if (n > 0) {
            s->bytes_read += n;
            /* The recorder (cb.raw) stamps the piece with the time after
             * its frames are decoded: feed first, then hand on the bytes. */
            s->drv->feed(s->drv_state, buf, n, emit_reading, s);
            file_time(s);
            if (s->cb.raw)
                s->cb.raw(s->ctx, buf, n);
        }
        if (n < want) {
            if (ferror(s->f)) {
                s->ended = true;
                return ww_err(err, errlen, "%s: read error after %llu bytes", s->uri.address,
                              (unsigned long long)s->bytes_read);
            }
            s->ended = true;
            status(s, SRC_ENDED, "end of capture");
            return 1;
        }
        if (!s->realtime && s->bytes_read % (1u << 22) == 0)
            return 0; /* let the caller breathe on huge files */
    }
}

/* Replay transport, before the driver is chosen: open the recording, find
 * the stream, and take the driver and its parameters from the URI the
 * stream was recorded from. */
#define REC_DECL_SCAN 65536 /* chunks read looking for a stream's declaration */

static int replay_t_prepare(struct source *s, char *err, size_t errlen)
{
    s->rec = rec_reader_open(s->uri.address, err, errlen);
    if (!s->rec)
        return -1;
    const char *st = uri_param(&s->uri, "stream");
    long sn = 0;
    if (st && ww_parse_long(st, 0, 63, &sn) < 0)
        return ww_err(err, errlen, "%s: stream=%s: expected a number 0-63", s->uri.address, st);
    s->stream = (unsigned)sn;
    /* Read on until the stream's declaration is known, but not through a
     * whole huge file before the loop runs (SIGTERM must stop the core
     * within seconds): streams are declared before their data, so a
     * declaration not met in the first REC_DECL_SCAN chunks is missing. */
    struct rec_chunk c;
    int rc;
    long scanned = 0;
    while ((rc = rec_next(s->rec, &c, err, errlen)) == 1 && !rec_stream(s->rec, s->stream) &&
           ++scanned < REC_DECL_SCAN)
        ;
    const struct rec_stream *found = rec_stream(s->rec, s->stream);
    if (!found) {
        if (rc >= 0 && scanned >= REC_DECL_SCAN)
            ww_err(err, errlen, "%s: no stream %u declared in the first %d chunks of the recording",
                   s->uri.address, s->stream, REC_DECL_SCAN);
        else if (rc >= 0)
            ww_err(err, errlen, "%s: no stream %u in the recording", s->uri.address, s->stream);
        return -1;
    }
    s->rec_desc = *found;
    if (rec_rewind(s->rec, err, errlen) < 0)
        return -1;
    struct sensor_uri orig;
    if (uri_parse(s->rec_desc.uri, &orig, err, errlen) < 0)
        return -1;
    if (s->rec_desc.kind == REC_KIND_IQ) {
        s->iq = true;
        if (iq_setup(s, s->rec_desc.fs_hz, s->rec_desc.wavelength_mm, err, errlen) < 0)
            return ww_err(err, errlen, "%s: stream %u: %s", s->uri.address, s->stream, err);
    }
    memcpy(s->uri.driver, orig.driver, sizeof s->uri.driver);
    /* The recorded driver parameters apply to the replay. */
    s->uri.nparams = 0;
    for (size_t i = 0; i < orig.nparams; i++) {
        ww_strlcpy(s->uri.keys[i], orig.keys[i], sizeof s->uri.keys[i]);
        ww_strlcpy(s->uri.values[i], orig.values[i], sizeof s->uri.values[i]);
        s->uri.nparams++;
    }
    snprintf(s->describe, sizeof s->describe, "recording %s (%s)", s->uri.address,
             s->rec_desc.uri);
    return 0;
}

/* Replay transport: nothing more to open. */
static int replay_t_open(struct source *s, char *err, size_t errlen)
{
    return 0;
}

/* Replay transport: close the recording. */
static void replay_t_close(struct source *s)
{
    rec_reader_close(s->rec);
    s->rec = NULL;
}

/* An I/Q chunk (f32 I, f32 Q pairs, little-endian) into the DSP. */
static void replay_iq(struct source *s, const uint8_t *p, size_t len)
{
    float bi[1024], bq[1024];
    size_t n = len / 8, k = 0;
    while (k < n) {
        size_t m = n - k < 1024 ? n - k : 1024;
        rec_unpack_iq(p + k * 8, m, bi, bq);
        deliver_iq(s, bi, bq, m);
        k += m;
    }
}

/* Replay transport: chunks of our stream up to stream time until_s (with
 * the loop offset when looping). */
static int replay_t_pump(struct source *s, double until_s, char *err, size_t errlen)
{
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
                    /* Parser or DSP state starts over as a sensor restarting
                     * would. */
                    if (s->iq) {
                        iq_setup(s, s->fs, s->wavelength_mm, err, errlen);
                    } else {
                        struct sensor_param params[URI_MAX_PARAMS];
                        size_t np = uri_driver_params(&s->uri, params, URI_MAX_PARAMS);
                        s->drv->init(s->drv_state, params, np, err, errlen);
                    }
                    /* Said as a sensor restart is: what came before the
                     * loop says nothing of the stream that follows (no
                     * breath-hold counted across it). */
                    status(s, SRC_CONNECTED, "recording starts over");
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
        if (c->stream != s->stream)
            continue;
        if (!s->iq)
            s->time = t + s->loop_offset;
        if (c->type == REC_BYTES && !s->iq) {
            deliver(s, c->data, c->len);
        } else if (c->type == REC_IQ && s->iq) {
            replay_iq(s, c->data, c->len);
        } else if (c->type == REC_EVENT && c->len >= 2) {
            if (c->data[0] == REC_EV_DISCONNECT)
                status(s, SRC_DISCONNECTED, (const char *)c->data + 1);
            else if (c->data[0] == REC_EV_CONNECT)
                status(s, SRC_CONNECTED, (const char *)c->data + 1);
        }
    }
}

/* iio transport: the link (re)connected with the stream's parameters. */
static void iio_connected(void *ctx, double fs, double wl, const char *detail)
{
    struct source *s = ctx;
    char err[256];
    ww_strlcpy(s->describe, detail, sizeof s->describe);
    if (iq_setup(s, fs, wl, err, sizeof err) < 0) {
        s->link_down = true;
        status(s, SRC_DISCONNECTED, err);
    }
}

/* iio transport: samples flow (again). */
static void iio_ready(void *ctx)
{
    struct source *s = ctx;
    s->link_down = false;
    status(s, SRC_CONNECTED, s->describe);
}

/* iio transport: samples. */
static void iio_samples(void *ctx, const float *i, const float *q, size_t n)
{
    struct source *s = ctx;
    if (s->dsp || s->dspm)
        deliver_iq(s, i, q, n);
}

/* iio transport: the stream stopped (the link reconnects by itself). */
static void iio_lost(void *ctx, bool no_signal, const char *why)
{
    struct source *s = ctx;
    s->link_down = true;
    status(s, no_signal ? SRC_NO_SIGNAL : SRC_DISCONNECTED, why);
}

/* iio transport, before the driver is chosen: there is none, the DSP
 * decodes. */
static int iio_t_prepare(struct source *s, char *err, size_t errlen)
{
    s->iq = true;
    int np = iqlink_points(uri_param(&s->uri, "i"), uri_param(&s->uri, "q"), NULL, NULL, err,
                           errlen);
    if (np < 0)
        return -1;
    s->np = (unsigned)np;
    if (s->np > 1 && s->cb.iq)
        return ww_err(err, errlen,
                      "%s: recording the I/Q of %u range points is not supported; record one "
                      "pair (i=CH&q=CH)",
                      s->uri.address, s->np);
    if (s->np > 1)
        snprintf(s->describe, sizeof s->describe, "%s %s (%u range points)", s->uri.address,
                 uri_param(&s->uri, "device"), s->np);
    else
        snprintf(s->describe, sizeof s->describe, "%s %s", s->uri.address,
                 uri_param(&s->uri, "device"));
    return 0;
}

/* iio transport: start the link (a local context opens now). */
static int iio_t_open(struct source *s, char *err, size_t errlen)
{
    struct iqlink_opts o = {
        .ctx_uri = s->uri.address,
        .device = uri_param(&s->uri, "device"),
        .ich = uri_param(&s->uri, "i"),
        .qch = uri_param(&s->uri, "q"),
        .no_signal_s = s->opts.no_signal_s,
        .reconnect_min_s = s->opts.reconnect_min_s,
        .reconnect_max_s = s->opts.reconnect_max_s,
    };
    const char *v;
    long l;
    if ((v = uri_param(&s->uri, "fs")))
        ww_parse_double(v, 1, 1e7, &o.fs_hz);
    if ((v = uri_param(&s->uri, "wavelength_mm")))
        ww_parse_double(v, 0.1, 1000, &o.wavelength_mm);
    if ((v = uri_param(&s->uri, "buffer")) && ww_parse_long(v, 16, 1 << 20, &l) == 0)
        o.buffer = l;
    struct iqlink_cb cb = {iio_connected, iio_ready, iio_samples, iio_lost};
    s->link = iqlink_open(&o, s->loop, &cb, s, err, errlen);
    return s->link ? 0 : -1;
}

/* iio transport: stop the link. */
static void iio_t_close(struct source *s)
{
    iqlink_close(s->link);
    s->link = NULL;
}

static const struct source_transport transport_serial = {"serial", NULL, serial_t_open,
                                                         serial_t_close, NULL};
static const struct source_transport transport_file = {"file", NULL, file_t_open, file_t_close,
                                                       file_t_pump};
static const struct source_transport transport_replay = {
    "replay", replay_t_prepare, replay_t_open, replay_t_close, replay_t_pump};
static const struct source_transport transport_iio = {"iio", iio_t_prepare, iio_t_open,
                                                      iio_t_close, NULL};

/* The transport for a parsed URI, or NULL with a message. */
static const struct source_transport *pick_transport(const struct sensor_uri *u, const char *text,
                                                     char *err, size_t errlen)
{
    switch (u->kind) {
    case URI_DEV:
    case URI_USB:
        return &transport_serial;
    case URI_FILE:
        return &transport_file;
    case URI_REPLAY:
        return &transport_replay;
    case URI_IIO:
        return &transport_iio;
    }
    ww_err(err, errlen, "%s: no transport for this address", text);
    return NULL;
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
    s->t = pick_transport(&s->uri, text, err, errlen);
    if (!s->t)
        goto fail;
    if (s->t->prepare && s->t->prepare(s, err, errlen) < 0)
        goto fail;
    if (s->iq)
        goto open; /* I/Q: the DSP decodes, no protocol driver */
    s->drv = driver_find(s->uri.driver);
    if (!s->drv) {
        ww_err(err, errlen, "no driver '%s'", s->uri.driver);
        goto fail;
    }
    /* The driver's state: one block for the life of the source. */
    s->drv_state = calloc(1, s->drv->state_size);
    if (!s->drv_state) {
        ww_err(err, errlen, "out of memory");
        goto fail;
    }
    struct sensor_param params[URI_MAX_PARAMS];
    size_t np = uri_driver_params(&s->uri, params, URI_MAX_PARAMS);
    if (s->drv->init(s->drv_state, params, np, err, errlen) < 0)
        goto fail;
open:
    if (s->t->open(s, err, errlen) < 0)
        goto fail;
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
    if (s->t)
        s->t->close(s);
    dsp_close(s->dsp);
    dsp_multi_close(s->dspm);
    free(s->drv_state);
    free(s);
}

/* Pumped (file, recording) rather than polled (serial)? */
bool source_pumped(const struct source *s)
{
    return s->t->pump != NULL;
}

/* Deliver stream data up to until_s. */
int source_pump(struct source *s, double until_s, char *err, size_t errlen)
{
    if (s->ended)
        return 1;
    if (!s->t->pump)
        return ww_err(err, errlen, "internal: %s sources are not pumped", s->t->name);
    return s->t->pump(s, until_s, err, errlen);
}

/* Accessor (see source.h). */
double source_time(const struct source *s)
{
    return s->time;
}

/* Accessor (see source.h). */
enum rec_clock source_clock(const struct source *s)
{
    if (s->rec)
        return s->rec_desc.clock;
    if (s->f)
        return s->drv->clock ? REC_CLOCK_STREAM : REC_CLOCK_LINE;
    return REC_CLOCK_WALL;
}

/* Accessor (see source.h). */
void source_stats(const struct source *s, struct parser_stats *out)
{
    if (s->drv) {
        s->drv->stats(s->drv_state, out);
        return;
    }
    /* I/Q: samples count as bytes of 8 (f32 I + Q), seconds as frames. */
    memset(out, 0, sizeof *out);
    if (s->dsp || s->dspm) {
        struct dsp_stats d;
        source_dsp_stats(s, &d);
        out->bytes = d.samples * 8;
        out->frames = d.seconds;
        out->readings = d.seconds;
        out->bad_frame = d.bad_seconds;
        out->dropped_bytes = d.invalid * 8;
    }
}

/* Accessor (see source.h). */
bool source_iq(const struct source *s, double *fs_hz, double *wavelength_mm)
{
    if (s->iq && fs_hz)
        *fs_hz = s->fs;
    if (s->iq && wavelength_mm)
        *wavelength_mm = s->wavelength_mm;
    return s->iq;
}

/* Accessor (see source.h). */
void source_dsp_stats(const struct source *s, struct dsp_stats *out)
{
    *out = s->iq_total;
    if (s->dsp || s->dspm) {
        struct dsp_stats d;
        if (s->dspm)
            dsp_multi_stats(s->dspm, &d);
        else
            dsp_stats(s->dsp, &d);
        add_dsp_stats(out, &d);
    }
}

/* Accessor (see source.h). */
const struct sensor_driver *source_driver(const struct source *s)
{
    return s->drv;
}

/* Accessor (see source.h). */
const char *source_describe(const struct source *s)
{
    return s->describe;
}

/* Accessor (see source.h). */
const char *source_recorded_uri(const struct source *s)
{
    return s->rec ? s->rec_desc.uri : NULL;
}

/* Accessor (see source.h). */
const char *source_recorded_label(const struct source *s)
{
    return s->rec ? s->rec_desc.label : NULL;
}
