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
#include <stdlib.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"

static int flt_mtu_where(struct flt_ctx *ctx, const struct flt_inst *in, int *ifindex,
			 struct mnl_socket **nl)
{
	int net = in->fault->target.net;
	*ifindex = lab_iface_ifindex(ctx->lab, in->node, net);
	if (*ifindex < 0) {
		errno = ENOENT;
		return flt_fail(ctx, "%s has no interface on %s", ctx->s->nodes[in->node].name,
				ctx->s->networks[net].name);
	}
	*nl = flt_nl_node(ctx, in->node);
	return *nl ? flt_port(ctx, in->node, net) : -1;
}

static int flt_mtu_top(const struct flt_mtu_stack *st)
{
	return st->n ? st->v[st->n - 1].mtu : st->base;
}

static int flt_mtu_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct mnl_socket *nl;
	int ifindex, p = flt_mtu_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	struct flt_mtu_stack *st = &ctx->mtu[p];
	if (st->n == 0 && flt_nl_link_mtu(ctx, nl, ifindex, &st->base) < 0)
		return -1;
	if (st->n == st->cap) {
		int cap = st->cap ? st->cap * 2 : 4;
		struct flt_mtu_ent *v = realloc(st->v, (size_t)cap * sizeof(*v));
		if (!v)
			return flt_fail(ctx, "out of memory");
		st->v = v;
		st->cap = cap;
	}
	if (flt_nl_link_set(ctx, nl, ifindex, -1, in->fault->mtu) < 0)
		return -1;
	st->v[st->n++] = (struct flt_mtu_ent){in->id, in->fault->mtu};
	return 0;
}

static int flt_mtu_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct mnl_socket *nl;
	int ifindex, p = flt_mtu_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	struct flt_mtu_stack *st = &ctx->mtu[p];
	int before = flt_mtu_top(st), i;
	for (i = 0; i < st->n && st->v[i].id != in->id; i++)
		;
	if (i == st->n)
		return 0;
	memmove(&st->v[i], &st->v[i + 1], (size_t)(st->n - i - 1) * sizeof(st->v[0]));
	st->n--;
	int after = flt_mtu_top(st);
	return after == before ? 0 : flt_nl_link_set(ctx, nl, ifindex, -1, after);
}

const struct flt_kind flt_mtu_kind = {
	.name = "mtu",
	.kind = SCN_F_MTU,
	.apply = flt_mtu_apply,
	.revert = flt_mtu_revert,
};
