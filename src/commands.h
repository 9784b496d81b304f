/*
 * commands — one entry point per `wardwatch` subcommand, one file each
 * (src/cmd_NAME.c), dispatched from main.c's table. Each takes the argument
 * vector starting at the subcommand name (argv[0] == "news2") and returns the
 * process exit status: 0 ok, 1 runtime failure, 2 usage or configuration error.
 */
#ifndef WW_COMMANDS_H
#define WW_COMMANDS_H

int cmd_board_main(int argc, char **argv);    /* default: the bed-board */
int cmd_news2_main(int argc, char **argv);
int cmd_probe_main(int argc, char **argv);
int cmd_sensors_main(int argc, char **argv);
int cmd_record_main(int argc, char **argv);
int cmd_replay_main(int argc, char **argv);
int cmd_handover_main(int argc, char **argv);
int cmd_serve_main(int argc, char **argv);
int cmd_backup_main(int argc, char **argv);
int cmd_check_main(int argc, char **argv);
int cmd_simulate_main(int argc, char **argv);
int cmd_config_main(int argc, char **argv);

/* Each command's one usage text (synopsis lines, see cmd_common.h), in its
 * own file; main.c lists them for `wardwatch --help`. */
extern const char cmd_board_usage[], cmd_news2_usage[], cmd_probe_usage[], cmd_sensors_usage[];
extern const char cmd_record_usage[], cmd_replay_usage[], cmd_simulate_usage[];
extern const char cmd_handover_usage[], cmd_serve_usage[], cmd_backup_usage[];
extern const char cmd_check_usage[], cmd_config_usage[];

#endif
