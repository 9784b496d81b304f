/*
 * libFuzzer harness: the handover's text layout and time parser on outside
 * text. The first byte picks what the rest is: a time for
 * handover_parse_time (whatever parses must format back and parse to the
 * same instant), or a bed label / note / admission note (sanitised, as the
 * store does) laid out by handover_lines and handover_write_text: no line
 * may be wider than 80 columns, no control character may come out, every
 * page must be 66 lines.
 */
#include "handover.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns as the renderer counts them (handover_fit is the reference). */
static int fits80(const char *s)
{
    char buf[4 * HANDOVER_COLS + 1];
    handover_fit(buf, sizeof buf, s, HANDOVER_COLS);
    return strcmp(buf, s) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2048)
        return 0;
    char raw[2049];
    memcpy(raw, data + 1, size - 1);
    raw[size - 1] = 0;
    if (data[0] % 4 == 0) {
        int64_t t, t2;
        /* (inside 1970-9999 once printed in local time) */
        if (handover_parse_time(raw, &t) == 0 && t > 172800000LL && t < 253000000000000LL) {
            char iso[64];
            handover_fmt_iso(t, iso, sizeof iso);
            if (handover_parse_time(iso, &t2) != 0 || t2 / 1000 != t / 1000)
                abort(); /* what we print must read back */
        }
        return 0;
    }
    struct handover h;
    struct handover_bed b;
    struct handover_note note;
    struct handover_event ev;
    memset(&h, 0, sizeof h);
    memset(&b, 0, sizeof b);
    memset(&note, 0, sizeof note);
    memset(&ev, 0, sizeof ev);
    ww_strlcpy(h.ward, "Obs 3", sizeof h.ward);
    h.t0 = 1796108400000LL;
    h.t1 = h.t0 + 8 * 3600000LL;
    h.printed_at = h.t1;
    ww_strlcpy(h.printed_by, "KN", sizeof h.printed_by);
    b.number = 1;
    b.occupied = true;
    b.news2_first = b.news2_min = b.news2_max = b.news2_last = -1;
    b.admitted_at = h.t0;
    ww_strlcpy(b.patient_ref, "P-1", sizeof b.patient_ref);
    switch (data[0] % 4) {
    case 1:
        ww_sanitize_text(b.label, sizeof b.label, raw, false);
        break;
    case 2:
        ww_sanitize_text(note.text, sizeof note.text, raw, false);
        note.t = h.t0 + 60000;
        ww_strlcpy(note.by, "ÅS", sizeof note.by);
        b.notes = &note;
        b.nnotes = 1;
        break;
    default:
        ww_sanitize_text(b.background, sizeof b.background, raw, false);
        ww_sanitize_text(ev.condition, sizeof ev.condition, raw, false);
        ww_strlcpy(ev.priority, "high", sizeof ev.priority);
        ww_strlcpy(ev.event, "raised", sizeof ev.event);
        ev.t = h.t0;
        b.events = &ev;
        b.nevents = 1;
        break;
    }
    h.beds = &b;
    h.nbeds = 1;
    h.noccupied = 1;
    size_t n;
    struct handover_line *v = handover_lines(&h, &n);
    if (!v)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!fits80(v[i].text))
            abort();
        for (const unsigned char *c = (const unsigned char *)v[i].text; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                abort();
    }
    free(v);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int pages = handover_write_text(&h, f);
    fclose(f);
    if (pages < 1)
        abort();
    size_t lines = 0;
    for (char *p = out, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = 0;
        if (!fits80(p))
            abort();
        lines++;
    }
    if (lines != (size_t)pages * HANDOVER_PAGE_LINES)
        abort();
    free(out);
    return 0;
}
