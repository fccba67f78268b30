/*
 * tl_run.c - firing a schedule on a run: one timer on the run's loop walks a sorted
 * list of actions (each firing's apply and, when it has one, its scheduled revert), at
 * absolute CLOCK_MONOTONIC deadlines run_t0 + t. Every apply and revert goes through
 * the fault kind table and is written to events.jsonl with its scheduled and actual
 * time:
 *   {"t_ns":..,"src":"timeline","ev":"apply","id":3,"fault":"link down",
 *    "target":"lb1.private","sched_ns":..,"took_ns":..,<parameters>}
 * t_ns is when the fault took effect (the kernel acked it), took_ns how long applying
 * it took; a failure is written as "apply-failed"/"revert-failed" with "error".
 *
 * The loop thread runs at real-time priority from just before each deadline until
 * the firing is done (tl_rt.c); the run's events say whether it could:
 *   {"t_ns":..,"src":"timeline","ev":"rt","policy":"fifo","priority":1,"lead_ns":500000}
 *   {"t_ns":..,"src":"timeline","ev":"rt","policy":"other","error":"SCHED_FIFO 1: ..."}
 * and, when the timeline stops, how many raises there were and how many came late:
 *   {"t_ns":..,"src":"timeline","ev":"rt-raises","raises":2000,"late":0}
 *
 * Invariants: actions run in list order, each once; at equal times a revert runs before
 * an apply (the old fault ends, then the new one starts). The state is freed from the
 * run's teardown list, below every instance's revert, so it outlives them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "flt.h"
#include "jsonl.h"
#include "run.h"
#include "tl.h"

struct tl_action {
	int64_t t_ms;
	int firing; /* index into sch->v */
	bool revert;
};

struct tl_hand;

struct tl_state {
	struct run *run;
	const struct scn *scn; /* run_scn(run); a hand firing's: its own one-event copy */
	const struct tl_schedule *sch;
	struct flt_ctx *flt;
	struct flt_inst *inst; /* one per firing */
	struct tl_action *act;
	struct tl_rt *rt;
	int n_act, next;
	int64_t timer;
	int applied, reverted, errors;
	char last_err[512];
	bool stopped;
	/* by hand (tl_inject): times count from base_ns instead of run_t0; the fault
	 * state is the timeline's (shared composition counts), not owned */
	bool by_hand;
	int64_t base_ns;
	struct tl_hand *hands; /* the timeline's injections, newest first */
	int next_id;	       /* the next id for an injected firing */
	int n_hands;
};

/* One fault fired by hand: the statement, a scenario that holds only it (so the
 * schedule, the formatting and the records work as for any timeline statement) and
 * its own schedule and state. */
struct tl_hand {
	struct tl_state st;
	struct scn shadow;
	struct scn_event ev;
	struct tl_schedule *sch;
	struct tl_hand *next;
};

static int tl_action_cmp(const void *a, const void *b)
{
	const struct tl_action *x = a, *y = b;
	if (x->t_ms != y->t_ms)
		return x->t_ms < y->t_ms ? -1 : 1;
	if (x->revert != y->revert)
		return x->revert ? -1 : 1;
	return (x->firing > y->firing) - (x->firing < y->firing);
}

static int tl_actions_build(struct tl_state *st)
{
	const struct tl_schedule *sch = st->sch;
	st->act = calloc((size_t)sch->n * 2 + 1, sizeof(*st->act));
	if (!st->act)
		return -1;
	for (int i = 0; i < sch->n; i++) {
		st->act[st->n_act++] = (struct tl_action){sch->v[i].t_ms, i, false};
		if (sch->v[i].revert_ms != TL_NONE)
			st->act[st->n_act++] = (struct tl_action){sch->v[i].revert_ms, i, true};
	}
	qsort(st->act, (size_t)st->n_act, sizeof(*st->act), tl_action_cmp);
	return 0;
}

/* One line of events.jsonl for firing @i. */
static void tl_record(struct tl_state *st, int i, const char *ev, int64_t sched_ns,
		      int64_t start_ns, int64_t end_ns, const char *error)
{
	const struct scn *s = st->scn;
	const struct tl_firing *f = &st->sch->v[i];
	char target[512];
	tl_target_format(s, f, target, sizeof(target));
	json_t *o = json_pack("{s:i,s:s,s:o,s:I,s:I}", "id", f->id, "fault", f->kind->name,
			      "target", jsonl_str(target), "sched_ns", (json_int_t)sched_ns,
			      "took_ns", (json_int_t)(end_ns - start_ns));
	/* without memory the line keeps what could be built: the event itself is news */
	if (o && tl_params_add(s, f, o) == 0 && error)
		jsonl_set(o, "error", jsonl_str(error));
	struct flt_inst *in = &st->inst[i];
	if (o && in->path)
		jsonl_set(o, "path", jsonl_str(in->path));
	if (o && st->by_hand)
		jsonl_set(o, "by", jsonl_str("hand"));
	if (o && in->facts) /* what the revert measured (the relay's counters) */
		json_object_update(o, in->facts);
	json_decref(in->facts);
	in->facts = NULL;
	run_event_obj(st->run, end_ns, "timeline", ev, o);
}

static void tl_do(struct tl_state *st, int i, bool revert, int64_t sched_ns)
{
	struct flt_inst *in = &st->inst[i];
	if (revert && (!in->applied || in->reverted))
		return; /* its apply failed, or a `link up`/the end took care of it */
	int64_t t = ev_now_ns();
	int rc = revert ? flt_revert(st->flt, in) : flt_apply(st->flt, in);
	int64_t done = ev_now_ns();
	if (rc < 0) {
		st->errors++;
		snprintf(st->last_err, sizeof(st->last_err), "#%d %s: %s", st->sch->v[i].id,
			 st->sch->v[i].kind->name, flt_ctx_error(st->flt));
		tl_record(st, i, revert ? "revert-failed" : "apply-failed", sched_ns, t, done,
			  flt_ctx_error(st->flt));
		return;
	}
	revert ? st->reverted++ : st->applied++;
	tl_record(st, i, revert ? "revert" : "apply", sched_ns, t, done, NULL);
}

static int64_t tl_tick(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct tl_state *st = arg;
	int64_t t0 = st->by_hand ? st->base_ns : run_t0(st->run);
	(void)loop;
	(void)now_ns;
	while (st->next < st->n_act) {
		const struct tl_action *a = &st->act[st->next];
		int64_t due = t0 + a->t_ms * 1000000;
		if (due > ev_now_ns()) {
			tl_rt_next(st->rt, due);
			return due;
		}
		st->next++;
		tl_do(st, a->firing, a->revert, due);
	}
	tl_rt_next(st->rt, 0);
	st->timer = 0;
	return -1;
}

static void tl_hand_free(struct tl_hand *h)
{
	free(h->st.inst);
	free(h->st.act);
	tl_schedule_free(h->sch);
	scn_event_release(&h->ev);
	free(h);
}

/* Whether the firings run at real-time priority, one line of events.jsonl. */
static void tl_rt_record(struct tl_state *st)
{
	json_t *o;
	if (tl_rt_on(st->rt))
		o = json_pack("{s:s,s:i,s:I}", "policy", "fifo", "priority", TL_RT_PRIO, "lead_ns",
			      (json_int_t)TL_RT_LEAD_NS);
	else
		o = json_pack("{s:s,s:o}", "policy", "other", "error",
			      jsonl_str(tl_rt_why(st->rt)));
	run_event_obj(st->run, ev_now_ns(), "timeline", "rt", o);
}

static void tl_free(void *arg)
{
	struct tl_state *st = arg;
	tl_stop(st);
	while (st->hands) {
		struct tl_hand *h = st->hands;
		st->hands = h->next;
		tl_hand_free(h);
	}
	tl_rt_free(st->rt);
	flt_ctx_free(st->flt);
	free(st->inst);
	free(st->act);
	free(st);
}

/* The instances of @st's schedule, from @sch's firings of @s. */
static void tl_insts_init(struct tl_state *st, const struct scn *s)
{
	for (int i = 0; i < st->sch->n; i++) {
		const struct tl_firing *f = &st->sch->v[i];
		st->inst[i] = (struct flt_inst){.id = f->id,
						.fault = &s->events[f->event].fault,
						.kind = f->kind,
						.node = f->node,
						.service = f->service,
						.for_ms = f->revert_ms == TL_NONE || f->revert_at_end
							      ? 0
							      : f->revert_ms - f->t_ms};
	}
}

struct tl_state *tl_start(struct run *r, const struct tl_schedule *sch,
			  const struct flt_svc_ops *ops)
{
	if (run_t0(r) <= 0)
		return errno = EINVAL, NULL;
	struct tl_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->run = r;
	st->scn = run_scn(r);
	st->sch = sch;
	st->next_id = sch->n + 1;
	st->inst = calloc((size_t)sch->n + 1, sizeof(*st->inst));
	st->flt = flt_ctx_new(r, ops);
	if (!st->inst || !st->flt || tl_actions_build(st) < 0)
		goto err;
	/* no waker for a timeline with nothing to fire (faults by hand fire off it) */
	st->rt = tl_rt_new(TL_RT_LEAD_NS, st->n_act > 0 ? TL_RT_PRIO : 0);
	if (!st->rt)
		goto err;
	tl_insts_init(st, run_scn(r));
	/* Registered before any apply: popped after every instance's revert. */
	if (run_defer(r, tl_free, st, "timeline") < 0)
		goto err;
	if (st->n_act > 0) {
		int64_t first = run_t0(r) + st->act[0].t_ms * 1000000;
		tl_rt_record(st);
		tl_rt_next(st->rt, first);
		st->timer = ev_timer_add(run_loop(r), first, tl_tick, st);
		if (st->timer < 0)
			return NULL; /* freed by the teardown list */
	}
	return st;
err:
	tl_rt_free(st->rt);
	flt_ctx_free(st->flt);
	free(st->inst);
	free(st->act);
	free(st);
	return NULL;
}

void tl_stop(struct tl_state *st)
{
	if (!st || st->stopped)
		return;
	st->stopped = true;
	for (struct tl_hand *h = st->hands; h; h = h->next)
		tl_stop(&h->st);
	if (st->timer > 0)
		ev_timer_del(run_loop(st->run), st->timer);
	st->timer = 0;
	tl_rt_next(st->rt, 0); /* what is left is not on a deadline */
	if (tl_rt_on(st->rt)) {
		int raises, late;
		tl_rt_counts(st->rt, &raises, &late);
		run_event_obj(st->run, ev_now_ns(), "timeline", "rt-raises",
			      json_pack("{s:i,s:i}", "raises", raises, "late", late));
	}
	/* newest first, as the teardown would */
	int64_t end = ev_now_ns();
	for (int i = st->sch->n - 1; i >= 0; i--) {
		if (flt_inst_end_revert(&st->inst[i]))
			tl_do(st, i, true, end);
	}
}

int tl_applied(const struct tl_state *st)
{
	return st ? st->applied : 0;
}

int tl_reverted(const struct tl_state *st)
{
	return st ? st->reverted : 0;
}

int tl_errors(const struct tl_state *st, char *last, size_t len)
{
	if (last && len)
		snprintf(last, len, "%s", st ? st->last_err : "");
	return st ? st->errors : 0;
}

/* A year: an injected `for` never reaches the end of its one-statement schedule, so
 * only a fault without `for` waits for the end of the run. */
#define TL_HAND_HORIZON_MS (365LL * 86400 * 1000)

/* @h's schedule: its statement expanded (a flap's steps, any(...) picked, a `for`
 * range drawn) from the run's seed and the injection's number, ids renumbered after
 * every id of the run so far. */
static int tl_hand_schedule(struct tl_state *st, struct tl_hand *h)
{
	h->shadow = *st->scn;
	h->shadow.events = &h->ev;
	h->shadow.n_events = 1;
	h->shadow.duration_ms = TL_HAND_HORIZON_MS;
	h->sch = tl_schedule_build(&h->shadow, tl_rng_mix(st->sch->seed ^ tl_rng_mix(
						     (uint64_t)st->n_hands + 0x68616e64)));
	if (!h->sch)
		return -1;
	if (h->sch->n == 0)
		return errno = EINVAL, -1;
	for (int i = 0; i < h->sch->n; i++)
		h->sch->v[i].id = st->next_id + i;
	return 0;
}

static int tl_hand_start(struct tl_state *st, struct tl_hand *h)
{
	struct tl_state *hs = &h->st;

	*hs = (struct tl_state){.run = st->run, .scn = &h->shadow, .sch = h->sch,
				.flt = st->flt, .by_hand = true, .base_ns = ev_now_ns()};
	hs->inst = calloc((size_t)h->sch->n + 1, sizeof(*hs->inst));
	if (!hs->inst || tl_actions_build(hs) < 0)
		return -1;
	tl_insts_init(hs, &h->shadow);
	return 0;
}

int tl_inject(struct tl_state *st, struct scn_event *ev, char *msg, size_t len)
{
	if (st->stopped) {
		snprintf(msg, len, "the run's timeline has ended: nothing more is applied");
		return errno = ESRCH, -1;
	}
	struct tl_hand *h = calloc(1, sizeof(*h));
	if (!h)
		return snprintf(msg, len, "out of memory"), -1;
	h->ev = *ev;
	if (tl_hand_schedule(st, h) < 0 || tl_hand_start(st, h) < 0) {
		int e = errno;
		snprintf(msg, len, "expanding the fault: %s", strerror(e));
		h->ev = (struct scn_event){0}; /* the caller still owns the fault */
		tl_hand_free(h);
		return errno = e, -1;
	}
	*ev = (struct scn_event){0}; /* moved into h */
	h->next = st->hands;
	st->hands = h;
	st->n_hands++;
	st->next_id += h->sch->n;

	struct tl_state *hs = &h->st;
	int64_t next = tl_tick(run_loop(st->run), ev_now_ns(), hs); /* applies what is due now */
	if (next >= 0 && (hs->timer = ev_timer_add(run_loop(st->run), next, tl_tick, hs)) < 0)
		hs->timer = 0;
	char target[512];
	tl_target_format(hs->scn, &h->sch->v[0], target, sizeof(target));
	if (hs->errors) {
		snprintf(msg, len, "#%d %s %s: %s", h->sch->v[0].id, h->sch->v[0].kind->name,
			 target, hs->last_err);
		return errno = EIO, -1;
	}
	const struct tl_firing *f = &h->sch->v[0];
	int n = snprintf(msg, len, "#%d %s %s applied", f->id, f->kind->name, target);
	if (n >= 0 && (size_t)n < len && h->sch->n > 1)
		n += snprintf(msg + n, len - (size_t)n, " (%d steps)", h->sch->n);
	if (n >= 0 && (size_t)n < len && f->revert_ms != TL_NONE)
		snprintf(msg + n, len - (size_t)n, ", reverted in %.3f s",
			 (double)(f->revert_ms - f->t_ms) / 1e3);
	else if (n >= 0 && (size_t)n < len && flt_inst_end_revert(&hs->inst[0]))
		snprintf(msg + n, len - (size_t)n, ", reverted when the run ends");
	return 0;
}

const struct scn *tl_scn(const struct tl_state *st)
{
	return st->scn;
}
