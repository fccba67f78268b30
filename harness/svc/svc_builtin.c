/*
 * svc_builtin.c - command lines for fl-web, fl-lb and fl-load from the scenario.
 *
 * Interfaces inside a node are named after their network, so a network's name is also
 * the device name every program is given (--vip-dev, --heartbeat). A backend is reached
 * at its address on the first network it shares with the load balancer's node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"
#include "svc_builtin.h"

static int cmd_add(struct svc_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cmd_add(struct svc_cmd *c, const char *fmt, ...)
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

static const char *addr_str(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

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

static int build_web(struct svc_cmd *c, const struct scn *s, const struct scn_service *sv)
{
	const struct scn_node *n = &s->nodes[sv->node];
	int port = sv->port ? sv->port : 80;
	int r = 0;

	/* Listening on any address: the node answers on all its networks. */
	r |= cmd_add(c, "--listen");
	r |= cmd_add(c, "0.0.0.0:%d", port);
	r |= cmd_add(c, "--name");
	r |= cmd_add(c, "%s", n->name);
	if (sv->latency_ms > 0) {
		r |= cmd_add(c, "--latency");
		r |= cmd_add(c, "%lld", (long long)sv->latency_ms);
	}
	return r;
}

static int add_ms(struct svc_cmd *c, const char *opt, int64_t ms)
{
	if (ms <= 0)
		return 0;
	return cmd_add(c, "%s", opt) | cmd_add(c, "%lld", (long long)ms);
}

static int add_int(struct svc_cmd *c, const char *opt, int v)
{
	if (v <= 0)
		return 0;
	return cmd_add(c, "%s", opt) | cmd_add(c, "%d", v);
}

static int build_lb_backends(struct svc_cmd *c, const struct scn *s,
			     const struct scn_service *sv)
{
	int bport = sv->backend_port ? sv->backend_port : 80;
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	for (int i = 0; i < sv->n_backends; i++) {
		struct in_addr a;

		if (backend_addr(s, sv->node, sv->backends[i], &a) < 0)
			return -1;
		r |= cmd_add(c, "--backend");
		r |= cmd_add(c, "%s=%s:%d", s->nodes[sv->backends[i]].name, addr_str(a, ip),
			     bport);
	}
	return r;
}

static int build_lb_ha(struct svc_cmd *c, const struct scn *s, int svc)
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
	r |= cmd_add(c, "--ha");
	r |= cmd_add(c, "%s", modes[sv->ha]);
	r |= cmd_add(c, "--vip");
	r |= cmd_add(c, "%s/%d", addr_str(sv->vip, ip), s->networks[vnet].plen);
	r |= cmd_add(c, "--vip-dev");
	r |= cmd_add(c, "%s", s->networks[vnet].name);
	if (sv->ha == SCN_HA_NONE)
		return r;
	r |= add_int(c, "--vrid", sv->vrid ? sv->vrid : 51);
	r |= add_int(c, "--priority", sv->priority ? sv->priority : 100);
	r |= add_ms(c, "--advert", sv->advert_ms ? sv->advert_ms : 1000);
	r |= add_ms(c, "--preempt-delay", sv->preempt_delay_ms);
	n = svc_lb_heartbeat_nets(s, svc, nets, 32);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list);

		snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "",
			 s->networks[nets[i]].name);
	}
	r |= cmd_add(c, "--heartbeat");
	r |= cmd_add(c, "%s", list);
	return r;
}

static int build_lb(struct svc_cmd *c, const struct scn *s, int svc)
{
	const struct scn_service *sv = &s->services[svc];
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	r |= cmd_add(c, "--listen");
	r |= cmd_add(c, "%s:%d", addr_str(sv->vip, ip), sv->port ? sv->port : 80);
	r |= cmd_add(c, "--name");
	r |= cmd_add(c, "%s", s->nodes[sv->node].name);
	if (r || build_lb_backends(c, s, sv) < 0)
		return -1;
	if (sv->balance == SCN_BALANCE_LEASTCONN)
		r |= cmd_add(c, "--balance") | cmd_add(c, "leastconn");
	if (sv->check == SCN_CHECK_TCP)
		r |= cmd_add(c, "--check") | cmd_add(c, "tcp");
	r |= add_ms(c, "--check-interval", sv->check_interval_ms);
	r |= add_ms(c, "--check-timeout", sv->check_timeout_ms);
	r |= add_int(c, "--rise", sv->rise);
	r |= add_int(c, "--fall", sv->fall);
	r |= add_int(c, "--mss", sv->mss);
	return r | build_lb_ha(c, s, svc);
}

static int build_load(struct svc_cmd *c, const struct scn *s, const struct scn_service *sv,
		      const char *out)
{
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	r |= cmd_add(c, "--url");
	if (sv->size > 0)
		r |= cmd_add(c, "http://%s:%d/bytes/%lld", addr_str(sv->url_addr, ip),
			     sv->url_port ? sv->url_port : 80, (long long)sv->size);
	else
		r |= cmd_add(c, "%s", sv->url);
	r |= cmd_add(c, "--rate");
	r |= cmd_add(c, "%g", sv->rate);
	r |= add_ms(c, "--timeout", sv->timeout_ms ? sv->timeout_ms : 1000);
	if (sv->keepalive)
		r |= cmd_add(c, "--keepalive");
	r |= cmd_add(c, "--name");
	r |= cmd_add(c, "%s", s->nodes[sv->node].name);
	r |= cmd_add(c, "--out");
	r |= cmd_add(c, "%s", out);
	return r;
}

const char *svc_builtin_program(const struct scn *s, int svc)
{
	switch (s->services[svc].kind) {
	case SCN_SVC_WEB:
		return "fl-web";
	case SCN_SVC_LB:
		return "fl-lb";
	case SCN_SVC_LOAD:
		return "fl-load";
	default:
		return NULL;
	}
}

int svc_cmd_build(struct svc_cmd *c, const struct scn *s, int svc, const char *events,
		  const char *out)
{
	const char *prog;
	int r;

	if (svc < 0 || svc >= s->n_services || !(prog = svc_builtin_program(s, svc))) {
		errno = EINVAL;
		return -1;
	}
	memset(c, 0, sizeof(*c));
	if (cmd_add(c, "%s", prog) < 0)
		return -1;
	switch (s->services[svc].kind) {
	case SCN_SVC_WEB:
		r = build_web(c, s, &s->services[svc]);
		break;
	case SCN_SVC_LB:
		r = build_lb(c, s, svc);
		break;
	default:
		r = build_load(c, s, &s->services[svc], out);
		break;
	}
	if (r == 0 && events)
		r = cmd_add(c, "--events") | cmd_add(c, "%s", events);
	if (r != 0 && errno == 0)
		errno = ENOSPC;
	return r ? -1 : 0;
}
