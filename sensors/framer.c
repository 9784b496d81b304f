/*
 * framer — fast path over the caller's bytes, fixed buffer for frames split
 * across chunks (see framer.h).
 */
#include "framer.h"

#include <string.h>

void framer_init(struct framer *f)
{
    f->n = 0;
}

/* Decode as much as possible from p; returns bytes left undecoded. */
static size_t run(void *parser, framer_try_fn try_fn, const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t used = try_fn(parser, p + off, len - off);
        if (used == 0)
            break;
        off += used;
    }
    return len - off;
}

/* Feed any chunk. */
void framer_feed(struct framer *f, void *parser, framer_try_fn try_fn, const uint8_t *in,
                 size_t len)
{
    while (len > 0) {
        if (f->n == 0) {
            size_t left = run(parser, try_fn, in, len);
            /* try_fn must consume once FRAMER_CAP bytes are at hand */
            memcpy(f->buf, in + (len - left), left);
            f->n = left;
            return;
        }
        size_t room = FRAMER_CAP - f->n;
        size_t take = len < room ? len : room;
        memcpy(f->buf + f->n, in, take);
        f->n += take;
        in += take;
        len -= take;
        size_t left = run(parser, try_fn, f->buf, f->n);
        memmove(f->buf, f->buf + (f->n - left), left);
        f->n = left;
    }
}
