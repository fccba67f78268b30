/*
 * lab_floor.c - the kernel's own floor for the work of a faultline lab of N netns
 * nodes on one network, for scripts/bench.d/10-lab.sh: the same namespaces, bridge,
 * veth pairs, addresses and links, made with bare syscalls and pipelined rtnetlink
 * on libmnl, and nothing else (no scenario, no run directory, no cgroups, no event
 * loop, no teardown list).
 *
 *   lab_floor [-j THREADS] N    build, then tear down; prints
 *                               "floor: nodes=N up_ms=U down_ms=D"
 *   lab_floor settle            how long until the kernel has destroyed every network
 *                               namespace closed before: "settle: ms=S"
 *
 * The topology is the one lab.c builds: a lab namespace with IPv6 off and one
 * bridge (STP off, no forward delay, no multicast snooping); per node a namespace
 * (default accept_dad 0), a veth pair whose lab end is up and enslaved to the bridge
 * and whose node end, "lan", has 198.18.x.y/16; lo and "lan" up. Interface indexes
 * are chosen, so no lookup is needed. With -j, the nodes are split into THREADS
 * contiguous shares, each built by its own thread (its own namespaces, its own
 * socket into the lab namespace), which is what the kernel allows in parallel.
 *
 * down: every socket and namespace fd closed (the kernel then destroys the
 * namespaces asynchronously, in its netns workqueue). settle measures that part:
 * a probe namespace holding one end of a veth pair is released; the workqueue
 * destroys namespaces in batches, in the order they were released, so the moment
 * the other end, watched from a second throwaway namespace, is deleted, the devices
 * of every namespace released before are gone too. Probes are repeated until two
 * in a row find no backlog (see settle()).
 *
 * Never touches the namespace it was started in: every request goes to a namespace
 * it made. Build: cc -O2 -o lab_floor lab_floor.c -lmnl -lpthread
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IFX_BRIDGE	16 /* ifindexes we choose, as lab.c does */
#define IFX_PORT0	17
#define IFX_LAN		16
#define BATCH		256 /* requests per sendmsg; their acks fit the receive buffer */
#define NODE_BATCH	8   /* a node's socket: lo, lan, address */
#define MSG_ROOM	512 /* the largest request, with margin */
#define MAX_THREADS	16
#define SETTLE_QUIET_MS 60.0
#define SETTLE_MAX_MS	30000.0

struct fsock {
	struct mnl_socket *sock;
	uint32_t seq;
	int pending; /* acks still to collect */
	int batch;   /* requests a batch holds */
	char *buf;
	size_t len;
};

struct share {
	int first, last; /* nodes [first, last) */
	int *ns_fd;
	struct fsock *lab_sock, *node_sock;
	int err;
	char what[128];
	double ms_ns, ms_veth, ms_links; /* how long each step took this share */
};

static int n_nodes;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "lab_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A socket in the calling thread's namespace, for batches of @batch requests. */
static int fsock_open(struct fsock *s, int batch)
{
	int one = 1, rcvbuf = 4 << 20;

	memset(s, 0, sizeof(*s));
	s->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!s->sock)
		return -1;
	setsockopt(mnl_socket_get_fd(s->sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	mnl_socket_setsockopt(s->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s->sock, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	s->batch = batch;
	s->buf = malloc((size_t)batch * MSG_ROOM);
	return s->buf ? 0 : -1;
}

static void fsock_close(struct fsock *s)
{
	if (s->sock)
		mnl_socket_close(s->sock);
	free(s->buf);
	s->sock = NULL;
	s->buf = NULL;
}

/* Collect every ack sent for; 0, or -1 with errno of the first failure. */
static int fsock_wait(struct fsock *s)
{
	char buf[16384];
	int err = 0;

	while (s->pending > 0) {
		ssize_t n = mnl_socket_recvfrom(s->sock, buf, sizeof(buf));
		if (n == -1)
			return -1;
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			s->pending--;
			if (e->error && !err)
				err = -e->error;
		}
	}
	errno = err;
	return err ? -1 : 0;
}

static int fsock_send(struct fsock *s)
{
	if (!s->len)
		return 0;
	ssize_t n = mnl_socket_sendto(s->sock, s->buf, s->len);
	s->len = 0;
	return n == -1 ? -1 : 0;
}

/* A new request in the batch (sending and collecting the batch when full). */
static struct nlmsghdr *fsock_msg(struct fsock *s, uint16_t type, uint16_t flags)
{
	if (s->pending + 1 > s->batch && (fsock_send(s) == -1 || fsock_wait(s) == -1))
		return NULL;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->buf + s->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++s->seq;
	s->pending++;
	return nlh;
}

static void fsock_end(struct fsock *s, struct nlmsghdr *nlh)
{
	s->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static struct ifinfomsg *ifi_put(struct nlmsghdr *nlh, int ifindex, int up)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	return ifi;
}

static int bridge_add(struct fsock *s)
{
	struct nlmsghdr *nlh = fsock_msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);

	if (!nlh)
		return -1;
	ifi_put(nlh, IFX_BRIDGE, 1);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lan");
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 0);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	fsock_end(s, nlh);
	return 0;
}

/* Node @i's pair: "p<i>.0" up here (on bridge @master, 0: none), "lan" down in
 * namespace @ns_fd. */
static int veth_add(struct fsock *s, int i, int ns_fd, int master)
{
	char name[IFNAMSIZ];
	struct nlmsghdr *nlh = fsock_msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);

	if (!nlh)
		return -1;
	snprintf(name, sizeof(name), "p%d.0", i);
	ifi_put(nlh, IFX_PORT0 + i, 1);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1); /* as lab.c: see net_link.c */
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *pifi = mnl_nlmsg_get_payload_tail(nlh);
	memset(pifi, 0, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	pifi->ifi_index = IFX_LAN;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lan");
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1); /* as lab.c: see net_link.c */
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	fsock_end(s, nlh);
	return 0;
}

static int link_up(struct fsock *s, int ifindex)
{
	struct nlmsghdr *nlh = fsock_msg(s, RTM_NEWLINK, 0);

	if (!nlh)
		return -1;
	ifi_put(nlh, ifindex, 1);
	fsock_end(s, nlh);
	return 0;
}

static int addr_add(struct fsock *s, int i)
{
	struct nlmsghdr *nlh = fsock_msg(s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	/* 198.18.0.0/16, hosts from .1 on, as the bench scenario's addressing */
	struct in_addr a = {htonl(0xc6120000u + (uint32_t)i + 1)};
	struct in_addr b = {htonl(0xc612ffffu)};

	if (!nlh)
		return -1;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 16;
	ifa->ifa_index = IFX_LAN;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_BROADCAST, sizeof(b), &b);
	fsock_end(s, nlh);
	return 0;
}

static int sysctl_put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	ssize_t n = write(fd, v, strlen(v));
	close(fd);
	return n == (ssize_t)strlen(v) ? 0 : -1;
}

/* A fresh namespace for the calling thread, held by the returned fd. */
static int netns_new(void)
{
	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

static void *share_fail(struct share *sh, const char *what)
{
	sh->err = errno ? errno : EIO;
	snprintf(sh->what, sizeof(sh->what), "%s", what);
	return NULL;
}

static int node_make(struct share *sh, int i)
{
	sh->ns_fd[i] = netns_new();
	if (sh->ns_fd[i] == -1)
		return share_fail(sh, "node namespace"), -1;
	if (sysctl_put("/proc/sys/net/ipv6/conf/default/accept_dad", "0") == -1)
		return share_fail(sh, "accept_dad"), -1;
	if (fsock_open(&sh->node_sock[i], NODE_BATCH) == -1)
		return share_fail(sh, "node socket"), -1;
	return 0;
}

/* One thread's nodes: namespaces and their sockets, veths, then links and addresses. */
static void *share_build(void *arg)
{
	struct share *sh = arg;
	double t = now_ms();

	for (int i = sh->first; i < sh->last; i++)
		if (node_make(sh, i) == -1)
			return NULL;
	sh->ms_ns = now_ms() - t;
	t = now_ms();
	for (int i = sh->first; i < sh->last; i++)
		if (veth_add(sh->lab_sock, i, sh->ns_fd[i], IFX_BRIDGE) == -1)
			return share_fail(sh, "veth");
	if (fsock_send(sh->lab_sock) == -1 || fsock_wait(sh->lab_sock) == -1)
		return share_fail(sh, "veth");
	sh->ms_veth = now_ms() - t;
	t = now_ms();
	for (int i = sh->first; i < sh->last; i++) {
		struct fsock *s = &sh->node_sock[i];
		if (link_up(s, 1) == -1 || link_up(s, IFX_LAN) == -1 || addr_add(s, i) == -1 ||
		    fsock_send(s) == -1)
			return share_fail(sh, "node links");
	}
	for (int i = sh->first; i < sh->last; i++)
		if (fsock_wait(&sh->node_sock[i]) == -1)
			return share_fail(sh, "node links");
	sh->ms_links = now_ms() - t;
	return NULL;
}

static int build(int threads, int *ns_fd, struct fsock *node_sock, struct fsock *lab_sock,
		 int *lab_fd)
{
	struct share sh[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (home == -1 || (*lab_fd = netns_new()) == -1)
		die("lab namespace");
	if (sysctl_put("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") == -1 ||
	    sysctl_put("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1") == -1)
		die("disable_ipv6");
	for (int t = 0; t < threads; t++)
		if (fsock_open(&lab_sock[t], BATCH) == -1)
			die("lab socket");
	if (bridge_add(&lab_sock[0]) == -1 || fsock_send(&lab_sock[0]) == -1 ||
	    fsock_wait(&lab_sock[0]) == -1)
		die("bridge");
	if (setns(home, CLONE_NEWNET) == -1)
		die("setns home");
	close(home);
	for (int t = 0; t < threads; t++) {
		sh[t] = (struct share){.first = n_nodes * t / threads,
				       .last = n_nodes * (t + 1) / threads,
				       .ns_fd = ns_fd,
				       .lab_sock = &lab_sock[t],
				       .node_sock = node_sock};
		/* thread 0 is this one: it goes on in a node namespace, which is fine
		 * here (nothing after the build runs in the namespace it is in) */
		if (t && pthread_create(&tid[t], NULL, share_build, &sh[t]))
			die("thread");
	}
	share_build(&sh[0]);
	for (int t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	for (int t = 0; t < threads; t++)
		if (sh[t].err) {
			errno = sh[t].err;
			die(sh[t].what);
		}
	fprintf(stderr, "floor: thread 0: namespaces %.1f ms, veths %.1f ms, links %.1f ms\n",
		sh[0].ms_ns, sh[0].ms_veth, sh[0].ms_links);
	return 0;
}

/* One probe (see the header), from the watcher's namespace @watch: how long the
 * kernel took to destroy a namespace released now, in ms. */
static double probe_once(int watch, struct mnl_socket *mon, struct fsock *s)
{
	char buf[8192];
	struct fsock ps;
	double t0 = now_ms();
	int probe = netns_new();

	if (probe == -1 || fsock_open(&ps, NODE_BATCH) == -1 || setns(watch, CLONE_NEWNET) == -1)
		die("probe namespace");
	if (veth_add(s, 0, probe, 0) == -1 || fsock_send(s) == -1 || fsock_wait(s) == -1)
		die("probe veth");
	/* held as a lab's namespaces are, by an fd and a netlink socket (whose
	 * reference the kernel drops after an RCU grace period); these are the last */
	fsock_close(&ps);
	close(probe);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(mon, buf, sizeof(buf));
		if (n == -1)
			die("watch");
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_index == IFX_PORT0)
				return now_ms() - t0;
		}
	}
}

/*
 * Probes until two in a row come back quickly (an idle kernel destroys a namespace in
 * 10-30 ms; a probe queued behind a backlog waits for all of it). Two, because a
 * probe can overtake namespaces whose last reference the kernel has not dropped yet.
 * Prints when the last slow probe came back (the first, when none was slow).
 */
static int settle(void)
{
	double t0 = now_ms(), end = -1, d;
	int quiet = 0, probes = 0;

	if (netns_new() == -1) /* the watcher's namespace: this thread stays in it */
		die("watch namespace");
	int watch = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct mnl_socket *mon = mnl_socket_open(NETLINK_ROUTE);
	struct fsock s;
	if (watch == -1 || !mon || mnl_socket_bind(mon, RTMGRP_LINK, MNL_SOCKET_AUTOPID) == -1 ||
	    fsock_open(&s, NODE_BATCH) == -1)
		die("watch socket");
	while (quiet < 2 && now_ms() - t0 < SETTLE_MAX_MS) {
		d = probe_once(watch, mon, &s);
		probes++;
		if (d < SETTLE_QUIET_MS) {
			quiet++;
			if (end < 0)
				end = now_ms() - t0;
		} else {
			quiet = 0;
			end = now_ms() - t0;
		}
	}
	printf("settle: ms=%.1f probes=%d%s\n", end, probes, quiet < 2 ? " (gave up)" : "");
	return 0;
}

int main(int argc, char **argv)
{
	int threads = 1, opt;

	while ((opt = getopt(argc, argv, "j:")) != -1)
		threads = opt == 'j' ? atoi(optarg) : 0;
	if (optind < argc && !strcmp(argv[optind], "settle"))
		return settle();
	if (optind >= argc || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: lab_floor [-j THREADS] N | lab_floor settle\n");
		return 2;
	}
	n_nodes = atoi(argv[optind]);
	if (n_nodes < 1 || n_nodes > 60000)
		return 2;
	int *ns_fd = calloc((size_t)n_nodes, sizeof(int)), lab_fd;
	struct fsock *node_sock = calloc((size_t)n_nodes, sizeof(*node_sock));
	struct fsock lab_sock[MAX_THREADS];
	if (!ns_fd || !node_sock)
		die("memory");
	double t0 = now_ms();
	build(threads, ns_fd, node_sock, lab_sock, &lab_fd);
	double t1 = now_ms();
	for (int i = n_nodes - 1; i >= 0; i--) {
		fsock_close(&node_sock[i]);
		close(ns_fd[i]);
	}
	for (int t = 0; t < threads; t++)
		fsock_close(&lab_sock[t]);
	close(lab_fd);
	double t2 = now_ms();
	printf("floor: nodes=%d threads=%d up_ms=%.1f down_ms=%.1f\n", n_nodes, threads, t1 - t0,
	       t2 - t1);
	return 0;
}
