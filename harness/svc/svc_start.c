/*
 * svc_start.c - starting the built-in services of a run and waiting until each is
 * ready, so that the timeline's zero falls on a lab that serves.
 *
 * Order: backends (fl-web) first, then the load balancers (fl-lb), then — once every
 * VIP with a peer protocol is held by a member of its highest priority, where it
 * settles (a lower member may win the start and be preempted later) — the clients
 * (fl-load). Each program writes its
 * events to <node>.<service>.events in the run directory; "ready" is read from there
 * (the metrics read the same files afterwards). A service that exits while we wait, or
 * a group that is not ready in time, fails the start with the tail of its stderr.
 * A guest service's events file reaches the run directory through the qemu kind's tail
 * (node_qemu_tail.c), which runs on the same loop as this wait.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "run.h"
#include "scn.h"
#include "svc.h"
#include "svc_builtin.h"

#define SVC_READY_POLL_NS (20 * 1000000LL)

static void svc_errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void svc_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

int svc_events_path(const struct run *r, int svc, char *buf, size_t len)
{
	const struct scn *s = run_scn(r);
	char name[2 * SCN_NAME_MAX + 16];

	snprintf(name, sizeof(name), "%s.%s.events", s->nodes[s->services[svc].node].name,
		 s->services[svc].name);
	return run_path(r, name, buf, len);
}

/* fl-load's log: requests.csv, or requests-<node>.csv when there are several. */
static int svc_requests_path(const struct run *r, int svc, char *buf, size_t len)
{
	const struct scn *s = run_scn(r);
	char name[SCN_NAME_MAX + 16];
	int n_load = 0;

	for (int i = 0; i < s->n_services; i++)
		n_load += s->services[i].kind == SCN_SVC_LOAD;
	if (n_load == 1)
		snprintf(name, sizeof(name), "requests.csv");
	else
		snprintf(name, sizeof(name), "requests-%s.csv",
			 s->nodes[s->services[svc].node].name);
	return run_path(r, name, buf, len);
}

/* Does the file at @path hold @needle? A missing file holds nothing. */
static bool svc_file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

static bool svc_has(const struct run *r, int svc, const char *needle)
{
	char path[4096];

	return svc_events_path(r, svc, path, sizeof(path)) == 0 && svc_file_has(path, needle);
}

/* The last line of @svc's stderr, for error messages. */
static void svc_err_tail(const struct run *r, int svc, char *buf, size_t len)
{
	const struct scn *s = run_scn(r);
	char name[2 * SCN_NAME_MAX + 8], path[4096], line[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(name, sizeof(name), "%s.%s.err", s->nodes[s->services[svc].node].name,
		 s->services[svc].name);
	if (run_path(r, name, path, sizeof(path)) == -1 || !(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(buf, len, "%s", line);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Is @svc's fl-lb master now, by the last state change in its events? */
static bool svc_is_master(const struct run *r, int svc)
{
	char path[4096], line[1024];
	bool master = false;
	FILE *f;

	if (svc_events_path(r, svc, path, sizeof(path)) == -1 || !(f = fopen(path, "re")))
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\"ev\":\"state\""))
			master = strstr(line, "\"to\":\"master\"") != NULL;
	fclose(f);
	return master;
}

static bool svc_is_peer(const struct scn_service *sv, const struct scn_service *of)
{
	return sv->kind == SCN_SVC_LB && sv->ha != SCN_HA_NONE && sv->vip.s_addr == of->vip.s_addr;
}

static int svc_lb_prio(const struct scn_service *sv)
{
	return sv->priority ? sv->priority : 100; /* as svc_builtin.c passes it */
}

/*
 * Does the VIP of @sv have the master it settles on: one of its highest priority? The
 * members start a few milliseconds apart and wait alike for a master (in `ha safe` the
 * lease floor, the same for every priority), so a lower one may win the start and be
 * preempted seconds later - inside the timeline, had t0 been taken at the first master.
 */
static bool svc_vip_settled(const struct run *r, const struct scn_service *sv)
{
	const struct scn *s = run_scn(r);
	int top = 0;

	for (int j = 0; j < s->n_services; j++)
		if (svc_is_peer(&s->services[j], sv) && svc_lb_prio(&s->services[j]) > top)
			top = svc_lb_prio(&s->services[j]);
	for (int j = 0; j < s->n_services; j++)
		if (svc_is_peer(&s->services[j], sv) && svc_lb_prio(&s->services[j]) == top &&
		    svc_is_master(r, j))
			return true;
	return false;
}

/* Is every service of @kind ready (and, for fl-lb, every VIP settled on its master)? */
static bool svc_group_ready(const struct run *r, enum scn_svc_kind kind, int *missing)
{
	const struct scn *s = run_scn(r);

	for (int i = 0; i < s->n_services; i++) {
		const struct scn_service *sv = &s->services[i];

		if (sv->kind != kind)
			continue;
		if (!svc_has(r, i, "\"ev\":\"ready\"")) {
			*missing = i;
			return false;
		}
		if (kind != SCN_SVC_LB || sv->ha == SCN_HA_NONE)
			continue;
		if (!svc_vip_settled(r, sv)) {
			*missing = i;
			return false;
		}
	}
	return true;
}

static int svc_group_start(struct run *r, struct svc_set *set, enum scn_svc_kind kind,
			   char *err, size_t len)
{
	const struct scn *s = run_scn(r);

	for (int i = 0; i < s->n_services; i++) {
		char events[4096], out[4096];
		struct svc_cmd c;

		if (s->services[i].kind != kind)
			continue;
		if (svc_events_path(r, i, events, sizeof(events)) == -1 ||
		    svc_requests_path(r, i, out, sizeof(out)) == -1 ||
		    svc_cmd_build(&c, s, i, events, out) == -1) {
			svc_errf(err, len, "service %s on %s: %s", s->services[i].name,
				 s->nodes[s->services[i].node].name, strerror(errno));
			return -1;
		}
		if (svc_set_start(set, i, c.argv) == -1) {
			svc_errf(err, len, "%s", svc_set_error(set));
			return -1;
		}
	}
	return 0;
}

/* Runs the loop until the group is ready, a service died, or @timeout_ns passed. */
static int svc_group_wait(struct run *r, struct svc_set *set, enum scn_svc_kind kind,
			  int64_t timeout_ns, char *err, size_t len)
{
	const struct scn *s = run_scn(r);
	int64_t deadline = ev_now_ns() + timeout_ns;
	int missing = -1;
	char tail[512];

	while (!svc_group_ready(r, kind, &missing)) {
		const struct scn_service *sv = &s->services[missing];

		if (svc_set_exited(set, missing, NULL) || ev_now_ns() >= deadline) {
			svc_set_flush(set); /* a guest service's stderr, for the message */
			svc_err_tail(r, missing, tail, sizeof(tail));
			svc_errf(err, len, "service %s on %s %s%s%s", sv->name,
				 s->nodes[sv->node].name,
				 svc_set_exited(set, missing, NULL) ? "exited before it was ready"
				 : kind == SCN_SVC_LB ? "did not elect a master in time"
						      : "was not ready in time",
				 *tail ? ": " : "", tail);
			errno = ETIMEDOUT;
			return -1;
		}
		if (ev_loop_run(run_loop(r), ev_now_ns() + SVC_READY_POLL_NS) == -1)
			return -1;
		if (ev_loop_stopped(run_loop(r))) {
			svc_errf(err, len, "interrupted while starting services");
			errno = EINTR;
			return -1;
		}
	}
	return 0;
}

int svc_builtin_start(struct run *r, struct svc_set *set, int64_t timeout_ms, char *err,
		      size_t len)
{
	static const enum scn_svc_kind order[] = {SCN_SVC_WEB, SCN_SVC_LB, SCN_SVC_LOAD};
	int64_t timeout_ns = timeout_ms * 1000000;

	for (size_t g = 0; g < sizeof(order) / sizeof(order[0]); g++)
		if (svc_group_start(r, set, order[g], err, len) == -1 ||
		    svc_group_wait(r, set, order[g], timeout_ns, err, len) == -1)
			return -1;
	return 0;
}
