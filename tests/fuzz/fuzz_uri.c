/*
 * libFuzzer harness: sensor URIs. The input (up to 1 KiB, cut at the first
 * NUL) goes through uri_parse(); whatever parses must format back to text
 * that parses again to the same struct (round trip), and a refusal must say
 * something.
 */
#include "uri.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char text[1025];
    memcpy(text, data, size);
    text[size] = 0;
    struct sensor_uri a, b;
    char err[512] = "";
    if (uri_parse(text, &a, err, sizeof err) < 0) {
        if (!err[0])
            abort();
        return 0;
    }
    if (a.nparams > URI_MAX_PARAMS)
        abort();
    struct sensor_param p[URI_MAX_PARAMS];
    size_t np = uri_driver_params(&a, p, URI_MAX_PARAMS);
    for (size_t i = 0; i < np; i++)
        if (!p[i].key[0] || !p[i].value[0])
            abort();
    char back[sizeof a.address + URI_MAX_PARAMS * (sizeof a.keys[0] + sizeof a.values[0] + 2) + 64];
    uri_format(&a, back, sizeof back);
    if (uri_parse(back, &b, err, sizeof err) < 0)
        abort(); /* formatted text that does not parse */
    if (strcmp(a.driver, b.driver) || a.kind != b.kind || strcmp(a.address, b.address) ||
        a.vid != b.vid || a.pid != b.pid || strcmp(a.serial, b.serial) || a.nparams != b.nparams)
        abort();
    for (size_t i = 0; i < a.nparams; i++)
        if (strcmp(a.keys[i], b.keys[i]) || strcmp(a.values[i], b.values[i]))
            abort();
    /* Formatting the reparsed struct gives the same text again. */
    char again[sizeof back];
    uri_format(&b, again, sizeof again);
    if (strcmp(back, again))
        abort();
    return 0;
}
