/*
 * source — one sensor as wardwatch sees it: a URI opened onto a transport
 * (serial port, raw capture file, or a wardwatch recording) with the
 * protocol driver decoding its bytes into readings.
 *
 * Live serial sources sit in the event loop: their fd is polled; on a
 * hang-up the port is closed at once, the status callback says DISCONNECTED,
 * and a timer retries with backoff (reconnect_min_s doubling to
 * reconnect_max_s), reopening the same adapter by VID:PID:serial whatever
 * its new /dev name. A source that is silent or sends only garbage for
 * no_signal_s reports NO_SIGNAL. Capture files and recordings are pumped:
 * the caller says how far in stream time to go (source_pump), which is how
 * replays run at any speed and give the same readings.
 *
 * iio sources (raw I/Q through libiio, sensors/iqlink.h) and recordings of
 * them feed wardwatch's DSP (sensors/dsp.h) instead of a protocol driver;
 * they report the same statuses (DISCONNECTED when the context or iiod
 * goes away, NO_SIGNAL when samples stop) and reconnect by themselves.
 */
#ifndef WW_SOURCE_H
#define WW_SOURCE_H

#include "driver.h"
#include "dsp.h"
#include "loop.h"
#include "recording.h"

#include <stdbool.h>
#include <stddef.h>

enum source_status { SRC_CONNECTED, SRC_DISCONNECTED, SRC_NO_SIGNAL, SRC_ENDED };

struct source_cb {
    void (*reading)(void *ctx, const struct reading *r);
    void (*status)(void *ctx, enum source_status s, const char *detail);
    void (*raw)(void *ctx, const uint8_t *buf, size_t n); /* bytes as read (recording) */
    /* I/Q samples as read (recording); NULL when not wanted. */
    void (*iq)(void *ctx, const float *i, const float *q, size_t n);
};

struct source_opts {
    int no_signal_s;
    int reconnect_min_s, reconnect_max_s;
    bool loop_recording; /* rewind a recording at its end (demo) */
    /* Serial: a port that cannot be opened now (unplugged while the ward
     * started, a node not yet created) is reported DISCONNECTED and retried
     * with the reconnect backoff, as an unplugged one is, instead of failing
     * the open. The monitoring core sets it; probe and record do not. */
    bool retry_absent;
};

struct source;

/* Open uri. Serial sources register with l (required for them). */
struct source *source_open(const char *uri, const struct source_opts *opts, struct loop *l,
                           const struct source_cb *cb, void *ctx, char *err, size_t errlen);
void source_close(struct source *s);
/* Pumped sources (files, recordings): deliver everything up to stream time
 * until_s; returns 1 when the stream has ended, 0 otherwise, -1 on damage
 * (the message names the offset; what came before was delivered). */
bool source_pumped(const struct source *s);
int source_pump(struct source *s, double until_s, char *err, size_t errlen);
/* Stream time of the data delivered so far: for a capture file, the
 * protocol's own clock when it has one (TI frame numbers), else its bytes
 * at the line rate; for a recording, the chunks' times. */
double source_time(const struct source *s);
/* The clock source_time follows (what a recording of this source says):
 * STREAM or LINE for captures, the recorded one for replays, WALL for live
 * sensors (their bytes and samples are recorded as they arrive). */
enum rec_clock source_clock(const struct source *s);
/* Decode counters; for I/Q streams bytes = 8 per sample, frames = seconds. */
void source_stats(const struct source *s, struct parser_stats *out);
/* The protocol driver; NULL for I/Q streams. */
const struct sensor_driver *source_driver(const struct source *s);
/* True for an I/Q stream, with its sampling rate and wavelength (known once
 * connected: 0 before). */
bool source_iq(const struct source *s, double *fs_hz, double *wavelength_mm);
void source_dsp_stats(const struct source *s, struct dsp_stats *out);
const char *source_describe(const struct source *s); /* e.g. "/dev/ttyUSB0" */
/* The recording's stream description (label, original URI) for replay:, or NULL. */
const char *source_recorded_uri(const struct source *s);
const char *source_recorded_label(const struct source *s);

#endif
