/*
 * flt_hog.c - `hog NODE [cpus N] for D`: a fault the guest kernel feels from inside.
 * fl-agent starts real-time (SCHED_FIFO 50) CPU hogs on the guest's first N CPUs (1 by
 * default) with the kernel's real-time throttling off, for D; they end by themselves
 * (lb/agent_hog.c). Until then nothing of lower priority runs there: the kernel's own
 * threads starve, so its detectors fire once D passes their thresholds (RCU stalls
 * after rcu_cpu_stall_timeout, 21 s by default; hung tasks after
 * hung_task_timeout_secs), and the console reader counts them (kernel-warnings). Its
 * services stop answering meanwhile, as on a real overloaded guest.
 *
 * Guests only: a netns node shares the host's kernel, which a hog would starve for
 * everyone (refused by the check). `for D` is required: the agent cannot be reached
 * to stop the hogs early, so the duration is theirs from the start; the revert does
 * nothing but mark the end. Hogs compose by adding up (two overlapping hogs are twice
 * the processes).
 */
#include <errno.h>
#include <stdio.h>

#include "flt_int.h"
#include "lab.h"
#include "node.h"

static int flt_hog_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	const struct node_kind *k = node_kind_of(ctx->lab, in->node);
	char err[256];
	if (!k->hog)
		return errno = ENOTSUP,
		       flt_fail(ctx, "hog: a %s node has no kernel of its own", k->name);
	if (in->for_ms <= 0)
		return errno = EINVAL, flt_fail(ctx, "hog needs 'for D' within the run");
	if (k->hog(ctx->lab, in->node, in->for_ms, in->fault->n ? (int)in->fault->n : 1, err,
		   sizeof(err)) < 0)
		return flt_fail(ctx, "%s", err);
	return 0;
}

/* The hogs end by themselves at D: nothing to undo, the event marks the end. */
static int flt_hog_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	(void)ctx;
	(void)in;
	return 0;
}

static int flt_hog_check(const struct flt_caps *caps, const struct scn *s,
			 const struct scn_fault *f, char *err, size_t len)
{
	(void)caps;
	for (int i = 0; i < f->target.n_nodes; i++) {
		const struct scn_node *nd = &s->nodes[f->target.nodes[i]];
		if (node_kind_find((int)nd->kind)->hog)
			continue;
		snprintf(err, len,
			 "hog on %s node '%s': it shares the host's kernel; hog starves a "
			 "guest's own",
			 node_kind_find((int)nd->kind)->name, nd->name);
		return errno = ENOTSUP, -1;
	}
	for (int i = 0; i < s->n_events; i++)
		if (&s->events[i].fault == f && !s->events[i].has_for) {
			snprintf(err, len, "hog needs 'for D': the hogs end by themselves");
			return errno = EINVAL, -1;
		}
	return 0;
}

/* hog NODE [cpus N]: n the CPUs (0: one). */
static int flt_hog_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_NODE) < 0)
		return -1;
	return scn_arg_opt(p, "cpus") ? scn_arg_int(p, "a CPU count", 1, 64, &f->n) : 0;
}

static int flt_hog_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	return f->n ? snprintf(buf, len, " cpus %ld", f->n) : snprintf(buf, len, "%s", "");
}

static int flt_hog_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return jsonl_set(obj, "cpus", jsonl_num(f->n ? (double)f->n : 1));
}

const struct flt_kind flt_hog_kind = {
    .scn = {.name = "hog",
	    .parse = flt_hog_parse,
	    .args_fmt = flt_hog_args,
	    .params = flt_hog_params,
	    .undo = SCN_UNDO_END},
    .check = flt_hog_check,
    .apply = flt_hog_apply,
    .revert = flt_hog_revert,
};
