/*
 * vrrp_fsm.h - the VRRPv3 state machine (RFC 5798 section 6.4, RFC 9568) with the
 * `ha safe` additions, as a pure function: (state, event, config, now) -> (state,
 * actions). No I/O, no clock reads: the caller (vrrp_node.c) executes the actions in
 * the order given and owns the two timers (Adver_Timer, Master_Down_Timer).
 *
 * `ha safe` rules (DESIGN.md 6):
 *  - own health: while unhealthy the member runs at cfg->sick_prio; a master that
 *    becomes unhealthy hands over at once (priority-0 advert, VIP removed, Backup);
 *  - stall self-detection: a VRRP_EV_WAKE whose time is more than Master_Down_Interval
 *    after the previous one demotes a master to Backup, removing the VIP before
 *    anything is sent; the same gap seen by a Backup restarts its Master_Down_Timer
 *    (its overdue timer only says it missed the adverts while frozen);
 *  - preemption delay: a higher-priority Backup accepts a lower-priority master for
 *    cfg->preempt_delay_ms; then it asks (sends its own advert, still Backup) and takes
 *    over only once the master released (priority 0) or went silent;
 *  - a master stepping down for a better peer removes the VIP, then says so with a
 *    priority-0 advert;
 *  - re-announcement: a master that wins a dual-master encounter re-sends its advert
 *    and a gratuitous ARP at once;
 *  - cfg->mdown_floor_us raises the 3 x Master_Adver_Interval part of
 *    Master_Down_Interval (so a frozen master's VIP lease expires before the peer claims
 *    the address); the skew stays on top to keep the priority order.
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
	VRRP_ACT_STATE, /* from, to, reason */
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
	uint64_t mdown_floor_us;   /* safe: lower bound of 3 x Master_Adver_Interval */
	struct in_addr primary;	   /* our primary address, for the tie-break */
};

struct vrrp_fsm {
	enum vrrp_state state;
	uint16_t master_adver_cs; /* Master_Adver_Interval (RFC 5798 6.1) */
	bool healthy;
	uint64_t last_wake_ns;	   /* 0 = none yet */
	uint64_t preempt_since_ns; /* first lower-priority advert seen as Backup, 0 = none */
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

/* Master_Down_Interval the machine arms now (RFC value; safe: floor + skew if larger). */
uint64_t vrrp_fsm_master_down_us(const struct vrrp_fsm *f, const struct vrrp_cfg *c);

const char *vrrp_state_name(enum vrrp_state s);

#endif
