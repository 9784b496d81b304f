/*
 * help — the keys.
 */
#include "ui.h"

/* Help. */
void ui_draw_help(struct ui *u)
{
    static const char *lines[] = {
        N_("wardwatch bed-board — keys"),
        "",
        N_("  arrows, h j k l   move between beds"),
        N_("  Enter             bed detail (NEWS2 parts, trends, alarms)"),
        N_("  a                 acknowledge the bed's most urgent alarm (asks initials)"),
        N_("                    with several unacknowledged, asks which (1-9, arrows)"),
        N_("  r                 reset a latched alarm whose condition is over (with several,"),
        N_("                    asks which)"),
        N_("  O                 a full set of observations in one form (Tab between fields)"),
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
        N_("  Ctrl-C            as q; Ctrl-Z, Ctrl-S and Ctrl-\\ do nothing here (they would"),
        N_("                    stop, freeze or kill the board)"),
        "",
        N_("  *** high (fast flash)   ** medium (slow flash)   * low (steady)"),
        N_("  'stale' values are older than their maximum age and are not scored."),
        N_("  NEWS2 >= N partial: a lower bound; something is missing or stale."),
    };
    /* Scrolls when the screen is shorter than the help (j/k, PgUp/PgDn). */
    int rows = LINES - 3, n = (int)WW_ARRAY_LEN(lines);
    if (u->help_top > n - rows)
        u->help_top = n - rows > 0 ? n - rows : 0;
    if (u->help_top < 0)
        u->help_top = 0;
    for (int r = 0; r < rows && u->help_top + r < n; r++) {
        const char *l = lines[u->help_top + r];
        ui_put(r + 1, 0, COLS, l[0] ? _(l) : "");
    }
    if (u->help_top + rows < n) {
        attron(A_BOLD);
        ui_putf(LINES - 3, 0, COLS, _("-- %d more lines: j or PgDn scrolls --"), n - u->help_top - rows);
        attroff(A_BOLD);
    }
}
