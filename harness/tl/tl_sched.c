/*
 * tl_sched.c - expansion of the timeline statements into a sorted schedule, and the
 * text forms of a firing. Pure: no I/O, no clock; the rules are documented in tl.h.
 *
 * Invariant: a built schedule is sorted by (t_ms, generation order) and ids are
 * 1..n in that order; revert_ms is either TL_NONE or in (t_ms, duration_ms).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl.h"

/* A firing being generated, with its generation number for a stable sort. */
struct tl_gen {
	struct tl_schedule *sch;
	long *order;
	int cap;
	long seq;
};

static int tl_push(struct tl_gen *g, const struct tl_firing *f)
{
	if (g->sch->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 64;
		struct tl_firing *v = realloc(g->sch->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		g->sch->v = v;
		long *o = realloc(g->order, (size_t)cap * sizeof(*o));
		if (!o)
			return -1;
		g->order = o;
		g->cap = cap;
	}
	g->order[g->sch->n] = g->seq++;
	g->sch->v[g->sch->n++] = *f;
	return 0;
}

/* The service called like @fa's on @node (the parser made sure every candidate has one). */
static int tl_service_of(const struct scn *s, int node, const struct scn_fault *fa)
{
	if (fa->target.n_nodes > 0 && node == fa->target.nodes[0])
		return fa->service;
	for (int i = 0; i < s->n_services; i++)
		if (s->services[i].node == node && !strcmp(s->services[i].name, fa->svc_name))
			return i;
	return -1;
}

/* The revert time for a firing at @t lasting @d ms (TL_NONE for no `for`). */
static void tl_set_revert(struct tl_firing *f, int64_t t, int64_t d, int64_t duration)
{
	f->revert_at_end = false;
	f->revert_ms = TL_NONE;
	if (d < 0)
		return;
	if (t + d >= duration)
		f->revert_at_end = true;
	else
		f->revert_ms = t + d;
}

/* One occurrence of statement @e at @t: pick the target, draw the duration, push. */
static int tl_occur(struct tl_gen *g, const struct scn *s, int ei, struct tl_rng *rng,
		    int64_t t)
{
	const struct scn_event *e = &s->events[ei];
	const struct scn_fault *fa = &e->fault;
	struct tl_firing f;

	memset(&f, 0, sizeof(f)); /* padding too: equal schedules are equal bytes */
	f.event = ei;
	f.kind = fa->kind;
	f.node = -1;
	f.service = -1;

	if (fa->target.n_nodes == 1)
		f.node = fa->target.nodes[0];
	else if (fa->target.n_nodes > 1)
		f.node = fa->target.nodes[tl_rng_below(rng, (uint64_t)fa->target.n_nodes)];
	int64_t d = -1;
	if (e->has_for) {
		d = e->for_min_ms;
		if (e->for_max_ms > e->for_min_ms)
			d += (int64_t)tl_rng_below(rng, (uint64_t)(e->for_max_ms - e->for_min_ms + 1));
	}
	if (fa->svc_name[0])
		f.service = tl_service_of(s, f.node, fa);
	if (!fa->kind->step) {
		f.t_ms = t;
		tl_set_revert(&f, t, d, s->duration_ms);
		return tl_push(g, &f);
	}
	f.kind = fa->kind->step; /* flap: n link downs, each ms[0] long, every ms[0]+ms[1] */
	f.steps = (int)fa->n;
	for (int k = 0; k < f.steps; k++) {
		f.t_ms = t + k * (fa->ms[0] + fa->ms[1]);
		if (f.t_ms >= s->duration_ms)
			break;
		f.step = k + 1;
		tl_set_revert(&f, f.t_ms, fa->ms[0], s->duration_ms);
		if (tl_push(g, &f))
			return -1;
	}
	return 0;
}

static int tl_expand(struct tl_gen *g, const struct scn *s, int ei, uint64_t seed)
{
	const struct scn_event *e = &s->events[ei];
	struct tl_rng rng;
	tl_rng_init(&rng, seed, (uint64_t)ei);
	int64_t until = e->until_ms < s->duration_ms ? e->until_ms : s->duration_ms;

	switch (e->sched) {
	case SCN_AT:
		return e->at_ms < s->duration_ms ? tl_occur(g, s, ei, &rng, e->at_ms) : 0;
	case SCN_EVERY:
		if (e->every_ms <= 0)
			return errno = EINVAL, -1;
		for (int64_t t = e->from_ms; t < until; t += e->every_ms)
			if (tl_occur(g, s, ei, &rng, t))
				return -1;
		return 0;
	case SCN_RANDOM:
		if (e->per_hour <= 0)
			return 0;
		for (double t = (double)e->from_ms;;) {
			t += tl_rng_exp(&rng, 3600000.0 / e->per_hour);
			if (t >= (double)until)
				return 0;
			if (tl_occur(g, s, ei, &rng, (int64_t)t))
				return -1;
		}
	}
	return errno = EINVAL, -1;
}

/* Sort key: time, then generation order. An index sort keeps it stable and simple. */
static const struct tl_gen *tl_sort_gen;

static int tl_cmp(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	const struct tl_firing *v = tl_sort_gen->sch->v;
	if (v[i].t_ms != v[j].t_ms)
		return v[i].t_ms < v[j].t_ms ? -1 : 1;
	long oi = tl_sort_gen->order[i], oj = tl_sort_gen->order[j];
	return (oi > oj) - (oi < oj);
}

static int tl_sort(struct tl_gen *g)
{
	int n = g->sch->n;
	if (n == 0)
		return 0;
	int *idx = malloc((size_t)n * sizeof(*idx));
	struct tl_firing *out = malloc((size_t)n * sizeof(*out));
	if (!idx || !out) {
		free(idx);
		free(out);
		return -1;
	}
	for (int i = 0; i < n; i++)
		idx[i] = i;
	tl_sort_gen = g;
	qsort(idx, (size_t)n, sizeof(*idx), tl_cmp);
	tl_sort_gen = NULL;
	for (int i = 0; i < n; i++) {
		out[i] = g->sch->v[idx[i]];
		out[i].id = i + 1;
	}
	free(g->sch->v);
	g->sch->v = out;
	free(idx);
	return 0;
}

struct tl_schedule *tl_schedule_build(const struct scn *s, uint64_t seed)
{
	struct tl_schedule *sch = calloc(1, sizeof(*sch));
	if (!sch)
		return NULL;
	sch->seed = seed;
	sch->duration_ms = s->duration_ms;
	struct tl_gen g = {.sch = sch};
	for (int i = 0; i < s->n_events; i++)
		if (tl_expand(&g, s, i, seed))
			goto err;
	if (tl_sort(&g))
		goto err;
	free(g.order);
	return sch;
err:
	free(g.order);
	tl_schedule_free(sch);
	return NULL;
}

void tl_schedule_free(struct tl_schedule *sch)
{
	if (!sch)
		return;
	free(sch->v);
	free(sch);
}
