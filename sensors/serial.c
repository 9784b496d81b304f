/*
 * serial — libserialport transport (see serial.h). A pty stands in for an
 * adapter in the tests (tests/README.md); nothing here knows about that.
 */
#include "serial.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

struct serial_port {
    struct sp_port *port;
    int fd;
    char name[256];
};

/* Copy a possibly-NULL libserialport string. */
static void cp(char *dst, size_t n, const char *s)
{
    ww_strlcpy(dst, s ? s : "", n);
}

/* Enumerate. */
int serial_list(struct serial_info *out, int max, char *err, size_t errlen)
{
    struct sp_port **ports;
    if (sp_list_ports(&ports) != SP_OK)
        return ww_err(err, errlen, "cannot list serial ports: %s", sp_last_error_message());
    int n = 0;
    for (int i = 0; ports[i] && n < max; i++) {
        struct serial_info *s = &out[n++];
        memset(s, 0, sizeof *s);
        cp(s->name, sizeof s->name, sp_get_port_name(ports[i]));
        cp(s->description, sizeof s->description, sp_get_port_description(ports[i]));
        s->vid = s->pid = -1;
        if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB) {
            sp_get_port_usb_vid_pid(ports[i], &s->vid, &s->pid);
            cp(s->serial, sizeof s->serial, sp_get_port_usb_serial(ports[i]));
            cp(s->manufacturer, sizeof s->manufacturer, sp_get_port_usb_manufacturer(ports[i]));
            cp(s->product, sizeof s->product, sp_get_port_usb_product(ports[i]));
        }
    }
    sp_free_port_list(ports);
    return n;
}

/* Find the /dev name of a USB adapter. */
static int find_usb(int vid, int pid, const char *serialno, char *name, size_t n, char *err,
                    size_t errlen)
{
    struct serial_info info[64];
    int count = serial_list(info, 64, err, errlen);
    if (count < 0)
        return -1;
    for (int i = 0; i < count; i++)
        if (info[i].vid == vid && info[i].pid == pid &&
            (!serialno || !*serialno || !strcmp(serialno, info[i].serial))) {
            ww_strlcpy(name, info[i].name, n);
            return 0;
        }
    return ww_err(err, errlen, "no USB serial adapter %04x:%04x%s%s is connected", vid, pid,
                  serialno && *serialno ? " with serial " : "", serialno ? serialno : "");
}

/* Open and configure. */
struct serial_port *serial_open(const char *dev, int vid, int pid, const char *serialno, int baud,
                                char *err, size_t errlen)
{
    char name[PATH_MAX];
    if (vid >= 0) {
        if (find_usb(vid, pid, serialno, name, sizeof name, err, errlen) < 0)
            return NULL;
    } else if (!realpath(dev, name)) {
        /* /dev/serial/by-id links must be resolved: libserialport wants the
         * node that has an entry in /sys/class/tty. */
        ww_err(err, errlen, "%s: %s", dev, strerror(errno));
        return NULL;
    }
    struct serial_port *p = calloc(1, sizeof *p);
    if (!p) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    p->fd = -1;
    ww_strlcpy(p->name, name, sizeof p->name);
    if (sp_get_port_by_name(name, &p->port) != SP_OK) {
        ww_err(err, errlen, "%s: not a serial port libserialport knows: %s", name,
               sp_last_error_message());
        free(p);
        return NULL;
    }
    if (sp_open(p->port, SP_MODE_READ) != SP_OK) {
        ww_err(err, errlen, "%s: cannot open: %s", name, sp_last_error_message());
        sp_free_port(p->port);
        free(p);
        return NULL;
    }
    if (sp_get_port_handle(p->port, &p->fd) != SP_OK || p->fd < 0) {
        ww_err(err, errlen, "%s: no file descriptor", name);
        goto fail;
    }
    /* Two wardwatch instances must never share one sensor. TIOCEXCL stops
     * other openers but not root; the flock also holds against root and
     * against another wardwatch. */
    if (flock(p->fd, LOCK_EX | LOCK_NB) < 0) {
        ww_err(err, errlen, "%s is in use by another process", name);
        goto fail;
    }
    if (ioctl(p->fd, TIOCEXCL) < 0) {
        ww_err(err, errlen, "%s: cannot get exclusive access: %s", name, strerror(errno));
        goto fail;
    }
    if (sp_set_baudrate(p->port, baud) != SP_OK || sp_set_bits(p->port, 8) != SP_OK ||
        sp_set_parity(p->port, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(p->port, 1) != SP_OK ||
        sp_set_flowcontrol(p->port, SP_FLOWCONTROL_NONE) != SP_OK) {
        ww_err(err, errlen, "%s: cannot set %d 8N1: %s", name, baud, sp_last_error_message());
        goto fail;
    }
    sp_flush(p->port, SP_BUF_INPUT);
    return p;
fail:
    sp_close(p->port);
    sp_free_port(p->port);
    free(p);
    return NULL;
}

/* The fd to poll. */
int serial_fd(const struct serial_port *p)
{
    return p->fd;
}

/* The /dev node actually opened. */
const char *serial_name(const struct serial_port *p)
{
    return p->name;
}

/* Non-blocking read; a hang-up (POLLHUP/POLLERR, or readable with 0 bytes)
 * is -1, never an endless stream of zero-byte reads. */
ssize_t serial_read(struct serial_port *p, void *buf, size_t n)
{
    struct pollfd pfd = {p->fd, POLLIN, 0};
    if (poll(&pfd, 1, 0) < 0)
        return errno == EINTR ? 0 : -1;
    /* Bytes that arrived before a hang-up are still delivered; the next
     * call then reports the hang-up. */
    if (!(pfd.revents & POLLIN))
        return pfd.revents & (POLLHUP | POLLERR | POLLNVAL) ? -1 : 0;
    int r = sp_nonblocking_read(p->port, buf, n);
    if (r <= 0)
        return -1; /* an error, or readable with nothing: the other end is gone */
    return r;
}

/* Close at once (also on unplug). */
void serial_close(struct serial_port *p)
{
    if (!p)
        return;
    sp_close(p->port);
    sp_free_port(p->port);
    free(p);
}
