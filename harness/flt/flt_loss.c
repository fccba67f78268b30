/*
 * flt_loss.c - `loss NODE.NET P%`: each frame crossing the node's port, in either
 * direction, is dropped with probability P (a lossy cable, not a lossy sender: a round
 * trip is lost with probability 1 - (1 - P)^2). nft `numgen random mod 10000 < P*100`
 * in the instance's chain: the kernel's prandom, per frame, resolution 0.01%.
 */
#include <math.h>

#include "flt_int.h"

static int flt_loss_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const char *port = flt_nft_port(ctx, in->node, in->fault->target.net);
	if (!port)
		return -1;
	const char *const p[1] = {port};
	int lim = (int)lround(in->fault->percent * 100.0);
	const struct flt_nft_rule r[2] = {{.iif = p, .n_iif = 1, .permyriad = lim},
					  {.oif = p, .n_oif = 1, .permyriad = lim}};
	return ctx->io->chain_add(ctx, in->id, r, 2);
}

const struct flt_kind flt_loss_kind = {
    .name = "loss",
    .kind = SCN_F_LOSS,
    .check = flt_nft_check,
    .apply = flt_loss_apply,
    .revert = flt_nft_revert,
};
