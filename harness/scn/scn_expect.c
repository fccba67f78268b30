/*
 * scn_expect.c - 'expect METRIC OP VALUE [SCOPE] [fails | may fail]' and the metric table.
 *
 * The table is the one place a metric is declared: its name and the unit its value is
 * written in. A value in the wrong unit is an error that names the unit expected.
 * Scopes, in this order, each optional: 'of CLIENT' (one client's requests: NODE, or
 * NODE.SERVICE when the node has several clients; scn_client.c says what a client is),
 * then 'during faults'.
 * The mark at the end makes the scenario a reproduction (docs/scenario-language.md,
 * "Reproductions"): 'fails' says the expectation must fail, 'may fail' that it may go
 * either way. The mark is the last thing on the line and is not part of the text the
 * reports show, so a reproduction and its mitigation name their expectations alike.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

static const struct {
	const char *name;
	enum scn_unit unit;
	bool client; /* a request metric: measured per client too ('of CLIENT') */
} scn_metrics[] = {
	{"failover", SCN_UNIT_MS, false},	 {"split-brain", SCN_UNIT_MS, false},
	{"outage", SCN_UNIT_MS, true},		 {"longest-outage", SCN_UNIT_MS, true},
	{"p50", SCN_UNIT_MS, true},		 {"p99", SCN_UNIT_MS, true},
	{"max", SCN_UNIT_MS, true},		 {"detect", SCN_UNIT_MS, false},
	{"success", SCN_UNIT_PERCENT, true},	 {"uptime", SCN_UNIT_PERCENT, true},
	{"errors", SCN_UNIT_COUNT, true},	 {"vip-moves", SCN_UNIT_COUNT, false},
	{"refused", SCN_UNIT_COUNT, true},	 {"reset", SCN_UNIT_COUNT, true},
	{"timeout", SCN_UNIT_COUNT, true},	 {"connect-timeout", SCN_UNIT_COUNT, true},
	{"bad-body", SCN_UNIT_COUNT, true},	 {"bad-status", SCN_UNIT_COUNT, true},
	{"retransmits", SCN_UNIT_COUNT, false}, {"frag-needed", SCN_UNIT_COUNT, false},
	{"requests", SCN_UNIT_COUNT, true},
	{"kernel-warnings", SCN_UNIT_COUNT, false},
	{"kernel-warnings-soft-lockup", SCN_UNIT_COUNT, false},
	{"kernel-warnings-hard-lockup", SCN_UNIT_COUNT, false},
	{"kernel-warnings-rcu-stall", SCN_UNIT_COUNT, false},
	{"kernel-warnings-hung-task", SCN_UNIT_COUNT, false},
	{"kernel-warnings-warning", SCN_UNIT_COUNT, false},
	{"kernel-warnings-bug", SCN_UNIT_COUNT, false},
	{"kernel-warnings-clocksource", SCN_UNIT_COUNT, false},
	{"kernel-warnings-netdev-watchdog", SCN_UNIT_COUNT, false},
	{"kernel-warnings-irq-nobody-cared", SCN_UNIT_COUNT, false},
};

#define SCN_N_METRICS (sizeof(scn_metrics) / sizeof(scn_metrics[0]))

enum scn_unit scn_metric_unit(const char *metric)
{
	for (size_t i = 0; i < SCN_N_METRICS; i++)
		if (!strcmp(scn_metrics[i].name, metric))
			return scn_metrics[i].unit;
	return 0;
}

bool scn_metric_per_client(const char *metric)
{
	for (size_t i = 0; i < SCN_N_METRICS; i++)
		if (!strcmp(scn_metrics[i].name, metric))
			return scn_metrics[i].client;
	return false;
}

static int scn_expect_metric(struct scn_p *p, struct scn_expect *e)
{
	char list[512];
	size_t used = 0;
	struct scn_tok *t = scn_tok_want(p, "a metric such as failover or success");
	if (!t)
		return -1;
	if (!t->quoted && (e->unit = scn_metric_unit(t->text))) {
		snprintf(e->metric, sizeof(e->metric), "%s", t->text);
		return 0;
	}
	if (!t->quoted && scn_collect_find(p->s, t->text)) { /* scn_collect.c */
		snprintf(e->metric, sizeof(e->metric), "%s", t->text);
		e->unit = SCN_UNIT_NUMBER;
		return 0;
	}
	/* the per-class kernel-warnings-CLASS metrics as one entry */
	for (size_t i = 0; i < SCN_N_METRICS && used < sizeof(list); i++) {
		const char *m = scn_metrics[i].name;
		if (!strncmp(m, "kernel-warnings-", 16))
			continue;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s%s", i ? ", " : "",
					 m, strcmp(m, "kernel-warnings") ? "" : "[-CLASS]");
	}
	return scn_fail(p, t->loc, "unknown metric '%s' (metrics: %s; or a 'collect ... as NAME' "
			"above)", t->text, list);
}

static int scn_expect_op(struct scn_p *p, struct scn_expect *e)
{
	static const char *const ops[] = {"<", "<=", "==", ">=", ">", NULL};
	struct scn_tok *t = scn_tok_want(p, "a comparison (<, <=, ==, >= or >)");
	if (!t)
		return -1;
	for (int i = 0; ops[i]; i++)
		if (scn_tok_is_kw(t, ops[i]))
			return e->op = (enum scn_op)(SCN_OP_LT + i), 0;
	return scn_fail(p, t->loc, "expected a comparison (<, <=, ==, >= or >), got '%s'", t->text);
}

/* A plain whole number: digits only. */
static int scn_count_parse(const char *s, uint64_t *n)
{
	size_t len = strlen(s);
	if (len == 0 || len > 15 || strspn(s, "0123456789") != len)
		return -1;
	*n = strtoull(s, NULL, 10);
	return 0;
}

/* A plain decimal: digits with at most one '.' between digits. */
static int scn_number_parse(const char *s, double *v)
{
	size_t int_len = strspn(s, "0123456789"), len = strlen(s);
	if (!int_len || len > 24)
		return -1;
	if (s[int_len] == '.' && (!s[int_len + 1] ||
				  strspn(s + int_len + 1, "0123456789") != len - int_len - 1))
		return -1;
	if (s[int_len] && s[int_len] != '.')
		return -1;
	*v = strtod(s, NULL);
	return 0;
}

static int scn_expect_value(struct scn_p *p, struct scn_expect *e)
{
	static const char *const ex[] = {
		[SCN_UNIT_COUNT] = "a count such as 0 or 12",
		[SCN_UNIT_MS] = "a duration such as 500ms",
		[SCN_UNIT_PERCENT] = "a percentage such as 99.5%",
		[SCN_UNIT_NUMBER] = "a number such as 0 or 2.5",
	};
	struct scn_tok *t = scn_tok_want(p, ex[e->unit]);
	int64_t ms;
	uint64_t n;
	if (!t)
		return -1;
	int rc = -1;
	if (e->unit == SCN_UNIT_MS && (rc = scn_duration_parse(t->text, &ms)) == 0)
		e->value = (double)ms;
	else if (e->unit == SCN_UNIT_PERCENT)
		rc = scn_percent_parse(t->text, &e->value);
	else if (e->unit == SCN_UNIT_COUNT && scn_count_parse(t->text, &n) == 0)
		e->value = (double)n, rc = 0;
	else if (e->unit == SCN_UNIT_NUMBER)
		rc = scn_number_parse(t->text, &e->value);
	if (rc < 0 || t->quoted)
		return scn_fail(p, t->loc, "expected %s for '%s', got '%s'", ex[e->unit], e->metric,
				t->text);
	return 0;
}

/* "a.load, b.load" into @buf: every client of @s, for messages. */
static const char *scn_client_list(const struct scn *s, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "none");
	for (int i = 0; i < s->n_services && used < len; i++) {
		if (!scn_service_is_client(s, i))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s", used ? ", " : "");
		if (used < len)
			used += (size_t)scn_client_name(s, i, buf + used, len - used);
	}
	return buf;
}

/* The only client service of @node, or -1 with the error set. */
static int scn_node_client(struct scn_p *p, int node, struct scn_loc loc, char *list)
{
	const struct scn *s = p->s;
	int found = -1, n = 0;

	for (int i = 0; i < s->n_services; i++)
		if (s->services[i].node == node && scn_service_is_client(s, i))
			found = found < 0 ? i : found, n++;
	if (n == 1)
		return found;
	if (n == 0)
		scn_fail(p, loc, "node '%s' has no client service (clients: %s)",
			 s->nodes[node].name, list);
	else
		scn_fail(p, loc, "node '%s' has %d client services: name one as %s.SERVICE "
			 "(clients: %s)", s->nodes[node].name, n, s->nodes[node].name, list);
	return -1;
}

/* CLIENT after 'of': NODE or NODE.SERVICE, declared before the expectation. */
static int scn_expect_client(struct scn_p *p, struct scn_expect *e, struct scn_loc of)
{
	char node[SCN_NAME_MAX + 1], list[256];
	struct scn_tok *t = scn_tok_want(p, "a client: NODE or NODE.SERVICE");
	int n, svc;

	if (!t)
		return -1;
	if (!scn_metric_per_client(e->metric))
		return scn_fail(p, of, "'%s' is not measured per client: 'of' scopes the request "
				"metrics (success, errors, p99, outage ...)", e->metric);
	scn_client_list(p->s, list, sizeof(list));
	size_t dot = strcspn(t->text, ".");
	snprintf(node, sizeof(node), "%.*s", (int)(dot < sizeof(node) ? dot : sizeof(node) - 1),
		 t->text);
	if (t->quoted)
		return scn_fail(p, t->loc, "expected a client (NODE or NODE.SERVICE), got a string");
	if (scn_node_at(p, node, t->loc, &n) < 0)
		return -1;
	if (!t->text[dot]) {
		svc = scn_node_client(p, n, t->loc, list);
	} else if ((svc = scn_service_find(p->s, n, t->text + dot + 1)) < 0) {
		return scn_fail(p, scn_tok_loc_at(t, dot + 1), "node '%s' has no service '%s' "
				"(declare the client before the expectation; clients: %s)", node,
				t->text + dot + 1, list);
	} else if (!scn_service_is_client(p->s, svc)) {
		return scn_fail(p, scn_tok_loc_at(t, dot + 1), "service '%s' is not a client: it "
				"writes no request log (clients: %s)", t->text, list);
	}
	if (svc < 0)
		return -1;
	e->client = svc + 1;
	return 0;
}

/* The rest of the line: [of CLIENT] [during faults], in that order. */
static int scn_expect_scope(struct scn_p *p, struct scn_expect *e)
{
	struct scn_tok *first = scn_tok_peek(p), *t;
	char scope[256] = "";
	size_t used = 0;
	if (first && scn_tok_kw(p, "of") && scn_expect_client(p, e, first->loc) < 0)
		return -1;
	if (!(first = scn_tok_peek(p)))
		return 0;
	if (e->unit == SCN_UNIT_NUMBER)
		return scn_fail(p, first->loc, "'%s' is collected once, at the end of the run: it "
				"has no scope ('of', 'during faults')", e->metric);
	while ((t = scn_tok_peek(p)) && used < sizeof(scope)) {
		used += (size_t)snprintf(scope + used, sizeof(scope) - used, "%s%s",
					 used ? " " : "", t->text);
		p->t.pos++;
	}
	if (!strncmp(scope, "during faults of ", 17))
		return scn_fail(p, first->loc, "write 'of CLIENT' before 'during faults'");
	if (strcmp(scope, "during faults"))
		return scn_fail(p, first->loc, "unknown scope '%s' (expected 'of CLIENT', "
				"'during faults', both in that order, or nothing)", scope);
	if (!(e->scope = strdup(scope)))
		return scn_oom(p);
	return 0;
}

static bool scn_tok_is_mark(const struct scn_tok *t)
{
	return scn_tok_is_kw(t, "fails") || scn_tok_is_kw(t, "fail") || scn_tok_is_kw(t, "may");
}

/* The trailing mark: sets e->want and drops its tokens, so the scope stops before it;
 * @end: where the expectation's text ends in the line (its length when unmarked). */
static int scn_expect_mark(struct scn_p *p, struct scn_expect *e, size_t *end)
{
	struct scn_toks *t = &p->t;
	int at = t->pos;
	*end = strlen(t->line);
	while (at < t->n && !scn_tok_is_mark(&t->v[at]))
		at++;
	if (at == t->n)
		return 0;
	if (at == t->n - 1 && scn_tok_is_kw(&t->v[at], "fails"))
		e->want = SCN_WANT_FAIL;
	else if (at == t->n - 2 && scn_tok_is_kw(&t->v[at], "may") &&
		 scn_tok_is_kw(&t->v[at + 1], "fail"))
		e->want = SCN_WANT_EITHER;
	else
		return scn_fail(p, t->v[at].loc, "'%s' here: an expectation ends with 'fails' (it "
				"must fail) or 'may fail', after its scope", t->v[at].text);
	*end = t->v[at].off;
	t->n = at;
	return 0;
}

/* The text from the metric to the mark (or the end of the line), trailing blanks cut. */
static int scn_expect_text(struct scn_p *p, struct scn_expect *e, size_t end)
{
	const char *from = p->t.line + p->t.v[1].off;
	size_t n = end - p->t.v[1].off;
	while (n && (from[n - 1] == ' ' || from[n - 1] == '\t'))
		n--;
	if (!(e->text = strndup(from, n)))
		return scn_oom(p);
	return 0;
}

int scn_stmt_expect(struct scn_p *p)
{
	struct scn_expect e = {.loc = p->t.v[0].loc};
	size_t end;
	if (scn_expect_metric(p, &e) < 0 || scn_expect_op(p, &e) < 0 ||
	    scn_expect_value(p, &e) < 0 || scn_expect_mark(p, &e, &end) < 0 ||
	    scn_expect_scope(p, &e) < 0 || scn_expect_text(p, &e, end) < 0)
		goto err;
	struct scn_expect *slot = scn_grow(&p->s->expects, &p->s->n_expects, sizeof(*slot));
	if (!slot) {
		scn_oom(p);
		goto err;
	}
	*slot = e;
	return 0;
err:
	free(e.scope);
	free(e.text);
	return -1;
}

void scn_expects_clear(struct scn *s)
{
	for (int i = 0; i < s->n_expects; i++) {
		free(s->expects[i].text);
		free(s->expects[i].scope);
	}
	free(s->expects);
	s->expects = NULL;
	s->n_expects = 0;
}

/* The expectation of a command line, lexed as the statement "expect @text". */
#define SCN_EXPECT_KW "expect "

int scn_expect_add(struct scn *s, const char *file, int line, const char *text,
		   struct scn_err *err)
{
	size_t len = strlen(SCN_EXPECT_KW) + strlen(text);
	char *buf = malloc(len + 1);
	struct scn_p p = {.s = s, .err = err, .has_scenario = true};
	struct scn_line *lines = NULL;
	int n = 0, rc = -1;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	if (!buf) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return errno = ENOMEM, -1;
	}
	snprintf(buf, len + 1, SCN_EXPECT_KW "%s", text);
	if (scn_lines_split(file, buf, len, &lines, &n, err) == 0) {
		if (n != 1)
			rc = scn_fail(&p, (struct scn_loc){1, 1}, "expected one expectation: "
				      "METRIC OP VALUE [of CLIENT] [during faults], got %s",
				      n ? "several lines" : "nothing");
		else if (scn_line_tokenize(&p, &lines[0], true) < 0)
			rc = -1;
		else if (p.t.n < 2)
			rc = scn_fail(&p, p.t.end, "expected METRIC OP VALUE, got nothing");
		else
			rc = (p.t.pos = 1, scn_stmt_expect(&p));
	}
	int e = errno;
	scn_toks_clear(&p.t);
	scn_lines_free(lines, n);
	free(buf);
	if (rc == 0)
		return 0;
	/* positions as in @text: line @line, the keyword we put in front not counted */
	err->line = line;
	err->col = err->col > (int)strlen(SCN_EXPECT_KW) ? err->col - (int)strlen(SCN_EXPECT_KW)
							: 1;
	errno = e;
	return -1;
}
