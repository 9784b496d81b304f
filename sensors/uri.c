/*
 * uri — parsing and checking sensor URIs (see uri.h for the forms).
 */
#include "uri.h"

#include "iqlink.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const serial_drivers[] = {"ti-vs", "mr60bha2", "mr60bha1"};

/* Serial byte-stream driver? */
int uri_is_serial_driver(const char *d)
{
    for (size_t i = 0; i < WW_ARRAY_LEN(serial_drivers); i++)
        if (!strcmp(d, serial_drivers[i]))
            return 1;
    return 0;
}

/* Exactly four hex digits. */
static int parse_hex4(const char *s, size_t len, unsigned *out)
{
    if (len != 4)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* Split the query string into keys and values. */
static int parse_query(const char *q, struct sensor_uri *u, char *err, size_t errlen)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        if (!eq)
            return ww_err(err, errlen, "parameter '%.*s' has no '=value'", (int)len, q);
        size_t kl = (size_t)(eq - q), vl = len - kl - 1;
        if (kl == 0)
            return ww_err(err, errlen, "empty parameter name in '%.*s'", (int)len, q);
        if (vl == 0)
            return ww_err(err, errlen, "parameter '%.*s' has an empty value", (int)kl, q);
        if (kl >= sizeof u->keys[0] || vl >= sizeof u->values[0])
            return ww_err(err, errlen, "parameter '%.*s' is too long", (int)kl, q);
        if (u->nparams >= URI_MAX_PARAMS)
            return ww_err(err, errlen, "more than %d parameters", URI_MAX_PARAMS);
        char key[32];
        memcpy(key, q, kl);
        key[kl] = 0;
        if (uri_param(u, key))
            return ww_err(err, errlen, "parameter '%s' given twice", key);
        memcpy(u->keys[u->nparams], q, kl);
        u->keys[u->nparams][kl] = 0;
        memcpy(u->values[u->nparams], eq + 1, vl);
        u->values[u->nparams][vl] = 0;
        u->nparams++;
        q += len;
        if (*q == '&') {
            q++;
            if (!*q)
                return ww_err(err, errlen, "trailing '&'");
        }
    }
    return 0;
}

/* Check the keys this module owns. */
static int check_params(struct sensor_uri *u, char *err, size_t errlen)
{
    const char *v;
    long l;
    double d;
    if ((v = uri_param(u, "baud"))) {
        if (!uri_is_serial_driver(u->driver) || u->kind == URI_FILE)
            return ww_err(err, errlen, "baud= applies only to serial ports");
        if (ww_parse_long(v, 1200, 4000000, &l) < 0)
            return ww_err(err, errlen, "baud: '%s' is not a rate in 1200-4000000", v);
    }
    if ((v = uri_param(u, "pace"))) {
        if (u->kind != URI_FILE && u->kind != URI_REPLAY)
            return ww_err(err, errlen, "pace= applies only to file: captures and recordings");
        if (strcmp(v, "realtime") && strcmp(v, "fast"))
            return ww_err(err, errlen, "pace: '%s' (accepted: realtime, fast)", v);
    }
    if (!strcmp(u->driver, "iio")) {
        static const char *known[] = {"device", "i", "q", "fs", "wavelength_mm", "buffer"};
        for (size_t i = 0; i < u->nparams; i++) {
            size_t k;
            for (k = 0; k < WW_ARRAY_LEN(known); k++)
                if (!strcmp(u->keys[i], known[k]))
                    break;
            if (k == WW_ARRAY_LEN(known))
                return ww_err(err, errlen,
                              "unknown iio parameter '%s' (accepted: device, i, q, fs, "
                              "wavelength_mm, buffer)",
                              u->keys[i]);
        }
        if (!uri_param(u, "device"))
            return ww_err(err, errlen, "iio sensors need device=NAME");
        if (iqlink_points(uri_param(u, "i"), uri_param(u, "q"), NULL, NULL, err, errlen) < 0)
            return -1;
        if ((v = uri_param(u, "fs")) && ww_parse_double(v, 1, 1e7, &d) < 0)
            return ww_err(err, errlen, "fs: '%s' is not a sampling rate in Hz (1-10000000)", v);
        if ((v = uri_param(u, "wavelength_mm")) && ww_parse_double(v, 0.1, 1000, &d) < 0)
            return ww_err(err, errlen, "wavelength_mm: '%s' is not a length in 0.1-1000", v);
        if ((v = uri_param(u, "buffer")) && ww_parse_long(v, 16, 1 << 20, &l) < 0)
            return ww_err(err, errlen, "buffer: '%s' is not a sample count in 16-1048576", v);
    }
    if (!strcmp(u->driver, "replay")) {
        for (size_t i = 0; i < u->nparams; i++)
            if (strcmp(u->keys[i], "pace") && strcmp(u->keys[i], "stream"))
                return ww_err(err, errlen,
                              "unknown replay parameter '%s' (accepted: pace, stream)",
                              u->keys[i]);
        if ((v = uri_param(u, "stream")) && ww_parse_long(v, 0, 63, &l) < 0)
            return ww_err(err, errlen, "stream: '%s' is not a stream number 0-63", v);
    }
    return 0;
}

/* Parse a sensor URI. */
int uri_parse(const char *text, struct sensor_uri *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    if (!text || !*text)
        return ww_err(err, errlen, "empty sensor URI");
    if (strlen(text) >= sizeof u->address)
        return ww_err(err, errlen, "sensor URI too long");
    const char *colon = strchr(text, ':');
    if (!colon)
        return ww_err(err, errlen, "'%s' has no driver (expected DRIVER:ADDRESS)", text);
    size_t dl = (size_t)(colon - text);
    if (dl == 0 || dl >= sizeof u->driver)
        return ww_err(err, errlen, "'%s': bad driver name", text);
    memcpy(u->driver, text, dl);
    u->driver[dl] = 0;
    if (!uri_is_serial_driver(u->driver) && strcmp(u->driver, "iio") &&
        strcmp(u->driver, "replay"))
        return ww_err(err, errlen,
                      "unknown driver '%s' (accepted: ti-vs, mr60bha2, mr60bha1, iio, replay)",
                      u->driver);
    char rest[sizeof u->address]; /* the whole URI fits (checked above): never cut */
    ww_strlcpy(rest, colon + 1, sizeof rest);
    char *q = strchr(rest, '?');
    if (q) {
        *q++ = 0;
        if (!*q)
            return ww_err(err, errlen, "empty parameter list after '?'");
        if (parse_query(q, u, err, errlen) < 0)
            return -1;
    }
    if (!rest[0])
        return ww_err(err, errlen, "'%s': empty address", text);
    if (!strcmp(u->driver, "iio")) {
        u->kind = URI_IIO;
        if (strncmp(rest, "local:", 6) && strncmp(rest, "ip:", 3) && strncmp(rest, "usb:", 4) &&
            strncmp(rest, "serial:", 7))
            return ww_err(err, errlen,
                          "iio address '%s' is not a libiio URI (local:, ip:HOST, usb:, serial:)",
                          rest);
        if (!strncmp(rest, "ip:", 3) && !rest[3])
            return ww_err(err, errlen, "iio address 'ip:' needs a host");
        ww_strlcpy(u->address, rest, sizeof u->address);
    } else if (!strcmp(u->driver, "replay")) {
        u->kind = URI_REPLAY;
        ww_strlcpy(u->address, rest, sizeof u->address);
    } else if (!strncmp(rest, "usb:", 4)) {
        u->kind = URI_USB;
        const char *p = rest + 4;
        const char *c1 = strchr(p, ':');
        if (!c1 || parse_hex4(p, (size_t)(c1 - p), &u->vid) < 0)
            return ww_err(err, errlen, "'%s': expected usb:VID:PID[:SERIAL] with 4 hex digits",
                          text);
        const char *c2 = strchr(c1 + 1, ':');
        size_t pl = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        if (parse_hex4(c1 + 1, pl, &u->pid) < 0)
            return ww_err(err, errlen, "'%s': expected usb:VID:PID[:SERIAL] with 4 hex digits",
                          text);
        if (c2) {
            if (!c2[1] || strlen(c2 + 1) >= sizeof u->serial)
                return ww_err(err, errlen, "'%s': bad USB serial number", text);
            ww_strlcpy(u->serial, c2 + 1, sizeof u->serial);
        }
        ww_strlcpy(u->address, rest, sizeof u->address);
    } else if (!strncmp(rest, "file:", 5)) {
        u->kind = URI_FILE;
        if (!rest[5])
            return ww_err(err, errlen, "'%s': file: needs a path", text);
        ww_strlcpy(u->address, rest + 5, sizeof u->address);
    } else if (rest[0] == '/') {
        u->kind = URI_DEV;
        ww_strlcpy(u->address, rest, sizeof u->address);
    } else {
        return ww_err(err, errlen,
                      "'%s': a serial sensor's address is /dev/PATH, usb:VID:PID[:SERIAL] or "
                      "file:PATH",
                      text);
    }
    return check_params(u, err, errlen);
}

/* Lookup. */
const char *uri_param(const struct sensor_uri *u, const char *key)
{
    for (size_t i = 0; i < u->nparams; i++)
        if (!strcmp(u->keys[i], key))
            return u->values[i];
    return NULL;
}

/* Driver keys only. */
size_t uri_driver_params(const struct sensor_uri *u, struct sensor_param *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < u->nparams && n < max; i++) {
        if (!strcmp(u->keys[i], "baud") || !strcmp(u->keys[i], "pace"))
            continue;
        out[n].key = u->keys[i];
        out[n].value = u->values[i];
        n++;
    }
    return n;
}

/* Re-assemble; -1 when the text was cut to fit n. */
int uri_format(const struct sensor_uri *u, char *buf, size_t n)
{
    int o = 0;
    if (u->kind == URI_FILE)
        o = snprintf(buf, n, "%s:file:%s", u->driver, u->address);
    else
        o = snprintf(buf, n, "%s:%s", u->driver, u->address);
    for (size_t i = 0; i < u->nparams && o >= 0 && (size_t)o < n; i++)
        o += snprintf(buf + o, n - (size_t)o, "%c%s=%s", i ? '&' : '?', u->keys[i],
                      u->values[i]);
    return o < 0 || (size_t)o >= n ? -1 : 0;
}
