/*
 * handover_view — the handover preview: the printout's lines, scrollable,
 * asked of the core that owns the ward's [shifts] and store, never waited
 * for (the board's loop runs on while it comes).
 */
#include "ui.h"

/* The answer to a preview request (it may come while the nurse is on
 * another screen: it is kept for when she comes back). */
static void on_handover(void *ctx, struct view_handover *h, const char *why)
{
    struct ui *u = ctx;
    u->ho_loading = false;
    u->dirty = true;
    if (!h) {
        ui_msg(u, true, _("handover: %s"), why);
        return;
    }
    free(u->ho);
    u->ho = h->lines;
    u->nho = h->n;
    h->lines = NULL;
    u->ho_top = 0;
    for (int i = 0; i < 3; i++)
        ww_strlcpy(u->ho_head[i], h->head[i], sizeof u->ho_head[i]);
    ww_strlcpy(u->ho_shift, h->period, sizeof u->ho_shift);
    u->ho_t0 = h->t0;
    u->ho_t1 = h->t1;
    u->msg[0] = 0;
}

/* Ask for the preview of the shift named shift ("" the current one) moved
 * step shifts on: the core that owns the ward's [shifts] works out the
 * period, and the board's loop runs on while it comes (#19 defects 2, 3). */
void ui_handover_load(struct ui *u, const char *shift, int step)
{
    char err[512];
    if (u->ho_loading) {
        ui_msg(u, true, "%s", _("handover: the previous one is still loading"));
        return;
    }
    char name[16];
    ww_strlcpy(name, shift ? shift : "", sizeof name);
    u->ho_loading = true;
    if (u->v.ops->handover(u->v.ctx, name, step, u->ho_who, on_handover, u, err, sizeof err) < 0) {
        u->ho_loading = false;
        ui_msg(u, true, _("handover: %s"), err);
    }
}

/* Handover preview: the same lines the printout has, scrollable. */
void ui_draw_handover(struct ui *u)
{
    attron(A_BOLD);
    ui_put(1, 0, COLS, u->ho_head[0]);
    attroff(A_BOLD);
    ui_put(2, 0, COLS, u->ho_head[1]);
    if (u->ho_loading) {
        attron(A_BOLD);
        ui_put(3, 0, COLS, _("Loading the handover from the monitoring core ... (alarms go on)"));
        attroff(A_BOLD);
        return;
    }
    ui_put(3, 0, COLS, _("Preview - p prints it; the printout is audited."));
    int rows = LINES - 6;
    for (int r = 0; r < rows && u->ho_top + r < (int)u->nho; r++) {
        const struct handover_line *l = &u->ho[u->ho_top + r];
        bool bold = l->kind == HL_BED || l->kind == HL_SECTION;
        if (bold)
            attron(A_BOLD);
        ui_put(4 + r, 0, COLS, l->text);
        if (bold)
            attroff(A_BOLD);
    }
}

/* Scroll the preview by d lines. */
void ui_handover_scroll(struct ui *u, int d)
{
    int max = (int)u->nho - (LINES - 6);
    u->ho_top += d;
    if (u->ho_top > max)
        u->ho_top = max;
    if (u->ho_top < 0)
        u->ho_top = 0;
}

/* A key on the preview: scroll, c the next shift, p print, Esc back. */
void ui_handover_key(struct ui *u, int rc, wint_t ch)
{
    int page = LINES - 7 > 1 ? LINES - 7 : 1;
    if (rc == KEY_CODE_YES && ch == KEY_NPAGE)
        ui_handover_scroll(u, page);
    else if (rc == KEY_CODE_YES && ch == KEY_PPAGE)
        ui_handover_scroll(u, -page);
    else if (rc == KEY_CODE_YES && ch == KEY_HOME)
        u->ho_top = 0;
    else if (ch == 'j' || ch == ' ')
        ui_handover_scroll(u, ch == ' ' ? page : 1);
    else if (ch == 'k')
        ui_handover_scroll(u, -1);
    else if (ch == 'c') {
        /* the next shift in the ward's order (the core knows it) */
        ui_handover_load(u, u->ho_shift, 1);
    } else if (ch == 'p') {
        if (u->ho_loading)
            ui_msg(u, true, "%s", _("handover: still loading; print when it is shown"));
        else if (u->nho)
            ui_form_start(u, F_PRINT);
    } else if (ch == 27 || ch == 'q') {
        u->scr = SCR_BOARD;
    }
}
