/*
 * cmd_check.c - 'faultline check'. Placeholder until its issue lands: says so and fails.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline check: not implemented yet\n");
	return FL_EXIT_HOST;
}
