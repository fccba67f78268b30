/*
 * flt_loss.c - `loss NODE.NET P% [in|out|both] [match SEL]`: each frame crossing the
 * node's port, in either direction by default, is dropped with probability P (a lossy
 * cable, not a lossy sender: a round trip is lost with probability 1 - (1 - P)^2);
 * `out`/`in` only what the node sends/receives, `match` only one protocol
 * (flt_filter.c). nft `numgen random mod 10000 < P*100` in the instance's chain: the
 * kernel's prandom, per frame, resolution 0.01%.
 *
 * `burst N`: the losses come in runs of N frames on average (the Gilbert model: a
 * lossy state entered and left at random, with the long-run loss P), as a fading radio
 * link or an overflowing buffer loses them. Carried by fl-relay (flt_relay.c), which
 * keeps the state per direction; one such loss per port and direction at a time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "flt_int.h"
#include "relay_proto.h"

/* Independent loss is the kernel's (nftables); loss in bursts needs state per
 * direction across frames, which fl-relay keeps. */
static const char *flt_loss_path(const struct flt_caps *caps, const struct scn *s,
				 const struct scn_fault *f)
{
	(void)caps;
	(void)s;
	return f->n > 0 ? "relay" : "nftables";
}

/* Only the kernel's path needs nf_tables. */
static int flt_loss_check(const struct flt_caps *caps, const struct scn *s,
			  const struct scn_fault *f, char *err, size_t len)
{
	return f->n > 0 ? 0 : flt_nft_check(caps, s, f, err, len);
}

static int flt_loss_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return in->fault->n > 0 ? flt_relay_revert(ctx, in, RELAY_FX_LOSS)
				: flt_nft_revert(ctx, in);
}

static int flt_loss_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (in->fault->n > 0) {
		struct relay_effect e = {.ppm = (uint32_t)lround(in->fault->percent * 1e4),
					 .a = (uint64_t)in->fault->n * 1000};
		return flt_relay_apply(ctx, in, RELAY_FX_LOSS, &e);
	}
	int lim = (int)lround(in->fault->percent * 100.0);
	/* below the resolution (0% included) nothing is dropped: an empty chain, not a
	 * rule without numgen, which would drop every frame */
	return flt_filter_apply(ctx, in, lim > 0 ? lim : FLT_FILTER_NONE);
}

/* loss NODE.NET P% [burst N] [DIR] [match SEL]: percent, n (the mean run length,
 * 0: independent), dir, match. */
static int flt_loss_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_percent(p, &f->percent) < 0)
		return -1;
	if (scn_arg_opt(p, "burst") && scn_arg_int(p, "a mean burst length", 1, 1000000, &f->n) < 0)
		return -1;
	return flt_filter_parse(p, f);
}

static int flt_loss_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	int n = f->n > 0 ? snprintf(buf, len, " %g%% burst %ld", f->percent, f->n)
			 : snprintf(buf, len, " %g%%", f->percent);
	if (n < 0)
		return n;
	bool room = buf && (size_t)n < len;
	int m = flt_filter_args(f, room ? buf + n : NULL, room ? len - (size_t)n : 0);
	return m < 0 ? m : n + m;
}

/* The percentage as the dry-run line shows it (%g: six significant digits), an integer
 * when it is whole: 30, 2.5, 12.3457. */
static int flt_loss_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	char shown[32];

	(void)step;
	(void)steps;
	snprintf(shown, sizeof(shown), "%g", f->percent);
	if (jsonl_set(obj, "percent", jsonl_num(strtod(shown, NULL))) < 0)
		return -1;
	if (f->n > 0 && jsonl_set(obj, "burst", jsonl_num((double)f->n)) < 0)
		return -1;
	return flt_filter_params(f, obj);
}

const struct flt_kind flt_loss_kind = {
    .scn = {.name = "loss",
	    .parse = flt_loss_parse,
	    .args_fmt = flt_loss_args,
	    .params = flt_loss_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_loss_check,
    .path = flt_loss_path,
    .apply = flt_loss_apply,
    .revert = flt_loss_revert,
};
