/*
 * scn_svc_lb.c - the grammar of 'service NODE lb': fl-lb, a TCP load balancer with
 * health checks and, between several on one VIP, VRRPv3 or 'ha safe' (svc_lb.c runs it).
 *
 * service NODE lb vip ADDR backends NODE... [port N] [backend-port N] [priority N]
 *      [vrid N] [advert D] [heartbeat NET[,NET]] [ha vrrp | safe | none]
 *      [check http | tcp] [interval D] [check-timeout D] [rise N] [fall N] [mss N]
 *      [balance rr | leastconn] [preempt-delay D]
 *
 * Checked here: the VIP lies in one of the lb node's networks and is no node's address;
 * a backend is any other node (it may run web or an exec service) sharing a network with
 * the lb; heartbeat networks are networks of the lb node (default: the VIP's). The ha
 * mode, when not written, is decided by scn_validate() once every lb of the VIP is known.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* RFC 5798 section 5.1.1.3 (VRRPv3): Max Adver Int is 12 bits of centiseconds. */
#define SCN_ADVERT_MAX_MS (4095 * 10)

static bool scn_node_on(const struct scn *s, int node, int net)
{
	return scn_iface_find(s, node, net) >= 0;
}

static bool scn_nodes_share_net(const struct scn *s, int a, int b)
{
	for (int i = 0; i < s->nodes[a].n_ifaces; i++)
		if (scn_node_on(s, b, s->nodes[a].ifaces[i].net))
			return true;
	return false;
}

static int scn_lb_vip(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	const struct scn_node *nd = &p->s->nodes[sv->node];
	char buf[INET_ADDRSTRLEN], who[96];

	if (scn_get_addr(p, &sv->vip, &x->vip) < 0)
		return -1;
	inet_ntop(AF_INET, &sv->vip, buf, sizeof(buf));
	for (int i = 0; i < nd->n_ifaces; i++) {
		const struct scn_network *n = &p->s->networks[nd->ifaces[i].net];
		uint32_t host = ntohl(sv->vip.s_addr) & ~scn_mask(n->plen);
		if (!scn_addr_in(sv->vip, n->addr, n->plen))
			continue;
		if (host == 0 || host == ~scn_mask(n->plen))
			return scn_fail(p, x->vip, "VIP %s is the %s address of network '%s'", buf,
					host ? "broadcast" : "network", n->name);
		if (scn_addr_owner(p->s, sv->vip, false, who, sizeof(who)))
			return scn_fail(p, x->vip, "VIP %s is already used by %s", buf, who);
		return 0;
	}
	return scn_fail(p, x->vip, "VIP %s is not in any network of node '%s'", buf, nd->name);
}

static bool scn_lb_opt_kw(const struct scn_tok *t);

static int scn_lb_backend(struct scn_p *p, struct scn_service *sv)
{
	struct scn_loc loc;
	int b;
	if (scn_get_node(p, &b, &loc) < 0)
		return -1;
	if (b == sv->node)
		return scn_fail(p, loc, "node '%s' cannot be its own backend", p->s->nodes[b].name);
	for (int i = 0; i < sv->n_backends; i++)
		if (sv->backends[i] == b)
			return scn_fail(p, loc, "backend '%s' is listed twice", p->s->nodes[b].name);
	if (!scn_nodes_share_net(p->s, sv->node, b))
		return scn_fail(p, loc, "backend '%s' shares no network with node '%s'",
				p->s->nodes[b].name, p->s->nodes[sv->node].name);
	int *slot = scn_grow(&sv->backends, &sv->n_backends, sizeof(*slot));
	if (!slot)
		return scn_oom(p);
	*slot = b;
	return 0;
}

static int scn_lb_backends(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_tok *t;
	while ((t = scn_tok_peek(p)) && !scn_lb_opt_kw(t))
		if (scn_lb_backend(p, sv) < 0)
			return -1;
	if (sv->n_backends == 0) {
		struct scn_loc at = t ? t->loc : p->t.end;
		return scn_fail(p, at, "expected a backend node after 'backends'");
	}
	return 0;
}

static int scn_lb_heartbeat(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_tok *t = scn_tok_want(p, "heartbeat networks such as private or public,private");
	if (!t)
		return -1;
	free(sv->heartbeat);
	sv->heartbeat = NULL;
	sv->n_heartbeat = 0;
	for (char *name = t->text, *comma; name; name = comma ? comma + 1 : NULL) {
		struct scn_loc loc = scn_tok_loc_at(t, (size_t)(name - t->text));
		int net;
		if ((comma = strchr(name, ',')))
			*comma = '\0';
		if (scn_get_net_at(p, name, loc, &net) < 0)
			return -1;
		if (!scn_node_on(p->s, sv->node, net))
			return scn_fail(p, loc, "node '%s' is not on network '%s'",
					p->s->nodes[sv->node].name, name);
		int *slot = scn_grow(&sv->heartbeat, &sv->n_heartbeat, sizeof(*slot));
		if (!slot)
			return scn_oom(p);
		*slot = net;
	}
	return 0;
}

static int scn_lb_ha(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	static const char *const names[] = {"none", "vrrp", "safe", NULL};
	int i;
	if (scn_get_choice(p, "an ha mode (vrrp, safe or none)", names, &i) < 0)
		return -1;
	sv->ha = (enum scn_ha_mode)i; /* SCN_HA_NONE=0, VRRP=1, SAFE=2 */
	x->ha_given = true;
	return 0;
}

static int scn_lb_check(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	static const char *const names[] = {"http", "tcp", NULL};
	int i;
	(void)x;
	if (scn_get_choice(p, "a check kind (http or tcp)", names, &i) < 0)
		return -1;
	sv->check = i ? SCN_CHECK_TCP : SCN_CHECK_HTTP;
	return 0;
}

static int scn_lb_balance(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	static const char *const names[] = {"rr", "leastconn", NULL};
	int i;
	(void)x;
	if (scn_get_choice(p, "a balance mode (rr or leastconn)", names, &i) < 0)
		return -1;
	sv->balance = i ? SCN_BALANCE_LEASTCONN : SCN_BALANCE_RR;
	return 0;
}

static int scn_lb_advert(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_loc loc = scn_tok_peek(p) ? scn_tok_peek(p)->loc : p->t.end;
	if (scn_get_duration(p, &sv->advert_ms, true) < 0)
		return -1;
	if (sv->advert_ms % 10 || sv->advert_ms > SCN_ADVERT_MAX_MS)
		return scn_fail(p, loc, "the advert interval must be a multiple of 10ms up to "
				"40950ms (VRRPv3 counts it in centiseconds)");
	return 0;
}

#define SCN_LB_INT(fn, field, what, min, max)                                                \
	static int fn(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)      \
	{                                                                                    \
		(void)x;                                                                     \
		return scn_set_int(p, what, min, max, &sv->field);                           \
	}
#define SCN_LB_DUR(fn, field)                                                                \
	static int fn(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)      \
	{                                                                                    \
		(void)x;                                                                     \
		return scn_get_duration(p, &sv->field, true);                                \
	}

SCN_LB_INT(scn_lb_port, port, "a port", 1, 65535)
SCN_LB_INT(scn_lb_bport, backend_port, "a port", 1, 65535)
SCN_LB_INT(scn_lb_priority, priority, "a priority", 1, 254) /* 255: the address owner */
SCN_LB_INT(scn_lb_vrid, vrid, "a VRID", 1, 255)
SCN_LB_INT(scn_lb_rise, rise, "a rise count", 1, 1000)
SCN_LB_INT(scn_lb_fall, fall, "a fall count", 1, 1000)
SCN_LB_INT(scn_lb_mss, mss, "an MSS", 88, 65495)
SCN_LB_DUR(scn_lb_interval, check_interval_ms)
SCN_LB_DUR(scn_lb_ctimeout, check_timeout_ms)
SCN_LB_DUR(scn_lb_preempt, preempt_delay_ms)

static const struct scn_svc_opt scn_lb_opts[] = {
	{"vip", scn_lb_vip},
	{"backends", scn_lb_backends},
	{"port", scn_lb_port},
	{"backend-port", scn_lb_bport},
	{"priority", scn_lb_priority},
	{"vrid", scn_lb_vrid},
	{"advert", scn_lb_advert},
	{"heartbeat", scn_lb_heartbeat},
	{"ha", scn_lb_ha},
	{"check", scn_lb_check},
	{"interval", scn_lb_interval},
	{"check-timeout", scn_lb_ctimeout},
	{"rise", scn_lb_rise},
	{"fall", scn_lb_fall},
	{"mss", scn_lb_mss},
	{"balance", scn_lb_balance},
	{"preempt-delay", scn_lb_preempt},
	{NULL, NULL},
};

#define SCN_LB_OPT_LIST                                                                    \
	"vip, backends, port, backend-port, priority, vrid, advert, heartbeat, ha, check, "  \
	"interval, check-timeout, rise, fall, mss, balance or preempt-delay"

static bool scn_lb_opt_kw(const struct scn_tok *t)
{
	for (const struct scn_svc_opt *o = scn_lb_opts; o->kw; o++)
		if (scn_tok_is_kw(t, o->kw))
			return true;
	return false;
}

/* The heartbeat default: the lb node's network that holds the VIP. */
static int scn_lb_default_heartbeat(struct scn_p *p, struct scn_service *sv)
{
	const struct scn_node *nd = &p->s->nodes[sv->node];
	for (int i = 0; i < nd->n_ifaces; i++) {
		const struct scn_network *n = &p->s->networks[nd->ifaces[i].net];
		if (!scn_addr_in(sv->vip, n->addr, n->plen))
			continue;
		int *slot = scn_grow(&sv->heartbeat, &sv->n_heartbeat, sizeof(*slot));
		if (!slot)
			return scn_oom(p);
		*slot = nd->ifaces[i].net;
		return 0;
	}
	return 0; /* not reached: scn_lb_vip() checked the VIP is on one */
}

static int scn_lb_parse(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	sv->port = 80;
	sv->backend_port = 80;
	sv->priority = 100;
	sv->vrid = 51;
	sv->advert_ms = 1000;
	sv->check = SCN_CHECK_HTTP;
	sv->balance = SCN_BALANCE_RR;
	if (scn_svc_opts(p, sv, x, scn_lb_opts, SCN_LB_OPT_LIST) < 0)
		return -1;
	if (x->vip.line == 0)
		return scn_fail(p, p->t.end, "expected 'vip ADDR' (an lb service needs a VIP)");
	if (sv->n_backends == 0)
		return scn_fail(p, p->t.end, "expected 'backends NODE...' (an lb service needs "
				"at least one backend)");
	if (sv->n_heartbeat == 0)
		return scn_lb_default_heartbeat(p, sv);
	return 0;
}

const struct scn_svc_grammar scn_svc_lb = {
	.kw = "lb",
	.kind = SCN_SVC_LB,
	.parse = scn_lb_parse,
};
