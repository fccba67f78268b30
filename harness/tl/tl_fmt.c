/*
 * tl_fmt.c - the forms of a firing: the human line of `run --dry-run` and the target
 * (text), and the parameters written to events.jsonl (members of a JSON object). The
 * arguments of each kind are its own (struct scn_fault_kind's args_fmt and params).
 * Pure: the text functions write into a caller buffer and return what snprintf() would
 * have written; tl_params_add() adds to the caller's object.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonl.h"
#include "tl.h"

/* Append snprintf output at *off of @buf, tracking the would-be length like snprintf. */
static void tl_cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void tl_cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static void tl_group(const struct scn *s, const int *nodes, int n, char *buf, size_t len,
		     size_t *off)
{
	for (int i = 0; i < n; i++)
		tl_cat(buf, len, off, "%s%s", i ? "," : "", s->nodes[nodes[i]].name);
}

static const struct scn_fault *tl_fault(const struct scn *s, const struct tl_firing *f)
{
	if (!f || f->event < 0 || f->event >= s->n_events)
		return NULL;
	return &s->events[f->event].fault;
}

int tl_target_format(const struct scn *s, const struct tl_firing *f, char *buf, size_t len)
{
	const struct scn_fault *fa = tl_fault(s, f);
	size_t off = 0;
	if (!fa)
		return errno = EINVAL, -1;
	if (len)
		buf[0] = '\0';
	if (fa->n_a > 0) { /* two groups: partition, "->" when one way */
		tl_group(s, fa->group_a, fa->n_a, buf, len, &off);
		tl_cat(buf, len, &off, fa->dir == SCN_DIR_OUT ? " -> " : " / ");
		tl_group(s, fa->group_b, fa->n_b, buf, len, &off);
	} else if (f->node >= 0 && fa->target.net >= 0) {
		tl_cat(buf, len, &off, "%s.%s", s->nodes[f->node].name,
		       s->networks[fa->target.net].name);
	} else if (f->node >= 0) {
		tl_cat(buf, len, &off, "%s", s->nodes[f->node].name);
	} else if (fa->target.net >= 0) {
		tl_cat(buf, len, &off, "%s", s->networks[fa->target.net].name);
	}
	return (int)off;
}

int tl_params_add(const struct scn *s, const struct tl_firing *f, json_t *obj)
{
	const struct scn_fault *fa = tl_fault(s, f);
	if (!fa)
		return errno = EINVAL, -1;
	if (!fa->kind->params)
		return 0;
	if (fa->kind->params(fa, f->step, f->steps, obj) == -1)
		return errno = ENOMEM, -1;
	return 0;
}

int tl_firing_format(const struct scn *s, const struct tl_firing *f, char *buf, size_t len)
{
	const struct scn_fault *fa = tl_fault(s, f);
	char target[256];
	size_t off = 0;
	if (!fa)
		return errno = EINVAL, -1;
	if (len)
		buf[0] = '\0';
	tl_target_format(s, f, target, sizeof(target));
	tl_cat(buf, len, &off, "%10.3fs  #%-4d %s %s", (double)f->t_ms / 1000.0, f->id,
	       f->kind->name, target);
	if (fa->kind->args_fmt) {
		int n = fa->kind->args_fmt(fa, f->step, f->steps, off < len ? buf + off : NULL,
					   off < len ? len - off : 0);
		off += n > 0 ? (size_t)n : 0;
	}
	if (f->revert_ms != TL_NONE)
		tl_cat(buf, len, &off, "  revert %.3fs", (double)f->revert_ms / 1000.0);
	else if (f->kind->undo == SCN_UNDO_END)
		tl_cat(buf, len, &off, "  revert at end");
	return (int)off;
}
