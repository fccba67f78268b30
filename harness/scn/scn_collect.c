/*
 * scn_collect.c - 'collect NODE "COMMAND" as NAME [timeout D]': a checker the run
 * starts in NODE after the timeline (svc_collect.c runs it), whose output's last word
 * is metric NAME.
 *
 * NAME is a metric of this scenario from its line on: an `expect` below may name it
 * (as a plain number, whole run only: it has one value, no per-client or during-faults
 * part). It must not be a built-in metric's name nor another collect's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

const struct scn_collect *scn_collect_find(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->n_collects; i++)
		if (!strcmp(s->collects[i].name, name))
			return &s->collects[i];
	return NULL;
}

static int scn_collect_name(struct scn_p *p, struct scn_collect *c)
{
	struct scn_tok *t;

	if (!scn_tok_kw(p, "as")) {
		t = scn_tok_peek(p);
		if (!t)
			return scn_fail(p, p->t.end, "expected 'as NAME' after the command, got "
					"the end of the line");
		return scn_fail(p, t->loc, "expected 'as NAME' after the command, got '%s'",
				t->text);
	}
	if (!(t = scn_tok_want(p, "a metric name after 'as'")))
		return -1;
	if (t->quoted || !scn_name_ok(t->text, SCN_NAME_MAX))
		return scn_fail(p, t->loc, "invalid metric name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)", t->text,
				SCN_NAME_MAX - 1);
	if (scn_metric_unit(t->text))
		return scn_fail(p, t->loc, "'%s' is a built-in metric: a collect needs a name of "
				"its own", t->text);
	const struct scn_collect *o = scn_collect_find(p->s, t->text);
	if (o)
		return scn_fail(p, t->loc, "metric '%s' is collected already (line %d)", t->text,
				o->loc.line);
	snprintf(c->name, sizeof(c->name), "%s", t->text);
	return 0;
}

int scn_stmt_collect(struct scn_p *p)
{
	struct scn_collect c = {.loc = p->t.v[0].loc, .timeout_ms = SCN_COLLECT_TIMEOUT_MS};
	struct scn_loc loc;
	struct scn_tok *t;

	if (scn_get_node(p, &c.node, &loc) < 0)
		return -1;
	if (!(t = scn_tok_want(p, "a command such as \"redis-cli ... | wc -l\"")))
		return -1;
	if (!*t->text)
		return scn_fail(p, t->loc, "empty command");
	if (scn_collect_name(p, &c) < 0)
		return -1;
	if (scn_tok_kw(p, "timeout") && scn_get_duration(p, &c.timeout_ms, true) < 0)
		return -1;
	if (scn_tok_end(p, "'timeout DURATION' or the end of the line") < 0)
		return -1;
	struct scn_collect *slot = scn_grow(&p->s->collects, &p->s->n_collects, sizeof(*slot));
	if (!slot)
		return scn_oom(p);
	if (!(c.command = strdup(t->text))) {
		p->s->n_collects--;
		return scn_oom(p);
	}
	*slot = c;
	return 0;
}
