/*
 * net.h - netlink and namespace helpers for the lab.
 *
 * struct net_nl is one rtnetlink socket of the shared netlink layer (common/nlk.h:
 * NETLINK_EXT_ACK, NETLINK_CAP_ACK), bound to the network namespace it was opened in:
 * requests are queued with net_nl_msg(), sent together by net_nl_send() (one sendmsg
 * per up to 256 requests) and their acks gathered by net_nl_wait(). Sending to many
 * sockets first and gathering afterwards keeps the kernel busy in every namespace at
 * once; more requests may be queued and sent while acks are pending.
 *
 * Errors: the first failed request of a gather sets errno and the text of
 * net_nl_error(): "<what>: <strerror> (kernel: <kernel's extended ack>)".
 */
#ifndef FL_NET_H
#define FL_NET_H

#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct net_nl;
struct nlk;

/* The lab's window: acks in flight on one socket (a 4 MiB receive buffer). */
#define NET_NL_WINDOW 4096

/* Open a socket in the calling thread's current network namespace, window NET_NL_WINDOW. */
struct net_nl *net_nl_open(void);
/*
 * Open a socket in the network namespace @netns_fd (-1: this thread's; setns there and
 * back, this thread) for @window acks in flight (0: the kernel's default buffer, about
 * a hundred, cheaper per request for sockets that send a few at a time).
 */
struct net_nl *net_nl_open_ns(int netns_fd, int window);
/* The socket of the shared layer underneath (nlk_msg_reply, nlk_errors, nlk_fd...). */
struct nlk *net_nl_sock(struct net_nl *nl);
void net_nl_close(struct net_nl *nl); /* NULL is a no-op */

/*
 * Start a request of @type with NLM_F_REQUEST|NLM_F_ACK|@flags in the batch; @what
 * names it in errors (copied). Sends what is queued when the batch is full, and
 * gathers acks first when too many are in flight (failures found then are reported by
 * the next net_nl_wait). Returns the header (payload filled by the caller with mnl_*),
 * or NULL (ENOMEM).
 */
struct nlmsghdr *net_nl_msg(struct net_nl *nl, uint16_t type, uint16_t flags,
			    const char *what);
/* Send the queued requests (acks of earlier sends may still be pending). */
int net_nl_send(struct net_nl *nl);
/* Gather the acks of everything sent; 0, or -1 with errno of the first failure. */
int net_nl_wait(struct net_nl *nl);
/* Send, then wait. */
int net_nl_flush(struct net_nl *nl);
const char *net_nl_error(const struct net_nl *nl);

/* Requests (queued; see net_nl_msg). Names are copied. */
int net_bridge_add(struct net_nl *nl, const char *name, int ifindex, int mtu);
/*
 * A veth pair: @name here, up, enslaved to @master (0: none), ifindex @ifindex (0: any);
 * its peer @peer_name in the namespace @peer_ns_fd, down, ifindex @peer_ifindex.
 */
int net_veth_add(struct net_nl *nl, const char *name, int ifindex, int master, int mtu,
		 const char *peer_name, int peer_ns_fd, int peer_ifindex);
int net_link_set_up(struct net_nl *nl, int ifindex, bool up);
int net_link_set_mtu(struct net_nl *nl, int ifindex, int mtu);
/* Bridge port @ifindex to STP state @state (BR_STATE_DISABLED: it neither forwards
 * nor learns, BR_STATE_FORWARDING) and, with @flush, forget the addresses learned on it. */
int net_brport_set(struct net_nl *nl, int ifindex, int state, bool flush);
/* Enslave @ifindex to bridge @master (0: release it from its bridge). */
int net_link_set_master(struct net_nl *nl, int ifindex, int master);
int net_addr4_add(struct net_nl *nl, int ifindex, struct in_addr addr, int plen);
int net_route4_default(struct net_nl *nl, struct in_addr gateway);

/* Write @value to /proc/sys/@key in the calling thread's network namespace. */
int net_sysctl_set(const char *key, const char *value);

#endif
