/* Tests for sensors/uri: every address form, parameters, every error. */
#include "ww_test.h"
#include "uri.h"

#include <stdio.h>
#include <string.h>

static void test_forms(void **state)
{
    struct sensor_uri u;
    char err[256], back[600];
    assert_int_equal(uri_parse("ti-vs:/dev/ttyUSB1", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_DEV);
    assert_string_equal(u.address, "/dev/ttyUSB1");
    assert_int_equal(uri_parse("mr60bha2:usb:1a86:7523", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_USB);
    assert_int_equal(u.vid, 0x1a86);
    assert_int_equal(u.pid, 0x7523);
    assert_string_equal(u.serial, "");
    assert_int_equal(uri_parse("ti-vs:usb:0451:BEF3:R1A?baud=115200&frame_ms=90", &u, err,
                               sizeof err),
                     0);
    assert_int_equal(u.pid, 0xbef3);
    assert_string_equal(u.serial, "R1A");
    assert_string_equal(uri_param(&u, "baud"), "115200");
    struct sensor_param p[4];
    assert_int_equal(uri_driver_params(&u, p, 4), 1); /* baud is the transport's */
    assert_string_equal(p[0].key, "frame_ms");
    uri_format(&u, back, sizeof back);
    assert_string_equal(back, "ti-vs:usb:0451:BEF3:R1A?baud=115200&frame_ms=90");
    assert_int_equal(uri_parse("mr60bha1:file:/tmp/x.bin?pace=realtime", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_FILE);
    assert_string_equal(u.address, "/tmp/x.bin");
    assert_int_equal(uri_parse("iio:ip:10.0.0.12?device=cw-radar&i=voltage0&q=voltage1", &u, err,
                               sizeof err),
                     0);
    assert_int_equal(u.kind, URI_IIO);
    assert_string_equal(u.address, "ip:10.0.0.12");
    assert_int_equal(uri_parse("iio:ip:127.0.0.1:30431?device=x&fs=2500&wavelength_mm=5.0", &u,
                               err, sizeof err),
                     0);
    assert_int_equal(uri_parse("iio:local:?device=cw-radar", &u, err, sizeof err), 0);
    assert_int_equal(uri_parse("replay:night.wwrec?stream=3", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_REPLAY);
}

static void expect_bad(const char *text, const char *fragment)
{
    struct sensor_uri u;
    char err[256];
    if (uri_parse(text, &u, err, sizeof err) == 0)
        fail_msg("accepted '%s'", text);
    if (!strstr(err, fragment))
        fail_msg("'%s': message '%s' lacks '%s'", text, err, fragment);
}

static void test_errors(void **state)
{
    expect_bad("", "empty");
    expect_bad("/dev/ttyUSB0", "no driver");
    expect_bad("foo:/dev/ttyUSB0", "unknown driver 'foo'");
    expect_bad("ti-vs:", "empty address");
    expect_bad("ti-vs:ttyUSB0", "/dev/PATH, usb:VID:PID");
    expect_bad("ti-vs:usb:451:bef3", "4 hex digits");
    expect_bad("ti-vs:usb:0451:beg3", "4 hex digits");
    expect_bad("ti-vs:usb:0451:bef3:", "serial");
    expect_bad("ti-vs:file:", "needs a path");
    expect_bad("ti-vs:/dev/x?baud", "no '=value'");
    expect_bad("ti-vs:/dev/x?=3", "empty parameter name");
    expect_bad("ti-vs:/dev/x?baud=", "empty value");
    expect_bad("ti-vs:/dev/x?baud=9600&baud=9600", "given twice");
    expect_bad("ti-vs:/dev/x?baud=9600&", "trailing");
    expect_bad("ti-vs:/dev/x?", "empty parameter list");
    expect_bad("ti-vs:/dev/x?baud=12", "1200-4000000");
    expect_bad("ti-vs:/dev/x?pace=realtime", "only to file:");
    expect_bad("ti-vs:file:/x?pace=slow", "realtime, fast");
    expect_bad("ti-vs:file:/x?baud=9600", "only to serial ports");
    expect_bad("iio:ip:10.0.0.1", "device=NAME");
    expect_bad("iio:ip:?device=x", "needs a host");
    expect_bad("iio:/dev/iio:device0?device=x", "not a libiio URI");
    expect_bad("iio:local:?device=x&colour=red", "unknown iio parameter 'colour'");
    expect_bad("iio:local:?device=x&fs=-3", "sampling rate");
    expect_bad("replay:x.wwrec?speed=2", "unknown replay parameter");
}

/* An FMCW or pulsed front-end's 32 range points (IQLINK_MAX_POINTS) as an
 * iio: URI with channel lists: 32 I and 32 Q channel names, over 330
 * characters each, with an ip: host and the device. Before: "parameter
 * 'i' is too long" from 13 points on (values held 127 characters), so the
 * documented limit of 32 points (and the A121's 21) could not be reached
 * (H18-34). Longer than any sensor URI (1023) is still refused by name. */
static void test_many_range_points(void **state)
{
    char text[1400], il[400], ql[400];
    ww_test_channel_lists(32, il, ql, sizeof il);
    snprintf(text, sizeof text, "iio:ip:radar-ward4.example.org:30431?device=fmcw-frontend&i=%s&q=%s",
             il, ql);
    struct sensor_uri u;
    char err[256], back[1100];
    if (uri_parse(text, &u, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_string_equal(uri_param(&u, "i"), il);
    assert_string_equal(uri_param(&u, "q"), ql);
    assert_true(uri_format(&u, back, sizeof back) >= 0);
    assert_string_equal(back, text);
    char big[1100];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    memcpy(big, "iio:local:?device=x&i=", 22);
    expect_bad(big, "too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_many_range_points),
    };
    return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
