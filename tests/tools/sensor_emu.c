/*
 * sensor_emu — a radar module emulator for the serial integration tests:
 * opens a pty pair, prints the device end's path, and writes encoded frames
 * of a driver to the sensor end at the module's rate (or faster).
 *   sensor_emu DRIVER FRAMES PER_SECOND [LINK]
 * With LINK the device end's path is written to that file. It exits after
 * FRAMES frames (0 = forever) or when stdin closes... it keeps the pty open
 * for --hold seconds afterwards so the reader can drain.
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

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sensor_emu DRIVER FRAMES PER_SECOND [PATHFILE]\n");
        return 2;
    }
    const char *drv = argv[1];
    long frames = atol(argv[2]);
    double rate = atof(argv[3]);
    int master, slave;
    char name[256];
    struct termios tio;
    cfmakeraw(&tio);
    if (openpty(&master, &slave, name, &tio, NULL) < 0) {
        perror("openpty");
        return 1;
    }
    if (argc > 4) {
        FILE *f = fopen(argv[4], "w");
        fprintf(f, "%s\n", name);
        fclose(f);
    } else {
        printf("%s\n", name);
        fflush(stdout);
    }
    /* Give the reader time to open the device end. */
    sleep(1);
    uint8_t buf[1024];
    for (long i = 0; frames == 0 || i < frames; i++) {
        size_t n = 0;
        if (!strcmp(drv, "garbage")) {
            /* line noise only: never a valid frame */
            for (n = 0; n < 64; n++)
                buf[n] = (uint8_t)((i * 131 + n * 17) & 0xFF) | 0x80;
        } else if (!strcmp(drv, "ti-vs")) {
            struct ti_vs_stats s = {14.0f + (float)(i % 3), 72.0f, 6, 0.4f, 50000, 0};
            n = encode_ti_vs_stats(buf, sizeof buf, (uint32_t)i + 1, &s, 0, 0);
        } else if (!strcmp(drv, "mr60bha2")) {
            n = encode_mr60bha2_f32(buf, sizeof buf, (uint16_t)i, i % 2 ? MR60BHA2_HEART : MR60BHA2_BREATH,
                                    i % 2 ? 72.0f : 14.0f);
        } else {
            uint8_t v = i % 2 ? 72 : 14;
            n = encode_mr60bha1(buf, sizeof buf, i % 2 ? 0x85 : 0x81, 0x02, &v, 1);
        }
        if (write(master, buf, n) != (ssize_t)n)
            break;
        struct timespec ts = {0, (long)(1e9 / rate)};
        if (rate < 1)
            ts.tv_sec = (time_t)(1 / rate), ts.tv_nsec = 0;
        nanosleep(&ts, NULL);
    }
    sleep(1);
    close(master); /* the device end sees a hang-up: "unplugged" */
    close(slave);
    return 0;
}
