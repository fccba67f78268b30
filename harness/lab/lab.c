/*
 * lab.c - building the lab: the anonymous lab namespace with one bridge per network,
 * one namespace per netns node joined by veth pairs, addresses, routes, sysctls.
 *
 * How it stays fast (hundreds of nodes in well under a second): no fork, no ip(8);
 * each namespace is made with unshare(CLONE_NEWNET) by this thread and held by fd, and
 * one netlink socket is opened inside it while the thread is there; requests are
 * batched per socket and all sockets are sent to before any ack is collected.
 * Interface indexes are chosen by us (the namespaces are fresh), so nothing has to be
 * looked up between steps.
 *
 * Invariants: the calling thread is back in its original namespace when lab_build()
 * returns, whatever happened; every fd and cgroup is on the run's teardown list from
 * the moment it exists; the struct lab itself is freed last.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab_int.h"
#include "net.h"
#include "node.h"
#include "run.h"
#include "scn.h"

/* First interface index we hand out in a fresh namespace (lo is 1; some kernels add
 * fallback tunnel devices, which take the next few). */
#define LAB_IFINDEX_BASE 16

int lab_fail(struct lab *lab, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lab->error, sizeof(lab->error), fmt, ap);
	va_end(ap);
	errno = e ? e : EIO;
	return -1;
}

const char *lab_error(const struct lab *lab)
{
	return lab ? lab->error : "no lab";
}

static void lab_free(void *arg)
{
	struct lab *lab = arg;

	if (lab->run && run_lab(lab->run) == lab)
		run_set_lab(lab->run, NULL);
	free(lab->node_fd);
	free(lab->ports);
	free(lab->br_ifindex);
	free(lab->cg_node);
	free(lab->node_state);
	free(lab);
}

static void fd_close(void *arg)
{
	int *fd = arg;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static struct lab_port *port(const struct lab *lab, int node, int net)
{
	return &lab->ports[node * lab->scn->n_networks + net];
}

static struct lab *lab_alloc(struct run *r)
{
	const struct scn *s = run_scn(r);
	struct lab *lab = calloc(1, sizeof(*lab));

	if (!lab)
		return NULL;
	lab->run = r;
	lab->scn = s;
	lab->orig_fd = lab->lab_fd = lab->reaper_fd = -1;
	lab->node_fd = malloc(sizeof(int) * (size_t)(s->n_nodes + 1));
	lab->ports = calloc((size_t)(s->n_nodes * s->n_networks + 1), sizeof(*lab->ports));
	lab->br_ifindex = calloc((size_t)(s->n_networks + 1), sizeof(int));
	lab->cg_node = calloc((size_t)(s->n_nodes + 1), sizeof(*lab->cg_node));
	lab->node_state = calloc((size_t)(s->n_nodes + 1), sizeof(*lab->node_state));
	if (!lab->node_fd || !lab->ports || !lab->br_ifindex || !lab->cg_node || !lab->node_state ||
	    run_defer(r, lab_free, lab, "lab") == -1) {
		free(lab->node_fd);
		free(lab->ports);
		free(lab->br_ifindex);
		free(lab->cg_node);
		free(lab->node_state);
		free(lab);
		return NULL;
	}
	for (int i = 0; i < s->n_nodes; i++)
		lab->node_fd[i] = -1;
	run_set_lab(r, lab);
	return lab;
}

/* A new network namespace for the calling thread, held by the returned fd. */
static int netns_new(struct lab *lab, int *fd, const char *what)
{
	if (unshare(CLONE_NEWNET) == -1)
		return lab_fail(lab, "%s: new network namespace: %s", what, strerror(errno));
	*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*fd == -1)
		return lab_fail(lab, "%s: open namespace: %s", what, strerror(errno));
	if (run_defer(lab->run, fd_close, fd, what) == -1) {
		close(*fd);
		*fd = -1;
		return lab_fail(lab, "%s: %s", what, strerror(errno));
	}
	return 0;
}

/* The lab namespace: bridges only, so nothing there speaks IPv6 on the segments. */
static int lab_ns_make(struct lab *lab, struct net_nl **nl)
{
	const struct scn *s = lab->scn;

	if (netns_new(lab, &lab->lab_fd, "lab namespace") == -1)
		return -1;
	net_sysctl_set("net/ipv6/conf/all/disable_ipv6", "1");
	net_sysctl_set("net/ipv6/conf/default/disable_ipv6", "1");
	/* a segment is a plain wire whatever the host loaded: with br_netfilter, bridged
	 * IP would also cross the lab's iptables and its header checks (a corrupted IP
	 * header would vanish there instead of reaching the node). Absent without it. */
	net_sysctl_set("net/bridge/bridge-nf-call-iptables", "0");
	net_sysctl_set("net/bridge/bridge-nf-call-ip6tables", "0");
	net_sysctl_set("net/bridge/bridge-nf-call-arptables", "0");
	*nl = net_nl_open();
	if (!*nl)
		return lab_fail(lab, "lab namespace: netlink: %s", strerror(errno));
	for (int n = 0; n < s->n_networks; n++) {
		lab->br_ifindex[n] = LAB_IFINDEX_BASE + n;
		if (net_bridge_add(*nl, s->networks[n].name, lab->br_ifindex[n],
				   s->networks[n].mtu) == -1)
			return lab_fail(lab, "%s", net_nl_error(*nl));
	}
	return 0;
}

/* Node @i's namespace, its sysctls and its netlink socket. */
static int node_ns_make(struct lab *lab, int i, struct net_nl **nl)
{
	const struct scn_node *nd = &lab->scn->nodes[i];
	char what[64];

	snprintf(what, sizeof(what), "node %s", nd->name);
	if (netns_new(lab, &lab->node_fd[i], what) == -1)
		return -1;
	/* usable IPv6 link-local at once: no duplicate address detection in the node */
	net_sysctl_set("net/ipv6/conf/default/accept_dad", "0");
	if (nd->forward && (net_sysctl_set("net/ipv4/ip_forward", "1") == -1 ||
			    net_sysctl_set("net/ipv6/conf/all/forwarding", "1") == -1))
		return lab_fail(lab, "%s: forwarding: %s", what, strerror(errno));
	*nl = net_nl_open();
	if (!*nl)
		return lab_fail(lab, "%s: netlink: %s", what, strerror(errno));
	return 0;
}

/* The veth pairs of node @i, queued on the lab socket. */
static int node_ports_add(struct lab *lab, struct net_nl *nl, int i, int *next_ifindex)
{
	const struct scn_node *nd = &lab->scn->nodes[i];

	for (int k = 0; k < nd->n_ifaces; k++) {
		const struct scn_iface *f = &nd->ifaces[k];
		const struct scn_network *net = &lab->scn->networks[f->net];
		struct lab_port *p = port(lab, i, f->net);
		snprintf(p->name, sizeof(p->name), "p%d.%d", i, f->net);
		p->ifindex = (*next_ifindex)++;
		p->iface_ifindex = LAB_IFINDEX_BASE + k;
		if (net_veth_add(nl, p->name, p->ifindex, lab->br_ifindex[f->net], net->mtu,
				 net->name, lab->node_fd[i], p->iface_ifindex) == -1)
			return lab_fail(lab, "node %s: %s", nd->name, net_nl_error(nl));
	}
	return 0;
}

/* lo and links up, addresses, default route of node @i, queued on its socket, sent. */
static int node_addrs_send(struct lab *lab, struct net_nl *nl, int i)
{
	const struct scn_node *nd = &lab->scn->nodes[i];

	if (net_link_set_up(nl, 1, true) == -1)
		return -1;
	for (int k = 0; k < nd->n_ifaces; k++) {
		const struct scn_iface *f = &nd->ifaces[k];
		if (net_link_set_up(nl, port(lab, i, f->net)->iface_ifindex, true) == -1 ||
		    net_addr4_add(nl, port(lab, i, f->net)->iface_ifindex, f->addr,
				  lab->scn->networks[f->net].plen) == -1)
			return -1;
	}
	if (nd->has_gateway && net_route4_default(nl, nd->gateway) == -1)
		return -1;
	return net_nl_send(nl);
}

/* Everything that happens with the thread outside its own namespace. */
static int lab_build_netns(struct lab *lab)
{
	const struct scn *s = lab->scn;
	struct net_nl *lab_nl = NULL;
	struct net_nl **nls = calloc((size_t)s->n_nodes + 1, sizeof(*nls));
	int rc = -1, next_ifindex = LAB_IFINDEX_BASE + s->n_networks;

	if (!nls)
		return lab_fail(lab, "lab: %s", strerror(errno));
	if (lab_ns_make(lab, &lab_nl) == -1)
		goto out;
	for (int i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].kind == SCN_NODE_NETNS && node_ns_make(lab, i, &nls[i]) == -1)
			goto out;
	for (int i = 0; i < s->n_nodes; i++)
		if (nls[i] && node_ports_add(lab, lab_nl, i, &next_ifindex) == -1)
			goto out;
	if (net_nl_flush(lab_nl) == -1) {
		lab_fail(lab, "lab namespace: %s", net_nl_error(lab_nl));
		goto out;
	}
	for (int i = 0; i < s->n_nodes; i++)
		if (nls[i] && node_addrs_send(lab, nls[i], i) == -1) {
			lab_fail(lab, "node %s: %s", s->nodes[i].name, net_nl_error(nls[i]));
			goto out;
		}
	for (int i = 0; i < s->n_nodes; i++)
		if (nls[i] && net_nl_wait(nls[i]) == -1) {
			lab_fail(lab, "node %s: %s", s->nodes[i].name, net_nl_error(nls[i]));
			goto out;
		}
	rc = 0;
out:
	for (int i = 0; i < s->n_nodes; i++)
		net_nl_close(nls[i]);
	free(nls);
	net_nl_close(lab_nl);
	return rc;
}

/* Has the lab's scenario a node of kind @k? */
static bool node_kind_used(const struct lab *lab, const struct node_kind *k)
{
	for (int i = 0; i < lab->scn->n_nodes; i++)
		if (node_kind_of(lab, i) == k)
			return true;
	return false;
}

struct lab *lab_build(struct run *r)
{
	struct lab *lab = lab_alloc(r);
	int rc;

	if (!lab)
		return NULL;
	if (lab_cgroup_setup(lab) == -1)
		return NULL;
	lab->orig_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lab->orig_fd == -1) {
		lab_fail(lab, "own network namespace: %s", strerror(errno));
		return NULL;
	}
	rc = lab_build_netns(lab);
	int e = errno;
	/* back home whatever happened: nothing after this may run in the lab */
	if (setns(lab->orig_fd, CLONE_NEWNET) == -1) {
		lab_fail(lab, "return to own network namespace: %s", strerror(errno));
		rc = -1;
	} else {
		errno = e;
	}
	close(lab->orig_fd);
	lab->orig_fd = -1;
	if (rc == -1)
		return NULL;
	/* the kinds the lab does not batch itself (qemu: taps, then the guests booted) */
	for (const struct node_kind *const *k = node_kinds; *k; k++)
		if ((*k)->build && node_kind_used(lab, *k) && (*k)->build(lab) == -1)
			return NULL;
	return lab;
}

struct run *lab_run(const struct lab *lab)
{
	return lab->run;
}

void *lab_node_state(const struct lab *lab, int node)
{
	return lab->node_state[node];
}

void lab_node_state_set(struct lab *lab, int node, void *state)
{
	lab->node_state[node] = state;
}

int lab_netns_fd(const struct lab *lab)
{
	return lab->lab_fd;
}

int lab_node_netns_fd(const struct lab *lab, int node)
{
	return lab->node_fd[node];
}

const char *lab_port_name(const struct lab *lab, int node, int net)
{
	const struct lab_port *p = port(lab, node, net);

	return p->name[0] ? p->name : NULL;
}

int lab_port_ifindex(const struct lab *lab, int node, int net)
{
	const struct lab_port *p = port(lab, node, net);

	return p->name[0] ? p->ifindex : -1;
}

const char *lab_bridge_name(const struct lab *lab, int net)
{
	return lab->scn->networks[net].name;
}

int lab_bridge_ifindex(const struct lab *lab, int net)
{
	return lab->br_ifindex[net];
}

int lab_iface_ifindex(const struct lab *lab, int node, int net)
{
	const struct lab_port *p = port(lab, node, net);

	return p->name[0] && p->iface_ifindex > 0 ? p->iface_ifindex : -1;
}

int lab_port_set(struct lab *lab, int node, int net, const char *name, int ifindex)
{
	struct lab_port *p = port(lab, node, net);

	if (strlen(name) >= sizeof(p->name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = ifindex;
	p->iface_ifindex = -1;
	return 0;
}

int lab_in_netns(int netns_fd, int (*fn)(void *arg), void *arg)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (home == -1)
		return -1;
	if (setns(netns_fd, CLONE_NEWNET) == -1) {
		int e = errno;
		close(home);
		errno = e;
		return -1;
	}
	int rc = fn(arg);
	int e = errno;
	if (setns(home, CLONE_NEWNET) == -1)
		abort(); /* we would go on in the wrong namespace: never */
	close(home);
	errno = e;
	return rc;
}
