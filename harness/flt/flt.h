/*
 * flt.h - fault kinds. Each kind lives in harness/flt/flt_<kind>.c behind one struct
 * flt_kind: its grammar half (struct scn_fault_kind: name, parse, dry-run and JSON
 * forms, how it is undone) and its kernel half (check, apply, revert, which implement
 * its composition rule). harness/flt/flt_kinds.c lists every kind once. A struct flt_ctx holds
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
 *   qdisc kinds (delay, bandwidth) - the root qdisc of an interface holds one at a time;
 *	an overlapping second one fails with EBUSY; revert deletes the qdisc.
 * Each kind's file says its rule; the bookkeeping is flt_book.h's or flt_int.h's.
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

struct flt_kind;

/* What this host can do, found by flt_caps_probe(). */
struct flt_caps {
	bool freezer;	/* cgroup v1 freezer at /sys/fs/cgroup/freezer: stall */
	uint64_t kinds; /* bit i: the probe of scn_fault_kinds[i] passed (or it has none) */
};

/*
 * flt_caps_probe - run every kind's probe in a throwaway network namespace (a forked
 * child that unshares one; the host's namespace is never touched), each distinct probe
 * function once; later calls in the same process give the first answer again. Returns 0, or -1 with errno when the probe itself could not run (then
 * @caps says "nothing").
 */
int flt_caps_probe(struct flt_caps *caps);
/* The path of @f on a host with @caps (struct flt_kind's path), or NULL. */
const char *flt_fault_path(const struct flt_caps *caps, const struct scn *s,
			   const struct scn_fault *f);
/* Did @k's probe pass (or has it none)? */
bool flt_caps_ok(const struct flt_caps *caps, const struct flt_kind *k);

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
	const struct scn_fault_kind *kind; /* as applied: flap steps are link downs */
	int node;			   /* target node or -1 */
	int service;			   /* kill/restart, else -1 */
	int64_t for_ms;			   /* the firing's `for` (until its revert), 0: none */

	bool applied;  /* apply succeeded */
	bool reverted; /* revert ran (or nothing is left to revert) */
	bool deferred; /* its revert is on the run's teardown list */
	unsigned gen;  /* link down: the port's generation at apply */
	const char *path;      /* set by apply: the kind's path on this host, or NULL */
	struct json_t *facts;  /* set by a revert: what the kind measured (the relay's
				  counters), for the revert's event; the taker frees it */
	struct flt_ctx *ctx;
};

struct flt_kind {
	struct scn_fault_kind scn; /* first: flt_kind_of() goes back from it */
	/* Can this kernel do it? Run as root in a throwaway network namespace by
	 * flt_caps_probe(); must leave nothing behind that would matter there. NULL:
	 * nothing to probe. The result is flt_caps_ok() for the check below. */
	bool (*probe)(void);
	/* Can @f run here? 0, or -1 and the reason in @err (no position). NULL: always. */
	int (*check)(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		     char *err, size_t len);
	/* Which mechanism carries @f on a host with @caps ("nftables", "tbf", "netem",
	 * "relay": fl-relay, the frame path of flt_relay.c), named in `faultline check`,
	 * events.jsonl and the JSON report. NULL: the kind has one obvious way (links,
	 * signals) and names none. */
	const char *(*path)(const struct flt_caps *caps, const struct scn *s,
			    const struct scn_fault *f);
	int (*apply)(struct flt_ctx *ctx, struct flt_inst *in);
	/* NULL exactly when scn.undo is SCN_UNDO_NONE (link up, restart). */
	int (*revert)(struct flt_ctx *ctx, struct flt_inst *in);
};

/* The whole descriptor of grammar half @k (every entry of scn_fault_kinds[] is one). */
static inline const struct flt_kind *flt_kind_of(const struct scn_fault_kind *k)
{
	return (const struct flt_kind *)(const void *)k; /* scn is the first member */
}

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
