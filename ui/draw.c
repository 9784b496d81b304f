/*
 * draw — the board's small drawing module (see ui.h): text clipped or
 * fitted by display width (æøå count one column, a cut text ends in an
 * ellipsis), priority attributes with the flash phase, ages and values.
 */
#include "ui.h"

static bool ascii_only; /* the terminal's locale shows ASCII only */

void ui_draw_init(bool utf8)
{
    ascii_only = !utf8;
}

/* The text's UTF-8 as ASCII a terminal without Unicode can show: letters
 * get their base letter (dør -> dor, Åse -> Ase), a few signs their ASCII
 * form, anything else '?': never a blank or a byte salad. */
void ui_ascii(const char *s, char *out, size_t n)
{
    static const struct {
        unsigned cp;
        const char *a;
    } map[] = {
        {0xE6, "a"},  {0xC6, "A"},  {0xF8, "o"},   {0xD8, "O"},  {0xE5, "a"},  {0xC5, "A"},
        {0xE4, "a"},  {0xC4, "A"},  {0xF6, "o"},   {0xD6, "O"},  {0xFC, "u"},  {0xDC, "U"},
        {0xE9, "e"},  {0xC9, "E"},  {0xE8, "e"},   {0xEA, "e"},  {0xE1, "a"},  {0xE0, "a"},
        {0xED, "i"},  {0xF3, "o"},  {0xF2, "o"},   {0xFA, "u"},  {0xF1, "n"},  {0xE7, "c"},
        {0xDF, "ss"}, {0xB0, "o"},  {0x2265, ">="}, {0x2264, "<="}, {0x2026, "~"},
        {0x2191, "^"}, {0x2193, "v"}, {0x2192, "="}, {0x2013, "-"}, {0x2014, "-"},
    };
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 3 < n) {
        unsigned cp;
        int len;
        if (*p < 0x80) {
            out[o++] = (char)*p++;
            continue;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            len = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            len = 3;
        } else if ((*p & 0xF8) == 0xF0) {
            cp = *p & 0x07;
            len = 4;
        } else {
            out[o++] = '?';
            p++;
            continue;
        }
        int k = 1;
        for (; k < len && (p[k] & 0xC0) == 0x80; k++)
            cp = cp << 6 | (p[k] & 0x3F);
        p += k;
        const char *a = "?";
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (map[i].cp == cp)
                a = map[i].a;
        for (; *a && o + 1 < n; a++)
            out[o++] = *a;
    }
    out[o] = 0;
}

/* Put text clipped to width columns (UTF-8 aware), padding with spaces. */
void ui_put(int y, int x, int width, const char *s)
{
    if (width <= 0)
        return;
    if (ascii_only) {
        char a[1024];
        ui_ascii(s, a, sizeof a);
        move(y, x);
        int used = 0;
        for (; a[used] && used < width; used++)
            addch((chtype)(unsigned char)a[used]);
        for (; used < width; used++)
            addch(' ');
        return;
    }
    wchar_t wbuf[512];
    mbstate_t st = {0};
    const char *p = s;
    size_t n = mbsrtowcs(wbuf, &p, 511, &st);
    if (n == (size_t)-1) {
        mvaddnstr(y, x, s, width);
        return;
    }
    wbuf[n] = 0;
    int used = 0;
    move(y, x);
    for (size_t i = 0; i < n; i++) {
        int w = wcwidth(wbuf[i]);
        if (w < 0)
            w = 1;
        if (used + w > width)
            break;
        addnwstr(&wbuf[i], 1);
        used += w;
    }
    for (; used < width; used++)
        addch(' ');
}

void ui_putf(int y, int x, int width, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ui_put(y, x, width, buf);
}

/* s fitted to exactly w display columns into out: padded with blanks, or
 * cut with an ellipsis ("…", "~" where the terminal has no Unicode) so a
 * cut text never passes for a whole one. Columns are counted by display
 * width, so æøå never shift what follows. */
void ui_fit(const struct ui *u, const char *s, int w, char *out, size_t n)
{
    out[0] = 0;
    if (w <= 0 || n < 8)
        return;
    int total = ww_utf8_width(s);
    size_t o = 0;
    if (total <= w) {
        o = ww_strlcpy(out, s, n);
        if (o >= n)
            o = n - 1;
        for (int k = total; k < w && o + 1 < n; k++)
            out[o++] = ' ';
        out[o] = 0;
        return;
    }
    const char *ell = u->utf8 ? "…" : "~";
    int used = 0;
    const char *p = s;
    while (*p) {
        size_t len;
        int cw = ui_char_cols(p, &len);
        if (used + cw > w - 1 || o + len + 4 >= n)
            break;
        memcpy(out + o, p, len);
        o += len;
        used += cw;
        p += len;
    }
    o += (size_t)snprintf(out + o, n - o, "%s", ell);
    used++;
    for (; used < w && o + 1 < n; used++)
        out[o++] = ' ';
    out[o] = 0;
}

/* What raised an alarm, as the nurse reads it: "HR 136 >= 131", "NEWS2 8
 * >= 7", "3 points in one parameter"; "" when nothing crossed a limit
 * (technical alarms, alarms raised before this version kept it). */
void ui_alarm_trigger(int c, const struct alarm *a, char *buf, size_t n)
{
    buf[0] = 0;
    if (isnan(a->trig_value) || isnan(a->trig_limit))
        return;
    switch (c) {
    case AC_RR_HIGH:
    case AC_RR_LOW:
        snprintf(buf, n, "%s %.0f %s %.0f", _("RR"), a->trig_value, c == AC_RR_HIGH ? ">=" : "<=",
                 a->trig_limit);
        break;
    case AC_HR_HIGH:
    case AC_HR_LOW:
        snprintf(buf, n, "%s %.0f %s %.0f", _("HR"), a->trig_value, c == AC_HR_HIGH ? ">=" : "<=",
                 a->trig_limit);
        break;
    case AC_NEWS2_HIGH:
    case AC_NEWS2_MEDIUM:
        snprintf(buf, n, "NEWS2 %.0f >= %.0f", a->trig_value, a->trig_limit);
        break;
    case AC_NEWS2_LOW_MEDIUM:
        snprintf(buf, n, _("%.0f points in one parameter"), a->trig_value);
        break;
    default:
        break;
    }
}

/* An alarm's state as the lists show it: "ack by KN", "latched, ack KN",
 * or the state's name (alarm_state_name, the one rule). */
void ui_alarm_state_text(const struct alarm *a, char *buf, size_t n)
{
    if (a->acked && a->state == AS_LATCHED)
        snprintf(buf, n, _("latched, ack %s"), a->acked_by);
    else if (a->acked)
        snprintf(buf, n, _("ack by %s"), a->acked_by);
    else
        snprintf(buf, n, "%s", _(alarm_state_name(a)));
}

/* Attribute of the message line: an error stands out like a high alarm. */
attr_t ui_msg_attr(const struct ui *u)
{
    return u->msg_error ? (A_BOLD | (u->colour ? COLOR_PAIR(CP_HIGH) : A_REVERSE)) : A_NORMAL;
}

/* Attribute for an alarm priority, with the flash phase. */
attr_t ui_prio_attr(struct ui *u, enum alarm_priority p, bool acked)
{
    attr_t a = A_BOLD;
    if (u->colour)
        a |= COLOR_PAIR(p == AP_HIGH ? CP_HIGH : p == AP_MEDIUM ? CP_MED : CP_LOW);
    if (!acked) {
        /* high ~2 Hz (phase every 250 ms), medium ~0.5 Hz (every 1 s) */
        bool on = p == AP_HIGH ? (u->flash_phase % 2) : p == AP_MEDIUM ? ((u->flash_phase / 4) % 2)
                                                                      : 1;
        if (on && p != AP_LOW)
            a |= A_REVERSE;
    }
    return a;
}

/* Age as "12s", "4m", "3h". */
void ui_fmt_age(int64_t ms, char *buf, size_t n)
{
    int64_t s = ms / 1000;
    if (s < 0)
        s = 0;
    if (s < 90)
        snprintf(buf, n, "%llds", (long long)s);
    else if (s < 5400)
        snprintf(buf, n, "%lldm", (long long)(s / 60));
    else
        snprintf(buf, n, "%lldh", (long long)(s / 3600));
}

const char *ui_arrow(struct ui *u, int t)
{
    if (u->utf8)
        return t > 0 ? "↑" : t < 0 ? "↓" : "→";
    return t > 0 ? "^" : t < 0 ? "v" : "="; /* "-" read as a minus */
}

/* "RR 24↑ 12s" or "RR stale 3m" or "RR --". */
void ui_fmt_value(struct ui *u, const char *name, const struct ward_value *v, int trend,
                      int64_t now, char *buf, size_t n, bool *stale)
{
    char age[16];
    *stale = false;
    if (!v->have) {
        snprintf(buf, n, "%s --", name);
        return;
    }
    ui_fmt_age(now - v->t_ms, age, sizeof age);
    if (v->stale) {
        *stale = true;
        snprintf(buf, n, _("%s stale %s"), name, age);
        return;
    }
    /* A hand count ("c", counted) outranks the radar for a while. */
    snprintf(buf, n, "%s %3.0f%s %s%s", name, v->value, ui_arrow(u, trend), age,
             v->automatic ? "" : " c");
}

/* Columns of the UTF-8 character at s, its length in *len. */
int ui_char_cols(const char *s, size_t *len)
{
    mbstate_t st = {0};
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *len = 1;
        return 1;
    }
    *len = n;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

void ui_msg(struct ui *u, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_error = error;
}
