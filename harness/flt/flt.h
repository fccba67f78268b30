/*
 * flt.h - fault kinds. Each kind lives in harness/flt_<kind>.c behind one struct
 * flt_kind (check, apply, revert) and flt.c holds the table. A struct flt_ctx holds
 * what one run's faults share: the lab, an nf_tables socket in the lab namespace, netlink
 * sockets per namespace, and the composition state (link-down counts, mtu stacks,
 * stall counts). A struct flt_inst is one applied fault.
 *
 * Composition of overlapping faults on one target:
 *   nft kinds (blackhole, loss, partition, pmtu-blackhole) - each instance owns one base
 *	chain "f<id>" in table bridge faultline of the lab namespace; revert deletes it.
 *   link down - counted per port; the port comes up when the last down is reverted.
 *	`link up` forces it up and cancels the downs outstanding at that moment.
 *   mtu - a stack per interface; a revert removes its own entry and the interface takes
 *	the value of the newest entry left (or the value from before the first one).
 *   stall - counted per node; thawed when the last stall is reverted.
 * flt_apply() pushes the instance's revert on the run's teardown list; flt_revert() is
 * idempotent, so the teardown entry of an already reverted instance does nothing.
 *
 * Library code: 0 / -1 with errno; the text of the last failure in flt_ctx_error().
 */
#ifndef FL_FLT_H
#define FL_FLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scn.h"

struct run;
struct lab;
struct flt_ctx;

/* What this host can do, found by flt_caps_probe(). */
struct flt_caps {
	bool netem;	 /* sch_netem: delay */
	bool nft_bridge; /* nf_tables bridge family with a forward hook: filters */
	bool freezer;	 /* cgroup v1 freezer at /sys/fs/cgroup/freezer: stall */
};

/*
 * flt_caps_probe - probe the kernel in a throwaway network namespace (a forked child
 * that unshares one; the host's namespace is never touched). Returns 0, or -1 with
 * errno when the probe itself could not run (then @caps says "nothing").
 */
int flt_caps_probe(struct flt_caps *caps);

/*
 * flt_scn_check - can every fault of @s run on a host with @caps? Returns 0, or -1 with
 * errno ENOTSUP and "file:line:col: <why>" in @err for the first that cannot.
 */
int flt_scn_check(const struct flt_caps *caps, const struct scn *s, char *err, size_t len);

/*
 * The service layer's hooks for kill/restart, filled in by the run.
 * @service is an index into scn.services. Each returns 0, or -1 with errno. Any hook
 * may be NULL: the faults needing it fail with ENOTSUP.
 */
struct flt_svc_ops {
	int (*signal)(void *ctx, int service, int signo);   /* to its process group */
	int (*restart)(void *ctx, int service);		    /* start it again */
	void *ctx;
};

/* One applied fault. Fill the first block, zero the rest, then flt_apply(). */
struct flt_inst {
	int id; /* unique in the run (the timeline's firing id) */
	const struct scn_fault *fault;
	enum scn_fault_kind kind; /* as applied: flap steps are SCN_F_LINK_DOWN */
	int node;		  /* target node or -1 */
	int service;		  /* kill/restart, else -1 */

	bool applied;  /* apply succeeded */
	bool reverted; /* revert ran (or nothing is left to revert) */
	bool deferred; /* its revert is on the run's teardown list */
	unsigned gen;  /* link down: the port's generation at apply */
	struct flt_ctx *ctx;
};

struct flt_kind {
	const char *name;
	enum scn_fault_kind kind;
	/* Can @f run here? 0, or -1 and the reason in @err (no position). NULL: always. */
	int (*check)(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		     char *err, size_t len);
	int (*apply)(struct flt_ctx *ctx, struct flt_inst *in);
	/* NULL: nothing to undo (link up, restart). */
	int (*revert)(struct flt_ctx *ctx, struct flt_inst *in);
	/* Reverted only at a scheduled time (`for D`), never at the end of the run nor by
	 * the teardown list: kill (its revert is a restart). */
	bool timed_revert_only;
};

/* The kind table entry for @kind, or NULL. */
const struct flt_kind *flt_kind_find(enum scn_fault_kind kind);

/* flt_ctx_new - the fault state of run @r (its lab must be built). NULL with errno. */
struct flt_ctx *flt_ctx_new(struct run *r, const struct flt_svc_ops *ops);
void flt_ctx_free(struct flt_ctx *ctx); /* NULL is a no-op; reverts nothing */
const char *flt_ctx_error(const struct flt_ctx *ctx);

/* Apply @in; on success its revert is on the run's teardown list. 0 or -1/errno. */
int flt_apply(struct flt_ctx *ctx, struct flt_inst *in);
/* Revert @in if it is applied and not yet reverted; 0 when there was nothing to do. */
int flt_revert(struct flt_ctx *ctx, struct flt_inst *in);
/* Applied and not yet reverted. */
bool flt_inst_pending(const struct flt_inst *in);
/* Must the end of the run revert @in? Pending, and its kind is undone at the end (not
 * kill, whose revert is a restart, nor the kinds with nothing to undo). */
bool flt_inst_end_revert(const struct flt_inst *in);

#endif
