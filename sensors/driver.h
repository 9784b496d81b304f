/*
 * driver — the plug-in interface of the byte-stream protocol parsers
 * (ti-vs, mr60bha2, mr60bha1). A driver is a const table of functions over a
 * caller-provided state block of state_size bytes: no allocation, no I/O, no
 * clock. Feed it bytes in any chunking; it calls back once per reading with
 * the time taken from the stream.
 *
 * Transports (serial port, capture file, recording) own the bytes; drivers
 * own the framing. The transport-level URI keys (baud, pace) are consumed by
 * the transport and never reach a driver's init.
 */
#ifndef WW_DRIVER_H
#define WW_DRIVER_H

#include "reading.h"

#include <stddef.h>
#include <stdint.h>

/* One key=value from a sensor URI's query string. */
struct sensor_param {
    const char *key;
    const char *value;
};

/* What a parser decoded and what it dropped, and why. */
struct parser_stats {
    uint64_t bytes;         /* fed in */
    uint64_t frames;        /* complete frames with good framing/checksums */
    uint64_t readings;      /* readings emitted */
    uint64_t dropped_bytes; /* skipped while hunting for a frame start */
    uint64_t bad_checksum;  /* frames rejected for a checksum */
    uint64_t bad_length;    /* impossible or inconsistent lengths */
    uint64_t bad_frame;     /* other malformed frames (bad tail, truncated by next magic) */
    uint64_t unknown;       /* well-formed frames/TLVs of a type we do not use */
    uint64_t truncated;     /* frames cut short: decoded up to the cut, counted in frames */
};

struct sensor_driver {
    const char *name;        /* URI scheme: "ti-vs" */
    const char *description; /* one line for `wardwatch sensors` and errors */
    int default_baud;
    double default_period_s; /* nominal frame period, for stream time */
    size_t state_size;       /* bytes the caller provides as state */
    /* Validate the URI's driver parameters and initialise state; an unknown
     * key or bad value fails with a message naming it. */
    int (*init)(void *state, const struct sensor_param *params, size_t nparams, char *err,
                size_t errlen);
    /* Consume len bytes; call cb for each decoded reading. */
    void (*feed)(void *state, const uint8_t *buf, size_t len, reading_cb cb, void *ctx);
    /* Copy the counters. */
    void (*stats)(const void *state, struct parser_stats *out);
    /* The protocol's own clock: stream time of the last frame decoded, by
     * what the frames carry (TI: frame numbers x frame period). False
     * before the first frame. NULL: the protocol carries no clock. */
    bool (*clock)(const void *state, double *t);
};

/* The driver named name ("ti-vs"), or NULL. */
const struct sensor_driver *driver_find(const char *name);
/* All byte-stream drivers, NULL-terminated. */
extern const struct sensor_driver *const driver_table[];

#endif
