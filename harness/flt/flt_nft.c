/*
 * flt_nft.c - nf_tables for the filter kinds: the objects (table, chain, rules, their
 * expressions, anonymous sets and their elements, the batch markers) built by libnftnl,
 * netfilter.org's object library, and sent on one NETLINK_NETFILTER socket of the shared
 * netlink layer (common/nlk.h) opened inside the lab namespace at first use (a netlink
 * socket stays bound to the namespace it was born in, so it never sees the host's
 * rules, and later calls need no setns), and one batch per apply or revert.
 *
 * All filters live in `table bridge faultline`; each applied instance owns one base
 * chain "f<id>" on the bridge forward hook, which sees every frame the bridge
 * forwards, once per output port (flooded frames too), with both ports known. Apply:
 * one batch (table, chain, anonymous sets and their elements, rules) committed as one
 * transaction, so the chain appears with all its rules or not at all. Revert: one
 * batch deleting the chain; the kernel drops its rules and their anonymous sets.
 *
 * Why not libnftables: it parses text, then fetches a cache of the ruleset over
 * netlink before every command; that cost 0.3-0.9 ms per apply. libnftnl only builds
 * the objects' messages (into the socket's buffer, in place): a few microseconds, the
 * kernel's commit is the rest.
 *
 * The rule shapes (struct flt_nft_rule) become, per rule, in this order:
 *   meta iifname  -> cmp eq / lookup in an anonymous set      (16-byte names)
 *   meta oifname  -> same
 *   meta protocol -> cmp eq the ether type given (ARP, IPv4, IPv6)
 *   meta protocol -> cmp eq 0x0800; payload nh+12 / nh+16 len 4 -> cmp / lookup
 *   meta l4proto  -> cmp eq; payload th+0 len 1 (type) / th+1 len 1 (code) -> cmp eq
 *                    payload th+0 len 2 (source port) / th+2 len 2 (destination) -> cmp eq
 *   numgen random mod 10000 -> byteorder hton -> cmp lt        (cmp compares bytes)
 *   immediate verdict drop (accept: an exception, the neighbour discovery a one-way
 *                    partition lets through)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"
#include "nlk.h"

#define FLT_NFT_TABLE "faultline"
#define FLT_NFT_ROOM  2048 /* a table, chain, set or rule message, with margin */

/* A batch being queued on the socket: the set ids given so far. */
struct flt_nft_b {
	struct nlk *sk;
	uint32_t set_id;
};

/* The header of the next message of @b, with @room bytes for its payload. */
static struct nlmsghdr *flt_nft_hdr(struct flt_nft_b *b, uint16_t type, uint16_t flags, size_t room)
{
	char *p = nlk_room(b->sk, room);
	if (!p)
		return NULL;
	return nftnl_nlmsg_build_hdr(p, type, NFPROTO_BRIDGE, NLM_F_ACK | flags,
				     nlk_seq_next(b->sk));
}

/* Batch begin / end: addressed to nfnetlink itself, acknowledged only on error. */
static int flt_nft_mark(struct flt_nft_b *b, bool begin)
{
	char *p = nlk_room(b->sk, 64);
	if (!p)
		return -1;
	uint32_t seq = nlk_seq_next(b->sk);
	struct nlmsghdr *h = begin ? nftnl_batch_begin(p, seq) : nftnl_batch_end(p, seq);
	return nlk_add(b->sk, h, "nft batch");
}

/* ---- expressions ---- */

static int flt_nft_expr(struct nftnl_rule *r, const char *name, const uint16_t *keys,
			const uint32_t *vals, int n)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);
	if (!e)
		return -1;
	for (int i = 0; i < n; i++)
		nftnl_expr_set_u32(e, keys[i], vals[i]);
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int flt_nft_meta(struct nftnl_rule *r, uint32_t key)
{
	static const uint16_t k[] = {NFTNL_EXPR_META_KEY, NFTNL_EXPR_META_DREG};
	return flt_nft_expr(r, "meta", k, (uint32_t[]){key, NFT_REG_1}, 2);
}

static int flt_nft_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	static const uint16_t k[] = {NFTNL_EXPR_PAYLOAD_DREG, NFTNL_EXPR_PAYLOAD_BASE,
				     NFTNL_EXPR_PAYLOAD_OFFSET, NFTNL_EXPR_PAYLOAD_LEN};
	return flt_nft_expr(r, "payload", k, (uint32_t[]){NFT_REG_1, base, off, len}, 4);
}

static int flt_nft_cmp(struct nftnl_rule *r, uint32_t op, const void *v, size_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, v, (uint32_t)len);
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int flt_nft_lookup(struct nftnl_rule *r, uint32_t set_id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");
	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set%d");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* numgen random mod 10000 < @lim; the register is host order, cmp compares bytes. */
static int flt_nft_random_below(struct nftnl_rule *r, uint32_t lim)
{
	static const uint16_t ng[] = {NFTNL_EXPR_NG_DREG, NFTNL_EXPR_NG_MODULUS,
				      NFTNL_EXPR_NG_TYPE};
	static const uint16_t bo[] = {NFTNL_EXPR_BYTEORDER_SREG, NFTNL_EXPR_BYTEORDER_DREG,
				      NFTNL_EXPR_BYTEORDER_OP, NFTNL_EXPR_BYTEORDER_LEN,
				      NFTNL_EXPR_BYTEORDER_SIZE};
	uint32_t v = htonl(lim);
	if (flt_nft_expr(r, "numgen", ng, (uint32_t[]){NFT_REG_1, 10000, NFT_NG_RANDOM}, 3) < 0 ||
	    flt_nft_expr(r, "byteorder", bo,
			 (uint32_t[]){NFT_REG_1, NFT_REG_1, NFT_BYTEORDER_HTON, 4, 4}, 5) < 0)
		return -1;
	return flt_nft_cmp(r, NFT_CMP_LT, &v, sizeof(v));
}

static int flt_nft_verdict(struct nftnl_rule *r, bool accept)
{
	static const uint16_t k[] = {NFTNL_EXPR_IMM_DREG, NFTNL_EXPR_IMM_VERDICT};
	uint32_t v = accept ? NF_ACCEPT : NF_DROP;
	return flt_nft_expr(r, "immediate", k, (uint32_t[]){NFT_REG_VERDICT, v}, 2);
}

/* ---- value lists: one value is a cmp, more are an anonymous constant set ---- */

struct flt_nft_vals {
	const void *v; /* ifnames: const char *const *; addresses: const uint32_t * */
	int n;
	bool names;
	uint32_t set_id; /* 0: a single value, compared */
};

static size_t flt_nft_val(const struct flt_nft_vals *l, int i, char out[IFNAMSIZ])
{
	memset(out, 0, IFNAMSIZ);
	if (l->names) {
		strncpy(out, ((const char *const *)l->v)[i], IFNAMSIZ - 1);
		return IFNAMSIZ;
	}
	memcpy(out, &((const uint32_t *)l->v)[i], 4);
	return 4;
}

/* The set of @l with its elements (NULL with errno). */
static struct nftnl_set *flt_nft_set_new(const struct flt_nft_vals *l)
{
	char k[IFNAMSIZ];
	struct nftnl_set *s = nftnl_set_alloc();
	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, FLT_NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, "__set%d");
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, (uint32_t)flt_nft_val(l, 0, k));
	nftnl_set_set_u32(s, NFTNL_SET_ID, l->set_id);
	for (int i = 0; i < l->n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		if (!e) {
			nftnl_set_free(s);
			return NULL;
		}
		size_t len = flt_nft_val(l, i, k);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, k, (uint32_t)len);
		nftnl_set_elem_add(s, e);
	}
	return s;
}

/* The anonymous set of @l (when it has two values or more), before its rule. */
static int flt_nft_set_add(struct flt_nft_b *b, struct flt_nft_vals *l)
{
	if (l->n < 2)
		return 0;
	l->set_id = ++b->set_id;
	struct nftnl_set *s = flt_nft_set_new(l);
	if (!s)
		return -1;
	int rc = -1;
	struct nlmsghdr *h = flt_nft_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE, FLT_NFT_ROOM);
	if (!h)
		goto out;
	nftnl_set_nlmsg_build_payload(h, s);
	if (nlk_add(b->sk, h, "nft set") < 0)
		goto out;
	h = flt_nft_hdr(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, 512 + 64 * (size_t)l->n);
	if (!h)
		goto out;
	nftnl_set_elems_nlmsg_build_payload(h, s);
	rc = nlk_add(b->sk, h, "nft set elements");
out:
	nftnl_set_free(s);
	return rc;
}

/* The register (loaded just before) is one of @l's values. */
static int flt_nft_match(struct nftnl_rule *r, const struct flt_nft_vals *l)
{
	char k[IFNAMSIZ];
	if (l->set_id)
		return flt_nft_lookup(r, l->set_id);
	return flt_nft_cmp(r, NFT_CMP_EQ, k, flt_nft_val(l, 0, k));
}

/* ---- rules, chains, batches ---- */

/* The transport header's source and/or destination port (after the l4proto check). */
static int flt_nft_ports_match(struct nftnl_rule *nr, const struct flt_nft_rule *x)
{
	for (int i = 0; i < 2; i++) {
		int want = i == 0 ? x->sport : x->dport;
		uint16_t w = htons((uint16_t)want);
		if (want > 0 &&
		    (flt_nft_payload(nr, NFT_PAYLOAD_TRANSPORT_HEADER, 2 * (uint32_t)i, 2) < 0 ||
		     flt_nft_cmp(nr, NFT_CMP_EQ, &w, 2) < 0))
			return -1;
	}
	return 0;
}

/* The expressions of @x (its address matches load after the protocol check). */
static int flt_nft_rule_exprs(struct nftnl_rule *nr, const struct flt_nft_rule *x,
			      const struct flt_nft_vals v[4])
{
	for (int i = 0; i < 2; i++)
		if (v[i].n && (flt_nft_meta(nr, i == 0 ? NFT_META_IIFNAME : NFT_META_OIFNAME) < 0 ||
			       flt_nft_match(nr, &v[i]) < 0))
			return -1;
	uint16_t et = htons((uint16_t)x->ethertype);
	if (x->ethertype &&
	    (flt_nft_meta(nr, NFT_META_PROTOCOL) < 0 || flt_nft_cmp(nr, NFT_CMP_EQ, &et, 2) < 0))
		return -1;
	uint16_t ip = htons(ETH_P_IP);
	if ((x->n_saddr || x->n_daddr) &&
	    (flt_nft_meta(nr, NFT_META_PROTOCOL) < 0 || flt_nft_cmp(nr, NFT_CMP_EQ, &ip, 2) < 0))
		return -1;
	for (int i = 2; i < 4; i++)
		if (v[i].n &&
		    (flt_nft_payload(nr, NFT_PAYLOAD_NETWORK_HEADER, i == 2 ? 12 : 16, 4) < 0 ||
		     flt_nft_match(nr, &v[i]) < 0))
			return -1;
	if (x->l4proto) {
		uint8_t p = (uint8_t)x->l4proto;
		if (flt_nft_meta(nr, NFT_META_L4PROTO) < 0 ||
		    flt_nft_cmp(nr, NFT_CMP_EQ, &p, 1) < 0)
			return -1;
		for (int i = 0; i < 2; i++) {
			int want = i == 0 ? x->icmp_type : x->icmp_code;
			uint8_t w = (uint8_t)want;
			if (want >= 0 && (flt_nft_payload(nr, NFT_PAYLOAD_TRANSPORT_HEADER,
							  (uint32_t)i, 1) < 0 ||
					  flt_nft_cmp(nr, NFT_CMP_EQ, &w, 1) < 0))
				return -1;
		}
		if (flt_nft_ports_match(nr, x) < 0)
			return -1;
	}
	if (x->permyriad > 0 && flt_nft_random_below(nr, (uint32_t)x->permyriad) < 0)
		return -1;
	return flt_nft_verdict(nr, x->accept);
}

static int flt_nft_rule_put(struct flt_nft_b *b, const char *chain, const struct flt_nft_rule *x)
{
	struct flt_nft_vals v[4] = {
	    {x->iif, x->n_iif, true, 0},
	    {x->oif, x->n_oif, true, 0},
	    {x->saddr, x->n_saddr, false, 0},
	    {x->daddr, x->n_daddr, false, 0},
	};
	for (int i = 0; i < 4; i++)
		if (flt_nft_set_add(b, &v[i]) < 0)
			return -1;
	struct nftnl_rule *nr = nftnl_rule_alloc();
	if (!nr)
		return -1;
	int rc = -1;
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, FLT_NFT_TABLE);
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, chain);
	if (flt_nft_rule_exprs(nr, x, v) == 0) {
		struct nlmsghdr *h =
		    flt_nft_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, FLT_NFT_ROOM);
		if (h) {
			nftnl_rule_nlmsg_build_payload(h, nr);
			rc = nlk_add(b->sk, h, "nft rule");
		}
	}
	nftnl_rule_free(nr);
	return rc;
}

static int flt_nft_chain_put(struct flt_nft_b *b, const char *chain)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *h;
	int rc = -1;
	if (!t || !c)
		goto out;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FLT_NFT_TABLE);
	h = flt_nft_hdr(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, FLT_NFT_ROOM);
	if (!h)
		goto out;
	nftnl_table_nlmsg_build_payload(h, t);
	if (nlk_add(b->sk, h, "nft table") < 0)
		goto out;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, FLT_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_BR_FORWARD);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	h = flt_nft_hdr(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, FLT_NFT_ROOM);
	if (!h)
		goto out;
	nftnl_chain_nlmsg_build_payload(h, c);
	rc = nlk_add(b->sk, h, "nft chain");
out:
	nftnl_chain_free(c);
	nftnl_table_free(t);
	return rc;
}

static struct nlk *flt_nft_sock(struct flt_ctx *ctx)
{
	if (!ctx->nft_nl) {
		ctx->nft_nl = nlk_open(NETLINK_NETFILTER, lab_netns_fd(ctx->lab));
		if (!ctx->nft_nl)
			flt_fail(ctx, "nf_tables socket in the lab namespace: %s", strerror(errno));
	}
	return ctx->nft_nl;
}

/* Send the batch queued on @sk and gather its acks; the first error is the result. */
static int flt_nft_talk(struct flt_ctx *ctx, struct nlk *sk, const char *what, int rc)
{
	if (rc == 0 && nlk_flush(sk) == 0)
		return 0;
	if (rc < 0) /* not built: send nothing of it */
		nlk_discard(sk);
	return flt_fail(ctx, "nft %s: %s", what, rc < 0 ? strerror(errno) : nlk_error(sk));
}

static int flt_nft_send_chain(struct flt_ctx *ctx, struct nlk *sk, int id,
			      const struct flt_nft_rule *rules, int n)
{
	char chain[32];
	struct flt_nft_b b = {.sk = sk};
	snprintf(chain, sizeof(chain), "f%d", id);
	int rc = flt_nft_mark(&b, true);
	if (rc == 0)
		rc = flt_nft_chain_put(&b, chain);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = flt_nft_rule_put(&b, chain, &rules[i]);
	if (rc == 0)
		rc = flt_nft_mark(&b, false);
	return flt_nft_talk(ctx, sk, "add chain", rc);
}

int flt_nft_chain_add(struct flt_ctx *ctx, int id, const struct flt_nft_rule *rules, int n)
{
	struct nlk *sk = flt_nft_sock(ctx);
	return sk ? flt_nft_send_chain(ctx, sk, id, rules, n) : -1;
}

int flt_nft_chain_del(struct flt_ctx *ctx, int id)
{
	char chain[32];
	struct nlk *sk = flt_nft_sock(ctx);
	if (!sk)
		return -1;
	struct flt_nft_b b = {.sk = sk};
	struct nftnl_chain *c = nftnl_chain_alloc();
	if (!c)
		return flt_fail(ctx, "out of memory");
	snprintf(chain, sizeof(chain), "f%d", id);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, FLT_NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	int rc = flt_nft_mark(&b, true);
	struct nlmsghdr *h = rc ? NULL : flt_nft_hdr(&b, NFT_MSG_DELCHAIN, 0, FLT_NFT_ROOM);
	if (h) {
		nftnl_chain_nlmsg_build_payload(h, c);
		rc = nlk_add(sk, h, "nft chain");
	} else {
		rc = -1;
	}
	if (rc == 0)
		rc = flt_nft_mark(&b, false);
	nftnl_chain_free(c);
	return flt_nft_talk(ctx, sk, "delete chain", rc);
}

int flt_nft_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return ctx->io->chain_del(ctx, in->id);
}

/* Rules of every shape the kinds use: sets, numgen, ICMP matches, address matches. */
static const char *const flt_nft_ports[] = {"x0", "x1"};
static const uint32_t flt_nft_addrs[] = {0x0100000a, 0x0200000a};
static const struct flt_nft_rule flt_nft_shapes[] = {
    {.iif = flt_nft_ports, .n_iif = 2, .oif = flt_nft_ports, .n_oif = 1, .permyriad = 5000},
    {.iif = flt_nft_ports, .n_iif = 1, .daddr = flt_nft_addrs, .n_daddr = 2},
    {.oif = flt_nft_ports, .n_oif = 2, .saddr = flt_nft_addrs, .n_saddr = 1},
    {.iif = flt_nft_ports, .n_iif = 2, .l4proto = 1, .icmp_type = 3, .icmp_code = 4},
    {.oif = flt_nft_ports,
     .n_oif = 1,
     .l4proto = 17,
     .icmp_type = -1,
     .icmp_code = -1,
     .dport = 53},
    {.iif = flt_nft_ports, .n_iif = 1, .ethertype = ETH_P_ARP},
    {.iif = flt_nft_ports,
     .n_iif = 2,
     .oif = flt_nft_ports,
     .n_oif = 2,
     .ethertype = ETH_P_IPV6,
     .l4proto = 58,
     .icmp_type = 135,
     .icmp_code = -1,
     .accept = true},
};

bool flt_nft_probe(void)
{
	struct flt_ctx tmp = {0};
	struct nlk *sk = nlk_open(NETLINK_NETFILTER, -1);
	if (!sk)
		return false;
	bool ok =
	    flt_nft_send_chain(&tmp, sk, 1, flt_nft_shapes,
			       (int)(sizeof(flt_nft_shapes) / sizeof(flt_nft_shapes[0]))) == 0;
	nlk_close(sk);
	return ok;
}

void flt_nft_warm(struct flt_ctx *ctx)
{
	struct flt_nft_b b = {.sk = flt_nft_sock(ctx)};
	if (!b.sk)
		return; /* the first filter fault will say why */
	(void)(flt_nft_mark(&b, true) == 0 && flt_nft_chain_put(&b, "f0") == 0);
	for (size_t i = 0; i < sizeof(flt_nft_shapes) / sizeof(flt_nft_shapes[0]); i++)
		(void)flt_nft_rule_put(&b, "f0", &flt_nft_shapes[i]);
	nlk_discard(b.sk);
	ctx->err[0] = '\0';
}

const char *flt_port_name_sys(struct flt_ctx *ctx, int node, int net)
{
	return lab_port_name(ctx->lab, node, net);
}

const char *flt_nft_port(struct flt_ctx *ctx, int node, int net)
{
	const char *p = ctx->io->port_name(ctx, node, net);
	if (!p) {
		errno = ENOENT;
		flt_fail(ctx, "%s is not on %s", ctx->s->nodes[node].name,
			 ctx->s->networks[net].name);
	}
	return p;
}

int flt_nft_check(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		  char *err, size_t len)
{
	(void)s;
	if (flt_caps_ok(caps, flt_kind_of(f->kind)))
		return 0;
	snprintf(err, len,
		 "this fault needs nf_tables with the bridge family, which this "
		 "kernel does not have");
	return errno = ENOTSUP, -1;
}

const char *flt_nft_path(const struct flt_caps *caps, const struct scn *s,
			 const struct scn_fault *f)
{
	(void)caps;
	(void)s;
	(void)f;
	return "nftables";
}
