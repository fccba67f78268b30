/*
 * sla_mask.c - the window of a run and sets of time intervals ("during faults").
 *
 * Invariant of struct sla_mask: intervals are sorted, each has a < b, and two
 * neighbours neither overlap nor touch (they were merged).
 */
#include <errno.h>
#include <stdlib.h>

#include "sla.h"

#define SLA_DEFAULT_ADVERT_NS 1000000000LL /* VRRP's default, RFC 5798 5.2.7 */
#define SLA_DEFAULT_HOLD_ADVERTS 3	   /* as the master-down interval, RFC 5798 6.1 */
#define SLA_DEFAULT_UPTIME_MIN_NS 1000000000LL

void sla_cfg_init(struct sla_cfg *cfg, const struct scn *s, int64_t t0_ns)
{
	cfg->t0_ns = t0_ns;
	cfg->duration_ns = s ? s->duration_ms * 1000000 : 0;
	cfg->advert_ns = 0;
	cfg->hold_adverts = SLA_DEFAULT_HOLD_ADVERTS;
	cfg->uptime_min_ns = SLA_DEFAULT_UPTIME_MIN_NS;
	for (int i = 0; s && i < s->n_services; i++)
		if (s->services[i].kind == SCN_SVC_LB &&
		    s->services[i].advert_ms * 1000000 > cfg->advert_ns)
			cfg->advert_ns = s->services[i].advert_ms * 1000000;
	if (!cfg->advert_ns)
		cfg->advert_ns = SLA_DEFAULT_ADVERT_NS;
	cfg->guests = 0;
	for (int i = 0; s && i < s->n_nodes; i++)
		cfg->guests += s->nodes[i].kind == SCN_NODE_QEMU;
}

struct sla_ival sla_window(const struct sla_cfg *cfg)
{
	return (struct sla_ival){cfg->t0_ns, cfg->t0_ns + cfg->duration_ns};
}

static int sla_ival_cmp(const void *x, const void *y)
{
	const struct sla_ival *a = x, *b = y;
	return a->a < b->a ? -1 : a->a > b->a;
}

int sla_mask_faults(const struct obs_store *st, const struct sla_cfg *cfg,
		    struct sla_mask *out)
{
	struct sla_ival w = sla_window(cfg);
	out->n = 0;
	out->v = calloc(st->n_flt ? st->n_flt : 1, sizeof(*out->v));
	if (!out->v)
		return -1;
	for (size_t i = 0; i < st->n_flt; i++) {
		const struct obs_fault *f = &st->flt[i];
		struct sla_ival v = {f->apply_ns, f->revert_ns == OBS_OPEN ? w.b : f->revert_ns};
		if (v.a < w.a)
			v.a = w.a;
		if (v.b > w.b)
			v.b = w.b;
		if (v.a < v.b)
			out->v[out->n++] = v;
	}
	qsort(out->v, (size_t)out->n, sizeof(*out->v), sla_ival_cmp);
	int m = 0;
	for (int i = 0; i < out->n; i++) {
		if (m && out->v[i].a <= out->v[m - 1].b) {
			if (out->v[i].b > out->v[m - 1].b)
				out->v[m - 1].b = out->v[i].b;
		} else {
			out->v[m++] = out->v[i];
		}
	}
	out->n = m;
	return 0;
}

void sla_mask_release(struct sla_mask *m)
{
	if (!m)
		return;
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

int64_t sla_mask_overlap(const struct sla_mask *m, struct sla_ival i)
{
	int64_t sum = 0;
	for (int k = 0; k < m->n; k++) {
		int64_t a = i.a > m->v[k].a ? i.a : m->v[k].a;
		int64_t b = i.b < m->v[k].b ? i.b : m->v[k].b;
		if (a < b)
			sum += b - a;
	}
	return sum;
}

bool sla_mask_has(const struct sla_mask *m, int64_t t)
{
	for (int k = 0; k < m->n; k++)
		if (t >= m->v[k].a && t < m->v[k].b)
			return true;
	return false;
}
