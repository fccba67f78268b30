/*
 * cmd_run.c - 'faultline run'. Placeholder until its issue lands: says so and fails.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline run: not implemented yet\n");
	return FL_EXIT_HOST;
}
