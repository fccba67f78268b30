/*
 * rep_json.c - the whole result as JSON (docs/reports.md has the schema by example).
 *
 * Metrics not measured are written as null, with the reason beside them in
 * "unmeasured"; every number is finite (the SLA code never makes NaN or infinities).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rep.h"

/* @s as a JSON string, quotes included; NULL as null. */
static void rep_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void rep_json_num(FILE *f, double v)
{
	fprintf(f, "%.10g", v);
}

static const char *rep_unit_name(enum scn_unit u)
{
	return u == SCN_UNIT_MS ? "ms" : u == SCN_UNIT_PERCENT ? "%" : "count";
}

static void rep_json_metrics(FILE *f, const char *key, const struct sla_metrics *m)
{
	fprintf(f, ",\n  \"%s\": {", key);
	for (int i = 1; i < SLA_METRIC__MAX; i++) {
		fprintf(f, "%s\"%s\": ", i > 1 ? ", " : "", sla_metric_name(i));
		if (m->v[i].measured)
			rep_json_num(f, m->v[i].v);
		else
			fputs("null", f);
	}
	fputs("}", f);
}

static void rep_json_unmeasured(FILE *f, const struct sla_metrics *m)
{
	fputs(",\n  \"unmeasured\": {", f);
	const char *sep = "";
	for (int i = 1; i < SLA_METRIC__MAX; i++) {
		if (m->v[i].measured)
			continue;
		fprintf(f, "%s\"%s\": ", sep, sla_metric_name(i));
		rep_json_str(f, m->v[i].why ? m->v[i].why : "no data");
		sep = ", ";
	}
	fputs("}", f);
}

static void rep_json_expect(FILE *f, const struct sla_verdict *v)
{
	static const char *const ops[] = {"?", "<", "<=", "==", ">=", ">"};
	fputs("{\"text\": ", f);
	rep_json_str(f, v->text);
	fputs(", \"metric\": ", f);
	rep_json_str(f, v->metric);
	fprintf(f, ", \"op\": \"%s\", \"want\": ", v->op >= 1 && v->op <= 5 ? ops[v->op] : "?");
	rep_json_num(f, v->want);
	fprintf(f, ", \"unit\": \"%s\", \"scope\": ", rep_unit_name(v->unit));
	rep_json_str(f, v->scope);
	fputs(", \"value\": ", f);
	if (v->got.measured)
		rep_json_num(f, v->got.v);
	else
		fputs("null", f);
	fprintf(f, ", \"passed\": %s, \"status\": ", v->status == SLA_PASS ? "true" : "false");
	rep_json_str(f, sla_status_name(v->status));
	fputs(", \"message\": ", f);
	rep_json_str(f, v->msg);
	fputs("}", f);
}

static void rep_json_faults(FILE *f, const struct sla_result *r)
{
	fputs(",\n  \"faults\": [", f);
	for (size_t i = 0; r->st && i < r->st->n_flt; i++) {
		const struct obs_fault *flt = &r->st->flt[i];
		fprintf(f, "%s\n    {\"id\": %d, \"fault\": ", i ? "," : "", flt->id);
		rep_json_str(f, flt->kind);
		fputs(", \"target\": ", f);
		rep_json_str(f, flt->target);
		fprintf(f, ", \"applied_ns\": %" PRId64 ", \"applied_ms\": ", flt->apply_ns);
		rep_json_num(f, (double)(flt->apply_ns - r->cfg.t0_ns) / 1e6);
		if (flt->revert_ns == OBS_OPEN) {
			fputs(", \"reverted_ns\": null, \"reverted_ms\": null}", f);
			continue;
		}
		fprintf(f, ", \"reverted_ns\": %" PRId64 ", \"reverted_ms\": ", flt->revert_ns);
		rep_json_num(f, (double)(flt->revert_ns - r->cfg.t0_ns) / 1e6);
		fputs("}", f);
	}
	fputs("]", f);
}

static void rep_json_guests(FILE *f, const struct sla_result *r)
{
	fputs(",\n  \"guests\": [", f);
	for (int i = 0; i < r->n_guests; i++) {
		const struct sla_guest *g = &r->guests[i];
		fprintf(f, "%s\n    {\"node\": ", i ? "," : "");
		rep_json_str(f, g->node);
		fputs(", \"cmdline\": ", f);
		rep_json_str(f, g->cmdline);
		fputs(", \"clocksource\": ", f);
		rep_json_str(f, g->clocksource);
		fputs(", \"interrupts\": ", f);
		rep_json_str(f, g->interrupts);
		fputs("}", f);
	}
	fputs("]", f);
}

static void rep_json_one(FILE *f, const struct sla_result *r)
{
	fputs("{\n  \"scenario\": ", f);
	rep_json_str(f, r->scenario);
	fputs(",\n  \"description\": ", f);
	rep_json_str(f, r->description);
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"params\": {", r->seed);
	for (int i = 0; i < r->n_params; i++) {
		fputs(i ? ", " : "", f);
		rep_json_str(f, r->params[i].name);
		fputs(": ", f);
		rep_json_str(f, r->params[i].value);
	}
	fprintf(f, "},\n  \"passed\": %s,\n  \"run_dir\": ", r->passed ? "true" : "false");
	rep_json_str(f, r->run_dir);
	fprintf(f, ",\n  \"t0_ns\": %" PRId64 ",\n  \"duration_ms\": ", r->cfg.t0_ns);
	rep_json_num(f, (double)r->cfg.duration_ns / 1e6);
	rep_json_metrics(f, "metrics", &r->all);
	rep_json_unmeasured(f, &r->all);
	rep_json_metrics(f, "metrics_during_faults", &r->during);
	fputs(",\n  \"expectations\": [", f);
	for (int i = 0; i < r->n_v; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		rep_json_expect(f, &r->v[i]);
	}
	fputs("]", f);
	rep_json_faults(f, r);
	rep_json_guests(f, r);
	fputs("\n}", f);
}

int rep_json_write(FILE *f, const struct sla_result *r)
{
	rep_json_one(f, r);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

int rep_json_write_many(FILE *f, struct sla_result *const *r, int n)
{
	fputc('[', f);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		rep_json_one(f, r[i]);
	}
	fputs("\n]\n", f);
	return ferror(f) ? -1 : 0;
}
