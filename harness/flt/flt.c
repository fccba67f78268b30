/*
 * flt.c - the per-run fault context, apply/revert with the run's teardown list, the
 * host capability probe and the scenario check (the kinds are listed in flt_kinds.c).
 *
 * Invariant: an instance is on the teardown list at most once (deferred), and its
 * revert runs at most once (reverted), whichever of the timeline and the teardown
 * comes first.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "flt_int.h"
#include "lab.h"
#include "net.h"
#include "nlk.h"
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
	(void)flt_caps_probe(&ctx->caps); /* the check's answer, cached */
	flt_nft_warm(ctx);
	flt_relay_prepare(ctx);
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
	flt_relay_free(ctx);
	nlk_close(ctx->nft_nl);
	net_nl_close(ctx->lab_nl);
	for (int i = 0; ctx->node_nl && i < ctx->s->n_nodes; i++)
		net_nl_close(ctx->node_nl[i]);
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
	json_decref(in->facts); /* no event is written after the teardown */
	in->facts = NULL;
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
	in->path = k->path ? k->path(&ctx->caps, ctx->s, in->fault) : NULL;
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

#define FLT_KINDS_MAX 64 /* bits of flt_caps.kinds */

/* Index of @k in scn_fault_kinds[], or -1. */
static int flt_kind_index(const struct flt_kind *k)
{
	for (int i = 0; scn_fault_kinds[i] && i < FLT_KINDS_MAX; i++)
		if (scn_fault_kinds[i] == &k->scn)
			return i;
	return -1;
}

bool flt_caps_ok(const struct flt_caps *caps, const struct flt_kind *k)
{
	int i = flt_kind_index(k);
	return i >= 0 && (caps->kinds >> i) & 1;
}

/* Every kind's probe, each distinct function once; bit i for scn_fault_kinds[i]. */
static uint64_t flt_probe_kinds(void)
{
	uint64_t ok = 0;
	for (int i = 0; scn_fault_kinds[i] && i < FLT_KINDS_MAX; i++) {
		bool (*probe)(void) = flt_kind_of(scn_fault_kinds[i])->probe;
		int same = 0;
		while (same < i && flt_kind_of(scn_fault_kinds[same])->probe != probe)
			same++;
		bool yes = !probe || (same < i ? (ok >> same) & 1 : probe());
		ok |= (uint64_t)yes << i;
	}
	return ok;
}

/* In a forked child that owns a fresh network namespace: nothing leaks to the host. */
static int flt_probe_child(int fd)
{
	if (unshare(CLONE_NEWNET) < 0)
		return 255;
	uint64_t ok = flt_probe_kinds();
	return write(fd, &ok, sizeof(ok)) == (ssize_t)sizeof(ok) ? 0 : 255;
}

static int flt_caps_probe_once(struct flt_caps *caps)
{
	int fd[2];
	memset(caps, 0, sizeof(*caps));
	caps->freezer = access("/sys/fs/cgroup/freezer/tasks", W_OK) == 0;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0)
		_exit(flt_probe_child(fd[1]));
	close(fd[1]);
	uint64_t ok = 0;
	ssize_t n = read(fd[0], &ok, sizeof(ok));
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != (ssize_t)sizeof(ok))
		return errno = EPERM, -1;
	caps->kinds = ok;
	return 0;
}

/* What the kernel can do does not change under a running process: probe once. */
int flt_caps_probe(struct flt_caps *caps)
{
	static struct flt_caps known;
	static bool probed;
	if (!probed) {
		if (flt_caps_probe_once(&known) < 0) {
			memset(caps, 0, sizeof(*caps));
			return -1;
		}
		probed = true;
	}
	*caps = known;
	return 0;
}

const char *flt_fault_path(const struct flt_caps *caps, const struct scn *s,
			   const struct scn_fault *f)
{
	const struct flt_kind *k = f->kind ? flt_kind_of(f->kind) : NULL;
	return k && k->path ? k->path(caps, s, f) : NULL;
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
