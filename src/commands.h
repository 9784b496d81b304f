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
int cmd_admit_main(int argc, char **argv);
int cmd_config_main(int argc, char **argv);

#endif
