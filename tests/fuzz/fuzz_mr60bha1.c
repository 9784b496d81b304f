/* libFuzzer harness: the mr60bha1 parser, whole versus chunked
 * (fuzz_parser.h), with the manual's map and the firmware variant. */
#include "mr60bha1.h"

#include "fuzz_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mr60bha1 a, b;
    static const struct sensor_param fw[] = {{"hr", "81.02"}, {"rr", "81.05"}};
    fuzz_parser_one(&mr60bha1_driver, &a, &b, NULL, 0, data, size);
    fuzz_parser_one(&mr60bha1_driver, &a, &b, fw, 2, data, size);
    return 0;
}
