/*
 * vrrp_net.h - VRRP on the wire and the VIP on the host: raw IPv4 protocol-112 socket
 * (224.0.0.18 joined on every heartbeat interface, TTL 255, interface and TTL of each
 * received advert), the VIP added/removed through rtnetlink (optionally as a lease
 * with a finite valid_lft), and gratuitous ARP through AF_PACKET.
 */
#ifndef FL_VRRP_NET_H
#define FL_VRRP_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "vrrp_pkt.h"

#define VRRP_NET_MAX_IFS 8

struct vrrp_if {
	char name[IF_NAMESIZE];
	int ifindex;
	struct in_addr addr; /* our primary address there: the source of our adverts */
};

struct vrrp_net {
	int fd;	   /* raw IPPROTO_VRRP socket */
	int nl_fd; /* NETLINK_ROUTE, for the VIP */
	int pk_fd; /* AF_PACKET, for gratuitous ARP */
	int nifs;
	struct vrrp_if ifs[VRRP_NET_MAX_IFS];
	struct vrrp_if vip_if;
	struct in_addr vip;
	int vip_plen;
	unsigned lease_s; /* 0: a permanent address; else valid_lft, renewed by vrrp_vip_add */
	unsigned char mac[6];
};

/*
 * vrrp_net_open - resolve the interfaces and open the sockets. @ifnames: heartbeat
 * interfaces (adverts go out and are accepted on these only). Returns 0, or -1 with
 * errno (ENODEV: an interface is missing or has no IPv4 address).
 */
int vrrp_net_open(struct vrrp_net *n, char *const *ifnames, int nifs, const char *vip_dev,
		  struct in_addr vip, int plen, unsigned lease_s);

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

/* vrrp_vip_add - add (or renew the lease of) the VIP. 0 or -1 with errno. */
int vrrp_vip_add(struct vrrp_net *n);

/* vrrp_vip_del - remove the VIP; "not there" is success. 0 or -1 with errno. */
int vrrp_vip_del(struct vrrp_net *n);

/* vrrp_garp_send - broadcast a gratuitous ARP for the VIP on its interface. */
int vrrp_garp_send(struct vrrp_net *n);

/* vrrp_if_running - whether @ifname is up with carrier (IFF_UP and IFF_RUNNING). */
bool vrrp_if_running(struct vrrp_net *n, const char *ifname);

#endif
