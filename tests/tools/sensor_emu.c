/*
 * sensor_emu — a radar module emulator for the serial integration tests:
 * opens a pty pair, names the device end, and writes encoded frames of a
 * driver to the sensor end at the module's rate (or faster).
 *   sensor_emu DRIVER FRAMES PER_SECOND [PATHFILE] [--split] [--corrupt N]
 * DRIVER is ti-vs, mr60bha2, mr60bha1, or garbage (line noise, never a
 * frame). With PATHFILE the device end's path is written to that file,
 * otherwise to stdout. --split writes each frame in pieces of 1-7 bytes, so
 * the reader sees frames cut anywhere; --corrupt N spoils every Nth frame
 * (the checksum byte of the Seeed modules, or the second half of a TI frame
 * is left out). After FRAMES frames (0 = forever) it waits a second for the
 * reader to drain and closes both ends: the reader sees a hang-up, which is
 * how the tests "unplug" a sensor.
 */
#include "encode.h"
#include "mr60bha2.h"

#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Sleep for s seconds. */
static void pause_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Build frame i of drv into buf; returns its length. With corrupt, the
 * frame is spoiled (see the file comment) and the length may shrink. */
static size_t build(const char *drv, long i, bool corrupt, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    if (!strcmp(drv, "garbage")) {
        for (n = 0; n < 64; n++)
            buf[n] = (uint8_t)((i * 131 + (long)n * 17) & 0xFF) | 0x80;
        return n;
    }
    if (!strcmp(drv, "ti-vs")) {
        struct ti_vs_stats s = {14.0f + (float)(i % 3), 72.0f, 6, 0.4f, 50000, 0};
        n = encode_ti_vs_stats(buf, cap, (uint32_t)i + 1, &s, 0, 0);
        return corrupt ? n / 2 : n;
    }
    if (!strcmp(drv, "mr60bha2")) {
        n = encode_mr60bha2_f32(buf, cap, (uint16_t)i, i % 2 ? MR60BHA2_HEART : MR60BHA2_BREATH,
                                i % 2 ? 72.0f : 14.0f);
        if (corrupt && n)
            buf[n - 1] ^= 0x5A; /* data checksum */
        return n;
    }
    uint8_t v = i % 2 ? 72 : 14;
    n = encode_mr60bha1(buf, cap, i % 2 ? 0x85 : 0x81, 0x02, &v, 1);
    if (corrupt && n >= 3)
        buf[n - 3] ^= 0x5A; /* sum byte, before the 0x54 0x43 tail */
    return n;
}

int main(int argc, char **argv)
{
    const char *pathfile = NULL;
    bool split = false;
    long corrupt = 0;
    int pos = 0;
    const char *positional[3] = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--split"))
            split = true;
        else if (!strcmp(argv[i], "--corrupt") && i + 1 < argc)
            corrupt = atol(argv[++i]);
        else if (pos < 3)
            positional[pos++] = argv[i];
        else
            pathfile = argv[i];
    }
    if (pos < 3 || strcmp(positional[0], "ti-vs") * strcmp(positional[0], "mr60bha2") *
                           strcmp(positional[0], "mr60bha1") * strcmp(positional[0], "garbage") !=
                       0) {
        fprintf(stderr, "usage: sensor_emu ti-vs|mr60bha2|mr60bha1|garbage FRAMES PER_SECOND "
                        "[PATHFILE] [--split] [--corrupt N]\n");
        return 2;
    }
    const char *drv = positional[0];
    long frames = atol(positional[1]);
    double rate = atof(positional[2]);
    if (rate <= 0) {
        fprintf(stderr, "sensor_emu: PER_SECOND must be > 0\n");
        return 2;
    }
    int master, slave;
    char name[256];
    struct termios tio;
    cfmakeraw(&tio);
    if (openpty(&master, &slave, name, &tio, NULL) < 0) {
        perror("sensor_emu: openpty");
        return 1;
    }
    FILE *f = pathfile ? fopen(pathfile, "w") : stdout;
    if (!f) {
        perror(pathfile);
        return 1;
    }
    fprintf(f, "%s\n", name);
    if (pathfile)
        fclose(f);
    else
        fflush(stdout);
    /* Give the reader time to open the device end. */
    sleep(1);
    uint8_t buf[1024];
    for (long i = 0; frames == 0 || i < frames; i++) {
        size_t n = build(drv, i, corrupt > 0 && i % corrupt == corrupt - 1, buf, sizeof buf);
        size_t off = 0;
        while (off < n) {
            size_t k = split ? 1 + (size_t)((i * 7 + (long)off) % 7) : n - off;
            if (k > n - off)
                k = n - off;
            if (write(master, buf + off, k) != (ssize_t)k)
                goto out;
            off += k;
            if (split)
                pause_s(0.0005);
        }
        pause_s(1.0 / rate);
    }
out:
    sleep(1);
    close(master); /* the device end sees a hang-up: "unplugged" */
    close(slave);
    return 0;
}
