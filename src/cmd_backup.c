/*
 * cmd_backup and cmd_check — `wardwatch backup -o FILE` makes a consistent
 * copy of the (possibly live) ward database with SQLite's backup API;
 * `wardwatch check [FILE]` verifies a database or a backup.
 */
#include "commands.h"
#include "config.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse -c/--db/-o and an optional positional file. */
static int db_args(int argc, char **argv, const char *cmd, bool want_out, char *db, size_t dbn,
                   const char **out)
{
    const char *cfgpath = NULL, *dbpath = NULL, *pos = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc)
            cfgpath = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            dbpath = argv[++i];
        else if (want_out && !strcmp(argv[i], "-o") && i + 1 < argc)
            *out = argv[++i];
        else if (!want_out && argv[i][0] != '-' && !pos)
            pos = argv[i];
        else {
            fprintf(stderr, "wardwatch %s: unexpected argument '%s'\nusage: wardwatch %s\n", cmd,
                    argv[i],
                    want_out ? "backup -o FILE [-c CONFIG] [--db FILE]"
                             : "check [-c CONFIG] [--db FILE | FILE]");
            return 2;
        }
    }
    if (want_out && !*out) {
        fprintf(stderr, "wardwatch backup: -o FILE is required\n");
        return 2;
    }
    if (pos || dbpath) {
        snprintf(db, dbn, "%s", pos ? pos : dbpath);
        return 0;
    }
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg)
        return 1;
    if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        free(cfg);
        return 2;
    }
    snprintf(db, dbn, "%s", cfg->database);
    free(cfg);
    return 0;
}

/* wardwatch backup. */
int cmd_backup_main(int argc, char **argv)
{
    char db[1024], err[1024];
    const char *out = NULL;
    int rc = db_args(argc, argv, "backup", true, db, sizeof db, &out);
    if (rc)
        return rc;
    if (store_backup_file(db, out, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch backup: %s\n", err);
        return 1;
    }
    if (store_check_file(out, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch backup: the copy does not verify: %s\n", err);
        return 1;
    }
    printf("backup of %s written to %s\n", db, out);
    return 0;
}

/* wardwatch check. */
int cmd_check_main(int argc, char **argv)
{
    char db[1024], err[1024];
    const char *out = NULL;
    int rc = db_args(argc, argv, "check", false, db, sizeof db, &out);
    if (rc)
        return rc;
    if (store_check_file(db, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch check: %s\n", err);
        return 1;
    }
    return 0;
}
