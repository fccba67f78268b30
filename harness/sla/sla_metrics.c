/*
 * sla_metrics.c - the metric table and the metrics computed from the client's request
 * log: success, errors, requests, per-outcome counts, p50/p99/max, outage,
 * longest-outage, uptime (definitions: docs/metrics.md), over every client's requests
 * or over one client's (the requests read from its log, obs_req.log).
 *
 * Open loop: a request belongs to the window in which it was *scheduled* (sched_ns),
 * whatever happened to the ones before it, so a stalled server cannot hide failures by
 * slowing the client down (no coordinated omission).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sla.h"

static const struct {
	const char *name;
	enum scn_unit unit;
} sla_metrics[SLA_METRIC__MAX] = {
	[SLA_SUCCESS] = {"success", SCN_UNIT_PERCENT},
	[SLA_ERRORS] = {"errors", SCN_UNIT_COUNT},
	[SLA_REQUESTS] = {"requests", SCN_UNIT_COUNT},
	[SLA_REFUSED] = {"refused", SCN_UNIT_COUNT},
	[SLA_RESET] = {"reset", SCN_UNIT_COUNT},
	[SLA_TIMEOUT] = {"timeout", SCN_UNIT_COUNT},
	[SLA_CONNECT_TIMEOUT] = {"connect-timeout", SCN_UNIT_COUNT},
	[SLA_BAD_BODY] = {"bad-body", SCN_UNIT_COUNT},
	[SLA_BAD_STATUS] = {"bad-status", SCN_UNIT_COUNT},
	[SLA_P50] = {"p50", SCN_UNIT_MS},
	[SLA_P99] = {"p99", SCN_UNIT_MS},
	[SLA_MAX] = {"max", SCN_UNIT_MS},
	[SLA_OUTAGE] = {"outage", SCN_UNIT_MS},
	[SLA_LONGEST_OUTAGE] = {"longest-outage", SCN_UNIT_MS},
	[SLA_UPTIME] = {"uptime", SCN_UNIT_PERCENT},
	[SLA_FAILOVER] = {"failover", SCN_UNIT_MS},
	[SLA_SPLIT_BRAIN] = {"split-brain", SCN_UNIT_MS},
	[SLA_VIP_MOVES] = {"vip-moves", SCN_UNIT_COUNT},
	[SLA_DETECT] = {"detect", SCN_UNIT_MS},
	[SLA_RETRANSMITS] = {"retransmits", SCN_UNIT_COUNT},
	[SLA_FRAG_NEEDED] = {"frag-needed", SCN_UNIT_COUNT},
	[SLA_KERNEL_WARNINGS] = {"kernel-warnings", SCN_UNIT_COUNT},
	[SLA_KW_SOFT_LOCKUP] = {"kernel-warnings-soft-lockup", SCN_UNIT_COUNT},
	[SLA_KW_HARD_LOCKUP] = {"kernel-warnings-hard-lockup", SCN_UNIT_COUNT},
	[SLA_KW_RCU_STALL] = {"kernel-warnings-rcu-stall", SCN_UNIT_COUNT},
	[SLA_KW_HUNG_TASK] = {"kernel-warnings-hung-task", SCN_UNIT_COUNT},
	[SLA_KW_WARNING] = {"kernel-warnings-warning", SCN_UNIT_COUNT},
	[SLA_KW_BUG] = {"kernel-warnings-bug", SCN_UNIT_COUNT},
	[SLA_KW_CLOCKSOURCE] = {"kernel-warnings-clocksource", SCN_UNIT_COUNT},
	[SLA_KW_NETDEV_WATCHDOG] = {"kernel-warnings-netdev-watchdog", SCN_UNIT_COUNT},
	[SLA_KW_IRQ_NOBODY] = {"kernel-warnings-irq-nobody-cared", SCN_UNIT_COUNT},
};

const char *sla_metric_name(enum sla_metric m)
{
	return m > 0 && m < SLA_METRIC__MAX ? sla_metrics[m].name : NULL;
}

enum sla_metric sla_metric_find(const char *name)
{
	for (int m = 1; m < SLA_METRIC__MAX; m++)
		if (!strcmp(sla_metrics[m].name, name))
			return m;
	return 0;
}

enum scn_unit sla_metric_unit(enum sla_metric m)
{
	return m > 0 && m < SLA_METRIC__MAX ? sla_metrics[m].unit : 0;
}

static void sla_set(struct sla_metrics *out, enum sla_metric m, double v)
{
	out->v[m] = (struct sla_value){.measured = true, .v = v};
}

static void sla_unset(struct sla_metrics *out, enum sla_metric m, const char *why)
{
	out->v[m] = (struct sla_value){.measured = false, .why = why};
}

static int sla_req_cmp_sched(const void *x, const void *y)
{
	const struct obs_req *a = *(const struct obs_req *const *)x;
	const struct obs_req *b = *(const struct obs_req *const *)y;
	return a->sched_ns < b->sched_ns ? -1 : a->sched_ns > b->sched_ns;
}

static int sla_i64_cmp(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* The longest piece of @i inside one interval of @m. */
static int64_t sla_longest_piece(const struct sla_mask *m, struct sla_ival i)
{
	int64_t best = 0;
	for (int k = 0; k < m->n; k++) {
		int64_t a = i.a > m->v[k].a ? i.a : m->v[k].a;
		int64_t b = i.b < m->v[k].b ? i.b : m->v[k].b;
		if (b - a > best)
			best = b - a;
	}
	return best;
}

/* Nearest rank: the smallest value with at least @p percent of @v at or below it. */
static int64_t sla_rank(const int64_t *v, size_t n, int p)
{
	size_t r = ((size_t)p * n + 99) / 100;
	return v[r ? r - 1 : 0];
}

/* Counts and latency percentiles of the requests in @mask (@r sorted, @n of them). */
static int sla_counts(struct obs_req **r, size_t n, const struct sla_mask *mask,
		      struct sla_metrics *out)
{
	size_t per[OBS_OUTCOME__MAX] = {0}, total = 0, nok = 0;
	int64_t *lat = malloc((n ? n : 1) * sizeof(*lat));
	if (!lat)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!sla_mask_has(mask, r[i]->sched_ns))
			continue;
		total++;
		per[r[i]->outcome]++;
		if (r[i]->outcome == OBS_OK)
			lat[nok++] = r[i]->latency_us;
	}
	static const struct {
		enum sla_metric m;
		enum obs_outcome o;
	} map[] = {{SLA_REFUSED, OBS_REFUSED},	       {SLA_RESET, OBS_RESET},
		   {SLA_TIMEOUT, OBS_TIMEOUT},	       {SLA_CONNECT_TIMEOUT, OBS_CONNECT_TIMEOUT},
		   {SLA_BAD_BODY, OBS_BAD_BODY},       {SLA_BAD_STATUS, OBS_BAD_STATUS}};
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		sla_set(out, map[k].m, (double)per[map[k].o]);
	sla_set(out, SLA_REQUESTS, (double)total);
	sla_set(out, SLA_ERRORS, (double)(total - nok));
	if (total)
		sla_set(out, SLA_SUCCESS, 100.0 * (double)nok / (double)total);
	else
		sla_unset(out, SLA_SUCCESS, "no request scheduled in the window");
	qsort(lat, nok, sizeof(*lat), sla_i64_cmp);
	if (nok) {
		sla_set(out, SLA_P50, (double)sla_rank(lat, nok, 50) / 1000.0);
		sla_set(out, SLA_P99, (double)sla_rank(lat, nok, 99) / 1000.0);
		sla_set(out, SLA_MAX, (double)lat[nok - 1] / 1000.0);
	} else {
		sla_unset(out, SLA_P50, "no successful request");
		sla_unset(out, SLA_P99, "no successful request");
		sla_unset(out, SLA_MAX, "no successful request");
	}
	free(lat);
	return 0;
}

/*
 * outage and uptime: a failure run starts at the scheduled time of a failed request
 * that follows a success (or opens the window) and ends at the scheduled time of the
 * next successful request, or at the window's end.
 */
static void sla_outages(struct obs_req **r, size_t n, const struct sla_cfg *cfg,
			const struct sla_mask *mask, struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	int64_t longest = 0, down = 0, start = -1;
	for (size_t i = 0; i <= n; i++) {
		bool end = i == n;
		if (!end && r[i]->outcome != OBS_OK) {
			if (start < 0)
				start = r[i]->sched_ns;
			continue;
		}
		if (start >= 0) {
			struct sla_ival run = {start, end ? w.b : r[i]->sched_ns};
			int64_t piece = sla_longest_piece(mask, run);
			if (piece > longest)
				longest = piece;
			if (run.b - run.a >= cfg->uptime_min_ns)
				down += sla_mask_overlap(mask, run);
			start = -1;
		}
	}
	int64_t span = sla_mask_overlap(mask, w);
	sla_set(out, SLA_OUTAGE, (double)longest / 1e6);
	if (span > 0)
		sla_set(out, SLA_UPTIME, 100.0 * (1.0 - (double)down / (double)span));
	else
		sla_unset(out, SLA_UPTIME, "empty window");
}

/* Which requests: every one (log -1), those read from request log @log (> 0), or none
 * (0: the client wrote no log; a request not known to come from one is no client's). */
static bool sla_req_of(const struct obs_req *r, int log)
{
	return log < 0 || (log > 0 && r->log == log);
}

/* longest-outage: the longest gap between completions of successful requests. */
static int sla_completion_gap(const struct obs_store *st, const struct sla_cfg *cfg,
			      const struct sla_mask *mask, int log, struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	int64_t *t = malloc((st->n_req + 2) * sizeof(*t));
	if (!t)
		return -1;
	size_t n = 0;
	t[n++] = w.a;
	for (size_t i = 0; i < st->n_req; i++)
		if (st->req[i].outcome == OBS_OK && st->req[i].end_ns > w.a &&
		    st->req[i].end_ns < w.b && sla_req_of(&st->req[i], log))
			t[n++] = st->req[i].end_ns;
	t[n++] = w.b;
	qsort(t, n, sizeof(*t), sla_i64_cmp);
	int64_t longest = 0;
	for (size_t i = 1; i < n; i++) {
		int64_t piece = sla_longest_piece(mask, (struct sla_ival){t[i - 1], t[i]});
		if (piece > longest)
			longest = piece;
	}
	sla_set(out, SLA_LONGEST_OUTAGE, (double)longest / 1e6);
	free(t);
	return 0;
}

/* The request metrics of the requests of @log (-1: all). */
static int sla_req_metrics_of(const struct obs_store *st, const struct sla_cfg *cfg,
			      const struct sla_mask *mask, int log, struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	struct sla_mask whole = {&w, 1};
	if (!mask)
		mask = &whole;
	struct obs_req **r = malloc((st->n_req ? st->n_req : 1) * sizeof(*r));
	if (!r)
		return -1;
	size_t n = 0, in_mask = 0;
	for (size_t i = 0; i < st->n_req; i++) {
		if (st->req[i].sched_ns < w.a || st->req[i].sched_ns >= w.b ||
		    !sla_req_of(&st->req[i], log))
			continue;
		r[n++] = &st->req[i];
		in_mask += sla_mask_has(mask, st->req[i].sched_ns);
	}
	qsort(r, n, sizeof(*r), sla_req_cmp_sched);
	int rc = sla_counts(r, n, mask, out);
	if (rc == 0 && in_mask) {
		sla_outages(r, n, cfg, mask, out);
		rc = sla_completion_gap(st, cfg, mask, log, out);
	} else if (rc == 0) {
		const char *why = "no request scheduled in the window";
		sla_unset(out, SLA_OUTAGE, why);
		sla_unset(out, SLA_LONGEST_OUTAGE, why);
		sla_unset(out, SLA_UPTIME, why);
	}
	free(r);
	return rc;
}

int sla_req_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		    const struct sla_mask *mask, struct sla_metrics *out)
{
	return sla_req_metrics_of(st, cfg, mask, -1, out);
}

bool sla_metric_per_client(enum sla_metric m)
{
	return m >= SLA_SUCCESS && m <= SLA_UPTIME;
}

int sla_client_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		       const struct sla_mask *mask, int log, struct sla_metrics *out)
{
	memset(out, 0, sizeof(*out));
	for (int m = 1; m < SLA_METRIC__MAX; m++)
		if (!sla_metric_per_client(m))
			sla_unset(out, m, "not a per-client metric");
	return sla_req_metrics_of(st, cfg, mask, log > 0 ? log : 0, out);
}

/* retransmits and frag-needed: marks seen on the wire inside the mask. */
static void sla_marks(const struct obs_store *st, const struct sla_mask *mask,
		      struct sla_metrics *out)
{
	size_t retrans = 0, frag = 0;
	for (size_t i = 0; i < st->n_mark; i++) {
		if (!sla_mask_has(mask, st->mark[i].t_ns))
			continue;
		retrans += st->mark[i].kind == OBS_MARK_RETRANS;
		frag += st->mark[i].kind == OBS_MARK_FRAG_NEEDED;
	}
	sla_set(out, SLA_RETRANSMITS, (double)retrans);
	sla_set(out, SLA_FRAG_NEEDED, (double)frag);
}

/*
 * kernel-warnings and one per class: what the guest kernels said about their health
 * (their consoles, node_qemu_console.c). Without a mask the whole run counts, boot
 * included, since a kernel's trouble while booting is what a regression test is for;
 * with one only what fell inside it. Not measured in a run without guests.
 */
static void sla_kernel(const struct obs_store *st, const struct sla_cfg *cfg,
		       const struct sla_mask *mask, struct sla_metrics *out)
{
	size_t n[OBS_KW__MAX] = {0}, all = 0;
	if (!cfg->guests) {
		for (int k = 0; k < OBS_KW__MAX; k++)
			sla_unset(out, (enum sla_metric)(SLA_KERNEL_WARNINGS + k), "no guest in the run");
		return;
	}
	for (size_t i = 0; i < st->n_kw; i++)
		if (!mask || sla_mask_has(mask, st->kw[i].t_ns)) {
			n[st->kw[i].cls]++;
			all++;
		}
	sla_set(out, SLA_KERNEL_WARNINGS, (double)all);
	for (int k = 1; k < OBS_KW__MAX; k++)
		sla_set(out, (enum sla_metric)(SLA_KERNEL_WARNINGS + k), (double)n[k]);
}

int sla_metrics_compute(const struct obs_store *st, const struct sla_cfg *cfg,
			const struct sla_mask *mask, struct sla_metrics *out)
{
	struct sla_ival w = sla_window(cfg);
	struct sla_mask whole = {&w, 1};
	memset(out, 0, sizeof(*out));
	if (sla_req_metrics(st, cfg, mask, out) < 0 || sla_vip_metrics(st, cfg, mask, out) < 0)
		return -1;
	sla_detect_metric(st, cfg, out);
	sla_marks(st, mask ? mask : &whole, out);
	sla_kernel(st, cfg, mask, out);
	return 0;
}
