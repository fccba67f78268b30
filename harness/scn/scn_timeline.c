/*
 * scn_timeline.c - the timeline statements.
 *
 * at TIME FAULT [for D[..D]]
 * every D [from TIME] [until TIME] FAULT [for D[..D]]
 * random N/h [from TIME] [until TIME] FAULT [for D[..D]]
 *
 * Times are checked against the duration by scn_validate() (the duration may be written
 * after the timeline); the positions needed for that are kept in p->ev_locs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scn_int.h"

static struct scn_loc scn_next_loc(struct scn_p *p)
{
	struct scn_tok *t = scn_tok_peek(p);
	return t ? t->loc : p->t.end;
}

static int scn_ev_window(struct scn_p *p, struct scn_event *ev, struct scn_ev_locs *el)
{
	if (scn_tok_kw(p, "from")) {
		el->has_from = true;
		el->from = scn_next_loc(p);
		if (scn_get_duration(p, &ev->from_ms, false) < 0)
			return -1;
	}
	if (scn_tok_kw(p, "until")) {
		el->has_until = true;
		el->until = scn_next_loc(p);
		if (scn_get_duration(p, &ev->until_ms, true) < 0)
			return -1;
	}
	return 0;
}

static int scn_ev_random(struct scn_p *p, struct scn_event *ev)
{
	struct scn_tok *t = scn_tok_want(p, "a rate such as 12/h");
	if (!t)
		return -1;
	if (scn_rate_parse(t->text, &ev->per_hour) < 0 || ev->per_hour <= 0)
		return scn_fail(p, t->loc, "expected a rate above 0 such as 12/h, got '%s'", t->text);
	return 0;
}

static int scn_ev_sched(struct scn_p *p, const char *kw, struct scn_event *ev,
			struct scn_ev_locs *el)
{
	if (!strcmp(kw, "at")) {
		ev->sched = SCN_AT;
		el->at = scn_next_loc(p);
		return scn_get_duration(p, &ev->at_ms, false);
	}
	if (!strcmp(kw, "every")) {
		ev->sched = SCN_EVERY;
		if (scn_get_duration(p, &ev->every_ms, true) < 0)
			return -1;
	} else {
		ev->sched = SCN_RANDOM;
		if (scn_ev_random(p, ev) < 0)
			return -1;
	}
	return scn_ev_window(p, ev, el);
}

/* for D or for D1..D2 */
static int scn_ev_for(struct scn_p *p, struct scn_event *ev)
{
	struct scn_tok *t = scn_tok_want(p, "a duration such as 5s or a range such as 1s..3s");
	if (!t)
		return -1;
	ev->has_for = true;
	char *dots = strstr(t->text, "..");
	if (dots)
		*dots = '\0';
	if (scn_duration_parse(t->text, &ev->for_min_ms) < 0 || ev->for_min_ms == 0)
		return scn_fail(p, t->loc, "expected a duration above 0s such as 5s or a range such "
				"as 1s..3s, got '%s'", t->text);
	ev->for_max_ms = ev->for_min_ms;
	if (!dots)
		return 0;
	struct scn_loc loc = scn_tok_loc_at(t, (size_t)(dots + 2 - t->text));
	if (scn_duration_parse(dots + 2, &ev->for_max_ms) < 0)
		return scn_fail(p, loc, "expected a duration after '..' such as 3s, got '%s'",
				dots + 2);
	if (ev->for_max_ms < ev->for_min_ms)
		return scn_fail(p, loc, "the range %s..%s runs backwards", t->text, dots + 2);
	return 0;
}

int scn_stmt_timeline(struct scn_p *p, const char *kw)
{
	struct scn_event ev = {.loc = p->t.v[0].loc, .fault = {.target = {.net = -1}}};
	struct scn_ev_locs el = {.has_from = false};

	if (scn_ev_sched(p, kw, &ev, &el) < 0 || scn_fault_parse(p, &ev.fault) < 0)
		goto err;
	if (scn_tok_kw(p, "for") && scn_ev_for(p, &ev) < 0)
		goto err;
	if (scn_tok_end(p, "'for DURATION' or the end of the statement") < 0)
		goto err;
	int n = p->s->n_events;
	struct scn_ev_locs *l = scn_grow(&p->ev_locs, &n, sizeof(*l));
	if (!l)
		goto err_oom;
	*l = el;
	struct scn_event *slot = scn_grow(&p->s->events, &p->s->n_events, sizeof(*slot));
	if (!slot)
		goto err_oom;
	*slot = ev;
	return 0;
err_oom:
	scn_oom(p);
err:
	scn_fault_release(&ev.fault);
	return -1;
}

int scn_fault_line_parse(const struct scn *s, const char *file, const char *text,
			 struct scn_event *ev, struct scn_err *err)
{
	struct scn_line *lines = NULL;
	int n = 0, rc = -1;
	/* the parser only reads the scenario (names, services, params) for a fault line */
	struct scn_p p = {.s = (struct scn *)s, .err = err, .has_scenario = true};

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	*ev = (struct scn_event){.sched = SCN_AT, .fault = {.target = {.net = -1}}};
	if (scn_lines_split(file, text, strlen(text), &lines, &n, err) < 0)
		goto out;
	if (n != 1) {
		scn_fail(&p, (struct scn_loc){1, 1}, "expected one fault such as 'blackhole "
			 "NODE.NET for 2s', got %d lines", n);
		goto out;
	}
	if (scn_line_tokenize(&p, &lines[0], true) < 0 || scn_fault_parse(&p, &ev->fault) < 0)
		goto out;
	ev->loc = ev->fault.loc;
	if (scn_tok_kw(&p, "for") && scn_ev_for(&p, ev) < 0)
		goto out;
	if (scn_tok_end(&p, "'for DURATION' or the end of the fault") < 0)
		goto out;
	rc = 0;
out:;
	int e = errno;
	scn_toks_clear(&p.t);
	scn_lines_free(lines, n);
	if (rc < 0)
		scn_fault_release(&ev->fault);
	errno = e;
	return rc;
}

void scn_event_release(struct scn_event *ev)
{
	if (ev)
		scn_fault_release(&ev->fault);
}
