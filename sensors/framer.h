/*
 * framer — the byte-stream plumbing shared by the protocol parsers: frames
 * are decoded straight from the caller's buffer when they lie wholly inside
 * it (the fast path), and only the tail of a chunk that ends mid-frame is
 * copied into a fixed buffer (no allocation). A parser supplies one function
 * that looks at the bytes at hand and either consumes a frame (decoding it),
 * skips garbage, or asks for more.
 */
#ifndef WW_FRAMER_H
#define WW_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#define FRAMER_CAP 32768 /* the largest frame any driver accepts */

/* Look at avail bytes at p: return the number of bytes consumed (a whole
 * frame decoded, or garbage skipped), or 0 when more bytes are needed. Must
 * return > 0 whenever avail >= FRAMER_CAP. */
typedef size_t (*framer_try_fn)(void *parser, const uint8_t *p, size_t avail);

struct framer {
    size_t n;
    uint8_t buf[FRAMER_CAP];
};

void framer_init(struct framer *f);
void framer_feed(struct framer *f, void *parser, framer_try_fn try_fn, const uint8_t *in,
                 size_t len);

#endif
