/*
 * handover_text — the handover's content as logical lines (shared by the
 * text and PDF renderers and the board's preview) and the plain-text
 * renderer: UTF-8, at most 80 display columns a line, pages of exactly 66
 * lines with a header (ward, period, "page x of y"), a rule, 60 body lines
 * and the footer saying it is not the patient record.
 *
 * Widths are counted per character by our own table, not wcwidth(), so the
 * layout is the same whatever the locale (wcwidth() in the C locale would
 * count æ ø å as unprintable).
 */
#include "handover.h"

#include "alarm.h"
#include "news2.h"
#include "util.h"

#include <libintl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BODY_LINES (HANDOVER_PAGE_LINES - 7)
/* The handover is worded in the process's language (po/nb.po): the CLI's,
 * the in-process board's or, for a preview on an attached board, serve's. */
#define _(s) gettext(s)
#define N_(s) (s)
/* The footer (handover.h) for the catalogue; printed through _(). */
static const char *const footer_msgid __attribute__((unused)) =
    N_("Working summary for handover - not the patient record.");

/* Decode one UTF-8 character (input is sanitised); returns its length. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : 4;
    uint32_t v = s[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = '?';
            return i;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* Display columns of one character: combining marks 0, East Asian wide 2. */
static int cp_width(uint32_t c)
{
    if ((c >= 0x300 && c <= 0x36F) || c == 0x200B || (c >= 0xFE00 && c <= 0xFE0F))
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

/* Display width of a UTF-8 string. */
static int width_of(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    int w = 0;
    while (*s) {
        uint32_t cp;
        s += utf8_next(s, &cp);
        w += cp_width(cp);
    }
    return w;
}

/* Copy at most cols columns of whole characters. */
size_t handover_fit(char *dst, size_t n, const char *str, int cols)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    int w = 0;
    while (*s) {
        uint32_t cp;
        size_t l = utf8_next(s, &cp);
        int cw = cp_width(cp);
        if (w + cw > cols || o + l >= n)
            break;
        memcpy(dst + o, s, l);
        o += l;
        w += cw;
        s += l;
    }
    if (n)
        dst[o] = 0;
    return o;
}

/* The growing list of lines. */
struct lines {
    struct handover_line *v;
    size_t n, cap;
    bool oom;
};

/* Append one line (already fitting). */
static void push(struct lines *L, enum handover_line_kind k, int bed, const char *text)
{
    if (L->oom)
        return;
    if (L->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 128;
        struct handover_line *p = realloc(L->v, nc * sizeof *p);
        if (!p) {
            L->oom = true;
            return;
        }
        L->v = p;
        L->cap = nc;
    }
    struct handover_line *l = &L->v[L->n++];
    l->kind = k;
    l->bed = bed;
    handover_fit(l->text, sizeof l->text, text, HANDOVER_COLS);
}

/*
 * Append text wrapped at spaces to HANDOVER_COLS columns; continuation
 * lines are indented by indent columns. A word longer than a line is cut.
 */
static void wrap(struct lines *L, enum handover_line_kind k, int bed, int indent,
                 const char *text)
{
    char line[4 * HANDOVER_COLS + 1];
    const char *p = text;
    bool first = true;
    while (first || *p) {
        size_t o = 0;
        int w = 0;
        if (!first) {
            for (int i = 0; i < indent; i++)
                line[o++] = ' ';
            w = indent;
            while (*p == ' ')
                p++;
            if (!*p)
                break;
        }
        size_t last_space_o = 0;
        const char *last_space_p = NULL;
        const unsigned char *s = (const unsigned char *)p;
        while (*s) {
            uint32_t cp;
            size_t l = utf8_next(s, &cp);
            int cw = cp_width(cp);
            if (w + cw > HANDOVER_COLS || o + l >= sizeof line)
                break;
            if (cp == ' ' && w > indent) {
                last_space_o = o;
                last_space_p = (const char *)s;
            }
            memcpy(line + o, s, l);
            o += l;
            w += cw;
            s += l;
        }
        if (*s && last_space_p) {
            o = last_space_o;
            s = (const unsigned char *)last_space_p;
        }
        line[o] = 0;
        push(L, k, bed, line);
        p = (const char *)s;
        first = false;
    }
}

/* printf then wrap. */
static void addf(struct lines *L, enum handover_line_kind k, int bed, int indent,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void addf(struct lines *L, enum handover_line_kind k, int bed, int indent,
                 const char *fmt, ...)
{
    /* Whole, however long: a note of 4000 bytes is printed in full. */
    char small[512], *buf = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small) {
        if (!(buf = malloc((size_t)n + 1))) {
            L->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    wrap(L, k, bed, indent, buf);
    if (buf != small)
        free(buf);
}

/* Local "HH:MM", with the date when it is not the day of ref. */
static void hm(int64_t ms, int64_t ref, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000), r = (time_t)(ref / 1000);
    struct tm tm, rm;
    localtime_r(&t, &tm);
    localtime_r(&r, &rm);
    if (tm.tm_year == rm.tm_year && tm.tm_yday == rm.tm_yday)
        strftime(buf, n, "%H:%M", &tm);
    else
        strftime(buf, n, "%d.%m %H:%M", &tm);
}

/* "2 h 05 min" for a duration. */
static void dur(int64_t ms, char *buf, size_t n)
{
    long m = (long)(ms / 60000);
    if (m < 0)
        m = 0;
    if (m < 60)
        snprintf(buf, n, "%ld min", m);
    else
        snprintf(buf, n, "%ld h %02ld min", m / 60, m % 60);
}

/* "m:ss" for seconds. */
static void mmss(int s, char *buf, size_t n)
{
    snprintf(buf, n, "%d:%02d", s / 60, s % 60);
}

/* The priority marker of a stored priority name. */
static const char *marker(const char *prio)
{
    return !strcmp(prio, "high") ? "***" : !strcmp(prio, "medium") ? "**" : "*";
}

/* An alarm by the name the board gives it, in the reader's language: the
 * one table of names (scoring/alarm.c) through the message catalogue (po/),
 * never the stored identifier ("rr-high"); a condition this build does not
 * know (an older or newer record) keeps its stored name. */
static const char *alarm_name(const char *condition)
{
    int c = alarm_condition_find(condition);
    return c >= 0 ? gettext(alarm_condition_text((enum alarm_condition)c)) : condition;
}

/* An observation value as entered (one rule: news2_value_text). */
static void obs_value(const struct handover_obs *o, char *buf, size_t n)
{
    news2_value_text(news2_param_find(o->param), o->value, buf, n);
}

/* Header lines of every page: title, period, printed at and by. */
void handover_header(const struct handover *h, char *l1, char *l2, char *l3, size_t n)
{
    char a[48], b[48], c[48];
    handover_fmt_time(h->t0, a, sizeof a);
    handover_fmt_time(h->t1, b, sizeof b);
    handover_fmt_time(h->printed_at, c, sizeof c);
    static const char *const shift[][2] = {
        {"day", N_("day shift")}, {"evening", N_("evening shift")}, {"night", N_("night shift")}};
    const char *period = _("period");
    for (size_t i = 0; i < sizeof shift / sizeof shift[0]; i++)
        if (!strcmp(h->period_name, shift[i][0]))
            period = _(shift[i][1]);
    snprintf(l1, n, _("HANDOVER %s - %s"), h->ward, period);
    snprintf(l2, n, _("Period %s to %s"), a, b);
    snprintf(l3, n, _("Printed %s by %s"), c, h->printed_by);
}

/* A NEWS2 value as printed: ">=4" for a partial score (a lower bound). */
static void score_text(int v, bool partial, char *buf, size_t n)
{
    if (v < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%s%d", partial ? ">=" : "", v);
}

/* The NEWS2 trajectory (the score in force at the start, each full hour
 * and the end) and its first / lowest / highest / last (handover.h). */
static void news2_lines(struct lines *L, const struct handover_bed *b, int bi, int64_t end)
{
    size_t cap = 64 + b->npoints * 24, l = 0;
    char *traj = malloc(cap), t[32], v[16];
    if (!traj) {
        L->oom = true;
        return;
    }
    traj[0] = 0;
    bool any_partial = false;
    for (size_t i = 0; i < b->npoints && l + 24 < cap; i++) {
        const struct handover_point *p = &b->points[i];
        hm(p->t, end, t, sizeof t);
        score_text(p->score, p->partial, v, sizeof v);
        any_partial |= p->partial && p->score >= 0;
        l += (size_t)snprintf(traj + l, cap - l, "%s%s %s", i ? ", " : "", t, v);
    }
    addf(L, HL_TEXT, bi, 12, "   NEWS2    %s", traj);
    free(traj);
    char hi[16], last[16], first[64] = "";
    score_text(b->news2_max, b->news2_max_partial, hi, sizeof hi);
    score_text(b->news2_last, b->news2_last_partial, last, sizeof last);
    any_partial |= b->news2_max_partial || b->news2_last_partial;
    if (b->news2_first >= 0) {
        hm(b->news2_first_t, end, t, sizeof t);
        snprintf(first, sizeof first, _("first complete %d (%s), lowest %d"), b->news2_first, t,
                 b->news2_min);
    } else {
        snprintf(first, sizeof first, "%s", _("no complete set scored"));
    }
    addf(L, HL_TEXT, bi, 12, _("            %s, highest %s, last %s%s"), first, hi, last,
         any_partial ? _(" (>= partial: a lower bound)") : "");
}

/* The alarm log: one line per alarm of the period, in the order first
 * seen, with who acknowledged it and when (first and last), re-alerts,
 * escalation and how it ended. */
static void alarm_log(struct lines *L, const struct handover_bed *b, int bi, int64_t end)
{
    bool *done = calloc(b->nevents, sizeof *done);
    if (!done) {
        L->oom = true;
        return;
    }
    for (size_t i = 0; i < b->nevents; i++) {
        if (done[i])
            continue;
        const struct handover_event *e0 = &b->events[i];
        char text[1024], t[32];
        size_t o = 0;
        int acks = 0, realerts = 0;
        char first_by[24] = "", last_by[24] = "", who[128] = "";
        int64_t first_at = 0, last_at = 0;
        bool escalated = false, raised = false;
        const char *ending = NULL;
        char end_by[24] = "";
        int64_t end_at = 0;
        for (size_t k = i; k < b->nevents; k++) {
            const struct handover_event *e = &b->events[k];
            if (e->alarm_id != e0->alarm_id)
                continue;
            done[k] = true;
            if (!strcmp(e->event, "raised"))
                raised = true;
            else if (!strcmp(e->event, "acknowledged")) {
                if (!acks++) {
                    ww_strlcpy(first_by, e->staff, sizeof first_by);
                    first_at = e->t;
                }
                ww_strlcpy(last_by, e->staff, sizeof last_by);
                last_at = e->t;
                /* distinct initials */
                char pat[32];
                snprintf(pat, sizeof pat, " %s,", e->staff);
                char padded[140];
                snprintf(padded, sizeof padded, " %s,", who);
                if (!strstr(padded, pat) && strlen(who) + strlen(e->staff) + 3 < sizeof who) {
                    if (who[0])
                        strcat(who, ", ");
                    strcat(who, e->staff);
                }
            } else if (!strcmp(e->event, "realerted"))
                realerts++;
            else if (!strcmp(e->event, "escalated"))
                escalated = true;
            else if (!strcmp(e->event, "ended") || !strcmp(e->event, "reset") ||
                     !strcmp(e->event, "superseded") || !strcmp(e->event, "latched")) {
                ending = e->event;
                ww_strlcpy(end_by, e->staff, sizeof end_by);
                end_at = e->t;
            }
        }
        hm(e0->t, end, t, sizeof t);
        o += (size_t)snprintf(text + o, sizeof text - o, "     %s %-3s %s%s", t,
                              marker(e0->priority), alarm_name(e0->condition),
                              raised ? "" : _(" (raised before)"));
        if (acks) {
            hm(first_at, end, t, sizeof t);
            o += (size_t)snprintf(text + o, sizeof text - o, _("; acknowledged by %s %s"), first_by,
                                  t);
            if (acks > 1) {
                hm(last_at, end, t, sizeof t);
                o += (size_t)snprintf(text + o, sizeof text - o, _(", %dx in all (by %s), last %s %s"),
                                      acks, who, last_by, t);
            }
        } else {
            o += (size_t)snprintf(text + o, sizeof text - o, "%s", _("; not acknowledged"));
        }
        if (realerts && o < sizeof text)
            o += (size_t)snprintf(text + o, sizeof text - o, _("; re-alerted %dx"), realerts);
        if (escalated && o < sizeof text)
            o += (size_t)snprintf(text + o, sizeof text - o, "%s", _("; escalated"));
        if (ending && o < sizeof text) {
            hm(end_at, end, t, sizeof t);
            o += (size_t)snprintf(text + o, sizeof text - o, "; %s %s%s%s", _(ending), t,
                                  end_by[0] ? _(" by ") : "", end_by);
        }
        wrap(L, HL_TEXT, bi, 12, text);
    }
    free(done);
}

/* I: who, since when, which SpO2 scale. */
static void bed_identification(struct lines *L, const struct handover *h, int bi, int64_t end)
{
    const struct handover_bed *b = &h->beds[bi];
    char t1[32];
    push(L, HL_SECTION, bi, _("I  Identification"));
    handover_fmt_time(b->admitted_at, t1, sizeof t1);
    addf(L, HL_TEXT, bi, 6, _("   Patient %s, admitted %s by %s"), b->patient_ref, t1,
         b->admitted_by[0] ? b->admitted_by : "?");
    if (b->admitted_in_period)
        push(L, HL_TEXT, bi, _("   New: admitted during this period"));
    if (b->discharged_at) {
        handover_fmt_time(b->discharged_at, t1, sizeof t1);
        addf(L, HL_TEXT, bi, 6, _("   Discharged %s"), t1);
    }
    if (b->scale2) {
        handover_fmt_time(b->scale2_at, t1, sizeof t1);
        addf(L, HL_TEXT, bi, 6, _("   SpO2 Scale 2 (target 88-92 %%), set by %s %s"), b->scale2_by,
             t1);
    } else {
        push(L, HL_TEXT, bi, _("   SpO2 Scale 1"));
    }

}

/* S: the score at the end with its parts, the last complete set, open alarms. */
static void bed_situation(struct lines *L, const struct handover *h, int bi, int64_t end)
{
    const struct handover_bed *b = &h->beds[bi];
    char t1[32], t2[32], buf[512];
    push(L, HL_SECTION, bi, _("S  Situation"));
    if (b->have_score) {
        /* short names; RR, SBP and HR have the reader's own abbreviation */
        static const char *pn[7] = {N_("RR"), "SpO2", "O2", N_("SBP"), N_("HR"), "ACVPU", "Temp"};
        const char *tpn[7];
        for (int p = 0; p < 7; p++)
            tpn[p] = p == 0 || p == 3 || p == 4 ? _(pn[p]) : pn[p];
        char parts[160] = "";
        for (int p = 0; p < 7; p++) {
            size_t l = strlen(parts);
            if (b->parts[p] >= 0)
                snprintf(parts + l, sizeof parts - l, "%s%s %d", p ? ", " : "", tpn[p],
                         b->parts[p]);
            else
                snprintf(parts + l, sizeof parts - l, "%s%s -", p ? ", " : "", tpn[p]);
        }
        hm(b->score_t, end, t1, sizeof t1);
        addf(L, HL_TEXT, bi, 6, _("   NEWS2 %s%d (%s%s) since %s"), b->partial_mask ? ">= " : "",
             b->total, _(news2_band_name((enum news2_band)b->band)),
             b->partial_mask ? _(", partial: a lower bound") : "", t1);
        addf(L, HL_TEXT, bi, 6, _("   Parts: %s"), parts);
        if (b->partial_mask) {
            char miss[160] = "";
            for (int p = 0; p < NEWS2_NPARAMS; p++)
                if (b->partial_mask & (1u << p)) {
                    size_t l = strlen(miss);
                    snprintf(miss + l, sizeof miss - l, "%s%s", l ? ", " : "",
                             news2_param_name((enum news2_param)p));
                }
            addf(L, HL_TEXT, bi, 6, _("   Partial: missing or stale %s"), miss);
        }
    } else {
        push(L, HL_TEXT, bi, _("   NEWS2: no score recorded"));
    }
    if (b->last_complete_t) {
        dur(end - b->last_complete_t, t1, sizeof t1);
        hm(b->last_complete_t, end, t2, sizeof t2);
        if (end - b->last_complete_t < 60000)
            push(L, HL_TEXT, bi, _("   Last complete set: current"));
        else
            addf(L, HL_TEXT, bi, 6, _("   Last complete set: %s ago (%s)"), t1, t2);
    } else {
        push(L, HL_TEXT, bi, _("   Last complete set: none during this admission"));
    }
    if (!b->nopen) {
        push(L, HL_TEXT, bi, _("   Open alarms: none"));
    } else {
        push(L, HL_TEXT, bi, _("   Open alarms:"));
        for (size_t i = 0; i < b->nopen; i++) {
            const struct handover_alarm *a = &b->open[i];
            hm(a->raised_at, end, t1, sizeof t1);
            const char *what = !strcmp(a->state, "latched") ? _("latched, waits for reset") : _("active");
            if (a->acked_by[0]) {
                hm(a->acked_at, end, t2, sizeof t2);
                snprintf(buf, sizeof buf, _("%s, acknowledged by %s %s"), what, a->acked_by, t2);
            } else {
                snprintf(buf, sizeof buf, _("%s, NOT ACKNOWLEDGED"), what);
            }
            addf(L, HL_TEXT, bi, 8, _("     %-3s %s: %s, raised %s, %s"),
                 marker(a->priority), _(a->priority), alarm_name(a->condition), t1, buf);
        }
    }

}

/* B and A: the admission note, RR/HR, the NEWS2 trajectory, observations, notes. */
static void bed_assessment(struct lines *L, const struct handover *h, int bi, int64_t end)
{
    const struct handover_bed *b = &h->beds[bi];
    char t1[32];
    push(L, HL_SECTION, bi, _("B  Background"));
    addf(L, HL_TEXT, bi, 3, "   %s", b->background[0] ? b->background : _("(no admission note)"));

    push(L, HL_SECTION, bi, _("A  Assessment"));
    const struct {
        const char *name;
        const struct handover_stats *s;
    } st[2] = {{N_("RR /min"), &b->rr_stats}, {N_("HR /min"), &b->hr_stats}};
    for (int k = 0; k < 2; k++) {
        if (st[k].s->n)
            addf(L, HL_TEXT, bi, 6, _("   %-8s min %3.0f  median %3.0f  max %3.0f   (%zu min)"),
                 _(st[k].name), st[k].s->min, st[k].s->median, st[k].s->max, st[k].s->n);
        else
            addf(L, HL_TEXT, bi, 6, _("   %-8s no radar values"), _(st[k].name));
    }
    if (b->news2.n)
        news2_lines(L, b, bi, end);
    else
        push(L, HL_TEXT, bi, _("   NEWS2    no scores in this period"));
    push(L, HL_PLOT, bi, "");
    if (!b->nobs) {
        push(L, HL_TEXT, bi, _("   Manual observations: none in this period"));
    } else {
        push(L, HL_TEXT, bi, _("   Manual observations:"));
        for (size_t i = 0; i < b->nobs; i++) {
            char v[32];
            obs_value(&b->obs[i], v, sizeof v);
            hm(b->obs[i].t, end, t1, sizeof t1);
            addf(L, HL_TEXT, bi, 8, "     %s %s %s (%s)", t1, b->obs[i].param,
                 strcmp(b->obs[i].param, "o2") ? v : _(v), b->obs[i].by);
        }
    }
    if (!b->nnotes) {
        push(L, HL_TEXT, bi, _("   Notes: none in this period"));
    } else {
        push(L, HL_TEXT, bi, _("   Notes:"));
        for (size_t i = 0; i < b->nnotes; i++) {
            hm(b->notes[i].t, end, t1, sizeof t1);
            addf(L, HL_TEXT, bi, 8, "     %s %s: %s", t1, b->notes[i].by, b->notes[i].text);
        }
    }

}

/* R: the next set due, the alarm limits, the alarm log. */
static void bed_recommendation(struct lines *L, const struct handover *h, int bi, int64_t end)
{
    const struct handover_bed *b = &h->beds[bi];
    char t1[32], t2[32];
    push(L, HL_SECTION, bi, _("R  Recommendation"));
    if (b->discharged_at) {
        push(L, HL_TEXT, bi, _("   Discharged: no further observations due"));
    } else {
        hm(b->obs_due, end, t1, sizeof t1);
        char every[96];
        if (!b->set_at)
            snprintf(every, sizeof every, "%s", _("no complete set since admission"));
        else if (b->monitoring_h > 0)
            snprintf(every, sizeof every, _("every %g h"), b->monitoring_h);
        else
            snprintf(every, sizeof every, _("continuous monitoring, full set every %d min"),
                     h->continuous_obs_min);
        /* Due before the interval ends: say which value sets it, or the
         * interval beside a sooner time reads as a mistake. */
        char why[128] = "";
        if (b->set_at && b->due_part >= 0 && b->due_part < NEWS2_NPARAMS) {
            const char *what = _(news2_param_label((enum news2_param)b->due_part));
            if (b->due_part_t) {
                hm(b->due_part_t, end, t2, sizeof t2);
                snprintf(why, sizeof why, _("; sooner: %s of %s goes stale"), what, t2);
            } else {
                snprintf(why, sizeof why, _("; sooner: %s missing"), what);
            }
        }
        addf(L, HL_TEXT, bi, 6, _("   Next observation due %s%s (%s%s)"), t1,
             b->obs_overdue ? _(" - OVERDUE") : "", every, why);
    }
    /* What happens at the limits, not a range that reads as allowed: the
     * limit values themselves alarm (H16-14). */
    if (b->own_limits)
        addf(L, HL_TEXT, bi, 6,
             _("   Alarm at RR <= %g or >= %g, HR <= %g or >= %g (individual limits, %s, by %s)"),
             b->rr_low, b->rr_high, b->hr_low, b->hr_high, b->limits_reason, b->limits_by);
    else
        addf(L, HL_TEXT, bi, 6,
             _("   Alarm at RR <= %g or >= %g, HR <= %g or >= %g (ward default limits)"), b->rr_low,
             b->rr_high, b->hr_low, b->hr_high);
    if (!b->nevents) {
        push(L, HL_TEXT, bi, _("   Alarm log: no alarms in this period"));
    } else {
        push(L, HL_TEXT, bi, _("   Alarm log (one line per alarm):"));
        alarm_log(L, b, bi, end);
    }
}

/* One bed's ISBAR block: its heading, then I, S, B and A, R. */
static void bed_lines(struct lines *L, const struct handover *h, int bi)
{
    const struct handover_bed *b = &h->beds[bi];
    int64_t end = h->t1 < h->printed_at ? h->t1 : h->printed_at;
    char head[256];
    snprintf(head, sizeof head, _("== Bed %d  %s "), b->number, b->label);
    int w = width_of(head);
    size_t o = strlen(head);
    while (w < HANDOVER_COLS && o + 1 < sizeof head) {
        head[o++] = '=';
        w++;
    }
    head[o] = 0;
    push(L, HL_BED, bi, head);
    if (!b->occupied) {
        push(L, HL_TEXT, bi, _("   Empty: no patient admitted during this period."));
        push(L, HL_BLANK, bi, "");
        return;
    }

    bed_identification(L, h, bi, end);
    bed_situation(L, h, bi, end);
    bed_assessment(L, h, bi, end);
    bed_recommendation(L, h, bi, end);
    push(L, HL_BLANK, bi, "");
}

/* All logical lines. */
struct handover_line *handover_lines(const struct handover *h, size_t *n)
{
    struct lines L = {0};
    char buf[256];
    int beds = 0;
    for (size_t i = 0; i < h->nbeds; i++)
        if (i == 0 || h->beds[i].number != h->beds[i - 1].number)
            beds++;
    addf(&L, HL_TITLE, -1, 2, _("Patients: %zu during this period, in %d bed(s)"), h->noccupied,
         beds);
    /* the figures stand under their headings: columns of 12, 6, 12 and 16
     * display cells (a translation keeps them) */
    push(&L, HL_TEXT, -1, _("Alarms      raised  acknowledged  not acknowledged  time to acknowledge"));
    static const char *pn[3] = {N_("high"), N_("medium"), N_("low")};
    for (int p = 0; p < 3; p++) {
        const struct handover_alarm_figures *f = &h->alarms[p];
        if (f->ack_median_s >= 0) {
            char a[16], b[16];
            mmss(f->ack_median_s, a, sizeof a);
            mmss(f->ack_max_s, b, sizeof b);
            snprintf(buf, sizeof buf, _("median %s, max %s"), a, b);
        } else {
            snprintf(buf, sizeof buf, "-");
        }
        /* the priority's name and the count raised share 13 cells, by
         * display width: "høy" and "middels" keep the counts in line */
        const char *tn = _(pn[p]);
        int room = 13 - width_of(tn);
        addf(&L, HL_TEXT, -1, 10, "%-3s %s%*d  %12d  %16d  %s", marker(pn[p]), tn,
             room > 2 ? room : 2, f->raised, f->acked, f->unacked, buf);
    }
    push(&L, HL_BLANK, -1, "");
    if (h->noccupied == 0)
        push(&L, HL_TEXT, -1, _("No patient was admitted during this period."));
    for (size_t i = 0; i < h->nbeds; i++) {
        /* Empty beds in one line each, occupied ones in full. */
        bed_lines(&L, h, (int)i);
    }
    if (L.oom) {
        free(L.v);
        return NULL;
    }
    *n = L.n;
    return L.v;
}

/* Where each page starts (in line indices); returns the page count. */
static size_t paginate(const struct handover_line *v, size_t n, size_t *starts, size_t max)
{
    size_t pages = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind == HL_PLOT)
            continue;
        /* A bed starts on a new page when fewer than 8 lines are left. */
        bool newpage = pages == 0 || used >= BODY_LINES ||
                       (v[i].kind == HL_BED && BODY_LINES - used < 8);
        if (newpage) {
            if (v[i].kind == HL_BLANK && pages)
                continue;
            if (pages < max)
                starts[pages] = i;
            pages++;
            used = 0;
        }
        used++;
    }
    return pages ? pages : 1;
}

/* Write text pages. */
int handover_write_text(const struct handover *h, FILE *f)
{
    size_t n;
    struct handover_line *v = handover_lines(h, &n);
    if (!v)
        return -1;
    size_t *starts = calloc(n + 1, sizeof *starts);
    if (!starts) {
        free(v);
        return -1;
    }
    size_t pages = paginate(v, n, starts, n + 1);
    char l1[256], l2[256], l3[256];
    handover_header(h, l1, l2, l3, sizeof l1);
    char rule[HANDOVER_COLS + 1];
    memset(rule, '-', HANDOVER_COLS);
    rule[HANDOVER_COLS] = 0;
    for (size_t p = 0; p < pages; p++) {
        char pg[64], left[4 * HANDOVER_COLS + 1], line[8 * HANDOVER_COLS];
        snprintf(pg, sizeof pg, _("page %u of %u"), (unsigned)(p + 1), (unsigned)pages);
        int room = HANDOVER_COLS - width_of(pg) - 2;
        handover_fit(left, sizeof left, l1, room);
        int pad = HANDOVER_COLS - width_of(left) - width_of(pg);
        snprintf(line, sizeof line, "%s%*s%s", left, pad, "", pg);
        fprintf(f, "%s\n", line);
        handover_fit(left, sizeof left, l2, HANDOVER_COLS);
        fprintf(f, "%s\n", left);
        handover_fit(left, sizeof left, l3, HANDOVER_COLS);
        fprintf(f, "%s\n%s\n", left, rule);
        size_t used = 0;
        size_t end = p + 1 < pages ? starts[p + 1] : n;
        for (size_t i = n ? starts[p] : 0; i < end && used < BODY_LINES; i++) {
            if (v[i].kind == HL_PLOT)
                continue;
            if (used == 0 && v[i].kind == HL_BLANK && p)
                continue;
            fprintf(f, "%s\n", v[i].text);
            used++;
        }
        for (; used < BODY_LINES; used++)
            fputc('\n', f);
        fprintf(f, "%s\n%s\n\n", rule, _(HANDOVER_FOOTER));
    }
    free(starts);
    free(v);
    return ferror(f) ? -1 : (int)pages;
}
