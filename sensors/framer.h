/*
 * framer — the byte-stream plumbing shared by the protocol parsers: frames
 * are decoded straight from the caller's buffer when they lie wholly inside
 * it (the fast path), and only the tail of a chunk that ends mid-frame is
 * copied into a fixed buffer (no allocation). A parser supplies one function
 * that looks at the bytes at hand and either consumes a frame (decoding it),
 * skips garbage, or asks for more.
 *
 * Chunking never changes the result: the try function sees the same bytes at
 * the same frame boundaries whether they arrive one at a time or all at once,
 * because it only ever decides on bytes it has, and "need more" is answered
 * identically once more bytes are there.
 */
#ifndef WW_FRAMER_H
#define WW_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#define FRAMER_CAP 65536 /* the largest frame any driver accepts */

/* Look at avail bytes at p: return the number of bytes consumed (a whole
 * frame decoded, or garbage skipped), or 0 when more bytes are needed; then
 * *need may be raised to the byte count below which asking again is
 * pointless (it starts at avail + 1). Must return > 0 whenever
 * avail >= FRAMER_CAP, and must set *need <= FRAMER_CAP. */
typedef size_t (*framer_try_fn)(void *parser, const uint8_t *p, size_t avail, size_t *need);

struct framer {
    size_t n;    /* bytes held in buf: the start of an incomplete frame */
    size_t need; /* do not call the try function before n reaches this */
    uint8_t buf[FRAMER_CAP];
};

/* Empty the buffer. */
void framer_init(struct framer *f);
/* Feed len bytes of any chunking; try_fn decodes. */
void framer_feed(struct framer *f, void *parser, framer_try_fn try_fn, const uint8_t *in,
                 size_t len);

#endif
