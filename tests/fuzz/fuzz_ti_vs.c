/* libFuzzer harness: the ti_vs parser, fed the input in two chunks at a split
 * chosen by the first byte, so split frames are exercised too. */
#include "ti_vs.h"

#include <stdint.h>
#include <stdlib.h>

static void sink(void *ctx, const struct reading *r)
{
    (void)ctx;
    (void)r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ti_vs st;
    char err[128];
    if (ti_vs_driver.init(&st, NULL, 0, err, sizeof err) < 0)
        abort();
    size_t split = size ? (data[0] * size) / 256 : 0;
    ti_vs_driver.feed(&st, data, split, sink, NULL);
    ti_vs_driver.feed(&st, data + split, size - split, sink, NULL);
    struct parser_stats ps;
    ti_vs_driver.stats(&st, &ps);
    if (ps.bytes != size)
        abort();
    return 0;
}
