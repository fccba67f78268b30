/*
 * flt_nft.c - nf_tables for the filter kinds, spoken directly over netlink (libmnl):
 * one NETLINK_NETFILTER socket opened inside the lab namespace at first use (a
 * netlink socket stays bound to the namespace it was born in, so it never sees the
 * host's rules, and later calls need no setns), and one batch per apply or revert.
 *
 * All filters live in `table bridge faultline`; each applied instance owns one base
 * chain "f<id>" on the bridge forward hook, which sees every frame the bridge
 * forwards, once per output port (flooded frames too), with both ports known. Apply:
 * one batch (table, chain, anonymous sets and their elements, rules) committed as one
 * transaction, so the chain appears with all its rules or not at all. Revert: one
 * batch deleting the chain; the kernel drops its rules and their anonymous sets.
 *
 * Why not libnftables: it parses text, then fetches a cache of the ruleset over
 * netlink before every command; that cost 0.3-0.9 ms per apply. Built here, the batch
 * costs a few microseconds and the kernel's commit is the rest.
 *
 * The rule shapes (struct flt_nft_rule) become, per rule, in this order:
 *   meta iifname  -> cmp eq / lookup in an anonymous set      (16-byte names)
 *   meta oifname  -> same
 *   meta protocol -> cmp eq 0x0800; payload nh+12 / nh+16 len 4 -> cmp / lookup
 *   meta l4proto  -> cmp eq; payload th+0 len 1 (type) / th+1 len 1 (code) -> cmp eq
 *   numgen random mod 10000 -> byteorder hton -> cmp lt        (cmp compares bytes)
 *   immediate verdict drop
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
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

#define FLT_NFT_TABLE "faultline"

/* A batch under construction in a caller-sized buffer. */
struct flt_nft_b {
	char *buf;
	size_t len, cap;
	uint32_t seq0, seq; /* batch begin's sequence number; the next one */
	int acks;	    /* messages that will be acknowledged */
	uint32_t set_id;
};

static struct nlmsghdr *flt_nft_msg(struct flt_nft_b *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(b->buf + b->len);
	h->nlmsg_type = (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | type);
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = b->seq++;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->nfgen_family = NFPROTO_BRIDGE;
	g->version = NFNETLINK_V0;
	return h;
}

static void flt_nft_msg_end(struct flt_nft_b *b, struct nlmsghdr *h)
{
	b->len += h->nlmsg_len;
	b->acks++;
}

/* Batch begin / end: addressed to nfnetlink itself, never acknowledged. */
static void flt_nft_batch_mark(struct flt_nft_b *b, uint16_t type)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(b->buf + b->len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = b->seq++;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	b->len += h->nlmsg_len;
}

static void flt_nft_put_be32(struct nlmsghdr *h, uint16_t type, uint32_t v)
{
	mnl_attr_put_u32(h, type, htonl(v));
}

/* ---- expressions ---- */

struct flt_nft_expr {
	struct nlattr *elem, *data;
};

static struct flt_nft_expr flt_nft_expr_open(struct nlmsghdr *h, const char *name)
{
	struct flt_nft_expr e;
	e.elem = mnl_attr_nest_start(h, NFTA_LIST_ELEM);
	mnl_attr_put_strz(h, NFTA_EXPR_NAME, name);
	e.data = mnl_attr_nest_start(h, NFTA_EXPR_DATA);
	return e;
}

static void flt_nft_expr_close(struct nlmsghdr *h, struct flt_nft_expr e)
{
	mnl_attr_nest_end(h, e.data);
	mnl_attr_nest_end(h, e.elem);
}

static void flt_nft_meta(struct nlmsghdr *h, uint32_t key)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "meta");
	flt_nft_put_be32(h, NFTA_META_KEY, key);
	flt_nft_put_be32(h, NFTA_META_DREG, NFT_REG_1);
	flt_nft_expr_close(h, e);
}

static void flt_nft_payload(struct nlmsghdr *h, uint32_t base, uint32_t off, uint32_t len)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "payload");
	flt_nft_put_be32(h, NFTA_PAYLOAD_DREG, NFT_REG_1);
	flt_nft_put_be32(h, NFTA_PAYLOAD_BASE, base);
	flt_nft_put_be32(h, NFTA_PAYLOAD_OFFSET, off);
	flt_nft_put_be32(h, NFTA_PAYLOAD_LEN, len);
	flt_nft_expr_close(h, e);
}

static void flt_nft_cmp(struct nlmsghdr *h, uint32_t op, const void *v, size_t len)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "cmp");
	flt_nft_put_be32(h, NFTA_CMP_SREG, NFT_REG_1);
	flt_nft_put_be32(h, NFTA_CMP_OP, op);
	struct nlattr *d = mnl_attr_nest_start(h, NFTA_CMP_DATA);
	mnl_attr_put(h, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(h, d);
	flt_nft_expr_close(h, e);
}

static void flt_nft_lookup(struct nlmsghdr *h, uint32_t set_id)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "lookup");
	flt_nft_put_be32(h, NFTA_LOOKUP_SREG, NFT_REG_1);
	mnl_attr_put_strz(h, NFTA_LOOKUP_SET, "__set%d");
	flt_nft_put_be32(h, NFTA_LOOKUP_SET_ID, set_id);
	flt_nft_expr_close(h, e);
}

/* numgen random mod 10000 < @lim; the register is host order, cmp compares bytes. */
static void flt_nft_random_below(struct nlmsghdr *h, uint32_t lim)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "numgen");
	flt_nft_put_be32(h, NFTA_NG_DREG, NFT_REG_1);
	flt_nft_put_be32(h, NFTA_NG_MODULUS, 10000);
	flt_nft_put_be32(h, NFTA_NG_TYPE, NFT_NG_RANDOM);
	flt_nft_expr_close(h, e);
	e = flt_nft_expr_open(h, "byteorder");
	flt_nft_put_be32(h, NFTA_BYTEORDER_SREG, NFT_REG_1);
	flt_nft_put_be32(h, NFTA_BYTEORDER_DREG, NFT_REG_1);
	flt_nft_put_be32(h, NFTA_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	flt_nft_put_be32(h, NFTA_BYTEORDER_LEN, 4);
	flt_nft_put_be32(h, NFTA_BYTEORDER_SIZE, 4);
	flt_nft_expr_close(h, e);
	uint32_t v = htonl(lim);
	flt_nft_cmp(h, NFT_CMP_LT, &v, sizeof(v));
}

static void flt_nft_drop(struct nlmsghdr *h)
{
	struct flt_nft_expr e = flt_nft_expr_open(h, "immediate");
	flt_nft_put_be32(h, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	struct nlattr *d = mnl_attr_nest_start(h, NFTA_IMMEDIATE_DATA);
	struct nlattr *v = mnl_attr_nest_start(h, NFTA_DATA_VERDICT);
	flt_nft_put_be32(h, NFTA_VERDICT_CODE, NF_DROP);
	mnl_attr_nest_end(h, v);
	mnl_attr_nest_end(h, d);
	flt_nft_expr_close(h, e);
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

/* The anonymous set of @l (when it has two values or more), before its rule. */
static void flt_nft_set_add(struct flt_nft_b *b, struct flt_nft_vals *l)
{
	char k[IFNAMSIZ];
	if (l->n < 2)
		return;
	l->set_id = ++b->set_id;
	struct nlmsghdr *h = flt_nft_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE);
	mnl_attr_put_strz(h, NFTA_SET_TABLE, FLT_NFT_TABLE);
	mnl_attr_put_strz(h, NFTA_SET_NAME, "__set%d");
	flt_nft_put_be32(h, NFTA_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	flt_nft_put_be32(h, NFTA_SET_KEY_LEN, (uint32_t)flt_nft_val(l, 0, k));
	flt_nft_put_be32(h, NFTA_SET_ID, l->set_id);
	flt_nft_msg_end(b, h);
	h = flt_nft_msg(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
	mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_TABLE, FLT_NFT_TABLE);
	mnl_attr_put_strz(h, NFTA_SET_ELEM_LIST_SET, "__set%d");
	flt_nft_put_be32(h, NFTA_SET_ELEM_LIST_SET_ID, l->set_id);
	struct nlattr *all = mnl_attr_nest_start(h, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (int i = 0; i < l->n; i++) {
		struct nlattr *el = mnl_attr_nest_start(h, NFTA_LIST_ELEM);
		struct nlattr *key = mnl_attr_nest_start(h, NFTA_SET_ELEM_KEY);
		size_t len = flt_nft_val(l, i, k);
		mnl_attr_put(h, NFTA_DATA_VALUE, len, k);
		mnl_attr_nest_end(h, key);
		mnl_attr_nest_end(h, el);
	}
	mnl_attr_nest_end(h, all);
	flt_nft_msg_end(b, h);
}

/* The register (loaded just before) is one of @l's values. */
static void flt_nft_match(struct nlmsghdr *h, const struct flt_nft_vals *l)
{
	char k[IFNAMSIZ];
	if (l->set_id)
		flt_nft_lookup(h, l->set_id);
	else
		flt_nft_cmp(h, NFT_CMP_EQ, k, flt_nft_val(l, 0, k));
}

/* ---- rules, chains, batches ---- */

static void flt_nft_rule_put(struct flt_nft_b *b, const char *chain, const struct flt_nft_rule *r)
{
	struct flt_nft_vals v[4] = {
	    {r->iif, r->n_iif, true, 0},
	    {r->oif, r->n_oif, true, 0},
	    {r->saddr, r->n_saddr, false, 0},
	    {r->daddr, r->n_daddr, false, 0},
	};
	for (int i = 0; i < 4; i++)
		flt_nft_set_add(b, &v[i]);
	struct nlmsghdr *h = flt_nft_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	mnl_attr_put_strz(h, NFTA_RULE_TABLE, FLT_NFT_TABLE);
	mnl_attr_put_strz(h, NFTA_RULE_CHAIN, chain);
	struct nlattr *x = mnl_attr_nest_start(h, NFTA_RULE_EXPRESSIONS);
	for (int i = 0; i < 2; i++) {
		if (v[i].n == 0)
			continue;
		flt_nft_meta(h, i == 0 ? NFT_META_IIFNAME : NFT_META_OIFNAME);
		flt_nft_match(h, &v[i]);
	}
	if (r->n_saddr || r->n_daddr) {
		uint16_t ip = htons(ETH_P_IP);
		flt_nft_meta(h, NFT_META_PROTOCOL);
		flt_nft_cmp(h, NFT_CMP_EQ, &ip, sizeof(ip));
	}
	for (int i = 2; i < 4; i++) {
		if (v[i].n == 0)
			continue;
		flt_nft_payload(h, NFT_PAYLOAD_NETWORK_HEADER, i == 2 ? 12 : 16, 4);
		flt_nft_match(h, &v[i]);
	}
	if (r->l4proto) {
		uint8_t p = (uint8_t)r->l4proto;
		flt_nft_meta(h, NFT_META_L4PROTO);
		flt_nft_cmp(h, NFT_CMP_EQ, &p, 1);
		for (int i = 0; i < 2; i++) {
			int want = i == 0 ? r->icmp_type : r->icmp_code;
			if (want < 0)
				continue;
			uint8_t w = (uint8_t)want;
			flt_nft_payload(h, NFT_PAYLOAD_TRANSPORT_HEADER, (uint32_t)i, 1);
			flt_nft_cmp(h, NFT_CMP_EQ, &w, 1);
		}
	}
	if (r->permyriad > 0)
		flt_nft_random_below(h, (uint32_t)r->permyriad);
	flt_nft_drop(h);
	mnl_attr_nest_end(h, x);
	flt_nft_msg_end(b, h);
}

/* An upper bound of the batch's size: no attribute is ever put past the buffer. */
static size_t flt_nft_size(const struct flt_nft_rule *r, int n)
{
	size_t sz = 4096;
	for (int i = 0; i < n; i++)
		sz += 2048 + 48 * (size_t)(r[i].n_iif + r[i].n_oif + r[i].n_saddr + r[i].n_daddr);
	return sz;
}

static void flt_nft_chain_put(struct flt_nft_b *b, const char *chain)
{
	struct nlmsghdr *h = flt_nft_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	mnl_attr_put_strz(h, NFTA_TABLE_NAME, FLT_NFT_TABLE);
	flt_nft_msg_end(b, h);
	h = flt_nft_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	mnl_attr_put_strz(h, NFTA_CHAIN_TABLE, FLT_NFT_TABLE);
	mnl_attr_put_strz(h, NFTA_CHAIN_NAME, chain);
	struct nlattr *hook = mnl_attr_nest_start(h, NFTA_CHAIN_HOOK);
	flt_nft_put_be32(h, NFTA_HOOK_HOOKNUM, NF_BR_FORWARD);
	flt_nft_put_be32(h, NFTA_HOOK_PRIORITY, 0);
	mnl_attr_nest_end(h, hook);
	flt_nft_put_be32(h, NFTA_CHAIN_POLICY, NF_ACCEPT);
	mnl_attr_put_strz(h, NFTA_CHAIN_TYPE, "filter");
	flt_nft_msg_end(b, h);
}

/* The NLMSGERR_ATTR_MSG text of an error, or NULL. */
static const char *flt_nft_ext_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	size_t off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, off)
	{
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(a);
	}
	return NULL;
}

/*
 * Send the batch and collect one ack per acknowledged message (nfnetlink sends them
 * all at the end of the batch, errors included); the first error is the result. An
 * error on the batch begin concerns the whole batch and ends the wait.
 */
static int flt_nft_talk(struct flt_ctx *ctx, struct mnl_socket *nl, struct flt_nft_b *b,
			const char *what)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	int acks = 0, err = 0;
	const char *ext = NULL;
	char extbuf[256] = "";
	if (mnl_socket_sendto(nl, b->buf, b->len) < 0)
		return flt_fail(ctx, "nft %s: send: %s", what, strerror(errno));
	while (acks < b->acks) {
		ssize_t n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return flt_fail(ctx, "nft %s: receive: %s", what, strerror(errno));
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < b->seq0 ||
			    h->nlmsg_seq >= b->seq)
				continue; /* a stale answer from an earlier batch */
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !err) {
				err = -e->error;
				ext = flt_nft_ext_msg(h);
				snprintf(extbuf, sizeof(extbuf), "%s", ext ? ext : "");
			}
			if (h->nlmsg_seq == b->seq0)
				acks = b->acks;
			else
				acks++;
		}
	}
	if (!err)
		return 0;
	errno = err;
	return flt_fail(ctx, "nft %s: %s%s%s", what, strerror(err), extbuf[0] ? ": " : "", extbuf);
}

static int flt_nft_open_cb(void *arg)
{
	struct mnl_socket **out = arg;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		return -1;
	int one = 1;
	/* best effort: without ext-ack the errors just carry less text */
	(void)mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return -1;
	}
	*out = nl;
	return 0;
}

static struct mnl_socket *flt_nft_sock(struct flt_ctx *ctx)
{
	if (!ctx->nft_nl && lab_in_netns(lab_netns_fd(ctx->lab), flt_nft_open_cb, &ctx->nft_nl) < 0)
		flt_fail(ctx, "nf_tables socket in the lab namespace: %s", strerror(errno));
	return ctx->nft_nl;
}

static int flt_nft_send_chain(struct flt_ctx *ctx, struct mnl_socket *nl, int id,
			      const struct flt_nft_rule *rules, int n)
{
	char chain[32];
	struct flt_nft_b b = {.cap = flt_nft_size(rules, n)};
	snprintf(chain, sizeof(chain), "f%d", id);
	b.buf = malloc(b.cap);
	if (!b.buf)
		return flt_fail(ctx, "out of memory");
	b.seq0 = b.seq = ++ctx->nl_seq * 65536u; /* room for the batch's own numbers */
	flt_nft_batch_mark(&b, NFNL_MSG_BATCH_BEGIN);
	flt_nft_chain_put(&b, chain);
	for (int i = 0; i < n; i++)
		flt_nft_rule_put(&b, chain, &rules[i]);
	flt_nft_batch_mark(&b, NFNL_MSG_BATCH_END);
	int rc = flt_nft_talk(ctx, nl, &b, "add chain");
	free(b.buf);
	return rc;
}

int flt_nft_chain_add(struct flt_ctx *ctx, int id, const struct flt_nft_rule *rules, int n)
{
	struct mnl_socket *nl = flt_nft_sock(ctx);
	return nl ? flt_nft_send_chain(ctx, nl, id, rules, n) : -1;
}

int flt_nft_chain_del(struct flt_ctx *ctx, int id)
{
	char buf[1024], chain[32];
	struct mnl_socket *nl = flt_nft_sock(ctx);
	if (!nl)
		return -1;
	struct flt_nft_b b = {.buf = buf, .cap = sizeof(buf)};
	snprintf(chain, sizeof(chain), "f%d", id);
	b.seq0 = b.seq = ++ctx->nl_seq * 65536u;
	flt_nft_batch_mark(&b, NFNL_MSG_BATCH_BEGIN);
	struct nlmsghdr *h = flt_nft_msg(&b, NFT_MSG_DELCHAIN, 0);
	mnl_attr_put_strz(h, NFTA_CHAIN_TABLE, FLT_NFT_TABLE);
	mnl_attr_put_strz(h, NFTA_CHAIN_NAME, chain);
	flt_nft_msg_end(&b, h);
	flt_nft_batch_mark(&b, NFNL_MSG_BATCH_END);
	return flt_nft_talk(ctx, nl, &b, "delete chain");
}

int flt_nft_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return ctx->io->chain_del(ctx, in->id);
}

bool flt_nft_probe(void)
{
	static const char *const ports[] = {"x0", "x1"};
	static const uint32_t addrs[] = {0x0100000a, 0x0200000a};
	struct flt_nft_rule r[] = {
	    {.iif = ports, .n_iif = 2, .oif = ports, .n_oif = 1, .permyriad = 5000},
	    {.iif = ports, .n_iif = 1, .daddr = addrs, .n_daddr = 2},
	    {.iif = ports, .n_iif = 2, .l4proto = 1, .icmp_type = 3, .icmp_code = 4},
	};
	struct flt_ctx tmp = {0};
	struct mnl_socket *nl = NULL;
	if (flt_nft_open_cb(&nl) < 0)
		return false;
	bool ok = flt_nft_send_chain(&tmp, nl, 1, r, 3) == 0;
	mnl_socket_close(nl);
	return ok;
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
