/*
 * sla_detect.c - the metric `detect`: a fault on a backend -> the first load balancer
 * that marks that backend down (fl-lb "backend" events; docs/metrics.md).
 *
 * A backend is any name that some load balancer reported on; a fault is "on" it when
 * the fault's target node has that name. A mark counts for the fault only before the
 * next fault on the same node is applied, so one slow detection cannot be credited to
 * the fault that follows it.
 */
#include <string.h>

#include "sla.h"

static bool sla_is_backend(const struct obs_store *st, const char *node)
{
	if (!*node)
		return false;
	for (size_t i = 0; i < st->n_lb; i++)
		if (st->lb[i].kind == OBS_LB_BACKEND && !strcmp(st->lb[i].backend, node))
			return true;
	return false;
}

/* Next apply of a fault on @node strictly after @t, or INT64_MAX. */
static int64_t sla_next_on(const struct obs_store *st, const char *node, int64_t t)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < st->n_flt; i++)
		if (!strcmp(st->flt[i].node, node) && st->flt[i].apply_ns > t &&
		    st->flt[i].apply_ns < next)
			next = st->flt[i].apply_ns;
	return next;
}

/* First "down" mark of @node in [from, to), or -1. */
static int64_t sla_first_down(const struct obs_store *st, const char *node, int64_t from,
			      int64_t to)
{
	int64_t first = -1;
	for (size_t i = 0; i < st->n_lb; i++) {
		const struct obs_lb *l = &st->lb[i];
		if (l->kind == OBS_LB_BACKEND && !l->up && !strcmp(l->backend, node) &&
		    l->t_ns >= from && l->t_ns < to && (first < 0 || l->t_ns < first))
			first = l->t_ns;
	}
	return first;
}

void sla_detect_metric(const struct obs_store *st, const struct sla_cfg *cfg,
		       struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	int64_t worst = -1;
	bool any = false;
	for (size_t f = 0; f < st->n_flt; f++) {
		const struct obs_fault *flt = &st->flt[f];
		if (flt->apply_ns < w.a || flt->apply_ns >= w.b || !sla_is_backend(st, flt->node))
			continue;
		any = true;
		int64_t t = sla_first_down(st, flt->node, flt->apply_ns,
					   sla_next_on(st, flt->node, flt->apply_ns));
		if (t >= 0 && t - flt->apply_ns > worst)
			worst = t - flt->apply_ns;
	}
	if (worst >= 0)
		out->v[SLA_DETECT] = (struct sla_value){.measured = true, .v = (double)worst / 1e6};
	else
		out->v[SLA_DETECT] = (struct sla_value){
			.why = any ? "no fault on a backend was detected" : "no fault on a backend"};
}
