/*
 * board — the ncurses bed-board (contract in board.h). Screens (board, bed
 * detail, alarm list, help) each have a draw and a key function chosen by
 * state, as in ncdu; a form line at the bottom collects initials and values
 * and validates as the nurse types. Redraw is driven by a dirty flag and the
 * alarm flash phase, from a 100 ms loop timer.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "board.h"

#include "alarm.h"
#include "config.h"
#include "handover.h"
#include "log.h"
#include "news2.h"
#include "util.h"
#include "ward.h"

#include <curses.h>
#include <langinfo.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* Every string a nurse sees goes through gettext (catalogues in po/). */
#define _(s) gettext(s)
#define N_(s) (s)

enum ui_screen { SCR_BOARD, SCR_DETAIL, SCR_ALARMS, SCR_HELP, SCR_HANDOVER };
enum form_kind {
    F_NONE, F_ACK, F_RESET, F_OBS, F_NOTE, F_ADMIT, F_DISCHARGE, F_PAUSE, F_QUIT, F_PRINT,
    F_HANDOVER
};

struct alarm_ref {
    size_t bed;
    int cond;
};

struct ui {
    struct loop *loop;
    struct view v;
    struct board_opts o;
    enum ui_screen scr;
    size_t sel;          /* selected bed */
    int alarm_sel;       /* selected row in the alarm list */
    bool by_urgency;
    int span;            /* detail trend span index */
    bool utf8, colour;
    bool dirty;
    int flash_phase;
    int64_t last_bell[4];
    /* form */
    enum form_kind form;
    int step;
    /* a note is as long as the nurse writes it (WARD_NOTE_MAX bytes) */
    char field[4][WARD_NOTE_MAX + 1];
    char input[WARD_NOTE_MAX + 1];
    char msg[256];
    bool msg_error;
    int64_t note_alarm;
    size_t form_bed;
    size_t order[CONFIG_MAX_BEDS];
    int tile_w, tile_h, tile_cols; /* board layout, for mouse clicks */
    /* detail view history, refreshed from the store every few seconds */
    struct ward_history_line hist[64];
    int nhist;
    size_t hist_bed;
    int64_t hist_adm; /* the admission the lines are of */
    int64_t hist_at;
    /* a command sent and not answered yet */
    bool pending;
    char pending_who[24];
    char pending_what[400]; /* what the command did to what, said again in the answer */
    char pending_target[300]; /* what it acts on, for a refusal */
    bool stale;         /* attached and the server is gone: data is old */
    int64_t link_bell;  /* last bell for the lost server */
    /* handover preview: the lines of the chosen shift, built on entry */
    struct handover_line *ho;
    size_t nho;
    int ho_top;
    char ho_head[3][256];
    char ho_shift[16];
    char ho_who[24]; /* who views the handover preview (audited) */
    char print_who[24]; /* initials of the print under way, "" none */
    int64_t ho_t0, ho_t1;
};

/* The view's reads, short. */
static size_t nbeds(struct ui *u)
{
    return u->v.ops->nbeds(u->v.ctx);
}

static const struct ward_bed *bed_at(struct ui *u, size_t i)
{
    return u->v.ops->bed(u->v.ctx, i);
}

static int64_t ward_now(struct ui *u)
{
    return u->v.ops->now(u->v.ctx);
}

#define CP_HIGH 1
#define CP_MED 2
#define CP_LOW 3
#define CP_OK 4
#define CP_HEAD 5
#define CP_STALE 6

/* Put text clipped to width columns (UTF-8 aware), padding with spaces. */
static void put(int y, int x, int width, const char *s)
{
    if (width <= 0)
        return;
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

/* printf then put. */
static void putf(int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void putf(int y, int x, int width, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(y, x, width, buf);
}

/* Attribute for an alarm priority, with the flash phase. */
static attr_t prio_attr(struct ui *u, enum alarm_priority p, bool acked)
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
static void fmt_age(int64_t ms, char *buf, size_t n)
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

static const char *arrow(struct ui *u, int t)
{
    if (u->utf8)
        return t > 0 ? "↑" : t < 0 ? "↓" : "→";
    return t > 0 ? "^" : t < 0 ? "v" : "-";
}

/* "RR 24↑ 12s" or "RR stale 3m" or "RR --". */
static void fmt_value(struct ui *u, const char *name, const struct ward_value *v, int trend,
                      int64_t now, char *buf, size_t n, bool *stale)
{
    char age[16];
    *stale = false;
    if (!v->have) {
        snprintf(buf, n, "%s --", name);
        return;
    }
    fmt_age(now - v->t_ms, age, sizeof age);
    if (v->stale) {
        *stale = true;
        snprintf(buf, n, _("%s stale %s"), name, age);
        return;
    }
    /* A hand count ("c", counted) outranks the radar for a while. */
    snprintf(buf, n, "%s %3.0f%s %s%s", name, v->value, arrow(u, trend), age,
             v->automatic ? "" : " c");
}

/* Bed order for the board: by bed, or by urgency. */
static void compute_order(struct ui *u)
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

/* One bed tile of h rows at (y, x), w wide. */
static void draw_tile(struct ui *u, size_t i, int y, int x, int w, int h, bool selected)
{
    const struct ward_bed *b = bed_at(u, i);
    int64_t now = ward_now(u);
    attr_t head = A_BOLD | (selected ? A_REVERSE : A_UNDERLINE);
    if (u->colour && !selected)
        head |= COLOR_PAIR(CP_HEAD);
    attron(head);
    putf(y, x, w - 1, _("%s%s %s%s"), selected ? ">" : " ", b->label,
         b->admitted ? b->patient_ref : _("(free)"), u->stale ? _(" STALE") : "");
    attroff(head);
    char rr[64], hr[64];
    bool s1, s2;
    fmt_value(u, _("RR"), &b->param[NEWS2_RR], view_trend_arrow(b, 0, now), now, rr, sizeof rr,
              &s1);
    fmt_value(u, _("HR"), &b->param[NEWS2_HR], view_trend_arrow(b, 1, now), now, hr, sizeof hr,
              &s2);
    /* Without the server every number is the last one known: dimmed. */
    s1 |= u->stale;
    s2 |= u->stale;
    int half = (w - 1) / 2;
    /* A value never loses part of itself: "RR stale 22s" cut to "RR stale
     * 22" reads as RR 22. What does not fit drops its age (the detail has it). */
    if (ww_utf8_width(rr) > half - 1 && s1)
        snprintf(rr, sizeof rr, _("%s stale"), _("RR"));
    if (ww_utf8_width(hr) > w - 1 - half && s2)
        snprintf(hr, sizeof hr, _("%s stale"), _("HR"));
    if (s1)
        attron(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    put(y + 1, x, half - 1, rr); /* a blank between the two, always */
    attroff(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    if (s2)
        attron(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    put(y + 1, x + half, w - 1 - half, hr);
    attroff(A_DIM | (u->colour ? COLOR_PAIR(CP_STALE) : 0));
    if (h > 2) {
        if (b->score_valid)
            putf(y + 2, x, w - 1, _("NEWS2 %s%d %s%s%s"), b->score.partial ? (u->utf8 ? "≥" : ">=") : "",
                 b->score.total, _(news2_band_name(b->score.band)),
                 b->score.partial ? _(" partial") : "", b->obs_overdue ? _(" OBS DUE") : "");
        else
            put(y + 2, x, w - 1, _("NEWS2 --"));
    }
    if (h > 3) {
        int c = alarm_most_urgent(&b->alarms);
        if (c >= 0) {
            const struct alarm *a = &b->alarms.a[c];
            enum alarm_priority p = alarm_priority_of(c);
            attron(prio_attr(u, p, a->acked || a->state == AS_LATCHED));
            putf(y + 3, x, w - 1, _("%s %s %s%s"), alarm_priority_marker(p), _(alarm_condition_text(c)),
                 _(alarm_state_name(a)), a->escalated ? " ESC" : "");
            attroff(prio_attr(u, p, a->acked || a->state == AS_LATCHED));
        } else {
            put(y + 3, x, w - 1, "");
        }
    }
    if (h > 4) {
        attr_t sa = b->sensor == WSENS_OK || b->sensor == WSENS_NONE ? A_NORMAL : A_BOLD;
        attron(sa);
        char age[16];
        fmt_age(now - b->sensor_since, age, sizeof age);
        putf(y + 4, x, w - 1, _("sensor: %s%s%s"), _(ward_sensor_state_name(b->sensor)),
             b->sensor == WSENS_OK || b->sensor == WSENS_NONE ? "" : " for ",
             b->sensor == WSENS_OK || b->sensor == WSENS_NONE ? "" : age);
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
        putf(y + 5, x, w - 1, _("q %s  obs %s%s"), q, due, b->scale2 ? _("  Scale 2") : "");
    }
}

/* Status line. */
static void draw_status(struct ui *u)
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
        fmt_age(ww_mono_ms() - since, age, sizeof age);
        attron(prio_attr(u, AP_HIGH, false));
        if (link == VIEW_LOST)
            putf(0, 0, COLS, _(" *** SERVER LOST %s: data below is STALE, reconnecting | %s | %s"),
                 age, c->name, clock + 11);
        else
            putf(0, 0, COLS, _(" *** CONNECTING to the monitoring server (%s) %s | %s"), detail, age,
                 c->name);
        attroff(prio_attr(u, AP_HIGH, false));
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
    putf(0, 0, COLS, _(" %s%s%s | store %s | %s%s | %s"), clock + 11, pause, mode,
         u->v.ops->store_ok(u->v.ctx) ? _("ok") : _("FAILING"), sens, faulty, c->name);
    attroff(A_REVERSE);
}

/* Longest input of the form's current field, in bytes of UTF-8: what the
 * ward, the protocol and the store take whole (hazard H16-9). */
static size_t form_limit(const struct ui *u)
{
    switch (u->form) {
    case F_NOTE:
        return u->step == 0 ? WARD_NOTE_MAX : 16;
    case F_ADMIT:
        return u->step == 0 ? sizeof ((struct ward_cmd *)0)->ref - 1
               : u->step == 1 ? WARD_NOTE_MAX
                              : 16;
    case F_OBS:
        return u->step == 0   ? sizeof ((struct ward_cmd *)0)->param - 1
               : u->step == 1 ? sizeof ((struct ward_cmd *)0)->value - 1
               : u->step == 2 ? sizeof ((struct ward_cmd *)0)->prescriber - 1
                              : 16;
    case F_QUIT:
        return 1;
    default:
        return 16; /* initials (config_staff_syntax: 2-16) */
    }
}

/* Columns of the UTF-8 character at s, its length in *len. */
static int char_cols(const char *s, size_t *len)
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

/* The input line: prompt, the end of what is typed (a long note scrolls:
 * "<" marks text before what is shown), and how full the field is
 * ("312/4000") when the field holds more than a short id. */
static void draw_input(struct ui *u, const char *prompt)
{
    size_t limit = form_limit(u), len = strlen(u->input);
    char count[48] = "";
    if (limit > 16)
        snprintf(count, sizeof count, "  %zu/%zu", len, limit);
    char head[400];
    snprintf(head, sizeof head, _("%s: "), prompt);
    int avail = COLS - 1 - ww_utf8_width(head) - (int)strlen(count) - 1;
    if (avail < 4)
        avail = 4;
    int total = ww_utf8_width(u->input);
    const char *p = u->input;
    bool cut = false;
    while (*p && total > avail - (cut ? 1 : 0)) {
        size_t n;
        total -= char_cols(p, &n);
        p += n;
        cut = true;
    }
    char line[4 * 512];
    snprintf(line, sizeof line, "%s%s%s_%s", head, cut ? "<" : "", p, count);
    move(LINES - 1, 0);
    clrtoeol();
    put(LINES - 1, 0, COLS, line);
}

/* "RR high on Rom 2 dør (PAS-77)" / "Rom 2 dør (PAS-77)": what the open
 * form acts on, from its own bed and alarm id (never the selection now). */
static void form_target(struct ui *u, char *buf, size_t n)
{
    buf[0] = 0;
    if (u->form_bed >= nbeds(u))
        return;
    const struct ward_bed *b = bed_at(u, u->form_bed);
    char who[160];
    if (b->admitted)
        snprintf(who, sizeof who, "%s (%s)", b->label, b->patient_ref);
    else
        snprintf(who, sizeof who, "%s (%s)", b->label, _("no patient"));
    int c = (u->form == F_ACK || u->form == F_RESET || (u->form == F_NOTE && u->note_alarm))
                ? alarm_find_id(&b->alarms, u->note_alarm)
                : -1;
    if (c >= 0)
        snprintf(buf, n, _("%s on %s"), _(alarm_condition_text(c)), who);
    else
        snprintf(buf, n, "%s", who);
}

/* Bottom lines: message and keys or the active form. */
static void draw_bottom(struct ui *u)
{
    static const char *prompts[] = {
        [F_ACK] = N_("Acknowledge: your initials"),
        [F_RESET] = N_("Reset latched alarm: your initials"),
        [F_NOTE] = N_("Note"),
        [F_DISCHARGE] = N_("Discharge this patient? Your initials to confirm"),
        [F_PAUSE] = N_("Pause audio: your initials"),
        [F_QUIT] = N_("Quit? Monitoring in this terminal STOPS (y/n)"),
        [F_PRINT] = N_("Print handover: your initials"),
        [F_HANDOVER] = N_("Handover summary (patient data; audited): your initials"),
    };
    if (u->form != F_NONE) {
        const char *prompt = _(prompts[u->form]);
        if (u->form == F_QUIT && !u->o.embedded)
            prompt = _("Quit this board? Monitoring continues on the server (y/n)");
        char buf[320];
        if (u->form == F_OBS) {
            static const char *st[] = {N_("Observation (spo2 o2 sbp temp acvpu rr hr scale)"),
                                       N_("Value"), N_("Prescribed by (clinician)"),
                                       N_("Your initials")};
            prompt = _(st[u->step]);
            if (u->step == 1) {
                snprintf(buf, sizeof buf, _("Value for %s"), u->field[0]);
                prompt = buf;
            }
        } else if (u->form == F_NOTE && u->step == 1) {
            prompt = _("Your initials");
        } else if (u->form == F_ADMIT) {
            static const char *st[] = {N_("Admit: patient reference (pseudonymous)"),
                                       N_("Admission note"), N_("Your initials")};
            prompt = _(st[u->step]);
        }
        /* Every prompt names what it acts on: the bed, the patient and, for
         * acknowledge and reset, the alarm (a form keeps its target). */
        char named[1000];
        char target[300];
        form_target(u, target, sizeof target);
        if (target[0] && u->form != F_QUIT && u->form != F_PAUSE && u->form != F_PRINT) {
            snprintf(named, sizeof named, "%s | %s", target, prompt);
            prompt = named;
        }
        attron(A_BOLD);
        draw_input(u, prompt);
        attroff(A_BOLD);
    } else {
        put(LINES - 1, 0, COLS,
            u->scr == SCR_BOARD ? _("arrows/hjkl move  Enter bed  a ack  r reset  o obs  n note  "
                                    "i admit  d discharge  A alarms  H handover  s sort  p pause  F1/? help  q quit")
            : u->scr == SCR_ALARMS ? _("up/down select  a acknowledge  r reset  n note  Esc back")
            : u->scr == SCR_DETAIL ? _("a ack  r reset  o obs  n note  t trend span  Esc back")
            : u->scr == SCR_HANDOVER ? _("up/down PgUp/PgDn scroll  c shift  p print  Esc back")
                                   : _("Esc back"));
    }
    if (u->msg[0]) {
        attr_t a = u->msg_error ? (A_BOLD | (u->colour ? COLOR_PAIR(CP_HIGH) : A_REVERSE)) : A_NORMAL;
        attron(a);
        put(LINES - 2, 0, COLS, u->msg);
        attroff(a);
    }
}

/* The board of tiles. */
static void draw_board(struct ui *u)
{
    size_t n = nbeds(u);
    compute_order(u);
    int rows_avail = LINES - 3;
    int cols = COLS / 26;
    if (cols < 1)
        cols = 1;
    if ((size_t)cols > n)
        cols = (int)(n ? n : 1);
    int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
    int h = rows ? rows_avail / rows : rows_avail;
    if (h > 7)
        h = 7;
    int w = COLS / cols;
    for (size_t k = 0; k < n; k++) {
        int r = (int)k / cols, c = (int)k % cols;
        size_t i = u->order[k];
        draw_tile(u, i, 1 + r * h, c * w, w, h < 6 ? h : 6, i == u->sel);
        u->tile_w = w;
        u->tile_h = h;
        u->tile_cols = cols;
    }
}

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

/* Bed detail. */
static void draw_detail(struct ui *u)
{
    const struct ward_bed *b = bed_at(u, u->sel);
    int64_t now = ward_now(u);
    char t[32];
    attron(A_BOLD);
    putf(1, 0, COLS, "%s  %s", b->label,
         b->admitted ? b->patient_ref : _("(no patient admitted: press i to admit)"));
    attroff(A_BOLD);
    if (b->admitted) {
        ww_fmt_time(b->admitted_at, t, sizeof t);
        putf(2, 0, COLS, _("admitted %s  SpO2 scale %d%s%s"), t, b->scale2 ? 2 : 1,
             b->scale2 ? " by " : "", b->scale2 ? b->scale2_by : "");
        /* What happens, on a line of its own so it is never cut: the
         * limit values themselves alarm (H16-14). */
        putf(3, 0, COLS, _("alarm at RR <= %g or >= %g, HR <= %g or >= %g%s%s"),
             b->limits.rr_low, b->limits.rr_high, b->limits.hr_low, b->limits.hr_high,
             b->limits_reason[0] ? ": " : "", b->limits_reason);
    }
    int y = 4;
    attron(A_UNDERLINE);
    put(y++, 0, COLS, _("NEWS2 parameter        value    points  source"));
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
        fmt_age(now - v->t_ms, age, sizeof age);
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
        putf(y++, 0, COLS, _("%-22s %-8s %-7s %s"), _(news2_param_label(p)), val,
             pts >= 0 ? (char[8]){(char)('0' + pts), 0} : "-", src);
    }
    if (b->score_valid)
        putf(y++, 0, COLS, _("NEWS2 %s%d  %s%s   next observations due %s"), b->score.partial ? ">= " : "",
             b->score.total, _(news2_band_name(b->score.band)), b->score.partial ? " (partial)" : "",
             b->obs_due_ms ? (ww_fmt_time(b->obs_due_ms, t, sizeof t), t + 11) : "-");
    y++;
    static const int64_t spans[] = {3600000, 4 * 3600000, 12 * 3600000};
    static const char *span_names[] = {"1 h", "4 h", "12 h"};
    int w = COLS - 16 > 120 ? 120 : COLS - 16;
    float series[128];
    /* The admission's trends only: a new patient's start empty (H16-8). */
    view_trend(b, 0, now, spans[u->span], series, (size_t)w);
    putf(y, 0, 14, _("RR %s"), span_names[u->span]);
    sparkline(u, y++, 14, series, w, 0, 40);
    view_trend(b, 1, now, spans[u->span], series, (size_t)w);
    putf(y, 0, 14, _("HR %s"), span_names[u->span]);
    sparkline(u, y++, 14, series, w, 30, 180);
    view_trend(b, 2, now, spans[u->span], series, (size_t)w);
    putf(y, 0, 14, _("NEWS2 %s"), span_names[u->span]);
    sparkline(u, y++, 14, series, w, 0, 14);
    y++;
    attron(A_UNDERLINE);
    put(y++, 0, COLS, _("Alarms on this bed"));
    attroff(A_UNDERLINE);
    int first_alarm_row = y;
    (void)first_alarm_row;
    for (int c = 0; c < AC_COUNT && y < LINES - 3; c++) {
        const struct alarm *a = &b->alarms.a[c];
        if (a->state == AS_NONE)
            continue;
        char age[16];
        fmt_age(now - a->raised_at, age, sizeof age);
        attron(prio_attr(u, alarm_priority_of(c), a->acked || a->state == AS_LATCHED));
        putf(y++, 0, COLS, _("%-3s %-28s %-12s %s%s%s"), alarm_priority_marker(alarm_priority_of(c)),
             _(alarm_condition_text(c)), _(alarm_state_name(a)), age, a->acked ? " by " : "",
             a->acked ? a->acked_by : "");
        attroff(prio_attr(u, alarm_priority_of(c), a->acked || a->state == AS_LATCHED));
    }
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
    if (y < LINES - 3) {
        y++;
        attron(A_UNDERLINE);
        put(y++, 0, COLS, _("Observations, notes and alarm history (12 h, newest last)"));
        attroff(A_UNDERLINE);
    }
    int rows = LINES - 2 - y;
    int from = u->nhist > rows ? u->nhist - rows : 0;
    for (int k = from; k < u->nhist && y < LINES - 2; k++) {
        char ts[32];
        ww_fmt_time(u->hist[k].t, ts, sizeof ts);
        char clean[200];
        ww_sanitize_text(clean, sizeof clean, u->hist[k].text, false);
        putf(y++, 0, COLS, "%s  %s", ts + 11, clean);
    }
}

/* All shown alarms on the ward, most urgent first. */
static int collect_alarms(struct ui *u, struct alarm_ref *out, int max)
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

/* Alarm list. */
static void draw_alarms(struct ui *u)
{
    struct alarm_ref refs[CONFIG_MAX_BEDS * AC_COUNT];
    int n = collect_alarms(u, refs, (int)WW_ARRAY_LEN(refs));
    int64_t now = ward_now(u);
    attron(A_BOLD);
    putf(1, 0, COLS, _("Alarms on the ward: %d"), n);
    attroff(A_BOLD);
    if (u->stale) {
        /* This terminal's own technical alarm heads the list. */
        attron(prio_attr(u, AP_HIGH, false));
        put(2, 0, COLS, _("*** this terminal: connection to the monitoring server lost; the list below "
                          "is STALE"));
        attroff(prio_attr(u, AP_HIGH, false));
    }
    if (u->alarm_sel >= n)
        u->alarm_sel = n ? n - 1 : 0;
    for (int k = 0; k < n && 3 + k < LINES - 2; k++) {
        const struct ward_bed *b = bed_at(u, refs[k].bed);
        const struct alarm *a = &b->alarms.a[refs[k].cond];
        char age[16];
        fmt_age(now - a->raised_at, age, sizeof age);
        attr_t at = prio_attr(u, alarm_priority_of(refs[k].cond), a->acked || a->state == AS_LATCHED);
        if (k == u->alarm_sel)
            at |= A_UNDERLINE;
        attron(at);
        putf(3 + k, 0, COLS, _("%s%-3s %-16s %-28s %-12s %5s%s%s%s"), k == u->alarm_sel ? ">" : " ",
             alarm_priority_marker(alarm_priority_of(refs[k].cond)), b->label,
             _(alarm_condition_text(refs[k].cond)), _(alarm_state_name(a)), age,
             a->acked ? " by " : "", a->acked ? a->acked_by : "", a->escalated ? " ESCALATED" : "");
        attroff(at);
    }
}

/* Help. */
static void draw_help(struct ui *u)
{
    static const char *lines[] = {
        N_("wardwatch bed-board — keys"),
        "",
        N_("  arrows, h j k l   move between beds"),
        N_("  Enter             bed detail (NEWS2 parts, trends, alarms)"),
        N_("  a                 acknowledge the bed's most urgent alarm (asks initials)"),
        N_("  r                 reset a latched alarm whose condition is over"),
        N_("  o                 enter an observation: spo2 o2 sbp temp acvpu (rr hr by hand),"),
        N_("                    or 'scale' to switch SpO2 Scale 1/2 (asks who prescribed it)"),
        N_("  n                 write a note (on the bed, or on the alarm in the alarm list)"),
        N_("  i / d             admit / discharge a patient"),
        N_("  A                 alarm list: every active, acknowledged and latched alarm"),
        N_("  s                 sort the board by bed or by urgency"),
        N_("  p                 pause alarm audio on the whole ward (time-limited)"),
        N_("  t                 trend span 1 / 4 / 12 hours (bed detail)"),
        N_("  H                 handover summary of the shift (ISBAR per bed; asks initials,"),
        N_("                    audited); there c picks"),
        N_("                    the shift, p prints it (asks initials; audited)"),
        N_("  Esc               cancel a form without a trace, or go back"),
        N_("  q                 quit (asks first: monitoring in this terminal stops)"),
        "",
        N_("  *** high (fast flash)   ** medium (slow flash)   * low (steady)"),
        N_("  'stale' values are older than their maximum age and are not scored."),
        N_("  NEWS2 >= N partial: a lower bound; something is missing or stale."),
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(lines) && (int)i + 1 < LINES - 2; i++)
        put((int)i + 1, 0, COLS, lines[i][0] ? _(lines[i]) : "");
}

static void set_msg(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* (Re)build the handover preview of the shift named u->ho_shift: the one
 * containing now, else the last one ended. */
static void handover_load(struct ui *u)
{
    const struct ward_config *c = u->v.ops->config(u->v.ctx);
    int64_t now = ward_now(u);
    char err[512];
    free(u->ho);
    u->ho = NULL;
    u->nho = 0;
    u->ho_top = 0;
    u->ho_head[0][0] = u->ho_head[1][0] = u->ho_head[2][0] = 0;
    if (handover_shift_period(c, u->ho_shift, now, &u->ho_t0, &u->ho_t1, err, sizeof err) < 0) {
        set_msg(u, true, _("handover: %s"), err);
        return;
    }
    struct view_handover vh;
    if (u->v.ops->handover(u->v.ctx, u->ho_shift, u->ho_t0, u->ho_t1, u->ho_who, &vh, err,
                           sizeof err) < 0) {
        set_msg(u, true, _("handover: %s"), err);
        return;
    }
    for (int i = 0; i < 3; i++)
        ww_strlcpy(u->ho_head[i], vh.head[i], sizeof u->ho_head[i]);
    u->ho = vh.lines;
    u->nho = vh.n;
}

/* Handover preview: the same lines the printout has, scrollable. */
static void draw_handover(struct ui *u)
{
    attron(A_BOLD);
    put(1, 0, COLS, u->ho_head[0]);
    attroff(A_BOLD);
    put(2, 0, COLS, u->ho_head[1]);
    put(3, 0, COLS, _("Preview - p prints it; the printout is audited."));
    int rows = LINES - 6;
    for (int r = 0; r < rows && u->ho_top + r < (int)u->nho; r++) {
        const struct handover_line *l = &u->ho[u->ho_top + r];
        bool bold = l->kind == HL_BED || l->kind == HL_SECTION;
        if (bold)
            attron(A_BOLD);
        put(4 + r, 0, COLS, l->text);
        if (bold)
            attroff(A_BOLD);
    }
}

/* Scroll the preview by d lines. */
static void handover_scroll(struct ui *u, int d)
{
    int max = (int)u->nho - (LINES - 6);
    u->ho_top += d;
    if (u->ho_top > max)
        u->ho_top = max;
    if (u->ho_top < 0)
        u->ho_top = 0;
}

/* Redraw everything (curses sends only what changed). */
static void draw(struct ui *u)
{
    erase();
    if (LINES < 24 || COLS < 80) {
        put(LINES / 2 - 1, 0, COLS, _("Terminal too small"));
        putf(LINES / 2, 0, COLS, _("need 80x24, have %dx%d"), COLS, LINES);
        put(LINES / 2 + 1, 0, COLS, _("monitoring continues"));
        refresh();
        return;
    }
    u->stale = u->v.ops->link(u->v.ctx, NULL, 0, NULL) == VIEW_LOST;
    if (u->sel >= nbeds(u))
        u->sel = 0;
    if (!nbeds(u) && u->scr == SCR_DETAIL)
        u->scr = SCR_BOARD;
    draw_status(u);
    switch (u->scr) {
    case SCR_BOARD:
        draw_board(u);
        break;
    case SCR_DETAIL:
        draw_detail(u);
        break;
    case SCR_ALARMS:
        draw_alarms(u);
        break;
    case SCR_HELP:
        draw_help(u);
        break;
    case SCR_HANDOVER:
        draw_handover(u);
        break;
    }
    draw_bottom(u);
    refresh();
}

/* Bell for audible alarms: high every 2 s, medium every 5 s, low every 15 s. */
static void bells(struct ui *u)
{
    int64_t now = ward_now(u), mono = ww_mono_ms();
    static const int64_t every[4] = {0, 15000, 5000, 2000};
    enum view_link link = u->v.ops->link(u->v.ctx, NULL, 0, NULL);
    if ((link == VIEW_LOST || link == VIEW_CONNECTING) && mono - u->link_bell >= 2000) {
        beep(); /* the lost server is this terminal's own high-priority alarm */
        u->link_bell = mono;
    }
    for (size_t i = 0; i < nbeds(u); i++)
        for (int c = 0; c < AC_COUNT; c++) {
            const struct alarm *a = &bed_at(u, i)->alarms.a[c];
            enum alarm_priority p = alarm_priority_of(c);
            if (alarm_audible(a, c, u->v.ops->audio(u->v.ctx), now) && mono - u->last_bell[p] >= every[p]) {
                beep();
                u->last_bell[p] = mono;
                return;
            }
        }
}

static void set_msg(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(struct ui *u, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_error = error;
}

/* Start a form. */
static void form_start(struct ui *u, enum form_kind k)
{
    u->form = k;
    u->step = 0;
    u->input[0] = 0;
    memset(u->field, 0, sizeof u->field);
    u->form_bed = u->sel;
    u->msg[0] = 0;
}

/* Live validation of what is being typed; returns true when acceptable. */
static bool form_validate(struct ui *u, bool final)
{
    const struct ward_config *c = u->v.ops->config(u->v.ctx);
    char err[512] = "";
    bool initials = (u->form == F_ACK || u->form == F_RESET || u->form == F_DISCHARGE ||
                     u->form == F_PAUSE || u->form == F_PRINT || u->form == F_HANDOVER) ||
                    (u->form == F_OBS && u->step == 3) || (u->form == F_NOTE && u->step == 1) ||
                    (u->form == F_ADMIT && u->step == 2);
    if (initials) {
        if (!u->input[0]) {
            snprintf(err, sizeof err, _("initials or staff id required"));
        } else if (!config_staff_syntax(u->input)) {
            snprintf(err, sizeof err, _("2-16 letters or digits"));
        } else if (!config_staff_valid(c, u->input)) {
            snprintf(err, sizeof err, _("'%s' is not on the ward's staff list"), u->input);
        }
    } else if (u->form == F_OBS && u->step == 0) {
        if (strcmp(u->input, "scale") && news2_param_find(u->input) < 0)
            snprintf(err, sizeof err, _("one of spo2 o2 sbp temp acvpu rr hr scale"));
    } else if (u->form == F_OBS && u->step == 1) {
        double v;
        if (!strcmp(u->field[0], "scale")) {
            if (strcmp(u->input, "1") && strcmp(u->input, "2"))
                snprintf(err, sizeof err, _("scale: 1 or 2"));
        } else if (news2_parse_value(news2_param_find(u->field[0]), u->input, &v, err,
                                     sizeof err) == 0) {
            err[0] = 0;
        } else {
            /* the reason in the nurse's language, with the accepted range */
            static const char *ranges[NEWS2_NPARAMS] = {"0-80", "50-100", NULL, "40-300",
                                                        "20-300", NULL, "25.0-45.0"};
            int p = news2_param_find(u->field[0]);
            if (p == NEWS2_O2)
                snprintf(err, sizeof err, _("o2: '%s' is not air or oxygen"), u->input);
            else if (p == NEWS2_ACVPU)
                snprintf(err, sizeof err, _("acvpu: '%s' is not one of A, C, V, P, U"), u->input);
            else if (p >= 0)
                snprintf(err, sizeof err,
                         _("%s: '%s' is outside the plausible range %s or not a number"),
                         u->field[0], u->input, ranges[p]);
        }
    } else if (u->form == F_OBS && u->step == 2) {
        if (strlen(u->input) < 2)
            snprintf(err, sizeof err, _("name the prescribing clinician"));
    } else if (u->form == F_ADMIT && u->step == 0) {
        if (strlen(u->input) < 2)
            snprintf(err, sizeof err, _("a pseudonymous reference of 2-32 characters"));
    } else if (u->form == F_NOTE && u->step == 0 && final && !u->input[0]) {
        snprintf(err, sizeof err, _("empty note"));
    }
    if (err[0] && (final || u->input[0]))
        set_msg(u, true, "%s", err);
    else
        u->msg[0] = 0;
    return err[0] == 0;
}

/* The answer to the form's command: committed, or the refusal. */
static void on_reply(void *ctx, bool ok, const char *message)
{
    struct ui *u = ctx;
    u->pending = false;
    if (ok && message && *message)
        set_msg(u, true, _("%s: done, not yet recorded: %s"), u->pending_what,
                message); /* held for the store */
    else if (ok)
        set_msg(u, false, _("%s by %s"), u->pending_what, u->pending_who);
    else
        set_msg(u, true, _("refused (%s): %s"), u->pending_target, message);
    u->dirty = true;
}

/* lp's answer to a print (the ward kept running while it worked). */
static void on_print_reply(void *ctx, bool ok, const char *message)
{
    struct ui *u = ctx;
    if (ok)
        set_msg(u, false, _("handover printed (%s): %s"), u->print_who, message);
    else
        set_msg(u, true, _("printing failed: %s"), message);
    u->print_who[0] = 0;
    u->dirty = true;
}

/* Commit the form's command: through the view, answered when committed
 * (at once in this process, by the server when attached). */
static void form_commit(struct ui *u)
{
    char err[512];
    char target[300];
    form_target(u, target, sizeof target); /* before the form closes */
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.bed = (uint32_t)u->form_bed;
    c.alarm_id = u->note_alarm;
    ww_strlcpy(c.staff, u->input, sizeof c.staff);
    switch (u->form) {
    case F_ACK:
        c.kind = WCMD_ACK;
        break;
    case F_RESET:
        c.kind = WCMD_RESET;
        break;
    case F_DISCHARGE:
        c.kind = WCMD_DISCHARGE;
        break;
    case F_PAUSE:
        c.kind = WCMD_AUDIO_PAUSE;
        break;
    case F_NOTE:
        c.kind = WCMD_NOTE;
        ww_strlcpy(c.text, u->field[0], sizeof c.text);
        break;
    case F_ADMIT:
        c.kind = WCMD_ADMIT;
        ww_strlcpy(c.ref, u->field[0], sizeof c.ref);
        ww_strlcpy(c.text, u->field[1], sizeof c.text);
        break;
    case F_HANDOVER:
        /* Every view of patient data is audited with who: the preview is
         * asked for under these initials (and again under them when the
         * shift is changed with c). */
        ww_strlcpy(u->ho_who, u->input, sizeof u->ho_who);
        u->form = F_NONE;
        handover_load(u);
        u->scr = SCR_HANDOVER;
        return;
    case F_PRINT: {
        /* lp runs beside the ward (it must never hold up the alarms);
         * its answer comes later. */
        if (u->print_who[0]) {
            set_msg(u, true, _("printing failed: the handover printed by %s is not done yet"),
                    u->print_who);
            u->form = F_NONE;
            return;
        }
        ww_strlcpy(u->print_who, u->input, sizeof u->print_who);
        if (u->v.ops->print_handover(u->v.ctx, u->ho_shift, u->ho_t0, u->ho_t1, u->print_who,
                                     on_print_reply, u, err, sizeof err) < 0) {
            u->print_who[0] = 0;
            set_msg(u, true, _("printing failed: %s"), err);
        } else if (u->print_who[0]) {
            set_msg(u, false, _("printing the handover (%s)..."), u->print_who);
        }
        u->form = F_NONE;
        return;
    }
    case F_OBS:
        if (!strcmp(u->field[0], "scale")) {
            c.kind = WCMD_SCALE2;
            c.on = u->field[1][0] == '2';
            ww_strlcpy(c.prescriber, u->field[2], sizeof c.prescriber);
        } else {
            c.kind = WCMD_OBSERVATION;
            ww_strlcpy(c.param, u->field[0], sizeof c.param);
            ww_strlcpy(c.value, u->field[1], sizeof c.value);
        }
        break;
    default:
        u->form = F_NONE;
        return;
    }
    u->form = F_NONE;
    if (u->pending) {
        set_msg(u, true, _("not sent: the previous command is still waiting for the server"));
        return;
    }
    ww_strlcpy(u->pending_who, c.staff, sizeof u->pending_who);
    {
        static const char *done[] = {
            [WCMD_ACK] = N_("acknowledged"),      [WCMD_RESET] = N_("reset"),
            [WCMD_NOTE] = N_("note saved"),       [WCMD_OBSERVATION] = N_("observation saved"),
            [WCMD_ADMIT] = N_("admitted"),        [WCMD_DISCHARGE] = N_("discharged"),
            [WCMD_SCALE2] = N_("SpO2 scale saved"), [WCMD_AUDIO_PAUSE] = N_("audio paused"),
        };
        const char *d = (unsigned)c.kind < WW_ARRAY_LEN(done) && done[c.kind] ? _(done[c.kind])
                                                                              : _("saved");
        ww_strlcpy(u->pending_target, c.kind == WCMD_AUDIO_PAUSE ? _("ward") : target,
                   sizeof u->pending_target);
        if (c.kind == WCMD_AUDIO_PAUSE)
            snprintf(u->pending_what, sizeof u->pending_what, "%s", d);
        else if (c.kind == WCMD_ADMIT)
            snprintf(u->pending_what, sizeof u->pending_what, "%s %s: %s", c.ref,
                     bed_at(u, u->form_bed)->label, d);
        else
            snprintf(u->pending_what, sizeof u->pending_what, "%s %s", target, d);
    }
    u->pending = true;
    set_msg(u, false, _("sending (%s) ..."), c.staff);
    if (u->v.ops->command(u->v.ctx, &c, on_reply, u, err, sizeof err) < 0) {
        u->pending = false;
        set_msg(u, true, _("refused: %s"), err);
    }
}

/* Enter in a form: next step or commit. */
static void form_enter(struct ui *u)
{
    if (!form_validate(u, true))
        return;
    int steps = u->form == F_OBS ? 4 : u->form == F_NOTE ? 2 : u->form == F_ADMIT ? 3 : 1;
    if (u->step < steps - 1) {
        ww_strlcpy(u->field[u->step], u->input, sizeof u->field[0]);
        u->step++;
        /* Scale 1 needs no prescriber; other observations skip that step too. */
        if (u->form == F_OBS && u->step == 2 &&
            (strcmp(u->field[0], "scale") || u->field[1][0] != '2'))
            u->step = 3;
        u->input[0] = 0;
        return;
    }
    form_commit(u);
}

/* A key inside a form. */
static void form_key(struct ui *u, int rc, wint_t ch)
{
    if (u->form == F_QUIT) {
        if (rc == OK && (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J'))
            loop_stop(u->loop);
        u->form = F_NONE;
        return;
    }
    if (rc == OK && ch == 27) { /* Esc: cancel without a trace */
        u->form = F_NONE;
        set_msg(u, false, _("cancelled"));
        return;
    }
    if ((rc == OK && (ch == '\n' || ch == '\r')) || (rc == KEY_CODE_YES && ch == KEY_ENTER)) {
        form_enter(u);
        return;
    }
    size_t len = strlen(u->input);
    if ((rc == KEY_CODE_YES && ch == KEY_BACKSPACE) || (rc == OK && (ch == 127 || ch == 8))) {
        /* drop one UTF-8 character */
        while (len > 0 && ((unsigned char)u->input[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0)
            len--;
        u->input[len] = 0;
    } else if (rc == OK && ch >= 32 && ch != 127) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st = {0};
        size_t n = wcrtomb(mb, (wchar_t)ch, &st);
        size_t limit = form_limit(u);
        if (n != (size_t)-1 && len + n > limit) {
            /* Refused whole, never cut: the nurse sees why (H16-9). */
            set_msg(u, true, _("this field is full: at most %zu bytes (%zu typed); "
                               "nothing more is taken"), limit, len);
            return;
        }
        if (n != (size_t)-1) {
            memcpy(u->input + len, mb, n);
            u->input[len + n] = 0;
        }
    }
    form_validate(u, false);
}

/* Move the selection on the board grid. */
static void move_sel(struct ui *u, int dx, int dy)
{
    size_t n = nbeds(u);
    if (!n)
        return;
    compute_order(u);
    int cols = COLS / 26 < 1 ? 1 : COLS / 26;
    if ((size_t)cols > n)
        cols = (int)n;
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

/* A key outside forms. */
static void screen_key(struct ui *u, int rc, wint_t ch)
{
    if (rc == KEY_CODE_YES) {
        switch (ch) {
        case KEY_LEFT:
            ch = 'h';
            break;
        case KEY_RIGHT:
            ch = 'l';
            break;
        case KEY_UP:
            ch = 'k';
            break;
        case KEY_DOWN:
            ch = 'j';
            break;
        case KEY_F(1):
            ch = '?';
            break;
        case KEY_ENTER:
            ch = '\n';
            break;
        case KEY_NPAGE:
        case KEY_PPAGE:
        case KEY_HOME:
            if (u->scr != SCR_HANDOVER)
                return;
            break;
        case KEY_MOUSE: {
            /* Click a tile to select it, double-click to open it. */
            MEVENT me;
            if (getmouse(&me) != OK || u->scr != SCR_BOARD || !u->tile_w || !u->tile_h)
                return;
            int k = ((me.y - 1) / u->tile_h) * u->tile_cols + me.x / u->tile_w;
            if (me.y < 1 || k < 0 || (size_t)k >= nbeds(u))
                return;
            u->sel = u->order[k];
            if (me.bstate & BUTTON1_DOUBLE_CLICKED)
                u->scr = SCR_DETAIL;
            return;
        }
        default:
            return;
        }
    }
    u->msg[0] = 0;
    if (!nbeds(u) && ch != 'q' && ch != '?' && ch != 27) {
        set_msg(u, true, _("no ward yet: waiting for the monitoring server"));
        return;
    }
    struct alarm_ref refs[CONFIG_MAX_BEDS * AC_COUNT];
    if (u->scr == SCR_ALARMS) {
        int n = collect_alarms(u, refs, (int)WW_ARRAY_LEN(refs));
        if (ch == 'k' && u->alarm_sel > 0)
            u->alarm_sel--;
        else if (ch == 'j' && u->alarm_sel + 1 < n)
            u->alarm_sel++;
        if (n && (ch == 'a' || ch == 'r' || ch == 'n'))
            u->sel = refs[u->alarm_sel].bed;
        if (n && ch == 'n') {
            const struct alarm *a = &bed_at(u, u->sel)->alarms.a[refs[u->alarm_sel].cond];
            form_start(u, F_NOTE);
            u->note_alarm = a->id;
            return;
        }
        if (n && (ch == 'a' || ch == 'r')) {
            /* act on the selected alarm: make it the one the form targets */
            const struct alarm *a = &bed_at(u, u->sel)->alarms.a[refs[u->alarm_sel].cond];
            form_start(u, ch == 'a' ? F_ACK : F_RESET);
            u->note_alarm = a->id;
            return;
        }
    }
    if (u->scr == SCR_HANDOVER) {
        int page = LINES - 7 > 1 ? LINES - 7 : 1;
        if (rc == KEY_CODE_YES && ch == KEY_NPAGE)
            handover_scroll(u, page);
        else if (rc == KEY_CODE_YES && ch == KEY_PPAGE)
            handover_scroll(u, -page);
        else if (rc == KEY_CODE_YES && ch == KEY_HOME)
            u->ho_top = 0;
        else if (ch == 'j' || ch == ' ')
            handover_scroll(u, ch == ' ' ? page : 1);
        else if (ch == 'k')
            handover_scroll(u, -1);
        else if (ch == 'c') {
            const struct ward_config *c = u->v.ops->config(u->v.ctx);
            int i = 0;
            while (i < 3 && strcmp(c->shifts[i].name, u->ho_shift))
                i++;
            ww_strlcpy(u->ho_shift, c->shifts[(i + 1) % 3].name, sizeof u->ho_shift);
            handover_load(u);
        } else if (ch == 'p') {
            if (u->nho)
                form_start(u, F_PRINT);
        } else if (ch == 27 || ch == 'q') {
            u->scr = SCR_BOARD;
        }
        return;
    }
    switch (ch) {
    case 'H': {
        const struct ward_config *c = u->v.ops->config(u->v.ctx);
        ww_strlcpy(u->ho_shift, handover_current_shift(c, ward_now(u)),
                   sizeof u->ho_shift);
        form_start(u, F_HANDOVER);
        break;
    }
    case 'h':
        if (u->scr == SCR_BOARD)
            move_sel(u, -1, 0);
        break;
    case 'l':
        if (u->scr == SCR_BOARD)
            move_sel(u, 1, 0);
        break;
    case 'k':
        if (u->scr == SCR_BOARD)
            move_sel(u, 0, -1);
        break;
    case 'j':
        if (u->scr == SCR_BOARD)
            move_sel(u, 0, 1);
        break;
    case '\n':
    case '\r':
        if (u->scr == SCR_BOARD)
            u->scr = SCR_DETAIL;
        break;
    case 27:
        u->scr = SCR_BOARD;
        break;
    case '?':
        u->scr = SCR_HELP;
        break;
    case 'A':
        u->scr = SCR_ALARMS;
        break;
    case 's':
        u->by_urgency = !u->by_urgency;
        set_msg(u, false, _("sorted by %s"), u->by_urgency ? _("urgency") : _("bed"));
        break;
    case 't':
        u->span = (u->span + 1) % 3;
        break;
    case 'a':
    case 'r': {
        /* The alarm on screen when the key was pressed, by its id: if another
         * terminal got there first the server refuses instead of acting on
         * whatever has become the most urgent meanwhile. */
        /* 'a' takes the most urgent alarm nobody has acknowledged, 'r' the
         * most urgent latched one, whatever else is shown (H16-16). */
        const struct ward_bed *b = bed_at(u, u->sel);
        int c = -1;
        for (int k = 0; k < AC_COUNT; k++) {
            const struct alarm *a = &b->alarms.a[k];
            bool fits = a->state != AS_NONE && (ch == 'a' ? !a->acked : a->state == AS_LATCHED);
            if (fits && (c < 0 || alarm_urgency_cmp(k, a, c, &b->alarms.a[c]) < 0))
                c = k;
        }
        if (c < 0) {
            if (alarm_most_urgent(&b->alarms) < 0)
                set_msg(u, true, _("no alarm on %s"), b->label);
            else if (ch == 'a')
                set_msg(u, true, _("every alarm on %s is already acknowledged"), b->label);
            else
                set_msg(u, true, _("no latched alarm to reset on %s"), b->label);
            break;
        }
        form_start(u, ch == 'a' ? F_ACK : F_RESET);
        u->note_alarm = b->alarms.a[c].id;
        break;
    }
    case 'o':
        form_start(u, F_OBS);
        break;
    case 'n':
        form_start(u, F_NOTE);
        u->note_alarm = 0;
        break;
    case 'i': {
        /* An occupied bed is refused before anything is typed. */
        const struct ward_bed *b = bed_at(u, u->sel);
        if (b->admitted) {
            set_msg(u, true, _("%s is occupied (%s): discharge first"), b->label, b->patient_ref);
            break;
        }
        form_start(u, F_ADMIT);
        break;
    }
    case 'd': {
        const struct ward_bed *b = bed_at(u, u->sel);
        if (!b->admitted) {
            set_msg(u, true, _("%s has no patient"), b->label);
            break;
        }
        form_start(u, F_DISCHARGE);
        break;
    }
    case 'p':
        form_start(u, F_PAUSE);
        break;
    case 'q':
        form_start(u, F_QUIT);
        break;
    default:
        break;
    }
}

static struct ui *the_ui; /* for the stdin callback */

/* Keys from the terminal. */
/* What libraries wrote to stderr while curses owns the screen: into the
 * log (the status line shows the latest warning). */
static void on_captured_stderr(struct loop *l, int fd, int ev, void *ctx)
{
    log_drain_stderr(fd);
}

static void on_stdin(struct loop *l, int fd, int ev, void *ctx)
{
    struct ui *u = ctx;
    wint_t ch;
    int rc;
    while ((rc = get_wch(&ch)) != ERR) {
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
            continue;
        if (u->form != F_NONE)
            form_key(u, rc, ch);
        else
            screen_key(u, rc, ch);
        u->dirty = true;
    }
}

/* Resize from the signalfd. */
static void on_signal(struct loop *l, int signo, void *ctx)
{
    struct ui *u = ctx;
    if (signo == SIGWINCH) {
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
            resizeterm(ws.ws_row, ws.ws_col);
        u->dirty = true;
    } else {
        loop_stop(l); /* SIGTERM/SIGINT/SIGHUP: leave cleanly */
    }
}

/* 100 ms: flash phase, bells, redraw when needed. */
static void on_frame(struct loop *l, int id, void *ctx)
{
    struct ui *u = ctx;
    int phase = (int)(ww_mono_ms() / 250);
    if (phase != u->flash_phase) {
        u->flash_phase = phase;
        u->dirty = true;
    }
    bells(u);
    if (u->dirty) {
        draw(u);
        u->dirty = false;
    }
}

/* What the ward did elsewhere (another terminal, the server link). */
static void on_view_event(void *ctx, bool alert, const char *text)
{
    struct ui *u = ctx;
    if (text)
        set_msg(u, alert, "%s", text);
    else
        u->hist_at = 0; /* fresh history arrived: read it again */
    u->dirty = true;
}

/* The board. */
int board_run(struct loop *l, const struct view *v, const struct board_opts *o)
{
    static struct ui u;
    memset(&u, 0, sizeof u);
    the_ui = &u;
    u.loop = l;
    u.v = *v;
    u.o = *o;
    u.v.ops->set_listener(u.v.ctx, on_view_event, &u);
    const char *cs = nl_langinfo(CODESET);
    u.utf8 = cs && !strcmp(cs, "UTF-8");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "wardwatch: the bed-board needs a terminal\n");
        return 2;
    }
    if (!initscr()) {
        fprintf(stderr, "wardwatch: cannot initialise the terminal\n");
        return 1;
    }
    log_set_tty_owned(true);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED, NULL);
    nodelay(stdscr, TRUE);
    set_escdelay(50);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    u.colour = has_colors() && !(nc && *nc);
    if (u.colour) {
        start_color();
        use_default_colors();
        init_pair(CP_HIGH, COLOR_RED, -1);
        init_pair(CP_MED, COLOR_YELLOW, -1);
        init_pair(CP_LOW, COLOR_CYAN, -1);
        init_pair(CP_OK, COLOR_GREEN, -1);
        init_pair(CP_HEAD, COLOR_WHITE, -1);
        init_pair(CP_STALE, COLOR_MAGENTA, -1);
    }
    loop_add_fd(l, STDIN_FILENO, LOOP_READ, on_stdin, &u);
    int errfd = log_capture_stderr();
    if (errfd >= 0)
        loop_add_fd(l, errfd, LOOP_READ, on_captured_stderr, NULL);
    loop_on_signal(l, on_signal, &u);
    loop_add_timer(l, 100, true, on_frame, &u);
    u.dirty = true;
    if (o->start_msg && *o->start_msg)
        set_msg(&u, false, "%s", o->start_msg);
    loop_run(l);
    u.v.ops->set_listener(u.v.ctx, NULL, NULL);
    if (errfd >= 0) {
        loop_del_fd(l, errfd);
        log_release_stderr();
    }
    endwin();
    log_set_tty_owned(false);
    free(u.ho);
    u.ho = NULL;
    if (o->embedded)
        fprintf(stderr, "wardwatch: board closed; monitoring in this process stopped\n");
    return 0;
}

/* Benchmark: draw a full board n times into a terminal writing to /dev/null;
 * returns microseconds per full draw (erase, every tile, refresh). */
double board_bench_draw(struct monitor *m, int rows, int cols, int n)
{
    static struct ui u;
    memset(&u, 0, sizeof u);
    u.v = view_embedded(m);
    u.utf8 = true;
    FILE *out = fopen("/dev/null", "w");
    FILE *in = fopen("/dev/null", "r");
    if (!out || !in)
        return -1;
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr)
        return -1;
    set_term(scr);
    resizeterm(rows, cols);
    u.colour = has_colors();
    if (u.colour) {
        start_color();
        init_pair(CP_HIGH, COLOR_RED, COLOR_BLACK);
        init_pair(CP_MED, COLOR_YELLOW, COLOR_BLACK);
        init_pair(CP_LOW, COLOR_CYAN, COLOR_BLACK);
        init_pair(CP_HEAD, COLOR_WHITE, COLOR_BLACK);
        init_pair(CP_STALE, COLOR_MAGENTA, COLOR_BLACK);
    }
    int64_t t0 = ww_mono_ms();
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        u.flash_phase = i; /* flashing tiles change every draw */
        draw(&u);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    (void)t0;
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    return ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / n;
}
