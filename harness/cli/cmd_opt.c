/*
 * cmd_opt.c - option helpers shared by the subcommands.
 */
#include <string.h>

#include "cmd.h"
#include "scn.h"

int cmd_set_parse(char *arg, struct scn_set *set)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return -1;
	*eq = '\0';
	set->name = arg;
	set->value = eq + 1;
	return 0;
}

char *cmd_opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}
