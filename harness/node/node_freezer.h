/*
 * node_freezer.h - a cgroup v1 freezer set without waiting: write FROZEN or THAWED to
 * the cgroup's freezer.state and read it back once; when it does not read back so yet
 * (FREEZING: a task has not reached the freezer yet; measured with busy processes,
 * see docs/faults.md), check again every NODE_FREEZER_POLL_NS on the run's event loop
 * until it does or the bound passes, and tell the caller then. The netns kind's stall.
 */
#ifndef FL_NODE_FREEZER_H
#define FL_NODE_FREEZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODE_FREEZER_POLL_NS 1000000LL /* 1 ms between checks while it settles */

struct ev_loop;

/* A late outcome: @settled (it reads @state now) after @waited_ns, or not within the
 * bound (@state is what it reads then). */
typedef void node_freezer_fn(void *arg, bool settled, const char *state, int64_t waited_ns);

/* One cgroup's pending check; zeroed = none. */
struct node_freezer {
	struct ev_loop *loop;
	int64_t timer; /* 0: no check pending */
	int64_t t0_ns, bound_ns;
	char path[512];
	const char *want;
	node_freezer_fn *fn;
	void *arg;
};

/*
 * node_freezer_set - write FROZEN (@frozen) or THAWED to @dir/freezer.state and read it
 * back once. When it reads back so: 0 and no @fn call. Else 0 too, and a check on
 * @loop every NODE_FREEZER_POLL_NS calls @fn(@arg, ...) once, when it reads back so or
 * when @bound_ns passed since the write. A pending check of @fz is cancelled first.
 * -1 with errno and @err when the file cannot be written or read.
 */
int node_freezer_set(struct node_freezer *fz, struct ev_loop *loop, const char *dir, bool frozen,
		     int64_t bound_ns, node_freezer_fn *fn, void *arg, char *err, size_t len);
/* Cancel a pending check (@fn is not called). */
void node_freezer_cancel(struct node_freezer *fz);
/* Is a check pending? */
bool node_freezer_pending(const struct node_freezer *fz);

#endif
