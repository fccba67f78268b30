/*
 * flt_partition.c - `partition A,B / C,D`: the two groups cannot reach each other, in
 * either direction, while each still reaches everything else (routers included).
 *
 * On the bridge forward hook every frame has an input and an output port. A frame is
 * dropped when it joins the two groups:
 *   on one segment:   in from a port of one group, out to a port of the other
 *                     (unicast, floods, ARP, IPv6 link-local: everything)
 *   through routers:  in from a port of one group with an IPv4 destination of the other
 *                     (the first hop), or out to a port of one group with an IPv4 source
 *                     of the other (the last hop)
 * Each rule is written for both orders of the groups.
 */
#include <errno.h>
#include <stdlib.h>

#include "flt_int.h"

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
	g->ports = calloc((size_t)cap, sizeof(*g->ports));
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
		}
	}
	if (g->np == 0)
		return errno = ENOENT, flt_fail(ctx, "partition: a group has no port");
	return 0;
}

static int flt_partition_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct scn_fault *f = in->fault;
	struct flt_side a = {0}, b = {0};
	int rc = -1;
	if (flt_side_fill(ctx, f->group_a, f->n_a, &a) == 0 &&
	    flt_side_fill(ctx, f->group_b, f->n_b, &b) == 0) {
		const struct flt_nft_rule r[6] = {
		    {.iif = a.ports, .n_iif = a.np, .oif = b.ports, .n_oif = b.np},
		    {.iif = b.ports, .n_iif = b.np, .oif = a.ports, .n_oif = a.np},
		    {.iif = a.ports, .n_iif = a.np, .daddr = b.addrs, .n_daddr = b.na},
		    {.iif = b.ports, .n_iif = b.np, .daddr = a.addrs, .n_daddr = a.na},
		    {.oif = a.ports, .n_oif = a.np, .saddr = b.addrs, .n_saddr = b.na},
		    {.oif = b.ports, .n_oif = b.np, .saddr = a.addrs, .n_saddr = a.na},
		};
		rc = ctx->io->chain_add(ctx, in->id, r, 6);
	}
	flt_side_free(&a);
	flt_side_free(&b);
	return rc;
}

const struct flt_kind flt_partition_kind = {
    .scn = {.name = "partition", .parse = scn_arg_groups, .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .apply = flt_partition_apply,
    .revert = flt_nft_revert,
};
