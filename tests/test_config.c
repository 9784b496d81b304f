/* Tests for src/config: the sample loads; every kind of bad file is refused
 * with FILE:LINE: [section] key. */
#include "ww_test.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;
static char ini[4200];
static struct ward_config cfg;

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Load text as a config; return rc and leave the message in err. */
static int load_text(const char *text, char *err, size_t n)
{
    ww_test_write_file(ini, text);
    return config_load(ini, &cfg, err, n);
}

/* Expect failure with "w.ini:LINE:" and a fragment in the message. */
static void expect_bad(const char *text, int line, const char *fragment)
{
    char err[1024];
    if (load_text(text, err, sizeof err) == 0)
        fail_msg("accepted a bad file, wanted '%s'", fragment);
    char want[64];
    snprintf(want, sizeof want, "w.ini:%d:", line);
    if (!strstr(err, want) || !strstr(err, fragment))
        fail_msg("message '%s' lacks '%s' or '%s'", err, want, fragment);
}

static void test_sample_loads(void **state)
{
    char err[1024];
    const char *roots[] = {"etc/wardwatch.ini", "../etc/wardwatch.ini"};
    int rc = -1;
    for (int i = 0; i < 2 && rc < 0; i++)
        rc = config_load(roots[i], &cfg, err, sizeof err);
    if (rc < 0)
        fail_msg("%s", err);
    assert_string_equal(cfg.name, "Observasjonspost 3");
    assert_int_equal(cfg.nbeds, 5);
    assert_string_equal(cfg.beds[1].label, "Rom 1 dør");
    assert_int_equal(cfg.beds[0].number, 1);
    assert_string_equal(cfg.beds[4].sensor, "");
    assert_int_equal(cfg.delay_high_s, 20);
    assert_int_equal(cfg.max_age_s[NEWS2_SPO2], 6 * 3600);
    assert_int_equal(cfg.max_age_s[NEWS2_RR], 60);
    assert_true(cfg.policy.monitoring_h[1] == 4);
}

static void test_values_and_defaults(void **state)
{
    char err[1024];
    int rc = load_text("[ward]\nname = Obs 3\ndatabase = ward.db\n"
                       "[alarms]\ndelay_s = 15\ndelay_high_s = 5\nrr_high = 24.5\n"
                       "[news2]\nmanual_max_age_h = 4\nspo2_max_age_h = 1.5\n"
                       "monitoring_h_low = 6\n[shifts]\nnight = 22:00-07:00\n"
                       "[handover]\nprinter = obs3-laser\nstaff = ÅS\n"
                       "[bed.10]\nlabel = B\n[bed.2]\nlabel = A ; comment\nsensor = "
                       "ti-vs:/dev/ttyUSB0?baud=115200\n",
                       err, sizeof err);
    if (rc < 0)
        fail_msg("%s", err);
    char want[4300];
    snprintf(want, sizeof want, "%s/ward.db", dir);
    assert_string_equal(cfg.database, want); /* relative to the INI */
    assert_int_equal(cfg.delay_high_s, 5);
    assert_int_equal(cfg.delay_medium_s, 15);
    assert_true(cfg.rr_high == 24.5);
    assert_int_equal(cfg.max_age_s[NEWS2_SPO2], 5400);
    assert_int_equal(cfg.max_age_s[NEWS2_TEMP], 4 * 3600);
    assert_true(cfg.policy.monitoring_h[1] == 6);
    assert_int_equal(cfg.shifts[2].start_min, 22 * 60);
    assert_string_equal(cfg.printer, "obs3-laser");
    assert_string_equal(cfg.handover_staff, "ÅS");
    assert_int_equal(cfg.beds[0].number, 2); /* sorted */
    assert_string_equal(cfg.beds[0].label, "A");
}

static void test_bad_files(void **state)
{
    expect_bad("[ward]\nname = X\n[wrad]\nx = 1\n", 3, "unknown section");
    expect_bad("[ward]\nname = X\nnmae = Y\n", 3, "[ward] nmae: unknown key");
    expect_bad("[ward]\nname = X\n[alarms]\ndelay_s = 08x\n", 4, "delay_s: '08x' is not a whole");
    expect_bad("[ward]\nname = X\n[alarms]\ndelay_s = 601\n", 4, "0-600");
    expect_bad("[ward]\nname = X\n[alarms]\nrr_high = 24,5\n", 4, "use '.' for decimals");
    expect_bad("[ward]\nname = X\n[alarms]\nrr_high = \n", 4, "rr_high");
    expect_bad("[ward]\nname = X\nname = Y\n", 3, "duplicate key (first at line 2)");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\n[ward]\n", 5, "duplicate section");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\n[bed.2]\nlabel = A\n", 6,
               "already the label of [bed.1]");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = foo:/dev/x\n", 5,
               "unknown driver 'foo'");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = ti-vs:usb:12:34\n", 5,
               "4 hex digits");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = iio:ip:h\n", 5, "device=NAME");
    expect_bad("[ward]\nname = X\n[bed.1]\nsensor = ti-vs:/dev/ttyUSB0\n", 3, "label: missing");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = ti-vs:/dev/ttyUSB0\n"
               "[bed.2]\nlabel = B\nsensor = ti-vs:/dev/ttyUSB0\n",
               8, "already used by [bed.1]");
    expect_bad("[ward]\nname = X\n[bed.x]\nlabel = A\n", 3, "[bed.N]");
    expect_bad("[ward]\nname = X\n[bed.1]\nlabel = A\ncolour = red\n", 5, "unknown key");
    expect_bad("[ward]\nname = X\nthis line is wrong\n", 3, "syntax error");
    expect_bad("[ward\nname = X\n", 1, "malformed section header");
    expect_bad("name = X\n", 1, "outside any [section]");
    expect_bad("[alarms]\ndelay_s = 5\n", 0, "name: missing");
    expect_bad("[ward]\nname = X\ngroup = no-such-group-ww\n", 3, "no such unix group");
    expect_bad("[ward]\nname = X\n[shifts]\nday = 7-15\n", 4, "07:00-15:00");
    expect_bad("[ward]\nname = X\n[alarms]\nrr_low = 30\n", 4, "below rr_high");
    expect_bad("[ward]\nname = X\n[handover]\nprinter = obs 3\n", 4,
               "[handover] printer: 'obs 3' is not a CUPS printer name");
    expect_bad("[ward]\nname = X\n[handover]\nprinter = -obs3\n", 4, "no leading '-'");
    expect_bad("[ward]\nname = X\n[handover]\nstaff = K\n", 4,
               "[handover] staff: 'K' is not a valid staff id");
    expect_bad("[ward]\nname = X\n[handover]\nstafff = KN\n", 4,
               "unknown key (accepted: printer, staff)");
    expect_bad("[ward]\nname = X\n[alarms]\nescalate_command = bin/page\n", 4, "absolute");
}

static void test_escalate_command_permissions(void **state)
{
    char err[1024], cmd[4300], text[8800];
    snprintf(cmd, sizeof cmd, "%s/page", dir);
    ww_test_write_file(cmd, "#!/bin/sh\nexit 0\n");
    chmod(cmd, 0755);
    snprintf(text, sizeof text, "[ward]\nname = X\n[alarms]\nescalate_command = %s\n", cmd);
    assert_int_equal(load_text(text, err, sizeof err), 0);
    chmod(ini, 0666);
    assert_int_equal(config_load(ini, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "world-writable"));
    chmod(ini, 0644);
    chmod(cmd, 0777);
    assert_int_equal(config_load(ini, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "world-writable"));
}

static void test_search_order_and_missing(void **state)
{
    char err[1024];
    ww_test_write_file(ini, "[ward]\nname = Env ward\n");
    setenv("WARDWATCH_CONFIG", ini, 1);
    assert_int_equal(config_load(NULL, &cfg, err, sizeof err), 0);
    assert_string_equal(cfg.name, "Env ward");
    assert_string_equal(config_pick_path("x.ini"), "x.ini");
    unsetenv("WARDWATCH_CONFIG");
    assert_non_null(strstr(config_pick_path(NULL), "/wardwatch/wardwatch.ini"));
    assert_int_equal(config_load("/nonexistent/w.ini", &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/w.ini: cannot open"));
}

static void test_staff_list(void **state)
{
    char err[1024], staff[4300];
    snprintf(staff, sizeof staff, "%s/staff.txt", dir);
    ww_test_write_file(staff, "# ward staff\nKN\nÅSE\nab-12\n");
    assert_int_equal(load_text("[ward]\nname = X\nstaff = staff.txt\n", err, sizeof err), 0);
    assert_int_equal(cfg.nstaff, 3);
    assert_true(config_staff_valid(&cfg, "KN"));
    assert_true(config_staff_valid(&cfg, "kn"));
    assert_true(config_staff_valid(&cfg, "ÅSE"));
    assert_false(config_staff_valid(&cfg, "ZZ"));
    assert_false(config_staff_valid(&cfg, ""));
    ww_test_write_file(staff, "KN\nbad id\n");
    assert_int_equal(load_text("[ward]\nname = X\nstaff = staff.txt\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "staff.txt:2:"));
    /* Without a list any well-formed id may sign. */
    assert_int_equal(load_text("[ward]\nname = X\n", err, sizeof err), 0);
    assert_true(config_staff_valid(&cfg, "ZZ"));
    assert_false(config_staff_valid(&cfg, "Z"));
    assert_false(config_staff_valid(&cfg, "a;drop"));
}

/* A relative path that grows past its field once made absolute is refused,
 * never cut (found while writing tests/fuzz/fuzz_config.c: the replay path
 * lost its tail and ?stream=2 silently). */
static void test_long_relative_paths(void **state)
{
    /* a relative path that fits the line (1022) but not, made absolute
     * under the test's directory, a sensor URI (1023) */
    char text[3000], name[1000];
    memset(name, 'a', 995);
    name[995] = 0;
    snprintf(text, sizeof text,
             "[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = replay:%s?stream=2\n", name);
    expect_bad(text, 5, "too long");
    /* iniparser reads lines of up to 1022 bytes: longer ones are refused by
     * the scan, with their line number, before iniparser sees them. */
    char big[1100];
    memset(big, 'd', 1020);
    big[1020] = 0;
    snprintf(text, sizeof text, "[ward]\nname = X\ndatabase = %s\n", big);
    expect_bad(text, 3, "line too long");
    /* Short ones still load, absolute and with their parameters. */
    char err[1024];
    if (load_text("[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = replay:r/b.wwrec?stream=2\n", err,
                  sizeof err) < 0)
        fail_msg("%s", err);
    assert_non_null(strstr(cfg.beds[0].sensor, "/r/b.wwrec?stream=2"));
    assert_true(cfg.beds[0].sensor[7] == '/');
}

/* [export.NAME] (#20): the two examples load; every mistake is
 * refused with FILE:LINE. */
static void test_exports(void **state)
{
    char err[1024];
    int rc = load_text("[ward]\nname = X\n"
                       "; any number of [export.NAME] sections\n[export.imatis]\n"
                       "protocol = hl7\naddress = 10.20.1.5:2575\nfacility = STOLAV\n"
                       "period_s = 60\nalarms = yes\nack_timeout_s = 10\n"
                       "[export.chart]\nprotocol = fhir\nurl = https://fhir.example/fhir\n"
                       "period_s = 60\nack_timeout_s = 20\n"
                       "patient_system = urn:oid:2.16.578.1.12.4.1.4.1\n"
                       "[export.backup-engine]\nprotocol = hl7\naddress = [::1]:2576\n"
                       "facility = STOLAV\nalarms = no\nalarm_codes = legacy\n"
                       "fail_alarm_min = 30\nreceiver = CLOVERLEAF\n",
                       err, sizeof err);
    if (rc < 0)
        fail_msg("%s", err);
    assert_int_equal(cfg.nexports, 3);
    assert_int_equal(cfg.exports[0].line, 4);
    const struct config_export *e = &cfg.exports[0];
    assert_string_equal(e->name, "imatis");
    assert_int_equal(e->protocol, EXPORT_HL7);
    assert_string_equal(e->host, "10.20.1.5");
    assert_int_equal(e->port, 2575);
    assert_string_equal(e->facility, "STOLAV");
    assert_int_equal(e->period_s, 60);
    assert_true(e->alarms);
    assert_int_equal(e->ack_timeout_s, 10);
    assert_int_equal(e->alarm_codes, EXPORT_CODES_2024);
    assert_int_equal(e->fail_alarm_min, 10);
    e = &cfg.exports[1];
    assert_int_equal(e->protocol, EXPORT_FHIR);
    assert_string_equal(e->url, "https://fhir.example/fhir");
    assert_int_equal(e->ack_timeout_s, 20); /* the answer's timeout for fhir too */
    assert_string_equal(e->patient_system, "urn:oid:2.16.578.1.12.4.1.4.1");
    e = &cfg.exports[2];
    assert_string_equal(e->host, "::1");
    assert_int_equal(e->port, 2576);
    assert_false(e->alarms);
    assert_int_equal(e->alarm_codes, EXPORT_CODES_LEGACY);
    assert_int_equal(e->fail_alarm_min, 30);
    assert_string_equal(e->receiver, "CLOVERLEAF");

    const char *h = "[ward]\nname = X\n[export.a]\nprotocol = hl7\n";
    char t[1024];
#define BAD(body, line, frag)                                                                    \
    do {                                                                                         \
        snprintf(t, sizeof t, "%s%s", h, body);                                                  \
        expect_bad(t, line, frag);                                                               \
    } while (0)
    BAD("address = 10.0.0.1\nfacility = S\n", 5, "[export.a] address: '10.0.0.1' is not HOST:PORT");
    BAD("address = host:0\nfacility = S\n", 5, "is not HOST:PORT");
    BAD("address = host:70000\nfacility = S\n", 5, "is not HOST:PORT");
    BAD("address = ::1:2575\nfacility = S\n", 5, "[ADDR]:PORT");
    BAD("address = h st:2575\nfacility = S\n", 5, "is not HOST:PORT");
    BAD("facility = S\n", 3, "[export.a] address: missing");
    BAD("address = h:1\n", 3, "[export.a] facility: missing");
    BAD("address = h:1\nfacility = S\nperiod_s = 5\n", 7, "period_s: '5' is not a whole number in 10-3600");
    BAD("address = h:1\nfacility = S\nalarms = true\n", 7, "alarms: 'true' is not yes or no");
    BAD("address = h:1\nfacility = S\nack_timeout_s = 0\n", 7, "1-300");
    BAD("address = h:1\nfacility = S\nalarm_codes = 2019\n", 7, "legacy (68164-68168)");
    BAD("address = h:1\nfacility = S\nfail_alarm_min = 1441\n", 7, "1-1440");
    BAD("address = h:1\nfacility = S\nurl = http://x/y\n", 7, "only for protocol = fhir");
    BAD("address = h:1\nfacility = S\nadress = h:2\n", 7, "[export.a] adress: unknown key (accepted: protocol, address");
    BAD("address = h:1\nfacility = S\n[export.b]\nprotocol = hl7\naddress = h:1\nfacility = T\n",
        9, "already the destination of [export.a]");
#undef BAD
    expect_bad("[ward]\nname = X\n[export.a]\naddress = h:1\n", 3, "protocol: missing");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = mllp\n", 4,
               "'mllp' is not a protocol (accepted: hl7, fhir)");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = fhir\n", 3, "url: missing");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = fhir\nurl = ftp://x/y\n", 5,
               "not an http:// or https:// URL");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = fhir\nurl = http://x/y\nalarms = yes\n",
               6, "[export.a] alarms: only for protocol = hl7");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = fhir\nurl = http://x/y\n"
               "patient_system = norsk id\n",
               6, "[export.a] patient_system: 'norsk id' is not a URI");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = fhir\nurl = http://x/y\n"
               "patient_system = 2.16.578\n",
               6, "is not a URI");
    expect_bad("[ward]\nname = X\n[export.a]\nprotocol = hl7\naddress = h:1\nfacility = S\n"
               "patient_system = urn:x:y\n",
               7, "[export.a] patient_system: only for protocol = fhir");
    expect_bad("[ward]\nname = X\n[export.a b]\nprotocol = fhir\n", 3, "[export.NAME]");
    expect_bad("[ward]\nname = X\n[export.]\nprotocol = fhir\n", 3, "[export.NAME]");
    expect_bad("[ward]\nname = X\n[exports]\nprotocol = fhir\n", 3, "export.NAME)");
    /* the issue's own example puts a comment after the header: iniparser
     * cannot read that, and said so without a line */
    expect_bad("[ward]\nname = X\n[export.a]   ; any number\nprotocol = fhir\n", 3,
               "comment after a section header");
}

/* H19-14: a ward of CONFIG_MAX_BEDS beds loads (a fixed table of sections
 * once refused the 65th bed as "too many sections"); one bed more is refused
 * naming the file, the line, the section and the limit. */
static void test_bed_limit(void **state)
{
    size_t cap = 80 * (CONFIG_MAX_BEDS + 2) + 64;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "[ward]\nname = Big\n");
    for (int i = 1; i <= CONFIG_MAX_BEDS; i++)
        n += (size_t)snprintf(text + n, cap - n, "[bed.%d]\nlabel = B%d\nsensor = "
                              "mr60bha2:/dev/ttyW%d\n", i, i, i);
    char err[1024];
    if (load_text(text, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_int_equal(cfg.nbeds, CONFIG_MAX_BEDS);
    assert_int_equal(cfg.beds[CONFIG_MAX_BEDS - 1].number, CONFIG_MAX_BEDS);
    int line = 3 + 3 * CONFIG_MAX_BEDS; /* the extra bed's header */
    snprintf(text + n, cap - n, "[bed.%d]\nlabel = X\n", CONFIG_MAX_BEDS + 1);
    char frag[64];
    snprintf(frag, sizeof frag, "[bed.%d]: more than %d beds", CONFIG_MAX_BEDS + 1,
             CONFIG_MAX_BEDS);
    expect_bad(text, line, frag);
    free(text);
}

/* A bed on an FMCW front-end's 32 range points: the sensor line (about 720
 * characters) loads whole, every channel kept (H18-34: values were cut at
 * 127 and the URI at 511). */
static void test_many_range_points(void **state)
{
    char il[400], ql[400], text[1400], err[1024];
    ww_test_channel_lists(32, il, ql, sizeof il);
    snprintf(text, sizeof text,
             "[ward]\nname = X\n[bed.1]\nlabel = A\nsensor = iio:ip:10.20.1.12?device=fmcw&i=%s&q=%s\n",
             il, ql);
    if (load_text(text, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_non_null(strstr(cfg.beds[0].sensor, il));
    assert_non_null(strstr(cfg.beds[0].sensor, ql));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sample_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_and_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escalate_command_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_order_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_staff_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_relative_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bed_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_range_points, setup, teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
