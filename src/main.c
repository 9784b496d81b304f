/*
 * main — wardwatch's entry point: global options, then dispatch to one
 * subcommand from a table (tmux's cmd-*.c pattern). A subcommand whose module
 * is not in this build says so and exits 1 rather than pretending.
 */
#include "commands.h"
#include "util.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*main)(int argc, char **argv); /* NULL: not built yet */
    const char *usage;
};

/* Every subcommand (README "Commands"); NULL entries are not implemented yet. */
static const struct command commands[] = {
    {"news2", cmd_news2_main,
     "news2 [--rr N] [--spo2 N] [--scale 1|2] [--o2 air|oxygen] [--sbp N] [--hr N]\n"
     "                  [--acvpu A|C|V|P|U] [--temp N] [--json]"},
    {"probe", cmd_probe_main, "probe URI [--seconds N] [--count N] [--json]"},
    {"sensors", cmd_sensors_main, "sensors"},
    {"record", cmd_record_main, "record URI -o FILE [--seconds N]"},
    {"replay", cmd_replay_main, "replay FILE [--speed N | --fast] [--json] [--alarms]"},
    {"simulate", cmd_simulate_main, "simulate SCENARIO -o FILE [--seed N] [--hours H]"},
    {"handover", cmd_handover_main,
     "handover [--shift day|evening|night | --from T --to T] [--bed LABEL]\n"
     "                  [-o FILE] [--format text|pdf] [--print [PRINTER]] [--staff ID]\n"
     "                  [-c FILE] [--db FILE]"},
    {"serve", cmd_serve_main, "serve [-c FILE] [--db FILE] [--speed N]"},
    {"backup", cmd_backup_main, "backup -o FILE [-c FILE] [--db FILE]"},
    {"check", cmd_check_main, "check [-c FILE] [--db FILE | FILE]"},
    {"config", cmd_config_main, "config [-c FILE]   check a ward configuration and print it"},
};

/* Print the overall usage to f. */
static void usage(FILE *f)
{
    fprintf(f, "usage: wardwatch [-c FILE] [--attach | --embedded] [--db FILE]\n"
               "                                              the bed-board (on the ward's server\n"
               "                                              when one runs, else in-process)\n"
               "       wardwatch --demo [--speed N]           demo ward\n");
    for (size_t i = 0; i < WW_ARRAY_LEN(commands); i++)
        fprintf(f, "       wardwatch %s\n", commands[i].usage);
    fprintf(f, "       wardwatch --help | --version\n"
               "\nExit status: 0 ok, 1 runtime failure, 2 usage or configuration error.\n"
               "Configuration: -c FILE, else $WARDWATCH_CONFIG, else "
               "/etc/wardwatch/wardwatch.ini.\n");
}

/* Message catalogues: build/locale next to the binary in a build tree,
 * else the installed LOCALEDIR. */
static void init_gettext(void)
{
    char exe[PATH_MAX], dir[PATH_MAX + 32];
    const char *where = WARDWATCH_LOCALEDIR;
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(dir, sizeof dir, "%s/../build/locale", exe);
            if (access(dir, R_OK) == 0)
                where = dir;
        }
    }
    bindtextdomain("wardwatch", where);
    bind_textdomain_codeset("wardwatch", "UTF-8");
    textdomain("wardwatch");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Numbers are parsed and printed in the C locale whatever the user's. */
    setlocale(LC_NUMERIC, "C");
    init_gettext();
    signal(SIGPIPE, SIG_IGN);

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("wardwatch %s\n", WARDWATCH_VERSION);
        return 0;
    }
    if (argc >= 2 && argv[1][0] != '-') {
        for (size_t i = 0; i < WW_ARRAY_LEN(commands); i++) {
            if (strcmp(argv[1], commands[i].name) != 0)
                continue;
            if (!commands[i].main) {
                fprintf(stderr, "wardwatch: '%s' is not implemented in this build yet\n",
                        argv[1]);
                return 1;
            }
            return commands[i].main(argc - 1, argv + 1);
        }
        fprintf(stderr, "wardwatch: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    /* No subcommand: the bed-board (or the demo ward with --demo). */
    return cmd_board_main(argc, argv);
}
