/*
 * cmd.h - the faultline subcommands. Each lives in harness/cmd_<name>.c, parses its own
 * options, prints what the user sees and returns the process exit status. This layer is
 * the only one that prints or decides the exit code; everything below returns errors.
 */
#ifndef FL_CMD_H
#define FL_CMD_H

/* Exit statuses (DESIGN.md section 8). */
enum {
	FL_EXIT_OK = 0,    /* every expectation held */
	FL_EXIT_FAIL = 1,  /* an expectation failed */
	FL_EXIT_INPUT = 2, /* bad input: scenario file, option */
	FL_EXIT_HOST = 3,  /* the host cannot run it: privilege, missing feature */
};

struct scn_set;

/* "NAME=VALUE" into @set (pointing into @arg, which is cut at '='); -1 when there is
 * no '=' or no name. */
int cmd_set_parse(char *arg, struct scn_set *set);
/* An option's value: "--opt VALUE" or "--opt=VALUE" (advancing *@i past VALUE); NULL
 * when argv[*@i] is not @opt. */
char *cmd_opt_value(int argc, char **argv, int *i, const char *opt);

/* argv[0] is the subcommand's name. */
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_matrix(int argc, char **argv);

#endif
