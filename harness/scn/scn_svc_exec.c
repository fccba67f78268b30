/*
 * scn_svc_exec.c - the grammar of 'service NODE exec': any command, run by /bin/sh -c
 * in its node (svc_exec.c runs it).
 *
 * service NODE exec "COMMAND" [name NAME]
 *
 * The service is called "exec" unless 'name NAME' says otherwise, so that two exec
 * services of one node can be told apart by kill and restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

static int scn_exec_name(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_tok *t = scn_tok_want(p, "a service name");
	if (!t)
		return -1;
	if (t->quoted || !scn_name_ok(t->text, SCN_NAME_MAX))
		return scn_fail(p, t->loc,
				"invalid service name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)",
				t->text, SCN_NAME_MAX - 1);
	snprintf(sv->name, sizeof(sv->name), "%s", t->text);
	return 0;
}

static const struct scn_svc_opt scn_exec_opts[] = {
    {"name", scn_exec_name},
    {NULL, NULL},
};

static int scn_exec_parse(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	struct scn_tok *t = scn_tok_want(p, "a command such as \"sleep 1000\"");
	if (!t)
		return -1;
	if (!(sv->command = strdup(t->text)))
		return scn_oom(p);
	snprintf(sv->name, sizeof(sv->name), "exec");
	return scn_svc_opts(p, sv, x, scn_exec_opts, "name NAME (quote a command with spaces)");
}

const struct scn_svc_grammar scn_svc_exec = {
    .kw = "exec",
    .kind = SCN_SVC_EXEC,
    .parse = scn_exec_parse,
    .dup_hint = "; give this one 'name NAME'",
};
