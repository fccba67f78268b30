/*
 * tl.h - the timeline: a scenario's at/every/random statements expanded, with a seeded
 * generator, into one sorted schedule of firings (tl_sched.c, pure: no I/O), and the
 * firing of that schedule on a run's event loop (tl_run.c).
 *
 * Determinism: the schedule depends only on the struct scn and the seed. Each timeline
 * statement draws from its own stream (tl_rng_init(seed, statement index)), so adding
 * or removing one statement never moves the firings of another. Within a statement the
 * draws are made per firing, in this order: the inter-arrival time (random only), the
 * any(...) candidate (only when there are two or more), the duration (only when
 * `for D1..D2` has D1 < D2).
 *
 * Time rules (all in ms from the timeline's zero, t0):
 *   at T           one firing at T
 *   every E        firings at from, from+E, ... while t < until and t < duration
 *   random N/h     Poisson arrivals on [from, until): the gaps are exponential with
 *                  mean 3600000/N ms, accumulated in double precision; a firing's time
 *                  is the accumulated time rounded down to a whole ms
 *   for D / D1..D2 the firing is reverted at t + D (D uniform in [D1, D2], whole ms);
 *                  when that lies at or beyond the duration it is reverted when the run
 *                  ends instead (revert_at_end)
 *   flap           expands into count link-down firings at t + k*(down+up), each
 *                  reverted (link up) down ms later; steps at or past the duration are
 *                  dropped
 * Firings are sorted by time; ties keep the order of the statements in the file and
 * then of generation.
 */
#ifndef FL_TL_H
#define FL_TL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"

/*
 * The generator: splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014). One 64-bit state; each output adds the golden-ratio
 * increment 0x9E3779B97F4A7C15 and scrambles it (tl_rng_mix). Small, fast, and every
 * 64-bit state is a valid one, so any seed works.
 */
struct tl_rng {
	uint64_t s;
};

/* The splitmix64 output function on @z (a bijection of 64-bit values). */
uint64_t tl_rng_mix(uint64_t z);
/* Stream @stream of seed @seed: s = tl_rng_mix(seed ^ tl_rng_mix(stream + 1)). */
void tl_rng_init(struct tl_rng *r, uint64_t seed, uint64_t stream);
/* Next 64 random bits: s += 0x9E3779B97F4A7C15, return tl_rng_mix(s). */
uint64_t tl_rng_next(struct tl_rng *r);
/* Uniform in [0, 1): the top 53 bits of tl_rng_next() times 2^-53. */
double tl_rng_unit(struct tl_rng *r);
/* Uniform integer in [0, n) for n > 0: tl_rng_next() % n (bias below n / 2^64). */
uint64_t tl_rng_below(struct tl_rng *r, uint64_t n);
/* Exponential with mean @mean: -mean * log(1 - tl_rng_unit()). */
double tl_rng_exp(struct tl_rng *r, double mean);

#define TL_NONE (-1)

/* One fault to apply at t_ms, and when to revert it. */
struct tl_firing {
	int64_t t_ms;              /* scheduled apply, ms from t0 */
	int64_t revert_ms;         /* scheduled revert, or TL_NONE: not before the end */
	bool revert_at_end;        /* `for` reached past the duration */
	int id;                    /* 1-based position in the schedule */
	int event;                 /* index into scn.events */
	const struct scn_fault_kind *kind; /* what is applied: a flap step is a link down */
	int node;                  /* the chosen target node, -1 for a network/partition */
	int service;               /* kill/restart: the chosen node's service, else -1 */
	int step, steps;           /* flap: step 1..steps; 0, 0 otherwise */
};

struct tl_schedule {
	struct tl_firing *v;
	int n;
	uint64_t seed;
	int64_t duration_ms;
};

/**
 * tl_schedule_build - expand every timeline statement of @s with @seed
 * Returns the schedule (possibly empty), or NULL with errno ENOMEM / EINVAL (a
 * statement the model should not hold, e.g. every 0ms).
 */
struct tl_schedule *tl_schedule_build(const struct scn *s, uint64_t seed);
void tl_schedule_free(struct tl_schedule *sch); /* NULL is a no-op */

/* What @f acts on: "lb1.private", "lb1", "private", "a,b / c,d", "lb1 lb". */
int tl_target_format(const struct scn *s, const struct tl_firing *f, char *buf, size_t len);
/*
 * tl_params_add - add the fault's parameters to JSON object @obj, as its kind's params
 * gives them ({"percent":30}); none for a kind that has none. Returns 0, or -1 with
 * errno EINVAL (@f names no fault of @s) or ENOMEM.
 */
int tl_params_add(const struct scn *s, const struct tl_firing *f, struct json_t *obj);
/*
 * tl_firing_format - one human line for `run --dry-run`:
 *   "   5.000s  #3    link down lb1.private (flap 1/6)  revert 6.000s"
 * Returns the length snprintf() would have written, or -1 with errno EINVAL.
 */
int tl_firing_format(const struct scn *s, const struct tl_firing *f, char *buf, size_t len);

/* ---- tl_scn.c: a schedule as a scenario ---- */

/*
 * tl_firing_stmt - @f as the statement that fires it alone, with nothing left to draw:
 *   "at 5000ms link down lb1.private for 1000ms"
 * (a flap step as its link down; a revert at the end as a `for` reaching the duration).
 * Returns the length snprintf() would have written, or -1 with errno EINVAL.
 */
int tl_firing_stmt(const struct scn *s, const struct tl_firing *f, char *buf, size_t len);
/*
 * tl_scn_write - scenario source @src (@len bytes, the file @s was parsed from) to @out
 * with its timeline statements replaced by @sch's firings, one tl_firing_stmt() line
 * each, where the first of them stood; a two-line comment on top says so. Its schedule
 * is @sch's, whatever the seed. Returns 0, or -1 with errno (ENOMEM, a write error).
 */
int tl_scn_write(FILE *out, const struct scn *s, const struct tl_schedule *sch,
		 const char *src, size_t len);
/* tl_scn_write_keep - the same with only the firings k of @sch with @keep[k] (every one
 * when @keep is NULL), under @header (written as it is: comment lines) instead of the
 * two-line comment. Same return. */
int tl_scn_write_keep(FILE *out, const struct scn *s, const struct tl_schedule *sch,
		      const bool *keep, const char *header, const char *src, size_t len);

/* ---- tl_shrink.c: delta debugging over the firings ---- */

/* One run of a candidate, handed to tl_shrink_ops.run. */
struct tl_shrink_run {
	const int *set; /* the candidate's firings: indices 0..n-1 of tl_shrink(), ascending */
	int n;		/* how many */
	int cand;	/* the candidate's number (1-based, in the order they were made) */
	int try_no;	/* 1..tries */
	bool fails;	/* the callback's answer: this run failed the target */
};

/* A candidate, as tl_shrink_ops.decided sees it once it is decided. */
struct tl_shrink_cand {
	int k; /* its number; 0 when it came from the memo (cached) */
	const int *set;
	int n;
	char stage[48];	 /* "every firing", "no firing", "subset 2 of 4", "complement 1 of 3",
			    "without #7" (#: index + 1) */
	int fails, holds; /* its runs that failed and held */
	bool decided, failed, cached;
};

struct tl_shrink_ops {
	/* Run @runs[0..n) (at most cfg.width, side by side if it likes), set each ->fails.
	 * 0, or -1 with errno to stop the shrink (tl_shrink returns -1 with that errno). */
	int (*run)(void *arg, struct tl_shrink_run *runs, int n);
	/* Optional: @c was just decided (after its last run). */
	void (*decided)(void *arg, const struct tl_shrink_cand *c);
	/* Optional: @c failed and is now the set being shrunk. */
	void (*reduced)(void *arg, const struct tl_shrink_cand *c);
	void *arg;
};

struct tl_shrink_cfg {
	int tries; /* runs of a candidate at most, >= 1 */
	int need;  /* the candidate fails when this many of its runs failed, 1..tries */
	int width; /* runs per ops.run call at most, >= 1 */
};

struct tl_shrink_stats {
	int numbered;	/* candidates made and run (not from the memo) */
	int candidates; /* of which decided */
	int failed;	/* of which failed */
	int cached;	/* candidates answered from the memo, not run */
	int runs;	/* runs handed to ops.run */
	bool baseline_failed; /* candidate 1, every firing, failed */
};

/**
 * tl_shrink - a small set of the firings 0..@n-1 that still fails: candidate 1 is
 * every firing, 2 none, then ddmin (chunks, then complements, doubling the number of
 * chunks), then a pass that drops each remaining firing alone, run afresh. A
 * candidate fails when cfg->need of up to cfg->tries runs fail; it stops being run as
 * soon as that is decided. The first candidate of a step (in order) that fails is
 * kept, so with runs that do not vary the result does not depend on cfg->width.
 * On 0 or 1, *@out (malloc'd, ascending; free it) holds *@n_out firings: 0 the
 * shrunk set (empty when no firing failed too), 1 the baseline did not fail (*@out is
 * every firing). -1 with errno: EINVAL (cfg, ops), ENOMEM, or ops->run's errno.
 * @st gets the counts either way.
 */
int tl_shrink(int n, const struct tl_shrink_cfg *cfg, const struct tl_shrink_ops *ops, int **out,
	      int *n_out, struct tl_shrink_stats *st);

/* ---- tl_run.c: firing on a run ---- */

struct run;
struct flt_svc_ops;
struct tl_state;

/*
 * tl_start - arm every firing of @sch on run_loop(@r) at run_t0(@r) + t; each apply and
 * revert goes through the fault kind table (flt.h) and is written to events.jsonl.
 * @sch and @ops must outlive the returned state. The state is registered on the run's
 * teardown list (which stops it and frees it), so after run_teardown() it is gone.
 * Returns the state, or NULL with errno (run_t0 not set, timers could not be armed).
 */
struct tl_state *tl_start(struct run *r, const struct tl_schedule *sch,
			  const struct flt_svc_ops *ops);
/* tl_stop - disarm the timers and revert everything still applied (idempotent). */
void tl_stop(struct tl_state *st);
/*
 * tl_inject - fire @ev (scn_fault_line_parse: an `at 0s` statement) now, by hand, on
 * the running timeline @st: expanded as its own one-statement schedule (a flap's
 * steps, any(...) and a `for` range drawn from the run's seed and the injection's
 * number), with ids after every id of the run so far, applied through the timeline's
 * fault state (so it composes with the scheduled faults), reverted after its `for` by
 * the run's loop or, without one, when the run ends (tl_stop); recorded in
 * events.jsonl as a scheduled firing is, with "by":"hand". On success @ev's contents
 * are moved (it is left empty). Returns 0 with "#ID FAULT TARGET applied, ..." in
 * @msg, or -1 with errno and the reason in @msg (ESRCH: the timeline was stopped; EIO:
 * the apply failed, recorded as apply-failed; then @ev was moved all the same).
 */
int tl_inject(struct tl_state *st, struct scn_event *ev, char *msg, size_t len);
/* The scenario the timeline runs (run_scn of its run). */
const struct scn *tl_scn(const struct tl_state *st);
/* Firings applied and reverted so far, apply/revert failures, and the last error text. */
int tl_applied(const struct tl_state *st);
int tl_reverted(const struct tl_state *st);
int tl_errors(const struct tl_state *st, char *last, size_t len);

/* ---- tl_rt.c: firing on time on a busy machine ---- */

/*
 * The loop thread runs at SCHED_FIFO from TL_RT_LEAD_NS before each deadline until the
 * firing is done (a waker thread raises it; tl_rt_next() lowers it), at priority
 * TL_RT_PRIO, the lowest real-time one: above every normal process, below the kernel's
 * own real-time threads.
 */
#define TL_RT_LEAD_NS 500000
#define TL_RT_PRIO 1

struct tl_rt;

/*
 * tl_rt_new - set the calling (loop) thread's timer slack to 1 ns and start the waker
 * at SCHED_FIFO @prio (0: do not). Where the host refuses real-time priority the
 * object is made all the same, off, with the reason in tl_rt_why(). Returns it, or
 * NULL with errno ENOMEM.
 */
struct tl_rt *tl_rt_new(int64_t lead_ns, int prio);
/* tl_rt_free - stop the waker, lower the loop thread, restore its slack. NULL: no-op. */
void tl_rt_free(struct tl_rt *rt);
/*
 * tl_rt_next - called from the loop thread when a firing is done: lower it to normal
 * priority and have it raised again @lead_ns before @deadline_ns (CLOCK_MONOTONIC; 0:
 * no next deadline). A no-op when off.
 */
void tl_rt_next(struct tl_rt *rt, int64_t deadline_ns);
bool tl_rt_on(const struct tl_rt *rt);
/* Why it is off ("SCHED_FIFO 1: Operation not permitted", "disabled"); "" when on. */
const char *tl_rt_why(const struct tl_rt *rt);
/* Raises done so far, and how many of them came after their deadline. */
void tl_rt_counts(struct tl_rt *rt, int *raises, int *late);
/* When the waker raises for @deadline_ns: @lead_ns before it (at least 1); 0 for none. */
int64_t tl_rt_wake_ns(int64_t deadline_ns, int64_t lead_ns);

#endif
