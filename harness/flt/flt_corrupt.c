/*
 * flt_corrupt.c - `corrupt NODE.NET P% [in|out|both] [match SEL]`: each selected
 * frame crossing the node's port has one random bit flipped with probability P (both
 * directions by default, as loss), somewhere past its Ethernet header: in the IP header
 * or the payload, so the receiver's IP, TCP or UDP checksum catches it (a checksum the
 * sender left to offload is computed first). Carried by fl-relay (flt_relay.c). A TCP
 * segment train (up to 64 KiB a veth hands over at once) is cut into its wire
 * segments and the first gets the bit. Composition: one corrupt per port and direction
 * at a time (EBUSY); it composes with every other kind, relayed or not.
 */
#include <math.h>

#include "flt_int.h"
#include "relay_proto.h"

static int flt_corrupt_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct relay_effect e = {.ppm = (uint32_t)lround(in->fault->percent * 1e4)};
	return flt_relay_apply(ctx, in, RELAY_FX_CORRUPT, &e);
}

static int flt_corrupt_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return flt_relay_revert(ctx, in, RELAY_FX_CORRUPT);
}

const struct flt_kind flt_corrupt_kind = {
    .scn = {.name = "corrupt",
	    .parse = flt_relay_pct_parse,
	    .args_fmt = flt_relay_pct_args,
	    .params = flt_relay_pct_params,
	    .undo = SCN_UNDO_END},
    .path = flt_relay_path,
    .apply = flt_corrupt_apply,
    .revert = flt_corrupt_revert,
};
