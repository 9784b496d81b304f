/*
 * cmd_check — `wardwatch check [-c CONFIG] [--db FILE | FILE]` verifies a
 * ward database or a backup of one without changing it (read-only open):
 * integrity_check, foreign_key_check, the schema version against this
 * binary's, and row counts. Exit 0 when sound, 1 when not.
 */
#include "commands.h"
#include "config.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_USAGE "usage: wardwatch check [-c CONFIG] [--db FILE | FILE]"

/* The database the configuration names; 0, or the exit status. */
static int config_database(const char *cfgpath, char *db, size_t n)
{
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg) {
        fprintf(stderr, "wardwatch check: out of memory\n");
        return 1;
    }
    if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch check: %s\n", err);
        free(cfg);
        return 2;
    }
    snprintf(db, n, "%s", cfg->database);
    free(cfg);
    return 0;
}

/* Entry point. */
int cmd_check_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s\nVerifies a ward database or a backup (read-only): integrity, foreign "
                   "keys, schema version and row counts.\n",
                   CHECK_USAGE);
            return 0;
        }
        if (!strcmp(a, "-c") || !strcmp(a, "--db")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "wardwatch check: %s needs a file name\n%s\n", a, CHECK_USAGE);
                return 2;
            }
            if (!strcmp(a, "-c"))
                cfgpath = argv[++i];
            else if (dbpath) {
                fprintf(stderr, "wardwatch check: give one database (--db FILE or FILE)\n%s\n",
                        CHECK_USAGE);
                return 2;
            } else
                dbpath = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wardwatch check: unknown option '%s' (accepted: -c CONFIG, --db FILE)"
                            "\n%s\n",
                    a, CHECK_USAGE);
            return 2;
        } else if (dbpath) {
            fprintf(stderr, "wardwatch check: give one database (--db FILE or FILE), not also "
                            "'%s'\n%s\n",
                    a, CHECK_USAGE);
            return 2;
        } else {
            dbpath = a;
        }
    }
    char db[4096], err[2048];
    if (dbpath) {
        snprintf(db, sizeof db, "%s", dbpath);
    } else {
        int rc = config_database(cfgpath, db, sizeof db);
        if (rc)
            return rc;
    }
    if (store_check_file(db, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch check: %s\n", err);
        return 1;
    }
    return 0;
}
