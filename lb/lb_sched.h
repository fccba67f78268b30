/*
 * lb_sched.h - backend choice for a new connection: round-robin or least-connections,
 * skipping backends that are down or already tried for this connection. Pure.
 */
#ifndef FL_LB_SCHED_H
#define FL_LB_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define LB_MAX_BACKENDS 64 /* the exclusion set is one 64-bit mask */

enum lb_balance {
	LB_BALANCE_RR = 1,
	LB_BALANCE_LEASTCONN,
};

/* What the scheduler needs to know about one backend. */
struct lb_sched_item {
	bool up;
	unsigned conns; /* connections currently open to it */
};

struct lb_sched {
	enum lb_balance mode;
	unsigned next; /* round-robin cursor; also breaks least-connections ties */
};

/*
 * lb_sched_pick - choose a backend among @items[0..n-1] that is up and whose bit is not
 * set in @exclude. Round-robin takes the next eligible one after the cursor;
 * least-connections the eligible one with the fewest connections, ties going to the
 * first after the cursor. The cursor moves past the choice.
 * Returns the index, or -1 when none is eligible.
 */
int lb_sched_pick(struct lb_sched *s, const struct lb_sched_item *items, int n,
		  uint64_t exclude);

#endif
