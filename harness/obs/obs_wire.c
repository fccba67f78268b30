/*
 * obs_wire.c - the wire observer: one AF_PACKET socket in the lab namespace that sees
 * every port of every bridge, and turns ARP, VRRP, ICMP errors and TCP retransmissions
 * into observations (events.jsonl, src "wire", and the in-memory store).
 *
 * Which copy of a frame is kept. A frame a node sends crosses the lab namespace as:
 *   1. received on the node's port (the lab side of its veth, or its tap)
 *   2. received on the bridge device (only when the bridge delivers it locally:
 *      broadcast, multicast, or addressed to the bridge)
 *   3. sent (PACKET_OUTGOING) on every port the bridge forwards it to
 * We keep only copy 1: a frame that is not PACKET_OUTGOING on an ifindex that is a
 * node's port. So every frame counts exactly once, and the port says who sent it
 * (no MAC learning needed). The price: a frame a fault drops later in the lab (a
 * blackhole filter on the bridge) still counts as said; a port that is down sees
 * nothing, which is what its node's neighbours see too.
 *
 * Which addresses are VIPs: an address announced (gratuitous ARP, ARP reply) that is not
 * one of the scenario's node addresses, or any address listed in a VRRP advert. So
 * keepalived or any other program is observed exactly like fl-lb.
 *
 * When. A frame's time is the kernel's receive timestamp (SO_TIMESTAMPNS, taken as the
 * frame passed the port), moved to CLOCK_MONOTONIC, not the moment we read it: a run
 * that is slow to read (a busy machine) would otherwise stamp a queue of frames from
 * different moments with one time, and a silence between two claims of a VIP would
 * shrink or vanish.
 *
 * Safety: the socket is created inside the lab namespace (lab_in_netns) and never
 * sends; the filter passes only ARP, VRRP, ICMP/ICMPv6 errors and TCP to user space.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "obs.h"
#include "run.h"
#include "scn.h"

#define OBS_WIRE_SNAP 256  /* Ethernet + IPv4 + VRRP with 32 addresses fits */
#define OBS_WIRE_BURST 512 /* frames per wake-up, so the loop stays fair */

struct obs_port {
	int ifindex, node, net;
};

struct obs_wire {
	struct run *r;
	struct obs_store *st;
	struct obs_tcp *tcp;
	int fd;
	struct obs_port *ports;
	int n_ports;
	uint64_t read, kept, bad;
};

/*
 * Classic BPF: accept ARP; IPv4 proto 112 or 6; IPv4 ICMP type 3; IPv6 next header 6;
 * IPv6 ICMPv6 type 1 or 2. Everything else is dropped in the kernel.
 */
static struct sock_filter obs_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),			   /* 0: ethertype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 15, 0),	   /* 1 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 1, 0),	   /* 2 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 7, 14),	   /* 3 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),			   /* 4: IPv4 protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 112, 11, 0),	   /* 5: VRRP */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 10, 0),   /* 6 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 10),  /* 7 */
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),		   /* 8: x = IPv4 header len */
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 14),			   /* 9: ICMP type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 6, 7),		   /* 10: unreachable */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),			   /* 11: IPv6 next header */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 4, 0),	   /* 12 */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 4), /* 13 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),			   /* 14: ICMPv6 type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),		   /* 15: unreachable */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),		   /* 16: packet too big */
	BPF_STMT(BPF_RET | BPF_K, OBS_WIRE_SNAP),		   /* 17: accept */
	BPF_STMT(BPF_RET | BPF_K, 0),				   /* 18: drop */
};

/* Runs inside the lab namespace: the socket belongs to it for good. */
static int obs_wire_socket(void *arg)
{
	int *fd = arg;
	struct sock_fprog prog = {sizeof(obs_bpf) / sizeof(obs_bpf[0]), obs_bpf};
	*fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (*fd == -1)
		return -1;
	int one = 1;
	if (setsockopt(*fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1 ||
	    setsockopt(*fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) == -1) {
		int e = errno;
		close(*fd);
		*fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static const struct obs_port *obs_port_find(const struct obs_wire *w, int ifindex)
{
	for (int i = 0; i < w->n_ports; i++)
		if (w->ports[i].ifindex == ifindex)
			return &w->ports[i];
	return NULL;
}

/* Is @a one of the scenario's node addresses (so not a VIP)? */
static bool obs_is_node_addr(const struct scn *s, struct in_addr a)
{
	for (int n = 0; n < s->n_nodes; n++)
		for (int i = 0; i < s->nodes[n].n_ifaces; i++)
			if (s->nodes[n].ifaces[i].addr.s_addr == a.s_addr)
				return true;
	return false;
}

static void obs_mac_text(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void obs_wire_arp(struct obs_wire *w, const struct obs_frame *f, struct obs_vip *v,
			 const char *net, const char *node)
{
	const struct scn *s = run_scn(w->r);
	if ((f->arp_op != OBS_ARP_REPLY && !f->arp_gratuitous) || !f->arp_spa.s_addr ||
	    obs_is_node_addr(s, f->arp_spa))
		return;
	char ip[INET_ADDRSTRLEN], mac[18];
	v->vip = f->arp_spa;
	v->kind = f->arp_gratuitous ? OBS_VIP_GARP : OBS_VIP_ARP_REPLY;
	memcpy(v->mac, f->arp_sha, 6);
	inet_ntop(AF_INET, &v->vip, ip, sizeof(ip));
	obs_mac_text(v->mac, mac, sizeof(mac));
	obs_vip_add(w->st, v);
	run_event_obj(w->r, v->t_ns, "wire", "arp",
		      json_pack("{s:o,s:s,s:s,s:o,s:s}", "net", jsonl_str(net), "ip", ip, "mac",
				mac, "node", jsonl_str(node), "op", obs_vip_kind_name(v->kind)));
}

static void obs_wire_vrrp(struct obs_wire *w, const struct obs_frame *f, struct obs_vip *v,
			  const char *net, const char *node)
{
	char vips[8 * INET_ADDRSTRLEN] = "", from[INET_ADDRSTRLEN], mac[18];
	size_t used = 0;
	v->kind = OBS_VIP_VRRP;
	v->vrid = f->vrid;
	v->prio = f->prio;
	v->adver_ms = f->adver_ms;
	memcpy(v->mac, f->src_mac, 6);
	for (int i = 0; i < f->naddr; i++) {
		v->vip = f->addrs[i];
		obs_vip_add(w->st, v);
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &f->addrs[i], a, sizeof(a));
		used += (size_t)snprintf(vips + used, sizeof(vips) - used, "%s%s", i ? "," : "", a);
	}
	inet_ntop(AF_INET, &f->ip_src, from, sizeof(from));
	obs_mac_text(v->mac, mac, sizeof(mac));
	run_event_obj(w->r, v->t_ns, "wire", "vrrp",
		      json_pack("{s:o,s:s,s:s,s:o,s:i,s:i,s:i,s:s}", "net", jsonl_str(net), "from",
				from, "mac", mac, "node", jsonl_str(node), "vrid", f->vrid, "prio",
				f->prio, "adver_ms", f->adver_ms, "vips", vips));
}

static void obs_wire_mark(struct obs_wire *w, const struct obs_frame *f, int64_t t,
			  const char *net, const char *node)
{
	struct obs_mark m = {.t_ns = t};
	snprintf(m.net, sizeof(m.net), "%s", net);
	snprintf(m.node, sizeof(m.node), "%s", node);
	if (f->kind == OBS_FR_ICMP) {
		m.kind = f->frag_needed ? OBS_MARK_FRAG_NEEDED : OBS_MARK_UNREACH;
		obs_mark_add(w->st, &m);
		run_event_obj(w->r, t, "wire", "icmp",
			      json_pack("{s:o,s:o,s:i,s:i,s:s}", "net", jsonl_str(net), "node",
					jsonl_str(node), "type", f->icmp_type, "code", f->icmp_code,
					"kind", obs_mark_kind_name(m.kind)));
		return;
	}
	if (!obs_tcp_is_retrans(w->tcp, f))
		return;
	m.kind = OBS_MARK_RETRANS;
	obs_mark_add(w->st, &m);
	run_event_obj(w->r, t, "wire", "retransmit",
		      json_pack("{s:o,s:o,s:I,s:I,s:I,s:I}", "net", jsonl_str(net), "node",
				jsonl_str(node), "seq", (json_int_t)f->seq, "len",
				(json_int_t)f->payload, "sport", (json_int_t)f->sport, "dport",
				(json_int_t)f->dport));
}

static void obs_wire_frame(struct obs_wire *w, const uint8_t *buf, size_t len,
			   const struct obs_port *p, int64_t t)
{
	const struct scn *s = run_scn(w->r);
	const char *net = s->networks[p->net].name, *node = s->nodes[p->node].name;
	struct obs_frame f;
	struct obs_vip v = {.t_ns = t};
	snprintf(v.net, sizeof(v.net), "%s", net);
	snprintf(v.node, sizeof(v.node), "%s", node);
	enum obs_frame_kind kind = obs_frame_decode(buf, len, &f);
	f.segment = p->net;
	switch (kind) {
	case OBS_FR_ARP: obs_wire_arp(w, &f, &v, net, node); break;
	case OBS_FR_VRRP: obs_wire_vrrp(w, &f, &v, net, node); break;
	case OBS_FR_ICMP:
	case OBS_FR_TCP: obs_wire_mark(w, &f, t, net, node); break;
	case OBS_FR_NONE: w->bad++; break;
	}
}

int64_t obs_mono_from_real(int64_t real_ts_ns, int64_t real_now_ns, int64_t mono_now_ns)
{
	int64_t age = real_now_ns - real_ts_ns;

	return age > 0 ? mono_now_ns - age : mono_now_ns;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The frame's kernel timestamp from @msg on the monotonic clock; @mono_now when absent. */
static int64_t obs_frame_time(struct msghdr *msg, int64_t real_now, int64_t mono_now)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return obs_mono_from_real(ts_ns(&ts), real_now, mono_now);
		}
	}
	return mono_now;
}

static void obs_wire_read(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct obs_wire *w = arg;
	uint8_t buf[OBS_WIRE_SNAP];
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct timespec real, mono;
	(void)loop;
	(void)events;
	/* the two clocks' offset, once per burst (they only drift apart by NTP slewing) */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	for (int i = 0; i < OBS_WIRE_BURST; i++) {
		struct sockaddr_ll sll;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr msg = {.msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = ctl.b,
				     .msg_controllen = sizeof(ctl.b)};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n == -1)
			return; /* EAGAIN, or an error the next wake-up will see again */
		int64_t t = obs_frame_time(&msg, ts_ns(&real), ts_ns(&mono));
		w->read++;
		const struct obs_port *p = obs_port_find(w, sll.sll_ifindex);
		if (!p || sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		w->kept++;
		obs_wire_frame(w, buf, (size_t)n, p, t);
	}
}

static void obs_wire_stop(void *arg)
{
	struct obs_wire *w = arg;
	if (w->fd >= 0) {
		ev_fd_del(run_loop(w->r), w->fd);
		close(w->fd);
	}
	obs_tcp_free(w->tcp);
	free(w->ports);
	free(w);
}

/* Every (node, network) port of the lab. */
static int obs_wire_ports(struct obs_wire *w, const struct scn *s, const struct lab *lab)
{
	w->ports = calloc((size_t)(s->n_nodes * s->n_networks) + 1, sizeof(*w->ports));
	if (!w->ports)
		return -1;
	for (int n = 0; n < s->n_nodes; n++)
		for (int k = 0; k < s->n_networks; k++) {
			int ifindex = lab_port_ifindex(lab, n, k);
			if (ifindex > 0)
				w->ports[w->n_ports++] = (struct obs_port){ifindex, n, k};
		}
	return 0;
}

struct obs_wire *obs_wire_start(struct run *r, struct obs_store *st)
{
	struct lab *lab = run_lab(r);
	if (!lab) {
		errno = EINVAL;
		return NULL;
	}
	struct obs_wire *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	*w = (struct obs_wire){.r = r, .st = st, .fd = -1};
	if (!(w->tcp = obs_tcp_new()) || obs_wire_ports(w, run_scn(r), lab) == -1 ||
	    lab_in_netns(lab_netns_fd(lab), obs_wire_socket, &w->fd) == -1)
		goto err;
	if (ev_fd_add(run_loop(r), w->fd, EPOLLIN, obs_wire_read, w) == -1)
		goto err;
	if (run_defer(r, obs_wire_stop, w, "wire observer") == -1) {
		int e = errno;
		obs_wire_stop(w);
		errno = e;
		return NULL;
	}
	return w;
err:;
	int e = errno;
	if (w->fd >= 0)
		close(w->fd);
	obs_tcp_free(w->tcp);
	free(w->ports);
	free(w);
	errno = e;
	return NULL;
}

void obs_wire_stats(const struct obs_wire *w, uint64_t *read, uint64_t *kept, uint64_t *bad)
{
	*read = w->read;
	*kept = w->kept;
	*bad = w->bad;
}
