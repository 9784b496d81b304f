/*
 * overview — the board of tiles, one per bed, and the status line.
 */
#include "ui.h"

/* Bed order for the board: by bed, or by urgency. */
void ui_compute_order(struct ui *u)
{
    size_t n = nbeds(u);
    for (size_t i = 0; i < n; i++)
        u->order[i] = i;
    if (!u->by_urgency)
        return;
    for (size_t i = 1; i < n; i++) {
        size_t x = u->order[i], j = i;
        while (j > 0) {
            const struct ward_bed *a = bed_at(u, x), *b = bed_at(u, u->order[j - 1]);
            int ca = alarm_most_urgent(&a->alarms), cb = alarm_most_urgent(&b->alarms);
            int c;
            if (ca < 0 && cb < 0)
                c = (b->score_valid ? b->score.total : -1) - (a->score_valid ? a->score.total : -1);
            else if (ca < 0)
                c = 1;
            else if (cb < 0)
                c = -1;
            else
                c = alarm_urgency_cmp(ca, &a->alarms.a[ca], cb, &b->alarms.a[cb]);
            if (c >= 0)
                break;
            u->order[j] = u->order[j - 1];
            j--;
        }
        u->order[j] = x;
    }
}

/* Short forms for narrow tiles, designed rather than cut: each keeps what
 * the alarm is and its state ("NEWS2 high (>= 7) act" lost both). */
static const char *cond_short(int c)
{
    static const char *s[AC_COUNT] = {
        [AC_NEWS2_HIGH] = N_("NEWS2>=7"),       [AC_NEWS2_MEDIUM] = N_("NEWS2 5-6"),
        [AC_NEWS2_LOW_MEDIUM] = N_("NEWS2 red"), [AC_RR_LOW] = N_("RR low"),
        [AC_RR_HIGH] = N_("RR high"),            [AC_HR_LOW] = N_("HR low"),
        [AC_HR_HIGH] = N_("HR high"),            [AC_APNOEA] = N_("APNOEA"),
        [AC_DISCONNECTED] = N_("Sensor off"),    [AC_NO_SIGNAL] = N_("No signal"),
        [AC_OUT_OF_BED] = N_("Out of bed"),      [AC_STORE_FAILURE] = N_("Store fail"),
        [AC_OBS_OVERDUE] = N_("Obs overdue"),
    };
    return (unsigned)c < AC_COUNT && s[c] ? s[c] : "?";
}

static const char *sensor_short(enum ward_sensor_state st)
{
    return st == WSENS_OK || st == WSENS_NONE ? ward_sensor_state_name(st)
           : st == WSENS_DISCONNECTED         ? N_("sensor off")
           : st == WSENS_NO_SIGNAL            ? N_("no signal")
                                              : ward_sensor_state_name(st);
}

/* What the tile's alarm line adds for the bed's other unacknowledged
 * alarms (H17-31): " +APNOEA" for the newest one of the shown alarm's
 * priority, " +APNOEA +1" with more, " +2" when the others are of lower
 * priority; "" when there are none. An older escalated NEWS2 high ranks
 * first, so a new apnoea beside it changed nothing on the tile while the
 * bell already rang for high: a new condition must still show. */
static void tile_others(const struct alarm_bed *ab, int shown, char *out, size_t n)
{
    enum alarm_priority p = alarm_priority_of(shown);
    int others = 0, newest = -1;
    for (int c = 0; c < AC_COUNT; c++) {
        const struct alarm *a = &ab->a[c];
        if (c == shown || a->state == AS_NONE || a->acked)
            continue;
        others++;
        if (alarm_priority_of(c) == p &&
            (newest < 0 || a->raised_at > ab->a[newest].raised_at))
            newest = c;
    }
    if (!others)
        snprintf(out, n, "%s", "");
    else if (newest < 0)
        snprintf(out, n, " +%d", others);
    else if (others == 1)
        snprintf(out, n, " +%s", _(cond_short(newest)));
    else
        snprintf(out, n, " +%s +%d", _(cond_short(newest)), others - 1);
}

/* A tile's alarm line in w columns: the full texts when they fit, else
 * the short forms, else the short condition alone, else cut with an
 * ellipsis (never silently); the other unacknowledged alarms' mark
 * (tile_others) is kept whole after it. */
static void tile_alarm(struct ui *u, const struct alarm_bed *ab, int c, int w, char *out,
                       size_t n)
{
    const struct alarm *a = &ab->a[c];
    char line[300], more[64], head[300];
    tile_others(ab, c, more, sizeof more);
    int mw = ww_utf8_width(more);
    if (mw > w / 2)
        more[0] = 0, mw = 0; /* a tile too narrow for both: the shown alarm first */
    enum alarm_priority p = alarm_priority_of(c);
    /* the state by the one rule (alarm_state_name), with a latch's ack */
    const char *st =
        a->state == AS_LATCHED && a->acked ? _("latched, acked") : _(alarm_state_name(a));
    snprintf(line, sizeof line, "%s %s %s%s", alarm_priority_marker(p), _(alarm_condition_text(c)),
             st, a->escalated ? _(" ESC") : "");
    if (ww_utf8_width(line) > w - mw) {
        const char *ss = a->state == AS_LATCHED ? (a->acked ? _("latch+ack") : _("LATCHED"))
                         : a->acked             ? _("acked")
                                                : _("ACTIVE");
        snprintf(line, sizeof line, "%s %s %s%s", alarm_priority_marker(p), _(cond_short(c)), ss,
                 a->escalated ? _(" ESC") : "");
    }
    if (mw && ww_utf8_width(line) > w - mw)
        snprintf(line, sizeof line, "%s %s%s", alarm_priority_marker(p), _(cond_short(c)),
                 a->escalated ? _(" ESC") : "");
    ui_fit(u, line, w - mw, head, sizeof head);
    snprintf(out, n, "%s%s", head, more);
}

/* A tile's value text buf fitted to w columns. A value never loses part of
 * itself: "RR stale 22s" cut to "RR stale 22" reads as RR 22, and a hand
 * count without its "c" reads as the radar's. What does not fit drops its
 * age (the detail has it). */
static void fit_value(struct ui *u, const char *name, const struct ward_value *v, int trend,
                      bool stale, int w, char *buf, size_t n)
{
    if (ww_utf8_width(buf) <= w)
        return;
    if (stale)
        snprintf(buf, n, _("%s stale"), name);
    else if (v->have && !v->automatic)
        snprintf(buf, n, "%s %3.0f%s c", name, v->value, ui_arrow(u, trend));
}

/* One bed tile of h rows at (y, x), w wide. */
static void draw_tile(struct ui *u, size_t i, int y, int x, int w, int h, bool selected)
{
    const struct ward_bed *b = bed_at(u, i);
    int64_t now = ward_now(u);
    attr_t head = A_BOLD | (selected ? A_REVERSE : A_UNDERLINE);
    if (u->colour && !selected)
        head |= COLOR_PAIR(CP_HEAD);
    attron(head);
    char line[400], f[400];
    snprintf(line, sizeof line, _("%s%s %s%s"), selected ? ">" : " ", b->label,
             b->admitted ? b->patient_ref : _("(free)"), u->stale ? _(" STALE") : "");
    ui_fit(u, line, w - 1, f, sizeof f);
    ui_put(y, x, w - 1, f);
    attroff(head);
    char rr[64], hr[64];
    bool s1, s2;
    ui_fmt_value(u, _("RR"), &b->param[NEWS2_RR], view_trend_arrow(b, 0, now), now, rr, sizeof rr,
              &s1);
    ui_fmt_value(u, _("HR"), &b->param[NEWS2_HR], view_trend_arrow(b, 1, now), now, hr, sizeof hr,
              &s2);
    /* Without the server every number is the last one known: dimmed. */
    s1 |= u->stale;
    s2 |= u->stale;
    int half = (w - 1) / 2;
    fit_value(u, _("RR"), &b->param[NEWS2_RR], view_trend_arrow(b, 0, now), s1, half - 1, rr,
              sizeof rr);
    fit_value(u, _("HR"), &b->param[NEWS2_HR], view_trend_arrow(b, 1, now), s2, w - 1 - half, hr,
              sizeof hr);
    if (s1)
        attron(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    ui_put(y + 1, x, half - 1, rr); /* a blank between the two, always */
    attroff(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    if (s2)
        attron(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    ui_put(y + 1, x + half, w - 1 - half, hr);
    attroff(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    if (h > 2) {
        if (b->score_valid)
            snprintf(line, sizeof line, _("NEWS2 %s%d %s%s%s"),
                     b->score.partial ? (u->utf8 ? "≥" : ">=") : "", b->score.total,
                     _(news2_band_name(b->score.band)), b->score.partial ? _(" partial") : "",
                     b->obs_overdue ? _(" OBS DUE") : "");
        else
            snprintf(line, sizeof line, "%s", _("NEWS2 --"));
        /* Narrower: the short words, then without "partial" (the >= says
         * it), then without the band (the number says it). "DUE" is never
         * what is cut (H17-34: "NEWS2 >=3 low-medium part…" hid that the
         * hourly observations were overdue on exactly those beds). */
        const char *ge = b->score.partial ? (u->utf8 ? "≥" : ">=") : "";
        if (b->score_valid && ww_utf8_width(line) > w - 1)
            snprintf(line, sizeof line, _("NEWS2 %s%d %s%s%s"), ge, b->score.total,
                     _(news2_band_name(b->score.band)), b->score.partial ? _(" part.") : "",
                     b->obs_overdue ? _(" DUE") : "");
        if (b->score_valid && ww_utf8_width(line) > w - 1)
            snprintf(line, sizeof line, _("NEWS2 %s%d %s%s%s"), ge, b->score.total,
                     _(news2_band_name(b->score.band)), "", b->obs_overdue ? _(" DUE") : "");
        if (b->score_valid && ww_utf8_width(line) > w - 1)
            snprintf(line, sizeof line, _("NEWS2 %s%d%s"), ge, b->score.total,
                     b->obs_overdue ? _(" DUE") : "");
        ui_fit(u, line, w - 1, f, sizeof f);
        ui_put(y + 2, x, w - 1, f);
    }
    if (h > 3) {
        int c = alarm_most_urgent(&b->alarms);
        if (c >= 0) {
            const struct alarm *a = &b->alarms.a[c];
            enum alarm_priority p = alarm_priority_of(c);
            tile_alarm(u, &b->alarms, c, w - 1, line, sizeof line);
            attron(ui_prio_attr(u, p, a->acked));
            ui_put(y + 3, x, w - 1, line);
            attroff(ui_prio_attr(u, p, a->acked));
        } else {
            ui_put(y + 3, x, w - 1, "");
        }
    }
    if (h > 4) {
        bool fault = !(b->sensor == WSENS_OK || b->sensor == WSENS_NONE);
        attr_t sa = fault ? A_BOLD : A_NORMAL;
        char age[16];
        ui_fmt_age(now - b->sensor_since, age, sizeof age);
        if (fault)
            snprintf(line, sizeof line, _("sensor: %s for %s"), _(ward_sensor_state_name(b->sensor)),
                     age);
        else
            snprintf(line, sizeof line, _("sensor: %s"), _(ward_sensor_state_name(b->sensor)));
        if (fault && ww_utf8_width(line) > w - 1) /* the duration is kept, the word shortened */
            snprintf(line, sizeof line, _("%s %s"), _(sensor_short(b->sensor)), age);
        ui_fit(u, line, w - 1, f, sizeof f);
        attron(sa);
        ui_put(y + 4, x, w - 1, f);
        attroff(sa);
    }
    if (h > 5) {
        /* Larger terminals: signal quality, next observations, Scale 2, limits. */
        char due[32] = "-";
        if (b->obs_due_ms) {
            char ts[32];
            ww_fmt_time(b->obs_due_ms, ts, sizeof ts);
            snprintf(due, sizeof due, "%.5s", ts + 11);
        }
        char q[16] = "--";
        if (b->quality > 0)
            snprintf(q, sizeof q, "%.2f", b->quality);
        ui_putf(y + 5, x, w - 1, _("q %s  obs %s%s"), q, due, b->scale2 ? _("  Scale 2") : "");
    }
}

/* Status line. */
void ui_draw_status(struct ui *u)
{
    const struct ward_config *c = u->v.ops->config(u->v.ctx);
    int64_t now = ward_now(u);
    char clock[32], sens[256];
    ww_fmt_time(now, clock, sizeof clock);
    u->v.ops->sensor_summary(u->v.ctx, sens, sizeof sens);
    char pause[48] = "";
    if (alarm_audio_paused(u->v.ops->audio(u->v.ctx), now)) {
        int64_t left = (u->v.ops->audio(u->v.ctx)->paused_until - now) / 1000;
        snprintf(pause, sizeof pause, _(" | AUDIO PAUSED %lld:%02lld"), (long long)(left / 60),
                 (long long)(left % 60));
    }
    char mode[96] = "";
    char detail[128];
    int64_t since = 0;
    enum view_link link = u->v.ops->link(u->v.ctx, detail, sizeof detail, &since);
    if (u->o.demo)
        snprintf(mode, sizeof mode, " | DEMO x%g", u->o.speed);
    else if (link == VIEW_LOCAL && u->o.say_local)
        snprintf(mode, sizeof mode, "%s", _(" | in-process"));
    else if (link == VIEW_CONNECTED)
        snprintf(mode, sizeof mode, "%s", _(" | server"));
    if (link == VIEW_LOST || link == VIEW_CONNECTING) {
        /* A technical alarm of this terminal: it flashes like a high-priority
         * alarm and leads the line so no width can cut it off. */
        char age[16];
        ui_fmt_age(ww_mono_ms() - since, age, sizeof age);
        attron(ui_prio_attr(u, AP_HIGH, false));
        if (link == VIEW_LOST)
            ui_putf(0, 0, COLS, _(" *** SERVER LOST %s: data below is STALE, reconnecting | %s | %s"),
                 age, c->name, clock + 11);
        else
            ui_putf(0, 0, COLS, _(" *** CONNECTING to the monitoring server (%s) %s | %s"), detail, age,
                 c->name);
        attroff(ui_prio_attr(u, AP_HIGH, false));
        return;
    }
    /* Which beds have a sensor fault, by name (the first two, then +N). */
    char faulty[160] = "";
    int nf = 0;
    for (size_t i = 0; i < nbeds(u); i++) {
        const struct ward_bed *b = bed_at(u, i);
        if (b->sensor == WSENS_OK || b->sensor == WSENS_NONE || b->sensor == WSENS_MOTION)
            continue;
        size_t o = strlen(faulty);
        if (nf < 2)
            snprintf(faulty + o, sizeof faulty - o, "%s%s %s", nf ? ", " : ": ", b->label,
                     _(ward_sensor_state_name(b->sensor)));
        nf++;
    }
    if (nf > 2) {
        size_t o = strlen(faulty);
        snprintf(faulty + o, sizeof faulty - o, ", +%d", nf - 2);
    }
    /* What must never be cut comes first: the clock, an audio pause with
     * its countdown, the demo speed, the store; the ward's name last. */
    attron(A_REVERSE);
    ui_putf(0, 0, COLS, _(" %s%s%s | store %s | %s%s | %s"), clock + 11, pause, mode,
         u->v.ops->store_ok(u->v.ctx) ? _("ok") : _("FAILING"), sens, faulty, c->name);
    attroff(A_REVERSE);
}

/* The tiles' grid: as few columns as let every bed keep a tile of at least
 * five rows, so tiles grow with the terminal (at 132x43 the texts fit in
 * full), and never narrower than 26 columns. */
static void layout(struct ui *u, size_t n, int *cols, int *h, int *w)
{
    int rows_avail = LINES - 3;
    int maxcols = COLS / 26 < 1 ? 1 : COLS / 26;
    int rows_fit = rows_avail / 5 < 1 ? 1 : rows_avail / 5;
    int c = n ? (int)((n + (size_t)rows_fit - 1) / (size_t)rows_fit) : 1;
    if (c > maxcols)
        c = maxcols;
    if (c < 1)
        c = 1;
    /* no column wider than 48 (the longest alarm line, 41, fits): beyond
     * that, more columns read better */
    while (c < maxcols && COLS / c > 48 && (size_t)c < n)
        c++;
    if ((size_t)c > n)
        c = (int)(n ? n : 1);
    int rows = (int)((n + (size_t)c - 1) / (size_t)c);
    *h = rows ? rows_avail / rows : rows_avail;
    if (*h > 7)
        *h = 7;
    *w = COLS / c;
    *cols = c;
}

/* The board of tiles. */
void ui_draw_board(struct ui *u)
{
    size_t n = nbeds(u);
    ui_compute_order(u);
    int cols, h, w;
    layout(u, n, &cols, &h, &w);
    for (size_t k = 0; k < n; k++) {
        int r = (int)k / cols, c = (int)k % cols;
        size_t i = u->order[k];
        draw_tile(u, i, 1 + r * h, c * w, w, h < 6 ? h : 6, i == u->sel);
    }
    u->tile_w = w;
    u->tile_h = h;
    u->tile_cols = cols;
}

/* Move the selection on the board grid. */
void ui_move_sel(struct ui *u, int dx, int dy)
{
    size_t n = nbeds(u);
    if (!n)
        return;
    ui_compute_order(u);
    int cols, h, w;
    layout(u, n, &cols, &h, &w);
    int pos = 0;
    for (size_t k = 0; k < n; k++)
        if (u->order[k] == u->sel)
            pos = (int)k;
    pos += dx + dy * cols;
    if (pos < 0)
        pos = 0;
    if (pos >= (int)n)
        pos = (int)n - 1;
    u->sel = u->order[pos];
}
