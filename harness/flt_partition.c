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
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"

#define FLT_SET_MAX 4096

struct flt_side {
	char ports[FLT_SET_MAX];
	char addrs[FLT_SET_MAX];
	size_t np, na;
};

static void flt_side_add(struct flt_side *g, const char *port, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (g->np < sizeof(g->ports))
		g->np += (size_t)snprintf(g->ports + g->np, sizeof(g->ports) - g->np, "%s\"%s\"",
					  g->np ? ", " : "", port);
	if (g->na < sizeof(g->addrs))
		g->na += (size_t)snprintf(g->addrs + g->na, sizeof(g->addrs) - g->na, "%s%s",
					  g->na ? ", " : "", ip);
}

static int flt_side_fill(struct flt_ctx *ctx, const int *nodes, int n, struct flt_side *g)
{
	for (int i = 0; i < n; i++) {
		const struct scn_node *nd = &ctx->s->nodes[nodes[i]];
		for (int k = 0; k < nd->n_ifaces; k++) {
			const char *p = ctx->io->port_name(ctx, nodes[i], nd->ifaces[k].net);
			if (p)
				flt_side_add(g, p, nd->ifaces[k].addr);
		}
	}
	if (g->np == 0)
		return errno = ENOENT, flt_fail(ctx, "partition: a group has no port");
	if (g->np >= sizeof(g->ports) || g->na >= sizeof(g->addrs))
		return errno = E2BIG, flt_fail(ctx, "partition: groups too large");
	return 0;
}

static int flt_partition_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct scn_fault *f = in->fault;
	struct flt_side *a = calloc(2, sizeof(*a)), *b = a + 1;
	size_t len = 13 * FLT_SET_MAX; /* twelve sets and the words around them */
	char *rules = malloc(len);
	int rc = -1;
	if (!a || !rules) {
		flt_fail(ctx, "out of memory");
		goto out;
	}
	if (flt_side_fill(ctx, f->group_a, f->n_a, a) || flt_side_fill(ctx, f->group_b, f->n_b, b))
		goto out;
	snprintf(rules, len,
		 "  iifname { %s } oifname { %s } drop\n"
		 "  iifname { %s } oifname { %s } drop\n"
		 "  iifname { %s } ip daddr { %s } drop\n"
		 "  iifname { %s } ip daddr { %s } drop\n"
		 "  oifname { %s } ip saddr { %s } drop\n"
		 "  oifname { %s } ip saddr { %s } drop\n",
		 a->ports, b->ports, b->ports, a->ports, a->ports, b->addrs, b->ports, a->addrs,
		 a->ports, b->addrs, b->ports, a->addrs);
	rc = ctx->io->chain_add(ctx, in->id, rules);
out:
	free(rules);
	free(a);
	return rc;
}

const struct flt_kind flt_partition_kind = {
	.name = "partition",
	.kind = SCN_F_PARTITION,
	.check = flt_nft_check,
	.apply = flt_partition_apply,
	.revert = flt_nft_revert,
};
