/*
 * rep_json.c - the whole result as JSON (docs/reports.md has the schema by example),
 * built as jansson objects in the documented key order and written by one writer,
 * rep_json_dump(), which `faultline matrix` uses too. Layout, for people reading it:
 * what holds a list of records (the report, its expectations, faults, guests and
 * clients) has a line per member or element, everything else is inline; jansson
 * prints every value.
 *
 * Metrics not measured are written as null, with the reason beside them in
 * "unmeasured". Numbers print as printf("%.10g") did: integral values as integers,
 * others with 10 significant digits (jsonl_num); a number that is not finite (the SLA
 * code makes none) would be null.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonl.h"
#include "rep.h"

/* Inline values: "key": value, ", " between members, reals as "%.10g" printed them. */
#define REP_JSON_FLAGS JSON_REAL_PRECISION(10)

static json_t *rep_json_num(double v)
{
	json_t *n = jsonl_num(v);

	return n ? n : json_null();
}

static json_t *rep_json_value(const struct sla_value *v)
{
	return v->measured ? rep_json_num(v->v) : json_null();
}

static const char *rep_unit_name(enum scn_unit u)
{
	return u == SCN_UNIT_MS		? "ms"
	       : u == SCN_UNIT_PERCENT	? "%"
	       : u == SCN_UNIT_NUMBER	? "number"
					: "count";
}

/* The `collect` values into "metrics" (the number, or null) and "unmeasured" (why). */
static int rep_json_collected(const struct sla_result *r, json_t *metrics, json_t *unmeasured)
{
	for (size_t i = 0; r->st && i < r->st->n_col; i++) {
		const struct obs_collect *c = &r->st->col[i];
		if (jsonl_set(metrics, c->name, c->measured ? rep_json_num(c->v) : json_null()) ==
			-1 ||
		    (!c->measured && jsonl_set(unmeasured, c->name, jsonl_str(c->why)) == -1))
			return -1;
	}
	return 0;
}

/* Every metric of @m, or (@client) only those measured per client. */
static json_t *rep_json_metrics_of(const struct sla_metrics *m, bool client)
{
	json_t *o = json_object();

	for (int i = 1; o && i < SLA_METRIC__MAX; i++)
		if ((!client || sla_metric_per_client(i)) &&
		    jsonl_set(o, sla_metric_name(i), rep_json_value(&m->v[i])) == -1)
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

static json_t *rep_json_metrics(const struct sla_metrics *m)
{
	return rep_json_metrics_of(m, false);
}

static json_t *rep_json_unmeasured_of(const struct sla_metrics *m, bool client)
{
	json_t *o = json_object();

	for (int i = 1; o && i < SLA_METRIC__MAX; i++)
		if (!m->v[i].measured && (!client || sla_metric_per_client(i)) &&
		    jsonl_set(o, sla_metric_name(i),
			      jsonl_str(m->v[i].why ? m->v[i].why : "no data")) == -1)
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

static json_t *rep_json_expect(const struct sla_result *r, const struct sla_verdict *v)
{
	static const char *const ops[] = {"?", "<", "<=", "==", ">=", ">"};
	bool of = v->client >= 0 && v->client < r->n_clients;

	static const char *const wanted[] = {
	    [SCN_WANT_PASS] = "pass", [SCN_WANT_FAIL] = "fail", [SCN_WANT_EITHER] = "either"};

	return json_pack(
	    "{s:o,s:o,s:s,s:o,s:s,s:o,s:o,s:o,s:b,s:o,s:o,s:s,s:b}", "text", jsonl_str(v->text),
	    "metric", jsonl_str(v->metric), "op", v->op >= 1 && v->op <= 5 ? ops[v->op] : "?",
	    "want", rep_json_num(v->want), "unit", rep_unit_name(v->unit), "scope",
	    jsonl_str(v->scope), "client", of ? jsonl_str(r->clients[v->client].name) : json_null(),
	    "value", rep_json_value(&v->got), "passed", v->status == SLA_PASS, "status",
	    jsonl_str(sla_status_name(v->status)), "message", jsonl_str(v->msg), "wanted",
	    v->wanted <= SCN_WANT_EITHER ? wanted[v->wanted] : "?", "as_wanted", v->as_wanted);
}

static json_t *rep_json_unmeasured(const struct sla_metrics *m)
{
	return rep_json_unmeasured_of(m, false);
}

/* One client: where it runs, its log, and its request metrics. */
static json_t *rep_json_client(const struct sla_client *c)
{
	size_t dot = strcspn(c->name, ".");

	return json_pack("{s:s#,s:s,s:o,s:b,s:o,s:o,s:o}", "node", c->name, (int)dot, "service",
			 c->name[dot] ? c->name + dot + 1 : "", "log", jsonl_str(c->log), "logged",
			 c->logged, "metrics", rep_json_metrics_of(&c->all, true), "unmeasured",
			 rep_json_unmeasured_of(&c->all, true), "metrics_during_faults",
			 rep_json_metrics_of(&c->during, true));
}

/* {"NODE.SERVICE": {...}} for every client, in the order of the services. */
static json_t *rep_json_clients(const struct sla_result *r)
{
	json_t *o = json_object();

	for (int i = 0; o && i < r->n_clients; i++)
		if (jsonl_set(o, r->clients[i].name, rep_json_client(&r->clients[i])) == -1)
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

static json_t *rep_json_expectations(const struct sla_result *r)
{
	json_t *a = json_array();

	for (int i = 0; a && i < r->n_v; i++)
		if (json_array_append_new(a, rep_json_expect(r, &r->v[i])) == -1)
			goto err;
	return a;
err:
	json_decref(a);
	return NULL;
}

static json_t *rep_json_fault(const struct sla_result *r, const struct obs_fault *flt)
{
	bool open = flt->revert_ns == OBS_OPEN;
	json_t *o = json_pack(
	    "{s:i,s:o,s:o,s:I,s:o,s:o,s:o}", "id", flt->id, "fault", jsonl_str(flt->kind), "target",
	    jsonl_str(flt->target), "applied_ns", (json_int_t)flt->apply_ns, "applied_ms",
	    rep_json_num((double)(flt->apply_ns - r->cfg.t0_ns) / 1e6), "reverted_ns",
	    open ? json_null() : json_integer(flt->revert_ns), "reverted_ms",
	    open ? json_null() : rep_json_num((double)(flt->revert_ns - r->cfg.t0_ns) / 1e6));
	if (o && flt->path[0])
		jsonl_set(o, "path", jsonl_str(flt->path));
	if (o && flt->by_hand)
		jsonl_set(o, "by", jsonl_str("hand"));
	return o;
}

static json_t *rep_json_faults(const struct sla_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && r->st && i < r->st->n_flt; i++)
		if (json_array_append_new(a, rep_json_fault(r, &r->st->flt[i])) == -1)
			goto err;
	return a;
err:
	json_decref(a);
	return NULL;
}

/* What @node's kernel said about its health over the run: the total, then each class
 * that came up. */
static json_t *rep_json_kwarn(const struct sla_result *r, const char *node)
{
	unsigned n[OBS_KW__MAX] = {0}, all = 0;
	for (size_t i = 0; r->st && node && i < r->st->n_kw; i++)
		if (!strcmp(r->st->kw[i].node, node)) {
			n[r->st->kw[i].cls]++;
			all++;
		}
	json_t *o = json_pack("{s:I}", "total", (json_int_t)all);
	for (int k = 1; o && k < OBS_KW__MAX; k++)
		if (n[k])
			jsonl_set(o, obs_kw_name((enum obs_kw)k), json_integer(n[k]));
	return o;
}

static json_t *rep_json_guests(const struct sla_result *r)
{
	json_t *a = json_array();

	for (int i = 0; a && i < r->n_guests; i++) {
		const struct sla_guest *g = &r->guests[i];
		json_t *o =
		    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "node", jsonl_str(g->node), "kernel",
			      jsonl_str(g->kernel), "cmdline", jsonl_str(g->cmdline), "clocksource", jsonl_str(g->clocksource),
			      "interrupts", jsonl_str(g->interrupts), "kernel_warnings",
			      rep_json_kwarn(r, g->node));
		if (json_array_append_new(a, o) == -1)
			goto err;
	}
	return a;
err:
	json_decref(a);
	return NULL;
}

/* Each captured network: files, frames, drops and the cap ("capture" "end" events). */
static json_t *rep_json_captures(const struct sla_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && r->st && i < r->st->n_cap; i++) {
		const struct obs_capture *c = &r->st->cap[i];
		json_t *files = json_array();
		char buf[sizeof(c->files)], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", c->files);
		for (char *t = strtok_r(buf, " ", &save); files && t; t = strtok_r(NULL, " ", &save))
			json_array_append_new(files, jsonl_str(t));
		json_t *o = json_pack(
		    "{s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:b}", "net", jsonl_str(c->net), "files",
		    files, "frames", (json_int_t)c->frames, "bytes", (json_int_t)c->bytes,
		    "dropped", (json_int_t)c->dropped, "not_written", (json_int_t)c->not_written,
		    "comments", (json_int_t)c->comments, "max", (json_int_t)c->max, "ring",
		    c->ring, "cap_reached", c->cap_reached);
		if (json_array_append_new(a, o) == -1)
			goto err;
	}
	return a;
err:
	json_decref(a);
	return NULL;
}

static json_t *rep_json_params(const struct sla_result *r)
{
	json_t *o = json_object();

	for (int i = 0; o && i < r->n_params; i++)
		if (jsonl_set(o, r->params[i].name, jsonl_str(r->params[i].value)) == -1)
			goto err;
	return o;
err:
	json_decref(o);
	return NULL;
}

/* jansson's integers are signed: a seed above INT64_MAX can only be a real. */
static json_t *rep_json_seed(uint64_t seed)
{
	return seed <= INT64_MAX ? json_integer((json_int_t)seed) : json_real((double)seed);
}

json_t *rep_json_result(const struct sla_result *r)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:b,s:s,s:o,s:I,s:o}", "scenario",
			      jsonl_str(r->scenario), "description", jsonl_str(r->description),
			      "seed", rep_json_seed(r->seed), "params", rep_json_params(r),
			      "passed", r->passed, "verdict", sla_outcome_name(r->outcome),
			      "run_dir", jsonl_str(r->run_dir), "t0_ns", (json_int_t)r->cfg.t0_ns,
			      "duration_ms", rep_json_num((double)r->cfg.duration_ns / 1e6));

	if (!o || jsonl_set(o, "metrics", rep_json_metrics(&r->all)) == -1 ||
	    jsonl_set(o, "unmeasured", rep_json_unmeasured(&r->all)) == -1 ||
	    rep_json_collected(r, json_object_get(o, "metrics"),
			       json_object_get(o, "unmeasured")) == -1 ||
	    jsonl_set(o, "metrics_during_faults", rep_json_metrics(&r->during)) == -1 ||
	    jsonl_set(o, "expectations", rep_json_expectations(r)) == -1 ||
	    jsonl_set(o, "faults", rep_json_faults(r)) == -1 ||
	    jsonl_set(o, "guests", rep_json_guests(r)) == -1 ||
	    jsonl_set(o, "captures", rep_json_captures(r)) == -1 ||
	    jsonl_set(o, "clients", rep_json_clients(r)) == -1) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return o;
}

/* @v on one line: {"a": 1, "b": [2, 3]} (jansson, neither indented nor compact). */
static int rep_json_inline(FILE *f, const json_t *v)
{
	return json_dumpf(v, f, REP_JSON_FLAGS | JSON_ENCODE_ANY);
}

/* Is @v an object of records (every member an object, as "clients")? */
static bool rep_json_records(const json_t *v)
{
	const char *key;
	json_t *e;

	if (!json_is_object(v) || !json_object_size(v))
		return false;
	json_object_foreach((json_t *)v, key, e)
	{
		if (!json_is_object(e))
			return false;
	}
	return true;
}

/* Does @v hold a list of records (an array with an object in it, or an object of
 * records), at any depth? */
static bool rep_json_tall(const json_t *v)
{
	const char *key;
	size_t i;
	json_t *e;

	if (rep_json_records(v))
		return true;
	json_array_foreach(v, i, e)
	{
		if (json_is_object(e) || rep_json_tall(e))
			return true;
	}
	json_object_foreach((json_t *)v, key, e)
	{
		if (rep_json_tall(e))
			return true;
	}
	return false;
}

static void rep_json_nl(FILE *f, int indent)
{
	fprintf(f, "\n%*s", indent, "");
}

/*
 * @v at @indent: what holds a list of records has a line per member or element (those
 * of an array two further in), everything else goes on one line.
 */
static int rep_json_value_dump(FILE *f, const json_t *v, int indent)
{
	const char *key;
	size_t i = 0;
	json_t *e, *k;
	int rc = 0;

	if (!rep_json_tall(v))
		return rep_json_inline(f, v);
	fputc(json_is_array(v) ? '[' : '{', f);
	json_array_foreach(v, i, e)
	{
		fputs(i ? "," : "", f);
		rep_json_nl(f, indent + 2);
		rc |= rep_json_value_dump(f, e, indent + 2);
	}
	json_object_foreach((json_t *)v, key, e)
	{
		fputs(i++ ? "," : "", f);
		rep_json_nl(f, indent + 2);
		rc |= !(k = json_string(key)) || rep_json_inline(f, k);
		json_decref(k);
		fputs(": ", f);
		rc |= rep_json_value_dump(f, e, indent + 2);
	}
	if (json_is_object(v))
		rep_json_nl(f, indent);
	fputc(json_is_array(v) ? ']' : '}', f); /* an array closes on its last line */
	return rc;
}

int rep_json_dump(FILE *f, json_t *v)
{
	size_t i;
	json_t *e;
	int rc = 0;

	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	if (json_is_array(v)) {
		/* several reports: each as it would be alone */
		fputc('[', f);
		json_array_foreach(v, i, e)
		{
			fputs(i ? ",\n" : "\n", f);
			rc |= rep_json_value_dump(f, e, 0);
		}
		fputs("\n]", f);
	} else {
		rc = rep_json_value_dump(f, v, 0);
	}
	fputc('\n', f);
	json_decref(v);
	if (rc)
		errno = ENOMEM;
	return rc || ferror(f) ? -1 : 0;
}

int rep_json_write(FILE *f, const struct sla_result *r)
{
	return rep_json_dump(f, rep_json_result(r));
}

int rep_json_write_many(FILE *f, struct sla_result *const *r, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		if (json_array_append_new(a, rep_json_result(r[i])) == -1) {
			json_decref(a);
			a = NULL;
		}
	return rep_json_dump(f, a);
}
