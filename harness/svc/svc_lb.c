/*
 * svc_lb.c - the 'lb' service kind: fl-lb, from the scenario's lb statement.
 *
 * Interfaces inside a node are named after their network, so a network's name is also
 * the device name fl-lb is given (--vip-dev, --heartbeat). A backend is reached at its
 * address on the first network it shares with the load balancer's node.
 *
 * Ready: fl-lb said so and, with a peer protocol, its VIP is held by a member of the
 * VIP's highest priority, where it settles (the members start a few milliseconds apart
 * and a lower one may win the start, to be preempted seconds later: inside the
 * timeline, had t0 been taken at the first master).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "svc_int.h"
#include "svc_kind.h"

#define SVC_LB_PRIORITY	 100 /* fl-lb's defaults when the scenario gives none */
#define SVC_LB_VRID	 51
#define SVC_LB_ADVERT_MS 1000

static bool addr_in_net(const struct scn_network *n, struct in_addr a)
{
	uint32_t mask = n->plen ? htonl(~0u << (32 - n->plen)) : 0;

	return (a.s_addr & mask) == (n->addr.s_addr & mask);
}

int svc_vip_net(const struct scn *s, int lb_node, const struct in_addr *vip)
{
	const struct scn_node *n = &s->nodes[lb_node];

	for (int i = 0; i < n->n_ifaces; i++)
		if (addr_in_net(&s->networks[n->ifaces[i].net], *vip))
			return n->ifaces[i].net;
	return -1;
}

static int add_unique(int *nets, int n, int max, int net)
{
	for (int i = 0; i < n; i++)
		if (nets[i] == net)
			return n;
	if (n < max)
		nets[n++] = net;
	return n;
}

/* Every network @node shares with another lb service of the same VIP. */
static int shared_with_peers(const struct scn *s, int svc, int *nets, int n, int max)
{
	const struct scn_service *me = &s->services[svc];

	for (int i = 0; i < s->n_services; i++) {
		const struct scn_service *p = &s->services[i];

		if (i == svc || p->kind != SCN_SVC_LB || p->vip.s_addr != me->vip.s_addr)
			continue;
		for (int a = 0; a < s->nodes[me->node].n_ifaces; a++) {
			int net = s->nodes[me->node].ifaces[a].net;

			if (scn_iface_find(s, p->node, net) >= 0)
				n = add_unique(nets, n, max, net);
		}
	}
	return n;
}

int svc_lb_heartbeat_nets(const struct scn *s, int svc, int *nets, int max)
{
	const struct scn_service *sv = &s->services[svc];
	int n = 0;

	for (int i = 0; i < sv->n_heartbeat; i++)
		n = add_unique(nets, n, max, sv->heartbeat[i]);
	if (n == 0) {
		int vnet = svc_vip_net(s, sv->node, &sv->vip);

		if (vnet >= 0)
			n = add_unique(nets, n, max, vnet);
	}
	if (sv->ha == SCN_HA_SAFE)
		n = shared_with_peers(s, svc, nets, n, max);
	return n;
}

/* Address of @backend on the first network it shares with @lb_node. */
static int backend_addr(const struct scn *s, int lb_node, int backend, struct in_addr *a)
{
	const struct scn_node *b = &s->nodes[backend];

	for (int i = 0; i < b->n_ifaces; i++)
		if (scn_iface_find(s, lb_node, b->ifaces[i].net) >= 0) {
			*a = b->ifaces[i].addr;
			return 0;
		}
	errno = ENETUNREACH;
	return -1;
}

static int svc_lb_backends(struct svc_cmd *c, const struct scn *s, const struct scn_service *sv)
{
	int bport = sv->backend_port ? sv->backend_port : 80;
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	for (int i = 0; i < sv->n_backends; i++) {
		struct in_addr a;

		if (backend_addr(s, sv->node, sv->backends[i], &a) < 0)
			return -1;
		r |= svc_cmd_add(c, "--backend");
		r |= svc_cmd_add(c, "%s=%s:%d", s->nodes[sv->backends[i]].name,
				 inet_ntop(AF_INET, &a, ip, sizeof(ip)), bport);
	}
	return r;
}

static int svc_lb_ha(struct svc_cmd *c, const struct scn *s, int svc)
{
	static const char *const modes[] = {"none", "vrrp", "safe"};
	const struct scn_service *sv = &s->services[svc];
	int vnet = svc_vip_net(s, sv->node, &sv->vip);
	char ip[INET_ADDRSTRLEN], list[256] = "";
	int nets[32], n, r = 0;

	if (vnet < 0) {
		errno = EINVAL;
		return -1;
	}
	r |= svc_cmd_add(c, "--ha");
	r |= svc_cmd_add(c, "%s", modes[sv->ha]);
	r |= svc_cmd_add(c, "--vip");
	r |= svc_cmd_add(c, "%s/%d", inet_ntop(AF_INET, &sv->vip, ip, sizeof(ip)),
			 s->networks[vnet].plen);
	r |= svc_cmd_add(c, "--vip-dev");
	r |= svc_cmd_add(c, "%s", s->networks[vnet].name);
	if (sv->ha == SCN_HA_NONE)
		return r;
	r |= svc_cmd_add_int(c, "--vrid", sv->vrid ? sv->vrid : SVC_LB_VRID);
	r |= svc_cmd_add_int(c, "--priority", sv->priority ? sv->priority : SVC_LB_PRIORITY);
	r |= svc_cmd_add_ms(c, "--advert", sv->advert_ms ? sv->advert_ms : SVC_LB_ADVERT_MS);
	r |= svc_cmd_add_ms(c, "--preempt-delay", sv->preempt_delay_ms);
	n = svc_lb_heartbeat_nets(s, svc, nets, 32);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list);

		snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "",
			 s->networks[nets[i]].name);
	}
	r |= svc_cmd_add(c, "--heartbeat");
	r |= svc_cmd_add(c, "%s", list);
	return r;
}

static int svc_lb_argv(struct svc_cmd *c, const struct scn *s, int svc, const char *out)
{
	const struct scn_service *sv = &s->services[svc];
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	(void)out;
	r |= svc_cmd_add(c, "--listen");
	r |= svc_cmd_add(c, "%s:%d", inet_ntop(AF_INET, &sv->vip, ip, sizeof(ip)),
			 sv->port ? sv->port : 80);
	r |= svc_cmd_add(c, "--name");
	r |= svc_cmd_add(c, "%s", s->nodes[sv->node].name);
	if (r || svc_lb_backends(c, s, sv) < 0)
		return -1;
	if (sv->balance == SCN_BALANCE_LEASTCONN)
		r |= svc_cmd_add(c, "--balance") | svc_cmd_add(c, "leastconn");
	if (sv->check == SCN_CHECK_TCP)
		r |= svc_cmd_add(c, "--check") | svc_cmd_add(c, "tcp");
	r |= svc_cmd_add_ms(c, "--check-interval", sv->check_interval_ms);
	r |= svc_cmd_add_ms(c, "--check-timeout", sv->check_timeout_ms);
	r |= svc_cmd_add_int(c, "--rise", sv->rise);
	r |= svc_cmd_add_int(c, "--fall", sv->fall);
	r |= svc_cmd_add_int(c, "--mss", sv->mss);
	return r | svc_lb_ha(c, s, svc);
}

static bool svc_is_peer(const struct scn_service *sv, const struct scn_service *of)
{
	return sv->kind == SCN_SVC_LB && sv->ha != SCN_HA_NONE && sv->vip.s_addr == of->vip.s_addr;
}

static int svc_lb_prio(const struct scn_service *sv)
{
	return sv->priority ? sv->priority : SVC_LB_PRIORITY; /* as svc_lb_ha passes it */
}

/* Does the VIP of @sv have the master it settles on: one of its highest priority? */
static bool svc_vip_settled(const struct run *r, const struct scn *s, const struct scn_service *sv)
{
	int top = 0;

	for (int j = 0; j < s->n_services; j++)
		if (svc_is_peer(&s->services[j], sv) && svc_lb_prio(&s->services[j]) > top)
			top = svc_lb_prio(&s->services[j]);
	for (int j = 0; j < s->n_services; j++)
		if (svc_is_peer(&s->services[j], sv) && svc_lb_prio(&s->services[j]) == top &&
		    svc_said_master(r, j))
			return true;
	return false;
}

static bool svc_lb_ready(const struct run *r, int svc)
{
	const struct scn *s = run_scn(r);
	const struct scn_service *sv = &s->services[svc];

	if (!svc_said_ready(r, svc))
		return false;
	return sv->ha == SCN_HA_NONE || svc_vip_settled(r, s, sv);
}

const struct svc_kind svc_kind_lb = {
    .kind = SCN_SVC_LB,
    .program = "fl-lb",
    .records = SVC_REC_EVENTS,
    .argv = svc_lb_argv,
    .ready = svc_lb_ready,
    .late = "did not elect a master in time",
};
