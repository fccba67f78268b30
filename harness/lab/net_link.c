/*
 * net_link.c - the rtnetlink requests the lab is built from: bridge, veth pair, link
 * up/down and MTU, IPv4 address, IPv4 default route. Each only queues its request on a
 * struct net_nl (net_nl.c sends and checks), so many can go in one batch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

static struct ifinfomsg *ifinfo_put(struct nlmsghdr *nlh, int ifindex, bool up)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	return ifi;
}

/*
 * One tx and one rx queue: veth otherwise allocates and sets up one of each per
 * possible CPU, which was about half the cost of a pair (1000 pairs on 2 CPUs:
 * 420 ms -> 220 ms, scripts/bench.d/lab_floor.c). Only one of each was ever in use
 * (real_num_*_queues is 1): a veth has no qdisc (IFF_NO_QUEUE) and spreads over rx
 * queues only with XDP or NAPI GRO, which the lab never turns on.
 */
static void queues_put(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
}

int net_bridge_add(struct net_nl *nl, const char *name, int ifindex, int mtu)
{
	char what[64];

	snprintf(what, sizeof(what), "bridge %s", name);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, what);
	if (!nlh)
		return -1;
	ifinfo_put(nlh, ifindex, true);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* a lab segment is a plain wire: no STP, no listening delay, and multicast
	 * (VRRP adverts to 224.0.0.18) floods instead of depending on IGMP snooping */
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 0);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return 0;
}

int net_veth_add(struct net_nl *nl, const char *name, int ifindex, int master, int mtu,
		 const char *peer_name, int peer_ns_fd, int peer_ifindex)
{
	char what[64];

	snprintf(what, sizeof(what), "veth %s", name);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, what);
	if (!nlh)
		return -1;
	ifinfo_put(nlh, ifindex, true);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	queues_put(nlh);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer is a whole ifinfomsg + attributes, made in its namespace; it cannot be
	 * created up (veth refuses to open before its other end exists: ENOTCONN) */
	struct ifinfomsg *pifi = mnl_nlmsg_get_payload_tail(nlh);
	memset(pifi, 0, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	pifi->ifi_index = peer_ifindex;

	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	queues_put(nlh);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (peer_ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return 0;
}

int net_link_set_up(struct net_nl *nl, int ifindex, bool up)
{
	char what[64];

	snprintf(what, sizeof(what), "link %d %s", ifindex, up ? "up" : "down");
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWLINK, 0, what);
	if (!nlh)
		return -1;
	ifinfo_put(nlh, ifindex, up);
	return 0;
}

int net_link_set_master(struct net_nl *nl, int ifindex, int master)
{
	char what[64];

	snprintf(what, sizeof(what), "link %d master %d", ifindex, master);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWLINK, 0, what);
	if (!nlh)
		return -1;
	struct ifinfomsg *ifi = ifinfo_put(nlh, ifindex, false);
	ifi->ifi_change = 0;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return 0;
}

int net_brport_set(struct net_nl *nl, int ifindex, int state, bool flush)
{
	char what[64];

	snprintf(what, sizeof(what), "bridge port %d state %d", ifindex, state);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_SETLINK, 0, what);
	if (!nlh)
		return -1;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = ifindex;
	struct nlattr *pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_STATE, (uint8_t)state);
	if (flush)
		mnl_attr_put(nlh, IFLA_BRPORT_FLUSH, 0, NULL);
	mnl_attr_nest_end(nlh, pi);
	return 0;
}

int net_link_set_mtu(struct net_nl *nl, int ifindex, int mtu)
{
	char what[64];

	snprintf(what, sizeof(what), "link %d mtu %d", ifindex, mtu);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWLINK, 0, what);
	if (!nlh)
		return -1;
	struct ifinfomsg *ifi = ifinfo_put(nlh, ifindex, false);
	ifi->ifi_change = 0;
	mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return 0;
}

int net_addr4_add(struct net_nl *nl, int ifindex, struct in_addr addr, int plen)
{
	char what[64], a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	snprintf(what, sizeof(what), "address %s/%d on link %d", a, plen, ifindex);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, what);
	if (!nlh)
		return -1;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	if (plen < 31) {
		struct in_addr bcast = {addr.s_addr | htonl(~0u >> plen)};
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(bcast), &bcast);
	}
	return 0;
}

int net_route4_default(struct net_nl *nl, struct in_addr gateway)
{
	char what[64], a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &gateway, a, sizeof(a));
	snprintf(what, sizeof(what), "default route via %s", a);
	struct nlmsghdr *nlh = net_nl_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, what);
	if (!nlh)
		return -1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gateway), &gateway);
	return 0;
}
