/*
 * node_qemu_tap.c - the taps of a qemu node. Each is made by a thread standing inside
 * the lab namespace (TUNSETIFF binds a tap to the namespace of the caller), is not
 * persistent (it lives exactly as long as its fds: ours and QEMU's), and is enslaved to
 * its network's bridge and brought up over rtnetlink, then registered with the lab as
 * the node's port on that network.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lab.h"
#include "net.h"
#include "node_qemu_int.h"
#include "run.h"
#include "scn.h"

struct tap_req {
	char name[IFNAMSIZ];
	int master; /* bridge ifindex */
	int mtu;
	int fd;      /* out */
	int ifindex; /* out */
	char err[256];
};

/* Enslave @ifindex to @master and bring it up, in the current namespace. */
static int tap_attach(struct tap_req *t)
{
	struct net_nl *nl = net_nl_open();
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int rc = -1;

	if (!nl)
		return -1;
	nlh = net_nl_msg(nl, RTM_NEWLINK, 0, t->name);
	if (nlh) {
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = t->ifindex;
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)t->master);
		if (t->mtu)
			mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)t->mtu);
		rc = net_nl_flush(nl);
		if (rc < 0)
			snprintf(t->err, sizeof(t->err), "%s", net_nl_error(nl));
	}
	net_nl_close(nl);
	return rc;
}

/* Runs inside the lab namespace (lab_in_netns): the tap is born there. */
static int tap_make(void *arg)
{
	struct tap_req *t = arg;
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int e;

	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t->fd < 0) {
		snprintf(t->err, sizeof(t->err), "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(t->err, sizeof(t->err), "TUNSETIFF %s: %s", t->name, strerror(errno));
		goto err_close;
	}
	t->ifindex = (int)if_nametoindex(t->name);
	if (t->ifindex <= 0 || tap_attach(t) < 0) {
		if (!t->err[0])
			snprintf(t->err, sizeof(t->err), "tap %s: %s", t->name, strerror(errno));
		goto err_close;
	}
	return 0;
err_close:
	e = errno;
	close(t->fd);
	t->fd = -1;
	errno = e;
	return -1;
}

int guest_taps(struct lab *lab, struct guest *g)
{
	const struct scn *s = run_scn(g->r);
	const struct scn_node *nd = &s->nodes[g->node];

	if (nd->n_ifaces > GUEST_NICS_MAX)
		return lab_fail(lab, "node %s: more than %d networks", nd->name, GUEST_NICS_MAX);
	for (int i = 0; i < nd->n_ifaces; i++) {
		int net = nd->ifaces[i].net;
		struct tap_req t = { .master = lab_bridge_ifindex(lab, net),
				     .mtu = s->networks[net].mtu, .fd = -1 };

		snprintf(t.name, sizeof(t.name), "t%d.%d", g->node, net);
		if (lab_in_netns(lab_netns_fd(lab), tap_make, &t) < 0)
			return lab_fail(lab, "node %s: %s", nd->name, t.err[0] ? t.err : strerror(errno));
		g->tap_fd[i] = t.fd;
		g->nic_net[i] = net;
		g->n_nics = i + 1;
		if (lab_port_set(lab, g->node, net, t.name, t.ifindex) < 0)
			return lab_fail(lab, "node %s: port %s: %s", nd->name, t.name, strerror(errno));
	}
	return 0;
}

