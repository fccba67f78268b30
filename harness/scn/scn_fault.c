/*
 * scn_fault.c - the fault kinds of the timeline, one table entry each.
 *
 * A target is NODE, NODE.NET, any(a,b,c) or any(a,b,c).NET (no spaces inside); every
 * candidate of any(...) must satisfy what a single node would (be on NET, run SERVICE).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

static int scn_target_add(struct scn_p *p, struct scn_target *tg, const char *name,
			  struct scn_loc loc)
{
	int node;
	if (scn_node_at(p, name, loc, &node) < 0)
		return -1;
	for (int i = 0; i < tg->n_nodes; i++)
		if (tg->nodes[i] == node)
			return scn_fail(p, loc, "node '%s' is listed twice in any(...)", name);
	int *slot = scn_grow(&tg->nodes, &tg->n_nodes, sizeof(*slot));
	if (!slot)
		return scn_oom(p);
	*slot = node;
	return 0;
}

/* The candidates of "any(a,b)" starting at text[0]; *rest after the ')'. */
static int scn_target_any(struct scn_p *p, struct scn_tok *t, struct scn_target *tg,
			  char **rest)
{
	char *close = strchr(t->text, ')');
	if (!close)
		return scn_fail(p, t->loc, "expected any(NODE,NODE...) without spaces, got '%s'",
				t->text);
	*close = '\0';
	*rest = close + 1;
	for (char *name = t->text + 4, *comma; name; name = comma ? comma + 1 : NULL) {
		if ((comma = strchr(name, ',')))
			*comma = '\0';
		if (scn_target_add(p, tg, name, scn_tok_loc_at(t, (size_t)(name - t->text))) < 0)
			return -1;
	}
	return 0;
}

/* NODE[.NET] or any(...)[.NET]; @want_net: ".NET" required, else forbidden. */
static int scn_target_parse(struct scn_p *p, struct scn_target *tg, bool want_net)
{
	const char *what = want_net ? "NODE.NET such as lb1.private" : "a node such as lb1";
	struct scn_tok *t = scn_tok_want(p, what);
	char *rest = NULL, full[128];
	if (!t)
		return -1;
	snprintf(full, sizeof(full), "%s", t->text);
	tg->net = -1;
	if (!strncmp(t->text, "any(", 4)) {
		if (scn_target_any(p, t, tg, &rest) < 0)
			return -1;
	} else {
		rest = t->text + strcspn(t->text, ".");
		char c = *rest;
		*rest = '\0';
		if (scn_target_add(p, tg, t->text, t->loc) < 0)
			return -1;
		*rest = c;
	}
	if ((*rest == '.') != want_net || (want_net && !rest[1]) || (*rest && *rest != '.'))
		return scn_fail(p, t->loc, "expected %s, got '%s'", what, full);
	if (!want_net)
		return 0;
	struct scn_loc nloc = scn_tok_loc_at(t, (size_t)(rest + 1 - t->text));
	if (scn_get_net_at(p, rest + 1, nloc, &tg->net) < 0)
		return -1;
	for (int i = 0; i < tg->n_nodes; i++)
		if (scn_iface_find(p->s, tg->nodes[i], tg->net) < 0)
			return scn_fail(p, nloc, "node '%s' is not on network '%s'",
					p->s->nodes[tg->nodes[i]].name, rest + 1);
	return 0;
}

static int scn_f_iface(struct scn_p *p, struct scn_fault *f)
{
	return scn_target_parse(p, &f->target, true);
}

static int scn_f_node(struct scn_p *p, struct scn_fault *f)
{
	return scn_target_parse(p, &f->target, false);
}

static int scn_want_kw(struct scn_p *p, const char *kw)
{
	struct scn_tok *t = scn_tok_peek(p);
	if (scn_tok_kw(p, kw))
		return 0;
	if (!t)
		return scn_fail(p, p->t.end, "expected '%s'", kw);
	return scn_fail(p, t->loc, "expected '%s', got '%s'", kw, t->text);
}

static int scn_f_flap(struct scn_p *p, struct scn_fault *f)
{
	long count;
	if (scn_target_parse(p, &f->target, true) < 0 || scn_want_kw(p, "down") < 0 ||
	    scn_get_duration(p, &f->down_ms, true) < 0 || scn_want_kw(p, "up") < 0 ||
	    scn_get_duration(p, &f->up_ms, true) < 0 || scn_want_kw(p, "count") < 0 ||
	    scn_get_int(p, "a count", 1, 1000000, &count) < 0)
		return -1;
	f->count = (int)count;
	return 0;
}

static int scn_f_mtu(struct scn_p *p, struct scn_fault *f)
{
	if (scn_target_parse(p, &f->target, true) < 0)
		return -1;
	return scn_set_int(p, "an MTU", 68, 65535, &f->mtu);
}

static int scn_f_net(struct scn_p *p, struct scn_fault *f)
{
	struct scn_tok *t = scn_tok_want(p, "a network name");
	if (!t)
		return -1;
	return scn_get_net_at(p, t->text, t->loc, &f->target.net);
}

static int scn_f_loss(struct scn_p *p, struct scn_fault *f)
{
	if (scn_target_parse(p, &f->target, true) < 0)
		return -1;
	struct scn_tok *t = scn_tok_want(p, "a percentage such as 5% or 0.5%");
	if (!t)
		return -1;
	if (scn_percent_parse(t->text, &f->percent) < 0)
		return scn_fail(p, t->loc, "expected a percentage 0%%..100%% such as 5%% or 0.5%%, "
				"got '%s'", t->text);
	return 0;
}

static int scn_f_delay(struct scn_p *p, struct scn_fault *f)
{
	if (scn_target_parse(p, &f->target, true) < 0 ||
	    scn_get_duration(p, &f->delay_ms, true) < 0)
		return -1;
	if (scn_tok_kw(p, "jitter"))
		return scn_get_duration(p, &f->jitter_ms, false);
	return 0;
}

/* One side of a partition gains @name; a node is on one side only. */
static int scn_part_add(struct scn_p *p, struct scn_fault *f, bool side_b, const char *name,
			struct scn_loc loc)
{
	int node;
	if (scn_node_at(p, name, loc, &node) < 0)
		return -1;
	for (int i = 0; i < f->n_a + f->n_b; i++) {
		bool in_a = i < f->n_a;
		if ((in_a ? f->group_a[i] : f->group_b[i - f->n_a]) != node)
			continue;
		if (in_a != side_b)
			return scn_fail(p, loc, "node '%s' is listed twice on one side", name);
		return scn_fail(p, loc, "node '%s' is on both sides of the partition", name);
	}
	int *slot = side_b ? scn_grow(&f->group_b, &f->n_b, sizeof(int))
			   : scn_grow(&f->group_a, &f->n_a, sizeof(int));
	if (!slot)
		return scn_oom(p);
	*slot = node;
	return 0;
}

/* Split one token on ',' and '/'; *side_b flips at the '/'. */
static int scn_part_tok(struct scn_p *p, struct scn_fault *f, struct scn_tok *t, bool *side_b)
{
	char *s = t->text;
	for (size_t i = 0, start = 0;; i++) {
		char c = s[i];
		if (c && c != ',' && c != '/')
			continue;
		s[i] = '\0';
		if (i > start && scn_part_add(p, f, *side_b, s + start, scn_tok_loc_at(t, start)) < 0)
			return -1;
		if (c == '/' && *side_b)
			return scn_fail(p, scn_tok_loc_at(t, i), "a partition has two sides: one '/'");
		if (c == '/')
			*side_b = true;
		if (!c)
			return 0;
		start = i + 1;
	}
}

static int scn_f_partition(struct scn_p *p, struct scn_fault *f)
{
	struct scn_tok *t;
	bool side_b = false;
	f->target.net = -1;
	while ((t = scn_tok_peek(p)) && !scn_tok_is_kw(t, "for")) {
		p->t.pos++;
		if (scn_part_tok(p, f, t, &side_b) < 0)
			return -1;
	}
	if (f->n_a == 0 || f->n_b == 0)
		return scn_fail(p, t ? t->loc : p->t.end, "expected nodes on both sides of '/', "
				"such as 'partition lb1,web1 / lb2,web2'");
	return 0;
}

static int scn_f_service(struct scn_p *p, struct scn_fault *f)
{
	if (scn_target_parse(p, &f->target, false) < 0)
		return -1;
	struct scn_tok *t = scn_tok_want(p, "a service name such as lb or web");
	if (!t)
		return -1;
	snprintf(f->svc_name, sizeof(f->svc_name), "%s", t->text);
	for (int i = 0; i < f->target.n_nodes; i++) {
		int sv = scn_service_find(p->s, f->target.nodes[i], t->text);
		if (sv < 0)
			return scn_fail(p, t->loc, "node '%s' has no service '%s' (declare the service "
					"before the fault)", p->s->nodes[f->target.nodes[i]].name, t->text);
		if (i == 0)
			f->service = sv;
	}
	return 0;
}

static int scn_f_kill(struct scn_p *p, struct scn_fault *f)
{
	f->signal = SIGKILL;
	if (scn_f_service(p, f) < 0)
		return -1;
	if (!scn_tok_kw(p, "signal"))
		return 0;
	struct scn_tok *t = scn_tok_want(p, "a signal such as TERM, SIGTERM or 15");
	if (!t)
		return -1;
	if (scn_signal_parse(t->text, &f->signal) < 0)
		return scn_fail(p, t->loc, "expected a signal such as TERM, SIGTERM or 15, got '%s'",
				t->text);
	return 0;
}

static const struct {
	const char *name; /* as written; a space separates two keywords */
	enum scn_fault_kind kind;
	int (*parse)(struct scn_p *p, struct scn_fault *f);
} scn_faults[] = {
	{"link down", SCN_F_LINK_DOWN, scn_f_iface},
	{"link up", SCN_F_LINK_UP, scn_f_iface},
	{"flap", SCN_F_FLAP, scn_f_flap},
	{"blackhole", SCN_F_BLACKHOLE, scn_f_iface},
	{"mtu", SCN_F_MTU, scn_f_mtu},
	{"pmtu-blackhole", SCN_F_PMTU_BLACKHOLE, scn_f_net},
	{"loss", SCN_F_LOSS, scn_f_loss},
	{"delay", SCN_F_DELAY, scn_f_delay},
	{"partition", SCN_F_PARTITION, scn_f_partition},
	{"stall", SCN_F_STALL, scn_f_node},
	{"kill", SCN_F_KILL, scn_f_kill},
	{"restart", SCN_F_RESTART, scn_f_service},
};

#define SCN_N_FAULTS (sizeof(scn_faults) / sizeof(scn_faults[0]))
#define SCN_FAULT_LIST                                                                     \
	"link down, link up, flap, blackhole, mtu, pmtu-blackhole, loss, delay, partition, "  \
	"stall, kill or restart"

const char *scn_fault_kind_name(enum scn_fault_kind kind)
{
	for (size_t i = 0; i < SCN_N_FAULTS; i++)
		if (scn_faults[i].kind == kind)
			return scn_faults[i].name;
	return "unknown";
}

/* Does the fault name @name start at the cursor? Consumes it when it does. */
static bool scn_fault_match(struct scn_p *p, const char *name)
{
	const char *sp = strchr(name, ' ');
	struct scn_tok *t = scn_tok_peek(p);
	if (!t || t->quoted)
		return false;
	if (!sp)
		return scn_tok_kw(p, name);
	if (strncmp(t->text, name, (size_t)(sp - name)) || t->text[sp - name])
		return false;
	if (p->t.pos + 1 >= p->t.n || !scn_tok_is_kw(&p->t.v[p->t.pos + 1], sp + 1))
		return false;
	p->t.pos += 2;
	return true;
}

int scn_fault_parse(struct scn_p *p, struct scn_fault *f)
{
	struct scn_tok *t = scn_tok_want(p, "a fault (" SCN_FAULT_LIST ")");
	if (!t)
		return -1;
	p->t.pos--;
	f->loc = t->loc;
	for (size_t i = 0; i < SCN_N_FAULTS; i++)
		if (scn_fault_match(p, scn_faults[i].name)) {
			f->kind = scn_faults[i].kind;
			return scn_faults[i].parse(p, f);
		}
	if (scn_tok_is_kw(t, "link")) {
		struct scn_tok *n = p->t.pos + 1 < p->t.n ? &p->t.v[p->t.pos + 1] : NULL;
		return scn_fail(p, n ? n->loc : p->t.end, "expected 'down' or 'up' after 'link'%s%s%s",
				n ? ", got '" : "", n ? n->text : "", n ? "'" : "");
	}
	return scn_fail(p, t->loc, "unknown fault '%s' (expected " SCN_FAULT_LIST ")", t->text);
}

void scn_fault_release(struct scn_fault *f)
{
	free(f->target.nodes);
	free(f->group_a);
	free(f->group_b);
}
