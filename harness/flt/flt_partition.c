/*
 * flt_partition.c - `partition A,B / C,D`: the two groups cannot reach each other, in
 * either direction, while each still reaches everything else (routers included); and
 * `partition A,B -> C,D`, one way: A,B's IP packets to C,D are dropped, C,D's to A,B
 * pass (parsed by scn_arg_groups(), which sets f->dir SCN_DIR_OUT for the arrow).
 *
 * On the bridge forward hook every frame has an input and an output port. Both ways, a
 * frame is dropped when it joins the two groups:
 *   on one segment:   in from a port of one group, out to a port of the other
 *                     (unicast, floods, ARP, IPv6 link-local: everything)
 *   through routers:  in from a port of one group with an IPv4 destination of the other
 *                     (the first hop), or out to a port of one group with an IPv4 source
 *                     of the other (the last hop)
 * Each rule is written for both orders of the groups.
 *
 * One way, from group a to group b, the same three rules in that order only, and on the
 * segment only IP (IPv4 and IPv6 ether types): ARP and ICMPv6 neighbour discovery pass,
 * as one-way firewall rules let them, since b's packets to a need a's answers to b's
 * neighbour solicitations. The neighbour discovery is accepted by rules ahead of the
 * drops (a verdict of this chain only: other faults' chains still see those frames).
 * Replies are packets too: b's ping to a arrives, a's echo reply is dropped.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "flt_int.h"

/* ICMPv6 router solicitation, advertisement, neighbour solicitation, advertisement:
 * types 133..136, RFC 4861 section 4. Redirect (137) is routing, not reachability. */
#define FLT_ND_FIRST 133
#define FLT_ND_TYPES 4

/* One group's ports (on every network) and IPv4 addresses. */
struct flt_side {
	const char **ports;
	uint32_t *addrs;
	int np, na;
};

static void flt_side_free(struct flt_side *g)
{
	free(g->ports);
	free(g->addrs);
}

static int flt_side_fill(struct flt_ctx *ctx, const int *nodes, int n, struct flt_side *g)
{
	int cap = 1;
	for (int i = 0; i < n; i++)
		cap += ctx->s->nodes[nodes[i]].n_ifaces;
	g->ports = calloc(2 * (size_t)cap, sizeof(*g->ports)); /* with relay stand-ins */
	g->addrs = calloc((size_t)cap, sizeof(*g->addrs));
	if (!g->ports || !g->addrs)
		return flt_fail(ctx, "out of memory");
	for (int i = 0; i < n; i++) {
		const struct scn_node *nd = &ctx->s->nodes[nodes[i]];
		for (int k = 0; k < nd->n_ifaces; k++) {
			const char *p = ctx->io->port_name(ctx, nodes[i], nd->ifaces[k].net);
			if (!p)
				continue;
			g->ports[g->np++] = p;
			g->addrs[g->na++] = nd->ifaces[k].addr.s_addr;
			p = flt_relay_port_name(ctx, nodes[i], nd->ifaces[k].net);
			if (p) /* the relay's veth end forwards for the port while relayed */
				g->ports[g->np++] = p;
		}
	}
	if (g->np == 0)
		return errno = ENOENT, flt_fail(ctx, "partition: a group has no port");
	return 0;
}

static int flt_partition_both(struct flt_ctx *ctx, int id, const struct flt_side *a,
			      const struct flt_side *b)
{
	const struct flt_nft_rule r[6] = {
	    {.iif = a->ports, .n_iif = a->np, .oif = b->ports, .n_oif = b->np},
	    {.iif = b->ports, .n_iif = b->np, .oif = a->ports, .n_oif = a->np},
	    {.iif = a->ports, .n_iif = a->np, .daddr = b->addrs, .n_daddr = b->na},
	    {.iif = b->ports, .n_iif = b->np, .daddr = a->addrs, .n_daddr = a->na},
	    {.oif = a->ports, .n_oif = a->np, .saddr = b->addrs, .n_saddr = b->na},
	    {.oif = b->ports, .n_oif = b->np, .saddr = a->addrs, .n_saddr = a->na},
	};
	return ctx->io->chain_add(ctx, id, r, 6);
}

/* a's packets to b: neighbour discovery accepted, then IPv4 and IPv6 on the segment,
 * the first hop and the last hop dropped. */
static int flt_partition_oneway(struct flt_ctx *ctx, int id, const struct flt_side *a,
				const struct flt_side *b)
{
	const struct flt_nft_rule seg = {.iif = a->ports,
					 .n_iif = a->np,
					 .oif = b->ports,
					 .n_oif = b->np,
					 .icmp_type = -1,
					 .icmp_code = -1};
	struct flt_nft_rule r[FLT_ND_TYPES + 4];
	int n = 0;
	for (int t = 0; t < FLT_ND_TYPES; t++) {
		r[n] = seg;
		r[n].ethertype = ETH_P_IPV6;
		r[n].l4proto = IPPROTO_ICMPV6;
		r[n].icmp_type = FLT_ND_FIRST + t;
		r[n++].accept = true;
	}
	r[n] = seg;
	r[n++].ethertype = ETH_P_IP;
	r[n] = seg;
	r[n++].ethertype = ETH_P_IPV6;
	r[n++] = (struct flt_nft_rule){
	    .iif = a->ports, .n_iif = a->np, .daddr = b->addrs, .n_daddr = b->na};
	r[n++] = (struct flt_nft_rule){
	    .oif = b->ports, .n_oif = b->np, .saddr = a->addrs, .n_saddr = a->na};
	return ctx->io->chain_add(ctx, id, r, n);
}

static int flt_partition_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct scn_fault *f = in->fault;
	struct flt_side a = {0}, b = {0};
	int rc = -1;
	if (flt_side_fill(ctx, f->group_a, f->n_a, &a) == 0 &&
	    flt_side_fill(ctx, f->group_b, f->n_b, &b) == 0)
		rc = f->dir == SCN_DIR_OUT ? flt_partition_oneway(ctx, in->id, &a, &b)
					   : flt_partition_both(ctx, in->id, &a, &b);
	flt_side_free(&a);
	flt_side_free(&b);
	return rc;
}

/* events.jsonl: "oneway":true for the arrow (the target says "a -> b"); nothing both
 * ways, as before. */
static int flt_partition_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	if (f->dir == SCN_DIR_OUT && jsonl_set(obj, "oneway", json_true()) < 0)
		return -1;
	return 0;
}

const struct flt_kind flt_partition_kind = {
    .scn = {.name = "partition",
	    .parse = scn_arg_groups,
	    .params = flt_partition_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .path = flt_nft_path,
    .apply = flt_partition_apply,
    .revert = flt_nft_revert,
};
