/*
 * node_qemu_clock.c - a guest's CLOCK_MONOTONIC on the host's time base.
 *
 * The offset (host minus guest) is not constant: a guest stopped by QMP stops its
 * clocks, so every stall adds its length to the offset, and an emulated clock may
 * drift. The guest keeps a list of sync points (guest time, offset from then on), in
 * increasing guest time: one at boot (facts.clock_offset_ns, from the quickest of five
 * pings), one just before each stop and one just after each resume, and one whenever
 * a later ping finds the offset moved by more than SYNC_MOVE_NS.
 *
 * Each sync is one agent ping: the host reads its clock when it sends it and when the
 * reply comes (on the loop: nothing waits for it); the midpoint is taken as the instant
 * of the guest's reading (error at most half the round trip).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "node_qemu_int.h"

#define SYNC_TIMEOUT_MS 300
#define SYNC_RTT_MAX_NS (20 * 1000000LL) /* slower pings say little about the offset */
#define SYNC_MOVE_NS	(3 * 1000000LL)

static void sync_push(struct guest *g, int64_t guest_ns, int64_t offset_ns)
{
	if (g->n_sync == GUEST_SYNC_MAX) {
		memmove(&g->sync[0], &g->sync[1], sizeof(g->sync[0]) * (GUEST_SYNC_MAX - 1));
		g->n_sync--;
	}
	g->sync[g->n_sync].guest_ns = guest_ns;
	g->sync[g->n_sync].offset_ns = offset_ns;
	g->n_sync++;
}

/* What a clock ping needs to know when its reply comes. */
struct sync_ping {
	int64_t t1;
	bool always;
	unsigned n_stops; /* the guest's stops when it was sent */
};

static void sync_on_pong(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	struct sync_ping *sp = arg;
	int64_t t2 = ev_now_ns(), rtt = t2 - sp->t1;

	g->syncing = false;
	if (!err && rep->argc >= 1) {
		int64_t guest_ns = strtoll(rep->argv[0], NULL, 10);
		int64_t offset = sp->t1 + rtt / 2 - guest_ns;
		int64_t last = g->n_sync ? g->sync[g->n_sync - 1].offset_ns
					 : g->facts.clock_offset_ns;
		/* a slow pong that a stop overtook says nothing: the guest clock stood still */
		bool stopped = g->n_stops != sp->n_stops && rtt > SYNC_RTT_MAX_NS;

		if (!stopped && (sp->always || (rtt <= SYNC_RTT_MAX_NS &&
						llabs(offset - last) >= SYNC_MOVE_NS)))
			sync_push(g, guest_ns, offset);
	}
	free(sp);
}

int guest_clock_sync(struct guest *g, bool always)
{
	struct sync_ping *sp;

	if (g->stalled) {
		errno = EAGAIN;
		return -1;
	}
	if (g->syncing && !always)
		return 0; /* one ping at a time is enough */
	if (!(sp = malloc(sizeof(*sp))))
		return -1;
	*sp = (struct sync_ping){ev_now_ns(), always, g->n_stops};
	if (guest_agent_send(g, "ping", 0, NULL, NULL, SYNC_TIMEOUT_MS, sync_on_pong, sp) < 0) {
		free(sp);
		return -1;
	}
	g->syncing = true;
	return 0;
}

/* @t + @off without overflow: a guest writes its times itself and may write any
 * number, which then saturates instead of wrapping (undefined behaviour in C). */
static int64_t guest_time_add(int64_t t, int64_t off)
{
	int64_t sum;
	if (__builtin_add_overflow(t, off, &sum))
		return off > 0 ? INT64_MAX : INT64_MIN;
	return sum;
}

int64_t node_qemu_guest_to_host(struct run *r, int node, int64_t guest_ns)
{
	struct guest *g = guest_find(r, node);

	if (!g)
		return guest_ns;
	for (int i = g->n_sync - 1; i >= 0; i--)
		if (guest_ns >= g->sync[i].guest_ns)
			return guest_time_add(guest_ns, g->sync[i].offset_ns);
	return guest_time_add(guest_ns, g->facts.clock_offset_ns);
}
