/*
 * flt_blackhole.c - `blackhole NODE.NET`: the link stays up (carrier, address, routes
 * all look fine to the node) and nothing passes either way. Two drop rules in the
 * instance's own chain on the bridge forward hook: every frame from the node's port
 * and every frame to it (ARP included, so neighbours time out as on a real cut).
 */
#include "flt_int.h"

static int flt_blackhole_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const char *port = flt_nft_port(ctx, in->node, in->fault->target.net);
	if (!port)
		return -1;
	const char *const p[1] = {port};
	const struct flt_nft_rule r[2] = {{.iif = p, .n_iif = 1}, {.oif = p, .n_oif = 1}};
	return ctx->io->chain_add(ctx, in->id, r, 2);
}

static int flt_blackhole_parse(struct scn_p *p, struct scn_fault *f)
{
	return scn_arg_target(p, f, SCN_ARG_IFACE);
}

const struct flt_kind flt_blackhole_kind = {
    .scn = {.name = "blackhole", .parse = flt_blackhole_parse, .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .apply = flt_blackhole_apply,
    .revert = flt_nft_revert,
};
