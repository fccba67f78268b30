/*
 * tl_fmt.c - the text forms of a firing: the human line of `run --dry-run`, the target
 * and the JSON parameters written to events.jsonl. Pure; every function writes into a
 * caller buffer and returns what snprintf() would have written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tl.h"

static const char *const tl_kind_names[] = {
	[SCN_F_LINK_DOWN] = "link down",
	[SCN_F_LINK_UP] = "link up",
	[SCN_F_FLAP] = "flap",
	[SCN_F_BLACKHOLE] = "blackhole",
	[SCN_F_MTU] = "mtu",
	[SCN_F_PMTU_BLACKHOLE] = "pmtu-blackhole",
	[SCN_F_LOSS] = "loss",
	[SCN_F_DELAY] = "delay",
	[SCN_F_PARTITION] = "partition",
	[SCN_F_STALL] = "stall",
	[SCN_F_KILL] = "kill",
	[SCN_F_RESTART] = "restart",
};

const char *tl_kind_name(enum scn_fault_kind kind)
{
	if ((int)kind < 1 || (size_t)kind >= sizeof(tl_kind_names) / sizeof(tl_kind_names[0]))
		return "?";
	return tl_kind_names[kind];
}

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
	if (fa->kind == SCN_F_PARTITION) {
		tl_group(s, fa->group_a, fa->n_a, buf, len, &off);
		tl_cat(buf, len, &off, " / ");
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

int tl_params_json(const struct scn *s, const struct tl_firing *f, char *buf, size_t len)
{
	const struct scn_fault *fa = tl_fault(s, f);
	size_t off = 0;
	if (!fa)
		return errno = EINVAL, -1;
	if (len)
		buf[0] = '\0';
	switch (fa->kind) {
	case SCN_F_FLAP:
		tl_cat(buf, len, &off, "\"step\":%d,\"steps\":%d,\"down_ms\":%lld,\"up_ms\":%lld",
		       f->step, f->steps, (long long)fa->down_ms, (long long)fa->up_ms);
		break;
	case SCN_F_MTU:
		tl_cat(buf, len, &off, "\"mtu\":%d", fa->mtu);
		break;
	case SCN_F_LOSS:
		tl_cat(buf, len, &off, "\"percent\":%g", fa->percent);
		break;
	case SCN_F_DELAY:
		tl_cat(buf, len, &off, "\"delay_ms\":%lld,\"jitter_ms\":%lld",
		       (long long)fa->delay_ms, (long long)fa->jitter_ms);
		break;
	case SCN_F_KILL:
		tl_cat(buf, len, &off, "\"service\":\"%s\",\"signal\":%d", fa->svc_name,
		       fa->signal);
		break;
	case SCN_F_RESTART:
		tl_cat(buf, len, &off, "\"service\":\"%s\"", fa->svc_name);
		break;
	default:
		break;
	}
	return (int)off;
}

/* The human form of the parameters: " 1000", " 30%", " lb signal 9", " (flap 1/6)". */
static void tl_args(const struct scn_fault *fa, const struct tl_firing *f, char *buf,
		    size_t len, size_t *off)
{
	switch (fa->kind) {
	case SCN_F_FLAP:
		tl_cat(buf, len, off, " (flap %d/%d)", f->step, f->steps);
		break;
	case SCN_F_MTU:
		tl_cat(buf, len, off, " %d", fa->mtu);
		break;
	case SCN_F_LOSS:
		tl_cat(buf, len, off, " %g%%", fa->percent);
		break;
	case SCN_F_DELAY:
		tl_cat(buf, len, off, " %lldms jitter %lldms", (long long)fa->delay_ms,
		       (long long)fa->jitter_ms);
		break;
	case SCN_F_KILL:
		tl_cat(buf, len, off, " %s signal %d", fa->svc_name, fa->signal);
		break;
	case SCN_F_RESTART:
		tl_cat(buf, len, off, " %s", fa->svc_name);
		break;
	default:
		break;
	}
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
	       tl_kind_name(f->kind), target);
	tl_args(fa, f, buf, len, &off);
	if (f->revert_ms != TL_NONE)
		tl_cat(buf, len, &off, "  revert %.3fs", (double)f->revert_ms / 1000.0);
	else if (f->kind != SCN_F_LINK_UP && f->kind != SCN_F_RESTART && f->kind != SCN_F_KILL)
		tl_cat(buf, len, &off, "  revert at end");
	return (int)off;
}
