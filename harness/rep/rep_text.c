/*
 * rep_text.c - what a person reads on stdout: the per-scenario summary table (and a row
 * per client when there are several), the final table across scenarios, and the
 * one-line live progress.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rep.h"

int rep_value_format(const struct sla_value *v, enum scn_unit unit, char *buf, size_t len)
{
	if (!v->measured)
		return snprintf(buf, len, "not measured");
	switch (unit) {
	case SCN_UNIT_MS:
		if (v->v >= 10000)
			return snprintf(buf, len, "%.2fs", v->v / 1000);
		if (v->v >= 1000)
			return snprintf(buf, len, "%.3fs", v->v / 1000);
		/* a split-brain of 47 us must not read "0.0ms" beside a FAIL */
		if (v->v > 0 && v->v < 0.1)
			return snprintf(buf, len, "%.2gms", v->v);
		return snprintf(buf, len, "%.1fms", v->v);
	case SCN_UNIT_PERCENT:
		return snprintf(buf, len, "%.2f%%", v->v);
	case SCN_UNIT_NUMBER:
		return snprintf(buf, len, "%.6g", v->v);
	default:
		return snprintf(buf, len, "%.0f", v->v);
	}
}

static int rep_width(const struct sla_result *r)
{
	int w = (int)strlen("expectation");
	for (int i = 0; i < r->n_v; i++)
		if ((int)strlen(r->v[i].text) > w)
			w = (int)strlen(r->v[i].text);
	return w > 60 ? 60 : w;
}

/* One line per guest: what its kernel really ran with. */
static void rep_text_guests(FILE *f, const struct sla_result *r)
{
	for (int i = 0; i < r->n_guests; i++) {
		const struct sla_guest *g = &r->guests[i];
		fprintf(f, "  guest %s: kernel %s, cmdline \"%s\", clocksource %s, %s\n",
			g->node ? g->node : "?", g->kernel ? g->kernel : "?",
			g->cmdline ? g->cmdline : "", g->clocksource ? g->clocksource : "?",
			g->interrupts ? g->interrupts : "");
	}
}

/* One line per captured network: its files, frames, drops, and the cap. */
static void rep_text_captures(FILE *f, const struct sla_result *r)
{
	for (size_t i = 0; r->st && i < r->st->n_cap; i++) {
		const struct obs_capture *c = &r->st->cap[i];
		fprintf(f, "  capture %s: %s, %llu frames, %llu dropped", c->net, c->files,
			(unsigned long long)c->frames, (unsigned long long)c->dropped);
		if (c->max && c->ring)
			fprintf(f, ", ring of %d files of at most %llu bytes%s", c->ring,
				(unsigned long long)c->max, c->cap_reached ? ", turned" : "");
		else if (c->max)
			fprintf(f, ", cap %llu bytes%s", (unsigned long long)c->max,
				c->cap_reached ? " reached" : "");
		if (c->not_written)
			fprintf(f, ", %llu not written", (unsigned long long)c->not_written);
		fputc('\n', f);
	}
}

/*
 * With two clients or more, one row per client: its own request metrics (the totals
 * above mix them). One client's row would repeat the totals, so it has none.
 */
static void rep_text_clients(FILE *f, const struct sla_result *r)
{
	static const enum sla_metric cols[] = {SLA_REQUESTS, SLA_SUCCESS, SLA_ERRORS, SLA_P99,
					       SLA_OUTAGE};
	int w = (int)strlen("client");

	if (r->n_clients < 2)
		return;
	for (int i = 0; i < r->n_clients; i++)
		if ((int)strlen(r->clients[i].name) > w)
			w = (int)strlen(r->clients[i].name);
	size_t n = sizeof(cols) / sizeof(cols[0]);
	fprintf(f, "  %-*s", w, "client");
	for (size_t k = 0; k < n; k++)
		fprintf(f, k + 1 < n ? "  %-12s" : "  %s\n", sla_metric_name(cols[k]));
	for (int i = 0; i < r->n_clients; i++) {
		fprintf(f, "  %-*s", w, r->clients[i].name);
		for (size_t k = 0; k < n; k++) {
			char val[32];
			rep_value_format(&r->clients[i].all.v[cols[k]], sla_metric_unit(cols[k]),
					 val, sizeof(val));
			fprintf(f, k + 1 < n ? "  %-12s" : "  %s\n", val);
		}
	}
}

const char *rep_outcome_text(const struct sla_result *r)
{
	switch (r->outcome) {
	case SLA_OUT_PASS: return "PASS";
	case SLA_OUT_FAIL: return "FAIL";
	case SLA_OUT_REPRODUCED: return "REPRODUCED";
	case SLA_OUT_NOT_REPRODUCED: return "NOT REPRODUCED";
	}
	return "?";
}

/* One line per `collect`: its value or why it has none, expected or not. */
static void rep_text_collected(FILE *f, const struct sla_result *r)
{
	for (size_t i = 0; r->st && i < r->st->n_col; i++) {
		const struct obs_collect *c = &r->st->col[i];
		if (c->measured)
			fprintf(f, "  collected %s on %s: %.6g\n", c->name, c->node, c->v);
		else
			fprintf(f, "  collected %s on %s: no value (%s)\n", c->name, c->node, c->why);
	}
}

/* What a marked expectation's result means: only marked ones get a note. */
static void rep_text_mark(FILE *f, const struct sla_verdict *v)
{
	if (v->wanted == SCN_WANT_FAIL)
		fputs(v->as_wanted ? " (marked fails: reproduced)" : " (marked fails: NOT reproduced)",
		      f);
	else if (v->wanted == SCN_WANT_EITHER)
		fputs(" (marked may fail)", f);
}

/* Faults fired with `faultline inject`: when, and whether the judged span saw them. */
static void rep_text_by_hand(FILE *f, const struct sla_result *r)
{
	int64_t end = r->cfg.t0_ns + r->cfg.duration_ns;
	for (size_t i = 0; r->st && i < r->st->n_flt; i++) {
		const struct obs_fault *x = &r->st->flt[i];
		if (!x->by_hand)
			continue;
		fprintf(f, "  by hand: #%d %s %s at %.3f s", x->id, x->kind, x->target,
			(double)(x->apply_ns - r->cfg.t0_ns) / 1e9);
		if (x->revert_ns != OBS_OPEN)
			fprintf(f, ", reverted at %.3f s", (double)(x->revert_ns - r->cfg.t0_ns) / 1e9);
		fprintf(f, "%s\n", x->apply_ns >= end ? " (after the timeline: not judged)" : "");
	}
}

int rep_text_summary(FILE *f, const struct sla_result *r)
{
	int w = rep_width(r);
	fprintf(f, "scenario %s (seed %llu)%s%s\n", r->scenario, (unsigned long long)r->seed,
		r->run_dir ? "  run " : "", r->run_dir ? r->run_dir : "");
	fprintf(f, "  %-*s  %-14s %s\n", w, "expectation", "measured", "result");
	for (int i = 0; i < r->n_v; i++) {
		const struct sla_verdict *v = &r->v[i];
		char val[32];
		if (v->status == SLA_INVALID)
			snprintf(val, sizeof(val), "-");
		else
			rep_value_format(&v->got, v->unit, val, sizeof(val));
		fprintf(f, "  %-*s  %-14s %s", w, v->text, val,
			v->status == SLA_PASS ? "pass" : "FAIL");
		if (v->status == SLA_UNMEASURED || v->status == SLA_INVALID)
			fprintf(f, " (%s)", v->msg);
		rep_text_mark(f, v);
		fputc('\n', f);
	}
	fprintf(f, "  %d expectation%s, %d passed, %d failed: %s", r->n_v, r->n_v == 1 ? "" : "s",
		r->n_v - r->n_failed, r->n_failed, rep_outcome_text(r));
	if (r->reproduction && r->n_wrong)
		fprintf(f, " (%d not as marked)", r->n_wrong);
	fputc('\n', f);
	rep_text_clients(f, r);
	rep_text_collected(f, r);
	rep_text_guests(f, r);
	rep_text_captures(f, r);
	rep_text_by_hand(f, r);
	return ferror(f) ? -1 : 0;
}

int rep_text_final(FILE *f, struct sla_result *const *r, int n)
{
	int w = (int)strlen("scenario"), failed = 0, reproduced = 0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(r[i]->scenario) > w)
			w = (int)strlen(r[i]->scenario);
	fprintf(f, "%-*s  %-6s %-6s %-6s %s\n", w, "scenario", "expect", "passed", "failed",
		"result");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%-*s  %-6d %-6d %-6d %s\n", w, r[i]->scenario, r[i]->n_v,
			r[i]->n_v - r[i]->n_failed, r[i]->n_failed, rep_outcome_text(r[i]));
		failed += !r[i]->ok;
		reproduced += r[i]->outcome == SLA_OUT_REPRODUCED;
	}
	fprintf(f, "%d scenario%s, %d passed, %d failed", n, n == 1 ? "" : "s", n - failed,
		failed);
	if (reproduced)
		fprintf(f, " (%d of the passed reproduced a failure, as marked)", reproduced);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

void rep_progress_count(const struct obs_store *st, int64_t t0_ns, int64_t duration_ns,
			int64_t now_ns, struct rep_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->elapsed_ns = now_ns > t0_ns ? now_ns - t0_ns : 0;
	p->duration_ns = duration_ns;
	for (size_t i = 0; i < st->n_flt; i++)
		p->faults_active += st->flt[i].apply_ns <= now_ns &&
				    (st->flt[i].revert_ns == OBS_OPEN || st->flt[i].revert_ns > now_ns);
	for (size_t i = 0; i < st->n_req; i++) {
		if (st->req[i].end_ns > now_ns)
			continue;
		if (st->req[i].outcome == OBS_OK)
			p->ok++;
		else
			p->failed++;
	}
}

int rep_progress_format(const struct rep_progress *p, char *buf, size_t len)
{
	return snprintf(buf, len, "[%6.1fs/%.1fs] faults %d  requests %zu ok %zu failed",
			(double)p->elapsed_ns / 1e9, (double)p->duration_ns / 1e9, p->faults_active,
			p->ok, p->failed);
}
