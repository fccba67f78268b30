/*
 * scn_parse.c - the statement driver: errors, the token cursor, value getters, params,
 * and the head statements (scenario, description, duration, seed, param).
 *
 * Params are read in a first pass over the whole file, so ${NAME} may appear before the
 * 'param NAME' line; param lines themselves are never substituted. The second pass
 * substitutes and parses every other statement in order. Names must be declared before
 * they are used (a node before its services, a service before the faults that kill it),
 * so most checks happen on the token that breaks them; scn_validate() does the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

int scn_failv(struct scn_err *err, struct scn_loc loc, const char *fmt, va_list ap)
{
	err->line = loc.line;
	err->col = loc.col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	errno = EINVAL;
	return -1;
}

int scn_fail(struct scn_p *p, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_failv(p->err, loc, fmt, ap);
	va_end(ap);
	return -1;
}

int scn_oom(struct scn_p *p)
{
	scn_fail(p, p->t.end, "out of memory");
	errno = ENOMEM;
	return -1;
}

/* Append one zeroed element to the array *@arrp of *@n elements; NULL on ENOMEM. */
void *scn_grow(void *arrp, int *n, size_t size)
{
	void **arr = arrp;
	char *v = realloc(*arr, (size_t)(*n + 1) * size);
	if (!v)
		return NULL;
	*arr = v;
	memset(v + (size_t)*n * size, 0, size);
	return v + (size_t)(*n)++ * size;
}

struct scn_tok *scn_tok_peek(struct scn_p *p)
{
	return p->t.pos < p->t.n ? &p->t.v[p->t.pos] : NULL;
}

bool scn_tok_is_kw(const struct scn_tok *t, const char *kw)
{
	return t && !t->quoted && !strcmp(t->text, kw);
}

/* Consume the next token when it is the keyword @kw. */
bool scn_tok_kw(struct scn_p *p, const char *kw)
{
	if (!scn_tok_is_kw(scn_tok_peek(p), kw))
		return false;
	p->t.pos++;
	return true;
}

/* The next token, or an error "expected @what" at the end of the line. */
struct scn_tok *scn_tok_want(struct scn_p *p, const char *what)
{
	struct scn_tok *t = scn_tok_peek(p);
	if (!t) {
		scn_fail(p, p->t.end, "expected %s", what);
		return NULL;
	}
	p->t.pos++;
	return t;
}

/* Where byte @off of the token was written (its start for strings). */
struct scn_loc scn_tok_loc_at(const struct scn_tok *t, size_t off)
{
	return t->map ? t->map[off] : t->loc;
}

int scn_tok_end(struct scn_p *p, const char *expected)
{
	struct scn_tok *t = scn_tok_peek(p);
	if (!t)
		return 0;
	if (expected)
		return scn_fail(p, t->loc, "unexpected '%s' (expected %s)", t->text, expected);
	return scn_fail(p, t->loc, "unexpected '%s' at the end of the statement", t->text);
}

#define SCN_DURATION_EX "a duration such as 250ms, 5s or 2m"

int scn_get_duration(struct scn_p *p, int64_t *ms, bool positive)
{
	struct scn_tok *t = scn_tok_want(p, SCN_DURATION_EX);
	if (!t)
		return -1;
	if (scn_duration_parse(t->text, ms) < 0) {
		if (errno == ERANGE)
			return scn_fail(p, t->loc, "duration '%s' is too long", t->text);
		return scn_fail(p, t->loc, "expected " SCN_DURATION_EX ", got '%s'", t->text);
	}
	if (positive && *ms == 0)
		return scn_fail(p, t->loc, "expected a duration above 0s, got '%s'", t->text);
	return 0;
}

/* A plain decimal integer in [min, max]; @what names it: "a port". */
int scn_get_int(struct scn_p *p, const char *what, long min, long max, long *v)
{
	struct scn_tok *t = scn_tok_want(p, what);
	if (!t)
		return -1;
	size_t n = strlen(t->text);
	errno = 0;
	long x = strtol(t->text, NULL, 10);
	if (t->quoted || n == 0 || n > 18 || strspn(t->text, "0123456789") != n)
		return scn_fail(p, t->loc, "expected %s (%ld..%ld), got '%s'", what, min, max,
				t->text);
	if (x < min || x > max)
		return scn_fail(p, t->loc, "%s must be %ld..%ld, got %s", what, min, max, t->text);
	*v = x;
	return 0;
}

int scn_get_addr(struct scn_p *p, struct in_addr *a, struct scn_loc *loc)
{
	struct scn_tok *t = scn_tok_want(p, "an IPv4 address such as 198.18.0.10");
	if (!t)
		return -1;
	*loc = t->loc;
	if (scn_ipv4_parse(t->text, a) < 0)
		return scn_fail(p, t->loc, "expected an IPv4 address such as 198.18.0.10, got '%s'",
				t->text);
	return 0;
}

/* "a, b, c" of the names at the start of each of @n structs @stride bytes apart. */
static void scn_names(char *buf, size_t len, const void *base, size_t stride, int n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && used + 1 < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 (const char *)base + (size_t)i * stride);
	if (n == 0)
		snprintf(buf, len, "none declared yet");
}

int scn_get_net_at(struct scn_p *p, const char *name, struct scn_loc loc, int *net)
{
	const struct scn *s = p->s;
	char names[256];
	*net = scn_net_find(s, name);
	if (*net >= 0)
		return 0;
	scn_names(names, sizeof(names), s->networks, sizeof(*s->networks), s->n_networks);
	return scn_fail(p, loc, "unknown network '%s' (networks: %s)", name, names);
}

int scn_node_at(struct scn_p *p, const char *name, struct scn_loc loc, int *node)
{
	const struct scn *s = p->s;
	char names[256];
	*node = scn_node_find(s, name);
	if (*node >= 0)
		return 0;
	scn_names(names, sizeof(names), s->nodes, sizeof(*s->nodes), s->n_nodes);
	return scn_fail(p, loc, "unknown node '%s' (nodes: %s)", name, names);
}

int scn_get_node(struct scn_p *p, int *node, struct scn_loc *loc)
{
	struct scn_tok *t = scn_tok_want(p, "a node name");
	if (!t)
		return -1;
	*loc = t->loc;
	return scn_node_at(p, t->text, t->loc, node);
}

const char *scn_param_value(const struct scn *s, const char *name, size_t len)
{
	for (int i = 0; i < s->n_params; i++)
		if (strlen(s->params[i].name) == len && !strncmp(s->params[i].name, name, len))
			return s->params[i].value;
	return NULL;
}

static bool scn_line_is_param(const struct scn_line *l)
{
	const char *t = l->text + strspn(l->text, " \t");
	return !strncmp(t, "param", 5) && (t[5] == ' ' || t[5] == '\t' || !t[5]);
}

/* param NAME "DEFAULT" (tokens not substituted) */
static int scn_param_one(struct scn_p *p)
{
	struct scn_tok *name, *val;
	p->t.pos = 1;
	if (!(name = scn_tok_want(p, "a param name")))
		return -1;
	if (name->quoted || !scn_name_ok(name->text, SCN_NAME_MAX))
		return scn_fail(p, name->loc, "invalid param name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)", name->text, SCN_NAME_MAX - 1);
	for (int i = 0; i < p->s->n_params; i++)
		if (!strcmp(p->s->params[i].name, name->text))
			return scn_fail(p, name->loc, "duplicate param '%s' (first declared at line %d)",
					name->text, p->s->params[i].loc.line);
	if (!(val = scn_tok_want(p, "a default value such as \"\" or \"safe\"")))
		return -1;
	if (scn_tok_end(p, NULL) < 0)
		return -1;
	struct scn_param *pr = scn_grow(&p->s->params, &p->s->n_params, sizeof(*pr));
	if (!pr || !(pr->value = strdup(val->text)))
		return scn_oom(p);
	snprintf(pr->name, sizeof(pr->name), "%s", name->text);
	pr->loc = name->loc;
	return 0;
}

static int scn_param_set(struct scn_p *p, const struct scn_set *set)
{
	struct scn *s = p->s;
	for (int i = 0; i < s->n_params; i++) {
		if (strcmp(s->params[i].name, set->name))
			continue;
		char *v = strdup(set->value ? set->value : "");
		if (!v)
			return scn_oom(p);
		free(s->params[i].value);
		s->params[i].value = v;
		return 0;
	}
	char names[256];
	scn_names(names, sizeof(names), s->params, sizeof(*s->params), s->n_params);
	if (s->n_params == 0)
		snprintf(names, sizeof(names), "none declared");
	return scn_fail(p, (struct scn_loc){0, 0}, "--set %s: no param '%s' in this scenario "
			"(params: %s)", set->name, set->name, names);
}

int scn_param_lines(struct scn_p *p, const struct scn_line *lines, int n,
		    const struct scn_set *sets, int n_sets)
{
	for (int i = 0; i < n; i++) {
		if (!scn_line_is_param(&lines[i]))
			continue;
		if (scn_line_tokenize(p, &lines[i], false) < 0 || scn_param_one(p) < 0)
			return -1;
	}
	for (int i = 0; i < n_sets; i++)
		if (scn_param_set(p, &sets[i]) < 0)
			return -1;
	return 0;
}

static int scn_stmt_scenario(struct scn_p *p)
{
	struct scn_tok *kw = &p->t.v[0], *name;
	if (p->has_scenario)
		return scn_fail(p, kw->loc, "duplicate 'scenario' (first at line %d)",
				p->scenario_loc.line);
	p->has_scenario = true;
	p->scenario_loc = kw->loc;
	if (!(name = scn_tok_want(p, "a scenario name")))
		return -1;
	size_t n = strlen(name->text);
	if (name->quoted || !scn_name_ok(name->text, 64))
		return scn_fail(p, name->loc, "invalid scenario name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most 63 characters)", name->text);
	if (!(p->s->name = strndup(name->text, n)))
		return scn_oom(p);
	return scn_tok_end(p, NULL);
}

static int scn_stmt_description(struct scn_p *p)
{
	struct scn_tok *t = scn_tok_want(p, "a description such as \"what this reproduces\"");
	if (!t)
		return -1;
	if (p->s->description)
		return scn_fail(p, p->t.v[0].loc, "duplicate 'description'");
	if (!(p->s->description = strdup(t->text)))
		return scn_oom(p);
	return scn_tok_end(p, "one quoted string");
}

static int scn_stmt_duration(struct scn_p *p)
{
	if (p->has_duration)
		return scn_fail(p, p->t.v[0].loc, "duplicate 'duration'");
	p->has_duration = true;
	if (scn_get_duration(p, &p->s->duration_ms, true) < 0)
		return -1;
	return scn_tok_end(p, NULL);
}

static int scn_stmt_seed(struct scn_p *p)
{
	struct scn_tok *t = scn_tok_want(p, "a seed (a whole number)");
	if (!t)
		return -1;
	if (p->has_seed)
		return scn_fail(p, p->t.v[0].loc, "duplicate 'seed'");
	p->has_seed = true;
	size_t n = strlen(t->text);
	errno = 0;
	unsigned long long v = strtoull(t->text, NULL, 10);
	if (t->quoted || !n || strspn(t->text, "0123456789") != n || errno == ERANGE)
		return scn_fail(p, t->loc, "expected a seed (a whole number 0..%llu), got '%s'",
				(unsigned long long)UINT64_MAX, t->text);
	p->s->seed = v;
	return scn_tok_end(p, NULL);
}

/* Params were read by scn_param_lines(); here only the statement order matters. */
static int scn_stmt_param(struct scn_p *p)
{
	(void)p;
	return 0;
}

/* requires PROGRAM...: names (or paths) of programs the scenario's services run. */
static int scn_stmt_requires(struct scn_p *p)
{
	struct scn_tok *t = scn_tok_want(p, "a program the scenario needs, such as keepalived");
	if (!t)
		return -1;
	for (bool first = true; t; t = scn_tok_peek(p), first = false) {
		if (!first)
			p->t.pos++; /* scn_tok_want took the first one already */
		if (!*t->text || strlen(t->text) >= sizeof(((struct scn_require *)0)->name) ||
		    strpbrk(t->text, " \t"))
			return scn_fail(p, t->loc, "expected a program name, got '%s'", t->text);
		struct scn_require *r = scn_grow(&p->s->requires, &p->s->n_requires, sizeof(*r));
		if (!r)
			return scn_oom(p);
		snprintf(r->name, sizeof(r->name), "%s", t->text);
		r->loc = t->loc;
	}
	return 0;
}

static int scn_stmt_at(struct scn_p *p)
{
	return scn_stmt_timeline(p, "at");
}

static int scn_stmt_every(struct scn_p *p)
{
	return scn_stmt_timeline(p, "every");
}

static int scn_stmt_random(struct scn_p *p)
{
	return scn_stmt_timeline(p, "random");
}

static const struct {
	const char *kw;
	int (*parse)(struct scn_p *p);
} scn_stmts[] = {
	{"scenario", scn_stmt_scenario}, {"description", scn_stmt_description},
	{"duration", scn_stmt_duration}, {"seed", scn_stmt_seed},
	{"param", scn_stmt_param},       {"network", scn_stmt_network},
	{"node", scn_stmt_node},         {"service", scn_stmt_service},
	{"at", scn_stmt_at},             {"every", scn_stmt_every},
	{"random", scn_stmt_random},     {"expect", scn_stmt_expect},
	{"requires", scn_stmt_requires}, {"capture", scn_stmt_capture},
	{"collect", scn_stmt_collect},
};

#define SCN_STMT_LIST                                                                      \
	"scenario, description, duration, seed, param, requires, network, capture, node, "    \
	"service, at, every, random, collect, expect"

static int scn_stmt(struct scn_p *p)
{
	struct scn_tok *kw = &p->t.v[0];
	if (!p->has_scenario && !scn_tok_is_kw(kw, "scenario"))
		return scn_fail(p, kw->loc, "expected 'scenario NAME' as the first statement, got '%s'",
				kw->text);
	p->t.pos = 1;
	for (size_t i = 0; i < sizeof(scn_stmts) / sizeof(scn_stmts[0]); i++)
		if (scn_tok_is_kw(kw, scn_stmts[i].kw))
			return scn_stmts[i].parse(p);
	return scn_fail(p, kw->loc, "unknown statement '%s' (expected one of " SCN_STMT_LIST ")",
			kw->text);
}

static int scn_parse_lines(struct scn_p *p, const struct scn_line *lines, int n,
			   const struct scn_set *sets, int n_sets)
{
	if (scn_param_lines(p, lines, n, sets, n_sets) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (scn_line_tokenize(p, &lines[i], !scn_line_is_param(&lines[i])) < 0)
			return -1;
		if (p->t.n > 0 && scn_stmt(p) < 0)
			return -1;
	}
	if (!p->has_scenario)
		return scn_fail(p, (struct scn_loc){1, 1}, "expected 'scenario NAME' as the first "
				"statement, got an empty file");
	return scn_validate(p);
}

struct scn *scn_parse(const char *file, const char *text, size_t len,
		      const struct scn_set *sets, int n_sets, struct scn_err *err)
{
	struct scn_line *lines = NULL;
	int n = 0, rc = -1;
	struct scn_p p = {.err = err};

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s || !(p.s->file = strdup(file))) {
		free(p.s);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	p.s->seed = 1;
	if (!(p.s->text = malloc(len + 1))) {
		scn_free(p.s);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	memcpy(p.s->text, text, len);
	p.s->text[len] = '\0';
	p.s->text_len = len;
	if (scn_lines_split(file, text, len, &lines, &n, err) == 0)
		rc = scn_parse_lines(&p, lines, n, sets, n_sets);
	int saved = errno;
	scn_toks_clear(&p.t);
	scn_lines_free(lines, n);
	free(p.ev_locs);
	free(p.svc_locs);
	if (rc == 0)
		return p.s;
	scn_free(p.s);
	errno = saved;
	return NULL;
}
