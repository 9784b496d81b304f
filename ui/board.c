/*
 * board — the ncurses bed-board (contract in board.h): the loop. Keys go to
 * the open form (forms.c) or to the screen shown; each screen draws from its
 * own file (ui.h lists them). Redraw is driven by a dirty flag and the
 * alarm flash phase, from a 100 ms loop timer, which also plays the bells.
 */
#include "ui.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static bool too_small(void)
{
    return LINES < 24 || COLS < 80;
}

/* A terminal too small for the board still shows what must never be
 * hidden: the status line (clock, audio pause, store, sensors, a lost
 * server) and every alarm, one line each, most urgent first; the bottom
 * line the quit question, a message, or why the board is not shown. */
static void draw_small(struct ui *u)
{
    ui_draw_status(u);
    if (LINES < 2)
        return;
    /* alarms in rows [first, end); on two lines the alarm before the notice */
    int first = LINES >= 3 ? 2 : 1, end = LINES >= 4 ? LINES - 1 : LINES;
    int nal = ui_draw_alarms_compact(u, first, end - first);
    if (first == 2 || nal == 0) {
        char line[256], fit[300];
        snprintf(line, sizeof line,
                 _("Terminal too small (need 80x24, have %dx%d): alarms %d; monitoring continues"), COLS,
                 LINES, nal);
        ui_fit(u, line, COLS, fit, sizeof fit);
        attron(A_BOLD);
        ui_put(1, 0, COLS, fit);
        attroff(A_BOLD);
    }
    int bottom = end;
    if (bottom == LINES)
        return;
    if (u->form == F_QUIT) {
        attron(A_BOLD);
        ui_put(bottom, 0, COLS, ui_quit_prompt(u));
        attroff(A_BOLD);
    } else if (u->msg[0]) {
        attr_t a = ui_msg_attr(u);
        attron(a);
        ui_put(bottom, 0, COLS, u->msg);
        attroff(a);
    }
}

/* Redraw everything (curses sends only what changed). */
static void draw(struct ui *u)
{
    erase();
    u->stale = u->v.ops->link(u->v.ctx, NULL, 0, NULL) == VIEW_LOST;
    if (too_small()) {
        draw_small(u);
        refresh();
        return;
    }
    if (u->sel >= nbeds(u))
        u->sel = 0;
    if (!nbeds(u) && u->scr == SCR_DETAIL)
        u->scr = SCR_BOARD;
    ui_draw_status(u);
    switch (u->scr) {
    case SCR_BOARD:
        ui_draw_board(u);
        break;
    case SCR_DETAIL:
        ui_draw_detail(u);
        break;
    case SCR_ALARMS:
        ui_draw_alarms(u);
        break;
    case SCR_HELP:
        ui_draw_help(u);
        break;
    case SCR_HANDOVER:
        ui_draw_handover(u);
        break;
    }
    ui_draw_bottom(u);
    refresh();
}

/* Each priority its own burst of bells, told apart without looking (IEC
 * 60601-1-8: high 10 pulses as 3+2, 3+2; medium 3 pulses; low 1 or 2;
 * high the fastest and the most often): one character per 100 ms frame,
 * '1' a bell. */
const char *board_bell_pattern(enum alarm_priority p, int *repeat_ms)
{
    switch (p) {
    case AP_HIGH:
        *repeat_ms = 5000;
        return "1.1.1..1.1.....1.1.1..1.1";
    case AP_MEDIUM:
        *repeat_ms = 10000;
        return "1...1...1";
    case AP_LOW:
        *repeat_ms = 20000;
        return "1.....1";
    default:
        *repeat_ms = 0;
        return "";
    }
}

/* The bells of the highest priority sounding (only it is heard, as on a
 * central station), burst by burst; a terminal without a bell flashes
 * the screen at each burst instead, and the alarm rows flash anyway. */
static void bells(struct ui *u)
{
    int64_t now = ward_now(u), mono = ww_mono_ms();
    enum view_link link = u->v.ops->link(u->v.ctx, NULL, 0, NULL);
    enum alarm_priority top = AP_NONE;
    if (link == VIEW_LOST || link == VIEW_CONNECTING)
        top = AP_HIGH; /* the lost server is this terminal's own high-priority alarm */
    for (size_t i = 0; i < nbeds(u) && top < AP_HIGH; i++)
        for (int c = 0; c < AC_COUNT; c++) {
            const struct alarm *a = &bed_at(u, i)->alarms.a[c];
            enum alarm_priority p = alarm_priority_of(c);
            if (p > top && alarm_audible(a, c, u->v.ops->audio(u->v.ctx), now))
                top = p;
        }
    int repeat;
    if (u->burst_prio != AP_NONE) {
        /* a burst under way plays out unless a higher priority takes over */
        const char *pat = board_bell_pattern(u->burst_prio, &repeat);
        int slot = (int)((mono - u->burst_at) / 100);
        if (top > u->burst_prio || slot >= (int)strlen(pat)) {
            u->burst_prio = AP_NONE;
        } else {
            bool ring = false; /* a frame late: the pulse is not lost */
            for (int k = u->burst_slot; k <= slot; k++)
                ring |= pat[k] == '1';
            if (ring)
                beep();
            u->burst_slot = slot + 1;
            return;
        }
    }
    if (top == AP_NONE)
        return;
    board_bell_pattern(top, &repeat);
    if (u->last_burst[top] && mono - u->last_burst[top] < repeat && u->last_top == top)
        return;
    u->last_top = top;
    u->last_burst[top] = mono;
    u->burst_prio = top;
    u->burst_at = mono;
    u->burst_slot = 1;
    beep(); /* slot 0 of every pattern is a bell */
    if (!u->has_bell)
        flash();
}

/* A key outside forms. */
/* A function key as the letter it stands for (arrows as h j k l, F1 as
 * ?, Enter); a mouse click handled here. False: nothing more to do. */
static bool key_as_letter(struct ui *u, int rc, wint_t *chp)
{
    wint_t ch = *chp;
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
            if (u->scr != SCR_HANDOVER && u->scr != SCR_HELP)
                return false;
            break;
        case KEY_MOUSE: {
            /* Click a tile to select it, double-click to open it. */
            MEVENT me;
            if (getmouse(&me) != OK || u->scr != SCR_BOARD || !u->tile_w || !u->tile_h)
                return false;
            /* Only a click inside a tile: the columns right of the last
             * tile and the lines below the grid belong to no bed (a click
             * there once landed on the first bed of the next row). */
            int col = me.x / u->tile_w, row = (me.y - 1) / u->tile_h;
            int k = row * u->tile_cols + col;
            if (me.y < 1 || me.y > LINES - 3 || me.x < 0 || col >= u->tile_cols || k < 0 ||
                (size_t)k >= nbeds(u))
                return false;
            u->sel = u->order[k];
            if (me.bstate & BUTTON1_DOUBLE_CLICKED)
                u->scr = SCR_DETAIL;
            return false;
        }
        default:
            return false;
        }
    }
    *chp = ch;
    return true;
}

static void screen_key(struct ui *u, int rc, wint_t ch)
{
    if (!key_as_letter(u, rc, &ch))
        return;
    u->msg[0] = 0;
    if (!nbeds(u) && ch != 'q' && ch != '?' && ch != 27) {
        ui_msg(u, true, _("no ward yet: waiting for the monitoring server"));
        return;
    }
    if (u->scr == SCR_ALARMS && ui_alarms_key(u, ch))
        return;
    if (u->scr == SCR_HELP && (ch == 'j' || ch == 'k' || ch == ' ' ||
                               (rc == KEY_CODE_YES && (ch == KEY_NPAGE || ch == KEY_PPAGE)))) {
        int page = LINES - 4 > 1 ? LINES - 4 : 1;
        u->help_top += ch == 'j' ? 1 : ch == 'k' ? -1 : ch == KEY_PPAGE ? -page : page;
        return;
    }
    if (u->scr == SCR_HANDOVER) {
        ui_handover_key(u, rc, ch);
        return;
    }
    switch (ch) {
    case 'H':
        ui_form_start(u, F_HANDOVER);
        break;
    case 'h':
        if (u->scr == SCR_BOARD)
            ui_move_sel(u, -1, 0);
        break;
    case 'l':
        if (u->scr == SCR_BOARD)
            ui_move_sel(u, 1, 0);
        break;
    case 'k':
        if (u->scr == SCR_BOARD)
            ui_move_sel(u, 0, -1);
        break;
    case 'j':
        if (u->scr == SCR_BOARD)
            ui_move_sel(u, 0, 1);
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
        u->help_top = 0;
        break;
    case 'A':
        u->scr = SCR_ALARMS;
        break;
    case 's':
        u->by_urgency = !u->by_urgency;
        ui_msg(u, false, _("sorted by %s"), u->by_urgency ? _("urgency") : _("bed"));
        break;
    case 't':
        u->span = (u->span + 1) % 3;
        break;
    case 'a':
    case 'r':
        ui_ack_or_reset(u, ch);
        break;
    case 'o':
        ui_form_start(u, F_OBS);
        break;
    case 'O':
        ui_set_start(u);
        break;
    case 'n':
        ui_form_start(u, F_NOTE);
        u->note_alarm = 0;
        break;
    case 'i': {
        /* An occupied bed is refused before anything is typed. */
        const struct ward_bed *b = bed_at(u, u->sel);
        if (b->admitted) {
            ui_msg(u, true, _("%s is occupied (%s): discharge first"), b->label, b->patient_ref);
            break;
        }
        ui_form_start(u, F_ADMIT);
        break;
    }
    case 'd': {
        const struct ward_bed *b = bed_at(u, u->sel);
        if (!b->admitted) {
            ui_msg(u, true, _("%s has no patient"), b->label);
            break;
        }
        ui_form_start(u, F_DISCHARGE);
        break;
    }
    case 'p':
        ui_form_start(u, F_PAUSE);
        break;
    case 'q':
        ui_form_start(u, F_QUIT);
        break;
    default:
        break;
    }
}

/* Keys from the terminal. */
/* What libraries wrote to stderr while curses owns the screen: into the
 * log (the status line shows the latest warning). */
static void on_captured_stderr(struct loop *l, int fd, int ev, void *ctx)
{
    log_drain_stderr(fd);
}

/* The terminal's control keys arrive as keys (raw mode), never as the
 * signals or flow control they would be in a shell: Ctrl-Z would stop the
 * process (monitoring in it stops, the screen keeps its last numbers),
 * Ctrl-S would freeze the screen while the ward changes, Ctrl-\ would kill
 * it at once. Ctrl-C asks as q does (in a form it cancels, as Esc). Returns
 * true when the key was one of them. */
static bool control_key(struct ui *u, int rc, wint_t ch)
{
    if (rc != OK)
        return false;
    switch (ch) {
    case 3: /* Ctrl-C */
        if (u->form != F_NONE)
            ui_form_key(u, OK, 27);
        else
            ui_form_start(u, F_QUIT);
        return true;
    case 26: /* Ctrl-Z */
        ui_msg(u, true, _("Ctrl-Z is off: a suspended board stops monitoring (q quits)"));
        return true;
    case 19: /* Ctrl-S */
        ui_msg(u, true, _("Ctrl-S is off: it would freeze this screen"));
        return true;
    case 28: /* Ctrl-\ */
        ui_msg(u, true, _("Ctrl-\\ is off: q quits, and asks first"));
        return true;
    case 17: /* Ctrl-Q: the other half of flow control, nothing to resume */
        return true;
    default:
        return false;
    }
}

static void on_stdin(struct loop *l, int fd, int ev, void *ctx)
{
    struct ui *u = ctx;
    wint_t ch;
    int rc;
    /* Keys that arrive together after an Enter are pasted text, not typing:
     * they are dropped, so a pasted "note\nok\n..." cannot sign the note as
     * "ok" nor run its letters as board keys. */
    bool entered = false;
    int dropped = 0;
    while ((rc = get_wch(&ch)) != ERR) {
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
            continue;
        if (entered) {
            dropped++;
            continue;
        }
        entered = (rc == OK && (ch == '\n' || ch == '\r')) || (rc == KEY_CODE_YES && ch == KEY_ENTER);
        if (control_key(u, rc, ch)) {
            u->dirty = true;
            continue;
        }
        /* Too small, the board shows no tiles, selection or prompts: a key
         * would act on a bed the nurse cannot see. Only quitting (its
         * question is shown) and Esc are taken. */
        if (too_small() && u->form != F_QUIT && !(rc == OK && (ch == 'q' || ch == 27))) {
            ui_msg(u, true, _("enlarge the terminal to 80x24 to act: nothing done"));
            u->dirty = true;
            continue;
        }
        if (u->form != F_NONE)
            ui_form_key(u, rc, ch);
        else
            screen_key(u, rc, ch);
        u->dirty = true;
    }
    if (dropped) {
        ui_msg(u, true, _("pasted text after a line break ignored (%d keys): nothing signed or done with it"),
               dropped);
        u->dirty = true;
    }
    /* The terminal went away (tmux killed, ssh dropped): poll reports a
     * hang-up for ever and no SIGHUP need reach us (only the session leader
     * gets one, and make or a wrapper does not pass it on). Nobody can see
     * this board any more: leave, and say so, rather than run on unseen. */
    if (ev & LOOP_HUP) {
        u->hung_up = true;
        loop_del_fd(l, fd);
        loop_stop(l);
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
        ui_msg(u, alert, "%s", text);
    else
        u->hist_at = 0; /* fresh history arrived: read it again */
    u->dirty = true;
}

/* The board. */
int board_run(struct loop *l, const struct view *v, const struct board_opts *o)
{
    static struct ui u;
    memset(&u, 0, sizeof u);
    u.loop = l;
    u.v = *v;
    u.o = *o;
    u.v.ops->set_listener(u.v.ctx, on_view_event, &u);
    const char *cs = nl_langinfo(CODESET);
    /* Unicode (æøå, arrows, sparkline blocks) only where both the locale
     * and the terminal can show it: a VT100-class terminal gets ASCII
     * stand-ins whatever the locale says. */
    const char *term = getenv("TERM");
    bool plain = !term || !strncmp(term, "vt", 2) || !strcmp(term, "dumb") ||
                 !strcmp(term, "ansi");
    u.utf8 = cs && !strcmp(cs, "UTF-8") && !plain;
    ui_draw_init(u.utf8);
    /* The nurse's own decimal separator (the program keeps LC_NUMERIC "C"). */
    locale_t nl = newlocale(LC_NUMERIC_MASK, "", (locale_t)0);
    if (nl) {
        const char *radix = nl_langinfo_l(RADIXCHAR, nl);
        u.comma = radix && !strcmp(radix, ",");
        freelocale(nl);
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "wardwatch: the bed-board needs a terminal\n");
        return 2;
    }
    if (!initscr()) {
        fprintf(stderr, "wardwatch: cannot initialise the terminal\n");
        return 1;
    }
    log_set_tty_owned(true);
    raw(); /* Ctrl-C/Z/S/\\ as keys: see control_key */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED, NULL);
    nodelay(stdscr, TRUE);
    set_escdelay(50);
    {
        char bel[] = "bel";
        const char *b = tigetstr(bel);
        u.has_bell = b && b != (char *)-1;
    }
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
        ui_msg(&u, false, "%s", o->start_msg);
    loop_run(l);
    u.v.ops->set_listener(u.v.ctx, NULL, NULL);
    if (errfd >= 0) {
        loop_del_fd(l, errfd);
        log_release_stderr();
    }
    endwin();
    log_set_tty_owned(false);
    if (u.hung_up)
        fprintf(stderr, "wardwatch: the terminal hung up: board closed\n");
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
