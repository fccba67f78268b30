/*
 * cmd_matrix.c - 'faultline matrix'. Placeholder until its issue lands: says so and fails.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_matrix(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline matrix: not implemented yet\n");
	return FL_EXIT_HOST;
}
