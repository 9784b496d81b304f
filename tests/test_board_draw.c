/*
 * The board's screens drawn into a virtual 80x24 terminal over a fake view
 * (#17): a bed with more alarms than the detail can show says "+N more",
 * its alarms come by priority then the oldest first, and text cut to fit
 * ends in an ellipsis. The screen is read back with mvinnstr.
 */
#include "ui.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

static struct ward_bed bed;
static struct ward_config cfg;
static struct alarm_audio audio;
static const int64_t NOW = 1796150000000LL;

static size_t f_nbeds(void *ctx)
{
    return 1;
}
static const struct ward_bed *f_bed(void *ctx, size_t i)
{
    return &bed;
}
static const struct ward_config *f_config(void *ctx)
{
    return &cfg;
}
static int64_t f_now(void *ctx)
{
    return NOW;
}
static bool f_store_ok(void *ctx)
{
    return true;
}
static const struct alarm_audio *f_audio(void *ctx)
{
    return &audio;
}
static void f_summary(void *ctx, char *buf, size_t n)
{
    snprintf(buf, n, "sensors 1 ok");
}
static struct ward_history_line hist_lines[4];
static int nhist_lines;
static int f_history(void *ctx, size_t b, int64_t t0, int64_t t1, struct ward_history_line *out,
                     int max)
{
    int n = nhist_lines < max ? nhist_lines : max;
    memcpy(out, hist_lines, (size_t)n * sizeof *out);
    return n;
}
static enum view_link f_link(void *ctx, char *d, size_t n, int64_t *since)
{
    if (n)
        d[0] = 0;
    return VIEW_LOCAL;
}
static const struct view_ops fake = {
    f_nbeds, f_bed, f_config, f_now, f_store_ok, f_audio, f_summary, f_history,
    NULL,    f_link, NULL,     NULL,  NULL,
};

static SCREEN *scr;
static FILE *out, *in;

static int setup(void **state)
{
    out = fopen("/dev/null", "w");
    in = fopen("/dev/null", "r");
    scr = newterm("xterm-256color", out, in);
    if (!scr)
        return -1;
    set_term(scr);
    resizeterm(24, 80);
    ui_draw_init(true);
    return 0;
}

static int teardown(void **state)
{
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    return 0;
}

static void raise_at(int c, int64_t t, bool acked)
{
    struct alarm *a = &bed.alarms.a[c];
    a->state = AS_ACTIVE;
    a->id = 100 + c;
    a->raised_at = t;
    a->acked = acked;
    if (acked)
        snprintf(a->acked_by, sizeof a->acked_by, "KN");
    a->trig_value = a->trig_limit = NAN;
}

/* The one bed, admitted an hour ago, sensor ok, no alarms yet. */
static void admitted_bed(const char *label)
{
    memset(&bed, 0, sizeof bed);
    snprintf(bed.label, sizeof bed.label, "%s", label);
    bed.admitted = true;
    bed.admitted_at = NOW - 3600000;
    bed.sensor = WSENS_OK;
    alarm_bed_init(&bed.alarms);
}

/* A board over the fake view, UTF-8, its history just asked (set hist_bed
 * to something else to have it asked again). */
static void board_ui(struct ui *u)
{
    memset(u, 0, sizeof *u);
    u->v = (struct view){&fake, NULL};
    u->utf8 = true;
    u->hist_at = ww_mono_ms();
}

/* Row y of the virtual screen, trailing blanks cut. */
static void row(int y, char *buf, int n)
{
    mvinnstr(y, 0, buf, n - 1);
    int k = (int)strlen(buf);
    while (k > 0 && buf[k - 1] == ' ')
        buf[--k] = 0;
}

static void test_detail_more_and_order(void **state)
{
    admitted_bed("Rom 2 vindu");
    snprintf(bed.patient_ref, sizeof bed.patient_ref, "PAS-77");
    /* six alarms: two high, three medium, one low, raised at different times */
    raise_at(AC_OBS_OVERDUE, NOW - 50000, false);  /* low */
    raise_at(AC_RR_LOW, NOW - 40000, false);       /* medium, newer */
    raise_at(AC_NO_SIGNAL, NOW - 90000, false);    /* medium, oldest medium */
    raise_at(AC_HR_HIGH, NOW - 60000, true);       /* medium */
    raise_at(AC_APNOEA, NOW - 30000, false);       /* high, newer */
    raise_at(AC_NEWS2_HIGH, NOW - 120000, false);  /* high, older */
    static struct ui u;
    board_ui(&u);
    erase();
    ui_draw_detail(&u);
    char line[200];
    int hdr = -1;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (!strncmp(line, "Alarms on this bed", 18))
            hdr = y;
    }
    assert_true(hdr > 0);
    /* The rows that fit: by priority, then the oldest first. */
    static const char *want[] = {"NEWS2 high", "Apnoea", "No valid signal", "HR high"};
    int shown = 0;
    for (int y = hdr + 1; y < LINES - 2; y++) {
        row(y, line, sizeof line);
        if (!strncmp(line, "+", 1)) {
            /* what did not fit is counted */
            int more = atoi(line + 1);
            assert_int_equal(shown + more, 6);
            assert_non_null(strstr(line, "more"));
            return;
        }
        if (!line[0])
            break;
        if (shown < 4 && !strstr(line, want[shown]))
            fail_msg("row %d: '%s', expected %s", shown, line, want[shown]);
        shown++;
    }
    fail_msg("no '+N more' line after %d alarms at 80x24", shown);
}

/* H17-31: a new apnoea beside an older, escalated NEWS2 high (the same
 * priority, ranked first) changed nothing on the tile: "*** NEWS2>=7
 * ACTIVE ESC" before and after, the bell already ringing for high. The
 * tile now names the newest other unacknowledged alarm of that priority,
 * at 80x24 and 120x40, in English and (by its short form) any language. */
static void test_tile_shows_a_new_condition(void **state)
{
    static const int sizes[][2] = {{24, 80}, {40, 120}};
    for (size_t k = 0; k < 2; k++) {
        resizeterm(sizes[k][0], sizes[k][1]);
        admitted_bed("Rom 2 vindu");
        snprintf(bed.patient_ref, sizeof bed.patient_ref, "PAS-21");
        raise_at(AC_NEWS2_HIGH, NOW - 600000, false);
        bed.alarms.a[AC_NEWS2_HIGH].escalated = true;
        raise_at(AC_APNOEA, NOW - 30000, false);
        raise_at(AC_OBS_OVERDUE, NOW - 900000, false);
        static struct ui u;
        board_ui(&u);
        erase();
        ui_compute_order(&u);
        ui_draw_board(&u);
        char line[300];
        int found = 0;
        for (int y = 0; y < LINES; y++) {
            row(y, line, sizeof line);
            if (strstr(line, "NEWS2") && strstr(line, "***")) {
                if (!strstr(line, "+APNOEA +1"))
                    fail_msg("%dx%d tile alarm line: '%s'", sizes[k][1], sizes[k][0], line);
                found++;
            }
        }
        assert_int_equal(found, 1);
        /* acknowledged, the apnoea is no longer news: the mark counts the rest */
        bed.alarms.a[AC_APNOEA].acked = true;
        erase();
        ui_draw_board(&u);
        found = 0;
        for (int y = 0; y < LINES; y++) {
            row(y, line, sizeof line);
            if (strstr(line, "NEWS2") && strstr(line, "***")) {
                assert_null(strstr(line, "APNOEA"));
                assert_non_null(strstr(line, " +1"));
                found++;
            }
        }
        assert_int_equal(found, 1);
    }
    resizeterm(24, 80);
}

/* H17-33: a set with RR left empty keeps the bed's RR, which is a count
 * still in force when one was entered minutes before; the label said
 * "empty: radar" while the count was scored. It now names what is kept. */
static void test_set_label_names_the_kept_count(void **state)
{
    admitted_bed("Rom 2 vindu");
    snprintf(bed.patient_ref, sizeof bed.patient_ref, "PAS-21");
    bed.param[NEWS2_RR] = (struct ward_value){.have = true, .automatic = false, .value = 14,
                                              .t_ms = NOW - 120000};
    bed.param[NEWS2_HR] = (struct ward_value){.have = true, .automatic = true, .value = 70,
                                              .t_ms = NOW - 1000};
    static struct ui u;
    board_ui(&u);
    ui_set_start(&u);
    erase();
    ui_draw_bottom(&u);
    char line[300];
    int rr = 0, hr = 0;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (strstr(line, "Respiration rate")) {
            if (!strstr(line, "empty: the count of 2m ago"))
                fail_msg("RR label: '%s'", line);
            rr++;
        }
        if (strstr(line, "Pulse (counted")) {
            if (!strstr(line, "empty: radar"))
                fail_msg("pulse label: '%s'", line);
            hr++;
        }
    }
    assert_int_equal(rr, 1);
    assert_int_equal(hr, 1);
    u.form = F_NONE;
}

/* H17-34: on a narrow tile (26 columns: 80x24 with many beds) the NEWS2
 * line was cut to "NEWS2 >=3 low-medium part…": the "DUE" of the hourly
 * observations lost on exactly the beds that need them. */
static void test_tile_keeps_due(void **state)
{
    resizeterm(24, 26);
    admitted_bed("Rom 2 vindu");
    snprintf(bed.patient_ref, sizeof bed.patient_ref, "PAS-21");
    bed.score_valid = true;
    bed.score.total = 3;
    bed.score.band = NEWS2_BAND_LOW_MEDIUM;
    bed.score.partial = true;
    bed.obs_overdue = true;
    static struct ui u;
    board_ui(&u);
    erase();
    ui_draw_board(&u);
    char line[200];
    int found = 0;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (!strncmp(line, "NEWS2", 5)) {
            if (!strstr(line, "DUE") || !strstr(line, "≥3"))
                fail_msg("26-column tile: '%s'", line);
            found++;
        }
    }
    assert_int_equal(found, 1);
    resizeterm(24, 80);
}

static void test_fit_marks_a_cut(void **state)
{
    static struct ui u;
    memset(&u, 0, sizeof u);
    u.utf8 = true;
    char f[64];
    ui_fit(&u, "Apnoea: no breathing detected", 10, f, sizeof f);
    assert_string_equal(f, "Apnoea: n…");
    ui_fit(&u, "Rom 2 dør", 12, f, sizeof f);
    assert_string_equal(f, "Rom 2 dør   "); /* padded by display width */
    u.utf8 = false;
    ui_fit(&u, "Apnoea: no breathing detected", 10, f, sizeof f);
    assert_string_equal(f, "Apnoea: n~");
    ui_ascii("Rom 2 dør ≥7", f, sizeof f);
    assert_string_equal(f, "Rom 2 dor >=7");
}

/* 'r' with two latched alarms offers the choice, most urgent first; 'a'
 * with one unacknowledged goes straight to it (#17). */
static void test_reset_choice(void **state)
{
    admitted_bed("Rom 1 vindu");
    raise_at(AC_APNOEA, NOW - 30000, true);
    bed.alarms.a[AC_APNOEA].state = AS_LATCHED;
    raise_at(AC_NEWS2_HIGH, NOW - 90000, false);
    bed.alarms.a[AC_NEWS2_HIGH].state = AS_LATCHED;
    raise_at(AC_RR_LOW, NOW - 10000, true); /* active, acknowledged */
    static struct ui u;
    board_ui(&u);
    ui_ack_or_reset(&u, 'r');
    assert_int_equal(u.form, F_CHOOSE);
    assert_int_equal(u.choice_for, F_RESET);
    assert_int_equal(u.choice_n, 2);
    /* the unacknowledged latched NEWS2 high before the acknowledged apnoea */
    assert_true(u.choice_id[0] == 100 + AC_NEWS2_HIGH && u.choice_id[1] == 100 + AC_APNOEA);
    memset(&u, 0, sizeof u);
    u.v = (struct view){&fake, NULL};
    ui_ack_or_reset(&u, 'a');
    assert_int_equal(u.form, F_ACK);
    assert_true(u.note_alarm == 100 + AC_NEWS2_HIGH);
}

/* The trend's "now" is the value the table above shows and NEWS2 scores,
 * not the last minute's mean (H17-25: "RR 25 ... now 24"). */
static void test_trend_now_is_the_scored_value(void **state)
{
    admitted_bed("Rom 1 vindu");
    for (int64_t t = NOW - 600000; t < NOW; t += 1000) {
        hist_add(&bed.h_rr, t, 24);
        hist_add(&bed.h_hr, t, 110);
        hist_add(&bed.h_news2, t, 7);
    }
    bed.param[NEWS2_RR] = (struct ward_value){.have = true, .automatic = true, .value = 25, .t_ms = NOW};
    bed.param[NEWS2_HR] = (struct ward_value){.have = true, .automatic = true, .value = 112, .t_ms = NOW};
    bed.score_valid = true;
    bed.score.total = 8;
    bed.score.partial = true;
    static struct ui u;
    board_ui(&u);
    erase();
    ui_draw_detail(&u);
    char line[200];
    int found = 0;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (!strncmp(line, "RR ", 3) && strstr(line, " 1 h"))
            assert_non_null(strstr(line, "now 25")), found++;
        if (!strncmp(line, "HR ", 3) && strstr(line, " 1 h"))
            assert_non_null(strstr(line, "now 112")), found++;
        if (!strncmp(line, "NEWS2 ", 6) && strstr(line, " 1 h"))
            assert_non_null(strstr(line, "now >=8")), found++;
    }
    assert_int_equal(found, 3);
    /* a stale radar value is not "now" */
    bed.param[NEWS2_RR].stale = true;
    erase();
    ui_draw_detail(&u);
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (!strncmp(line, "RR ", 3) && strstr(line, " 1 h"))
            assert_non_null(strstr(line, "now --"));
    }
}

/* The ward alarm list at 80 columns: the condition and what raised it are
 * shown whole when the row has room for them (H17-26: "Apnoea: no
 * breath…" beside ten blank columns). */
static void test_alarm_list_columns_fit_their_text(void **state)
{
    admitted_bed("Rom 5 enkeltrom");
    raise_at(AC_APNOEA, NOW - 30000, false);
    bed.alarms.a[AC_APNOEA].state = AS_LATCHED;
    raise_at(AC_HR_HIGH, NOW - 60000, false);
    bed.alarms.a[AC_HR_HIGH].trig_value = 131;
    bed.alarms.a[AC_HR_HIGH].trig_limit = 131;
    raise_at(AC_OBS_OVERDUE, NOW - 90000, true);
    static struct ui u;
    board_ui(&u);
    erase();
    ui_draw_alarms(&u);
    char line[200];
    bool apnoea = false, hr = false, overdue = false;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        apnoea |= strstr(line, "Apnoea: no breathing detected") != NULL;
        hr |= strstr(line, "HR 131 >= 131") != NULL;
        overdue |= strstr(line, "Observations overdue") && strstr(line, "ack by KN");
        if (strstr(line, "Rom 5"))
            assert_non_null(strstr(line, "Rom 5 enkeltrom"));
    }
    assert_true(apnoea && hr && overdue);
    /* and when nothing fits, the columns are cut with a mark, the age kept */
    resizeterm(24, 60);
    erase();
    ui_draw_alarms(&u);
    bool cut = false;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        if (strstr(line, "Apnoea"))
            cut = strstr(line, "…") && strstr(line, "30s");
    }
    resizeterm(24, 80);
    assert_true(cut);
}

/* The detail's history is worded by the board from each line's parts
 * (protocol 8), so it follows the board's language (H17-27: English alarm
 * history under nb_NO); a line without parts shows its text. */
static void test_history_worded_from_parts(void **state)
{
    admitted_bed("Rom 1 vindu");
    memset(hist_lines, 0, sizeof hist_lines);
    /* the texts say something else: what is shown comes from the parts */
    hist_lines[0] = (struct ward_history_line){.t = NOW - 4000, .kind = WH_OBS};
    strcpy(hist_lines[0].text, "(server's words)");
    strcpy(hist_lines[0].what, "o2");
    strcpy(hist_lines[0].detail, "air");
    strcpy(hist_lines[0].by, "KN");
    hist_lines[1] = (struct ward_history_line){.t = NOW - 3000, .kind = WH_ALARM};
    strcpy(hist_lines[1].text, "(server's words)");
    strcpy(hist_lines[1].what, "rr-high");
    strcpy(hist_lines[1].detail, "escalated");
    hist_lines[2] = (struct ward_history_line){.t = NOW - 2000, .kind = WH_NOTE, .on_alarm = true};
    snprintf(hist_lines[2].text, sizeof hist_lines[2].text, WARD_NOTE_HEAD "ringte lege", "ÅS",
             WARD_NOTE_ON_ALARM);
    strcpy(hist_lines[2].by, "ÅS");
    hist_lines[3] = (struct ward_history_line){.t = NOW - 1000, .kind = WH_TEXT};
    strcpy(hist_lines[3].text, "admitted P-1");
    nhist_lines = 4;
    static struct ui u;
    board_ui(&u);
    u.hist_bed = 99; /* ask */
    resizeterm(30, 80);
    erase();
    ui_draw_detail(&u);
    nhist_lines = 0;
    static const char *want[] = {"obs Air or oxygen = air (KN)", "alarm ** RR high escalated",
                                 "note (ÅS) on alarm: ringte lege", "admitted P-1"};
    char line[200];
    for (int k = 0; k < 4; k++) {
        bool found = false;
        for (int y = 0; y < LINES && !found; y++) {
            row(y, line, sizeof line);
            found = strstr(line, want[k]) != NULL;
        }
        if (!found) {
            for (int y = 0; y < LINES; y++) {
                row(y, line, sizeof line);
                print_message("%2d|%s\n", y, line);
            }
            fail_msg("no '%s' in the detail", want[k]);
        }
    }
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        assert_null(strstr(line, "server's words"));
        assert_null(strstr(line, "escalated by")); /* no "by" without a name */
    }
    resizeterm(24, 80);
}

/* The bed detail's alarms likewise: "3 points in one parameter" whole,
 * not "3 points in o…" (H17-26). */
static void test_detail_alarm_columns_fit_their_text(void **state)
{
    admitted_bed("Rom 1 vindu");
    raise_at(AC_NEWS2_LOW_MEDIUM, NOW - 30000, false);
    bed.alarms.a[AC_NEWS2_LOW_MEDIUM].trig_value = 3;
    bed.alarms.a[AC_NEWS2_LOW_MEDIUM].trig_limit = 3;
    raise_at(AC_HR_HIGH, NOW - 60000, true);
    bed.alarms.a[AC_HR_HIGH].trig_value = 131;
    bed.alarms.a[AC_HR_HIGH].trig_limit = 131;
    static struct ui u;
    board_ui(&u);
    erase();
    ui_draw_detail(&u);
    char line[200];
    bool whole = false, hr = false;
    for (int y = 0; y < LINES; y++) {
        row(y, line, sizeof line);
        whole |= strstr(line, "3 points in one parameter") != NULL;
        hr |= strstr(line, "HR 131 >= 131") && strstr(line, "ack by KN");
    }
    assert_true(whole && hr);
}

int main(void)
{
    /* as the program does: widths are the locale's (C.UTF-8 is always there) */
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    snprintf(cfg.name, sizeof cfg.name, "Test");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_more_and_order),
        cmocka_unit_test(test_tile_shows_a_new_condition),
        cmocka_unit_test(test_set_label_names_the_kept_count),
        cmocka_unit_test(test_tile_keeps_due),
        cmocka_unit_test(test_fit_marks_a_cut),
        cmocka_unit_test(test_reset_choice),
        cmocka_unit_test(test_trend_now_is_the_scored_value),
        cmocka_unit_test(test_alarm_list_columns_fit_their_text),
        cmocka_unit_test(test_history_worded_from_parts),
        cmocka_unit_test(test_detail_alarm_columns_fit_their_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
