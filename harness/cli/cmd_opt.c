/*
 * cmd_opt.c - option helpers shared by the subcommands.
 */
#include <string.h>

#include "cmd.h"
#include "lab.h"
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

int cmd_requires_check(const struct scn *s, char *msg, size_t len)
{
	char path[4096];
	for (int i = 0; i < s->n_requires; i++) {
		const struct scn_require *r = &s->requires[i];
		if (lab_prog_find(r->name, path, sizeof(path)) == 0)
			continue;
		snprintf(msg, len, "%s:%d:%d: requires '%s', which is not installed here (not in "
			 "PATH)", s->file ? s->file : "scenario", r->loc.line, r->loc.col, r->name);
		return -1;
	}
	return 0;
}
