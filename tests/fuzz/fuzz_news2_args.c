/*
 * libFuzzer harness: observation values as a person types them (the news2
 * command line and the board's forms). The first byte picks the parameter
 * (byte modulo 7) and the SpO2 scale (top bit); the rest is the text. Whatever
 * parses must be plausible and score 0-3 alone; temperatures must score the
 * same through the text scorer and the parsed value.
 */
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
    int parsed = news2_parse_value(p, text, &v, err, sizeof err) == 0;
    if (parsed) {
        if (!news2_plausible(p, v))
            abort(); /* the parser let through what the scorer refuses */
        in.present[p] = true;
        in.value[p] = v;
        struct news2_result r;
        if (news2_score(&in, NULL, &r, err, sizeof err) != 0)
            abort();
        if (r.points[p] < 0 || r.points[p] > 3 || r.total != r.points[p] || !r.partial)
            abort();
        if (r.band != (r.red ? NEWS2_BAND_LOW_MEDIUM : NEWS2_BAND_LOW))
            abort(); /* one parameter alone scores at most 3 */
    } else if (!err[0] || !strstr(err, news2_param_name(p))) {
        abort(); /* a refusal must say which parameter */
    }
    int tp = news2_temp_text_points(text);
    if (p == NEWS2_TEMP && (tp >= 0) != parsed)
        abort();
    if (p == NEWS2_TEMP && parsed && tp != news2_points(p, v, 1, 0))
        abort();
    return 0;
}
