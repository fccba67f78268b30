/*
 * vrrp_fsm.c - RFC 5798 6.4 state machine plus the `ha safe` rules (see vrrp_fsm.h).
 *
 * Invariants: the VIP is added only on entering Master and removed on every way out of
 * it (before any advert is sent when the exit is a stall); in Master the Adver_Timer is
 * armed and the Master_Down_Timer is not, in Backup the reverse, in Initialize neither;
 * only a Master sends an advert with a priority above 0, a gratuitous ARP or an ARP
 * reply (a safe-mode Backup asks with a handoff request, which claims nothing).
 */
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"

#include <stddef.h>

#define US_PER_CS 10000u

static const char *const state_names[] = {"init", "backup", "master"};

const char *vrrp_state_name(enum vrrp_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "?";
}

uint64_t vrrp_skew_us(uint8_t prio, uint16_t adver_cs)
{
	return (uint64_t)(256 - prio) * adver_cs * US_PER_CS / 256;
}

uint64_t vrrp_master_down_us(uint8_t prio, uint16_t adver_cs)
{
	return 3ull * adver_cs * US_PER_CS + vrrp_skew_us(prio, adver_cs);
}

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_cfg *c)
{
	f->state = VRRP_STATE_INIT;
	f->master_adver_cs = c->adver_cs;
	f->healthy = true;
	f->last_wake_ns = 0;
	f->preempt_since_ns = 0;
	f->prev_wake_ns = 0;
	f->sent_ns = 0;
	f->wake_adverts = 0;
	f->lower_adver_cs = 0;
}

uint8_t vrrp_fsm_prio(const struct vrrp_fsm *f, const struct vrrp_cfg *c)
{
	if (!f->healthy && c->sick_prio < c->prio)
		return c->sick_prio ? c->sick_prio : 1;
	return c->prio;
}

uint64_t vrrp_fsm_master_down_us(const struct vrrp_fsm *f, const struct vrrp_cfg *c)
{
	return vrrp_master_down_us(vrrp_fsm_prio(f, c), f->master_adver_cs);
}

static void act(struct vrrp_out *o, enum vrrp_act_type t, uint8_t prio, uint64_t us)
{
	if (o->n >= VRRP_ACT_MAX)
		return; /* cannot happen: no transition emits more than VRRP_ACT_MAX */
	o->a[o->n++] = (struct vrrp_action){.type = t, .prio = prio, .us = us};
}

static void set_state(struct vrrp_fsm *f, struct vrrp_out *o, enum vrrp_state to,
		      const char *reason)
{
	struct vrrp_action *a;

	act(o, VRRP_ACT_STATE, 0, 0);
	a = &o->a[o->n - 1];
	a->from = f->state;
	a->to = to;
	a->reason = reason;
	f->state = to;
}

static void become_master(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o,
			  const char *reason)
{
	act(o, VRRP_ACT_CANCEL_MDOWN, 0, 0);
	act(o, VRRP_ACT_VIP_ADD, 0, 0);
	act(o, VRRP_ACT_SEND_ADVERT, vrrp_fsm_prio(f, c), 0);
	act(o, VRRP_ACT_GARP, 0, 0);
	act(o, VRRP_ACT_ARM_ADVER, 0, (uint64_t)c->adver_cs * US_PER_CS);
	set_state(f, o, VRRP_STATE_MASTER, reason);
}

/* Master's way out: the VIP goes first, so nothing is sent while we still hold it. */
static void leave_master(struct vrrp_out *o)
{
	act(o, VRRP_ACT_VIP_DEL, 0, 0);
	act(o, VRRP_ACT_CANCEL_ADVER, 0, 0);
}

/* Enter Backup; @mai: the Master_Adver_Interval to learn (0 keeps the current one). */
static void become_backup(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o,
			  uint16_t mai, const char *reason)
{
	if (mai)
		f->master_adver_cs = mai;
	f->preempt_since_ns = 0;
	f->wake_adverts = 0;
	act(o, VRRP_ACT_ARM_MDOWN, 0, vrrp_fsm_master_down_us(f, c));
	set_state(f, o, VRRP_STATE_BACKUP, reason);
}

/* RFC 5798 6.4.1 */
static void on_startup(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o)
{
	if (f->state != VRRP_STATE_INIT)
		return;
	if (vrrp_fsm_prio(f, c) == VRRP_PRIO_OWNER) {
		become_master(f, c, o, "owner");
		return;
	}
	become_backup(f, c, o, c->adver_cs, "startup");
}

static void on_shutdown(struct vrrp_fsm *f, struct vrrp_out *o)
{
	if (f->state == VRRP_STATE_BACKUP) {
		act(o, VRRP_ACT_CANCEL_MDOWN, 0, 0);
	} else if (f->state == VRRP_STATE_MASTER) {
		leave_master(o);
		act(o, VRRP_ACT_SEND_ADVERT, 0, 0); /* priority 0: RFC 5798 6.4.3 */
	} else {
		return;
	}
	set_state(f, o, VRRP_STATE_INIT, "shutdown");
}

/* Does a Backup running at @prio let the master-down timer run out on this advert? */
static bool backup_discards(struct vrrp_fsm *f, const struct vrrp_cfg *c,
			    const struct vrrp_event *ev, uint64_t now)
{
	if (!c->preempt || ev->prio >= vrrp_fsm_prio(f, c)) {
		f->preempt_since_ns = 0;
		return false;
	}
	if (!c->safe || !c->preempt_delay_ms)
		return true;
	if (!f->preempt_since_ns)
		f->preempt_since_ns = now ? now : 1;
	return now - f->preempt_since_ns >= (uint64_t)c->preempt_delay_ms * 1000000u;
}

/* RFC 5798 6.4.2, "If an ADVERTISEMENT is received" */
static void backup_advert(struct vrrp_fsm *f, const struct vrrp_cfg *c,
			  const struct vrrp_event *ev, uint64_t now, struct vrrp_out *o)
{
	if (ev->prio == VRRP_PRIO_STOP) {
		act(o, VRRP_ACT_ARM_MDOWN, 0, vrrp_skew_us(vrrp_fsm_prio(f, c), f->master_adver_cs));
		return;
	}
	if (backup_discards(f, c, ev, now)) {
		if (!c->safe)
			return; /* RFC: discard, the master-down timer runs out */
		/* Safe preemption asks instead of grabbing, and not with an advert (that
		 * would be a second claim of the VIP on the wire): the master removes the
		 * VIP, says priority 0, and we take over after our skew time. */
		act(o, VRRP_ACT_SEND_HANDOFF, vrrp_fsm_prio(f, c), 0);
	}
	f->master_adver_cs = ev->adver_cs;
	act(o, VRRP_ACT_ARM_MDOWN, 0, vrrp_fsm_master_down_us(f, c));
}

/* Does the sender of @ev win against us (RFC 5798 6.4.3: priority, then address)? */
static bool peer_wins(const struct vrrp_fsm *f, const struct vrrp_cfg *c,
		      const struct vrrp_event *ev)
{
	uint8_t mine = vrrp_fsm_prio(f, c);

	if (ev->prio != mine)
		return ev->prio > mine;
	return ntohl(ev->src.s_addr) > ntohl(c->primary.s_addr);
}

/*
 * Were we stopped with our clocks (a frozen guest)? The adverts of this wake-up arrived
 * since the previous one, one copy per heartbeat network; (rounds - 1) of the peer's
 * intervals cannot fit in less time, half an interval of jitter allowed. A namespace
 * stall never gets here: its monotonic gap is seen first (on_wake).
 */
static bool frozen_burst(const struct vrrp_fsm *f, const struct vrrp_cfg *c, uint64_t now)
{
	uint64_t adver_ns = (uint64_t)f->lower_adver_cs * US_PER_CS * 1000u;
	uint64_t nets = c->nets ? c->nets : 1;

	if (!f->prev_wake_ns || now < f->prev_wake_ns || f->wake_adverts <= nets)
		return false;
	return (f->wake_adverts - nets) * adver_ns > nets * (now - f->prev_wake_ns + adver_ns / 2);
}

/* RFC 5798 6.4.3, "If an ADVERTISEMENT is received" */
static void master_advert(struct vrrp_fsm *f, const struct vrrp_cfg *c,
			  const struct vrrp_event *ev, struct vrrp_out *o)
{
	uint64_t adver_us = (uint64_t)c->adver_cs * US_PER_CS;

	if (ev->prio == VRRP_PRIO_STOP) {
		act(o, VRRP_ACT_SEND_ADVERT, vrrp_fsm_prio(f, c), 0);
		if (c->safe) /* a peer that was master too left: bring the clients back */
			act(o, VRRP_ACT_GARP, 0, 0);
		act(o, VRRP_ACT_ARM_ADVER, 0, adver_us);
		return;
	}
	if (peer_wins(f, c, ev)) {
		leave_master(o);
		if (c->safe) /* released: the winner need not wait a master-down interval */
			act(o, VRRP_ACT_SEND_ADVERT, VRRP_PRIO_STOP, 0);
		become_backup(f, c, o, ev->adver_cs, "higher-priority");
		return;
	}
	if (!c->safe)
		return; /* RFC: discard */
	/* A lower-priority master exists: it went master because it missed us for a whole
	 * Master_Down_Interval, and it claims the VIP now. Decide once the batch is read. */
	f->wake_adverts++;
	f->lower_adver_cs = ev->adver_cs;
}

/*
 * All adverts of this wake-up were fed. A master that heard a lower-priority master
 * never claims again over it (any new claim would overlap the peer's, which is active):
 *  - a burst of its adverts says we were stopped and it has held the VIP meanwhile:
 *    leave it the VIP without a word;
 *  - else both claimed at once (a heartbeat partition healed): release with priority 0,
 *    which ends our claim at once; the peer answers it with an advert and a gratuitous
 *    ARP (master_advert), and preemption brings the VIP back later through a handoff.
 */
static void on_drained(struct vrrp_fsm *f, const struct vrrp_cfg *c, uint64_t now,
		       struct vrrp_out *o)
{
	bool heard = f->wake_adverts > 0;

	if (!heard || f->state != VRRP_STATE_MASTER)
		return;
	leave_master(o);
	if (frozen_burst(f, c, now)) {
		become_backup(f, c, o, f->lower_adver_cs, "frozen");
		return;
	}
	act(o, VRRP_ACT_SEND_ADVERT, VRRP_PRIO_STOP, 0);
	become_backup(f, c, o, f->lower_adver_cs, "dual-master");
}

/* A peer asks for the VIP (safe preemption): release it if the peer wins. */
static void on_handoff(struct vrrp_fsm *f, const struct vrrp_cfg *c,
		       const struct vrrp_event *ev, struct vrrp_out *o)
{
	if (!c->safe || f->state != VRRP_STATE_MASTER || !ev->prio || !peer_wins(f, c, ev))
		return;
	leave_master(o);
	act(o, VRRP_ACT_SEND_ADVERT, VRRP_PRIO_STOP, 0); /* the asker takes over in Skew_Time */
	become_backup(f, c, o, 0, "handoff");
}

/* Only a master answers for the VIP; the advert going with the reply restarts every
 * peer's Master_Down_Timer, so no claim of ours outlives what a peer waits. */
static void on_arp_req(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o)
{
	if (!c->safe || f->state != VRRP_STATE_MASTER)
		return;
	act(o, VRRP_ACT_ARP_REPLY, 0, 0);
	act(o, VRRP_ACT_SEND_ADVERT, vrrp_fsm_prio(f, c), 0);
	act(o, VRRP_ACT_ARM_ADVER, 0, (uint64_t)c->adver_cs * US_PER_CS);
}

static void on_health(struct vrrp_fsm *f, const struct vrrp_cfg *c,
		      const struct vrrp_event *ev, struct vrrp_out *o)
{
	if (f->healthy == ev->healthy)
		return;
	f->healthy = ev->healthy;
	if (f->state != VRRP_STATE_MASTER || f->healthy || !c->safe)
		return;
	/* A master that cannot serve hands over at once: priority 0 makes the peer take
	 * over after its skew time instead of a whole master-down interval. */
	leave_master(o);
	act(o, VRRP_ACT_SEND_ADVERT, 0, 0);
	become_backup(f, c, o, 0, "unhealthy");
}

static void on_wake(struct vrrp_fsm *f, const struct vrrp_cfg *c, uint64_t now,
		    struct vrrp_out *o)
{
	uint64_t last = f->last_wake_ns;
	uint64_t quiet_us = 3ull * c->adver_cs * US_PER_CS; /* the least a peer waits */

	f->prev_wake_ns = last;
	f->last_wake_ns = now;
	f->wake_adverts = 0;
	if (!c->safe || f->state == VRRP_STATE_INIT || !last || now < last)
		return;
	if (f->state == VRRP_STATE_MASTER) {
		if (!f->sent_ns || now < f->sent_ns || (now - f->sent_ns) / 1000 <= quiet_us)
			return;
		/* Silent longer than any peer waits (RFC 5798 6.1: 3 x Master_Adver_Interval
		 * + a skew): it may hold the VIP now. Drop it before anything goes out,
		 * then let the adverts decide. */
		leave_master(o);
		become_backup(f, c, o, 0, "stall");
		o->a[o->n - 1].us = (now - f->sent_ns) / 1000; /* the state change: how long */
		return;
	}
	if ((now - last) / 1000 <= vrrp_master_down_us(vrrp_fsm_prio(f, c), c->adver_cs))
		return;
	/* A frozen backup missed the adverts, not the master: its overdue timer says
	 * nothing. Listen for a whole interval again before claiming anything. */
	act(o, VRRP_ACT_ARM_MDOWN, 0, vrrp_fsm_master_down_us(f, c));
}

int vrrp_fsm_step(struct vrrp_fsm *f, const struct vrrp_cfg *c, const struct vrrp_event *ev,
		  uint64_t now_ns, struct vrrp_out *out)
{
	out->n = 0;
	switch (ev->type) {
	case VRRP_EV_STARTUP:
		on_startup(f, c, out);
		break;
	case VRRP_EV_SHUTDOWN:
		on_shutdown(f, out);
		break;
	case VRRP_EV_ADVERT:
		if (f->state == VRRP_STATE_BACKUP)
			backup_advert(f, c, ev, now_ns, out);
		else if (f->state == VRRP_STATE_MASTER)
			master_advert(f, c, ev, out);
		break;
	case VRRP_EV_MASTER_DOWN:
		if (f->state == VRRP_STATE_BACKUP)
			become_master(f, c, out, "master-down");
		break;
	case VRRP_EV_ADVER_TIMER:
		if (f->state == VRRP_STATE_MASTER) {
			act(out, VRRP_ACT_SEND_ADVERT, vrrp_fsm_prio(f, c), 0);
			act(out, VRRP_ACT_ARM_ADVER, 0, (uint64_t)c->adver_cs * US_PER_CS);
		}
		break;
	case VRRP_EV_HEALTH:
		on_health(f, c, ev, out);
		break;
	case VRRP_EV_WAKE:
		on_wake(f, c, now_ns, out);
		break;
	case VRRP_EV_DRAINED:
		on_drained(f, c, now_ns, out);
		break;
	case VRRP_EV_HANDOFF:
		on_handoff(f, c, ev, out);
		break;
	case VRRP_EV_ARP_REQ:
		on_arp_req(f, c, out);
		break;
	}
	/* Our silence is measured from the last advert that claimed the VIP. */
	for (int i = 0; i < out->n; i++)
		if (out->a[i].type == VRRP_ACT_SEND_ADVERT && out->a[i].prio)
			f->sent_ns = now_ns ? now_ns : 1;
	return out->n;
}
