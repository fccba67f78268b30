/*
 * flt_blackhole.c - `blackhole NODE.NET`: the link stays up (carrier, address, routes
 * all look fine to the node) and nothing passes either way. Two drop rules in the
 * instance's own chain on the bridge forward hook: every frame from the node's port
 * and every frame to it (ARP included, so neighbours time out as on a real cut).
 */
#include <stdio.h>

#include "flt_int.h"

static int flt_blackhole_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	char port[64], rules[256];
	if (flt_nft_port(ctx, in->node, in->fault->target.net, port, sizeof(port)) < 0)
		return -1;
	snprintf(rules, sizeof(rules), "  iifname %s drop\n  oifname %s drop\n", port, port);
	return ctx->io->chain_add(ctx, in->id, rules);
}

const struct flt_kind flt_blackhole_kind = {
	.name = "blackhole",
	.kind = SCN_F_BLACKHOLE,
	.check = flt_nft_check,
	.apply = flt_blackhole_apply,
	.revert = flt_nft_revert,
};
