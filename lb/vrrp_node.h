/*
 * vrrp_node.h - one VRRP router of fl-lb: the pure state machine (vrrp_fsm.c) wired to
 * the loop's timers and to the wire (vrrp_net.c). It executes the machine's actions in
 * order, feeds it a wake-up event and every queued advert at the start of every
 * callback (stall detection sees a frozen process before it sends anything), and reports what happens through a
 * callback: the program turns those into JSON events.
 */
#ifndef FL_VRRP_NODE_H
#define FL_VRRP_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "vrrp_fsm.h"
#include "vrrp_net.h"
#include "vrrp_oclock.h"

enum vrrp_node_ev_type {
	VRRP_NODE_STATE = 1, /* from, to, reason; silent_us for "stall" */
	VRRP_NODE_VIP,	     /* added (true) or removed */
	VRRP_NODE_MALFORMED, /* reason: a vrrp_reject_name(); iface */
	VRRP_NODE_ERROR,     /* what, err: an action that failed */
	VRRP_NODE_UNSEEN,    /* the outside clock found time that passed unseen */
};

struct vrrp_node_event {
	enum vrrp_node_ev_type type;
	enum vrrp_state from, to;
	const char *reason;
	bool added;
	const char *iface;
	int err;
	const char *text; /* VRRP_NODE_ERROR: the failure's text (the kernel's ext-ack
			     included), "" when there is none beyond err */
	uint64_t unseen_ns; /* VRRP_NODE_UNSEEN: all found so far */
	uint64_t silent_us; /* VRRP_NODE_STATE for "stall": since our last claiming advert */
};

typedef void (*vrrp_node_cb)(void *arg, const struct vrrp_node_event *ev);

struct vrrp_node {
	struct loop *loop;
	struct vrrp_net *net;
	struct vrrp_cfg cfg;
	struct vrrp_fsm fsm;
	int vrid;
	bool all_ifs; /* adverts on every heartbeat interface (ha safe), else the first */
	bool vip_held;
	struct loop_timer adver_t, mdown_t, tick_t;
	struct vrrp_stats stats;
	struct vrrp_arp_req arp_req; /* the ARP request being handled */
	struct vrrp_oclock oclock;   /* ha safe: time that passed unseen (a stopped guest);
					the machine's clock is CLOCK_MONOTONIC + oclock.unseen_ns */
	vrrp_node_cb cb;
	void *arg;
};

/*
 * vrrp_node_start - register the socket and timers on @loop and send the Startup event.
 * @net must be open; @cfg is copied. @oclock: the outside clock's path for `ha safe`
 * (NULL: vrrp_oclock.h's default; "" or "none": none; one that cannot be read: none).
 * Returns 0 or -1 with errno.
 */
int vrrp_node_start(struct vrrp_node *v, struct loop *loop, struct vrrp_net *net,
		    const struct vrrp_cfg *cfg, int vrid, bool all_ifs, const char *oclock,
		    vrrp_node_cb cb, void *arg);

/* vrrp_node_health - tell the machine whether this member can serve. */
void vrrp_node_health(struct vrrp_node *v, bool healthy);

/* vrrp_node_stop - Shutdown event (a master sends priority 0 and drops the VIP), then
 * unregister from the loop. */
void vrrp_node_stop(struct vrrp_node *v);

#endif
