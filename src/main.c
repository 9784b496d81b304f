/*
 * main — wardwatch's entry point: global options, then dispatch to one
 * subcommand from a table (tmux's cmd-*.c pattern).
 */
#include "cmd_common.h"
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
    int (*main)(int argc, char **argv);
    const char *usage; /* the command's one usage text, defined in its file */
};

/* Every subcommand, with the usage its own --help and errors print. */
static const struct command commands[] = {
    {"news2", cmd_news2_main, cmd_news2_usage},
    {"probe", cmd_probe_main, cmd_probe_usage},
    {"sensors", cmd_sensors_main, cmd_sensors_usage},
    {"record", cmd_record_main, cmd_record_usage},
    {"replay", cmd_replay_main, cmd_replay_usage},
    {"simulate", cmd_simulate_main, cmd_simulate_usage},
    {"handover", cmd_handover_main, cmd_handover_usage},
    {"serve", cmd_serve_main, cmd_serve_usage},
    {"backup", cmd_backup_main, cmd_backup_usage},
    {"check", cmd_check_main, cmd_check_usage},
    {"config", cmd_config_main, cmd_config_usage},
};

/* Print the overall usage to f: the board's, then every command's. */
static void usage(FILE *f)
{
    cmd_usage(f, cmd_board_usage);
    for (size_t i = 0; i < WW_ARRAY_LEN(commands); i++)
        fprintf(f, "       %s", commands[i].usage);
    fprintf(f, "       wardwatch --help | --version\n"
               "\nWithout a command: the bed-board (on the ward's server when one runs, else\n"
               "in-process); `wardwatch CMD --help` describes a command.\n"
               "Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error.\n"
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
            return commands[i].main(argc - 1, argv + 1);
        }
        fprintf(stderr, "wardwatch: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    /* No subcommand: the bed-board (or the demo ward with --demo). */
    return cmd_board_main(argc, argv);
}
