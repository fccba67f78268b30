/*
 * flt_link.c - `link down`, `link up` and `flap` (whose steps the timeline turns into
 * link downs): IFF_UP off/on on the node's lab-side port, so the node's own interface
 * loses carrier (a veth follows its peer) while its address and routes stay. For a
 * qemu node, QMP set_link on the guest's NIC instead: the guest sees the carrier go
 * (the tap stays up, so the lab side faults on the tap are unaffected).
 *
 * Composition: downs are counted per port; only the revert of the last one brings the
 * port up. `link up` brings it up at once and cancels the downs outstanding then: it
 * bumps the port's generation, and a down whose generation is stale reverts nothing.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"
#include "node_qemu.h"

/*
 * Carrier of the port: a guest's through QMP set_link on its NIC (the guest sees the
 * carrier go, as a netns node sees its veth's), a netns node's through its lab-side veth.
 */
int flt_link_set_sys(struct flt_ctx *ctx, int node, int net, bool up)
{
	if (ctx->s->nodes[node].kind == SCN_NODE_QEMU) {
		if (node_qemu_set_link(ctx->run, node, net, up) == -1)
			return flt_fail(ctx, "link %s %s.%s: QMP set_link: %s", up ? "up" : "down",
					ctx->s->nodes[node].name, ctx->s->networks[net].name,
					strerror(errno));
		return 0;
	}
	int ifindex = lab_port_ifindex(ctx->lab, node, net);
	if (ifindex < 0) {
		errno = ENOENT;
		return flt_fail(ctx, "%s has no port on %s", ctx->s->nodes[node].name,
				ctx->s->networks[net].name);
	}
	struct net_nl *nl = flt_nl_lab(ctx);
	return nl ? flt_nl_link_set(ctx, nl, ifindex, up, 0) : -1;
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
	if (f->count > 0 && f->down_ms > 0 && f->up_ms >= 0)
		return 0;
	snprintf(err, len, "flap needs count >= 1 and a positive down time");
	return errno = EINVAL, -1;
}

const struct flt_kind flt_link_down_kind = {
    .name = "link down",
    .kind = SCN_F_LINK_DOWN,
    .apply = flt_link_down_apply,
    .revert = flt_link_down_revert,
};

const struct flt_kind flt_link_up_kind = {
    .name = "link up",
    .kind = SCN_F_LINK_UP,
    .apply = flt_link_up_apply,
};

/* The timeline applies flap steps as link downs; this entry only checks the fault. */
const struct flt_kind flt_flap_kind = {
    .name = "flap",
    .kind = SCN_F_FLAP,
    .check = flt_flap_check,
    .apply = flt_link_down_apply,
    .revert = flt_link_down_revert,
};
