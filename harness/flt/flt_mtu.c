/*
 * flt_mtu.c - `mtu NODE.NET BYTES`: IFLA_MTU on the node's own interface (inside the
 * node's namespace), the other side of the segment keeps its MTU: frames larger than
 * the node's MTU no longer reach it, and it sends nothing larger.
 *
 * Composition: a stack per interface. The first apply remembers the value underneath;
 * each apply pushes (id, mtu) and sets it; a revert removes its own entry wherever it
 * is and the interface takes the newest remaining entry's value, or the original.
 */
#include <errno.h>
#include <stdio.h>

#include "flt_int.h"
#include "lab.h"

static int flt_mtu_where(struct flt_ctx *ctx, int node, int net, int *ifindex,
			 struct net_nl **nl)
{
	*ifindex = lab_iface_ifindex(ctx->lab, node, net);
	if (*ifindex < 0) {
		errno = ENOENT;
		return flt_fail(ctx, "%s has no interface on %s", ctx->s->nodes[node].name,
				ctx->s->networks[net].name);
	}
	*nl = flt_nl_node(ctx, node);
	return *nl ? 0 : -1;
}

int flt_mtu_get_sys(struct flt_ctx *ctx, int node, int net, int *mtu)
{
	struct net_nl *nl;
	int ifindex;
	if (flt_mtu_where(ctx, node, net, &ifindex, &nl) < 0)
		return -1;
	return flt_nl_link_mtu(ctx, nl, ifindex, mtu);
}

int flt_mtu_set_sys(struct flt_ctx *ctx, int node, int net, int mtu)
{
	struct net_nl *nl;
	int ifindex;
	if (flt_mtu_where(ctx, node, net, &ifindex, &nl) < 0)
		return -1;
	return flt_nl_link_set(ctx, nl, ifindex, -1, mtu);
}

static int flt_mtu_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	struct flt_mtu_stack *st = &ctx->mtu[flt_port(ctx, in->node, net)];
	if (st->n == 0 && ctx->io->mtu_get(ctx, in->node, net, &st->base) < 0)
		return -1;
	if (flt_mtu_reserve(st) < 0)
		return flt_fail(ctx, "out of memory");
	if (ctx->io->mtu_set(ctx, in->node, net, (int)in->fault->n) < 0)
		return -1;
	flt_mtu_push(st, in->id, (int)in->fault->n);
	return 0;
}

static int flt_mtu_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	int to = flt_mtu_remove(&ctx->mtu[flt_port(ctx, in->node, net)], in->id);
	return to > 0 ? ctx->io->mtu_set(ctx, in->node, net, to) : 0;
}

/* mtu NODE.NET BYTES: n the MTU. */
static int flt_mtu_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0)
		return -1;
	return scn_arg_int(p, "an MTU", 68, 65535, &f->n);
}

static int flt_mtu_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	return snprintf(buf, len, " %ld", f->n);
}

static int flt_mtu_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return jsonl_set(obj, "mtu", json_integer(f->n));
}

const struct flt_kind flt_mtu_kind = {
    .scn = {.name = "mtu",
	    .parse = flt_mtu_parse,
	    .args_fmt = flt_mtu_args,
	    .params = flt_mtu_params,
	    .undo = SCN_UNDO_END},
    .apply = flt_mtu_apply,
    .revert = flt_mtu_revert,
};
