/* libFuzzer harness: observation values as a person types them (the news2
 * command line and the board's forms), and scoring what parses. */
#include "news2.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64)
        return 0;
    char text[65];
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    enum news2_param p = (enum news2_param)(data[0] % NEWS2_NPARAMS);
    double v;
    char err[128];
    struct news2_input in = {.scale = 1 + (data[0] >> 7)};
    if (news2_parse_value(p, text, &v, err, sizeof err) == 0) {
        if (!news2_plausible(p, v))
            abort(); /* the parser let through what the scorer refuses */
        in.present[p] = true;
        in.value[p] = v;
        struct news2_result r;
        if (news2_score(&in, NULL, &r, err, sizeof err) != 0)
            abort();
        if (r.points[p] < 0 || r.points[p] > 3 || r.total != r.points[p])
            abort();
    }
    int tenths;
    news2_parse_temp(text, &tenths);
    return 0;
}
