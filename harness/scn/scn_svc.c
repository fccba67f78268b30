/*
 * scn_svc.c - the 'service' statement: service NODE KIND ...
 *
 * The kinds are the table scn_svc_kinds below, one struct scn_svc_grammar each, defined
 * in scn_svc_<kind>.c (web, lb, load, exec, probe); what follows the kind's keyword is its
 * parser's. Options of a kind are table entries too (struct scn_svc_opt), in any order,
 * read by scn_svc_opts(). Service names (what kill and restart use; the kind's keyword
 * unless the kind says otherwise) are unique per node. Running a kind is svc/'s
 * (svc_kind.c holds the other half of each kind).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

int scn_svc_opts(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x,
		 const struct scn_svc_opt *opts, const char *expected)
{
	while (scn_tok_peek(p)) {
		const struct scn_svc_opt *o = opts;
		for (; o->kw; o++)
			if (scn_tok_kw(p, o->kw))
				break;
		if (!o->kw)
			return scn_tok_end(p, expected);
		if (o->parse(p, sv, x) < 0)
			return -1;
	}
	return 0;
}

int scn_set_int(struct scn_p *p, const char *what, long min, long max, int *dst)
{
	long v;
	if (scn_get_int(p, what, min, max, &v) < 0)
		return -1;
	*dst = (int)v;
	return 0;
}

/* One of @names; its index into *@idx. */
int scn_get_choice(struct scn_p *p, const char *what, const char *const *names,
			  int *idx)
{
	struct scn_tok *t = scn_tok_want(p, what);
	if (!t)
		return -1;
	for (int i = 0; names[i]; i++)
		if (scn_tok_is_kw(t, names[i]))
			return *idx = i, 0;
	return scn_fail(p, t->loc, "expected %s, got '%s'", what, t->text);
}

/* Every service kind, in the order the error messages list them; each defined in its
 * scn_svc_<kind>.c. */
extern const struct scn_svc_grammar scn_svc_web, scn_svc_lb, scn_svc_load, scn_svc_exec,
	scn_svc_probe;
static const struct scn_svc_grammar *const scn_svc_kinds[] = {
	&scn_svc_web,
	&scn_svc_lb,
	&scn_svc_load,
	&scn_svc_exec,
	&scn_svc_probe,
	NULL,
};

const struct scn_svc_grammar *scn_svc_grammar_of(enum scn_svc_kind kind)
{
	for (int i = 0; scn_svc_kinds[i]; i++)
		if (scn_svc_kinds[i]->kind == kind)
			return scn_svc_kinds[i];
	return NULL;
}

/* "web, lb, load, exec or probe" */
static const char *scn_svc_kw_list(char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; scn_svc_kinds[i] && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", !i ? ""
					: scn_svc_kinds[i + 1] ? ", " : " or ",
					scn_svc_kinds[i]->kw);
	return buf;
}

void scn_service_release(struct scn_service *sv)
{
	free(sv->backends);
	free(sv->heartbeat);
	free(sv->url);
	free(sv->url_path);
	free(sv->command);
	free(sv->probe_send);
	free(sv->probe_expect);
	free(sv->probe_qname);
}

static int scn_svc_kind(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	char kws[128], what[160];

	scn_svc_kw_list(kws, sizeof(kws));
	snprintf(what, sizeof(what), "a service kind (%s)", kws);
	struct scn_tok *t = scn_tok_want(p, what);
	if (!t)
		return -1;
	for (int i = 0; scn_svc_kinds[i]; i++) {
		if (!scn_tok_is_kw(t, scn_svc_kinds[i]->kw))
			continue;
		sv->kind = scn_svc_kinds[i]->kind;
		snprintf(sv->name, sizeof(sv->name), "%s", scn_svc_kinds[i]->kw);
		return scn_svc_kinds[i]->parse(p, sv, x);
	}
	return scn_fail(p, t->loc, "unknown service kind '%s' (expected %s)", t->text, kws);
}

static int scn_svc_unique(struct scn_p *p, const struct scn_service *sv)
{
	const char *hint = scn_svc_grammar_of(sv->kind)->dup_hint;
	int dup = scn_service_find(p->s, sv->node, sv->name);
	if (dup < 0)
		return 0;
	return scn_fail(p, p->t.v[2].loc, "node '%s' already has a service named '%s' (line %d)%s",
			p->s->nodes[sv->node].name, sv->name, p->s->services[dup].loc.line,
			hint ? hint : "");
}

int scn_stmt_service(struct scn_p *p)
{
	struct scn_service sv = {.loc = p->t.v[0].loc};
	struct scn_svc_locs x = {.vip = {0, 0}};
	struct scn_loc nloc;

	if (scn_get_node(p, &sv.node, &nloc) < 0 || scn_svc_kind(p, &sv, &x) < 0 ||
	    scn_svc_unique(p, &sv) < 0)
		goto err;
	int n = p->s->n_services;
	struct scn_svc_locs *xs = scn_grow(&p->svc_locs, &n, sizeof(*xs));
	if (!xs)
		goto err_oom;
	*xs = x;
	struct scn_service *slot = scn_grow(&p->s->services, &p->s->n_services, sizeof(*slot));
	if (!slot)
		goto err_oom;
	*slot = sv;
	return 0;
err_oom:
	scn_oom(p);
err:
	scn_service_release(&sv);
	return -1;
}
