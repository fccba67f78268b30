/*
 * flt.c - the fault kind table, the per-run fault context, apply/revert with the run's
 * teardown list, the host capability probe and the scenario check.
 *
 * Invariant: an instance is on the teardown list at most once (deferred), and its
 * revert runs at most once (reverted), whichever of the timeline and the teardown
 * comes first.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flt_int.h"
#include "lab.h"
#include "net.h"
#include "nlk.h"
#include "run.h"

static const struct flt_kind *const flt_kinds[] = {
    &flt_link_down_kind, &flt_link_up_kind, &flt_flap_kind, &flt_blackhole_kind,
    &flt_mtu_kind,	 &flt_pmtu_kind,    &flt_loss_kind, &flt_delay_kind,
    &flt_partition_kind, &flt_stall_kind,   &flt_kill_kind, &flt_restart_kind,
};

const struct flt_kind *flt_kind_find(enum scn_fault_kind kind)
{
	for (size_t i = 0; i < sizeof(flt_kinds) / sizeof(flt_kinds[0]); i++)
		if (flt_kinds[i]->kind == kind)
			return flt_kinds[i];
	return NULL;
}

int flt_fail(struct flt_ctx *ctx, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	errno = e;
	return -1;
}

const struct flt_io flt_io_sys = {
    .port_name = flt_port_name_sys,
    .link_set = flt_link_set_sys,
    .mtu_get = flt_mtu_get_sys,
    .mtu_set = flt_mtu_set_sys,
    .stall_set = flt_stall_set_sys,
    .chain_add = flt_nft_chain_add,
    .chain_del = flt_nft_chain_del,
};

static struct flt_ctx *flt_ctx_alloc(const struct scn *s, const struct flt_io *io, void *arg)
{
	struct flt_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->s = s;
	ctx->io = io;
	ctx->io_arg = arg;
	size_t nodes = (size_t)s->n_nodes, ports = nodes * (size_t)s->n_networks;
	ctx->node_nl = calloc(nodes + 1, sizeof(*ctx->node_nl));
	ctx->down = calloc(ports + 1, sizeof(*ctx->down));
	ctx->mtu = calloc(ports + 1, sizeof(*ctx->mtu));
	ctx->delay = calloc(ports + 1, sizeof(*ctx->delay));
	ctx->stall = calloc(nodes + 1, sizeof(*ctx->stall));
	if (!ctx->node_nl || !ctx->down || !ctx->mtu || !ctx->delay || !ctx->stall) {
		flt_ctx_free(ctx);
		return errno = ENOMEM, NULL;
	}
	return ctx;
}

struct flt_ctx *flt_ctx_new(struct run *r, const struct flt_svc_ops *ops)
{
	if (!run_lab(r))
		return errno = EINVAL, NULL;
	struct flt_ctx *ctx = flt_ctx_alloc(run_scn(r), &flt_io_sys, NULL);
	if (!ctx)
		return NULL;
	ctx->run = r;
	ctx->lab = run_lab(r);
	if (ops)
		ctx->ops = *ops;
	flt_nft_warm(ctx);
	return ctx;
}

struct flt_ctx *flt_ctx_new_io(const struct scn *s, const struct flt_io *io, void *arg)
{
	return flt_ctx_alloc(s, io, arg);
}

void flt_ctx_free(struct flt_ctx *ctx)
{
	if (!ctx)
		return;
	nlk_close(ctx->nft_nl);
	net_nl_close(ctx->lab_nl);
	for (int i = 0; ctx->node_nl && i < ctx->s->n_nodes; i++)
		net_nl_close(ctx->node_nl[i]);
	for (int i = 0; ctx->mtu && i < ctx->s->n_nodes * ctx->s->n_networks; i++)
		flt_mtu_stack_fini(&ctx->mtu[i]);
	free(ctx->node_nl);
	free(ctx->down);
	free(ctx->mtu);
	free(ctx->delay);
	free(ctx->stall);
	free(ctx);
}

const char *flt_ctx_error(const struct flt_ctx *ctx)
{
	return ctx ? ctx->err : "";
}

/* The teardown entry of one instance. */
static void flt_undo(void *arg)
{
	struct flt_inst *in = arg;
	in->deferred = false;
	(void)flt_revert(in->ctx, in);
}

int flt_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct flt_kind *k = flt_kind_find(in->kind);
	if (!k)
		return errno = EINVAL, flt_fail(ctx, "unknown fault kind %d", (int)in->kind);
	if (in->applied)
		return errno = EALREADY, flt_fail(ctx, "fault #%d applied twice", in->id);
	in->ctx = ctx;
	ctx->err[0] = '\0';
	if (k->apply(ctx, in) < 0)
		return -1;
	in->applied = true;
	in->reverted = !k->revert;
	if (ctx->run && k->revert && !k->timed_revert_only && !in->deferred) {
		if (run_defer(ctx->run, flt_undo, in, k->name) < 0) {
			int e = errno;
			(void)flt_revert(ctx, in);
			errno = e;
			return flt_fail(ctx, "%s: cannot register its revert", k->name);
		}
		in->deferred = true;
	}
	return 0;
}

bool flt_inst_pending(const struct flt_inst *in)
{
	return in->applied && !in->reverted;
}

bool flt_inst_end_revert(const struct flt_inst *in)
{
	const struct flt_kind *k = flt_kind_find(in->kind);
	return k && k->revert && !k->timed_revert_only && flt_inst_pending(in);
}

int flt_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct flt_kind *k = flt_kind_find(in->kind);
	if (!k || !flt_inst_pending(in))
		return 0;
	in->reverted = true; /* once, even if it fails: a retry would not do better */
	ctx->err[0] = '\0';
	return k->revert(ctx, in);
}

/* ---- capabilities ---- */

enum {
	FLT_CAP_NETEM = 1,
	FLT_CAP_NFT_BRIDGE = 2,
};

static bool flt_probe_netem(void)
{
	struct flt_ctx tmp = {0};
	struct net_nl *nl = net_nl_open_ns(-1, 0);
	if (!nl)
		return false;
	bool ok = flt_netem_add(&tmp, nl, 1 /* lo */, 1, 0) == 0;
	net_nl_close(nl);
	return ok;
}

/* In a forked child that owns a fresh network namespace: nothing leaks to the host. */
static int flt_probe_child(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return 255;
	return (flt_probe_netem() ? FLT_CAP_NETEM : 0) | (flt_nft_probe() ? FLT_CAP_NFT_BRIDGE : 0);
}

int flt_caps_probe(struct flt_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->freezer = access("/sys/fs/cgroup/freezer/tasks", W_OK) == 0;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(flt_probe_child());
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 255)
		return errno = EPERM, -1;
	caps->netem = WEXITSTATUS(st) & FLT_CAP_NETEM;
	caps->nft_bridge = WEXITSTATUS(st) & FLT_CAP_NFT_BRIDGE;
	return 0;
}

int flt_scn_check(const struct flt_caps *caps, const struct scn *s, char *err, size_t len)
{
	for (int i = 0; i < s->n_events; i++) {
		const struct scn_fault *f = &s->events[i].fault;
		const struct flt_kind *k = flt_kind_find(f->kind);
		char why[256];
		if (!k) {
			snprintf(err, len, "%s:%d:%d: unknown fault kind", s->file, f->loc.line,
				 f->loc.col);
			return errno = EINVAL, -1;
		}
		if (k->check && k->check(caps, s, f, why, sizeof(why)) < 0) {
			int e = errno;
			snprintf(err, len, "%s:%d:%d: %s", s->file ? s->file : "scenario",
				 f->loc.line, f->loc.col, why);
			return errno = e, -1;
		}
	}
	return 0;
}
