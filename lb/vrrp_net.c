/*
 * vrrp_net.c - sockets for VRRP (see vrrp_net.h). Plain sockets only (no libmnl): the
 * program must link statically into the guest initramfs. The VIP's rtnetlink requests
 * go through the shared netlink layer (common/nlk.c, itself libmnl-free).
 */
#include "vrrp_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlk.h"

/* Index and primary IPv4 address of @name; @fd: an AF_INET socket (for SIOCGIFADDR). */
static int if_resolve(int fd, const char *name, struct vrrp_if *vi)
{
	struct ifreq ifr = {0};

	if (strlen(name) >= IF_NAMESIZE) {
		errno = ENODEV;
		return -1;
	}
	snprintf(vi->name, sizeof(vi->name), "%s", name);
	vi->ifindex = (int)if_nametoindex(name);
	if (!vi->ifindex) {
		errno = ENODEV;
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFADDR, &ifr) == -1) {
		errno = ENODEV;
		return -1;
	}
	vi->addr = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
	return 0;
}

static int raw_open_socket(struct vrrp_net *n)
{
	n->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_IPPROTO);
	return n->fd == -1 ? -1 : 0;
}

static int raw_open(struct vrrp_net *n)
{
	int one = 1, zero = 0, ttl = VRRP_TTL;

	if (setsockopt(n->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == -1 ||
	    setsockopt(n->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) == -1 ||
	    setsockopt(n->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == -1 ||
	    setsockopt(n->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) == -1)
		return -1;
	for (int i = 0; i < n->nifs; i++) {
		struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(VRRP_GROUP_ADDR),
				      .imr_ifindex = n->ifs[i].ifindex};

		if (setsockopt(n->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1)
			return -1;
	}
	return 0;
}

static int packet_open(struct vrrp_net *n)
{
	struct ifreq ifr = {0};

	/* Protocol 0: a send-only packet socket, it receives nothing. */
	n->pk_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->pk_fd == -1)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", n->vip_if.name);
	if (ioctl(n->pk_fd, SIOCGIFHWADDR, &ifr) == -1)
		return -1;
	memcpy(n->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int vrrp_net_open(struct vrrp_net *n, char *const *ifnames, int nifs, const char *vip_dev,
		  struct in_addr vip, int plen, unsigned lease_s)
{
	int e;

	memset(n, 0, sizeof(*n));
	n->fd = n->pk_fd = n->arp_fd = n->ho_fd = -1;
	n->nl = NULL;
	if (nifs < 1 || nifs > VRRP_NET_MAX_IFS) {
		errno = EINVAL;
		return -1;
	}
	n->vip = vip;
	n->vip_plen = plen;
	n->lease_s = lease_s;
	n->nl = nlk_open(NETLINK_ROUTE, -1);
	if (!n->nl)
		goto err;
	if (raw_open_socket(n) < 0)
		goto err;
	for (n->nifs = 0; n->nifs < nifs; n->nifs++)
		if (if_resolve(n->fd, ifnames[n->nifs], &n->ifs[n->nifs]) < 0)
			goto err;
	if (if_resolve(n->fd, vip_dev, &n->vip_if) < 0)
		goto err;
	if (raw_open(n) < 0 || packet_open(n) < 0)
		goto err;
	return 0;
err:
	e = errno;
	vrrp_net_close(n);
	errno = e;
	return -1;
}

void vrrp_net_close(struct vrrp_net *n)
{
	int *fds[] = {&n->fd, &n->pk_fd, &n->arp_fd, &n->ho_fd};

	nlk_close(n->nl);
	n->nl = NULL;

	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int vrrp_net_send(struct vrrp_net *n, int i, const struct vrrp_pkt *p)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(VRRP_GROUP_ADDR)};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cm = {0};
	uint8_t buf[VRRP_PKT_MAX];
	struct iovec iov = {.iov_base = buf};
	struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cm.buf,
			    .msg_controllen = sizeof(cm.buf)};
	struct in_pktinfo *pi;
	ssize_t len = vrrp_pkt_encode(p, n->ifs[i].addr, to.sin_addr, buf, sizeof(buf));

	if (len < 0)
		return -1;
	iov.iov_len = (size_t)len;
	/* IP_PKTINFO pins both the interface and the source the checksum was made with. */
	cm.h.cmsg_level = IPPROTO_IP;
	cm.h.cmsg_type = IP_PKTINFO;
	cm.h.cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	pi = (struct in_pktinfo *)CMSG_DATA(&cm.h);
	pi->ipi_ifindex = n->ifs[i].ifindex;
	pi->ipi_spec_dst = n->ifs[i].addr;
	return sendmsg(n->fd, &mh, 0) == len ? 0 : -1;
}

static int if_slot(const struct vrrp_net *n, int ifindex)
{
	for (int i = 0; i < n->nifs; i++)
		if (n->ifs[i].ifindex == ifindex)
			return i;
	return -1;
}

static bool is_ours(const struct vrrp_net *n, struct in_addr a)
{
	for (int i = 0; i < n->nifs; i++)
		if (n->ifs[i].addr.s_addr == a.s_addr)
			return true;
	return false;
}

int vrrp_net_recv(struct vrrp_net *n, int vrid, struct vrrp_pkt *p, struct in_addr *src,
		  int *iface, enum vrrp_reject *why, struct vrrp_stats *st)
{
	uint8_t buf[2048];
	char cbuf[256];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t len = recvmsg(n->fd, &mh, 0);
	int ifindex = 0;

	if (len == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			ifindex = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex;
	*iface = if_slot(n, ifindex);
	if (*iface < 0)
		return 0; /* another network: not a heartbeat of ours */
	/* TTL comes from the IP header the raw socket hands over (IP_RECVTTL says the
	 * same); vrrp_pkt_decode_ip() checks it is 255. */
	*why = vrrp_pkt_decode_ip(buf, (size_t)len, vrid, p, src, NULL);
	if (*why == VRRP_OK && is_ours(n, *src))
		return 0;
	if (st)
		*why == VRRP_OK ? st->ok++ : st->rejected[*why]++;
	return 1;
}

const char *vrrp_net_error(const struct vrrp_net *n)
{
	return n->nl ? nlk_error(n->nl) : "";
}

/* RTM_NEWADDR / RTM_DELADDR of the VIP, sent and acknowledged. 0 or -1 with errno. */
static int vip_msg(struct vrrp_net *n, uint16_t type, unsigned flags)
{
	const char *what = type == RTM_NEWADDR ? "VIP add" : "VIP delete";
	struct nlmsghdr *h = nlk_msg(n->nl, type, flags, what);
	struct ifaddrmsg *ifa;

	if (!h)
		return -1;
	ifa = nlk_extra_put(h, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)(n->lo_ifindex ? 32 : n->vip_plen);
	ifa->ifa_index = (unsigned)(n->lo_ifindex ? n->lo_ifindex : n->vip_if.ifindex);
	nlk_attr_put(h, IFA_LOCAL, &n->vip, 4);
	nlk_attr_put(h, IFA_ADDRESS, &n->vip, 4);
	if (type == RTM_NEWADDR && n->lease_s) {
		struct ifa_cacheinfo ci = {.ifa_prefered = n->lease_s, .ifa_valid = n->lease_s};

		nlk_attr_put(h, IFA_CACHEINFO, &ci, sizeof(ci));
	}
	return nlk_flush(n->nl);
}

int vrrp_vip_add(struct vrrp_net *n)
{
	return vip_msg(n, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
}

int vrrp_vip_del(struct vrrp_net *n)
{
	if (vip_msg(n, RTM_DELADDR, 0) == 0 || errno == EADDRNOTAVAIL || errno == ENODEV)
		return 0;
	return -1;
}

int vrrp_garp_send(struct vrrp_net *n)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = n->vip_if.ifindex, .sll_halen = 6};
	struct ether_arp a = {0};

	memset(to.sll_addr, 0xff, 6);
	a.arp_hrd = htons(ARPHRD_ETHER);
	a.arp_pro = htons(ETH_P_IP);
	a.arp_hln = 6;
	a.arp_pln = 4;
	a.arp_op = htons(ARPOP_REQUEST); /* gratuitous: sender and target are the VIP */
	memcpy(a.arp_sha, n->mac, 6);
	memcpy(a.arp_spa, &n->vip, 4);
	memcpy(a.arp_tpa, &n->vip, 4);
	if (sendto(n->pk_fd, &a, sizeof(a), 0, (struct sockaddr *)&to, sizeof(to)) == -1)
		return -1;
	a.arp_op = htons(ARPOP_REPLY); /* some switches learn only from replies */
	memset(a.arp_tha, 0xff, 6);
	return sendto(n->pk_fd, &a, sizeof(a), 0, (struct sockaddr *)&to, sizeof(to)) == -1
		       ? -1
		       : 0;
}

bool vrrp_if_running(struct vrrp_net *n, const char *ifname)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(n->fd, SIOCGIFFLAGS, &ifr) == -1)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

/* ---- ha safe: the VIP on lo, ARP answered from user space, handoff requests ---- */

/* Write @val to /proc/sys/net/ipv4/conf/@dev/@key: this network namespace's setting. */
static int conf_set(const char *dev, const char *key, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static int arp_open(struct vrrp_net *n)
{
	struct sockaddr_ll at = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = n->vip_if.ifindex};

	n->arp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (n->arp_fd == -1)
		return -1;
	return bind(n->arp_fd, (struct sockaddr *)&at, sizeof(at)) == -1 ? -1 : 0;
}

static int handoff_open(struct vrrp_net *n)
{
	struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(VRRP_HANDOFF_PORT),
				 .sin_addr.s_addr = htonl(VRRP_GROUP_ADDR)};
	int one = 1, zero = 0, ttl = VRRP_TTL;

	n->ho_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->ho_fd == -1 ||
	    setsockopt(n->ho_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(n->ho_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == -1 ||
	    setsockopt(n->ho_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) == -1 ||
	    setsockopt(n->ho_fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == -1 ||
	    setsockopt(n->ho_fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) == -1 ||
	    bind(n->ho_fd, (struct sockaddr *)&at, sizeof(at)) == -1)
		return -1;
	for (int i = 0; i < n->nifs; i++) {
		struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(VRRP_GROUP_ADDR),
				      .imr_ifindex = n->ifs[i].ifindex};

		if (setsockopt(n->ho_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1)
			return -1;
	}
	return 0;
}

int vrrp_net_safe_open(struct vrrp_net *n)
{
	int lo = (int)if_nametoindex("lo");

	if (!lo) {
		errno = ENODEV;
		return -1;
	}
	if (vrrp_vip_del(n) < 0) /* a plain-mode VIP left on the device would answer ARP */
		return -1;
	n->lo_ifindex = lo;
	/* arp_ignore 1: reply only for addresses of the receiving interface (the VIP is
	 * on lo); arp_announce 2: the kernel's own requests name the interface's address. */
	if (conf_set(n->vip_if.name, "arp_ignore", "1") < 0 ||
	    conf_set(n->vip_if.name, "arp_announce", "2") < 0)
		return -1;
	return arp_open(n) < 0 || handoff_open(n) < 0 ? -1 : 0;
}

int vrrp_handoff_send(struct vrrp_net *n, int i, uint8_t vrid, uint8_t prio)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(VRRP_HANDOFF_PORT),
				 .sin_addr.s_addr = htonl(VRRP_GROUP_ADDR)};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cm = {0};
	uint8_t buf[VRRP_HANDOFF_LEN];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cm.buf,
			    .msg_controllen = sizeof(cm.buf)};
	struct in_pktinfo *pi;

	vrrp_handoff_encode(vrid, prio, buf);
	cm.h.cmsg_level = IPPROTO_IP;
	cm.h.cmsg_type = IP_PKTINFO;
	cm.h.cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	pi = (struct in_pktinfo *)CMSG_DATA(&cm.h);
	pi->ipi_ifindex = n->ifs[i].ifindex;
	pi->ipi_spec_dst = n->ifs[i].addr;
	return sendmsg(n->ho_fd, &mh, 0) == (ssize_t)sizeof(buf) ? 0 : -1;
}

int vrrp_handoff_recv(struct vrrp_net *n, int vrid, uint8_t *prio, struct in_addr *src)
{
	uint8_t buf[64];
	char cbuf[256];
	struct sockaddr_in from;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t len = recvmsg(n->ho_fd, &mh, 0);
	int ifindex = 0, ttl = -1;

	if (len == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO)
			ifindex = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_ifindex;
		else if (c->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
	}
	/* TTL 255 as for adverts (RFC 5798 5.1.1.3): the asker is on the link. */
	if (if_slot(n, ifindex) < 0 || ttl != VRRP_TTL || is_ours(n, from.sin_addr) ||
	    vrrp_handoff_decode(buf, (size_t)len, vrid, prio) < 0)
		return 2;
	*src = from.sin_addr;
	return 1;
}

int vrrp_arp_recv(struct vrrp_net *n, struct vrrp_arp_req *req)
{
	struct ether_arp a;
	struct sockaddr_ll from;
	socklen_t flen = sizeof(from);
	ssize_t len = recvfrom(n->arp_fd, &a, sizeof(a), 0, (struct sockaddr *)&from, &flen);

	if (len == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (len < (ssize_t)sizeof(a) || from.sll_pkttype == PACKET_OUTGOING ||
	    a.arp_hrd != htons(ARPHRD_ETHER) || a.arp_pro != htons(ETH_P_IP) ||
	    a.arp_hln != 6 || a.arp_pln != 4 || a.arp_op != htons(ARPOP_REQUEST) ||
	    memcmp(a.arp_tpa, &n->vip, 4) || !memcmp(a.arp_spa, &n->vip, 4) ||
	    !memcmp(a.arp_sha, n->mac, 6))
		return 2; /* not a question about the VIP (a gratuitous one is a claim) */
	memcpy(req->mac, a.arp_sha, 6);
	memcpy(&req->ip, a.arp_spa, 4);
	return 1;
}

int vrrp_arp_reply(struct vrrp_net *n, const struct vrrp_arp_req *req)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = n->vip_if.ifindex, .sll_halen = 6};
	struct ether_arp a = {0};

	memcpy(to.sll_addr, req->mac, 6);
	a.arp_hrd = htons(ARPHRD_ETHER);
	a.arp_pro = htons(ETH_P_IP);
	a.arp_hln = 6;
	a.arp_pln = 4;
	a.arp_op = htons(ARPOP_REPLY);
	memcpy(a.arp_sha, n->mac, 6);
	memcpy(a.arp_spa, &n->vip, 4);
	memcpy(a.arp_tha, req->mac, 6);
	memcpy(a.arp_tpa, &req->ip, 4);
	return sendto(n->pk_fd, &a, sizeof(a), 0, (struct sockaddr *)&to, sizeof(to)) == -1 ? -1
												     : 0;
}
