/*
 * flt_duplicate.c - `duplicate NODE.NET P% [in|out|both] [match SEL]`: each selected
 * frame crossing the node's port is sent twice with probability P (both directions by
 * default, as loss). Carried by fl-relay (flt_relay.c): the copy leaves right behind
 * the frame. Composition: one duplicate per port and direction at a time (EBUSY); it
 * composes with every other kind, relayed or not.
 */
#include <math.h>

#include "flt_int.h"
#include "relay_proto.h"

static int flt_dup_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct relay_effect e = {.ppm = (uint32_t)lround(in->fault->percent * 1e4)};
	return flt_relay_apply(ctx, in, RELAY_FX_DUPLICATE, &e);
}

static int flt_dup_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return flt_relay_revert(ctx, in, RELAY_FX_DUPLICATE);
}

const struct flt_kind flt_duplicate_kind = {
    .scn = {.name = "duplicate",
	    .parse = flt_relay_pct_parse,
	    .args_fmt = flt_relay_pct_args,
	    .params = flt_relay_pct_params,
	    .undo = SCN_UNDO_END},
    .path = flt_relay_path,
    .apply = flt_dup_apply,
    .revert = flt_dup_revert,
};
