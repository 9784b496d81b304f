/* libFuzzer harness: what a FHIR server sends back (src/fhir.c). The first
 * two bytes pick the HTTP status (100-599), the third the number of
 * entries sent (0-15), the rest is the answer's body. fhir_verdict never crashes, always
 * says why when it does not deliver, and calls a message delivered only on
 * a 2xx whose body is a transaction-response with that many entries, each
 * 2xx: checked here against an independent reading with jansson. A 4xx
 * status other than 408 and 429 is always dead, a 5xx always a retry. */
#include "fhir.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                  \
    do {                                                                                          \
        if (!(x))                                                                                 \
            abort();                                                                              \
    } while (0)

/* Whether body is a transaction-response with n entries all 2xx. */
static int all_2xx(const char *body, size_t len, int n)
{
    json_error_t je;
    json_t *r = json_loadb(body, len, 0, &je);
    json_t *e = json_object_get(r, "entry");
    const char *rt = json_string_value(json_object_get(r, "resourceType"));
    int ok = json_is_object(r) && rt && !strcmp(rt, "Bundle") &&
             json_is_string(json_object_get(r, "type")) &&
             !strcmp(json_string_value(json_object_get(r, "type")), "transaction-response") &&
             json_is_array(e) && (int)json_array_size(e) == n;
    for (int i = 0; ok && i < n; i++) {
        const char *s = json_string_value(
            json_object_get(json_object_get(json_array_get(e, (size_t)i), "response"), "status"));
        ok = s && s[0] == '2' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
             (s[3] == 0 || s[3] == ' ');
    }
    json_decref(r);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    long status = 100 + (data[0] | data[1] << 8) % 500;
    int n = data[2] % 16;
    const char *body = (const char *)data + 3;
    size_t len = size - 3;
    char why[256] = "x";
    enum hl7_verdict v = fhir_verdict(status, body, len, n, why, sizeof why);
    CHECK(v == HL7_DELIVERED || v == HL7_DEAD || v == HL7_RETRY);
    CHECK(memchr(why, 0, sizeof why));
    if (v != HL7_DELIVERED)
        CHECK(why[0]);
    if (status >= 400 && status <= 499 && status != 408 && status != 429)
        CHECK(v == HL7_DEAD);
    if (status >= 500)
        CHECK(v == HL7_RETRY);
    if (status >= 200 && status <= 299)
        CHECK((v == HL7_DELIVERED) == all_2xx(body, len, n));
    (void)fhir_bundle_entries(body, len);
    return 0;
}
