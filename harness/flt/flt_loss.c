/*
 * flt_loss.c - `loss NODE.NET P% [in|out|both] [match SEL]`: each frame crossing the
 * node's port, in either direction by default, is dropped with probability P (a lossy
 * cable, not a lossy sender: a round trip is lost with probability 1 - (1 - P)^2);
 * `out`/`in` only what the node sends/receives, `match` only one protocol
 * (flt_filter.c). nft `numgen random mod 10000 < P*100` in the instance's chain: the
 * kernel's prandom, per frame, resolution 0.01%.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "flt_int.h"

static int flt_loss_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int lim = (int)lround(in->fault->percent * 100.0);
	/* below the resolution (0% included) nothing is dropped: an empty chain, not a
	 * rule without numgen, which would drop every frame */
	return flt_filter_apply(ctx, in, lim > 0 ? lim : FLT_FILTER_NONE);
}

/* loss NODE.NET P% [DIR] [match SEL]: percent, dir, match. */
static int flt_loss_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_percent(p, &f->percent) < 0)
		return -1;
	return flt_filter_parse(p, f);
}

static int flt_loss_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	int n = snprintf(buf, len, " %g%%", f->percent);
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
	return flt_filter_params(f, obj);
}

const struct flt_kind flt_loss_kind = {
    .scn = {.name = "loss",
	    .parse = flt_loss_parse,
	    .args_fmt = flt_loss_args,
	    .params = flt_loss_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .apply = flt_loss_apply,
    .revert = flt_nft_revert,
};
