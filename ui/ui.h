/*
 * ui — what the board's screens share (internal to ui/): the board's state
 * (struct ui), the small drawing module (draw.c: clipped and fitted text by
 * display width, priority attributes, ages, values) and each screen's entry
 * points. One file per screen, as ncdu and htop keep them:
 *
 *   board.c          the loop: keys, redraw, bells; board_run (board.h)
 *   overview.c       the tiles and the status line
 *   detail.c         one bed: NEWS2 parts, trends, alarms, history
 *   alarms.c         the ward's alarm list
 *   forms.c          the form line, the observation set, the alarm choice
 *   handover_view.c  the handover preview
 *   help.c           the keys
 *
 * ui/ reads the ward only through src/view.h (plus scoring/ names and the
 * base helpers util, log, loop): it never includes the core, the store,
 * the configuration or the handover directly.
 */
#ifndef WW_UI_H
#define WW_UI_H

#define _XOPEN_SOURCE_EXTENDED 1
#include "alarm.h"
#include "board.h"
#include "log.h"
#include "loop.h"
#include "news2.h"
#include "util.h"
#include "view.h"

#include <curses.h>
#include <libintl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Every string a nurse sees goes through gettext (catalogues in po/). */
#define _(s) gettext(s)
#define N_(s) (s)

enum ui_screen { SCR_BOARD, SCR_DETAIL, SCR_ALARMS, SCR_HELP, SCR_HANDOVER };
enum form_kind {
    F_NONE, F_ACK, F_RESET, F_OBS, F_NOTE, F_ADMIT, F_DISCHARGE, F_PAUSE, F_QUIT, F_PRINT,
    F_HANDOVER, F_SET, F_CHOOSE
};

/* The observation set form: the seven NEWS2 parameters in chart order
 * (enum news2_param), then the initials that sign the whole set. */
#define SET_INITIALS NEWS2_NPARAMS
#define SET_FIELDS (NEWS2_NPARAMS + 1)

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
    int help_top;        /* first help line shown */
    int64_t alarm_sel_id; /* ... the alarm on it: the cursor follows it */
    bool by_urgency;
    int span;            /* detail trend span index */
    bool utf8, colour;
    bool dirty;
    int flash_phase;
    /* the bell burst under way (bells()) */
    enum alarm_priority burst_prio, last_top;
    int64_t burst_at, last_burst[4];
    int burst_slot;
    bool has_bell;
    bool hung_up;        /* the terminal went away under the board */
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
    int64_t form_adm;     /* ... the admission in it when the form opened (0 free) */
    char form_ref[40];    /* ... and its patient: the command is for them alone */
    char set[SET_FIELDS][24]; /* the set form's fields as typed */
    int set_focus;
    /* the choice of alarm before an acknowledge or reset (F_CHOOSE): the
     * candidates by id, most urgent first */
    enum form_kind choice_for;
    int64_t choice_id[AC_COUNT];
    int choice_n, choice_sel;
    bool comma; /* the nurse's locale writes a decimal comma (36,5) */
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
    /* handover preview: the lines of the chosen shift, built on entry */
    struct handover_line *ho;
    size_t nho;
    int ho_top;
    char ho_head[3][256];
    char ho_shift[16];
    char ho_who[24]; /* who views the handover preview (audited) */
    char print_who[24]; /* initials of the print under way, "" none */
    int64_t ho_t0, ho_t1;
    bool ho_loading; /* a preview asked for and not answered yet */
};

/* The view's reads, short. */
static inline size_t nbeds(struct ui *u)
{
    return u->v.ops->nbeds(u->v.ctx);
}

static inline const struct ward_bed *bed_at(struct ui *u, size_t i)
{
    return u->v.ops->bed(u->v.ctx, i);
}

static inline int64_t ward_now(struct ui *u)
{
    return u->v.ops->now(u->v.ctx);
}

#define CP_HIGH 1
#define CP_MED 2
#define CP_LOW 3
#define CP_OK 4
#define CP_HEAD 5
#define CP_STALE 6

/* draw.c: the shared drawing module */
/* Once at start: does the terminal's locale show Unicode? */
void ui_draw_init(bool utf8);
/* s as ASCII stand-ins (dør -> dor, ≥ -> >=), for a terminal without it. */
void ui_ascii(const char *s, char *out, size_t n);
/* Text clipped to width columns (UTF-8 aware), padded with spaces. */
void ui_put(int y, int x, int width, const char *s);
void ui_putf(int y, int x, int width, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* s fitted to exactly w columns: padded, or cut with an ellipsis. */
void ui_fit(const struct ui *u, const char *s, int w, char *out, size_t n);
/* "HR 136 >= 131": what raised an alarm; "" when nothing crossed a limit. */
void ui_alarm_trigger(int c, const struct alarm *a, char *buf, size_t n);
void ui_alarm_state_text(const struct alarm *a, char *buf, size_t n);
attr_t ui_msg_attr(const struct ui *u);
const char *ui_quit_prompt(const struct ui *u);
/* Attribute for an alarm priority with the flash phase (acked: steady). */
attr_t ui_prio_attr(struct ui *u, enum alarm_priority p, bool acked);
void ui_fmt_age(int64_t ms, char *buf, size_t n); /* "12s", "4m", "3h" */
const char *ui_arrow(struct ui *u, int t);        /* trend arrow */
void ui_fmt_value(struct ui *u, const char *name, const struct ward_value *v, int trend,
                  int64_t now, char *buf, size_t n, bool *stale);
int ui_char_cols(const char *s, size_t *len); /* columns of the character at s */
void ui_msg(struct ui *u, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* overview.c */
void ui_compute_order(struct ui *u);
void ui_draw_status(struct ui *u);
void ui_draw_board(struct ui *u);
void ui_move_sel(struct ui *u, int dx, int dy);
/* detail.c */
void ui_draw_detail(struct ui *u);
/* alarms.c */
int ui_collect_alarms(struct ui *u, struct alarm_ref *out, int max);
/* Column widths of an alarm table over refs[0..n): the bed's label (when
 * bed), the condition, what raised it and the state, each as wide as its
 * longest text and cut, in that order of giving way, only to fit COLS
 * beside `fixed` cells of markers, blanks and age. esc: some alarm is
 * escalated (" ESC" needs room). */
struct alarm_cols {
    int bed, cond, trig, state;
    bool esc;
};
struct alarm_cols ui_alarm_columns(struct ui *u, const struct alarm_ref *refs, int n, bool bed,
                                   int fixed);
void ui_alarm_sel_follow(struct ui *u, const struct alarm_ref *refs, int n);
void ui_draw_alarms(struct ui *u);
int ui_draw_alarms_compact(struct ui *u, int y, int rows);
bool ui_alarms_key(struct ui *u, wint_t ch);
/* help.c */
void ui_draw_help(struct ui *u);
/* handover_view.c */
void ui_handover_load(struct ui *u, const char *shift, int step);
void ui_draw_handover(struct ui *u);
void ui_handover_scroll(struct ui *u, int d);
void ui_handover_key(struct ui *u, int rc, wint_t ch);
/* forms.c */
void ui_draw_bottom(struct ui *u);
void ui_form_start(struct ui *u, enum form_kind k);
void ui_set_start(struct ui *u);
void ui_form_key(struct ui *u, int rc, wint_t ch);
void ui_ack_or_reset(struct ui *u, wint_t ch);

#endif
