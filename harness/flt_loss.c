/*
 * flt_loss.c - `loss NODE.NET P%`: each frame crossing the node's port, in either
 * direction, is dropped with probability P (a lossy cable, not a lossy sender: a round
 * trip is lost with probability 1 - (1 - P)^2). nft `numgen random mod 10000 < P*100`
 * in the instance's chain: the kernel's prandom, per frame, resolution 0.01%.
 */
#include <math.h>
#include <stdio.h>

#include "flt_int.h"

static int flt_loss_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	char port[64], rules[384];
	if (flt_nft_port(ctx, in->node, in->fault->target.net, port, sizeof(port)) < 0)
		return -1;
	long lim = lround(in->fault->percent * 100.0);
	snprintf(rules, sizeof(rules),
		 "  iifname %s numgen random mod 10000 < %ld drop\n"
		 "  oifname %s numgen random mod 10000 < %ld drop\n",
		 port, lim, port, lim);
	return ctx->io->chain_add(ctx, in->id, rules);
}

const struct flt_kind flt_loss_kind = {
	.name = "loss",
	.kind = SCN_F_LOSS,
	.check = flt_nft_check,
	.apply = flt_loss_apply,
	.revert = flt_nft_revert,
};
