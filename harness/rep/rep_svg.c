/*
 * rep_svg.c - the timeline picture of one run, readable at a glance:
 *
 *   title: scenario, verdict, seed
 *   faults          one row per target, a shaded band while applied (and a faint band
 *                   over the whole picture, so every row can be read against it)
 *   VIP <addr>      one row per node that claimed the VIP on the wire; where two or
 *                   more claim it at once the span is drawn in the alarm colour
 *   lb state        one row per load balancer, from its own state events, each state
 *                   until the next one or until a process on its node exits
 *   backends        one row per (load balancer, backend): up / down marks, ended the
 *                   same way (a dead load balancer has no view of its backends)
 *   clients         with two clients or more, one row each: the share of its requests
 *                   scheduled in each time bin that were ok (green) or failed (red)
 *   success rate    per time bin, of requests scheduled in it (every client's)
 *   p99 latency     per time bin, of the successful ones
 *   time axis       seconds from t0
 *   legend          every colour drawn, with what it means (collected while drawing:
 *                   a colour that is drawn is named, one that is not is left out)
 *
 * Layout is computed in one pass (rows counted first), then drawn top to bottom.
 * Everything outside the window [t0, t0 + duration] is clipped to it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"

#define SVG_W 1000
#define SVG_L 170 /* label column */
#define SVG_R 20
#define SVG_PW (SVG_W - SVG_L - SVG_R)
#define SVG_ROW 16
#define SVG_GAP 4
#define SVG_HEAD 22 /* section heading */
#define SVG_CHART 70
#define SVG_BINS 100
#define SVG_MAX_ROWS 64

#define C_FAULT "#f4a261"
#define C_ALARM "#d62828"
#define C_UP "#2a9d8f"
#define C_DOWN "#e63946"
#define C_UNKNOWN "#e9ecef" /* a row's background: nothing recorded there */
#define C_MASTER "#1d3557"
#define C_BACKUP "#a8dadc"
#define C_LB_OTHER "#6c757d"
#define C_NONE "#adb5bd" /* no request scheduled in the bin */
#define C_LATENCY "#264653"
#define C_TEXT "#212529"
#define C_GRID "#dee2e6"
#define SVG_LEGEND_MAX 32

/* The VIP owners' colours, one per node of a VIP in the order they first claimed it. */
static const char *const svg_palette[] = {"#457b9d", "#8338ec", "#3a86ff", "#fb8500",
					  "#6a994e", "#bc6c25"};

struct svg_key {
	const char *color;
	char text[112]; /* what the colour means, its uses joined by " / " */
};

struct svg {
	FILE *f;
	int64_t t0, dur;
	int y;	    /* next free row */
	int top;    /* y of the first section */
	int height; /* total */
	struct svg_key key[SVG_LEGEND_MAX]; /* the legend, in the order first drawn */
	int n_key;
};

/* Colour @color was drawn meaning @text: the legend will say so (once per text). */
static void svg_key_use(struct svg *s, const char *color, const char *text)
{
	int k = 0;
	while (k < s->n_key && strcmp(s->key[k].color, color))
		k++;
	if (k == s->n_key) {
		if (k == SVG_LEGEND_MAX)
			return;
		s->key[s->n_key++] = (struct svg_key){.color = color};
	}
	char *t = s->key[k].text;
	size_t len = strlen(t), n = strlen(text);
	for (const char *p = t; (p = strstr(p, text)); p += n)
		if ((p == t || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return; /* named already */
	snprintf(t + len, sizeof(s->key[k].text) - len, "%s%s", len ? " / " : "", text);
}

static double svg_x(const struct svg *s, int64_t t)
{
	if (t < s->t0)
		t = s->t0;
	if (t > s->t0 + s->dur)
		t = s->t0 + s->dur;
	return SVG_L + (double)(t - s->t0) / (double)s->dur * SVG_PW;
}

static void svg_text(FILE *f, double x, double y, const char *anchor, const char *style,
		     const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, style);
	for (const char *p = text; *p; p++) {
		if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '&')
			fputs("&amp;", f);
		else if (*p == '>')
			fputs("&gt;", f);
		else
			fputc(*p, f);
	}
	fputs("</text>\n", f);
}

/* A bar [a, b) on the current row, with a tooltip. */
static void svg_bar(struct svg *s, int64_t a, int64_t b, const char *fill, const char *tip)
{
	double x0 = svg_x(s, a), x1 = svg_x(s, b);
	if (x1 - x0 < 1.5)
		x1 = x0 + 1.5; /* short events stay visible */
	fprintf(s->f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
		       "<title>%s</title></rect>\n",
		x0, s->y, x1 - x0, SVG_ROW, fill, tip);
}

static void svg_row_label(struct svg *s, const char *label)
{
	fprintf(s->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_UNKNOWN "\" "
		       "fill-opacity=\"0.5\"/>\n",
		SVG_L, s->y, SVG_PW, SVG_ROW);
	svg_key_use(s, C_UNKNOWN, "nothing recorded");
	svg_text(s->f, SVG_L - 8, s->y + SVG_ROW - 4, "end", "font-size=\"11\"", label);
}

static void svg_heading(struct svg *s, const char *title)
{
	s->y += 6;
	svg_text(s->f, 10, s->y + 12, "start", "font-size=\"12\" font-weight=\"bold\"", title);
	s->y += SVG_HEAD - 6;
}

static void svg_next_row(struct svg *s)
{
	s->y += SVG_ROW + SVG_GAP;
}

static int64_t svg_end(const struct svg *s, int64_t t)
{
	return t == OBS_OPEN ? s->t0 + s->dur : t;
}

/* ---- faults ---- */

/* Distinct fault targets, in order of first appearance; returns how many. */
static int svg_fault_rows(const struct obs_store *st, const char **rows)
{
	int n = 0;
	for (size_t i = 0; i < st->n_flt && n < SVG_MAX_ROWS; i++) {
		int k = 0;
		while (k < n && strcmp(rows[k], st->flt[i].target))
			k++;
		if (k == n)
			rows[n++] = st->flt[i].target;
	}
	return n;
}

static void svg_faults(struct svg *s, const struct obs_store *st)
{
	const char *rows[SVG_MAX_ROWS];
	int n = svg_fault_rows(st, rows);
	svg_heading(s, n ? "faults" : "faults (none)");
	for (int k = 0; k < n; k++) {
		svg_row_label(s, rows[k]);
		for (size_t i = 0; i < st->n_flt; i++) {
			const struct obs_fault *f = &st->flt[i];
			if (strcmp(f->target, rows[k]))
				continue;
			char tip[256];
			snprintf(tip, sizeof(tip), "#%d %s %s at %.3fs", f->id, f->kind, f->target,
				 (double)(f->apply_ns - s->t0) / 1e9);
			svg_bar(s, f->apply_ns, svg_end(s, f->revert_ns), C_FAULT, tip);
			svg_key_use(s, C_FAULT, "fault applied");
			double x0 = svg_x(s, f->apply_ns), x1 = svg_x(s, svg_end(s, f->revert_ns));
			if (x1 - x0 > 6.5 * (double)strlen(f->kind))
				svg_text(s->f, x0 + 3, s->y + SVG_ROW - 4, "start",
					 "font-size=\"10\"", f->kind);
		}
		svg_next_row(s);
	}
}

/* The faint band of every fault over the whole plot (drawn first, under the rest). */
static void svg_fault_shade(struct svg *s, const struct obs_store *st)
{
	for (size_t i = 0; i < st->n_flt; i++) {
		double x0 = svg_x(s, st->flt[i].apply_ns);
		double x1 = svg_x(s, svg_end(s, st->flt[i].revert_ns));
		fprintf(s->f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
			       "opacity=\"0.18\"/>\n",
			x0, s->top, x1 - x0 > 1 ? x1 - x0 : 1, s->height - s->top - 40, C_FAULT);
	}
}

/* ---- VIP owners ---- */

/* Draw the parts of claim @c that overlap a span where 2+ nodes claim its VIP. */
static void svg_claim_alarm(struct svg *s, const struct sla_claims *cl, int lo, int hi,
			    const struct sla_claim *c)
{
	for (int k = lo; k < hi; k++) {
		const struct sla_claim *o = &cl->v[k];
		if (o == c || !strcmp(o->node, c->node))
			continue;
		int64_t a = c->a > o->a ? c->a : o->a, b = c->b < o->b ? c->b : o->b;
		if (a < b) {
			svg_bar(s, a, b, C_ALARM, "two or more nodes claim the VIP: split-brain");
			svg_key_use(s, C_ALARM, "split-brain (two nodes claim a VIP)");
		}
	}
}

/* Rows of one VIP: claims cl->v[lo .. hi). */
static void svg_vip(struct svg *s, const struct sla_claims *cl, int lo, int hi)
{
	char addr[INET_ADDRSTRLEN], title[64];
	inet_ntop(AF_INET, &cl->v[lo].vip, addr, sizeof(addr));
	snprintf(title, sizeof(title), "VIP %s owner (wire)", addr);
	svg_heading(s, title);
	const char *nodes[SVG_MAX_ROWS];
	int n = 0;
	for (int i = lo; i < hi && n < SVG_MAX_ROWS; i++) {
		int k = 0;
		while (k < n && strcmp(nodes[k], cl->v[i].node))
			k++;
		if (k == n)
			nodes[n++] = cl->v[i].node;
	}
	for (int k = 0; k < n; k++) {
		svg_row_label(s, *nodes[k] ? nodes[k] : "(unknown node)");
		for (int i = lo; i < hi; i++) {
			if (strcmp(cl->v[i].node, nodes[k]))
				continue;
			char tip[256];
			snprintf(tip, sizeof(tip), "%s claims %s from %.3fs to %.3fs", nodes[k], addr,
				 (double)(cl->v[i].a - s->t0) / 1e9,
				 (double)(cl->v[i].b - s->t0) / 1e9);
			const char *c = svg_palette[k % (sizeof(svg_palette) / sizeof(svg_palette[0]))];
			char what[80];
			snprintf(what, sizeof(what), "VIP claimed by %s",
				 *nodes[k] ? nodes[k] : "(unknown node)");
			svg_bar(s, cl->v[i].a, cl->v[i].b, c, tip);
			svg_key_use(s, c, what);
			svg_claim_alarm(s, cl, lo, hi, &cl->v[i]);
		}
		svg_next_row(s);
	}
}

static void svg_vips(struct svg *s, const struct sla_result *r)
{
	struct sla_claims cl;
	if (sla_claims_build(r->st, &r->cfg, &cl) < 0)
		return;
	if (!cl.n) {
		svg_heading(s, "VIP owner (no announcement seen on the wire)");
	}
	for (int i = 0, j; i < cl.n; i = j) {
		for (j = i + 1; j < cl.n && cl.v[j].vip.s_addr == cl.v[i].vip.s_addr; j++)
			;
		svg_vip(s, &cl, i, j);
	}
	sla_claims_release(&cl);
}

/* ---- load balancer events ---- */

static int svg_lb_cmp(const void *x, const void *y)
{
	const struct obs_lb *a = *(const struct obs_lb *const *)x;
	const struct obs_lb *b = *(const struct obs_lb *const *)y;
	return a->t_ns < b->t_ns ? -1 : a->t_ns > b->t_ns;
}

/* The colour of @l's state, named in the legend. */
static const char *svg_state_color(struct svg *s, const struct obs_lb *l)
{
	static const struct {
		const char *color, *text;
	} c[] = {{C_UP, "backend up"},	{C_DOWN, "backend down"},
		 {C_MASTER, "lb master"}, {C_BACKUP, "lb backup"},
		 {C_LB_OTHER, "lb in another state"}};
	int k = l->kind == OBS_LB_BACKEND ? !l->up
		: !strcmp(l->to, "master") ? 2
		: !strcmp(l->to, "backup") ? 3
					   : 4;
	svg_key_use(s, c[k].color, c[k].text);
	return c[k].color;
}

/* One row: the events of @ev (sorted) that belong to (@lb, @kind, @backend); an exit on
 * the node ends the current bar, the next event (a restarted process) starts one. */
static void svg_lb_row(struct svg *s, struct obs_lb **ev, size_t n, const struct obs_lb *key)
{
	char label[80], tip[256];
	if (key->kind == OBS_LB_STATE)
		snprintf(label, sizeof(label), "%s", key->lb);
	else
		snprintf(label, sizeof(label), "%s: %s", key->lb, key->backend);
	svg_row_label(s, label);
	const struct obs_lb *prev = NULL;
	for (size_t i = 0; i <= n; i++) {
		const struct obs_lb *l = i < n ? ev[i] : NULL;
		bool exit = l && l->kind == OBS_LB_EXIT;
		if (l && (exit ? strcmp(l->lb, key->lb)
			       : l->kind != key->kind || strcmp(l->lb, key->lb) ||
					 strcmp(l->backend, key->backend)))
			continue;
		if (prev) {
			snprintf(tip, sizeof(tip), "%s %s at %.3fs", label,
				 prev->kind == OBS_LB_STATE ? prev->to : prev->up ? "up" : "down",
				 (double)(prev->t_ns - s->t0) / 1e9);
			if (exit)
				snprintf(tip + strlen(tip), sizeof(tip) - strlen(tip),
					 ", process exited at %.3fs", (double)(l->t_ns - s->t0) / 1e9);
			svg_bar(s, prev->t_ns, l ? l->t_ns : s->t0 + s->dur, svg_state_color(s, prev),
				tip);
		}
		prev = exit ? NULL : l;
	}
	svg_next_row(s);
}

static bool svg_lb_seen(struct obs_lb **ev, size_t i)
{
	if (ev[i]->kind == OBS_LB_EXIT)
		return true; /* ends rows, never starts one */
	for (size_t k = 0; k < i; k++)
		if (ev[k]->kind == ev[i]->kind && !strcmp(ev[k]->lb, ev[i]->lb) &&
		    !strcmp(ev[k]->backend, ev[i]->backend))
			return true;
	return false;
}

static void svg_lbs(struct svg *s, const struct obs_store *st, enum obs_lb_kind kind,
		    const char *title)
{
	struct obs_lb **ev = malloc((st->n_lb ? st->n_lb : 1) * sizeof(*ev));
	if (!ev)
		return;
	size_t n = 0;
	size_t rows = 0;
	for (size_t i = 0; i < st->n_lb; i++)
		if (st->lb[i].kind == kind || st->lb[i].kind == OBS_LB_EXIT) {
			rows += st->lb[i].kind == kind;
			ev[n++] = &st->lb[i];
		}
	qsort(ev, n, sizeof(*ev), svg_lb_cmp);
	if (rows)
		svg_heading(s, title);
	rows = 0;
	for (size_t i = 0; i < n && rows < SVG_MAX_ROWS; i++) {
		if (svg_lb_seen(ev, i))
			continue;
		svg_lb_row(s, ev, n, ev[i]);
		rows++;
	}
	free(ev);
}

/* ---- request charts ---- */

struct svg_bin {
	int total, ok;
	int64_t p99_us; /* -1: no successful request */
};

struct svg_lat {
	int bin;
	int64_t us;
};

static int svg_lat_cmp(const void *x, const void *y)
{
	const struct svg_lat *a = x, *b = y;
	if (a->bin != b->bin)
		return a->bin - b->bin;
	return a->us < b->us ? -1 : a->us > b->us;
}

/* Per-bin counts and p99 (nearest rank) of the requests scheduled in the window. */
static int svg_bins(const struct svg *s, const struct obs_store *st, struct svg_bin *bin)
{
	struct svg_lat *lat = malloc((st->n_req ? st->n_req : 1) * sizeof(*lat));
	if (!lat)
		return -1;
	size_t n = 0;
	for (int b = 0; b < SVG_BINS; b++)
		bin[b] = (struct svg_bin){0, 0, -1};
	for (size_t i = 0; i < st->n_req; i++) {
		int64_t t = st->req[i].sched_ns - s->t0;
		if (t < 0 || t >= s->dur)
			continue;
		int b = (int)(t * SVG_BINS / s->dur);
		bin[b].total++;
		if (st->req[i].outcome == OBS_OK) {
			bin[b].ok++;
			lat[n++] = (struct svg_lat){b, st->req[i].latency_us};
		}
	}
	qsort(lat, n, sizeof(*lat), svg_lat_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && lat[j].bin == lat[i].bin)
			j++;
		size_t rank = (99 * (j - i) + 99) / 100;
		bin[lat[i].bin].p99_us = lat[i + rank - 1].us;
		i = j;
	}
	free(lat);
	return 0;
}

static void svg_chart_frame(struct svg *s, const char *title, const char *top_label)
{
	svg_heading(s, title);
	fprintf(s->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" C_UNKNOWN "\" "
		       "fill-opacity=\"0.5\" stroke=\"%s\"/>\n",
		SVG_L, s->y, SVG_PW, SVG_CHART, C_GRID);
	svg_key_use(s, C_UNKNOWN, "nothing recorded");
	svg_text(s->f, SVG_L - 8, s->y + 10, "end", "font-size=\"10\"", top_label);
	svg_text(s->f, SVG_L - 8, s->y + SVG_CHART, "end", "font-size=\"10\"", "0");
}

static void svg_rect(FILE *f, double x, double y, double w, double h, const char *fill)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
		x, y, w, h, fill);
}

/* ---- one row per client: its request outcomes per bin ---- */

/* Bin @b of the requests read from log @log: its cell, green up to the ok share. */
static void svg_client_cell(struct svg *s, const char *name, int b, int total, int ok)
{
	double w = (double)SVG_PW / SVG_BINS, x = SVG_L + b * w;
	double okh = total ? (double)ok / total * SVG_ROW : 0;
	int64_t a = s->t0 + s->dur * b / SVG_BINS;

	if (!total)
		return; /* nothing scheduled: the row's grey shows */
	fprintf(s->f, "<g><title>%s %.2fs: %d of %d ok</title>\n", name, (double)(a - s->t0) / 1e9,
		ok, total);
	if (okh > 0)
		svg_rect(s->f, x, s->y + SVG_ROW - okh, w, okh, C_UP);
	if (okh < SVG_ROW)
		svg_rect(s->f, x, s->y, w, SVG_ROW - okh, C_DOWN);
	svg_key_use(s, C_UP, "requests ok");
	if (okh < SVG_ROW)
		svg_key_use(s, C_DOWN, "requests failed");
	fputs("</g>\n", s->f);
}

static void svg_client_row(struct svg *s, const struct sla_result *r, const struct sla_client *c)
{
	int total[SVG_BINS] = {0}, ok[SVG_BINS] = {0}, log = obs_log_find(r->st, c->log);

	svg_row_label(s, c->name);
	for (size_t i = 0; log && i < r->st->n_req; i++) {
		const struct obs_req *q = &r->st->req[i];
		int64_t t = q->sched_ns - s->t0;
		if (q->log != log || t < 0 || t >= s->dur)
			continue;
		int b = (int)(t * SVG_BINS / s->dur);
		total[b]++;
		ok[b] += q->outcome == OBS_OK;
	}
	for (int b = 0; b < SVG_BINS; b++)
		svg_client_cell(s, c->name, b, total[b], ok[b]);
	svg_next_row(s);
}

/* With two clients or more (one would repeat the chart below): a row each. */
static void svg_clients(struct svg *s, const struct sla_result *r)
{
	if (r->n_clients < 2)
		return;
	svg_heading(s, "requests per client (green ok, red failed)");
	for (int i = 0; i < r->n_clients && i < SVG_MAX_ROWS; i++)
		svg_client_row(s, r, &r->clients[i]);
}

static void svg_success(struct svg *s, const struct svg_bin *bin)
{
	double w = (double)SVG_PW / SVG_BINS;
	svg_chart_frame(s, "requests ok per bin (red: failed)", "100%");
	for (int b = 0; b < SVG_BINS; b++) {
		double x = SVG_L + b * w;
		if (!bin[b].total) {
			svg_rect(s->f, x, s->y + SVG_CHART - 2, w, 2, C_NONE);
			svg_key_use(s, C_NONE, "no request scheduled");
			continue;
		}
		double okh = (double)bin[b].ok / bin[b].total * SVG_CHART;
		svg_rect(s->f, x, s->y + SVG_CHART - okh, w, okh, C_UP);
		svg_key_use(s, C_UP, "requests ok");
		if (okh < SVG_CHART) {
			svg_rect(s->f, x, s->y, w, SVG_CHART - okh, C_DOWN);
			svg_key_use(s, C_DOWN, "requests failed");
		}
	}
	s->y += SVG_CHART + SVG_GAP;
}

/* 1, 2 or 5 times a power of ten, at least @v. */
static double svg_nice(double v)
{
	double p = 1;
	while (p * 10 <= v)
		p *= 10;
	while (p > v && p > 1e-3)
		p /= 10;
	return v <= p ? p : v <= 2 * p ? 2 * p : v <= 5 * p ? 5 * p : 10 * p;
}

static void svg_latency(struct svg *s, const struct svg_bin *bin)
{
	double w = (double)SVG_PW / SVG_BINS, max = 0;
	for (int b = 0; b < SVG_BINS; b++)
		if ((double)bin[b].p99_us / 1000 > max)
			max = (double)bin[b].p99_us / 1000;
	max = svg_nice(max > 0 ? max : 1);
	char top[32];
	snprintf(top, sizeof(top), "%gms", max);
	svg_chart_frame(s, "p99 latency per bin (ok requests)", top);
	for (int b = 0; b < SVG_BINS; b++) {
		if (bin[b].p99_us < 0)
			continue;
		double h = (double)bin[b].p99_us / 1000 / max * SVG_CHART;
		svg_rect(s->f, SVG_L + b * w, s->y + SVG_CHART - h, w > 2 ? w - 1 : w, h,
			 C_LATENCY);
		svg_key_use(s, C_LATENCY, "p99 latency");
	}
	s->y += SVG_CHART + SVG_GAP;
}

/* ---- axis, legend, page ---- */

static void svg_axis(struct svg *s)
{
	static const double steps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
				       1800, 3600};
	double dur = (double)s->dur / 1e9, step = steps[0];
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && dur / step > 12; i++)
		step = steps[i];
	s->y += 4;
	fprintf(s->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n", SVG_L,
		s->y, SVG_L + SVG_PW, s->y, C_TEXT);
	for (int k = 0; k * step <= dur + 1e-9; k++) {
		double x = SVG_L + k * step / dur * SVG_PW;
		char t[24];
		snprintf(t, sizeof(t), "%gs", k * step);
		fprintf(s->f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n",
			x, s->top, x, s->y + 4, C_GRID);
		svg_text(s->f, x, s->y + 16, "middle", "font-size=\"10\"", t);
	}
	svg_text(s->f, 10, s->y + 16, "start", "font-size=\"10\"", "time from t0");
	s->y += 24;
}

/* Every colour drawn above, with its meaning, wrapped to the picture's width. */
static void svg_legend(struct svg *s)
{
	double x = SVG_L;

	fputs("<g id=\"legend\">\n", s->f);
	for (int i = 0; i < s->n_key; i++) {
		double w = 24 + 6.5 * (double)strlen(s->key[i].text);
		if (x > SVG_L && x + w > SVG_W - SVG_R) {
			x = SVG_L;
			s->y += 18;
		}
		svg_rect(s->f, x, s->y, 12, 12, s->key[i].color);
		svg_text(s->f, x + 16, s->y + 10, "start", "font-size=\"11\"", s->key[i].text);
		x += w;
	}
	fputs("</g>\n", s->f);
	s->y += 24;
}

/* Everything below the title, into @s->f; leaves the total height in s->y. */
static int svg_body(struct svg *s, const struct sla_result *r)
{
	struct svg_bin bin[SVG_BINS];
	if (svg_bins(s, r->st, bin) < 0)
		return -1;
	svg_faults(s, r->st);
	svg_vips(s, r);
	svg_lbs(s, r->st, OBS_LB_STATE, "load balancer state (own events)");
	svg_lbs(s, r->st, OBS_LB_BACKEND, "backend health (load balancer marks)");
	svg_clients(s, r);
	svg_success(s, bin);
	svg_latency(s, bin);
	svg_axis(s);
	svg_legend(s);
	return 0;
}

static void svg_title(FILE *f, const struct sla_result *r)
{
	char t[256];
	snprintf(t, sizeof(t), "%s: %s (%d of %d expectations held)", r->scenario,
		 rep_outcome_text(r), r->n_v - r->n_failed, r->n_v);
	svg_text(f, 10, 22, "start", r->ok ? "font-size=\"16\" font-weight=\"bold\" fill=\""
						  C_UP "\""
					       : "font-size=\"16\" font-weight=\"bold\" fill=\""
						  C_ALARM "\"",
		 t);
	snprintf(t, sizeof(t), "%s  seed %llu  duration %.1fs", r->description ? r->description : "",
		 (unsigned long long)r->seed, (double)r->cfg.duration_ns / 1e9);
	svg_text(f, 10, 40, "start", "font-size=\"11\" fill=\"#495057\"", t);
}

int rep_svg_write(FILE *f, const struct sla_result *r)
{
	if (!r->st || r->cfg.duration_ns <= 0) {
		errno = EINVAL;
		return -1;
	}
	char *body = NULL;
	size_t len = 0;
	struct svg s = {.t0 = r->cfg.t0_ns, .dur = r->cfg.duration_ns, .y = 48, .top = 48};
	if (!(s.f = open_memstream(&body, &len)))
		return -1;
	int rc = svg_body(&s, r);
	fclose(s.f);
	if (rc < 0) {
		free(body);
		return -1;
	}
	s.height = s.y + 8;
	s.f = f;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/"
		   "2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"%s\" "
		   "shape-rendering=\"crispEdges\">\n",
		SVG_W, s.height, SVG_W, s.height, C_TEXT);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	svg_title(f, r);
	svg_fault_shade(&s, r->st);
	fwrite(body, 1, len, f);
	fputs("</svg>\n", f);
	free(body);
	return ferror(f) ? -1 : 0;
}
