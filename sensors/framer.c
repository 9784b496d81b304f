/*
 * framer — fast path over the caller's bytes, fixed buffer for frames split
 * across chunks (see framer.h).
 *
 * Why the "need" hint: a parser that must look for a resync marker inside a
 * frame (ti-vs) would otherwise rescan the whole held frame on every byte
 * when bytes trickle in one at a time, which is quadratic in the frame size.
 */
#include "framer.h"

#include <string.h>

/* Empty the buffer. */
void framer_init(struct framer *f)
{
    f->n = 0;
    f->need = 0;
}

/* Decode as much as possible from p; returns bytes left undecoded and sets
 * *need for the leftover. */
static size_t run(void *parser, framer_try_fn try_fn, const uint8_t *p, size_t len,
                  size_t *need)
{
    size_t off = 0;
    while (off < len) {
        size_t avail = len - off;
        size_t want = avail + 1;
        size_t used = try_fn(parser, p + off, avail, &want);
        if (used == 0) {
            *need = want;
            return avail;
        }
        off += used;
    }
    *need = 0;
    return 0;
}

/* Feed any chunk. */
void framer_feed(struct framer *f, void *parser, framer_try_fn try_fn, const uint8_t *in,
                 size_t len)
{
    while (len > 0) {
        if (f->n == 0) {
            /* Fast path: decode in place, keep only an incomplete tail. */
            size_t need;
            size_t left = run(parser, try_fn, in, len, &need);
            memcpy(f->buf, in + (len - left), left);
            f->n = left;
            f->need = need;
            return;
        }
        size_t room = FRAMER_CAP - f->n;
        size_t take = len < room ? len : room;
        memcpy(f->buf + f->n, in, take);
        f->n += take;
        in += take;
        len -= take;
        if (f->n < f->need && f->n < FRAMER_CAP)
            continue; /* the parser said it cannot decide yet */
        size_t need;
        size_t left = run(parser, try_fn, f->buf, f->n, &need);
        memmove(f->buf, f->buf + (f->n - left), left);
        f->n = left;
        f->need = need;
    }
}
