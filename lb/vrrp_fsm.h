/*
 * vrrp_fsm.h - the VRRPv3 state machine (RFC 5798 section 6.4, RFC 9568) with the
 * `ha safe` additions, as a pure function: (state, event, config, now) -> (state,
 * actions). No I/O, no clock reads: the caller (vrrp_node.c) executes the actions in
 * the order given and owns the two timers (Adver_Timer, Master_Down_Timer).
 *
 * `ha safe` rules (DESIGN.md 6):
 *  - own health: while unhealthy the member runs at cfg->sick_prio; a master that
 *    becomes unhealthy hands over at once (priority-0 advert, VIP removed, Backup);
 *  - the VIP is announced by fl-lb alone (the caller keeps the kernel from answering
 *    ARP for it): a master answers each ARP request for the VIP (VRRP_EV_ARP_REQ) and
 *    sends an advert with the reply, so the last claim a peer could see is always an
 *    advert that restarted the peer's Master_Down_Timer; a frozen or dead member is
 *    silent on the wire at once, and the RFC Master_Down_Interval is all a peer waits;
 *  - stall self-detection: a master that finds it has not sent an advert for more than
 *    3 x Advertisement_Interval (the least any peer waits before claiming) demotes to
 *    Backup, removing the VIP, before anything is sent; a Backup whose wake-ups are more
 *    than Master_Down_Interval apart restarts its Master_Down_Timer (its overdue timer
 *    only says it missed the adverts while frozen);
 *  - the caller feeds every advert queued at a wake-up, then VRRP_EV_DRAINED. A master
 *    that heard a lower-priority master never claims over it (the peer's claim is
 *    active, any new one of ours would overlap it): if it read more of the peer's
 *    adverts than could have arrived since its previous wake-up (they queued while it
 *    was stopped with its clocks: a frozen guest cannot see its stall) it demotes
 *    silently ("frozen"); else it releases with priority 0 ("dual-master"). The master
 *    that stays answers a priority 0 with an advert and a gratuitous ARP;
 *  - preemption delay and clean handoff: a higher-priority Backup accepts a lower-
 *    priority master for cfg->preempt_delay_ms; then it asks for the VIP with a handoff
 *    request (VRRP_ACT_SEND_HANDOFF, not an advert: a backup never claims on the wire)
 *    and takes over once the master released (priority 0 -> Skew_Time) or went silent;
 *  - a master stepping down (for a better peer or on a handoff request) removes the
 *    VIP, then says so with a priority-0 advert.
 * Adverts on every heartbeat network are the caller's job; to this machine every
 * received advert, on whichever network, is the same event.
 */
#ifndef FL_VRRP_FSM_H
#define FL_VRRP_FSM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum vrrp_state {
	VRRP_STATE_INIT = 0, /* RFC 5798 6.4.1 Initialize */
	VRRP_STATE_BACKUP,   /* 6.4.2 */
	VRRP_STATE_MASTER,   /* 6.4.3 */
};

enum vrrp_ev_type {
	VRRP_EV_STARTUP = 1,
	VRRP_EV_SHUTDOWN,
	VRRP_EV_ADVERT,	     /* prio, adver_cs, src */
	VRRP_EV_MASTER_DOWN, /* Master_Down_Timer fired */
	VRRP_EV_ADVER_TIMER, /* Adver_Timer fired */
	VRRP_EV_HEALTH,	     /* healthy changed */
	VRRP_EV_WAKE,	     /* the event loop woke up (stall detection) */
	VRRP_EV_DRAINED,     /* safe: every queued advert of this wake-up was fed */
	VRRP_EV_HANDOFF,     /* safe: a peer (prio, src) asks for the VIP */
	VRRP_EV_ARP_REQ,     /* safe: an ARP request for the VIP */
};

struct vrrp_event {
	enum vrrp_ev_type type;
	uint8_t prio;
	uint16_t adver_cs;
	struct in_addr src; /* network order */
	bool healthy;
};

enum vrrp_act_type {
	VRRP_ACT_SEND_ADVERT = 1, /* prio: the priority to put in it (0 on shutdown) */
	VRRP_ACT_VIP_ADD,
	VRRP_ACT_VIP_DEL,
	VRRP_ACT_GARP,
	VRRP_ACT_ARM_ADVER, /* us */
	VRRP_ACT_CANCEL_ADVER,
	VRRP_ACT_ARM_MDOWN, /* us */
	VRRP_ACT_CANCEL_MDOWN,
	VRRP_ACT_STATE, /* from, to, reason; us: for "stall", the silence found */
	VRRP_ACT_SEND_HANDOFF, /* prio: ask the master for the VIP */
	VRRP_ACT_ARP_REPLY,    /* answer the ARP request being handled */
};

struct vrrp_action {
	enum vrrp_act_type type;
	uint8_t prio;
	uint64_t us;
	enum vrrp_state from, to;
	const char *reason;
};

#define VRRP_ACT_MAX 10

struct vrrp_out {
	int n;
	struct vrrp_action a[VRRP_ACT_MAX];
};

struct vrrp_cfg {
	uint8_t prio;		   /* 1..255; 255 = address owner (RFC 5798 5.2.4) */
	uint16_t adver_cs;	   /* Advertisement_Interval, centiseconds */
	bool preempt;		   /* Preempt_Mode (RFC 5798 6.1), default true */
	bool safe;		   /* the `ha safe` rules */
	uint32_t preempt_delay_ms; /* safe: how long a returning higher prio waits */
	uint8_t sick_prio;	   /* priority while unhealthy (>= 1) */
	struct in_addr primary;	   /* our primary address, for the tie-break */
	uint8_t nets;		   /* safe: heartbeat networks (copies of each advert), 0 = 1 */
};

struct vrrp_fsm {
	enum vrrp_state state;
	uint16_t master_adver_cs; /* Master_Adver_Interval (RFC 5798 6.1) */
	bool healthy;
	uint64_t last_wake_ns;	   /* 0 = none yet */
	uint64_t preempt_since_ns; /* first lower-priority advert seen as Backup, 0 = none */
	uint64_t prev_wake_ns;	   /* the wake-up before last_wake_ns */
	uint64_t sent_ns;	   /* last advert with priority > 0 we sent, 0 = none */
	unsigned wake_adverts;	   /* lower-priority master adverts since the last wake-up */
	uint16_t lower_adver_cs;   /* their Max Adver Int */
};

/* vrrp_fsm_init - Initialize state, healthy, Master_Adver_Interval = ours. */
void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_cfg *c);

/*
 * vrrp_fsm_step - apply @ev at @now_ns; actions are appended to @out (out->n reset).
 * Returns the number of actions.
 */
int vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_cfg *c, const struct vrrp_event *ev,
		  uint64_t now_ns, struct vrrp_out *out);

/* Effective priority: cfg->prio, or cfg->sick_prio while unhealthy. */
uint8_t vrrp_fsm_prio(const struct vrrp_fsm *f, const struct vrrp_cfg *c);

/* Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 (RFC 5798 6.1), in us. */
uint64_t vrrp_skew_us(uint8_t prio, uint16_t adver_cs);

/* Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (RFC 5798 6.1), in us. */
uint64_t vrrp_master_down_us(uint8_t prio, uint16_t adver_cs);

/* Master_Down_Interval the machine arms now (RFC 5798 6.1 with the learned interval). */
uint64_t vrrp_fsm_master_down_us(const struct vrrp_fsm *f, const struct vrrp_cfg *c);

const char *vrrp_state_name(enum vrrp_state s);

#endif
