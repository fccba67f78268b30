/*
 * scn_validate.c - the checks that need the whole file, run once every statement parsed.
 *
 * - 'duration' is required; every time lies inside it (at < duration,
 *   from < until <= duration; until defaults to the duration).
 * - An lb without 'ha' gets vrrp when two or more lb services share its VIP, else none.
 * - Interface addresses not given are handed out: per network, in declaration order of
 *   the nodes, the next free host address from .1 up, skipping every address given
 *   explicitly anywhere in the file and every lb VIP.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* Is @a some node's address (given or handed out) or, with @vips, an lb VIP? */
int scn_addr_owner(const struct scn *s, struct in_addr a, bool vips, char *who, size_t len)
{
	for (int i = 0; i < s->n_nodes; i++)
		for (int j = 0; j < s->nodes[i].n_ifaces; j++)
			if (s->nodes[i].ifaces[j].addr.s_addr == a.s_addr) {
				snprintf(who, len, "node %s", s->nodes[i].name);
				return 1;
			}
	for (int i = 0; vips && i < s->n_services; i++)
		if (s->services[i].kind == SCN_SVC_LB && s->services[i].vip.s_addr == a.s_addr) {
			snprintf(who, len, "the VIP of %s's lb",
				 s->nodes[s->services[i].node].name);
			return 1;
		}
	return 0;
}

/* "1m", "30s" or "1500ms": the largest unit that writes @ms whole, for messages. */
static const char *scn_ms_str(int64_t ms, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ms > 0 && ms % units[i].ms == 0) {
			snprintf(buf, len, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
			return buf;
		}
	snprintf(buf, len, ms ? "%lldms" : "%llds", (long long)ms);
	return buf;
}

static int scn_check_times(struct scn_p *p, struct scn_event *ev, const struct scn_ev_locs *el)
{
	int64_t d = p->s->duration_ms;
	char a[32], b[32];
	if (ev->sched == SCN_AT) {
		if (ev->at_ms >= d)
			return scn_fail(p, el->at, "time %s is not before the end of the scenario "
					"(duration %s)", scn_ms_str(ev->at_ms, a, sizeof(a)),
					scn_ms_str(d, b, sizeof(b)));
		return 0;
	}
	if (!el->has_until)
		ev->until_ms = d;
	if (ev->until_ms > d)
		return scn_fail(p, el->until, "'until %s' is after the end of the scenario "
				"(duration %s)", scn_ms_str(ev->until_ms, a, sizeof(a)),
				scn_ms_str(d, b, sizeof(b)));
	if (ev->from_ms >= ev->until_ms)
		return scn_fail(p, el->has_from ? el->from : ev->loc, "'from %s' is not before "
				"'until %s'", scn_ms_str(ev->from_ms, a, sizeof(a)),
				scn_ms_str(ev->until_ms, b, sizeof(b)));
	return 0;
}

static void scn_ha_defaults(struct scn_p *p)
{
	struct scn *s = p->s;
	for (int i = 0; i < s->n_services; i++) {
		struct scn_service *sv = &s->services[i];
		if (sv->kind != SCN_SVC_LB || p->svc_locs[i].ha_given)
			continue;
		int peers = 0;
		for (int j = 0; j < s->n_services; j++)
			peers += s->services[j].kind == SCN_SVC_LB &&
				 s->services[j].vip.s_addr == sv->vip.s_addr;
		sv->ha = peers >= 2 ? SCN_HA_VRRP : SCN_HA_NONE;
	}
}

/* The next free host address of network @net at or after *@host (host part). */
static int scn_handout(struct scn_p *p, int net, uint32_t *host, struct scn_iface *ifc,
		       const char *node)
{
	const struct scn_network *n = &p->s->networks[net];
	uint32_t last = ~scn_mask(n->plen) - 1; /* below the broadcast address */
	char who[96], buf[INET_ADDRSTRLEN];
	for (; *host <= last; (*host)++) {
		struct in_addr a = {htonl(ntohl(n->addr.s_addr) | *host)};
		if (scn_addr_owner(p->s, a, true, who, sizeof(who)))
			continue;
		ifc->addr = a;
		(*host)++;
		return 0;
	}
	inet_ntop(AF_INET, &n->addr, buf, sizeof(buf));
	return scn_fail(p, ifc->loc, "network '%s' (%s/%d) has no free address left for node '%s'",
			n->name, buf, n->plen, node);
}

static int scn_addr_handout(struct scn_p *p)
{
	struct scn *s = p->s;
	uint32_t *next = calloc((size_t)s->n_networks + 1, sizeof(*next));
	int rc = 0;
	if (!next)
		return scn_oom(p);
	for (int i = 0; i < s->n_networks; i++)
		next[i] = 1; /* host part: .1 is the first address handed out */
	for (int i = 0; rc == 0 && i < s->n_nodes; i++)
		for (int j = 0; rc == 0 && j < s->nodes[i].n_ifaces; j++) {
			struct scn_iface *ifc = &s->nodes[i].ifaces[j];
			if (!ifc->addr_given)
				rc = scn_handout(p, ifc->net, &next[ifc->net], ifc, s->nodes[i].name);
		}
	free(next);
	return rc;
}

int scn_validate(struct scn_p *p)
{
	if (!p->has_duration)
		return scn_fail(p, p->scenario_loc, "missing 'duration' (every scenario needs one, "
				"such as 'duration 30s')");
	for (int i = 0; i < p->s->n_events; i++)
		if (scn_check_times(p, &p->s->events[i], &p->ev_locs[i]) < 0)
			return -1;
	scn_ha_defaults(p);
	return scn_addr_handout(p);
}
