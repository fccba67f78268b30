/*
 * rep_html.c - HTML pages of kept runs: one self-contained page per run (verdict,
 * expectations, the SVG timeline inline, metrics, clients, faults, guests, and a link
 * to every file of the run directory) and an index page of several runs (verdict,
 * date, scenario, a link to each run's page).
 *
 * Self-contained: no script, no outside style sheet, font or image; the only links
 * are relative ones into the run directory (and, on the index, to the run pages), so
 * a page can be opened from a copy of the runs folder anywhere. The caller says where
 * the page lies relative to the run directory (rep_href_dir) and which files to link;
 * this file only writes. Text from the run (names, messages, guest command lines) is
 * escaped; hrefs are percent-encoded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"

static void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A path for href="...": unreserved bytes and '/' as they are, the rest %XX. */
static void html_href(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~/", c))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

int rep_href_dir(const char *from, const char *to, char *buf, size_t len)
{
	size_t common = 0, i = 0, at = 0;
	int ups = 0;

	if (from[0] != '/' || to[0] != '/')
		return errno = EINVAL, -1;
	/* the longest common prefix that ends at a component boundary of both */
	for (; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i;
	if ((!from[i] || from[i] == '/') && (!to[i] || to[i] == '/'))
		common = i;
	for (const char *p = from + common; *p; p++)
		ups += *p == '/' && p[1] && p[1] != '/';
	if (len)
		buf[0] = '\0';
	for (int k = 0; k < ups; k++)
		at += (size_t)snprintf(buf + (at < len ? at : len), at < len ? len - at : 0, "../");
	for (const char *p = to + common; *p == '/'; p++)
		common++;
	if (to[common])
		at += (size_t)snprintf(buf + (at < len ? at : len), at < len ? len - at : 0, "%s/",
				       to + common);
	if (at >= len)
		return errno = ENAMETOOLONG, -1;
	return (int)at;
}

static const char *const html_style =
    "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;color:#212529;margin:1.5em;"
    "max-width:1040px}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}"
    "table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .7em;text-align:left;"
    "border-bottom:1px solid #dee2e6;vertical-align:top}th{background:#f1f3f5}"
    ".pass{color:#2a9d8f}.fail{color:#d62828}.num{text-align:right}"
    ".timeline svg{max-width:100%;height:auto}code{font-size:.95em}";

static void html_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	html_esc(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", html_style);
}

static const char *html_class(bool ok)
{
	return ok ? "pass" : "fail";
}

/* The result cell of one expectation: as the text table says it. */
static void html_result(FILE *f, const struct sla_verdict *v)
{
	fprintf(f, "<td class=\"%s\">%s", html_class(v->as_wanted),
		v->status == SLA_PASS ? "pass" : "FAIL");
	if (v->status != SLA_PASS) {
		fputs(" (", f);
		html_esc(f, v->msg);
		fputc(')', f);
	}
	if (v->wanted == SCN_WANT_FAIL)
		fputs(v->as_wanted ? " (marked fails: reproduced)"
				   : " (marked fails: NOT reproduced)",
		      f);
	else if (v->wanted == SCN_WANT_EITHER)
		fputs(" (marked may fail)", f);
	fputs("</td>", f);
}

static void html_expectations(FILE *f, const struct sla_result *r)
{
	fputs("<h2>Expectations</h2>\n", f);
	if (!r->n_v) {
		fputs("<p>none</p>\n", f);
		return;
	}
	fputs("<table id=\"expectations\">\n<tr><th>expectation</th><th>measured</th>"
	      "<th>result</th></tr>\n",
	      f);
	for (int i = 0; i < r->n_v; i++) {
		const struct sla_verdict *v = &r->v[i];
		char val[32] = "-";
		if (v->status != SLA_INVALID)
			rep_value_format(&v->got, v->unit, val, sizeof(val));
		fputs("<tr><td><code>", f);
		html_esc(f, v->text);
		fprintf(f, "</code></td><td class=\"num\">%s</td>", val);
		html_result(f, v);
		fputs("</tr>\n", f);
	}
	fprintf(f,
		"</table>\n<p>%d expectations, %d passed, %d failed: <b class=\"%s\">%s</b></p>\n",
		r->n_v, r->n_v - r->n_failed, r->n_failed, html_class(r->ok), rep_outcome_text(r));
}

/* The picture inline: rep_svg_write's document without its XML declaration. */
static int html_timeline(FILE *f, const struct sla_result *r)
{
	char *svg = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&svg, &len);

	if (!m)
		return -1;
	int rc = rep_svg_write(m, r);
	if (fclose(m) == EOF)
		rc = -1;
	if (rc == 0) {
		const char *body = strstr(svg, "<svg");
		fputs("<h2>Timeline</h2>\n<div class=\"timeline\">\n", f);
		fputs(body ? body : "", f);
		fputs("</div>\n", f);
	}
	free(svg);
	return rc;
}

static void html_value(FILE *f, const struct sla_value *v, enum scn_unit unit)
{
	char val[32];
	rep_value_format(v, unit, val, sizeof(val));
	fputs("<td class=\"num\"", f);
	if (!v->measured && v->why) {
		fputs(" title=\"", f);
		html_esc(f, v->why);
		fputc('"', f);
	}
	fprintf(f, ">%s</td>", val);
}

static void html_metrics(FILE *f, const struct sla_result *r)
{
	fputs("<h2>Metrics</h2>\n<table id=\"metrics\">\n<tr><th>metric</th><th>whole run</th>"
	      "<th>during faults</th><th>not measured because</th></tr>\n",
	      f);
	for (int m = 1; m < SLA_METRIC__MAX; m++) {
		const struct sla_value *a = &r->all.v[m];
		fprintf(f, "<tr><td>%s</td>", sla_metric_name((enum sla_metric)m));
		html_value(f, a, sla_metric_unit((enum sla_metric)m));
		html_value(f, &r->during.v[m], sla_metric_unit((enum sla_metric)m));
		fputs("<td>", f);
		html_esc(f, a->measured ? "" : a->why);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* A link to @prefix@name; both empty (the page's own folder) is "./", not the page. */
static void html_link(FILE *f, const char *prefix, const char *name, const char *text)
{
	fputs("<a href=\"", f);
	html_href(f, *prefix || *name ? prefix : "./");
	html_href(f, name);
	fputs("\">", f);
	html_esc(f, text);
	fputs("</a>", f);
}

static void html_clients(FILE *f, const struct sla_result *r, const char *prefix)
{
	static const enum sla_metric cols[] = {SLA_REQUESTS, SLA_SUCCESS, SLA_ERRORS, SLA_P99,
					       SLA_OUTAGE};
	if (!r->n_clients)
		return;
	fputs("<h2>Clients</h2>\n<table id=\"clients\">\n<tr><th>client</th><th>request log</th>",
	      f);
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		fprintf(f, "<th>%s</th>", sla_metric_name(cols[k]));
	fputs("</tr>\n", f);
	for (int i = 0; i < r->n_clients; i++) {
		const struct sla_client *c = &r->clients[i];
		fputs("<tr><td>", f);
		html_esc(f, c->name);
		fputs("</td><td>", f);
		if (c->logged)
			html_link(f, prefix, c->log, c->log);
		else
			html_esc(f, "(nothing logged)");
		fputs("</td>", f);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			html_value(f, &c->all.v[cols[k]], sla_metric_unit(cols[k]));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_faults(FILE *f, const struct sla_result *r)
{
	const struct obs_store *st = r->st;

	fputs("<h2>Faults</h2>\n", f);
	if (!st || !st->n_flt) {
		fputs("<p>none applied</p>\n", f);
		return;
	}
	fputs("<table id=\"faults\">\n<tr><th>#</th><th>fault</th><th>target</th>"
	      "<th>applied</th><th>reverted</th><th>path</th></tr>\n",
	      f);
	for (size_t i = 0; i < st->n_flt; i++) {
		const struct obs_fault *flt = &st->flt[i];
		fprintf(f, "<tr><td>%d</td><td>", flt->id);
		html_esc(f, flt->kind);
		fputs("</td><td>", f);
		html_esc(f, flt->target);
		fprintf(f, "</td><td class=\"num\">%.3fs</td>",
			(double)(flt->apply_ns - r->cfg.t0_ns) / 1e9);
		if (flt->revert_ns == OBS_OPEN)
			fputs("<td>never</td>", f);
		else
			fprintf(f, "<td class=\"num\">%.3fs</td>",
				(double)(flt->revert_ns - r->cfg.t0_ns) / 1e9);
		fputs("<td>", f);
		html_esc(f, flt->path);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_guests(FILE *f, const struct sla_result *r)
{
	if (!r->n_guests)
		return;
	fputs("<h2>Guests</h2>\n<table id=\"guests\">\n<tr><th>node</th><th>kernel command line"
	      "</th><th>clocksource</th><th>interrupts</th></tr>\n",
	      f);
	for (int i = 0; i < r->n_guests; i++) {
		const struct sla_guest *g = &r->guests[i];
		const char *cells[] = {g->node, g->cmdline, g->clocksource, g->interrupts};
		fputs("<tr>", f);
		for (size_t k = 0; k < 4; k++) {
			fputs("<td>", f);
			html_esc(f, cells[k]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_files(FILE *f, const struct rep_html_run *run)
{
	fputs("<h2>Files of the run directory</h2>\n<table id=\"files\">\n"
	      "<tr><th>file</th><th>bytes</th></tr>\n",
	      f);
	for (int i = 0; i < run->n_files; i++) {
		fputs("<tr><td>", f);
		html_link(f, run->href, run->files[i].name, run->files[i].name);
		fprintf(f, "</td><td class=\"num\">%lld</td></tr>\n", run->files[i].size);
	}
	fputs("</table>\n", f);
}

/* Scenario, description, seed, params, when, where. */
static void html_facts(FILE *f, const struct rep_html_run *run)
{
	const struct sla_result *r = run->r;

	if (r->description) {
		fputs("<p>", f);
		html_esc(f, r->description);
		fputs("</p>\n", f);
	}
	fprintf(f, "<table id=\"run\">\n<tr><th>seed</th><td>%llu</td></tr>\n",
		(unsigned long long)r->seed);
	for (int i = 0; i < r->n_params; i++) {
		fputs("<tr><th>param ", f);
		html_esc(f, r->params[i].name);
		fputs("</th><td>", f);
		html_esc(f, r->params[i].value);
		fputs("</td></tr>\n", f);
	}
	fputs("<tr><th>started</th><td>", f);
	html_esc(f, run->started && *run->started ? run->started : "unknown");
	fprintf(f,
		"</td></tr>\n<tr><th>duration</th><td>%.1fs</td></tr>\n<tr><th>run directory"
		"</th><td>",
		(double)r->cfg.duration_ns / 1e9);
	html_link(f, run->href, "", r->run_dir ? r->run_dir : "(this folder)");
	fputs("</td></tr>\n</table>\n", f);
}

int rep_html_write(FILE *f, const struct rep_html_run *run)
{
	const struct sla_result *r = run->r;
	char title[256];

	snprintf(title, sizeof(title), "%s: %s", r->scenario, rep_outcome_text(r));
	html_head(f, title);
	fprintf(f, "<h1>scenario ");
	html_esc(f, r->scenario);
	fprintf(f, ": <span id=\"verdict\" class=\"%s\">%s</span></h1>\n", html_class(r->ok),
		rep_outcome_text(r));
	html_facts(f, run);
	html_expectations(f, r);
	if (html_timeline(f, r) == -1)
		fputs("<p>(no timeline: the run has no observations)</p>\n", f);
	html_metrics(f, r);
	html_clients(f, r, run->href);
	html_faults(f, r);
	html_guests(f, r);
	html_files(f, run);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int rep_html_index(FILE *f, const struct rep_html_entry *e, int n)
{
	int passed = 0, judged = 0;

	html_head(f, "faultline runs");
	fputs("<h1>faultline runs</h1>\n<table id=\"runs\">\n<tr><th>verdict</th><th>started</th>"
	      "<th>scenario</th><th>seed</th><th>expectations</th><th>run</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const struct sla_result *r = e[i].r;
		if (r) {
			judged++;
			passed += r->ok;
			fprintf(f, "<tr><td class=\"%s\">%s</td><td>", html_class(r->ok),
				rep_outcome_text(r));
		} else {
			fputs("<tr><td class=\"fail\">not judged: ", f);
			html_esc(f, e[i].why);
			fputs("</td><td>", f);
		}
		html_esc(f, e[i].started && *e[i].started ? e[i].started : "unknown");
		fputs("</td><td>", f);
		html_esc(f, r ? r->scenario : e[i].scenario);
		if (r)
			fprintf(f, "</td><td>%llu</td><td>%d of %d held</td><td>",
				(unsigned long long)r->seed, r->n_v - r->n_failed, r->n_v);
		else
			fputs("</td><td></td><td></td><td>", f);
		html_link(f, e[i].href, "", e[i].name);
		fputs("</td></tr>\n", f);
	}
	fprintf(f,
		"</table>\n<p>%d runs, %d judged, %d passed (or reproduced as marked)</p>\n"
		"</body>\n</html>\n",
		n, judged, passed);
	return ferror(f) ? -1 : 0;
}
