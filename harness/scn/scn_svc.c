/*
 * scn_svc.c - the 'service' statement.
 *
 * service NODE web [port N] [latency D]
 * service NODE lb vip ADDR backends NODE... [option VALUE]...
 * service NODE load URL rate N/s [timeout D] [size BYTES] [keepalive]
 * service NODE exec "COMMAND" [name NAME]
 *
 * Options of each kind are table entries, in any order. Service names (what kill and
 * restart use) are unique per node. The lb's ha mode, when not written, is decided by
 * scn_validate() once every lb sharing its VIP is known.
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

static int scn_web_port(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_set_int(p, "a port", 1, 65535, &sv->port);
}

static int scn_web_latency(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_get_duration(p, &sv->latency_ms, false);
}

static const struct scn_svc_opt scn_web_opts[] = {
	{"port", scn_web_port}, {"latency", scn_web_latency}, {NULL, NULL},
};

static int scn_svc_web(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	sv->port = 80;
	return scn_svc_opts(p, sv, x, scn_web_opts, "port N or latency D");
}

static int scn_exec_name(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_tok *t = scn_tok_want(p, "a service name");
	if (!t)
		return -1;
	if (t->quoted || !scn_name_ok(t->text, SCN_NAME_MAX))
		return scn_fail(p, t->loc, "invalid service name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)", t->text, SCN_NAME_MAX - 1);
	snprintf(sv->name, sizeof(sv->name), "%s", t->text);
	return 0;
}

static const struct scn_svc_opt scn_exec_opts[] = {
	{"name", scn_exec_name}, {NULL, NULL},
};

static int scn_svc_exec(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	struct scn_tok *t = scn_tok_want(p, "a command such as \"sleep 1000\"");
	if (!t)
		return -1;
	if (!(sv->command = strdup(t->text)))
		return scn_oom(p);
	snprintf(sv->name, sizeof(sv->name), "exec");
	return scn_svc_opts(p, sv, x, scn_exec_opts, "name NAME (quote a command with spaces)");
}

/* http://ADDR[:PORT][/PATH] with a literal IPv4 address. */
static int scn_url_parse(const char *url, struct scn_service *sv)
{
	char host[16];
	if (strncmp(url, "http://", 7))
		return -1;
	const char *h = url + 7;
	size_t n = strcspn(h, ":/");
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (scn_ipv4_parse(host, &sv->url_addr) < 0)
		return -1;
	sv->url_port = 80;
	h += n;
	if (*h == ':') {
		char *end;
		long port = strtol(h + 1, &end, 10);
		if (end == h + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
			return -1;
		sv->url_port = (int)port;
		h = end;
	}
	sv->url_path = strdup(*h ? h : "/");
	return sv->url_path ? 0 : -1;
}

static int scn_load_rate(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	double per_hour;
	struct scn_tok *t = scn_tok_want(p, "a rate such as 100/s");
	if (!t)
		return -1;
	if (scn_rate_parse(t->text, &per_hour) < 0 || per_hour <= 0)
		return scn_fail(p, t->loc, "expected a rate above 0 such as 100/s, got '%s'",
				t->text);
	sv->rate = per_hour / 3600.0;
	return 0;
}

static int scn_load_timeout(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_get_duration(p, &sv->timeout_ms, true);
}

static int scn_load_size(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	uint64_t v;
	struct scn_tok *t = scn_tok_want(p, "a size such as 1500, 64k or 1M");
	if (!t)
		return -1;
	if (scn_size_parse(t->text, &v) < 0 || v == 0 || v > INT64_MAX)
		return scn_fail(p, t->loc, "expected a size above 0 such as 1500, 64k or 1M, got '%s'",
				t->text);
	sv->size = (int64_t)v;
	return 0;
}

static int scn_load_keepalive(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)p;
	(void)x;
	sv->keepalive = true;
	return 0;
}

static const struct scn_svc_opt scn_load_opts[] = {
	{"rate", scn_load_rate}, {"timeout", scn_load_timeout}, {"size", scn_load_size},
	{"keepalive", scn_load_keepalive}, {NULL, NULL},
};

static int scn_svc_load(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	struct scn_tok *t = scn_tok_want(p, "a URL such as http://198.18.0.100/");
	if (!t)
		return -1;
	if (!(sv->url = strdup(t->text)))
		return scn_oom(p);
	if (scn_url_parse(t->text, sv) < 0)
		return scn_fail(p, t->loc, "expected a URL such as http://198.18.0.100/ or "
				"http://198.18.0.100:8080/path, got '%s'", t->text);
	sv->timeout_ms = 1000;
	if (scn_svc_opts(p, sv, x, scn_load_opts, "rate, timeout, size or keepalive") < 0)
		return -1;
	if (sv->rate <= 0)
		return scn_fail(p, p->t.end, "expected 'rate N/s' (a load service needs a rate)");
	return 0;
}

static const struct {
	const char *kw;
	enum scn_svc_kind kind;
	int (*parse)(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x);
} scn_svc_kinds[] = {
	{"web", SCN_SVC_WEB, scn_svc_web},
	{"lb", SCN_SVC_LB, scn_svc_lb},
	{"load", SCN_SVC_LOAD, scn_svc_load},
	{"exec", SCN_SVC_EXEC, scn_svc_exec},
};

static void scn_service_release(struct scn_service *sv)
{
	free(sv->backends);
	free(sv->heartbeat);
	free(sv->url);
	free(sv->url_path);
	free(sv->command);
}

static int scn_svc_kind(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	struct scn_tok *t = scn_tok_want(p, "a service kind (web, lb, load or exec)");
	if (!t)
		return -1;
	for (size_t i = 0; i < sizeof(scn_svc_kinds) / sizeof(scn_svc_kinds[0]); i++) {
		if (!scn_tok_is_kw(t, scn_svc_kinds[i].kw))
			continue;
		sv->kind = scn_svc_kinds[i].kind;
		snprintf(sv->name, sizeof(sv->name), "%s", scn_svc_kinds[i].kw);
		return scn_svc_kinds[i].parse(p, sv, x);
	}
	return scn_fail(p, t->loc, "unknown service kind '%s' (expected web, lb, load or exec)",
			t->text);
}

static int scn_svc_unique(struct scn_p *p, const struct scn_service *sv)
{
	int dup = scn_service_find(p->s, sv->node, sv->name);
	if (dup < 0)
		return 0;
	return scn_fail(p, p->t.v[2].loc, "node '%s' already has a service named '%s' (line %d)%s",
			p->s->nodes[sv->node].name, sv->name, p->s->services[dup].loc.line,
			sv->kind == SCN_SVC_EXEC ? "; give this one 'name NAME'" : "");
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
