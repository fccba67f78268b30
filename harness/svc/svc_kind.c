/*
 * svc_kind.c - the table of service kinds (svc_kind.h), and the command line of a
 * service: argv[0] is the kind's program, then the kind's own options, then --events
 * when the kind writes an events file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svc_kind.h"

/* Start order: commands first (what a scenario runs itself), then backends, load
 * balancers, clients. Each kind is defined in its svc_<kind>.c. */
extern const struct svc_kind svc_kind_exec, svc_kind_web, svc_kind_lb, svc_kind_load,
	svc_kind_probe;
const struct svc_kind *const svc_kinds[] = {
    &svc_kind_exec, &svc_kind_web, &svc_kind_lb, &svc_kind_load, &svc_kind_probe, NULL,
};

const struct svc_kind *svc_kind_of(enum scn_svc_kind kind)
{
	for (int i = 0; svc_kinds[i]; i++)
		if (svc_kinds[i]->kind == kind)
			return svc_kinds[i];
	return NULL;
}

int svc_cmd_add(struct svc_cmd *c, const char *fmt, ...)
{
	size_t room = sizeof(c->store) - c->used;
	va_list ap;
	int n;

	if (c->argc >= SVC_CMD_ARGS) {
		errno = ENOSPC;
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(c->store + c->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		errno = ENOSPC;
		return -1;
	}
	c->argv[c->argc++] = c->store + c->used;
	c->argv[c->argc] = NULL;
	c->used += (size_t)n + 1;
	return 0;
}

int svc_cmd_add_ms(struct svc_cmd *c, const char *opt, int64_t ms)
{
	if (ms <= 0)
		return 0;
	return svc_cmd_add(c, "%s", opt) | svc_cmd_add(c, "%lld", (long long)ms);
}

int svc_cmd_add_int(struct svc_cmd *c, const char *opt, int v)
{
	if (v <= 0)
		return 0;
	return svc_cmd_add(c, "%s", opt) | svc_cmd_add(c, "%d", v);
}

int svc_cmd_build(struct svc_cmd *c, const struct scn *s, int svc, const char *events,
		  const char *out)
{
	const struct svc_kind *k;
	int r = 0;

	if (svc < 0 || svc >= s->n_services || !(k = svc_kind_of(s->services[svc].kind))) {
		errno = EINVAL;
		return -1;
	}
	memset(c, 0, sizeof(*c));
	if (k->program && svc_cmd_add(c, "%s", k->program) < 0)
		return -1;
	r = k->argv(c, s, svc, out);
	if (r == 0 && events && (k->records & SVC_REC_EVENTS))
		r = svc_cmd_add(c, "--events") | svc_cmd_add(c, "%s", events);
	if (r != 0 && errno == 0)
		errno = ENOSPC;
	return r ? -1 : 0;
}
