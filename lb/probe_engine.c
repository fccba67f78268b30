/*
 * probe_engine.c - fl-probe's open-loop schedule and the life of a probe (probe.h).
 *
 * One timer fires at each probe's due time; a probe that cannot start (no memory, no
 * fd, max_inflight running) ends at once as error, as in fl-load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

struct probe {
	struct loop *loop;
	const struct probe_cfg *cfg;
	const struct probe_kind *kind;
	const struct probe_hooks *hooks;
	void *arg;
	struct loop_timer tick;
	uint64_t start_ns, next;
	unsigned inflight;
	bool stopping, ready_said;
};

static const struct probe_kind *probe_kind_find(enum probe_kind_id id)
{
	static const struct probe_kind *const kinds[] = {&probe_kind_tcp, &probe_kind_udp,
							 &probe_kind_dns, &probe_kind_exec, NULL};

	for (int i = 0; kinds[i]; i++)
		if (kinds[i]->id == id)
			return kinds[i];
	return NULL;
}

const struct probe_cfg *probe_cfg_of(const struct probe_req *q)
{
	return q->pr->cfg;
}

struct loop *probe_loop_of(const struct probe_req *q)
{
	return q->pr->loop;
}

void probe_req_close_fd(struct probe_req *q)
{
	if (q->fd < 0)
		return;
	loop_fd_del(q->pr->loop, q->fd);
	close(q->fd);
	q->fd = -1;
}

bool probe_reply_ok(const struct probe_req *q)
{
	const char *e = q->pr->cfg->expect;

	if (!e || !*e)
		return q->got > 0 || q->pr->cfg->kind == PROBE_TCP;
	return memmem(q->buf, q->got, e, strlen(e)) != NULL;
}

static void probe_record(struct probe *pr, uint64_t sched, uint64_t start, enum load_outcome o,
			 uint64_t bytes)
{
	struct load_record r = {.sched_ns = sched, .start_ns = start, .outcome = o, .bytes = bytes};

	r.end_ns = loop_now_ns();
	pr->hooks->record(&r, pr->arg);
}

static void probe_maybe_done(struct probe *pr)
{
	if (pr->stopping && !pr->inflight && !loop_timer_is_armed(&pr->tick))
		pr->hooks->done(pr->arg);
}

void probe_req_end(struct probe_req *q, enum load_outcome o)
{
	struct probe *pr = q->pr;

	loop_timer_cancel(pr->loop, &q->timeout);
	probe_req_close_fd(q);
	probe_record(pr, q->sched_ns, q->start_ns, o, q->got);
	free(q);
	pr->inflight--;
	probe_maybe_done(pr);
}

static void probe_timeout_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct probe_req *q = arg;

	(void)loop;
	(void)t;
	probe_req_end(q, q->pr->kind->abort(q));
}

/* Start probe @seq, due at @sched. */
static void probe_one(struct probe *pr, uint64_t seq, uint64_t sched)
{
	uint64_t now = loop_now_ns();
	struct probe_req *q = NULL;

	if (pr->inflight >= pr->cfg->max_inflight || !(q = calloc(1, sizeof(*q)))) {
		probe_record(pr, sched, now, LOAD_ERROR, 0);
		return;
	}
	q->pr = pr;
	q->seq = seq;
	q->sched_ns = sched;
	q->start_ns = now;
	q->fd = -1;
	loop_timer_init(&q->timeout, probe_timeout_cb, q);
	pr->inflight++;
	if (loop_timer_arm(pr->loop, &q->timeout, now + pr->cfg->timeout_ns) == -1 ||
	    pr->kind->start(q) == -1) {
		probe_req_end(q, load_outcome_errno(errno, true));
		return;
	}
	if (!pr->ready_said && (pr->ready_said = true))
		pr->hooks->ready(pr->arg);
}

static void probe_tick_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct probe *pr = arg;
	uint64_t now = loop_now_ns(), due;

	while ((due = load_sched_ns(pr->start_ns, pr->cfg->rate_milli, pr->next)) <= now) {
		if (pr->cfg->duration_ns && due - pr->start_ns >= pr->cfg->duration_ns) {
			probe_stop(pr);
			return;
		}
		probe_one(pr, pr->next++, due);
		if (pr->stopping)
			return;
	}
	loop_timer_arm(loop, t, due);
}

struct probe *probe_new(struct loop *loop, const struct probe_cfg *cfg,
			const struct probe_hooks *hooks, void *arg)
{
	struct probe *pr;
	const struct probe_kind *k = probe_kind_find(cfg->kind);

	if (!k || !cfg->rate_milli || !cfg->timeout_ns || !cfg->max_inflight) {
		errno = EINVAL;
		return NULL;
	}
	if (!(pr = calloc(1, sizeof(*pr))))
		return NULL;
	*pr = (struct probe){.loop = loop, .cfg = cfg, .kind = k, .hooks = hooks, .arg = arg};
	loop_timer_init(&pr->tick, probe_tick_cb, pr);
	return pr;
}

int probe_start(struct probe *pr)
{
	pr->start_ns = loop_now_ns();
	return loop_timer_arm(pr->loop, &pr->tick, pr->start_ns);
}

void probe_stop(struct probe *pr)
{
	pr->stopping = true;
	loop_timer_cancel(pr->loop, &pr->tick);
	probe_maybe_done(pr);
}

void probe_free(struct probe *pr)
{
	if (pr)
		loop_timer_cancel(pr->loop, &pr->tick);
	free(pr);
}
