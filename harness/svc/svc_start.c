/*
 * svc_start.c - starting the services of a run and waiting until each is ready, so
 * that the timeline's zero falls on a lab that serves.
 *
 * Group by group, in the order of the kinds' table (svc_kind.c): the exec services,
 * then the backends (fl-web), the load balancers (fl-lb: ready once every VIP with a
 * peer protocol is held by a member of its highest priority, svc_lb.c), the clients
 * (fl-load). Each program writes its events to <node>.<service>.events in the run
 * directory; "ready" is read from there, each line parsed as JSON (common/jsonl.h):
 * an event whose "ev" is "ready" (the metrics read the same files afterwards).
 * A service that exits while we wait, or a group that is not ready in time, fails the
 * start with the tail of its stderr. A guest service's events file reaches the run
 * directory through the qemu kind's tail (node_qemu_tail.c), which runs on the same loop
 * as this wait.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "jsonl.h"
#include "run.h"
#include "scn.h"
#include "svc.h"
#include "svc_int.h"
#include "svc_kind.h"

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

/* The request log: requests.csv, or requests-<node>.csv when several services write
 * one, requests-<node>.<service>.csv when several of them are on one node (probes). */
static int svc_requests_path(const struct run *r, int svc, char *buf, size_t len)
{
	const struct scn *s = run_scn(r);
	const struct scn_service *me = &s->services[svc];
	char name[2 * SCN_NAME_MAX + 16];
	int n_load = 0, n_here = 0;

	for (int i = 0; i < s->n_services; i++) {
		bool writes = svc_kind_of(s->services[i].kind)->records & SVC_REC_REQUESTS;
		n_load += writes;
		n_here += writes && s->services[i].node == me->node;
	}
	if (n_load == 1)
		snprintf(name, sizeof(name), "requests.csv");
	else if (n_here == 1)
		snprintf(name, sizeof(name), "requests-%s.csv", s->nodes[me->node].name);
	else
		snprintf(name, sizeof(name), "requests-%s.%s.csv", s->nodes[me->node].name,
			 me->name);
	return run_path(r, name, buf, len);
}

/*
 * Feed each event (one JSON object per line) of @svc's events file to @fn until it
 * returns true; lines that are no JSON object (one being written) are skipped. A
 * missing file holds nothing.
 */
static void svc_events_scan(const struct run *r, int svc, bool (*fn)(const json_t *o, void *arg),
			    void *arg)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool stop = false;
	FILE *f;

	if (svc_events_path(r, svc, path, sizeof(path)) == -1 || !(f = fopen(path, "re")))
		return;
	while (!stop && (n = getline(&line, &cap, f)) > 0) {
		json_t *o = jsonl_line_parse(line, (size_t)n);
		stop = o && fn(o, arg);
		json_decref(o);
	}
	free(line);
	fclose(f);
}

static bool svc_ev_ready(const json_t *o, void *arg)
{
	return (*(bool *)arg = jsonl_is_ev(o, "ready"));
}

/* Has @svc said {"ev":"ready"}? (svc_int.h) */
bool svc_said_ready(const struct run *r, int svc)
{
	bool ready = false;

	svc_events_scan(r, svc, svc_ev_ready, &ready);
	return ready;
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

static bool svc_ev_state(const json_t *o, void *arg)
{
	if (jsonl_is_ev(o, "state"))
		*(bool *)arg = !strcmp(jsonl_get_str(o, "to"), "master");
	return false;
}

/* Is @svc's fl-lb master now, by the last state change in its events? (svc_int.h) */
bool svc_said_master(const struct run *r, int svc)
{
	bool master = false;

	svc_events_scan(r, svc, svc_ev_state, &master);
	return master;
}

/* Is every service of kind @k ready? The first that is not in *@missing. */
static bool svc_group_ready(const struct run *r, const struct svc_kind *k, int *missing)
{
	const struct scn *s = run_scn(r);

	for (int i = 0; k->ready && i < s->n_services; i++) {
		if (s->services[i].kind != k->kind || k->ready(r, i))
			continue;
		*missing = i;
		return false;
	}
	return true;
}

static int svc_group_start(struct run *r, struct svc_set *set, const struct svc_kind *k,
			   char *err, size_t len)
{
	const struct scn *s = run_scn(r);

	for (int i = 0; i < s->n_services; i++) {
		char events[4096], out[4096];
		struct svc_cmd c;

		if (s->services[i].kind != k->kind)
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
static int svc_group_wait(struct run *r, struct svc_set *set, const struct svc_kind *k,
			  int64_t timeout_ns, char *err, size_t len)
{
	const struct scn *s = run_scn(r);
	int64_t deadline = ev_now_ns() + timeout_ns;
	int missing = -1;
	char tail[512];

	while (!svc_group_ready(r, k, &missing)) {
		const struct scn_service *sv = &s->services[missing];

		if (svc_set_exited(set, missing, NULL) || ev_now_ns() >= deadline) {
			svc_set_flush(set); /* a guest service's stderr, for the message */
			svc_err_tail(r, missing, tail, sizeof(tail));
			svc_errf(err, len, "service %s on %s %s%s%s", sv->name,
				 s->nodes[sv->node].name,
				 svc_set_exited(set, missing, NULL) ? "exited before it was ready"
								    : k->late,
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

int svc_set_start_all(struct run *r, struct svc_set *set, int64_t timeout_ms, char *err,
		      size_t len)
{
	int64_t timeout_ns = timeout_ms * 1000000;

	for (int g = 0; svc_kinds[g]; g++)
		if (svc_group_start(r, set, svc_kinds[g], err, len) == -1 ||
		    svc_group_wait(r, set, svc_kinds[g], timeout_ns, err, len) == -1)
			return -1;
	return 0;
}
