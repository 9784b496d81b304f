/* libFuzzer harness: what a hospital system sends back, and text going out.
 * - The MLLP deframer fed the input in chunks cut where the first byte
 *   says gives exactly the messages it gives fed at once (a frame split over
 *   reads, several frames a read); each message goes through the ACK parser
 *   and the verdict, which never crash and never call an ACK for another
 *   id anything but stray.
 * - The input as outside text, escaped into a field, holds no field,
 *   component, repetition or subcomponent separator and no CR, and its
 *   escapes decode back to the text (control characters as spaces). */
#include "hl7.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                  \
    do {                                                                                          \
        if (!(x))                                                                                 \
            abort();                                                                              \
    } while (0)

static int collect(struct hl7_deframer *d, char **out, size_t *lens, int max)
{
    int n = 0;
    char *m;
    size_t len;
    while (hl7_deframer_next(d, &m, &len) == 1) {
        if (n < max) {
            out[n] = m;
            lens[n++] = len;
        } else {
            free(m);
        }
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = data[0] % 17 + 1;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    char err[160];

    struct hl7_deframer whole, parts;
    hl7_deframer_init(&whole);
    hl7_deframer_init(&parts);
    char *a[64], *b[64];
    size_t al[64], bl[64];
    int na = 0, nb = 0;
    int rw = hl7_deframer_feed(&whole, p, n, err, sizeof err);
    if (rw == 0)
        na = collect(&whole, a, al, 64);
    int rp = 0;
    for (size_t off = 0; off < n && rp == 0; off += step) {
        size_t k = n - off < step ? n - off : step;
        rp = hl7_deframer_feed(&parts, p + off, k, err, sizeof err);
        if (rp == 0)
            nb += collect(&parts, b + nb, bl + nb, 64 - nb);
    }
    CHECK(rw == rp);
    if (rw == 0) {
        CHECK(na == nb);
        for (int i = 0; i < na; i++) {
            CHECK(al[i] == bl[i] && memcmp(a[i], b[i], al[i]) == 0);
            struct hl7_ack ack;
            if (hl7_ack_parse(a[i], al[i], &ack, err, sizeof err) == 0) {
                char other[HL7_ID + 2];
                snprintf(other, sizeof other, "%sX", ack.control_id);
                CHECK(hl7_ack_verdict(&ack, other) == HL7_STRAY);
                CHECK(hl7_ack_verdict(&ack, "") == HL7_STRAY);
            }
        }
    }
    for (int i = 0; i < na; i++)
        free(a[i]);
    for (int i = 0; i < nb; i++)
        free(b[i]);
    hl7_deframer_free(&whole);
    hl7_deframer_free(&parts);

    /* escaping */
    char *text = malloc(n + 1);
    memcpy(text, p, n);
    text[n] = 0;
    struct hl7_str s = {0};
    hl7_str_esc(&s, text);
    if (!s.oom && s.p) {
        size_t j = 0;
        for (size_t i = 0; i < s.len; i++) {
            char c = s.p[i];
            CHECK(c != '|' && c != '^' && c != '~' && c != '&' && c != '\r');
            char want;
            if (c == '\\') {
                CHECK(i + 2 < s.len && s.p[i + 2] == '\\');
                static const char from[] = "FSRET", to[] = "|^~\\&";
                const char *f = strchr(from, s.p[i + 1]);
                CHECK(f && *f);
                want = to[f - from];
                i += 2;
            } else {
                want = c;
            }
            char orig = text[j++];
            if ((unsigned char)orig < 0x20 || orig == 0x7f)
                CHECK(want == ' ');
            else
                CHECK(want == orig);
        }
        CHECK(j == strlen(text));
    }
    free(s.p);
    free(text);
    return 0;
}
