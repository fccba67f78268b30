/*
 * tl_scn.c - a schedule written back as a scenario (`run --dry-run --as-scenario OUT`):
 * the source file as it is, except that its timeline statements are replaced by one
 * `at T FAULT [for D]` line per firing of the schedule, at the place of the first one.
 *
 * Invariant: the written scenario's schedule has the same firings, in the same order,
 * as @sch (times, kinds, targets, arguments, reverts), whatever its seed: every random,
 * every, flap and any(...) is resolved, a flap step is written as the link down it is,
 * and a revert at the end of the run as a `for` that reaches the duration
 * (tests/unit/test_tl.c checks it on every bundled scenario). Times are whole ms.
 * A timeline statement's lines are the line it starts on and the lines it continues
 * onto with a trailing backslash. tl_scn_write_keep writes only some of the firings
 * (`faultline shrink`), under a header of the caller's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl.h"

int tl_firing_stmt(const struct scn *s, const struct tl_firing *f, char *buf, size_t len)
{
	if (!f || f->event < 0 || f->event >= s->n_events)
		return errno = EINVAL, -1;
	const struct scn_fault *fa = &s->events[f->event].fault;
	char target[256], args[512] = "", dur[32] = "";
	tl_target_format(s, f, target, sizeof(target));
	if (f->kind == fa->kind && fa->kind->args_fmt) /* a flap step has none of its own */
		fa->kind->args_fmt(fa, f->step, f->steps, args, sizeof(args));
	if (f->revert_ms != TL_NONE)
		snprintf(dur, sizeof(dur), " for %lldms", (long long)(f->revert_ms - f->t_ms));
	else if (f->revert_at_end)
		snprintf(dur, sizeof(dur), " for %lldms", (long long)(s->duration_ms - f->t_ms));
	return snprintf(buf, len, "at %lldms %s %s%s%s", (long long)f->t_ms, f->kind->name, target,
			args, dur);
}

/* Marks in @skip (one per physical line, 1-based) the lines of timeline statements. */
static void tl_scn_skip_mark(const struct scn *s, const char *src, size_t len, bool *skip,
			     int n_lines)
{
	for (int i = 0; i < s->n_events; i++) {
		int line = s->events[i].loc.line;
		const char *p = src;
		for (int l = 1; l < line && p < src + len; l++) {
			const char *nl = memchr(p, '\n', (size_t)(src + len - p));
			p = nl ? nl + 1 : src + len;
		}
		for (; line <= n_lines && p < src + len; line++) {
			const char *nl = memchr(p, '\n', (size_t)(src + len - p));
			const char *end = nl ? nl : src + len;
			skip[line] = true;
			while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
				end--;
			if (end == p || end[-1] != '\\')
				break;
			p = nl ? nl + 1 : src + len;
		}
	}
}

static int tl_scn_firings(FILE *out, const struct scn *s, const struct tl_schedule *sch,
			  const bool *keep)
{
	char line[1024];
	for (int k = 0; k < sch->n; k++) {
		if (keep && !keep[k])
			continue;
		if (tl_firing_stmt(s, &sch->v[k], line, sizeof(line)) < 0)
			return -1;
		fprintf(out, "%s\n", line);
	}
	return 0;
}

int tl_scn_write(FILE *out, const struct scn *s, const struct tl_schedule *sch, const char *src,
		 size_t len)
{
	char head[512];

	snprintf(head, sizeof(head),
		 "# The schedule of %s (seed %llu, %d firings) as plain 'at' statements,\n"
		 "# written by faultline run --dry-run --as-scenario; the rest as written.\n",
		 s->name, (unsigned long long)sch->seed, sch->n);
	return tl_scn_write_keep(out, s, sch, NULL, head, src, len);
}

int tl_scn_write_keep(FILE *out, const struct scn *s, const struct tl_schedule *sch,
		      const bool *keep, const char *header, const char *src, size_t len)
{
	int n_lines = 1, written = 0;
	for (size_t i = 0; i < len; i++)
		n_lines += src[i] == '\n';
	bool *skip = calloc((size_t)n_lines + 2, sizeof(*skip));
	if (!skip)
		return -1;
	tl_scn_skip_mark(s, src, len, skip, n_lines);
	fputs(header, out);
	const char *p = src;
	for (int l = 1; p < src + len && l <= n_lines; l++) {
		const char *nl = memchr(p, '\n', (size_t)(src + len - p));
		size_t n = (size_t)((nl ? nl + 1 : src + len) - p);
		if (!skip[l])
			fwrite(p, 1, n, out);
		else if (!written++ && tl_scn_firings(out, s, sch, keep) < 0)
			goto err;
		p += n;
	}
	if (!written && sch->n && tl_scn_firings(out, s, sch, keep) < 0)
		goto err;
	free(skip);
	return ferror(out) ? -1 : 0;
err:
	free(skip);
	return -1;
}
