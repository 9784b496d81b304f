/* libFuzzer harness: the recording chunk and stream-declaration decoders. */
#include "recording.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct rec_chunk c;
    size_t off = 0;
    /* Walk the buffer as a sequence of chunks, as the reader does. */
    while (off < size) {
        long used = rec_decode_chunk(data + off, size - off, &c, err, sizeof err);
        if (used <= 0)
            break;
        if (c.type == REC_STREAM) {
            struct rec_stream s;
            rec_decode_stream(c.data, c.len, &s, err, sizeof err);
        }
        off += (size_t)used;
    }
    return 0;
}
