/*
 * flt_link.c - `link down`, `link up` and `flap` (whose steps the timeline turns into
 * link downs): the node's kind sets the carrier (node.h link_set). netns: IFF_UP off/on
 * on the node's lab-side port, so the node's own interface loses carrier (a veth
 * follows its peer) while its address and routes stay. qemu: QMP set_link on the
 * guest's NIC: the guest sees the carrier go (the tap stays up, so the lab side faults
 * on the tap are unaffected).
 *
 * Composition: downs are counted per port; only the revert of the last one brings the
 * port up. `link up` brings it up at once and cancels the downs outstanding then: it
 * bumps the port's generation, and a down whose generation is stale reverts nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"
#include "node.h"

/* Carrier of the port, by the node's kind (netns: the lab-side veth; qemu: the NIC). */
int flt_link_set_sys(struct flt_ctx *ctx, int node, int net, bool up)
{
	const struct node_kind *k = node_kind_of(ctx->lab, node);
	char err[256] = "this node kind has no carrier to set";

	if (!k->link_set)
		errno = ENOTSUP;
	if (!k->link_set || k->link_set(ctx->lab, node, net, up, err, sizeof(err)) == -1)
		return flt_fail(ctx, "link %s %s.%s: %s", up ? "up" : "down",
				ctx->s->nodes[node].name, ctx->s->networks[net].name, err);
	return 0;
}

static int flt_link_down_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	struct flt_ref *r = &ctx->down[flt_port(ctx, in->node, net)];
	if (flt_ref_idle(r) && ctx->io->link_set(ctx, in->node, net, false) < 0)
		return -1;
	in->gen = flt_ref_take(r);
	return 0;
}

static int flt_link_down_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	if (!flt_ref_drop(&ctx->down[flt_port(ctx, in->node, net)], in->gen))
		return 0; /* another down holds it, or a `link up` took it over */
	return ctx->io->link_set(ctx, in->node, net, true);
}

static int flt_link_up_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	if (ctx->io->link_set(ctx, in->node, net, true) < 0)
		return -1;
	flt_ref_cancel(&ctx->down[flt_port(ctx, in->node, net)]);
	return 0;
}

static int flt_flap_check(const struct flt_caps *caps, const struct scn *s,
			  const struct scn_fault *f, char *err, size_t len)
{
	(void)caps;
	(void)s;
	if (f->n > 0 && f->ms[0] > 0 && f->ms[1] >= 0)
		return 0;
	snprintf(err, len, "flap needs count >= 1 and a positive down time");
	return errno = EINVAL, -1;
}

static int flt_link_parse(struct scn_p *p, struct scn_fault *f)
{
	return scn_arg_target(p, f, SCN_ARG_IFACE);
}

/* flap NODE.NET down D up D count N: ms[0] down, ms[1] up, n the count. */
static int flt_flap_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_word(p, "down") < 0 ||
	    scn_arg_duration(p, &f->ms[0], true) < 0 || scn_arg_word(p, "up") < 0 ||
	    scn_arg_duration(p, &f->ms[1], true) < 0 || scn_arg_word(p, "count") < 0)
		return -1;
	return scn_arg_int(p, "a count", 1, 1000000, &f->n);
}

static int flt_flap_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)f;
	return snprintf(buf, len, " (flap %d/%d)", step, steps);
}

static int flt_flap_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	return json_object_update_new(obj, json_pack("{s:i,s:i,s:I,s:I}", "step", step, "steps",
						     steps, "down_ms", (json_int_t)f->ms[0],
						     "up_ms", (json_int_t)f->ms[1]));
}

const struct flt_kind flt_link_down_kind = {
    .scn = {.name = "link down", .parse = flt_link_parse, .undo = SCN_UNDO_END},
    .apply = flt_link_down_apply,
    .revert = flt_link_down_revert,
};

const struct flt_kind flt_link_up_kind = {
    .scn = {.name = "link up", .parse = flt_link_parse, .undo = SCN_UNDO_NONE},
    .apply = flt_link_up_apply,
};

/* The timeline applies flap steps as link downs; this entry only checks the fault. */
const struct flt_kind flt_flap_kind = {
    .scn = {.name = "flap",
	    .parse = flt_flap_parse,
	    .args_fmt = flt_flap_args,
	    .params = flt_flap_params,
	    .undo = SCN_UNDO_END,
	    .step = &flt_link_down_kind.scn},
    .check = flt_flap_check,
    .apply = flt_link_down_apply,
    .revert = flt_link_down_revert,
};
