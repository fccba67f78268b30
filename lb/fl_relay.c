/*
 * fl-relay - faultline's own frame path for the packet faults the kernel cannot do
 * (no sch_netem): delay, jitter, duplicate, corrupt, reorder, bursty loss, pacing.
 * faultline starts one per run, in the lab namespace, with the control socket as
 * --ctl FD (relay_proto.h); it dies with faultline (PR_SET_PDEATHSIG) or when the
 * control socket closes.
 *
 * Each declared port has two packet sockets, on the node's lab-side port and on the
 * relay's veth end. They are bound to ETH_P_ALL while an effect of the port is on,
 * and replaced by fresh ones bound to no protocol (no frame is copied to them) when
 * faultline takes the port out of the path (RELAY_OP_UNBIND); faultline moves
 * the port off its bridge and the relay's veth peer onto it around that, so the relay
 * is in the path only then. With PACKET_VNET_HDR a frame keeps its offload state
 * (checksum left to the hardware, segmentation) across the relay.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "loop.h"
#include "relay.h"

#define RELAY_FRAME_MAX (65536 + 64)
#define RELAY_BATCH	64 /* frames read per readiness, per socket */

struct relay_port;

struct relay_side {
	struct relay_port *port;
	int dir; /* the direction whose input this socket is */
	struct loop_timer timer;
};

struct relay_port {
	bool declared, active;
	int ifindex[2]; /* [RELAY_OUT]: the node's port, [RELAY_IN]: the relay's veth */
	int fd[2];	/* packet socket on each */
	struct relay_dir dir[2];
	struct relay_side side[2];
};

static struct loop *relay_loop;
static struct relay_port relay_ports[RELAY_PORTS_MAX];
static uint8_t relay_buf[sizeof(struct virtio_net_hdr) + RELAY_FRAME_MAX];

static int relay_bind(int fd, int ifindex, uint16_t proto)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET, .sll_protocol = htons(proto), .sll_ifindex = ifindex};
	return bind(fd, (struct sockaddr *)&sll, sizeof(sll));
}

/* A packet socket on @ifindex receiving nothing yet, offload state in a vnet header. */
static int relay_sock_open(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	int buf = 8 << 20;
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) == -1 ||
	    relay_bind(fd, ifindex, 0) == -1) {
		int e = errno;
		close(fd);
		return errno = e, -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	return fd;
}

/* Direction @d's output: the socket of the other side. */
static int relay_out(struct relay_dir *d, const struct virtio_net_hdr *vh, const uint8_t *f,
		     size_t len, void *arg)
{
	struct relay_port *p = arg;
	int fd = p->fd[d == &p->dir[RELAY_OUT] ? RELAY_IN : RELAY_OUT];
	struct iovec iov[2] = {{(void *)vh, sizeof(*vh)}, {(void *)f, len}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
	return sendmsg(fd, &m, MSG_DONTWAIT) == -1 ? -1 : 0;
}

static void relay_timer_arm(struct relay_side *s)
{
	uint64_t t = relay_dir_next(&s->port->dir[s->dir]);
	if (t == UINT64_MAX)
		loop_timer_cancel(relay_loop, &s->timer);
	else
		(void)loop_timer_arm(relay_loop, &s->timer, t);
}

static void relay_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct relay_side *s = arg;
	(void)loop;
	(void)t;
	relay_dir_expire(&s->port->dir[s->dir], loop_now_ns());
	relay_timer_arm(s);
}

static void relay_on_frames(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct relay_side *s = arg;
	struct relay_dir *d = &s->port->dir[s->dir];
	(void)loop;
	(void)events;
	for (int i = 0; i < RELAY_BATCH; i++) {
		ssize_t n = recv(fd, relay_buf, sizeof(relay_buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < (ssize_t)sizeof(struct virtio_net_hdr) || n > (ssize_t)sizeof(relay_buf))
			break;
		struct virtio_net_hdr vh;
		memcpy(&vh, relay_buf, sizeof(vh));
		uint64_t now = loop_now_ns();
		relay_dir_expire(d, now);
		relay_dir_input(d, now, &vh, relay_buf + sizeof(vh), (size_t)n - sizeof(vh));
	}
	relay_timer_arm(s);
}

/*
 * Out of the path: a fresh socket in place of each. Binding the old one to protocol 0
 * would not do: packet_bind() reads protocol 0 as "keep the current one", so it would
 * go on queueing every frame of the port (up to its buffer), and the next time the
 * port went into the path the relay would send that backlog on, seconds late.
 */
static int relay_port_deactivate(struct relay_port *p)
{
	int fd[2] = {relay_sock_open(p->ifindex[0]), relay_sock_open(p->ifindex[1])};
	if (fd[0] == -1 || fd[1] == -1) {
		int e = errno;
		for (int i = 0; i < 2; i++)
			if (fd[i] != -1)
				close(fd[i]);
		return errno = e, -1;
	}
	for (int i = 0; i < 2; i++) {
		(void)loop_fd_del(relay_loop, p->fd[i]);
		close(p->fd[i]);
		p->fd[i] = fd[i];
		relay_dir_flush(&p->dir[i]);
		loop_timer_cancel(relay_loop, &p->side[i].timer);
	}
	p->active = false;
	return 0;
}

/* Into the path (both sockets bound to every protocol) or out of it. */
static int relay_port_activate(struct relay_port *p, bool on)
{
	if (p->active == on)
		return 0;
	if (!on)
		return relay_port_deactivate(p);
	for (int i = 0; i < 2; i++)
		if (relay_bind(p->fd[i], p->ifindex[i], ETH_P_ALL) == -1 ||
		    loop_fd_add(relay_loop, p->fd[i], EPOLLIN, relay_on_frames, &p->side[i]) == -1)
			return -1;
	p->active = true;
	return 0;
}

static int relay_port_declare(struct relay_port *p, const struct relay_msg *m)
{
	if (p->declared)
		return errno = EEXIST, -1;
	for (int i = 0; i < 2; i++) {
		p->ifindex[i] = i == RELAY_OUT ? m->port_ifindex : m->relay_ifindex;
		p->fd[i] = relay_sock_open(p->ifindex[i]);
		if (p->fd[i] == -1)
			return -1;
		relay_dir_init(&p->dir[i], loop_now_ns(), relay_out, p);
		p->side[i] = (struct relay_side){.port = p, .dir = i};
		loop_timer_init(&p->side[i].timer, relay_on_timer, &p->side[i]);
	}
	p->declared = true;
	return 0;
}

/*
 * Real-time (SCHED_FIFO) while some port holds frames for a time (delay, rate,
 * reorder): then the relay's timers are what is measured, and an ordinary task waits
 * behind the host's other work for milliseconds (BENCHMARKS.md, fl-relay). Ordinary
 * otherwise: a woken real-time task is not placed next to its waker, and on the
 * bench that made a frame which only passes through several times slower. While
 * real-time, a flood through the relay can hold one CPU (the kernel leaves ordinary
 * tasks a few percent of it). Best effort: without the privilege nothing changes.
 */
static void relay_sched_update(void)
{
	static int cur = SCHED_OTHER;
	int want = SCHED_OTHER;
	for (int i = 0; i < RELAY_PORTS_MAX; i++)
		for (int d = 0; relay_ports[i].declared && d < 2; d++) {
			const struct relay_effect *fx = relay_ports[i].dir[d].fx;
			if (fx[RELAY_FX_DELAY].on || fx[RELAY_FX_RATE].on ||
			    fx[RELAY_FX_REORDER].on)
				want = SCHED_FIFO;
		}
	struct sched_param sp = {.sched_priority = want == SCHED_FIFO ? 10 : 0};
	if (want != cur && sched_setscheduler(0, want | SCHED_RESET_ON_FORK, &sp) == 0)
		cur = want;
}

static int relay_port_set(struct relay_port *p, const struct relay_msg *m)
{
	if (!p->declared)
		return errno = ENOENT, -1;
	for (int i = 0; i < 2; i++)
		relay_dir_set(&p->dir[i], m->fx[i], m->seed * 2 + (uint64_t)i + 1);
	relay_sched_update();
	bool idle = relay_dir_idle(&p->dir[0]) && relay_dir_idle(&p->dir[1]);
	if (!idle)
		return relay_port_activate(p, true);
	for (int i = 0; i < 2; i++) {
		relay_dir_release(&p->dir[i]);
		loop_timer_cancel(relay_loop, &p->side[i].timer);
	}
	return 0;
}

static int relay_port_unbind(struct relay_port *p)
{
	if (!p->declared)
		return errno = ENOENT, -1;
	if (!relay_dir_idle(&p->dir[0]) || !relay_dir_idle(&p->dir[1]))
		return errno = EBUSY, -1;
	return relay_port_activate(p, false);
}

static void relay_on_ctl(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct relay_msg m;
	struct relay_reply r = {0};
	(void)arg;
	(void)events;
	ssize_t n = recv(fd, &m, sizeof(m), 0);
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
		loop_stop(loop); /* faultline is gone */
		return;
	}
	if (n != (ssize_t)sizeof(m) || m.port >= RELAY_PORTS_MAX) {
		r.err = EINVAL;
		snprintf(r.text, sizeof(r.text), "bad control message (%zd bytes)", n);
	} else {
		struct relay_port *p = &relay_ports[m.port];
		int rc = m.op == RELAY_OP_PORT	   ? relay_port_declare(p, &m)
			 : m.op == RELAY_OP_SET	   ? relay_port_set(p, &m)
			 : m.op == RELAY_OP_UNBIND ? relay_port_unbind(p)
			 : m.op == RELAY_OP_STATS  ? 0
						   : (errno = EINVAL, -1);
		if (rc == -1) {
			r.err = errno;
			snprintf(r.text, sizeof(r.text), "port %u: %s", m.port, strerror(errno));
		}
		r.stats[0] = p->dir[0].st;
		r.stats[1] = p->dir[1].st;
	}
	if (send(fd, &r, sizeof(r), MSG_NOSIGNAL) == -1)
		loop_stop(loop);
}

int main(int argc, char **argv)
{
	int ctl = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ctl") && i + 1 < argc)
			ctl = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: fl-relay --ctl FD\n"
			       "faultline's frame relay; faultline starts it, people do not.\n");
			return 0;
		}
	}
	if (ctl < 0) {
		fprintf(stderr, "fl-relay: --ctl FD is required (faultline starts me)\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	relay_loop = loop_new();
	if (!relay_loop || loop_fd_add(relay_loop, ctl, EPOLLIN, relay_on_ctl, NULL) == -1) {
		fprintf(stderr, "fl-relay: event loop: %s\n", strerror(errno));
		return 1;
	}
	int rc = loop_run(relay_loop);
	for (int i = 0; i < RELAY_PORTS_MAX; i++)
		if (relay_ports[i].declared) {
			relay_dir_flush(&relay_ports[i].dir[0]);
			relay_dir_flush(&relay_ports[i].dir[1]);
			close(relay_ports[i].fd[0]);
			close(relay_ports[i].fd[1]);
		}
	loop_free(relay_loop);
	return rc == -1 ? 1 : 0;
}
