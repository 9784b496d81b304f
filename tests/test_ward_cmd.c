/* Tests for commands as data (ward_cmd_exec, what boards send through the
 * view and over the serve socket): every kind reaches its ward command,
 * refusals come back with their reason and change nothing, an alarm is
 * acted on by the id the board saw, and the status-line sensor summary. */
#include "ww_test.h"
#include "config.h"
#include "store.h"
#include "ward.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static struct ward_config cfg;

static int setup(void **state)
{
    char err[1024], ini[4200];
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    ww_test_write_file(ini, "[ward]\nname = Test\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\n"
                            "sensor = ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n");
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

static struct ward_cmd cmd(enum ward_cmd_kind k, uint32_t bed, const char *staff)
{
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    c.bed = bed;
    snprintf(c.staff, sizeof c.staff, "%s", staff);
    return c;
}

/* One integer from the ward's database (another connection). */
static long long db_int(const char *db, const char *sql)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    long long v = -1;
    if (sqlite3_open(db, &d) == SQLITE_OK && sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return v;
}

static void test_handover_commands(void **state)
{
    char err[512], db[4200];
    snprintf(db, sizeof db, "%s/ward.db", dir);
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    /* A handover made by `wardwatch handover` beside the server: the audit
     * row is the server's to write, with the bed's number. */
    struct ward_cmd c = cmd(WCMD_HANDOVER_AUDIT, 1, "ES");
    strcpy(c.param, "export");
    strcpy(c.text, "night text 2023-11-13T23:00..2023-11-14T07:00 beds 2; file /tmp/n.txt ok");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_int_equal(db_int(db, "SELECT count(*) FROM audit WHERE action = 'handover-export'"
                                " AND staff = 'ES' AND bed = 2 AND detail LIKE 'night text%ok'"),
                     1);
    c.bed = WARD_CMD_NO_BED;
    strcpy(c.param, "print");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_int_equal(db_int(db, "SELECT count(*) FROM audit WHERE action = 'handover-print'"
                                " AND bed IS NULL"),
                     1);
    /* Refusals name what was wrong and write nothing. */
    strcpy(c.param, "delete");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "'delete' is not view, export or print"));
    strcpy(c.param, "view");
    c.bed = 7;
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "no bed 7"));
    c.bed = 0;
    c.text[0] = 0;
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "detail"));
    strcpy(c.text, "x");
    strcpy(c.staff, "");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a valid staff id"));
    /* #19 defect 4: a print never runs inline (it would wait for lp and
     * hold the core's loop): refused, nothing rendered, nothing audited. */
    c = cmd(WCMD_PRINT_HANDOVER, 0, "OS");
    c.t0 = t - 3600000;
    c.t1 = t;
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "not run inline"));
    assert_int_equal(db_int(db, "SELECT count(*) FROM audit WHERE action LIKE 'handover-%'"), 2);
    assert_string_equal(ward_cmd_name(WCMD_PRINT_HANDOVER), "print-handover");
    assert_string_equal(ward_cmd_name(WCMD_HANDOVER_AUDIT), "handover-audit");
    ward_free(w);
    store_close(st);
}

static void test_every_kind(void **state)
{
    char err[512];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    const struct ward_bed *b = ward_bed(w, 1);
    struct ward_cmd c = cmd(WCMD_ADMIT, 1, "KN");
    strcpy(c.ref, "P-7");
    strcpy(c.text, "fall, observe");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_true(b->admitted);
    assert_string_equal(b->patient_ref, "P-7");
    assert_string_equal(b->admission_note, "fall, observe");
    c = cmd(WCMD_OBSERVATION, 1, "KN");
    strcpy(c.param, "spo2");
    strcpy(c.value, "93");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_true(b->param[NEWS2_SPO2].have && b->param[NEWS2_SPO2].value == 93);
    assert_string_equal(b->param[NEWS2_SPO2].by, "KN");
    strcpy(c.value, "150");
    assert_int_equal(ward_cmd_exec(w, &c, t + 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "spo2"));
    assert_true(b->param[NEWS2_SPO2].value == 93); /* refused: nothing changed */
    c = cmd(WCMD_SCALE2, 1, "KN");
    c.on = true;
    strcpy(c.prescriber, "Dr Berg");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_true(b->scale2);
    assert_string_equal(b->scale2_by, "Dr Berg");
    c = cmd(WCMD_LIMITS, 1, "KN");
    c.limits = (struct alarm_limits){6, 28, 45, 120, 0, 0};
    strcpy(c.text, "COPD");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_true(b->limits.rr_low == 6 && b->limits.hr_high == 120);
    assert_string_equal(b->limits_reason, "COPD");
    c = cmd(WCMD_NOTE, 1, "ÅS");
    strcpy(c.text, "");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty note"));
    strcpy(c.text, "pasient urolig");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    c = cmd(WCMD_AUDIO_PAUSE, 0, "KN");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_true(ward_audio_paused(w, t + 1000));
    c = cmd(WCMD_DISCHARGE, 1, "");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1); /* no initials */
    assert_true(b->admitted);
    c = cmd(WCMD_DISCHARGE, 1, "KN");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), 0);
    assert_false(b->admitted);
    c = cmd(WCMD_DISCHARGE, 7, "KN");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "no such bed"));
    c = cmd((enum ward_cmd_kind)99, 0, "KN");
    assert_int_equal(ward_cmd_exec(w, &c, t, err, sizeof err), -1);
    assert_string_equal(ward_cmd_name(WCMD_AUDIO_PAUSE), "audio-pause");
    assert_string_equal(ward_cmd_name((enum ward_cmd_kind)99), "?");
    ward_free(w);
}

/* RR 30 on bed 1 until its limit alarm shows. */
static int64_t raise_rr_high(struct ward *w, int64_t t)
{
    char err[256];
    if (!ward_bed(w, 0)->admitted && ward_cmd_admit(w, 0, "P-1", "", "KN", t, err, sizeof err) < 0)
        fail_msg("%s", err);
    for (int i = 0; i < 120 && ward_bed(w, 0)->alarms.a[AC_RR_HIGH].state == AS_NONE;
         i++, t += 1000) {
        struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE,
                            .rr = 30,
                            .hr = 70,
                            .presence = true};
        ward_reading(w, 0, &r, t);
        ward_tick(w, t);
    }
    return t;
}

static void test_alarm_by_id(void **state)
{
    char err[512];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    int64_t t = raise_rr_high(w, 1700000000000LL);
    const struct alarm_bed *ab = &ward_bed(w, 0)->alarms;
    int c = alarm_most_urgent(ab);
    assert_true(c >= 0);
    int64_t id = ab->a[c].id;
    assert_true(id != 0);
    /* An id that is not shown (ended, superseded): refused, not redirected. */
    struct ward_cmd k = cmd(WCMD_ACK, 0, "OS");
    k.alarm_id = id + 1000;
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "no longer shown on Rom 1"));
    assert_false(ab->a[c].acked);
    /* The shown one: acknowledged once; the second nurse is told by whom. */
    k.alarm_id = id;
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), 0);
    assert_true(ab->a[c].acked);
    k = cmd(WCMD_ACK, 0, "KN");
    k.alarm_id = id;
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "already acknowledged by OS"));
    assert_string_equal(ab->a[c].acked_by, "OS");
    /* Reset of an alarm whose condition is still on is refused. */
    k = cmd(WCMD_RESET, 0, "KN");
    k.alarm_id = id;
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), -1);
    /* No alarm at all on bed 2. */
    k = cmd(WCMD_ACK, 1, "KN");
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), -1);
    assert_non_null(strstr(err, "no such alarm on Rom 2"));
    ward_free(w);
}

/* A whole set as one command (what a board's set form sends): one commit,
 * each value validated, the whole refused on any bad one. */
static void test_observation_set_command(void **state)
{
    char err[512];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    int64_t t = 1700000000000LL;
    assert_int_equal(ward_cmd_admit(w, 0, "P-1", "", "KN", t, err, sizeof err), 0);
    struct ward_cmd k = cmd(WCMD_OBSERVATIONS, 0, "KN");
    snprintf(k.text, sizeof k.text, "spo2=94 o2=air\nsbp=118 acvpu=A temp=38.2");
    assert_int_equal(ward_cmd_exec(w, &k, t, err, sizeof err), 0);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_true(b->param[NEWS2_SPO2].value == 94 && b->param[NEWS2_TEMP].value == 38.2);
    assert_int_equal(b->set_at, t);
    snprintf(k.text, sizeof k.text, "spo2=93 temp=55");
    assert_int_equal(ward_cmd_exec(w, &k, t + 1000, err, sizeof err), -1);
    assert_true(b->param[NEWS2_SPO2].value == 94); /* nothing of a refused set */
    snprintf(k.text, sizeof k.text, "spo2 93");
    assert_int_equal(ward_cmd_exec(w, &k, t + 1000, err, sizeof err), -1);
    assert_non_null(strstr(err, "NAME=VALUE"));
    snprintf(k.text, sizeof k.text, "spo2=93 spo2=92");
    assert_int_equal(ward_cmd_exec(w, &k, t + 1000, err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_string_equal(ward_cmd_name(WCMD_OBSERVATIONS), "observations");
    ward_free(w);
}

static void test_sensor_summary(void **state)
{
    struct ward_bed beds[4];
    memset(beds, 0, sizeof beds);
    beds[0].sensor = WSENS_OK;
    beds[1].sensor = WSENS_MOTION;
    beds[2].sensor = WSENS_DISCONNECTED;
    beds[3].sensor = WSENS_NONE;
    char buf[128];
    ward_sensor_summary(beds, 4, buf, sizeof buf);
    assert_string_equal(buf, "sensors 2 ok, 1 disconnected");
    ward_sensor_summary(beds, 0, buf, sizeof buf);
    assert_string_equal(buf, "sensors 0 ok");
}

/* A command composed for one patient lands on no other (H17-16): a form
 * opened on P-1's bed and committed after P-1 was discharged and P-2
 * admitted is refused, naming both, and changes nothing; the same command
 * for the patient in the bed is taken. With the store, so admissions have
 * their ids. */
static void test_command_for_the_patient_it_was_made_for(void **state)
{
    char err[512], db[4200];
    snprintf(db, sizeof db, "%s/ward.db", dir);
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    const struct ward_bed *b = ward_bed(w, 1);
    assert_int_equal(ward_cmd_admit(w, 1, "P-1", "", "KN", t, err, sizeof err), 0);
    int64_t p1 = b->admission_id;
    assert_true(p1 > 0);
    /* the forms, as a board opens them on P-1 */
    struct ward_cmd note = cmd(WCMD_NOTE, 1, "KN"), dis = cmd(WCMD_DISCHARGE, 1, "KN"),
                    obs = cmd(WCMD_OBSERVATION, 1, "KN"), adm = cmd(WCMD_ADMIT, 0, "KN");
    struct ward_cmd *forms[] = {&note, &dis, &obs};
    for (size_t k = 0; k < 3; k++) {
        forms[k]->check_patient = true;
        forms[k]->admission_id = p1;
        strcpy(forms[k]->expect_ref, "P-1");
    }
    strcpy(note.text, "P-1 sover");
    strcpy(obs.param, "spo2");
    strcpy(obs.value, "88");
    adm.check_patient = true; /* bed 1 (index 0) free when the form opened */
    strcpy(adm.ref, "P-9");
    /* meanwhile, on another board: P-1 discharged, P-2 admitted */
    assert_int_equal(ward_cmd_discharge(w, 1, "ES", t + 1000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(w, 1, "P-2", "", "ES", t + 2000, err, sizeof err), 0);
    assert_true(b->admission_id != p1);
    for (size_t k = 0; k < 3; k++) {
        err[0] = 0;
        assert_int_equal(ward_cmd_exec(w, forms[k], t + 3000, err, sizeof err), -1);
        assert_non_null(strstr(err, "Rom 2 now holds P-2, not P-1"));
        assert_non_null(strstr(err, "nothing saved"));
    }
    assert_true(b->admitted);
    assert_string_equal(b->patient_ref, "P-2");
    assert_false(b->param[NEWS2_SPO2].have);
    assert_int_equal(db_int(db, "SELECT count(*) FROM notes WHERE text = 'P-1 sover'"), 0);
    /* P-1 gone and the bed free: said so */
    assert_int_equal(ward_cmd_discharge(w, 1, "ES", t + 4000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_exec(w, &note, t + 5000, err, sizeof err), -1);
    assert_non_null(strstr(err, "P-1 was discharged since this was started"));
    /* an admission form for a free bed that was taken meanwhile */
    assert_int_equal(ward_cmd_admit(w, 0, "P-3", "", "ES", t + 6000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_exec(w, &adm, t + 7000, err, sizeof err), -1);
    assert_non_null(strstr(err, "P-3 was admitted since this was started"));
    /* the same forms for the patient in the bed are taken */
    assert_int_equal(ward_cmd_admit(w, 1, "P-4", "", "ES", t + 8000, err, sizeof err), 0);
    note.admission_id = obs.admission_id = b->admission_id;
    strcpy(note.expect_ref, "P-4");
    strcpy(obs.expect_ref, "P-4");
    strcpy(note.text, "P-4 sover");
    assert_int_equal(ward_cmd_exec(w, &note, t + 9000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_exec(w, &obs, t + 9000, err, sizeof err), 0);
    assert_true(b->param[NEWS2_SPO2].have && b->param[NEWS2_SPO2].value == 88);
    ward_free(w);
    store_close(st);
}

/* H16-9b: a patient reference over 32 characters is refused by name, never
 * cut to another patient's (before: 36 accepted, 45 cut to 39). */
static void test_patient_reference_limit(void **state)
{
    char err[512];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    const char *r36 = "PAS-123456789012345678901234567890AB", *r32 = "PAS-1234567890123456789012345678";
    assert_int_equal((int)strlen(r36), 36);
    assert_int_equal(ward_cmd_admit(w, 0, r36, "", "KN", t, err, sizeof err), -1);
    assert_non_null(strstr(err, "patient reference too long: 36 characters, at most 32"));
    assert_false(ward_bed(w, 0)->admitted);
    assert_int_equal(ward_cmd_admit(w, 0, r32, "", "KN", t, err, sizeof err), 0);
    assert_string_equal(ward_bed(w, 0)->patient_ref, r32);
    ward_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_by_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handover_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_for_the_patient_it_was_made_for, setup, teardown),
        cmocka_unit_test(test_observation_set_command),
        cmocka_unit_test(test_sensor_summary),
        cmocka_unit_test_setup_teardown(test_patient_reference_limit, setup, teardown),
    };
    return cmocka_run_group_tests_name("ward_cmd", tests, NULL, NULL);
}
