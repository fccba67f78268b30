/*
 * flt_stall.c - `stall NODE`: the whole node freezes, as a guest kernel lockup looks
 * from outside: its processes stop running but keep their sockets and addresses, and
 * the kernel keeps answering nothing on their behalf (ARP and ICMP still work, as on a
 * locked guest whose NIC is alive).
 *
 * The node's kind does it (node.h stall): netns, the node's cgroup v1 freezer, written
 * and then checked on the run's loop (a freeze that does not settle within 3 s is a
 * "stall-stuck" event), else SIGSTOP / SIGCONT to every process in the node's network
 * namespace (node_netns.c); qemu, QMP stop/cont. Here only the composition: stalls are
 * counted per node; the last revert thaws.
 * The revert sits on the teardown list above the services, so a frozen node is thawed
 * before they are killed.
 */
#include <errno.h>
#include <stdio.h>

#include "flt_int.h"
#include "lab.h"
#include "node.h"

/* The node kind's stall (netns: freezer cgroup or SIGSTOP; qemu: QMP stop/cont); it
 * never waits for the node. */
int flt_stall_set_sys(struct flt_ctx *ctx, int node, bool stop)
{
	const struct node_kind *k = node_kind_of(ctx->lab, node);
	char err[256];

	if (!k->stall) {
		errno = ENOTSUP;
		return flt_fail(ctx, "stall %s: a %s node cannot stall", ctx->s->nodes[node].name,
				k->name);
	}
	if (k->stall(ctx->lab, node, stop, err, sizeof(err)) == -1)
		return flt_fail(ctx, "%s", err);
	return 0;
}

static int flt_stall_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct flt_ref *r = &ctx->stall[in->node];
	if (flt_ref_idle(r) && ctx->io->stall_set(ctx, in->node, true) < 0)
		return -1;
	in->gen = flt_ref_take(r);
	return 0;
}

static int flt_stall_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!flt_ref_drop(&ctx->stall[in->node], in->gen))
		return 0;
	return ctx->io->stall_set(ctx, in->node, false);
}

static int flt_stall_parse(struct scn_p *p, struct scn_fault *f)
{
	return scn_arg_target(p, f, SCN_ARG_NODE);
}

const struct flt_kind flt_stall_kind = {
    .scn = {.name = "stall", .parse = flt_stall_parse, .undo = SCN_UNDO_END},
    .apply = flt_stall_apply,
    .revert = flt_stall_revert,
};
