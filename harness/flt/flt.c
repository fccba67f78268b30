/*
 * flt.c - the per-run fault context, apply/revert with the run's teardown list, the
 * host capability probe and the scenario check (the kinds are listed in flt_kinds.c).
 *
 * Invariant: an instance is on the teardown list at most once (deferred), and its
 * revert runs at most once (reverted), whichever of the timeline and the teardown
 * comes first.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flt_int.h"
#include "lab.h"
#include "run.h"

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
	ctx->qdisc = calloc(2 * ports + 1, sizeof(*ctx->qdisc));
	ctx->stall = calloc(nodes + 1, sizeof(*ctx->stall));
	if (!ctx->node_nl || !ctx->down || !ctx->mtu || !ctx->qdisc || !ctx->stall) {
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
	if (ctx->nft_nl)
		mnl_socket_close(ctx->nft_nl);
	if (ctx->lab_nl)
		mnl_socket_close(ctx->lab_nl);
	for (int i = 0; ctx->node_nl && i < ctx->s->n_nodes; i++)
		if (ctx->node_nl[i])
			mnl_socket_close(ctx->node_nl[i]);
	for (int i = 0; ctx->mtu && i < ctx->s->n_nodes * ctx->s->n_networks; i++)
		flt_mtu_stack_fini(&ctx->mtu[i]);
	free(ctx->node_nl);
	free(ctx->down);
	free(ctx->mtu);
	free(ctx->qdisc);
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
	if (!in->kind)
		return errno = EINVAL, flt_fail(ctx, "fault #%d has no kind", in->id);
	const struct flt_kind *k = flt_kind_of(in->kind);
	if (in->applied)
		return errno = EALREADY, flt_fail(ctx, "fault #%d applied twice", in->id);
	in->ctx = ctx;
	ctx->err[0] = '\0';
	if (k->apply(ctx, in) < 0)
		return -1;
	in->applied = true;
	in->reverted = !k->revert;
	if (ctx->run && k->scn.undo == SCN_UNDO_END && !in->deferred) {
		if (run_defer(ctx->run, flt_undo, in, k->scn.name) < 0) {
			int e = errno;
			(void)flt_revert(ctx, in);
			errno = e;
			return flt_fail(ctx, "%s: cannot register its revert", k->scn.name);
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
	return in->kind && in->kind->undo == SCN_UNDO_END && flt_inst_pending(in);
}

int flt_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!in->kind || !flt_inst_pending(in))
		return 0;
	const struct flt_kind *k = flt_kind_of(in->kind);
	in->reverted = true; /* once, even if it fails: a retry would not do better */
	ctx->err[0] = '\0';
	return k->revert(ctx, in);
}

/* ---- capabilities ---- */

enum {
	FLT_CAP_NETEM = 1,
	FLT_CAP_NFT_BRIDGE = 2,
	FLT_CAP_TBF = 4,
};

/* Can a netem / tbf root qdisc be put on lo? Each probe deletes what it added. */
static int flt_probe_qdiscs(void)
{
	struct flt_ctx tmp = {0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		return 0;
	}
	int caps = 0;
	if (flt_netem_add(&tmp, nl, 1 /* lo */, 1, 0) == 0 && flt_netem_del(&tmp, nl, 1) == 0)
		caps |= FLT_CAP_NETEM;
	if (flt_tbf_add(&tmp, nl, 1, 1000000) == 0 && flt_tbf_del(&tmp, nl, 1) == 0)
		caps |= FLT_CAP_TBF;
	mnl_socket_close(nl);
	return caps;
}

/* In a forked child that owns a fresh network namespace: nothing leaks to the host. */
static int flt_probe_child(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return 255;
	return flt_probe_qdiscs() | (flt_nft_probe() ? FLT_CAP_NFT_BRIDGE : 0);
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
	caps->tbf = WEXITSTATUS(st) & FLT_CAP_TBF;
	return 0;
}

int flt_scn_check(const struct flt_caps *caps, const struct scn *s, char *err, size_t len)
{
	for (int i = 0; i < s->n_events; i++) {
		const struct scn_fault *f = &s->events[i].fault;
		const struct flt_kind *k = f->kind ? flt_kind_of(f->kind) : NULL;
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
