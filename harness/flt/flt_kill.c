/*
 * flt_kill.c - `kill NODE SERVICE [signal NAME]` and `restart NODE SERVICE`, through the
 * service layer's hooks (struct flt_svc_ops): a signal to the service's process group
 * (SIGKILL by default: a crash, no goodbye), and starting it again. A kill written with
 * `for D` is reverted by a restart D later; a kill is never undone at the end of a run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "flt_int.h"

static const char *flt_svc_name(const struct flt_ctx *ctx, const struct flt_inst *in)
{
	return in->service >= 0 ? ctx->s->services[in->service].name : "?";
}

static int flt_kill_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!ctx->ops.signal || in->service < 0)
		return errno = ENOTSUP,
		       flt_fail(ctx, "kill: no service hook for %s", flt_svc_name(ctx, in));
	if (ctx->ops.signal(ctx->ops.ctx, in->service, (int)in->fault->n) < 0)
		return flt_fail(ctx, "kill %s: %s", flt_svc_name(ctx, in), strerror(errno));
	return 0;
}

static int flt_restart_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!ctx->ops.restart || in->service < 0)
		return errno = ENOTSUP,
		       flt_fail(ctx, "restart: no service hook for %s", flt_svc_name(ctx, in));
	if (ctx->ops.restart(ctx->ops.ctx, in->service) < 0)
		return flt_fail(ctx, "restart %s: %s", flt_svc_name(ctx, in), strerror(errno));
	return 0;
}

/* kill NODE SERVICE [signal SIG]: svc_name/service, n the signal (SIGKILL). */
static int flt_kill_parse(struct scn_p *p, struct scn_fault *f)
{
	f->n = SIGKILL;
	if (scn_arg_target(p, f, SCN_ARG_NODE) < 0 || scn_arg_service(p, f) < 0)
		return -1;
	return scn_arg_opt(p, "signal") ? scn_arg_signal(p, &f->n) : 0;
}

static int flt_restart_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_NODE) < 0)
		return -1;
	return scn_arg_service(p, f);
}

static int flt_kill_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	return snprintf(buf, len, " %s signal %ld", f->svc_name, f->n);
}

static int flt_kill_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return json_object_update_new(obj, json_pack("{s:o,s:I}", "service", jsonl_str(f->svc_name),
						     "signal", (json_int_t)f->n));
}

static int flt_restart_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	return snprintf(buf, len, " %s", f->svc_name);
}

static int flt_restart_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return jsonl_set(obj, "service", jsonl_str(f->svc_name));
}

/* Reverted only at a scheduled time (`for D`), never at the end of the run nor by the
 * teardown list: its revert is a restart. */
const struct flt_kind flt_kill_kind = {
    .scn = {.name = "kill",
	    .parse = flt_kill_parse,
	    .args_fmt = flt_kill_args,
	    .params = flt_kill_params,
	    .undo = SCN_UNDO_TIMED},
    .apply = flt_kill_apply,
    .revert = flt_restart_apply,
};

const struct flt_kind flt_restart_kind = {
    .scn = {.name = "restart",
	    .parse = flt_restart_parse,
	    .args_fmt = flt_restart_args,
	    .params = flt_restart_params,
	    .undo = SCN_UNDO_NONE},
    .apply = flt_restart_apply,
};
