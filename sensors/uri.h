/*
 * uri — sensor URIs: `driver:address[?key=value&...]`, parsed into a fixed
 * struct (no allocation).
 *   ti-vs:/dev/ttyUSB1            a serial device node
 *   mr60bha2:usb:1a86:7523[:SER]  a USB serial adapter by VID:PID(:serial)
 *   ti-vs:file:PATH               a raw byte capture
 *   iio:ip:10.0.0.12?device=cw-radar&i=voltage0&q=voltage1   libiio context
 *   replay:PATH                   a wardwatch recording
 * Transport keys: baud= (serial), pace=realtime|fast (file:). Driver keys are
 * passed through and validated by the driver's init. iio keys: device
 * (required), i, q (default voltage0/voltage1; or comma lists of equal
 * length, one I/Q pair per range point: i=voltage0,voltage2&q=voltage1,voltage3),
 * fs, wavelength_mm.
 */
#ifndef WW_URI_H
#define WW_URI_H

#include "driver.h"

#include <stddef.h>

#define URI_MAX_PARAMS 16

enum uri_addr { URI_DEV, URI_USB, URI_FILE, URI_IIO, URI_REPLAY };

struct sensor_uri {
    char driver[16];
    enum uri_addr kind;
    char address[1024]; /* dev path, file path, libiio URI, or recording path */
    unsigned vid, pid; /* URI_USB */
    char serial[64];   /* URI_USB, "" = any */
    size_t nparams;
    char keys[URI_MAX_PARAMS][32];
    char values[URI_MAX_PARAMS][512]; /* an iio: channel list of 32 range points: ~330 */
};

/* Parse text; -1 with a message naming the part at fault. */
int uri_parse(const char *text, struct sensor_uri *u, char *err, size_t errlen);
/* Value of a query key, or NULL. */
const char *uri_param(const struct sensor_uri *u, const char *key);
/* Driver parameters (everything but transport keys) as sensor_param pairs;
 * returns the count. */
size_t uri_driver_params(const struct sensor_uri *u, struct sensor_param *out, size_t max);
/* Back to text; -1 when it did not fit in n bytes (buf then holds a cut
 * copy that must not be used as a URI). */
int uri_format(const struct sensor_uri *u, char *buf, size_t n);
/* True for a serial byte-stream driver name. */
int uri_is_serial_driver(const char *driver);

#endif
