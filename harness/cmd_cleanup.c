/*
 * cmd_cleanup.c - 'faultline cleanup'. Placeholder until its issue lands: says so and fails.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_cleanup(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline cleanup: not implemented yet\n");
	return FL_EXIT_HOST;
}
