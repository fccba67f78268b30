/*
 * scn_fault.c - the fault of a timeline statement: its kind looked up by name in
 * scn_fault_kinds[] (the one table, harness/flt/flt_kinds.c), then the kind's own parse,
 * written with the grammar helpers here (scn_arg_*, declared in scn.h).
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

int scn_arg_target(struct scn_p *p, struct scn_fault *f, enum scn_arg_target what)
{
	if (what != SCN_ARG_NET)
		return scn_target_parse(p, &f->target, what == SCN_ARG_IFACE);
	struct scn_tok *t = scn_tok_want(p, "a network name");
	if (!t)
		return -1;
	return scn_get_net_at(p, t->text, t->loc, &f->target.net);
}

int scn_arg_word(struct scn_p *p, const char *kw)
{
	struct scn_tok *t = scn_tok_peek(p);
	if (scn_tok_kw(p, kw))
		return 0;
	if (!t)
		return scn_fail(p, p->t.end, "expected '%s'", kw);
	return scn_fail(p, t->loc, "expected '%s', got '%s'", kw, t->text);
}

bool scn_arg_opt(struct scn_p *p, const char *kw)
{
	return scn_tok_kw(p, kw);
}

int scn_arg_duration(struct scn_p *p, int64_t *ms, bool positive)
{
	return scn_get_duration(p, ms, positive);
}

int scn_arg_int(struct scn_p *p, const char *what, long min, long max, long *v)
{
	return scn_get_int(p, what, min, max, v);
}

int scn_arg_percent(struct scn_p *p, double *pct)
{
	struct scn_tok *t = scn_tok_want(p, "a percentage such as 5% or 0.5%");
	if (!t)
		return -1;
	if (scn_percent_parse(t->text, pct) < 0)
		return scn_fail(p, t->loc, "expected a percentage 0%%..100%% such as 5%% or 0.5%%, "
				"got '%s'", t->text);
	return 0;
}

#define SCN_BITRATE_EX "a rate in bits/s such as 512kbit, 10mbit or 1gbit"
#define SCN_BITRATE_MIN 1000ULL		      /* below, tbf's token math degenerates */
#define SCN_BITRATE_MAX 1000000000000ULL /* 1000gbit: beyond any port of a lab */

int scn_arg_rate(struct scn_p *p, uint64_t *bps)
{
	struct scn_tok *t = scn_tok_want(p, SCN_BITRATE_EX);
	if (!t)
		return -1;
	if (t->quoted || scn_bitrate_parse(t->text, bps) < 0)
		return scn_fail(p, t->loc, "expected " SCN_BITRATE_EX ", got '%s'", t->text);
	if (*bps < SCN_BITRATE_MIN || *bps > SCN_BITRATE_MAX)
		return scn_fail(p, t->loc, "expected a rate from 1kbit to 1000gbit, got '%s'",
				t->text);
	return 0;
}

static const char *const scn_dir_names[] = {
	[SCN_DIR_IN] = "in",
	[SCN_DIR_OUT] = "out",
	[SCN_DIR_BOTH] = "both",
};

const char *scn_dir_name(enum scn_dir dir)
{
	return dir >= SCN_DIR_IN && dir <= SCN_DIR_BOTH ? scn_dir_names[dir] : "?";
}

int scn_arg_dir(struct scn_p *p, enum scn_dir dflt, enum scn_dir *dir)
{
	*dir = dflt;
	for (int d = SCN_DIR_IN; d <= SCN_DIR_BOTH; d++)
		if (scn_tok_kw(p, scn_dir_names[d])) {
			*dir = (enum scn_dir)d;
			return 0;
		}
	return 0;
}

static const char *const scn_proto_names[] = {
	[SCN_PROTO_ANY] = "",
	[SCN_PROTO_TCP] = "tcp",
	[SCN_PROTO_UDP] = "udp",
	[SCN_PROTO_ICMP] = "icmp",
	[SCN_PROTO_VRRP] = "vrrp",
	[SCN_PROTO_ARP] = "arp",
};

const char *scn_proto_name(enum scn_proto proto)
{
	return proto >= SCN_PROTO_ANY && proto <= SCN_PROTO_ARP ? scn_proto_names[proto] : "?";
}

int scn_match_fmt(const struct scn_match *m, char *buf, size_t len)
{
	if (m->proto == SCN_PROTO_ANY)
		return snprintf(buf, len, "%s", "");
	if (m->port)
		return snprintf(buf, len, " match %s port %d", scn_proto_name(m->proto), m->port);
	return snprintf(buf, len, " match %s", scn_proto_name(m->proto));
}

#define SCN_PROTO_EX "tcp, udp, icmp, vrrp or arp"

/* [match tcp|udp|icmp|vrrp|arp [port N]] */
int scn_arg_match(struct scn_p *p, struct scn_match *m)
{
	*m = (struct scn_match){0};
	if (!scn_tok_kw(p, "match"))
		return 0;
	struct scn_tok *t = scn_tok_want(p, "a protocol: " SCN_PROTO_EX);
	if (!t)
		return -1;
	for (int i = SCN_PROTO_TCP; i <= SCN_PROTO_ARP && !m->proto; i++)
		if (scn_tok_is_kw(t, scn_proto_names[i]))
			m->proto = (enum scn_proto)i;
	if (!m->proto)
		return scn_fail(p, t->loc,
				"expected a protocol after 'match': " SCN_PROTO_EX ", got '%s'",
				t->text);
	struct scn_tok *pt = scn_tok_peek(p);
	if (!scn_tok_kw(p, "port"))
		return 0;
	if (m->proto != SCN_PROTO_TCP && m->proto != SCN_PROTO_UDP)
		return scn_fail(p, pt->loc, "'port' goes with tcp or udp only, not %s",
				scn_proto_name(m->proto));
	long port;
	if (scn_get_int(p, "a port number", 1, 65535, &port) < 0)
		return -1;
	m->port = (int)port;
	return 0;
}

int scn_arg_signal(struct scn_p *p, long *sig)
{
	struct scn_tok *t = scn_tok_want(p, "a signal such as TERM, SIGTERM or 15");
	int v;
	if (!t)
		return -1;
	if (scn_signal_parse(t->text, &v) < 0)
		return scn_fail(p, t->loc, "expected a signal such as TERM, SIGTERM or 15, got '%s'",
				t->text);
	*sig = v;
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

/* The separator at @s: '/' (both ways), "->" (one way), or none; its length. */
static size_t scn_part_sep(const char *s)
{
	return *s == '/' ? 1 : s[0] == '-' && s[1] == '>' ? 2 : 0;
}

/*
 * Split one token on ',', '/' and "->"; *side_b flips at the separator, and "->" makes
 * the partition one way (f->dir SCN_DIR_OUT: group a's packets to group b). A '-' just
 * before '>' belongs to the arrow, so "a-->b" is node "a-" to node "b".
 */
static int scn_part_tok(struct scn_p *p, struct scn_fault *f, struct scn_tok *t, bool *side_b)
{
	char *s = t->text;
	for (size_t i = 0, start = 0;; i++) {
		char c = s[i];
		size_t sep = scn_part_sep(s + i);
		if (c && c != ',' && !sep)
			continue;
		s[i] = '\0';
		if (i > start &&
		    scn_part_add(p, f, *side_b, s + start, scn_tok_loc_at(t, start)) < 0)
			return -1;
		if (sep && *side_b)
			return scn_fail(p, scn_tok_loc_at(t, i),
					"a partition has two sides: one '%s'",
					f->dir == SCN_DIR_OUT ? "->" : "/");
		if (sep) {
			*side_b = true;
			f->dir = sep == 2 ? SCN_DIR_OUT : f->dir;
			i += sep - 1;
		}
		if (!c)
			return 0;
		start = i + 1;
	}
}

int scn_arg_groups(struct scn_p *p, struct scn_fault *f)
{
	struct scn_tok *t;
	bool side_b = false;
	f->target.net = -1;
	while ((t = scn_tok_peek(p)) && !scn_tok_is_kw(t, "for")) {
		p->t.pos++;
		if (scn_part_tok(p, f, t, &side_b) < 0)
			return -1;
	}
	if (f->n_a > 0 && f->n_b > 0)
		return 0;
	if (f->dir == SCN_DIR_OUT)
		return scn_fail(p, t ? t->loc : p->t.end, "expected nodes on both sides of '->', "
				"such as 'partition lb1 -> lb2,web2'");
	return scn_fail(p, t ? t->loc : p->t.end, "expected nodes on both sides of '/', "
			"such as 'partition lb1,web1 / lb2,web2'");
}

int scn_arg_service(struct scn_p *p, struct scn_fault *f)
{
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

const struct scn_fault_kind *scn_fault_kind_find(const char *name)
{
	for (int i = 0; scn_fault_kinds[i]; i++)
		if (!strcmp(scn_fault_kinds[i]->name, name))
			return scn_fault_kinds[i];
	return NULL;
}

/* "link down, link up, ... or restart": the kinds of the table, for error messages. */
static const char *scn_fault_list(char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; scn_fault_kinds[i] && off < len; i++) {
		const char *sep = i == 0 ? "" : scn_fault_kinds[i + 1] ? ", " : " or ";
		int n = snprintf(buf + off, len - off, "%s%s", sep, scn_fault_kinds[i]->name);
		off += n > 0 ? (size_t)n : 0;
	}
	return buf;
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
	char list[512], what[600];
	snprintf(what, sizeof(what), "a fault (%s)", scn_fault_list(list, sizeof(list)));
	struct scn_tok *t = scn_tok_want(p, what);
	if (!t)
		return -1;
	p->t.pos--;
	f->loc = t->loc;
	for (int i = 0; scn_fault_kinds[i]; i++)
		if (scn_fault_match(p, scn_fault_kinds[i]->name)) {
			f->kind = scn_fault_kinds[i];
			return f->kind->parse(p, f);
		}
	if (scn_tok_is_kw(t, "link")) {
		struct scn_tok *n = p->t.pos + 1 < p->t.n ? &p->t.v[p->t.pos + 1] : NULL;
		return scn_fail(p, n ? n->loc : p->t.end, "expected 'down' or 'up' after 'link'%s%s%s",
				n ? ", got '" : "", n ? n->text : "", n ? "'" : "");
	}
	return scn_fail(p, t->loc, "unknown fault '%s' (expected %s)", t->text, list);
}

void scn_fault_release(struct scn_fault *f)
{
	free(f->target.nodes);
	free(f->group_a);
	free(f->group_b);
}
