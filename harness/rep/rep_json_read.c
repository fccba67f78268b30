/*
 * rep_json_read.c - a result read back from the JSON rep_json_result() made, for the
 * reports that are rebuilt from JSON files instead of run directories ('faultline
 * merge' joins the shards of a run: its JUnit comes from their JSON).
 *
 * What comes back is what the report writers other than JSON and SVG use: the
 * scenario, description, seed, params, run directory, t0 and duration, the whole
 * window's metrics, and every expectation (text, metric, scope, value, status,
 * message, mark). The counts, the marks' as_wanted and the verdict are recomputed with
 * sla_outcome_judge(), the function the run itself used, and must agree with the
 * file's "verdict" and "passed": a file that disagrees with itself is refused. No
 * store (st) comes back: there are no faults, clients or guests to draw or list.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "rep.h"

static int rep_read_str(const json_t *o, const char *key, char **out)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	return (*out = strdup(json_string_value(v))) ? 0 : -1;
}

static int rep_read_params(const json_t *o, struct sla_result *r)
{
	const json_t *p = json_object_get(o, "params");
	const char *key;
	json_t *v;

	if (!json_is_object(p))
		return -1;
	r->params = calloc(json_object_size(p) + 1, sizeof(*r->params));
	if (!r->params)
		return -1;
	json_object_foreach((json_t *)p, key, v)
	{
		struct sla_param *sp = &r->params[r->n_params];
		if (!json_is_string(v))
			return -1;
		sp->name = strdup(key);
		sp->value = strdup(json_string_value(v));
		r->n_params++;
		if (!sp->name || !sp->value)
			return -1;
	}
	return 0;
}

/* A value as the JSON has it: a number, or null when not measured. */
static int rep_read_value(const json_t *v, struct sla_value *out)
{
	if (!v || json_is_null(v)) {
		*out = (struct sla_value){.measured = false};
		return 0;
	}
	if (!json_is_number(v))
		return -1;
	*out = (struct sla_value){.measured = true, .v = json_number_value(v)};
	return 0;
}

static int rep_read_metrics(const json_t *o, struct sla_metrics *m)
{
	const json_t *ms = json_object_get(o, "metrics");

	if (!json_is_object(ms))
		return -1;
	for (int i = 1; i < SLA_METRIC__MAX; i++)
		if (rep_read_value(json_object_get(ms, sla_metric_name(i)), &m->v[i]) == -1)
			return -1;
	return 0;
}

static int rep_read_status(const char *s, enum sla_status *st)
{
	for (enum sla_status k = SLA_PASS; k <= SLA_INVALID; k++)
		if (s && !strcmp(s, sla_status_name(k)))
			return (*st = k), 0;
	return -1;
}

static int rep_read_want(const char *s, enum scn_want *w)
{
	static const char *const names[] = {
	    [SCN_WANT_PASS] = "pass", [SCN_WANT_FAIL] = "fail", [SCN_WANT_EITHER] = "either"};

	for (int k = SCN_WANT_PASS; k <= SCN_WANT_EITHER; k++)
		if (s && !strcmp(s, names[k]))
			return (*w = (enum scn_want)k), 0;
	return -1;
}

static int rep_read_expect(const json_t *e, struct sla_result *r, struct sla_verdict *v)
{
	const char *metric = jsonl_get_str(e, "metric"), *msg = jsonl_get_str(e, "message");

	v->client = -1;
	if (!json_is_object(e) || rep_read_str(e, "text", &v->text) == -1 || !v->text ||
	    rep_read_str(e, "scope", &v->scope) == -1 ||
	    rep_read_status(jsonl_get_str(e, "status"), &v->status) == -1 ||
	    rep_read_want(jsonl_get_str(e, "wanted"), &v->wanted) == -1 ||
	    rep_read_value(json_object_get(e, "value"), &v->got) == -1)
		return -1;
	snprintf(v->metric, sizeof(v->metric), "%s", metric ? metric : "");
	snprintf(v->msg, sizeof(v->msg), "%s", msg ? msg : "");
	r->n_failed += v->status != SLA_PASS;
	r->n_invalid += v->status == SLA_INVALID;
	r->reproduction |= v->wanted == SCN_WANT_FAIL;
	return 0;
}

static int rep_read_expectations(const json_t *o, struct sla_result *r)
{
	const json_t *a = json_object_get(o, "expectations");
	size_t i;
	json_t *e;

	if (!json_is_array(a))
		return -1;
	r->v = calloc(json_array_size(a) + 1, sizeof(*r->v));
	if (!r->v)
		return -1;
	json_array_foreach(a, i, e)
	{
		r->n_v++;
		if (rep_read_expect(e, r, &r->v[i]) == -1)
			return -1;
	}
	return 0;
}

/* seed: an integer, or a real above INT64_MAX (rep_json_seed). */
static int rep_read_seed(const json_t *o, uint64_t *seed)
{
	const json_t *v = json_object_get(o, "seed");

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (*seed = (uint64_t)json_integer_value(v)), 0;
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 0x1p64)
		return (*seed = (uint64_t)json_real_value(v)), 0;
	return -1;
}

static int rep_read_all(const json_t *o, struct sla_result *r)
{
	const json_t *dur = json_object_get(o, "duration_ms"), *t0 = json_object_get(o, "t0_ns");
	const json_t *passed = json_object_get(o, "passed");
	const char *verdict = jsonl_get_str(o, "verdict");

	if (rep_read_str(o, "scenario", &r->scenario) == -1 || !r->scenario ||
	    rep_read_str(o, "description", &r->description) == -1 ||
	    rep_read_str(o, "run_dir", &r->run_dir) == -1 || rep_read_seed(o, &r->seed) == -1 ||
	    rep_read_params(o, r) == -1 || !json_is_number(dur) || !json_is_integer(t0) ||
	    rep_read_metrics(o, &r->all) == -1 || rep_read_expectations(o, r) == -1 ||
	    !json_is_boolean(passed) || !verdict)
		return -1;
	r->cfg.t0_ns = json_integer_value(t0);
	r->cfg.duration_ns = llround(json_number_value(dur) * 1e6);
	sla_outcome_judge(r);
	/* the file must say what its own expectations say */
	if (strcmp(verdict, sla_outcome_name(r->outcome)) || json_is_true(passed) != r->passed) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

struct sla_result *rep_json_result_read(const json_t *o)
{
	struct sla_result *r;

	if (!json_is_object(o)) {
		errno = EINVAL;
		return NULL;
	}
	if (!(r = calloc(1, sizeof(*r))))
		return NULL;
	errno = 0;
	if (rep_read_all(o, r) == -1) {
		int e = errno == ENOMEM ? ENOMEM : EINVAL;
		sla_result_free(r);
		errno = e;
		return NULL;
	}
	return r;
}
