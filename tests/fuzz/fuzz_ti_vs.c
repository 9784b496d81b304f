/* libFuzzer harness: the ti-vs parser, whole versus chunked (fuzz_parser.h),
 * in the 68xx and the 14xx TLV numbering. */
#include "ti_vs.h"

#include "fuzz_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ti_vs a, b;
    static const struct sensor_param p14[] = {{"tlv", "14xx"}, {"presence_energy", "0"}};
    fuzz_parser_one(&ti_vs_driver, &a, &b, NULL, 0, data, size);
    fuzz_parser_one(&ti_vs_driver, &a, &b, p14, 2, data, size);
    return 0;
}
