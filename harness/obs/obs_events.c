/*
 * obs_events.c - events.jsonl lines into the observation store, and a whole run
 * directory read back offline (events.jsonl + requests*.csv), so that metrics and
 * reports can be recomputed from what a run left on disk. Lines are parsed by jansson
 * (common/jsonl.h); one that is no JSON object with t_ns, src and ev is a bad line.
 *
 * Lines recognised (docs/architecture.md; wire lines are written by obs_wire.c):
 *   timeline apply / revert           -> obs_fault
 *   timeline start, or any ev "t0"    -> the timeline's zero
 *   wire arp / vrrp                   -> obs_vip (one per VIP listed by a VRRP advert)
 *   wire retransmit / icmp            -> obs_mark
 *   <lb> state / backend              -> obs_lb
 *   <node> exit (a service ended)     -> obs_lb OBS_LB_EXIT: ends that node's lb rows
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "obs.h"

static void obs_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static int obs_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int obs_ev_arp(struct obs_store *st, const json_t *o, int64_t t)
{
	struct obs_vip v = {.t_ns = t};
	const char *op = jsonl_get_str(o, "op");
	v.kind = !strcmp(op, "garp") ? OBS_VIP_GARP : OBS_VIP_ARP_REPLY;
	if (strcmp(op, "garp") && strcmp(op, "reply"))
		return 0;
	if (inet_pton(AF_INET, jsonl_get_str(o, "ip"), &v.vip) != 1)
		goto bad;
	obs_mac_parse(jsonl_get_str(o, "mac"), v.mac);
	obs_copy(v.net, sizeof(v.net), jsonl_get_str(o, "net"));
	obs_copy(v.node, sizeof(v.node), jsonl_get_str(o, "node"));
	return obs_vip_add(st, &v) < 0 ? -1 : 1;
bad:
	errno = EINVAL;
	return -1;
}

static int obs_ev_vrrp(struct obs_store *st, const json_t *o, int64_t t)
{
	struct obs_vip v = {.t_ns = t, .kind = OBS_VIP_VRRP};
	obs_copy(v.net, sizeof(v.net), jsonl_get_str(o, "net"));
	obs_copy(v.node, sizeof(v.node), jsonl_get_str(o, "node"));
	obs_mac_parse(jsonl_get_str(o, "mac"), v.mac);
	v.vrid = (int)jsonl_get_int(o, "vrid", 0);
	v.prio = (int)jsonl_get_int(o, "prio", 0);
	v.adver_ms = (int)jsonl_get_int(o, "adver_ms", 0);
	char vips[128];
	obs_copy(vips, sizeof(vips), jsonl_get_str(o, "vips"));
	int added = 0;
	for (char *save, *a = strtok_r(vips, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (inet_pton(AF_INET, a, &v.vip) != 1)
			continue;
		if (obs_vip_add(st, &v) < 0)
			return -1;
		added = 1;
	}
	return added;
}

static int obs_ev_mark(struct obs_store *st, const json_t *o, int64_t t, enum obs_mark_kind kind)
{
	struct obs_mark m = {.t_ns = t, .kind = kind};
	obs_copy(m.net, sizeof(m.net), jsonl_get_str(o, "net"));
	obs_copy(m.node, sizeof(m.node), jsonl_get_str(o, "node"));
	return obs_mark_add(st, &m) < 0 ? -1 : 1;
}

static int obs_ev_wire(struct obs_store *st, const json_t *o, int64_t t, const char *ev)
{
	if (!strcmp(ev, "arp"))
		return obs_ev_arp(st, o, t);
	if (!strcmp(ev, "vrrp"))
		return obs_ev_vrrp(st, o, t);
	if (!strcmp(ev, "retransmit"))
		return obs_ev_mark(st, o, t, OBS_MARK_RETRANS);
	if (!strcmp(ev, "icmp"))
		return obs_ev_mark(st, o, t,
				   !strcmp(jsonl_get_str(o, "kind"), "frag-needed")
				       ? OBS_MARK_FRAG_NEEDED
				       : OBS_MARK_UNREACH);
	return 0;
}

static int obs_ev_timeline(struct obs_store *st, const json_t *o, int64_t t, const char *ev)
{
	int id = (int)jsonl_get_int(o, "id", -1);
	if (!strcmp(ev, "start")) {
		st->t0_ns = t;
		return 1;
	}
	if (!strcmp(ev, "apply")) {
		if (obs_fault_apply(st, id, jsonl_get_str(o, "fault"), jsonl_get_str(o, "target"),
				    t) < 0)
			return -1;
		obs_fault_set_path(st, id, jsonl_get_str(o, "path"));
		st->flt[st->n_flt - 1].by_hand = !strcmp(jsonl_get_str(o, "by"), "hand");
		return 1;
	}
	if (!strcmp(ev, "revert"))
		return obs_fault_revert(st, id, t) < 0 ? 0 : 1;
	return 0;
}

static int obs_ev_lb(struct obs_store *st, const json_t *o, int64_t t, const char *src,
		     const char *ev)
{
	struct obs_lb l = {.t_ns = t};
	obs_copy(l.lb, sizeof(l.lb), src);
	if (!strcmp(ev, "state")) {
		l.kind = OBS_LB_STATE;
		obs_copy(l.from, sizeof(l.from), jsonl_get_str(o, "from"));
		obs_copy(l.to, sizeof(l.to), jsonl_get_str(o, "to"));
	} else if (!strcmp(ev, "backend")) {
		const char *state = jsonl_get_str(o, "state");
		if (strcmp(state, "up") && strcmp(state, "down"))
			return 0;
		l.kind = OBS_LB_BACKEND;
		l.up = !strcmp(state, "up");
		obs_copy(l.backend, sizeof(l.backend), jsonl_get_str(o, "backend"));
	} else if (!strcmp(ev, "exit")) {
		l.kind = OBS_LB_EXIT;
	} else {
		return 0;
	}
	return obs_lb_add(st, &l) < 0 ? -1 : 1;
}

static const char *const obs_kw_names[OBS_KW__MAX] = {
    [OBS_KW_SOFT_LOCKUP] = "soft-lockup", [OBS_KW_HARD_LOCKUP] = "hard-lockup",
    [OBS_KW_RCU_STALL] = "rcu-stall",	  [OBS_KW_HUNG_TASK] = "hung-task",
    [OBS_KW_WARNING] = "warning",	  [OBS_KW_BUG] = "bug",
    [OBS_KW_CLOCKSOURCE] = "clocksource", [OBS_KW_NETDEV_WATCHDOG] = "netdev-watchdog",
    [OBS_KW_IRQ_NOBODY] = "irq-nobody-cared",
};

const char *obs_kw_name(enum obs_kw k)
{
	return k > 0 && k < OBS_KW__MAX ? obs_kw_names[k] : NULL;
}

enum obs_kw obs_kw_find(const char *name)
{
	for (int k = 1; k < OBS_KW__MAX; k++)
		if (!strcmp(obs_kw_names[k], name))
			return (enum obs_kw)k;
	return 0;
}

/* A guest kernel's complaint (node_qemu_console.c); an unknown class is not ours. */
static int obs_ev_kwarn(struct obs_store *st, const json_t *o, int64_t t, const char *src)
{
	struct obs_kwarn k = {.t_ns = t, .cls = obs_kw_find(jsonl_get_str(o, "class"))};
	if (!k.cls)
		return 0;
	obs_copy(k.node, sizeof(k.node), src);
	return obs_kwarn_add(st, &k) < 0 ? -1 : 1;
}

/* A capture's "end": what it wrote (obs_cap.c). */
static int obs_ev_capture(struct obs_store *st, const json_t *o, const char *ev)
{
	struct obs_capture c = {0};
	const json_t *files = json_object_get(o, "files"), *f;
	size_t i, at = 0;

	if (strcmp(ev, "end"))
		return 0;
	obs_copy(c.net, sizeof(c.net), jsonl_get_str(o, "net"));
	json_array_foreach(files, i, f) {
		if (json_is_string(f) && at < sizeof(c.files))
			at += (size_t)snprintf(c.files + at, sizeof(c.files) - at, "%s%s",
					       at ? " " : "", json_string_value(f));
	}
	c.frames = (uint64_t)jsonl_get_int(o, "frames", 0);
	c.bytes = (uint64_t)jsonl_get_int(o, "bytes", 0);
	c.dropped = (uint64_t)jsonl_get_int(o, "dropped", 0);
	c.not_written = (uint64_t)jsonl_get_int(o, "not_written", 0);
	c.comments = (uint64_t)jsonl_get_int(o, "comments", 0);
	c.max = (uint64_t)jsonl_get_int(o, "max", 0);
	c.ring = (int)jsonl_get_int(o, "ring", 0);
	c.cap_reached = json_is_true(json_object_get(o, "cap_reached"));
	return obs_capture_add(st, &c) < 0 ? -1 : 1;
}

/* A checker's end (svc_collect.c): {"name":N,"value":V} or {"name":N,"error":WHY}. */
static int obs_ev_collect(struct obs_store *st, const json_t *o, const char *src)
{
	struct obs_collect c = {.measured = false};
	const json_t *v = json_object_get(o, "value");

	if (!*jsonl_get_str(o, "name")) {
		errno = EINVAL;
		return -1;
	}
	obs_copy(c.name, sizeof(c.name), jsonl_get_str(o, "name"));
	obs_copy(c.node, sizeof(c.node), src);
	if (json_is_number(v)) {
		c.measured = true;
		c.v = json_number_value(v);
	} else {
		const char *why = jsonl_get_str(o, "error");
		obs_copy(c.why, sizeof(c.why), *why ? why : "no value");
	}
	return obs_collect_add(st, &c) < 0 ? -1 : 1;
}

/* One parsed line into the store (see obs_event_ingest). */
static int obs_event_add(struct obs_store *st, const json_t *o)
{
	const json_t *tm = json_object_get(o, "t_ns");
	const char *src = jsonl_get_str(o, "src"), *ev = jsonl_get_str(o, "ev");
	if (!json_is_number(tm) || !*src || !*ev) {
		errno = EINVAL;
		return -1;
	}
	int64_t t = jsonl_get_int(o, "t_ns", 0);
	if (!strcmp(ev, "t0")) {
		st->t0_ns = t;
		return 1;
	}
	if (!strcmp(src, "timeline"))
		return obs_ev_timeline(st, o, t, ev);
	if (!strcmp(src, "wire"))
		return obs_ev_wire(st, o, t, ev);
	if (!strcmp(src, "capture"))
		return obs_ev_capture(st, o, ev);
	if (!strcmp(ev, "kernel-warning"))
		return obs_ev_kwarn(st, o, t, src);
	if (!strcmp(ev, "collect"))
		return obs_ev_collect(st, o, src);
	return obs_ev_lb(st, o, t, src, ev);
}

int obs_event_ingest(struct obs_store *st, const char *line)
{
	json_t *o = jsonl_line_parse(line, strlen(line));
	if (!o)
		return -1;
	int rc = obs_event_add(st, o), e = errno;
	json_decref(o);
	errno = e;
	return rc;
}

/* Feed every line of @path to @fn; bad lines counted in *@bad. */
static int obs_load_lines(const char *path, struct obs_store *st, size_t *bad,
			  int (*fn)(struct obs_store *, const char *))
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (getline(&line, &cap, f) != -1) {
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (fn(st, line) < 0) {
			if (errno == ENOMEM) {
				rc = -1;
				break;
			}
			(*bad)++;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static int obs_req_line(struct obs_store *st, const char *line)
{
	struct obs_req r;
	int rc = obs_req_parse(line, &r);
	if (rc != 0)
		return rc;
	return obs_req_add(st, &r);
}

int obs_store_load_run(struct obs_store *st, const char *dir, size_t *bad)
{
	char path[4096];
	size_t nbad = 0;
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	if (obs_load_lines(path, st, &nbad, obs_event_ingest) < 0)
		return -1;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		bool events = n > 7 && !strcmp(de->d_name + n - 7, ".events");
		/* <node>.<service>.events: what fl-lb, fl-web and fl-load said */
		if (!events && (strncmp(de->d_name, "requests", 8) || n < 12 ||
				strcmp(de->d_name + n - 4, ".csv")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		size_t first = st->n_req;
		int log = events ? 0 : obs_log_id(st, de->d_name);
		rc = log < 0 ? -1
			     : obs_load_lines(path, st, &nbad,
					      events ? obs_event_ingest : obs_req_line);
		if (rc < 0)
			break;
		for (size_t i = first; !events && i < st->n_req; i++)
			st->req[i].log = log; /* which client: its file (scn_client_log) */
	}
	closedir(d);
	if (bad)
		*bad = nbad;
	return rc;
}
