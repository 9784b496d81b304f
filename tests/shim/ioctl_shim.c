/*
 * ioctl_shim — LD_PRELOAD'ed into wardwatch by the serial integration tests
 * so libserialport accepts a pty as a serial port: sp_open issues TIOCMGET,
 * which a pty answers with ENOTTY. Only that answer, for the modem-control
 * ioctls, is turned into success (TIOCMGET reports DTR|RTS|CTS|DSR);
 * everything else — termios, baud, reads, polling — runs for real.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <termios.h>

int ioctl(int fd, unsigned long req, ...)
{
    static int (*real)(int, unsigned long, ...);
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (!real)
        real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    int rc = real(fd, req, arg);
    if (rc < 0 && errno == ENOTTY &&
        (req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC)) {
        if (req == TIOCMGET && arg)
            *(int *)arg = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR;
        errno = 0;
        return 0;
    }
    return rc;
}
