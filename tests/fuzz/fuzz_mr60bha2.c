/* libFuzzer harness: the mr60bha2 parser, whole versus chunked
 * (fuzz_parser.h), with both distance-flag polarities. */
#include "mr60bha2.h"

#include "fuzz_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mr60bha2 a, b;
    static const struct sensor_param p0[] = {{"distance_valid", "0"}};
    fuzz_parser_one(&mr60bha2_driver, &a, &b, NULL, 0, data, size);
    fuzz_parser_one(&mr60bha2_driver, &a, &b, p0, 1, data, size);
    return 0;
}
