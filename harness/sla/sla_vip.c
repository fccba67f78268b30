/*
 * sla_vip.c - VIP ownership as seen on the wire: claim intervals per (VIP, node), and
 * the metrics failover, split-brain and vip-moves (docs/metrics.md).
 *
 * Only announcements count: gratuitous ARP, ARP replies and VRRP adverts listing the
 * VIP, whoever sent them (fl-lb, keepalived, anything) - the observer never asks a load
 * balancer what it thinks.
 *
 * Invariant of the claims a node has for one VIP: disjoint and not touching (a new one
 * starts only strictly after the previous one ended), so at any instant the number of
 * active claims of a VIP is the number of distinct nodes claiming it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sla.h"

static int sla_obs_cmp(const void *x, const void *y)
{
	const struct obs_vip *a = *(const struct obs_vip *const *)x;
	const struct obs_vip *b = *(const struct obs_vip *const *)y;
	uint32_t va = ntohl(a->vip.s_addr), vb = ntohl(b->vip.s_addr);
	if (va != vb)
		return va < vb ? -1 : 1;
	int c = strcmp(a->node, b->node);
	if (c)
		return c;
	return a->t_ns < b->t_ns ? -1 : a->t_ns > b->t_ns;
}

static int sla_claim_cmp(const void *x, const void *y)
{
	const struct sla_claim *a = x, *b = y;
	uint32_t va = ntohl(a->vip.s_addr), vb = ntohl(b->vip.s_addr);
	if (va != vb)
		return va < vb ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

static bool sla_is_release(const struct obs_vip *o)
{
	return o->kind == OBS_VIP_VRRP && o->prio == 0;
}

/* Hold time of the VIP of o[0], whose observations are o[0 .. n). */
static int64_t sla_hold(struct obs_vip *const *o, size_t n, const struct sla_cfg *cfg)
{
	int64_t adver = 0;
	for (size_t i = 0; i < n && o[i]->vip.s_addr == o[0]->vip.s_addr; i++)
		if (o[i]->kind == OBS_VIP_VRRP && o[i]->adver_ms * 1000000LL > adver)
			adver = o[i]->adver_ms * 1000000LL;
	return cfg->hold_adverts * (adver ? adver : cfg->advert_ns);
}

/* Sorted copy of the observation pointers of @st (by vip, node, time). */
static struct obs_vip **sla_obs_sorted(const struct obs_store *st)
{
	struct obs_vip **o = malloc((st->n_vip ? st->n_vip : 1) * sizeof(*o));
	if (!o)
		return NULL;
	for (size_t i = 0; i < st->n_vip; i++)
		o[i] = &st->vip[i];
	qsort(o, st->n_vip, sizeof(*o), sla_obs_cmp);
	return o;
}

int sla_claims_build(const struct obs_store *st, const struct sla_cfg *cfg,
		     struct sla_claims *out)
{
	struct obs_vip **o = sla_obs_sorted(st);
	out->n = 0;
	out->v = calloc(st->n_vip ? st->n_vip : 1, sizeof(*out->v));
	if (!o || !out->v) {
		free(o);
		free(out->v);
		out->v = NULL;
		return -1;
	}
	int64_t hold = 0;
	struct sla_claim *cur = NULL;
	for (size_t i = 0; i < st->n_vip; i++) {
		bool new_vip = !i || o[i]->vip.s_addr != o[i - 1]->vip.s_addr;
		if (new_vip)
			hold = sla_hold(o + i, st->n_vip - i, cfg);
		if (new_vip || strcmp(o[i]->node, o[i - 1]->node))
			cur = NULL;
		int64_t t = o[i]->t_ns;
		if (sla_is_release(o[i])) {
			if (cur && t < cur->b)
				cur->b = t > cur->a ? t : cur->a;
			cur = NULL;
			continue;
		}
		if (cur && t <= cur->b) {
			if (t + hold > cur->b)
				cur->b = t + hold;
			continue;
		}
		cur = &out->v[out->n++];
		*cur = (struct sla_claim){.vip = o[i]->vip, .a = t, .b = t + hold};
		memcpy(cur->node, o[i]->node, sizeof(cur->node));
	}
	/* a claim released at its own start lasted nothing: drop it */
	int m = 0;
	for (int i = 0; i < out->n; i++)
		if (out->v[i].b > out->v[i].a)
			out->v[m++] = out->v[i];
	out->n = m;
	qsort(out->v, (size_t)out->n, sizeof(*out->v), sla_claim_cmp);
	free(o);
	return 0;
}

void sla_claims_release(struct sla_claims *c)
{
	if (!c)
		return;
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

struct sla_edge {
	int64_t t;
	int d; /* +1 a claim starts, -1 one ends */
};

static int sla_edge_cmp(const void *x, const void *y)
{
	const struct sla_edge *a = x, *b = y;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->d - b->d; /* ends first: touching claims never overlap */
}

/* Time inside @mask during which two or more nodes claimed the VIP of c[0 .. n). */
static int64_t sla_split_one(const struct sla_claim *c, int n, const struct sla_mask *mask,
			     struct sla_edge *e)
{
	int ne = 0;
	for (int i = 0; i < n; i++) {
		e[ne++] = (struct sla_edge){c[i].a, +1};
		e[ne++] = (struct sla_edge){c[i].b, -1};
	}
	qsort(e, (size_t)ne, sizeof(*e), sla_edge_cmp);
	int64_t sum = 0;
	int active = 0;
	for (int i = 0; i < ne; i++) {
		if (active >= 2 && i > 0)
			sum += sla_mask_overlap(mask, (struct sla_ival){e[i - 1].t, e[i].t});
		active += e[i].d;
	}
	return sum;
}

/* split-brain and vip-moves over the claims. */
static int sla_split(const struct sla_claims *c, const struct sla_mask *mask,
		     struct sla_metrics *out)
{
	struct sla_edge *e = malloc((size_t)(2 * c->n + 1) * sizeof(*e));
	if (!e)
		return -1;
	int64_t split = 0;
	int moves = 0;
	for (int i = 0, j; i < c->n; i = j) {
		for (j = i + 1; j < c->n && c->v[j].vip.s_addr == c->v[i].vip.s_addr; j++)
			if (strcmp(c->v[j].node, c->v[j - 1].node) && sla_mask_has(mask, c->v[j].a))
				moves++;
		split += sla_split_one(c->v + i, j - i, mask, e);
	}
	free(e);
	out->v[SLA_SPLIT_BRAIN] = (struct sla_value){.measured = true, .v = (double)split / 1e6};
	out->v[SLA_VIP_MOVES] = (struct sla_value){.measured = true, .v = moves};
	return 0;
}

/* The node holding @vip at @t: the latest announcer among nodes with an active claim,
 * else the latest announcer before @t; NULL when nobody announced it before. */
static const char *sla_holder(struct obs_vip *const *o, size_t n, const struct sla_claims *c,
			      struct in_addr vip, int64_t t)
{
	const struct obs_vip *latest = NULL, *active = NULL;
	for (size_t i = 0; i < n; i++) {
		if (o[i]->vip.s_addr != vip.s_addr || o[i]->t_ns > t || sla_is_release(o[i]))
			continue;
		if (!latest || o[i]->t_ns >= latest->t_ns)
			latest = o[i];
		for (int k = 0; k < c->n; k++)
			if (c->v[k].vip.s_addr == vip.s_addr && !strcmp(c->v[k].node, o[i]->node) &&
			    c->v[k].a <= t && t < c->v[k].b &&
			    (!active || o[i]->t_ns >= active->t_ns))
				active = o[i];
	}
	return active ? active->node : latest ? latest->node : NULL;
}

/* First announcement of @vip in [from, to) by a node other than @holder; -1 if none. */
static int64_t sla_first_other(struct obs_vip *const *o, size_t n, struct in_addr vip,
			       const char *holder, int64_t from, int64_t to)
{
	int64_t first = -1;
	for (size_t i = 0; i < n; i++)
		if (o[i]->vip.s_addr == vip.s_addr && !sla_is_release(o[i]) &&
		    o[i]->t_ns >= from && o[i]->t_ns < to && strcmp(o[i]->node, holder) &&
		    (first < 0 || o[i]->t_ns < first))
			first = o[i]->t_ns;
	return first;
}

/* The next fault apply strictly after @t, or INT64_MAX. */
static int64_t sla_next_apply(const struct obs_store *st, int64_t t)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < st->n_flt; i++)
		if (st->flt[i].apply_ns > t && st->flt[i].apply_ns < next)
			next = st->flt[i].apply_ns;
	return next;
}

/* failover: max over (fault, VIP) of fault apply -> first announcement by another node. */
static void sla_failover(const struct obs_store *st, struct obs_vip *const *o,
			 const struct sla_claims *c, const struct sla_cfg *cfg,
			 struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	int64_t worst = -1;
	for (size_t f = 0; f < st->n_flt; f++) {
		int64_t t = st->flt[f].apply_ns, next = sla_next_apply(st, t);
		if (t < w.a || t >= w.b)
			continue;
		for (int k = 0; k < c->n; k++) {
			if (k && c->v[k].vip.s_addr == c->v[k - 1].vip.s_addr)
				continue; /* one pass per VIP */
			const char *holder = sla_holder(o, st->n_vip, c, c->v[k].vip, t);
			int64_t moved = holder ? sla_first_other(o, st->n_vip, c->v[k].vip,
								 holder, t, next) : -1;
			if (moved >= 0 && moved - t > worst)
				worst = moved - t;
		}
	}
	if (worst >= 0)
		out->v[SLA_FAILOVER] = (struct sla_value){.measured = true, .v = (double)worst / 1e6};
	else
		out->v[SLA_FAILOVER] = (struct sla_value){.why = "no fault moved a VIP"};
}

int sla_vip_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		    const struct sla_mask *mask, struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	struct sla_mask whole = {&w, 1};
	if (!st->n_vip) {
		const char *why = "no VIP announced on the wire";
		out->v[SLA_FAILOVER] = (struct sla_value){.why = why};
		out->v[SLA_SPLIT_BRAIN] = (struct sla_value){.why = why};
		out->v[SLA_VIP_MOVES] = (struct sla_value){.why = why};
		return 0;
	}
	struct sla_claims c;
	if (sla_claims_build(st, cfg, &c) < 0)
		return -1;
	struct obs_vip **o = sla_obs_sorted(st);
	int rc = o ? sla_split(&c, mask ? mask : &whole, out) : -1;
	if (rc == 0)
		sla_failover(st, o, &c, cfg, out);
	free(o);
	sla_claims_release(&c);
	return rc;
}
