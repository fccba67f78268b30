/*
 * flt_blackhole.c - `blackhole NODE.NET [in|out|both] [match SEL]`: the link stays up
 * (carrier, address, routes all look fine to the node) and nothing passes either way.
 * Two drop rules in the instance's own chain on the bridge forward hook: every frame
 * from the node's port and every frame to it (ARP included, so neighbours time out as
 * on a real cut). `out`/`in` keep one of the two, `match` drops one protocol only
 * (flt_filter.c).
 */
#include "flt_int.h"

static int flt_blackhole_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	return flt_filter_apply(ctx, in, 0);
}

static int flt_blackhole_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0)
		return -1;
	return flt_filter_parse(p, f);
}

static int flt_blackhole_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	return flt_filter_args(f, buf, len);
}

static int flt_blackhole_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return flt_filter_params(f, obj);
}

const struct flt_kind flt_blackhole_kind = {
    .scn = {.name = "blackhole",
	    .parse = flt_blackhole_parse,
	    .args_fmt = flt_blackhole_args,
	    .params = flt_blackhole_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .path = flt_nft_path,
    .apply = flt_blackhole_apply,
    .revert = flt_nft_revert,
};
