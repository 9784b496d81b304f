/*
 * libFuzzer harness: the ward INI loader. config_load() reads a path, so each
 * input is written to one file in a private scratch directory and loaded from
 * there; relative paths it names (staff =, replay: recordings) resolve inside
 * that directory. Whatever loads must satisfy the loader's own promises: beds
 * sorted and unique, labels short and free of control characters, every
 * sensor URI parseable again, and the dump must not crash. A refusal must
 * say something.
 */
#include "config.h"
#include "uri.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char ini_path[256];

/* One scratch directory for the whole run (removed at exit). */
static void cleanup(void)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s", ini_path);
    char *slash = strrchr(dir, '/');
    unlink(ini_path);
    if (slash) {
        *slash = 0;
        rmdir(dir);
    }
}

static void setup(void)
{
    char dir[] = "/tmp/fuzz_config.XXXXXX";
    if (!mkdtemp(dir))
        abort();
    snprintf(ini_path, sizeof ini_path, "%s/ward.ini", dir);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ini_path[0])
        setup();
    if (size > 64 * 1024)
        return 0;
    FILE *f = fopen(ini_path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    static struct ward_config cfg; /* large: keep it off the stack */
    char err[1024] = "";
    if (config_load(ini_path, &cfg, err, sizeof err) < 0) {
        if (!err[0])
            abort(); /* a refusal must say what is wrong */
        return 0;
    }
    if (cfg.nbeds < 0 || cfg.nbeds > CONFIG_MAX_BEDS || !cfg.name[0])
        abort();
    for (int i = 0; i < cfg.nbeds; i++) {
        const struct config_bed *b = &cfg.beds[i];
        if (i && b->number <= cfg.beds[i - 1].number)
            abort(); /* sorted, no duplicate bed numbers */
        if (!b->label[0] || strlen(b->label) > 32)
            abort();
        for (const unsigned char *p = (const unsigned char *)b->label; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                abort(); /* labels reach the terminal */
        if (b->sensor[0]) {
            struct sensor_uri u;
            char why[256];
            if (uri_parse(b->sensor, &u, why, sizeof why) < 0)
                abort(); /* the loader accepted a URI it cannot parse again */
        }
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        config_dump(null, &cfg);
        fclose(null);
    }
    return 0;
}
