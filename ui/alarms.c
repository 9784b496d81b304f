/*
 * alarms — every alarm on the ward, most urgent first, with what raised it.
 */
#include "ui.h"

/* All shown alarms on the ward, most urgent first. */
int ui_collect_alarms(struct ui *u, struct alarm_ref *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < nbeds(u); i++)
        for (int c = 0; c < AC_COUNT && n < max; c++)
            if (bed_at(u, i)->alarms.a[c].state != AS_NONE)
                out[n++] = (struct alarm_ref){i, c};
    for (int i = 1; i < n; i++) {
        struct alarm_ref x = out[i];
        int j = i;
        while (j > 0) {
            const struct alarm *a = &bed_at(u, x.bed)->alarms.a[x.cond];
            const struct alarm *b = &bed_at(u, out[j - 1].bed)->alarms.a[out[j - 1].cond];
            if (alarm_urgency_cmp(x.cond, a, out[j - 1].cond, b) >= 0)
                break;
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return n;
}

/* The alarm list's cursor stays on its alarm through a re-sort; when the
 * alarm has gone it stays on the row. */
void ui_alarm_sel_follow(struct ui *u, const struct alarm_ref *refs, int n)
{
    for (int k = 0; k < n && u->alarm_sel_id; k++)
        if (bed_at(u, refs[k].bed)->alarms.a[refs[k].cond].id == u->alarm_sel_id) {
            u->alarm_sel = k;
            return;
        }
    if (u->alarm_sel >= n)
        u->alarm_sel = n ? n - 1 : 0;
    u->alarm_sel_id = n ? bed_at(u, refs[u->alarm_sel].bed)->alarms.a[refs[u->alarm_sel].cond].id : 0;
}

/* Alarm list. */
/* All shown alarms into a table as large as the ward needs (grown, kept
 * for the next draw: the board is one thread); -1 when out of memory. */
static int collect_all(struct ui *u, struct alarm_ref **out)
{
    static struct alarm_ref *buf;
    static size_t cap;
    size_t want = nbeds(u) * AC_COUNT + 1;
    if (want > cap) {
        struct alarm_ref *nb = realloc(buf, want * sizeof *nb);
        if (!nb)
            return -1;
        buf = nb;
        cap = want;
    }
    *out = buf;
    return ui_collect_alarms(u, buf, (int)want);
}

/* Widths of an alarm table's columns (ui.h): each as wide as its longest
 * text (a condition or a limit is read whole wherever the row has room,
 * in either language). When the row is too narrow the bed gives way first,
 * then the condition, the state, and last what raised the alarm; a cut
 * text ends in an ellipsis. */
static int max_width(int w, const char *s)
{
    int k = ww_utf8_width(s);
    return k > w ? k : w;
}

struct alarm_cols ui_alarm_columns(struct ui *u, const struct alarm_ref *refs, int n, bool bed,
                                   int fixed)
{
    struct alarm_cols w = {0, 0, 0, 0, false};
    for (int k = 0; k < n; k++) {
        const struct ward_bed *b = bed_at(u, refs[k].bed);
        const struct alarm *a = &b->alarms.a[refs[k].cond];
        char trig[48], state[64];
        ui_alarm_trigger(refs[k].cond, a, trig, sizeof trig);
        ui_alarm_state_text(a, state, sizeof state);
        if (bed)
            w.bed = max_width(w.bed, b->label);
        w.cond = max_width(w.cond, _(alarm_condition_text(refs[k].cond)));
        w.trig = max_width(w.trig, trig);
        w.state = max_width(w.state, state);
        w.esc |= a->escalated;
    }
    int over = w.bed + w.cond + w.trig + w.state + fixed + (w.esc ? ww_utf8_width(_(" ESC")) : 0) - COLS;
    int *col[] = {&w.bed, &w.cond, &w.state, &w.bed, &w.cond, &w.trig, &w.state};
    static const int floor_at[] = {13, 18, 10, 8, 12, 8, 6};
    for (size_t i = 0; i < sizeof floor_at / sizeof floor_at[0] && over > 0; i++) {
        int give = *col[i] - floor_at[i];
        if (give <= 0)
            continue;
        if (give > over)
            give = over;
        *col[i] -= give;
        over -= give;
    }
    return w;
}

void ui_draw_alarms(struct ui *u)
{
    struct alarm_ref *refs;
    int n = collect_all(u, &refs);
    int64_t now = ward_now(u);
    if (n < 0) {
        attron(ui_prio_attr(u, AP_HIGH, false));
        ui_putf(1, 0, COLS, _("Alarms on the ward: cannot list them (out of memory)"));
        attroff(ui_prio_attr(u, AP_HIGH, false));
        return;
    }
    attron(A_BOLD);
    ui_putf(1, 0, COLS, _("Alarms on the ward: %d"), n);
    attroff(A_BOLD);
    if (u->stale) {
        /* This terminal's own technical alarm heads the list. */
        attron(ui_prio_attr(u, AP_HIGH, false));
        ui_put(2, 0, COLS, _("*** this terminal: connection to the monitoring server lost; the list below "
                          "is STALE"));
        attroff(ui_prio_attr(u, AP_HIGH, false));
    }
    ui_alarm_sel_follow(u, refs, n);
    /* selection mark, priority marker, five spaces, age */
    struct alarm_cols w = ui_alarm_columns(u, refs, n, true, 14);
    int rows = LINES - 5;
    int top = u->alarm_sel >= rows ? u->alarm_sel - rows + 1 : 0;
    for (int k = top; k < n && 3 + k - top < LINES - 2; k++) {
        const struct ward_bed *b = bed_at(u, refs[k].bed);
        const struct alarm *a = &b->alarms.a[refs[k].cond];
        int c = refs[k].cond;
        char age[16], trig[48], state[64];
        ui_fmt_age(now - a->raised_at, age, sizeof age);
        ui_alarm_trigger(c, a, trig, sizeof trig);
        ui_alarm_state_text(a, state, sizeof state);
        char fbed[160], fcond[200], ftrig[100], fstate[120], line[1024];
        ui_fit(u, b->label, w.bed, fbed, sizeof fbed);
        ui_fit(u, _(alarm_condition_text(c)), w.cond, fcond, sizeof fcond);
        ui_fit(u, trig, w.trig, ftrig, sizeof ftrig);
        ui_fit(u, state, w.state, fstate, sizeof fstate);
        snprintf(line, sizeof line, "%s%-3s %s %s %s %s %5s%s", k == u->alarm_sel ? ">" : " ",
                 alarm_priority_marker(alarm_priority_of(c)), fbed, fcond, ftrig, fstate, age,
                 a->escalated ? _(" ESC") : "");
        attr_t at = ui_prio_attr(u, alarm_priority_of(c), a->acked);
        if (k == u->alarm_sel)
            at |= A_UNDERLINE;
        attron(at);
        ui_put(3 + k - top, 0, COLS, line);
        attroff(at);
    }
    if (n > rows) {
        char more[64];
        snprintf(more, sizeof more, _("%d-%d of %d (up/down scroll)"), top + 1,
                 top + rows < n ? top + rows : n, n);
        ui_put(1, COLS - 30 > 0 ? COLS - 30 : 0, 30, more);
    }
}

/* The alarms in `rows` lines from row y, most urgent first, one line each
 * ("*** Rom 1 vindu | NEWS2 high NEWS2 8 >= 7 | active 2m"): what a
 * terminal too small for the board still shows, so no alarm is hidden by
 * the size of a window. The last line says how many did not fit. Returns
 * the number of alarms (-1: out of memory). */
int ui_draw_alarms_compact(struct ui *u, int y, int rows)
{
    struct alarm_ref *refs;
    int n = collect_all(u, &refs);
    int64_t now = ward_now(u);
    if (rows < 1)
        return n;
    if (n <= 0) {
        ui_put(y, 0, COLS, n < 0 ? _("Alarms on the ward: cannot list them (out of memory)")
                                 : _("No alarms on the ward"));
        return n;
    }
    /* one row: the most urgent alarm (the count is on the line above);
     * more: as many as fit, the last row the number left out */
    int shown = n <= rows ? n : rows > 1 ? rows - 1 : 1;
    for (int k = 0; k < shown; k++) {
        const struct ward_bed *b = bed_at(u, refs[k].bed);
        const struct alarm *a = &b->alarms.a[refs[k].cond];
        int c = refs[k].cond;
        char age[16], trig[48], state[64], line[1024];
        ui_fmt_age(now - a->raised_at, age, sizeof age);
        ui_alarm_trigger(c, a, trig, sizeof trig);
        ui_alarm_state_text(a, state, sizeof state);
        snprintf(line, sizeof line, "%-3s %s | %s%s%s | %s %s%s",
                 alarm_priority_marker(alarm_priority_of(c)), b->label, _(alarm_condition_text(c)),
                 trig[0] ? " " : "", trig, state, age, a->escalated ? _(" ESC") : "");
        char fit[1200];
        ui_fit(u, line, COLS, fit, sizeof fit);
        attr_t at = ui_prio_attr(u, alarm_priority_of(c), a->acked);
        attron(at);
        ui_put(y + k, 0, COLS, fit);
        attroff(at);
    }
    if (shown < n && rows > 1) {
        attron(A_BOLD);
        ui_putf(y + shown, 0, COLS, _("+%d more alarms: enlarge the terminal"), n - shown);
        attroff(A_BOLD);
    }
    return n;
}

/* A key on the alarm list: up/down move the cursor, a, r and n act on the
 * alarm under it. True when the key was taken. */
bool ui_alarms_key(struct ui *u, wint_t ch)
{
    struct alarm_ref *refs;
    {
        int n = collect_all(u, &refs);
        if (n < 0)
            return false;
        ui_alarm_sel_follow(u, refs, n);
        if (ch == 'k' && u->alarm_sel > 0)
            u->alarm_sel--;
        else if (ch == 'j' && u->alarm_sel + 1 < n)
            u->alarm_sel++;
        if (n)
            u->alarm_sel_id = bed_at(u, refs[u->alarm_sel].bed)->alarms.a[refs[u->alarm_sel].cond].id;
        if (n && (ch == 'a' || ch == 'r' || ch == 'n'))
            u->sel = refs[u->alarm_sel].bed;
        if (n && ch == 'n') {
            const struct alarm *a = &bed_at(u, u->sel)->alarms.a[refs[u->alarm_sel].cond];
            ui_form_start(u, F_NOTE);
            u->note_alarm = a->id;
            return true;
        }
        if (n && (ch == 'a' || ch == 'r')) {
            /* act on the selected alarm: make it the one the form targets */
            const struct alarm *a = &bed_at(u, u->sel)->alarms.a[refs[u->alarm_sel].cond];
            ui_form_start(u, ch == 'a' ? F_ACK : F_RESET);
            u->note_alarm = a->id;
            return true;
        }
    }
    return ch == 'j' || ch == 'k';
}
