/*
 * flt_kill.c - `kill NODE SERVICE [signal NAME]` and `restart NODE SERVICE`, through the
 * service layer's hooks (struct flt_svc_ops): a signal to the service's process group
 * (SIGKILL by default: a crash, no goodbye), and starting it again. A kill written with
 * `for D` is reverted by a restart D later; a kill is never undone at the end of a run.
 */
#include <errno.h>
#include <string.h>

#include "flt_int.h"

static const char *flt_svc_name(const struct flt_ctx *ctx, const struct flt_inst *in)
{
	return in->service >= 0 ? ctx->s->services[in->service].name : "?";
}

static int flt_kill_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!ctx->ops.signal || in->service < 0)
		return errno = ENOTSUP, flt_fail(ctx, "kill: no service hook for %s",
						 flt_svc_name(ctx, in));
	if (ctx->ops.signal(ctx->ops.ctx, in->service, in->fault->signal) < 0)
		return flt_fail(ctx, "kill %s: %s", flt_svc_name(ctx, in), strerror(errno));
	return 0;
}

static int flt_restart_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!ctx->ops.restart || in->service < 0)
		return errno = ENOTSUP, flt_fail(ctx, "restart: no service hook for %s",
						 flt_svc_name(ctx, in));
	if (ctx->ops.restart(ctx->ops.ctx, in->service) < 0)
		return flt_fail(ctx, "restart %s: %s", flt_svc_name(ctx, in), strerror(errno));
	return 0;
}

const struct flt_kind flt_kill_kind = {
	.name = "kill",
	.kind = SCN_F_KILL,
	.apply = flt_kill_apply,
	.revert = flt_restart_apply,
	.timed_revert_only = true,
};

const struct flt_kind flt_restart_kind = {
	.name = "restart",
	.kind = SCN_F_RESTART,
	.apply = flt_restart_apply,
};
