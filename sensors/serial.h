/*
 * serial — every libserialport call lives here: enumerating adapters,
 * opening a port by /dev name or by USB VID:PID[:serial], 8N1 at a baud
 * rate, exclusive access (TIOCEXCL, which libserialport 0.1.1 lacks), a
 * pollable fd, non-blocking reads that tell a hang-up from "no data".
 */
#ifndef WW_SERIAL_H
#define WW_SERIAL_H

#include <stddef.h>
#include <sys/types.h>

struct serial_port;

struct serial_info {
    char name[256]; /* /dev/ttyUSB0 */
    char description[128];
    char serial[64];
    char manufacturer[64];
    char product[64];
    int vid, pid; /* -1 when not USB */
};

/* List ports; returns count (up to max) or -1. */
int serial_list(struct serial_info *out, int max, char *err, size_t errlen);
/* Open by /dev path (symlinks resolved) or, when vid >= 0, by USB ids and an
 * optional serial number (found by enumeration, whatever the /dev name). */
struct serial_port *serial_open(const char *dev, int vid, int pid, const char *serialno, int baud,
                                char *err, size_t errlen);
int serial_fd(const struct serial_port *p);
const char *serial_name(const struct serial_port *p);
/* Read what is there: >0 bytes, 0 nothing now, -1 hung up or error. */
ssize_t serial_read(struct serial_port *p, void *buf, size_t n);
void serial_close(struct serial_port *p);

#endif
