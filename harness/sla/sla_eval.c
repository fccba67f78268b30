/*
 * sla_eval.c - the verdict on each `expect`, and the result every report writer reads.
 *
 * Rules (docs/metrics.md, "Verdicts"):
 *  - the measured value is compared exactly with the expected one, in the metric's unit;
 *  - a metric without a value in this run (no VIP move, no request ...) is
 *    SLA_UNMEASURED and fails whatever the operator: an expectation nobody could check
 *    must not turn a CI run green;
 *  - an unknown metric, an unknown scope or a value in the wrong unit is SLA_INVALID
 *    (also failed; the CLI may treat it as bad input), and so is 'of' naming a service
 *    that is no client or a metric that is not measured per client;
 *  - 'of CLIENT' judges the client's own request metrics (struct sla_client: the
 *    requests read from its request log), 'during faults' as without it.
 *  - the run's outcome (docs/metrics.md, "The run's verdict"): when an expectation is
 *    marked 'fails' the run is a reproduction, "reproduced" when every expectation is as
 *    its mark wants (sla_want_met) and "not reproduced" otherwise; any other run is
 *    "pass" or "fail" the same way, so 'may fail' alone only excuses its expectation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sla.h"

#define SLA_SCOPE_FAULTS "during faults"

const char *sla_status_name(enum sla_status s)
{
	switch (s) {
	case SLA_PASS: return "pass";
	case SLA_FAIL: return "FAIL";
	case SLA_UNMEASURED: return "not measured";
	case SLA_INVALID: return "invalid";
	}
	return "?";
}

const char *sla_outcome_name(enum sla_outcome o)
{
	switch (o) {
	case SLA_OUT_PASS: return "pass";
	case SLA_OUT_FAIL: return "fail";
	case SLA_OUT_REPRODUCED: return "reproduced";
	case SLA_OUT_NOT_REPRODUCED: return "not reproduced";
	}
	return "?";
}

bool sla_want_met(enum scn_want want, enum sla_status status)
{
	switch (want) {
	case SCN_WANT_PASS: return status == SLA_PASS;
	case SCN_WANT_FAIL: return status == SLA_FAIL;
	case SCN_WANT_EITHER: return status != SLA_INVALID;
	}
	return false;
}

enum sla_status sla_judge(const struct sla_value *got, enum scn_op op, double want)
{
	if (!got->measured)
		return SLA_UNMEASURED;
	bool ok;
	switch (op) {
	case SCN_OP_LT: ok = got->v < want; break;
	case SCN_OP_LE: ok = got->v <= want; break;
	case SCN_OP_EQ: ok = got->v == want; break;
	case SCN_OP_GE: ok = got->v >= want; break;
	case SCN_OP_GT: ok = got->v > want; break;
	default: return SLA_INVALID;
	}
	return ok ? SLA_PASS : SLA_FAIL;
}

static const char *sla_op_text(enum scn_op op)
{
	static const char *const t[] = {[SCN_OP_LT] = "<", [SCN_OP_LE] = "<=",
					[SCN_OP_EQ] = "==", [SCN_OP_GE] = ">=",
					[SCN_OP_GT] = ">"};
	return op >= SCN_OP_LT && op <= SCN_OP_GT ? t[op] : "?";
}

static const char *sla_unit_text(enum scn_unit u)
{
	return u == SCN_UNIT_MS ? "ms" : u == SCN_UNIT_PERCENT ? "%" : "";
}

static void sla_verdict_msg(struct sla_verdict *v)
{
	const char *u = sla_unit_text(v->unit);
	if (v->status == SLA_UNMEASURED)
		snprintf(v->msg, sizeof(v->msg), "not measured: %s",
			 v->got.why ? v->got.why : "no data");
	else
		snprintf(v->msg, sizeof(v->msg), "measured %.6g%s, wanted %s %.6g%s", v->got.v, u,
			 sla_op_text(v->op), v->want, u);
}

/* An expectation on what a `collect` measured: one value for the whole run. */
static void sla_verdict_collected(struct sla_verdict *v, const struct sla_result *r)
{
	const struct obs_collect *c = r->st ? obs_collect_find(r->st, v->metric) : NULL;

	if (v->scope || v->client >= 0) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "'%s' has no scope", v->metric);
		return;
	}
	if (!c)
		v->got = (struct sla_value){.why = "the checker did not run"};
	else if (!c->measured)
		v->got = (struct sla_value){.why = c->why};
	else
		v->got = (struct sla_value){.measured = true, .v = c->v};
	v->status = sla_judge(&v->got, v->op, v->want);
	sla_verdict_msg(v);
}

static void sla_verdict_judge(struct sla_verdict *v, const struct sla_result *r)
{
	enum sla_metric m = sla_metric_find(v->metric);
	if (!m && v->unit == SCN_UNIT_NUMBER)
		return sla_verdict_collected(v, r);
	if (!m) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "unknown metric '%s'", v->metric);
		return;
	}
	if (sla_metric_unit(m) != v->unit) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "'%s' is not measured in that unit", v->metric);
		return;
	}
	if (v->scope && strcmp(v->scope, SLA_SCOPE_FAULTS)) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "unknown scope '%.100s'", v->scope);
		return;
	}
	if (v->client >= r->n_clients) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "'of' names no client");
		return;
	}
	if (v->client >= 0 && !sla_metric_per_client(m)) {
		v->status = SLA_INVALID;
		snprintf(v->msg, sizeof(v->msg), "'%s' is not measured per client", v->metric);
		return;
	}
	const struct sla_client *c = v->client >= 0 ? &r->clients[v->client] : NULL;
	if (c)
		v->got = (v->scope ? &c->during : &c->all)->v[m];
	else
		v->got = (v->scope ? &r->during : &r->all)->v[m];
	v->status = sla_judge(&v->got, v->op, v->want);
	sla_verdict_msg(v);
}

static char *sla_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The client of 'of' (1 + service index, 0: none written) in r->clients; -1 for none,
 * r->n_clients (invalid) for a service that is not one. */
static int sla_client_index(const struct sla_result *r, int of)
{
	if (!of)
		return -1;
	for (int k = 0; k < r->n_clients; k++)
		if (r->clients[k].svc == of - 1)
			return k;
	return r->n_clients;
}

/* Every client of @s, in service order, with its name and log file (no metrics yet). */
static int sla_clients_list(struct sla_result *r, const struct scn *s)
{
	if (!(r->clients = calloc((size_t)s->n_services + 1, sizeof(*r->clients))))
		return -1;
	for (int i = 0; i < s->n_services; i++) {
		if (!scn_service_is_client(s, i))
			continue;
		struct sla_client *c = &r->clients[r->n_clients++];
		c->svc = i;
		scn_client_name(s, i, c->name, sizeof(c->name));
		scn_client_log(s, i, c->log, sizeof(c->log));
	}
	return 0;
}

static int sla_copy_scn(struct sla_result *r, const struct scn *s)
{
	if (sla_clients_list(r, s) < 0)
		return -1;
	if (!(r->scenario = strdup(s->name ? s->name : "")) ||
	    (s->description && !(r->description = strdup(s->description))))
		return -1;
	r->params = calloc((size_t)s->n_params + 1, sizeof(*r->params));
	r->v = calloc((size_t)s->n_expects + 1, sizeof(*r->v));
	if (!r->params || !r->v)
		return -1;
	while (r->n_params < s->n_params) {
		struct sla_param *p = &r->params[r->n_params];
		const struct scn_param *sp = &s->params[r->n_params++];
		if (!(p->name = strdup(sp->name)) || !(p->value = strdup(sp->value ? sp->value : "")))
			return -1;
	}
	while (r->n_v < s->n_expects) {
		const struct scn_expect *e = &s->expects[r->n_v];
		struct sla_verdict *v = &r->v[r->n_v++];
		snprintf(v->metric, sizeof(v->metric), "%s", e->metric);
		v->op = e->op;
		v->want = e->value;
		v->unit = e->unit;
		v->client = sla_client_index(r, e->client);
		v->wanted = e->want;
		r->reproduction |= e->want == SCN_WANT_FAIL;
		if (!(v->text = strdup(e->text ? e->text : e->metric)) ||
		    (e->scope && !(v->scope = strdup(e->scope))))
			return -1;
	}
	return 0;
}

static void sla_no_faults(struct sla_metrics *m)
{
	for (int k = 1; k < SLA_METRIC__MAX; k++)
		m->v[k] = (struct sla_value){.why = "no fault was applied"};
}

/* Client @c's request metrics, whole window and during @faults (none: not measured). */
static int sla_compute_client(struct sla_result *r, struct sla_client *c,
			      const struct sla_mask *faults)
{
	int log = obs_log_find(r->st, c->log);

	c->logged = log > 0;
	if (sla_client_metrics(r->st, &r->cfg, NULL, log, &c->all) < 0)
		return -1;
	if (!faults->n) {
		sla_no_faults(&c->during);
		return 0;
	}
	return sla_client_metrics(r->st, &r->cfg, faults, log, &c->during);
}

static int sla_compute_all(struct sla_result *r)
{
	struct sla_mask faults;
	if (sla_metrics_compute(r->st, &r->cfg, NULL, &r->all) < 0 ||
	    sla_mask_faults(r->st, &r->cfg, &faults) < 0)
		return -1;
	int rc = 0;
	if (faults.n)
		rc = sla_metrics_compute(r->st, &r->cfg, &faults, &r->during);
	else
		sla_no_faults(&r->during);
	for (int k = 0; rc == 0 && k < r->n_clients; k++)
		rc = sla_compute_client(r, &r->clients[k], &faults);
	sla_mask_release(&faults);
	return rc;
}

/* The run's verdict from the expectations' (sla_want_met for each, then the sum). */
void sla_outcome_judge(struct sla_result *r)
{
	r->n_wrong = 0;
	for (int i = 0; i < r->n_v; i++) {
		r->v[i].as_wanted = sla_want_met(r->v[i].wanted, r->v[i].status);
		r->n_wrong += !r->v[i].as_wanted;
	}
	r->passed = r->n_failed == 0;
	if (r->reproduction)
		r->outcome = r->n_wrong ? SLA_OUT_NOT_REPRODUCED : SLA_OUT_REPRODUCED;
	else
		r->outcome = r->n_wrong ? SLA_OUT_FAIL : SLA_OUT_PASS;
	r->ok = !r->n_wrong;
}

struct sla_result *sla_evaluate(const struct scn *s, const struct obs_store *st,
				const struct sla_cfg *cfg, uint64_t seed, const char *run_dir)
{
	struct sla_result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->st = st;
	r->seed = seed;
	if ((run_dir && !(r->run_dir = strdup(run_dir))) || sla_copy_scn(r, s) < 0 ||
	    sla_compute_all(r) < 0) {
		sla_result_free(r);
		errno = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < r->n_v; i++) {
		sla_verdict_judge(&r->v[i], r);
		r->n_failed += r->v[i].status != SLA_PASS;
		r->n_invalid += r->v[i].status == SLA_INVALID;
	}
	sla_outcome_judge(r);
	return r;
}

int sla_result_add_guest(struct sla_result *r, const char *node, const char *kernel,
			 const char *cmdline, const char *clocksource, const char *interrupts)
{
	struct sla_guest *g = realloc(r->guests, (size_t)(r->n_guests + 1) * sizeof(*g));
	if (!g)
		return -1;
	r->guests = g;
	g += r->n_guests;
	*g = (struct sla_guest){sla_dup(node), sla_dup(kernel), sla_dup(cmdline),
				sla_dup(clocksource), sla_dup(interrupts)};
	if ((node && !g->node) || (kernel && !g->kernel) || (cmdline && !g->cmdline) ||
	    (clocksource && !g->clocksource) || (interrupts && !g->interrupts)) {
		free(g->node);
		free(g->kernel);
		free(g->cmdline);
		free(g->clocksource);
		free(g->interrupts);
		errno = ENOMEM;
		return -1;
	}
	r->n_guests++;
	return 0;
}

void sla_result_free(struct sla_result *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n_params; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	for (int i = 0; i < r->n_v; i++) {
		free(r->v[i].text);
		free(r->v[i].scope);
	}
	for (int i = 0; i < r->n_guests; i++) {
		free(r->guests[i].node);
		free(r->guests[i].cmdline);
		free(r->guests[i].clocksource);
		free(r->guests[i].kernel);
		free(r->guests[i].interrupts);
	}
	free(r->params);
	free(r->clients);
	free(r->v);
	free(r->guests);
	free(r->scenario);
	free(r->description);
	free(r->run_dir);
	free(r->started);
	obs_store_free(r->st_owned);
	free(r);
}
