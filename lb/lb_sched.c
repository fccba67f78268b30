/*
 * lb_sched.c - round-robin and least-connections (see lb_sched.h). O(n) per pick: n is
 * at most LB_MAX_BACKENDS, and a scan beats keeping a heap in sync with every close.
 */
#include "lb_sched.h"

static bool eligible(const struct lb_sched_item *it, int i, uint64_t exclude)
{
	return it[i].up && !(exclude >> i & 1);
}

int lb_sched_pick(struct lb_sched *s, const struct lb_sched_item *items, int n,
		  uint64_t exclude)
{
	int best = -1;

	if (n <= 0 || n > LB_MAX_BACKENDS)
		return -1;
	for (int k = 0; k < n; k++) {
		int i = (int)((s->next + (unsigned)k) % (unsigned)n);

		if (!eligible(items, i, exclude))
			continue;
		if (s->mode != LB_BALANCE_LEASTCONN) {
			best = i;
			break;
		}
		if (best < 0 || items[i].conns < items[best].conns)
			best = i;
	}
	if (best >= 0)
		s->next = (unsigned)best + 1;
	return best;
}
