/*
 * vrrp_net.h - VRRP on the wire and the VIP on the host: raw IPv4 protocol-112 socket
 * (224.0.0.18 joined on every heartbeat interface, TTL 255, interface and TTL of each
 * received advert), the VIP added/removed through rtnetlink (optionally as a lease
 * with a finite valid_lft), and gratuitous ARP through AF_PACKET.
 *
 * `ha safe` (vrrp_net_safe_open()): the kernel never speaks for the VIP. The VIP is a
 * /32 on `lo`, the VIP interface gets arp_ignore=1 (answer only for its own addresses)
 * and arp_announce=2 (never the VIP as the sender of the kernel's own requests) in this
 * network namespace; fl-lb reads ARP requests for the VIP from an AF_PACKET socket and
 * answers them itself while it is master, so a frozen or dead fl-lb is silent on the
 * wire at once. Handoff requests travel as UDP on the heartbeat networks.
 */
#ifndef FL_VRRP_NET_H
#define FL_VRRP_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "vrrp_pkt.h"

struct nlk;

#define VRRP_NET_MAX_IFS 8

struct vrrp_if {
	char name[IF_NAMESIZE];
	int ifindex;
	struct in_addr addr; /* our primary address there: the source of our adverts */
};

struct vrrp_net {
	int fd;	   /* raw IPPROTO_VRRP socket */
	struct nlk *nl; /* NETLINK_ROUTE (common/nlk.h), for the VIP */
	int pk_fd; /* AF_PACKET, for gratuitous ARP and ARP replies */
	int arp_fd; /* safe: AF_PACKET ETH_P_ARP on the VIP interface, -1 otherwise */
	int ho_fd;  /* safe: UDP VRRP_HANDOFF_PORT, -1 otherwise */
	int nifs;
	struct vrrp_if ifs[VRRP_NET_MAX_IFS];
	struct vrrp_if vip_if;
	struct in_addr vip;
	int vip_plen;
	unsigned lease_s; /* 0: a permanent address; else valid_lft, renewed by vrrp_vip_add */
	unsigned char mac[6];
	int lo_ifindex; /* safe: the VIP lives on lo as a /32; 0 = on vip_if */
};

/* An ARP request for the VIP: who asks (to answer them directly). */
struct vrrp_arp_req {
	unsigned char mac[6];
	struct in_addr ip;
};

/*
 * vrrp_net_open - resolve the interfaces and open the sockets. @ifnames: heartbeat
 * interfaces (adverts go out and are accepted on these only). Returns 0, or -1 with
 * errno (ENODEV: an interface is missing or has no IPv4 address).
 */
int vrrp_net_open(struct vrrp_net *n, char *const *ifnames, int nifs, const char *vip_dev,
		  struct in_addr vip, int plen, unsigned lease_s);

/*
 * vrrp_net_safe_open - `ha safe`: remove a VIP left on the VIP interface, move the VIP
 * to lo, quiet the kernel's ARP for it (sysctls of this namespace only) and open the
 * ARP and handoff sockets. Returns 0 or -1 with errno.
 */
int vrrp_net_safe_open(struct vrrp_net *n);

/* vrrp_net_close - close every socket (the VIP is left as it is). */
void vrrp_net_close(struct vrrp_net *n);

/* vrrp_net_send - send @p on heartbeat interface @i from its address. 0 or -1/errno. */
int vrrp_net_send(struct vrrp_net *n, int i, const struct vrrp_pkt *p);

/*
 * vrrp_net_recv - read one datagram. Returns 1 with *why set (VRRP_OK and @p, @src,
 * *@iface filled when valid), 0 when there is nothing to read or the datagram is not
 * for us (our own, or another interface), -1 on error. @st counts rejections.
 */
int vrrp_net_recv(struct vrrp_net *n, int vrid, struct vrrp_pkt *p, struct in_addr *src,
		  int *iface, enum vrrp_reject *why, struct vrrp_stats *st);

/* vrrp_net_error - the text of the last VIP failure (the kernel's ext-ack included). */
const char *vrrp_net_error(const struct vrrp_net *n);

/* vrrp_vip_add - add (or renew the lease of) the VIP. 0 or -1 with errno. */
int vrrp_vip_add(struct vrrp_net *n);

/* vrrp_vip_del - remove the VIP; "not there" is success. 0 or -1 with errno. */
int vrrp_vip_del(struct vrrp_net *n);

/* vrrp_garp_send - broadcast a gratuitous ARP for the VIP on its interface. */
int vrrp_garp_send(struct vrrp_net *n);

/* vrrp_handoff_send - a handoff request (vrrp_pkt.h) on heartbeat interface @i. */
int vrrp_handoff_send(struct vrrp_net *n, int i, uint8_t vrid, uint8_t prio);

/*
 * vrrp_handoff_recv - read one datagram from the handoff socket. Returns 1 for a valid
 * request of @vrid from a peer on a heartbeat network with TTL 255 (*@prio, @src set),
 * 2 for a datagram that is not one, 0 when there is nothing to read, -1 on error.
 */
int vrrp_handoff_recv(struct vrrp_net *n, int vrid, uint8_t *prio, struct in_addr *src);

/*
 * vrrp_arp_recv - read one frame from the ARP socket. Returns 1 for a request for the
 * VIP from someone else (@req filled), 2 for any other frame, 0 when there is nothing
 * to read, -1 on error.
 */
int vrrp_arp_recv(struct vrrp_net *n, struct vrrp_arp_req *req);

/* vrrp_arp_reply - answer @req: the VIP is at our MAC (unicast to the asker). */
int vrrp_arp_reply(struct vrrp_net *n, const struct vrrp_arp_req *req);

/* vrrp_if_running - whether @ifname is up with carrier (IFF_UP and IFF_RUNNING). */
bool vrrp_if_running(struct vrrp_net *n, const char *ifname);

#endif
