/*
 * vrrp_node.c - the VRRP router's glue (see vrrp_node.h). Every entry point begins with
 * node_wake(): the machine learns how long the process was away, then reads every
 * advert (and handoff request) queued meanwhile, then the ARP requests, before it
 * handles a timer or sends anything: a member stopped with its clocks (a frozen guest)
 * sees the peer's adverts of the stall before its own overdue timer can speak.
 *
 * The machine's clock is CLOCK_MONOTONIC plus the time the outside clock found unseen
 * (vrrp_oclock.h), read once per wake-up before anything else: to the machine, a
 * stopped guest's stall looks like a frozen process's, and the same rules act on it.
 */
#include "vrrp_node.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

static void emit(struct vrrp_node *v, const struct vrrp_node_event *e)
{
	if (v->cb)
		v->cb(v->arg, e);
}

static void emit_error(struct vrrp_node *v, const char *what)
{
	struct vrrp_node_event e = {.type = VRRP_NODE_ERROR, .reason = what, .err = errno,
				    .text = vrrp_net_error(v->net)};

	emit(v, &e);
}

static void send_advert(struct vrrp_node *v, uint8_t prio)
{
	struct vrrp_pkt p = {.vrid = (uint8_t)v->vrid, .prio = prio, .naddr = 1,
			     .adver_cs = v->cfg.adver_cs};
	int n = v->all_ifs ? v->net->nifs : 1;

	p.addrs[0] = v->net->vip;
	/* Renew the VIP lease with each advert: a frozen or dead fl-lb loses the address
	 * by itself once the lease runs out. */
	if (v->vip_held && prio && v->net->lease_s && vrrp_vip_add(v->net) < 0)
		emit_error(v, "vip-renew");
	for (int i = 0; i < n; i++)
		vrrp_net_send(v->net, i, &p); /* a down heartbeat link is expected: ignore */
}

static void vip_set(struct vrrp_node *v, bool add)
{
	struct vrrp_node_event e = {.type = VRRP_NODE_VIP, .added = add};

	if ((add ? vrrp_vip_add(v->net) : vrrp_vip_del(v->net)) < 0) {
		emit_error(v, add ? "vip-add" : "vip-del");
		if (add)
			return;
	}
	v->vip_held = add;
	emit(v, &e);
}

static void send_handoff(struct vrrp_node *v, uint8_t prio)
{
	for (int i = 0; i < v->net->nifs; i++)
		vrrp_handoff_send(v->net, i, (uint8_t)v->vrid, prio); /* a down link: ignore */
}

static void arp_reply(struct vrrp_node *v)
{
	if (vrrp_arp_reply(v->net, &v->arp_req) < 0)
		emit_error(v, "arp-reply");
}

static void arm(struct vrrp_node *v, struct loop_timer *t, uint64_t us)
{
	loop_timer_arm(v->loop, t, loop_now_ns() + us * 1000u);
}

static void run(struct vrrp_node *v, const struct vrrp_out *o)
{
	for (int i = 0; i < o->n; i++) {
		const struct vrrp_action *a = &o->a[i];
		struct vrrp_node_event e = {.type = VRRP_NODE_STATE, .from = a->from,
					    .to = a->to, .reason = a->reason,
					    .silent_us = a->type == VRRP_ACT_STATE ? a->us : 0};

		switch (a->type) {
		case VRRP_ACT_SEND_ADVERT: send_advert(v, a->prio); break;
		case VRRP_ACT_VIP_ADD: vip_set(v, true); break;
		case VRRP_ACT_VIP_DEL: vip_set(v, false); break;
		case VRRP_ACT_GARP:
			if (vrrp_garp_send(v->net) < 0)
				emit_error(v, "garp");
			break;
		case VRRP_ACT_ARM_ADVER: arm(v, &v->adver_t, a->us); break;
		case VRRP_ACT_CANCEL_ADVER: loop_timer_cancel(v->loop, &v->adver_t); break;
		case VRRP_ACT_ARM_MDOWN: arm(v, &v->mdown_t, a->us); break;
		case VRRP_ACT_CANCEL_MDOWN: loop_timer_cancel(v->loop, &v->mdown_t); break;
		case VRRP_ACT_STATE: emit(v, &e); break;
		case VRRP_ACT_SEND_HANDOFF: send_handoff(v, a->prio); break;
		case VRRP_ACT_ARP_REPLY: arp_reply(v); break;
		}
	}
}

static void step(struct vrrp_node *v, const struct vrrp_event *ev)
{
	struct vrrp_out o;

	vrrp_fsm_step(&v->fsm, &v->cfg, ev, loop_now_ns() + v->oclock.unseen_ns, &o);
	run(v, &o);
}

static void node_wake(struct vrrp_node *v);

static void on_adver(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct vrrp_node *v = arg;
	struct vrrp_event ev = {.type = VRRP_EV_ADVER_TIMER};

	(void)loop;
	node_wake(v);
	if (loop_timer_is_armed(t))
		return; /* an advert the wake-up sent (with an ARP reply...) re-armed it */
	step(v, &ev);
}

static void on_mdown(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct vrrp_node *v = arg;
	struct vrrp_event ev = {.type = VRRP_EV_MASTER_DOWN};

	(void)loop;
	node_wake(v);
	if (loop_timer_is_armed(t))
		return; /* the wake-up found a stall and restarted the wait */
	step(v, &ev);
}

/* The loop wakes at least once per advert interval, so a long gap means a stall. */
static void on_tick(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct vrrp_node *v = arg;

	(void)loop;
	node_wake(v);
	arm(v, t, (uint64_t)v->cfg.adver_cs * 10000u);
}

static bool worth_reporting(uint64_t count)
{
	return (count & (count - 1)) == 0; /* 1, 2, 4, 8 ...: a flood stays a trickle */
}

#define DRAIN_MAX 256 /* frames per socket and wake-up; a flood waits for the next */

static void drain_adverts(struct vrrp_node *v)
{
	struct vrrp_pkt p;
	struct in_addr src;
	enum vrrp_reject why;
	int iface, r;

	for (int k = 0; k < DRAIN_MAX; k++) {
		r = vrrp_net_recv(v->net, v->vrid, &p, &src, &iface, &why, &v->stats);
		if (r < 0 && errno != ENETDOWN)
			break;
		if (r == 0)
			break;
		if (r < 0)
			continue;
		if (why != VRRP_OK) {
			struct vrrp_node_event e = {.type = VRRP_NODE_MALFORMED,
						    .reason = vrrp_reject_name(why),
						    .iface = v->net->ifs[iface].name};

			if (why != VRRP_REJ_VRID && worth_reporting(v->stats.rejected[why]))
				emit(v, &e);
			continue;
		}
		{
			struct vrrp_event ev = {.type = VRRP_EV_ADVERT, .prio = p.prio,
						.adver_cs = p.adver_cs, .src = src};

			step(v, &ev);
		}
	}
}

static void drain_handoffs(struct vrrp_node *v)
{
	struct vrrp_event ev = {.type = VRRP_EV_HANDOFF};
	int r;

	for (int k = 0; v->net->ho_fd >= 0 && k < DRAIN_MAX; k++) {
		r = vrrp_handoff_recv(v->net, v->vrid, &ev.prio, &ev.src);
		if (r <= 0)
			break;
		if (r == 1)
			step(v, &ev);
	}
}

static void drain_arp(struct vrrp_node *v)
{
	struct vrrp_event ev = {.type = VRRP_EV_ARP_REQ};
	int r;

	for (int k = 0; v->net->arp_fd >= 0 && k < DRAIN_MAX; k++) {
		r = vrrp_arp_recv(v->net, &v->arp_req);
		if (r <= 0)
			break;
		if (r == 1)
			step(v, &ev);
	}
}

/* The stall check, then everything that queued, in the order the machine needs. */
static void node_wake(struct vrrp_node *v)
{
	struct vrrp_event wake = {.type = VRRP_EV_WAKE}, drained = {.type = VRRP_EV_DRAINED};

	if (vrrp_oclock_read(&v->oclock)) {
		struct vrrp_node_event e = {.type = VRRP_NODE_UNSEEN,
					    .unseen_ns = v->oclock.unseen_ns};
		emit(v, &e);
	}
	step(v, &wake);
	drain_adverts(v);
	drain_handoffs(v);
	step(v, &drained);
	drain_arp(v);
}

static void on_packet(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	node_wake(arg);
}

int vrrp_node_start(struct vrrp_node *v, struct loop *loop, struct vrrp_net *net,
		    const struct vrrp_cfg *cfg, int vrid, bool all_ifs, const char *oclock,
		    vrrp_node_cb cb, void *arg)
{
	struct vrrp_event ev = {.type = VRRP_EV_STARTUP};

	memset(v, 0, sizeof(*v));
	vrrp_oclock_off(&v->oclock);
	if (cfg->safe && !(oclock && (!*oclock || !strcmp(oclock, "none"))))
		(void)vrrp_oclock_open(&v->oclock, oclock); /* none readable: none */
	v->loop = loop;
	v->net = net;
	v->cfg = *cfg;
	v->vrid = vrid;
	v->all_ifs = all_ifs;
	v->cb = cb;
	v->arg = arg;
	vrrp_fsm_init(&v->fsm, &v->cfg);
	loop_timer_init(&v->adver_t, on_adver, v);
	loop_timer_init(&v->mdown_t, on_mdown, v);
	loop_timer_init(&v->tick_t, on_tick, v);
	if (loop_fd_add(loop, net->fd, EPOLLIN, on_packet, v) < 0 ||
	    (net->ho_fd >= 0 && loop_fd_add(loop, net->ho_fd, EPOLLIN, on_packet, v) < 0) ||
	    (net->arp_fd >= 0 && loop_fd_add(loop, net->arp_fd, EPOLLIN, on_packet, v) < 0))
		return -1;
	/* A VIP left behind by an earlier run of ours must not outlive our Backup state. */
	vrrp_vip_del(net);
	arm(v, &v->tick_t, (uint64_t)cfg->adver_cs * 10000u);
	node_wake(v);
	step(v, &ev);
	return 0;
}

void vrrp_node_health(struct vrrp_node *v, bool healthy)
{
	struct vrrp_event ev = {.type = VRRP_EV_HEALTH, .healthy = healthy};

	node_wake(v);
	step(v, &ev);
}

void vrrp_node_stop(struct vrrp_node *v)
{
	struct vrrp_event ev = {.type = VRRP_EV_SHUTDOWN};

	step(v, &ev);
	if (v->vip_held)
		vip_set(v, false);
	loop_timer_cancel(v->loop, &v->adver_t);
	loop_timer_cancel(v->loop, &v->mdown_t);
	loop_timer_cancel(v->loop, &v->tick_t);
	vrrp_oclock_close(&v->oclock);
	loop_fd_del(v->loop, v->net->fd);
	if (v->net->ho_fd >= 0)
		loop_fd_del(v->loop, v->net->ho_fd);
	if (v->net->arp_fd >= 0)
		loop_fd_del(v->loop, v->net->arp_fd);
}
