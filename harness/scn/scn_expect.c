/*
 * scn_expect.c - 'expect METRIC OP VALUE [SCOPE] [fails | may fail]' and the metric table.
 *
 * The table is the one place a metric is declared: its name and the unit its value is
 * written in. A value in the wrong unit is an error that names the unit expected.
 * The only scope defined so far is "during faults".
 *
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
} scn_metrics[] = {
	{"failover", SCN_UNIT_MS},     {"split-brain", SCN_UNIT_MS},
	{"outage", SCN_UNIT_MS},       {"longest-outage", SCN_UNIT_MS},
	{"p50", SCN_UNIT_MS},          {"p99", SCN_UNIT_MS},
	{"max", SCN_UNIT_MS},          {"detect", SCN_UNIT_MS},
	{"success", SCN_UNIT_PERCENT}, {"uptime", SCN_UNIT_PERCENT},
	{"errors", SCN_UNIT_COUNT},    {"vip-moves", SCN_UNIT_COUNT},
	{"refused", SCN_UNIT_COUNT},   {"reset", SCN_UNIT_COUNT},
	{"timeout", SCN_UNIT_COUNT},   {"connect-timeout", SCN_UNIT_COUNT},
	{"bad-body", SCN_UNIT_COUNT},  {"bad-status", SCN_UNIT_COUNT},
	{"retransmits", SCN_UNIT_COUNT}, {"frag-needed", SCN_UNIT_COUNT},
	{"requests", SCN_UNIT_COUNT},
};

#define SCN_N_METRICS (sizeof(scn_metrics) / sizeof(scn_metrics[0]))

enum scn_unit scn_metric_unit(const char *metric)
{
	for (size_t i = 0; i < SCN_N_METRICS; i++)
		if (!strcmp(scn_metrics[i].name, metric))
			return scn_metrics[i].unit;
	return 0;
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
	for (size_t i = 0; i < SCN_N_METRICS; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 scn_metrics[i].name);
	return scn_fail(p, t->loc, "unknown metric '%s' (metrics: %s)", t->text, list);
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

static int scn_expect_value(struct scn_p *p, struct scn_expect *e)
{
	static const char *const ex[] = {
		[SCN_UNIT_COUNT] = "a count such as 0 or 12",
		[SCN_UNIT_MS] = "a duration such as 500ms",
		[SCN_UNIT_PERCENT] = "a percentage such as 99.5%",
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
	if (rc < 0 || t->quoted)
		return scn_fail(p, t->loc, "expected %s for '%s', got '%s'", ex[e->unit], e->metric,
				t->text);
	return 0;
}

/* The rest of the line, one space between words: only "during faults" is defined. */
static int scn_expect_scope(struct scn_p *p, struct scn_expect *e)
{
	struct scn_tok *first = scn_tok_peek(p), *t;
	char scope[256] = "";
	size_t used = 0;
	if (!first)
		return 0;
	while ((t = scn_tok_peek(p)) && used < sizeof(scope)) {
		used += (size_t)snprintf(scope + used, sizeof(scope) - used, "%s%s",
					 used ? " " : "", t->text);
		p->t.pos++;
	}
	if (strcmp(scope, "during faults"))
		return scn_fail(p, first->loc, "unknown scope '%s' (expected 'during faults' or "
				"nothing)", scope);
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
