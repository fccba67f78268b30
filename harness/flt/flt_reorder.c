/*
 * flt_reorder.c - `reorder NODE.NET P% [in|out|both] [match SEL]`: each selected
 * frame crossing the node's port is held back with probability P and sent right after
 * the next frame of its direction leaves (at most 10 ms later when none comes), so it
 * arrives after it (both directions by default, as loss). One frame is held at a time.
 * Carried by fl-relay (flt_relay.c). Composition: one reorder per port and direction at a time
 * (EBUSY); it composes with every other kind, relayed or not.
 */
#include <math.h>

#include "flt_int.h"
#include "relay_proto.h"

static int flt_reorder_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct relay_effect e = {.ppm = (uint32_t)lround(in->fault->percent * 1e4)};
	return flt_relay_apply(ctx, in, RELAY_FX_REORDER, &e);
}

static int flt_reorder_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return flt_relay_revert(ctx, in, RELAY_FX_REORDER);
}

const struct flt_kind flt_reorder_kind = {
    .scn = {.name = "reorder",
	    .parse = flt_relay_pct_parse,
	    .args_fmt = flt_relay_pct_args,
	    .params = flt_relay_pct_params,
	    .undo = SCN_UNDO_END},
    .path = flt_relay_path,
    .apply = flt_reorder_apply,
    .revert = flt_reorder_revert,
};
