/*
 * detail — one bed: its NEWS2 parts and their sources, trends, alarms and
 * the history of its stay.
 */
#include "ui.h"

/* A sparkline of values. */
static void sparkline(struct ui *u, int y, int x, const float *v, int n, float lo, float hi)
{
    static const char *blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii[] = "_.-:=+*#";
    move(y, x);
    for (int i = 0; i < n; i++) {
        if (isnan(v[i])) {
            addch(' ');
            continue;
        }
        int k = (int)((v[i] - lo) / (hi - lo) * 7.999f);
        k = k < 0 ? 0 : k > 7 ? 7 : k;
        if (u->utf8)
            addstr(blocks[k]);
        else
            addch((chtype)ascii[k]);
    }
}


/* Lines 1-3: bed, patient, admission, SpO2 scale, sensor, limits. */
static void draw_head(struct ui *u, const struct ward_bed *b, int64_t now)
{
    char t[32];
    attron(A_BOLD);
    ui_putf(1, 0, COLS, "%s  %s", b->label,
         b->admitted ? b->patient_ref : _("(no patient admitted: press i to admit)"));
    attroff(A_BOLD);
    /* The sensor's state: a value can only be as good as its source. */
    char sens[160], sage[16];
    ui_fmt_age(now - b->sensor_since, sage, sizeof sage);
    bool sens_ok = b->sensor == WSENS_OK || b->sensor == WSENS_NONE;
    if (sens_ok)
        snprintf(sens, sizeof sens, _("sensor: %s"), _(ward_sensor_state_name(b->sensor)));
    else
        snprintf(sens, sizeof sens, _("sensor: %s for %s"), _(ward_sensor_state_name(b->sensor)),
                 sage);
    if (b->quality > 0) {
        size_t o = strlen(sens);
        snprintf(sens + o, sizeof sens - o, _(" (signal quality %.2f)"), b->quality);
    }
    if (!b->admitted) {
        if (!sens_ok)
            attron(A_BOLD);
        ui_put(2, 0, COLS, sens);
        attroff(A_BOLD);
    }
    if (b->admitted) {
        ww_fmt_time(b->admitted_at, t, sizeof t);
        char adm[160];
        snprintf(adm, sizeof adm, _("admitted %s  SpO2 scale %d%s%s  "), t, b->scale2 ? 2 : 1,
                 b->scale2 ? " by " : "", b->scale2 ? b->scale2_by : "");
        ui_put(2, 0, COLS, adm);
        int x = ww_utf8_width(adm);
        if (x < COLS) {
            if (!sens_ok)
                attron(A_BOLD);
            ui_put(2, x, COLS - x, sens);
            attroff(A_BOLD);
        }
        /* What happens, on a line of its own so it is never cut: the
         * limit values themselves alarm (H16-14). */
        ui_putf(3, 0, COLS, _("alarm at RR <= %g or >= %g, HR <= %g or >= %g%s%s"),
             b->limits.rr_low, b->limits.rr_high, b->limits.hr_low, b->limits.hr_high,
             b->limits_reason[0] ? ": " : "", b->limits_reason);
    }
}

/* The NEWS2 parameters with their values, points and sources, from row y;
 * returns the next row. */
static int draw_values(struct ui *u, const struct ward_bed *b, int64_t now, int y)
{
    char t[32];
    attron(A_UNDERLINE);
    ui_put(y++, 0, COLS, _("NEWS2 parameter        value    points  source"));
    attroff(A_UNDERLINE);
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        const struct ward_value *v = &b->param[p];
        char val[32], src[96], age[16];
        if (!v->have)
            snprintf(val, sizeof val, "--");
        else if (p == NEWS2_O2)
            snprintf(val, sizeof val, "%s", v->value == 1 ? _("oxygen") : _("air"));
        else if (p == NEWS2_ACVPU)
            snprintf(val, sizeof val, "%c", (char)v->value);
        else if (p == NEWS2_TEMP)
            snprintf(val, sizeof val, "%.1f", v->value);
        else
            snprintf(val, sizeof val, "%.0f", v->value);
        ui_fmt_age(now - v->t_ms, age, sizeof age);
        if (!v->have)
            snprintf(src, sizeof src, "%s", _("missing"));
        else if ((p == NEWS2_RR || p == NEWS2_HR) && !v->automatic) {
            /* A hand count: who counted, when, and what the radar says. */
            const struct ward_value *r = p == NEWS2_RR ? &b->radar_rr : &b->radar_hr;
            char rv[24];
            if (r->have && !r->stale)
                snprintf(rv, sizeof rv, "%.0f", r->value);
            else
                snprintf(rv, sizeof rv, "%s", r->have ? _("stale") : "--");
            snprintf(src, sizeof src, _("counted by %s %s ago%s; radar %s"), v->by, age,
                     v->stale ? _("  STALE (not scored)") : "", rv);
        } else
            snprintf(src, sizeof src, _("%s %s ago%s"), v->automatic ? _("radar") : v->by, age,
                     v->stale ? _("  STALE (not scored)") : "");
        int pts = b->score_valid ? b->score.points[p] : -1;
        /* columns by display width: a Norwegian label with æøå never
         * shifts the value under another heading */
        char flabel[120], fval[80];
        ui_fit(u, _(news2_param_label(p)), 22, flabel, sizeof flabel);
        ui_fit(u, val, 8, fval, sizeof fval);
        ui_putf(y++, 0, COLS, "%s %s %-7s %s", flabel, fval,
                pts >= 0 ? (char[8]){(char)('0' + pts), 0} : "-", src);
    }
    if (b->score_valid)
        ui_putf(y++, 0, COLS, _("NEWS2 %s%d  %s%s   next observations due %s"), b->score.partial ? ">= " : "",
             b->score.total, _(news2_band_name(b->score.band)), b->score.partial ? " (partial)" : "",
             b->obs_due_ms ? (ww_fmt_time(b->obs_due_ms, t, sizeof t), t + 11) : "-");
    return y;
}

/* The trends from row y; returns the next row. */
static int draw_trends(struct ui *u, const struct ward_bed *b, int64_t now, int y)
{
    if (LINES >= 30) /* on small screens the sections go without blank lines */
        y++;
    /* Trends, each labelled with what its height means and the time it
     * spans (oldest left, now right), the current value (the one scored) at its end. */
    static const int64_t spans[] = {3600000, 4 * 3600000, 12 * 3600000};
    static const char *span_names[] = {"1 h", "4 h", "12 h"};
    static const struct {
        const char *name;
        float lo, hi;
    } tr[3] = {{N_("RR"), 0, 40}, {N_("HR"), 30, 180}, {"NEWS2", 0, 14}};
    int w = COLS - 18 - 10;
    if (w > 120)
        w = 120;
    float series[128];
    for (int k = 0; k < 3; k++) {
        /* The admission's trends only: a new patient's start empty (H16-8). */
        view_trend(b, k, now, spans[u->span], series, (size_t)w);
        ui_putf(y, 0, 18, _("%-5s %3.0f-%-3.0f %4s"), _(tr[k].name), tr[k].lo, tr[k].hi,
                span_names[u->span]);
        sparkline(u, y, 18, series, w, tr[k].lo, tr[k].hi);
        /* "now" is what the table above shows and NEWS2 scores, never
         * the last minute's mean beside it (H17-25). */
        const struct ward_value *v = k == 2 ? NULL : &b->param[k == 0 ? NEWS2_RR : NEWS2_HR];
        char end[24];
        if (v && v->have && !v->stale)
            snprintf(end, sizeof end, _(" now %.0f"), v->value);
        else if (!v && b->score_valid)
            snprintf(end, sizeof end, _(" now %s%d"), b->score.partial ? ">=" : "", b->score.total);
        else
            snprintf(end, sizeof end, "%s", _(" now --"));
        ui_put(y++, 18 + w, COLS - 18 - w, end);
    }
    return y;
}

/* The bed's alarms from row y; returns the next row. */
static int draw_bed_alarms(struct ui *u, const struct ward_bed *b, int64_t now, int y)
{
    if (LINES >= 30)
        y++;
    attron(A_UNDERLINE);
    ui_put(y++, 0, COLS, _("Alarms on this bed (by priority, then the oldest first)"));
    attroff(A_UNDERLINE);
    /* By priority, then age; what does not fit is counted, never dropped
     * in silence (the alarm list has them all). */
    int order[AC_COUNT], na = 0;
    for (int c = 0; c < AC_COUNT; c++)
        if (b->alarms.a[c].state != AS_NONE)
            order[na++] = c;
    for (int i = 1; i < na; i++)
        for (int j = i; j > 0; j--) {
            int x = order[j], p = order[j - 1];
            enum alarm_priority px = alarm_priority_of(x), pp = alarm_priority_of(p);
            bool before = px > pp || (px == pp && b->alarms.a[x].raised_at < b->alarms.a[p].raised_at);
            if (!before)
                break;
            order[j] = p;
            order[j - 1] = x;
        }
    /* Alarms first, at most all but two of the rows left (history keeps a
     * header and a line). */
    int room = LINES - 3 - y - (u->nhist > 0 && LINES >= 30 ? 2 : 0);
    if (room < 1)
        room = 1;
    int show = na <= room ? na : room - 1;
    struct alarm_ref refs[AC_COUNT];
    for (int k = 0; k < na; k++)
        refs[k] = (struct alarm_ref){u->sel, order[k]};
    /* priority marker, four blanks, age */
    struct alarm_cols w = ui_alarm_columns(u, refs, na, false, 12);
    for (int k = 0; k < show; k++) {
        int c = order[k];
        const struct alarm *a = &b->alarms.a[c];
        char age[16], trig[48], state[64], fcond[200], ftrig[100], fstate[120], line[600];
        ui_fmt_age(now - a->raised_at, age, sizeof age);
        ui_alarm_trigger(c, a, trig, sizeof trig);
        ui_alarm_state_text(a, state, sizeof state);
        ui_fit(u, _(alarm_condition_text(c)), w.cond, fcond, sizeof fcond);
        ui_fit(u, trig, w.trig, ftrig, sizeof ftrig);
        ui_fit(u, state, w.state, fstate, sizeof fstate);
        snprintf(line, sizeof line, "%-3s %s %s %s %5s%s", alarm_priority_marker(alarm_priority_of(c)),
                 fcond, ftrig, fstate, age, a->escalated ? _(" ESC") : "");
        attron(ui_prio_attr(u, alarm_priority_of(c), a->acked));
        ui_put(y++, 0, COLS, line);
        attroff(ui_prio_attr(u, alarm_priority_of(c), a->acked));
    }
    if (show < na) {
        attron(A_BOLD);
        ui_putf(y++, 0, COLS, _("+%d more (A: the alarm list)"), na - show);
        attroff(A_BOLD);
    }
    if (na == 0)
        ui_put(y++, 0, COLS, _("none"));
    return y;
}

/* The event names of the alarm history, for the catalogue (alarm.c names
 * them in English for the store and the audit). */
static const char *const event_words[] __attribute__((unused)) = {
    N_("raised"), N_("acknowledged"), N_("realerted"), N_("escalated"),
    N_("ended"),  N_("latched"),      N_("reset"),     N_("superseded"),
};

/* A history line in the board's language, worded from its parts (protocol
 * 8); the server's English line when it has none. Cleaned for the screen. */
static void hist_text(const struct ward_history_line *l, char *out, size_t n)
{
    char raw[512];
    const char *by = l->by[0] ? _(" by ") : "";
    /* gettext("") is the catalogue's header: an empty part stays empty */
    const char *detail = l->detail[0] ? _(l->detail) : "";
    int p = l->kind == WH_OBS ? news2_param_find(l->what) : -1;
    int c = l->kind == WH_ALARM ? alarm_condition_find(l->what) : -1;
    const char *note = ward_history_note(l);
    if (p >= 0)
        snprintf(raw, sizeof raw, _("obs %s = %s (%s)"), _(news2_param_label(p)),
                 p == NEWS2_O2 ? detail : l->detail, l->by);
    else if (note)
        snprintf(raw, sizeof raw, _("note (%s)%s: %s"), l->by, l->on_alarm ? _(" on alarm") : "",
                 note);
    else if (c >= 0)
        snprintf(raw, sizeof raw, _("alarm %s %s %s%s%s"),
                 alarm_priority_marker(alarm_priority_of(c)), _(alarm_condition_text(c)),
                 detail, by, l->by);
    else
        snprintf(raw, sizeof raw, "%s", l->text);
    ww_sanitize_text(out, n, raw, false);
}

/* The stay's history from row y to the message line. */
static void draw_history(struct ui *u, const struct ward_bed *b, int64_t now, int y)
{
    /* Observations, notes and alarm history of the last 12 hours. */
    int64_t mono = ww_mono_ms();
    /* Asked again at once when the bed's admission changed: the lines are
     * the stay's own (H16-8). */
    if (u->hist_bed != u->sel || u->hist_adm != b->admission_id || mono - u->hist_at > 3000) {
        u->nhist = u->v.ops->history(u->v.ctx, u->sel, now - 12 * 3600000LL, now + 1, u->hist,
                                (int)WW_ARRAY_LEN(u->hist));
        if (u->nhist < 0)
            u->nhist = 0;
        u->hist_bed = u->sel;
        u->hist_adm = b->admission_id;
        u->hist_at = mono;
    }
    /* Never dropped without a word: the newest lines as fit, the heading
     * saying how many older ones are left out, and on one line alone the
     * newest entry with the count. */
    int avail = LINES - 2 - y;
    if (avail <= 0)
        return;
    if (avail == 1) {
        if (u->nhist > 0) {
            char ts[32], clean[400];
            ww_fmt_time(u->hist[u->nhist - 1].t, ts, sizeof ts);
            hist_text(&u->hist[u->nhist - 1], clean, sizeof clean);
            ui_putf(y, 0, COLS, _("History (%d in 12 h), newest: %s  %s"), u->nhist, ts + 11, clean);
        }
        return;
    }
    if (avail >= 3)
        y++;
    int rows = LINES - 2 - y - 1;
    int from = u->nhist > rows ? u->nhist - rows : 0;
    attron(A_UNDERLINE);
    if (from > 0)
        ui_putf(y++, 0, COLS, _("Observations, notes and alarm history (12 h, newest last; %d older not shown)"),
                from);
    else
        ui_put(y++, 0, COLS, _("Observations, notes and alarm history (12 h, newest last)"));
    attroff(A_UNDERLINE);
    for (int k = from; k < u->nhist && y < LINES - 2; k++) {
        char ts[32];
        ww_fmt_time(u->hist[k].t, ts, sizeof ts);
        char clean[400];
        hist_text(&u->hist[k], clean, sizeof clean);
        ui_putf(y++, 0, COLS, "%s  %s", ts + 11, clean);
    }
}

/* Bed detail. */
void ui_draw_detail(struct ui *u)
{
    const struct ward_bed *b = bed_at(u, u->sel);
    int64_t now = ward_now(u);
    draw_head(u, b, now);
    int y = draw_values(u, b, now, 4);
    y = draw_trends(u, b, now, y);
    y = draw_bed_alarms(u, b, now, y);
    draw_history(u, b, now, y);
}
