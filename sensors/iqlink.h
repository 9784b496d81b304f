/*
 * iqlink — the I/Q sample stream of one libiio radar front-end, delivered on
 * the event-loop thread. Every libiio call in wardwatch is in iqlink.c (the
 * libiio 1.0 buffer API is different; only that file changes with it).
 *
 * Two modes, chosen by the context URI:
 *   local:    the buffer is non-blocking and its poll fd sits in the loop;
 *             refills happen on the loop thread when the fd is readable.
 *   anything else (ip:, usb:, serial:): libiio 0.24 has no poll fd there, so
 *             one reader thread per sensor connects, does blocking refills
 *             bounded by the context timeout, converts the samples to float
 *             and hands fixed-size blocks to the loop through a ring of
 *             slots and an eventfd. The thread does libiio I/O and nothing
 *             else; the callbacks below always run on the loop thread.
 *
 * Failures: a refill error (-EPIPE when iiod goes away, -ETIMEDOUT when the
 * network is pulled, EOF of the device), a connect that fails, or no samples
 * for no_signal_s seconds (the watchdog) tear the context down, call lost()
 * once, and reconnect with backoff (reconnect_min_s doubling to
 * reconnect_max_s) until it works; after a reconnect connected() comes again
 * before the first samples. ready() says that samples flow again.
 *
 * Range points: i= and q= may each be a comma-separated list of the same
 * length (1 .. IQLINK_MAX_POINTS); point p is the pair (i[p], q[p]), e.g. one
 * pair per range bin of an FMCW or pulsed front-end. samples() then gets
 * n frames of np points each, interleaved: point p of frame k is
 * i[k * np + p] + j q[k * np + p].
 *
 * Samples: channels i and q (default voltage0, voltage1) converted with
 * iio_channel_convert (sign, shift, endianness; the scale is irrelevant to
 * the DSP and not applied). Sampling rate from the URI's fs= or else the
 * device's (or the I channel's) sampling_frequency attribute; carrier
 * wavelength from wavelength_mm= or else an altvoltage output channel's
 * frequency attribute (c / f), else 12.4 mm (24 GHz, the common CW Doppler
 * front-end) — the source's description says which.
 */
#ifndef WW_IQLINK_H
#define WW_IQLINK_H

#include "loop.h"

#include <stdbool.h>
#include <stddef.h>

#define IQLINK_MAX_POINTS 32

struct iqlink_opts {
    const char *ctx_uri;   /* libiio URI: local:, ip:HOST[:PORT], usb:..., serial:... */
    const char *device;    /* device name, label or id */
    const char *ich, *qch; /* channel ids or comma lists (NULL: voltage0 / voltage1) */
    double fs_hz;          /* 0: from the device */
    double wavelength_mm;  /* 0: from the device, else 12.4 */
    long buffer;           /* samples per refill (0: fs / 10, 64 .. 65536) */
    int no_signal_s;       /* watchdog */
    int reconnect_min_s, reconnect_max_s;
};

struct iqlink_cb {
    /* (Re)connected: the stream's parameters; detail says where from. */
    void (*connected)(void *ctx, double fs_hz, double wavelength_mm, const char *detail);
    /* The first samples after a (re)connect arrived. */
    void (*ready)(void *ctx);
    /* n frames: i[k * np + p] + j q[k * np + p] (np = iqlink_points(); 1 for one pair). */
    void (*samples)(void *ctx, const float *i, const float *q, size_t n);
    /* The stream stopped; no_signal is true when the watchdog found it silent. */
    void (*lost)(void *ctx, bool no_signal, const char *why);
};

struct iqlink;

/* Check the i=/q= channel lists (NULL: voltage0 / voltage1): the number of
 * range points, or -1 with a message naming the problem (unequal lengths,
 * an empty or repeated name, a channel used as both I and Q, more than
 * IQLINK_MAX_POINTS). iname/qname (IQLINK_MAX_POINTS entries, may be NULL)
 * get the names. */
int iqlink_points(const char *ich, const char *qch, char iname[][64], char qname[][64], char *err,
                  size_t errlen);

/* Start the link. A local context is opened at once and a failure is
 * returned as an error; a remote one connects in its thread and reports a
 * failure through lost() (and keeps retrying). */
struct iqlink *iqlink_open(const struct iqlink_opts *o, struct loop *l, const struct iqlink_cb *cb,
                           void *ctx, char *err, size_t errlen);
/* Stop the thread (cancelling a blocking refill), close everything. */
void iqlink_close(struct iqlink *k);
/* Counters. */
struct iqlink_stats {
    unsigned long long samples, blocks, reconnects, errors;
};
void iqlink_stats(const struct iqlink *k, struct iqlink_stats *out);

#endif
