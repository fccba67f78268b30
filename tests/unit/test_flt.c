/*
 * test_flt.c - composition of overlapping faults, without root: the bookkeeping of
 * flt_book.h checked directly (the mtu stack against a naive model), then the real
 * kinds (flt_apply / flt_revert) run over a recording struct flt_io that keeps the
 * state a kernel would have (carrier per port, MTU per interface, frozen per node,
 * chains present) and counts the calls that would have reached it.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flt_int.h"

/* A fault kind by the name it is written as. */
#define K(name) scn_fault_kind_find(name)

/* ---- flt_ref ---- */

static void test_ref_count(void)
{
	struct flt_ref r = {0};
	CU_ASSERT_TRUE(flt_ref_idle(&r));
	unsigned g1 = flt_ref_take(&r);
	CU_ASSERT_FALSE(flt_ref_idle(&r));
	unsigned g2 = flt_ref_take(&r);
	CU_ASSERT_FALSE(flt_ref_drop(&r, g1)); /* one left */
	CU_ASSERT_TRUE(flt_ref_drop(&r, g2));  /* the last */
	CU_ASSERT_TRUE(flt_ref_idle(&r));
	CU_ASSERT_FALSE(flt_ref_drop(&r, g2)); /* none held: never below zero */
	CU_ASSERT_EQUAL(0, r.n);
}

static void test_ref_cancel(void)
{
	struct flt_ref r = {0};
	unsigned old = flt_ref_take(&r);
	flt_ref_take(&r);
	flt_ref_cancel(&r);
	CU_ASSERT_TRUE(flt_ref_idle(&r));
	unsigned g = flt_ref_take(&r);
	CU_ASSERT_FALSE(flt_ref_drop(&r, old)); /* stale: must not release the new one */
	CU_ASSERT_EQUAL(1, r.n);
	CU_ASSERT_TRUE(flt_ref_drop(&r, g));
}

/* ---- the mtu stack against a plain model: a list of (id, mtu) in apply order ---- */

static void test_mtu_stack_model(void)
{
	struct flt_mtu_stack st = {0};
	int ids[64], mtus[64], n = 0, next_id = 1, iface = 1500;
	unsigned seed = 12345;
	st.base = 1500;
	for (int step = 0; step < 5000; step++) {
		seed = seed * 1103515245u + 12345u;
		bool push = n == 0 || (n < 64 && (seed >> 16) % 2);
		if (push) {
			int mtu = 1000 + (int)((seed >> 8) % 5) * 100; /* repeats on purpose */
			CU_ASSERT_EQUAL_FATAL(0, flt_mtu_reserve(&st));
			flt_mtu_push(&st, next_id, mtu);
			ids[n] = next_id++;
			mtus[n++] = mtu;
			iface = mtu;
		} else {
			int k = (int)((seed >> 4) % (unsigned)n), id = ids[k];
			memmove(&ids[k], &ids[k + 1], (size_t)(n - k - 1) * sizeof(int));
			memmove(&mtus[k], &mtus[k + 1], (size_t)(n - k - 1) * sizeof(int));
			n--;
			int want = n ? mtus[n - 1] : 1500;
			int set = flt_mtu_remove(&st, id);
			CU_ASSERT_EQUAL(want == iface ? 0 : want, set);
			if (set)
				iface = set;
			CU_ASSERT_EQUAL(want, iface);
		}
		CU_ASSERT_EQUAL(n, st.n);
		CU_ASSERT_EQUAL(iface, flt_mtu_top(&st));
	}
	CU_ASSERT_EQUAL(0, flt_mtu_remove(&st, 999999)); /* not there: nothing to set */
	flt_mtu_stack_fini(&st);
}

/* ---- the kinds over a recorder ---- */

#define T_NODES	 3
#define T_NETS	 2
#define T_CHAINS 64
#define T_RULES	 16
#define T_LIST	 4

struct rec {
	bool down[T_NODES * T_NETS];
	int mtu[T_NODES * T_NETS];
	bool frozen[T_NODES];
	bool chain[T_CHAINS];
	struct flt_nft_rule rules[T_RULES];	 /* the last chain added (lists not kept) */
	const char *iif[T_RULES], *oif[T_RULES]; /* its rules' single port, NULL: none */
	const char *iifs[T_RULES][T_LIST], *oifs[T_RULES][T_LIST]; /* the port lists */
	uint32_t saddr[T_RULES][T_LIST], daddr[T_RULES][T_LIST];   /* the address lists */
	int n_rules;
	int calls; /* every call that would have reached the kernel */
	int fail;  /* > 0: that many next calls fail with EIO */
};

static int rec_call(struct flt_ctx *ctx)
{
	struct rec *r = ctx->io_arg;
	r->calls++;
	if (r->fail > 0) {
		r->fail--;
		errno = EIO;
		return -1;
	}
	return 0;
}

static const char *rec_port_name(struct flt_ctx *ctx, int node, int net)
{
	static char names[T_NODES * T_NETS][16];
	(void)ctx;
	char *p = names[node * T_NETS + net];
	snprintf(p, 16, "p%d-%d", node, net);
	return p;
}

static int rec_link_set(struct flt_ctx *ctx, int node, int net, bool up)
{
	if (rec_call(ctx) < 0)
		return -1;
	((struct rec *)ctx->io_arg)->down[node * T_NETS + net] = !up;
	return 0;
}

static int rec_mtu_get(struct flt_ctx *ctx, int node, int net, int *mtu)
{
	if (rec_call(ctx) < 0)
		return -1;
	*mtu = ((struct rec *)ctx->io_arg)->mtu[node * T_NETS + net];
	return 0;
}

static int rec_mtu_set(struct flt_ctx *ctx, int node, int net, int mtu)
{
	if (rec_call(ctx) < 0)
		return -1;
	((struct rec *)ctx->io_arg)->mtu[node * T_NETS + net] = mtu;
	return 0;
}

static int rec_stall_set(struct flt_ctx *ctx, int node, bool stop)
{
	if (rec_call(ctx) < 0)
		return -1;
	((struct rec *)ctx->io_arg)->frozen[node] = stop;
	return 0;
}

static int rec_chain_add(struct flt_ctx *ctx, int id, const struct flt_nft_rule *rules, int n)
{
	struct rec *r = ctx->io_arg;
	CU_ASSERT_PTR_NOT_NULL(rules);
	CU_ASSERT(n >= 0); /* 0: a chain that drops nothing (loss below 0.01%) */
	if (rec_call(ctx) < 0)
		return -1;
	CU_ASSERT_FALSE(r->chain[id]); /* a chain per instance, never shared */
	r->chain[id] = true;
	CU_ASSERT_FATAL(n <= T_RULES);
	r->n_rules = n;
	for (int i = 0; i < n; i++) {
		const struct flt_nft_rule *x = &rules[i];
		CU_ASSERT_FATAL(x->n_iif <= T_LIST && x->n_oif <= T_LIST && x->n_saddr <= T_LIST &&
				x->n_daddr <= T_LIST);
		r->rules[i] = *x;
		r->iif[i] = x->n_iif == 1 ? x->iif[0] : NULL;
		r->oif[i] = x->n_oif == 1 ? x->oif[0] : NULL;
		for (int k = 0; k < x->n_iif; k++)
			r->iifs[i][k] = x->iif[k];
		for (int k = 0; k < x->n_oif; k++)
			r->oifs[i][k] = x->oif[k];
		for (int k = 0; k < x->n_saddr; k++)
			r->saddr[i][k] = x->saddr[k];
		for (int k = 0; k < x->n_daddr; k++)
			r->daddr[i][k] = x->daddr[k];
		r->rules[i].iif = r->rules[i].oif = NULL; /* the caller's, gone after apply */
		r->rules[i].saddr = r->rules[i].daddr = NULL;
	}
	return 0;
}

static int rec_chain_del(struct flt_ctx *ctx, int id)
{
	struct rec *r = ctx->io_arg;
	if (rec_call(ctx) < 0)
		return -1;
	CU_ASSERT_TRUE(r->chain[id]);
	r->chain[id] = false;
	return 0;
}

static const struct flt_io rec_io = {
    .port_name = rec_port_name,
    .link_set = rec_link_set,
    .mtu_get = rec_mtu_get,
    .mtu_set = rec_mtu_set,
    .stall_set = rec_stall_set,
    .chain_add = rec_chain_add,
    .chain_del = rec_chain_del,
};

static struct scn_network t_nets[T_NETS] = {{.name = "n0"}, {.name = "n1"}};
static struct scn_node t_nodes[T_NODES] = {{.name = "a"}, {.name = "b"}, {.name = "c"}};
static int t_idx[T_NODES] = {0, 1, 2};

struct t_env {
	struct scn s;
	struct rec rec;
	struct flt_ctx *ctx;
	struct scn_fault f[16];
	struct flt_inst in[16];
	int n;
};

static void t_env_init(struct t_env *e)
{
	memset(e, 0, sizeof(*e));
	e->s.name = "t";
	e->s.networks = t_nets;
	e->s.n_networks = T_NETS;
	e->s.nodes = t_nodes;
	e->s.n_nodes = T_NODES;
	for (int i = 0; i < T_NODES * T_NETS; i++)
		e->rec.mtu[i] = 1500;
	e->ctx = flt_ctx_new_io(&e->s, &rec_io, &e->rec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->ctx);
}

/* A new instance of @kind on node @node (-1: none), network @net; returns it. */
static struct flt_inst *t_inst(struct t_env *e, const struct scn_fault_kind *kind, int node,
			       int net)
{
	int i = e->n++;
	e->f[i].kind = kind;
	e->f[i].target.net = net;
	e->f[i].target.nodes = node >= 0 ? &t_idx[node] : NULL;
	e->f[i].target.n_nodes = node >= 0;
	e->in[i] = (struct flt_inst){
	    .id = i + 1, .fault = &e->f[i], .kind = kind, .node = node, .service = -1};
	return &e->in[i];
}

static void t_env_fini(struct t_env *e)
{
	flt_ctx_free(e->ctx);
}

#define P(node, net) ((node)*T_NETS + (net))

/* The rules a filter fault on b.n1 (port "p1-1") becomes. */
static int t_filter_rules(struct t_env *e, const char *kind, double pct, enum scn_dir dir,
			  struct scn_match m)
{
	struct flt_inst *in = t_inst(e, K(kind), 1, 1);
	e->f[e->n - 1].percent = pct;
	e->f[e->n - 1].dir = dir;
	e->f[e->n - 1].match = m;
	e->rec.n_rules = 0;
	CU_ASSERT_EQUAL_FATAL(0, flt_apply(e->ctx, in));
	return e->rec.n_rules;
}

/* One recorded rule: its port on the side given, none on the other, and what it matches. */
static void t_rule_is(const struct t_env *e, int i, bool out, int ethertype, int l4proto, int sport,
		      int dport, int permyriad)
{
	const struct flt_nft_rule *r = &e->rec.rules[i];
	CU_ASSERT_STRING_EQUAL(out ? e->rec.iif[i] : e->rec.oif[i], "p1-1");
	CU_ASSERT_PTR_NULL(out ? e->rec.oif[i] : e->rec.iif[i]);
	CU_ASSERT_EQUAL(out ? 1 : 0, r->n_iif);
	CU_ASSERT_EQUAL(out ? 0 : 1, r->n_oif);
	CU_ASSERT_EQUAL(0, r->n_saddr + r->n_daddr);
	CU_ASSERT_EQUAL(ethertype, r->ethertype);
	CU_ASSERT_EQUAL(l4proto, r->l4proto);
	if (l4proto)
		CU_ASSERT(r->icmp_type == -1 && r->icmp_code == -1);
	CU_ASSERT_EQUAL(sport, r->sport);
	CU_ASSERT_EQUAL(dport, r->dport);
	CU_ASSERT_EQUAL(permyriad, r->permyriad);
}

/* Direction and selector: out is what the node sends (iif = its port), in what it gets. */
static void test_filter_rules(void)
{
	struct t_env e;
	t_env_init(&e);
	const struct scn_match all = {0};
	/* the defaults are today's two rules (dir 0 as a hand-built fault has it, or both) */
	CU_ASSERT_EQUAL_FATAL(2, t_filter_rules(&e, "loss", 30, 0, all));
	t_rule_is(&e, 0, true, 0, 0, 0, 0, 3000);
	t_rule_is(&e, 1, false, 0, 0, 0, 0, 3000);
	CU_ASSERT_EQUAL_FATAL(2, t_filter_rules(&e, "blackhole", 0, SCN_DIR_BOTH, all));
	t_rule_is(&e, 0, true, 0, 0, 0, 0, 0);
	t_rule_is(&e, 1, false, 0, 0, 0, 0, 0);
	/* 0% (and anything below 0.005%) drops nothing: no rule at all, not a rule without
	 * numgen (which would drop every frame) */
	CU_ASSERT_EQUAL(0, t_filter_rules(&e, "loss", 0, SCN_DIR_BOTH, all));
	CU_ASSERT_EQUAL(0, t_filter_rules(&e, "loss", 0.004, SCN_DIR_OUT, all));
	CU_ASSERT_EQUAL_FATAL(1, t_filter_rules(&e, "loss", 100, SCN_DIR_OUT, all));
	t_rule_is(&e, 0, true, 0, 0, 0, 0, 10000);
	CU_ASSERT_EQUAL_FATAL(1, t_filter_rules(&e, "blackhole", 0, SCN_DIR_IN, all));
	t_rule_is(&e, 0, false, 0, 0, 0, 0, 0);
	/* port N: source or destination, one rule each */
	struct scn_match udp53 = {SCN_PROTO_UDP, 53};
	CU_ASSERT_EQUAL_FATAL(2, t_filter_rules(&e, "blackhole", 0, SCN_DIR_IN, udp53));
	t_rule_is(&e, 0, false, 0, IPPROTO_UDP, 53, 0, 0);
	t_rule_is(&e, 1, false, 0, IPPROTO_UDP, 0, 53, 0);
	struct scn_match tcp = {SCN_PROTO_TCP, 0};
	CU_ASSERT_EQUAL_FATAL(2, t_filter_rules(&e, "loss", 2.5, SCN_DIR_BOTH, tcp));
	t_rule_is(&e, 0, true, 0, IPPROTO_TCP, 0, 0, 250);
	t_rule_is(&e, 1, false, 0, IPPROTO_TCP, 0, 0, 250);
	/* icmp is ICMP and ICMPv6: both ways, four rules */
	struct scn_match icmp = {SCN_PROTO_ICMP, 0};
	CU_ASSERT_EQUAL_FATAL(4, t_filter_rules(&e, "blackhole", 0, SCN_DIR_BOTH, icmp));
	t_rule_is(&e, 0, true, 0, IPPROTO_ICMP, 0, 0, 0);
	t_rule_is(&e, 1, true, 0, IPPROTO_ICMPV6, 0, 0, 0);
	t_rule_is(&e, 2, false, 0, IPPROTO_ICMP, 0, 0, 0);
	t_rule_is(&e, 3, false, 0, IPPROTO_ICMPV6, 0, 0, 0);
	struct scn_match vrrp = {SCN_PROTO_VRRP, 0}, arp = {SCN_PROTO_ARP, 0};
	CU_ASSERT_EQUAL_FATAL(1, t_filter_rules(&e, "blackhole", 0, SCN_DIR_OUT, vrrp));
	t_rule_is(&e, 0, true, 0, 112, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(1, t_filter_rules(&e, "loss", 50, SCN_DIR_IN, arp));
	t_rule_is(&e, 0, false, ETH_P_ARP, 0, 0, 0, 5000);
	t_env_fini(&e);
}

static void test_link_down_refcount(void)
{
	for (int order = 0; order < 2; order++) {
		struct t_env e;
		t_env_init(&e);
		struct flt_inst *d1 = t_inst(&e, K("link down"), 0, 1);
		struct flt_inst *d2 = t_inst(&e, K("link down"), 0, 1);
		CU_ASSERT_EQUAL(0, flt_apply(e.ctx, d1));
		CU_ASSERT_EQUAL(0, flt_apply(e.ctx, d2));
		CU_ASSERT_TRUE(e.rec.down[P(0, 1)]);
		CU_ASSERT_EQUAL(1, e.rec.calls); /* the second down needs no kernel call */
		CU_ASSERT_EQUAL(0, flt_revert(e.ctx, order ? d2 : d1));
		CU_ASSERT_TRUE(e.rec.down[P(0, 1)]); /* the other still holds it down */
		CU_ASSERT_EQUAL(1, e.rec.calls);
		CU_ASSERT_EQUAL(0, flt_revert(e.ctx, order ? d1 : d2));
		CU_ASSERT_FALSE(e.rec.down[P(0, 1)]);
		CU_ASSERT_EQUAL(2, e.rec.calls);
		for (int i = 0; i < T_NODES * T_NETS; i++) /* no other port touched */
			CU_ASSERT_FALSE(e.rec.down[i]);
		t_env_fini(&e);
	}
}

static void test_link_up_cancels_downs(void)
{
	struct t_env e;
	t_env_init(&e);
	struct flt_inst *d1 = t_inst(&e, K("link down"), 0, 0);
	struct flt_inst *up = t_inst(&e, K("link up"), 0, 0);
	struct flt_inst *d2 = t_inst(&e, K("link down"), 0, 0);
	flt_apply(e.ctx, d1);
	CU_ASSERT_EQUAL(0, flt_apply(e.ctx, up));
	CU_ASSERT_FALSE(e.rec.down[P(0, 0)]);
	CU_ASSERT_FALSE(flt_inst_end_revert(up)); /* nothing to undo */
	CU_ASSERT_EQUAL(0, flt_apply(e.ctx, d2));
	CU_ASSERT_TRUE(e.rec.down[P(0, 0)]);
	/* d1's revert comes late: its down was cancelled, so it must not undo d2's */
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, d1));
	CU_ASSERT_TRUE(e.rec.down[P(0, 0)]);
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, d2));
	CU_ASSERT_FALSE(e.rec.down[P(0, 0)]);
	t_env_fini(&e);
}

static void test_link_down_apply_fails(void)
{
	struct t_env e;
	t_env_init(&e);
	struct flt_inst *d1 = t_inst(&e, K("link down"), 1, 0);
	struct flt_inst *d2 = t_inst(&e, K("link down"), 1, 0);
	e.rec.fail = 1;
	CU_ASSERT_EQUAL(-1, flt_apply(e.ctx, d1));
	CU_ASSERT_FALSE(d1->applied);
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, d1)); /* never applied: nothing to do */
	CU_ASSERT_EQUAL(1, e.rec.calls);
	/* the failed one holds no reference: the next down must reach the kernel */
	CU_ASSERT_EQUAL(0, flt_apply(e.ctx, d2));
	CU_ASSERT_TRUE(e.rec.down[P(1, 0)]);
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, d2));
	CU_ASSERT_FALSE(e.rec.down[P(1, 0)]);
	t_env_fini(&e);
}

static void test_mtu_either_order(void)
{
	for (int order = 0; order < 2; order++) {
		struct t_env e;
		t_env_init(&e);
		struct flt_inst *m1 = t_inst(&e, K("mtu"), 0, 0);
		struct flt_inst *m2 = t_inst(&e, K("mtu"), 0, 0);
		e.f[0].n = 1400;
		e.f[1].n = 1280;
		CU_ASSERT_EQUAL(0, flt_apply(e.ctx, m1));
		CU_ASSERT_EQUAL(1400, e.rec.mtu[P(0, 0)]);
		CU_ASSERT_EQUAL(0, flt_apply(e.ctx, m2));
		CU_ASSERT_EQUAL(1280, e.rec.mtu[P(0, 0)]);
		if (order == 0) { /* the older first: the newer stays in force */
			CU_ASSERT_EQUAL(0, flt_revert(e.ctx, m1));
			CU_ASSERT_EQUAL(1280, e.rec.mtu[P(0, 0)]);
			CU_ASSERT_EQUAL(0, flt_revert(e.ctx, m2));
		} else { /* the newer first: back to the older */
			CU_ASSERT_EQUAL(0, flt_revert(e.ctx, m2));
			CU_ASSERT_EQUAL(1400, e.rec.mtu[P(0, 0)]);
			CU_ASSERT_EQUAL(0, flt_revert(e.ctx, m1));
		}
		CU_ASSERT_EQUAL(1500, e.rec.mtu[P(0, 0)]);
		CU_ASSERT_EQUAL(1500, e.rec.mtu[P(0, 1)]);
		t_env_fini(&e);
	}
}

static void test_mtu_base_read_once(void)
{
	struct t_env e;
	t_env_init(&e);
	e.rec.mtu[P(2, 1)] = 9000;
	struct flt_inst *m1 = t_inst(&e, K("mtu"), 2, 1);
	struct flt_inst *m2 = t_inst(&e, K("mtu"), 2, 1);
	e.f[0].n = 1500;
	e.f[1].n = 1400;
	flt_apply(e.ctx, m1);
	flt_apply(e.ctx, m2); /* the base must stay 9000, not the 1500 m1 set */
	flt_revert(e.ctx, m1);
	flt_revert(e.ctx, m2);
	CU_ASSERT_EQUAL(9000, e.rec.mtu[P(2, 1)]);
	/* a new first apply reads the base again */
	struct flt_inst *m3 = t_inst(&e, K("mtu"), 2, 1);
	e.f[2].n = 1280;
	e.rec.mtu[P(2, 1)] = 4000;
	flt_apply(e.ctx, m3);
	flt_revert(e.ctx, m3);
	CU_ASSERT_EQUAL(4000, e.rec.mtu[P(2, 1)]);
	t_env_fini(&e);
}

static void test_stall_count(void)
{
	struct t_env e;
	t_env_init(&e);
	struct flt_inst *s1 = t_inst(&e, K("stall"), 1, -1);
	struct flt_inst *s2 = t_inst(&e, K("stall"), 1, -1);
	struct flt_inst *s3 = t_inst(&e, K("stall"), 2, -1);
	flt_apply(e.ctx, s1);
	flt_apply(e.ctx, s2);
	flt_apply(e.ctx, s3);
	CU_ASSERT_TRUE(e.rec.frozen[1]);
	CU_ASSERT_TRUE(e.rec.frozen[2]);
	CU_ASSERT_EQUAL(2, e.rec.calls);
	flt_revert(e.ctx, s2);
	CU_ASSERT_TRUE(e.rec.frozen[1]); /* s1 still holds node b */
	flt_revert(e.ctx, s3);
	CU_ASSERT_TRUE(e.rec.frozen[1]);
	CU_ASSERT_FALSE(e.rec.frozen[2]);
	flt_revert(e.ctx, s1);
	CU_ASSERT_FALSE(e.rec.frozen[1]);
	CU_ASSERT_EQUAL(4, e.rec.calls); /* two freezes, two thaws */
	t_env_fini(&e);
}

/* ---- partition: the recorded chain judged frame by frame ---- */

/* One frame on the bridge forward hook (addresses: IPv4 only, host order last byte). */
struct t_frame {
	int from, to;	   /* ports P(node, net) it enters and leaves by */
	int eth, l4, type; /* ether type; IP protocol and ICMP type, 0: none */
	uint32_t src, dst; /* IPv4 source and destination (network order), 0: none */
};

static bool t_in_names(const char *const *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i], name))
			return true;
	return false;
}

static bool t_in_addrs(const uint32_t *l, int n, uint32_t a)
{
	for (int i = 0; i < n; i++)
		if (l[i] == a)
			return true;
	return false;
}

/* Does recorded rule @i match @fr? The rule's meaning as struct flt_nft_rule says it. */
static bool t_rule_matches(const struct rec *r, int i, const struct t_frame *fr)
{
	const struct flt_nft_rule *x = &r->rules[i];
	char in[16], out[16];
	snprintf(in, sizeof(in), "p%d-%d", fr->from / T_NETS, fr->from % T_NETS);
	snprintf(out, sizeof(out), "p%d-%d", fr->to / T_NETS, fr->to % T_NETS);
	if ((x->n_iif && !t_in_names(r->iifs[i], x->n_iif, in)) ||
	    (x->n_oif && !t_in_names(r->oifs[i], x->n_oif, out)) ||
	    (x->ethertype && x->ethertype != fr->eth))
		return false;
	if ((x->n_saddr || x->n_daddr) && fr->eth != ETH_P_IP)
		return false;
	if ((x->n_saddr && !t_in_addrs(r->saddr[i], x->n_saddr, fr->src)) ||
	    (x->n_daddr && !t_in_addrs(r->daddr[i], x->n_daddr, fr->dst)))
		return false;
	if (x->l4proto && (x->l4proto != fr->l4 || (x->icmp_type >= 0 && x->icmp_type != fr->type)))
		return false;
	return true;
}

/* Does the recorded chain let @fr through? The first matching rule decides; policy accept. */
static bool t_passes(const struct rec *r, struct t_frame fr)
{
	for (int i = 0; i < r->n_rules; i++)
		if (t_rule_matches(r, i, &fr))
			return r->rules[i].accept;
	return true;
}

#define T_IP(n, h) htonl(0x0a000000u | (uint32_t)(n) << 8 | (h))

/*
 * a on n0 (10.0.0.1), b the router on n0 and n1 (10.0.0.2, 10.0.1.2), c on n1
 * (10.0.1.3). `partition a / c` as before: everything between them dropped both ways,
 * on a segment or routed. `partition a -> c`: a's IP to c dropped on a segment and at
 * the first and the last hop of a route; ARP and neighbour discovery pass; c's packets
 * to a pass; a's traffic to b (the router itself) passes.
 */
static void test_partition_rules(void)
{
	struct scn_iface ifs[4] = {{.net = 0, .addr.s_addr = T_IP(0, 1)},
				   {.net = 0, .addr.s_addr = T_IP(0, 2)},
				   {.net = 1, .addr.s_addr = T_IP(1, 2)},
				   {.net = 1, .addr.s_addr = T_IP(1, 3)}};
	struct scn_node nodes[T_NODES] = {{.name = "a", .ifaces = &ifs[0], .n_ifaces = 1},
					  {.name = "b", .ifaces = &ifs[1], .n_ifaces = 2},
					  {.name = "c", .ifaces = &ifs[3], .n_ifaces = 1}};
	struct t_env e;
	t_env_init(&e);
	e.s.nodes = nodes;
	const uint32_t a = T_IP(0, 1), b = T_IP(0, 2), c = T_IP(1, 3);
	const int pa = P(0, 0), pb0 = P(1, 0), pb1 = P(1, 1), pc = P(2, 1);
	const struct t_frame ip_ac = {pa, pc, ETH_P_IP, IPPROTO_UDP, 0, a, c},
			     ip_ca = {pc, pa, ETH_P_IP, IPPROTO_UDP, 0, c, a},
			     arp_ac = {pa, pc, ETH_P_ARP, 0, 0, 0, 0},
			     arp_ca = {pc, pa, ETH_P_ARP, 0, 0, 0, 0},
			     ping6_ac = {pa, pc, ETH_P_IPV6, IPPROTO_ICMPV6, 128, 0, 0},
			     ns_ac = {pa, pc, ETH_P_IPV6, IPPROTO_ICMPV6, 135, 0, 0},
			     na_ac = {pa, pc, ETH_P_IPV6, IPPROTO_ICMPV6, 136, 0, 0},
			     redirect_ac = {pa, pc, ETH_P_IPV6, IPPROTO_ICMPV6, 137, 0, 0},
			     hop1_ac = {pa, pb0, ETH_P_IP, IPPROTO_ICMP, 8, a, c},
			     hop2_ac = {pb1, pc, ETH_P_IP, IPPROTO_ICMP, 8, a, c},
			     hop1_ca = {pc, pb1, ETH_P_IP, IPPROTO_ICMP, 8, c, a},
			     hop2_ca = {pb0, pa, ETH_P_IP, IPPROTO_ICMP, 8, c, a},
			     to_router = {pa, pb0, ETH_P_IP, IPPROTO_ICMP, 8, a, b},
			     router_to_c = {pb1, pc, ETH_P_IP, IPPROTO_ICMP, 8, T_IP(1, 2), c};
	static int ga[1] = {0}, gc[1] = {2};
	for (int oneway = 0; oneway < 2; oneway++) {
		struct flt_inst *in = t_inst(&e, K("partition"), -1, -1);
		struct scn_fault *f = &e.f[e.n - 1];
		f->group_a = ga;
		f->n_a = 1;
		f->group_b = gc;
		f->n_b = 1;
		f->dir = oneway ? SCN_DIR_OUT : 0;
		CU_ASSERT_EQUAL_FATAL(0, flt_apply(e.ctx, in));
		CU_ASSERT_EQUAL(oneway ? 8 : 6, e.rec.n_rules);
		CU_ASSERT_FALSE(t_passes(&e.rec, ip_ac));
		CU_ASSERT_FALSE(t_passes(&e.rec, ping6_ac));
		CU_ASSERT_FALSE(t_passes(&e.rec, redirect_ac));
		CU_ASSERT_FALSE(t_passes(&e.rec, hop1_ac));
		CU_ASSERT_FALSE(t_passes(&e.rec, hop2_ac));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, arp_ac));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, ns_ac));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, na_ac));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, ip_ca));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, arp_ca));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, hop1_ca));
		CU_ASSERT_EQUAL(oneway, t_passes(&e.rec, hop2_ca));
		CU_ASSERT_TRUE(t_passes(&e.rec, to_router));
		CU_ASSERT_TRUE(t_passes(&e.rec, router_to_c));
		/* both ways: today's six rules, no ether type, no exception; one way: the
		 * four neighbour discovery types accepted ahead of every drop */
		for (int i = 0; i < e.rec.n_rules; i++) {
			CU_ASSERT_EQUAL(oneway && i < 4, e.rec.rules[i].accept);
			if (!oneway)
				CU_ASSERT_EQUAL(0, e.rec.rules[i].ethertype);
		}
		CU_ASSERT_EQUAL(0, flt_revert(e.ctx, in));
		CU_ASSERT_FALSE(e.rec.chain[in->id]);
	}
	/* a group of two (three ports, three addresses as sets): `partition a,b -> c` */
	static int gab[2] = {0, 1};
	struct flt_inst *in = t_inst(&e, K("partition"), -1, -1);
	e.f[e.n - 1] = (struct scn_fault){.kind = K("partition"),
					  .target.net = -1,
					  .group_a = gab,
					  .n_a = 2,
					  .group_b = gc,
					  .n_b = 1,
					  .dir = SCN_DIR_OUT};
	CU_ASSERT_EQUAL_FATAL(0, flt_apply(e.ctx, in));
	CU_ASSERT_EQUAL(8, e.rec.n_rules);
	CU_ASSERT_FALSE(t_passes(&e.rec, ip_ac));
	CU_ASSERT_FALSE(t_passes(&e.rec, hop1_ac));
	CU_ASSERT_FALSE(t_passes(&e.rec, router_to_c)); /* b is in the group now */
	CU_ASSERT_TRUE(t_passes(&e.rec, to_router));	/* a to b: inside one group */
	CU_ASSERT_TRUE(t_passes(&e.rec, ip_ca));
	CU_ASSERT_TRUE(t_passes(&e.rec, hop1_ca));
	CU_ASSERT_TRUE(t_passes(&e.rec, hop2_ca));
	CU_ASSERT_TRUE(t_passes(&e.rec, arp_ac));
	CU_ASSERT_TRUE(t_passes(&e.rec, ns_ac));
	t_env_fini(&e);
}

/* Filters: each instance owns its chain; a revert removes that chain only. */
static void test_filter_chain_per_instance(void)
{
	struct t_env e;
	t_env_init(&e);
	struct flt_inst *bh = t_inst(&e, K("blackhole"), 0, 0);
	struct flt_inst *l1 = t_inst(&e, K("loss"), 0, 0);
	struct flt_inst *l2 = t_inst(&e, K("loss"), 0, 0);
	struct flt_inst *pm = t_inst(&e, K("pmtu-blackhole"), -1, 0);
	e.f[1].percent = e.f[2].percent = 30;
	struct flt_inst *all[] = {bh, l1, l2, pm};
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(0, flt_apply(e.ctx, all[i]));
	for (int i = 0; i < 4; i++)
		CU_ASSERT_TRUE(e.rec.chain[all[i]->id]);
	flt_revert(e.ctx, l1);
	CU_ASSERT_FALSE(e.rec.chain[l1->id]);
	CU_ASSERT_TRUE(e.rec.chain[l2->id]); /* the same loss on the same port stays */
	CU_ASSERT_TRUE(e.rec.chain[bh->id]);
	CU_ASSERT_TRUE(e.rec.chain[pm->id]);
	flt_revert(e.ctx, bh);
	flt_revert(e.ctx, pm);
	flt_revert(e.ctx, l2);
	for (int i = 0; i < T_CHAINS; i++)
		CU_ASSERT_FALSE(e.rec.chain[i]);
	t_env_fini(&e);
}

/* Revert once, whoever asks first (timeline, end of run, teardown); end marking. */
static void test_revert_once_and_end_marking(void)
{
	struct t_env e;
	t_env_init(&e);
	struct flt_inst *st = t_inst(&e, K("stall"), 0, -1);
	struct flt_inst *bh = t_inst(&e, K("blackhole"), 1, 1);
	struct flt_inst *kill = t_inst(&e, K("kill"), 0, -1);
	CU_ASSERT_FALSE(flt_inst_end_revert(st)); /* not applied */
	flt_apply(e.ctx, st);
	flt_apply(e.ctx, bh);
	CU_ASSERT_FALSE(st->deferred); /* no run: no teardown list */
	CU_ASSERT_TRUE(flt_inst_end_revert(st));
	CU_ASSERT_TRUE(flt_inst_end_revert(bh));
	/* a kill is applied by hand here (no service hooks): its revert is a restart,
	 * which only a scheduled `for` may do */
	kill->applied = true;
	CU_ASSERT_FALSE(flt_inst_end_revert(kill));
	int calls = e.rec.calls;
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, st));
	CU_ASSERT_FALSE(flt_inst_end_revert(st));
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, st)); /* the second asker does nothing */
	CU_ASSERT_EQUAL(calls + 1, e.rec.calls);
	CU_ASSERT_FALSE(e.rec.frozen[0]);
	/* a failed revert is not retried */
	e.rec.fail = 1;
	CU_ASSERT_EQUAL(-1, flt_revert(e.ctx, bh));
	CU_ASSERT_FALSE(flt_inst_end_revert(bh));
	CU_ASSERT_EQUAL(0, flt_revert(e.ctx, bh));
	CU_ASSERT_EQUAL(calls + 2, e.rec.calls);
	CU_ASSERT_EQUAL(-1, flt_apply(e.ctx, st)); /* applied twice: refused */
	t_env_fini(&e);
}

/* A kind's path asks its own probe's bit: one bit per table entry, no other. */
static void test_caps_per_kind(void)
{
	struct scn_fault f = {.kind = K("bandwidth"), .dir = SCN_DIR_IN};
	struct scn s = {.name = "t"};
	int bw = -1, delay = -1;
	for (int i = 0; scn_fault_kinds[i]; i++) {
		bw = scn_fault_kinds[i] == K("bandwidth") ? i : bw;
		delay = scn_fault_kinds[i] == K("delay") ? i : delay;
	}
	CU_ASSERT_FATAL(bw >= 0 && delay >= 0);
	struct flt_caps caps = {.kinds = 1ULL << bw};
	CU_ASSERT_TRUE(flt_caps_ok(&caps, flt_kind_of(K("bandwidth"))));
	CU_ASSERT_FALSE(flt_caps_ok(&caps, flt_kind_of(K("delay"))));
	CU_ASSERT_STRING_EQUAL("tbf", flt_fault_path(&caps, &s, &f));
	caps.kinds = 1ULL << delay; /* netem, no tbf: bandwidth is fl-relay's pacing */
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	f = (struct scn_fault){.kind = K("delay"), .dir = SCN_DIR_OUT};
	CU_ASSERT_STRING_EQUAL("netem", flt_fault_path(&caps, &s, &f));
	caps.kinds = 1ULL << bw;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	/* mtu has no probe; the nft kinds share one (flt_caps_probe() runs it once) */
	CU_ASSERT_PTR_NULL(flt_kind_of(K("mtu"))->probe);
	CU_ASSERT_PTR_EQUAL(flt_kind_of(K("loss"))->probe, flt_kind_of(K("blackhole"))->probe);
}

/* bandwidth: tbf where it shapes every direction asked; what a guest sends (its
 * interface is inside it), or a kernel without sch_tbf, goes through fl-relay. */
static void test_bandwidth_check_qemu(void)
{
	struct scn_node nodes[1] = {{.name = "g", .kind = SCN_NODE_QEMU}};
	int idx[1] = {0};
	struct scn s = {.name = "t", .nodes = nodes, .n_nodes = 1};
	struct scn_fault f = {.kind = K("bandwidth"), .target = {idx, 1, 0}, .dir = SCN_DIR_IN};
	struct flt_caps caps = {.kinds = ~0ULL}, none = {0};
	CU_ASSERT_PTR_NULL(flt_kind_of(f.kind)->check); /* nothing is refused */
	CU_ASSERT_STRING_EQUAL("tbf", flt_fault_path(&caps, &s, &f));
	f.dir = SCN_DIR_BOTH;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	f.dir = SCN_DIR_OUT;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	nodes[0].kind = SCN_NODE_NETNS;
	CU_ASSERT_STRING_EQUAL("tbf", flt_fault_path(&caps, &s, &f));
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&none, &s, &f));
	/* delay: netem only for `out` on every frame of a netns node, where it exists */
	f = (struct scn_fault){.kind = K("delay"), .target = {idx, 1, 0}, .dir = SCN_DIR_OUT};
	CU_ASSERT_STRING_EQUAL("netem", flt_fault_path(&caps, &s, &f));
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&none, &s, &f));
	f.dir = SCN_DIR_IN;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	f.dir = SCN_DIR_OUT;
	f.match.proto = SCN_PROTO_TCP;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	f.match.proto = SCN_PROTO_ANY;
	nodes[0].kind = SCN_NODE_QEMU;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	/* loss: nftables, or fl-relay with bursts */
	f = (struct scn_fault){.kind = K("loss"), .target = {idx, 1, 0}, .percent = 5};
	CU_ASSERT_STRING_EQUAL("nftables", flt_fault_path(&caps, &s, &f));
	f.n = 4;
	CU_ASSERT_STRING_EQUAL("relay", flt_fault_path(&caps, &s, &f));
	f.kind = K("stall");
	CU_ASSERT_PTR_NULL(flt_fault_path(&caps, &s, &f));
}

/* hog: guests only, and only with `for D` (the hogs end by themselves). */
static void test_hog_check(void)
{
	struct scn_node nodes[2] = {{.name = "g", .kind = SCN_NODE_QEMU},
				    {.name = "n", .kind = SCN_NODE_NETNS}};
	int g[1] = {0}, n[1] = {1};
	struct scn_event ev[2] = {{.has_for = true}, {.has_for = false}};
	struct scn s = {.name = "t", .nodes = nodes, .n_nodes = 2, .events = ev, .n_events = 2};
	struct flt_caps caps = {0};
	const struct flt_kind *k = flt_kind_of(K("hog"));
	char err[256];
	ev[0].fault = (struct scn_fault){.kind = K("hog"), .target = {g, 1, -1}};
	ev[1].fault = ev[0].fault;
	CU_ASSERT_EQUAL(0, k->check(&caps, &s, &ev[0].fault, err, sizeof(err)));
	CU_ASSERT_EQUAL(-1, k->check(&caps, &s, &ev[1].fault, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL("hog needs 'for D': the hogs end by themselves", err);
	ev[0].fault.target.nodes = n;
	CU_ASSERT_EQUAL(-1, k->check(&caps, &s, &ev[0].fault, err, sizeof(err)));
	CU_ASSERT_EQUAL(ENOTSUP, errno);
	CU_ASSERT_STRING_EQUAL("hog on netns node 'n': it shares the host's kernel; hog starves "
			       "a guest's own",
			       err);
}

void register_flt_suite(void);
void register_flt_suite(void)
{
	CU_pSuite s = CU_add_suite("flt", NULL, NULL);
	CU_add_test(s, "ref_count", test_ref_count);
	CU_add_test(s, "ref_cancel", test_ref_cancel);
	CU_add_test(s, "mtu_stack_model", test_mtu_stack_model);
	CU_add_test(s, "link_down_refcount", test_link_down_refcount);
	CU_add_test(s, "filter_rules", test_filter_rules);
	CU_add_test(s, "link_up_cancels_downs", test_link_up_cancels_downs);
	CU_add_test(s, "link_down_apply_fails", test_link_down_apply_fails);
	CU_add_test(s, "mtu_either_order", test_mtu_either_order);
	CU_add_test(s, "mtu_base_read_once", test_mtu_base_read_once);
	CU_add_test(s, "stall_count", test_stall_count);
	CU_add_test(s, "filter_chain_per_instance", test_filter_chain_per_instance);
	CU_add_test(s, "partition_rules", test_partition_rules);
	CU_add_test(s, "revert_once_and_end_marking", test_revert_once_and_end_marking);
	CU_add_test(s, "caps_per_kind", test_caps_per_kind);
	CU_add_test(s, "bandwidth_check_qemu", test_bandwidth_check_qemu);
	CU_add_test(s, "hog_check", test_hog_check);
}
