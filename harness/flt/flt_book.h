/*
 * flt_book.h - the composition bookkeeping of overlapping faults, with no I/O: the
 * kinds ask it whether an apply or a revert must touch the kernel, then do the I/O.
 *
 *   struct flt_ref        a reference count with a generation (link down per port,
 *                         stall per node); `link up` cancels every outstanding
 *                         reference by bumping the generation.
 *   struct flt_mtu_stack  the MTU entries of one interface, newest last, over the
 *                         value it had before the first.
 *
 * Pure functions on caller-owned structs; tests/unit/test_flt.c drives them directly.
 */
#ifndef FL_FLT_BOOK_H
#define FL_FLT_BOOK_H

#include <stdbool.h>

struct flt_ref {
	int n;	      /* references held */
	unsigned gen; /* bumped by flt_ref_cancel() */
};

/* No reference is held: the next flt_ref_take() must apply the effect first. */
bool flt_ref_idle(const struct flt_ref *r);
/* One more reference; returns the generation to hand back to flt_ref_drop(). */
unsigned flt_ref_take(struct flt_ref *r);
/*
 * flt_ref_drop - give back a reference taken at generation @gen
 * Returns true when it was the last one (the caller undoes the effect now); false when
 * others remain, when none is held, or when @gen is stale (flt_ref_cancel() ran since:
 * the reference no longer exists and its holder must not undo anything).
 */
bool flt_ref_drop(struct flt_ref *r, unsigned gen);
/* Drop every reference at once (`link up`): later drops of them are no-ops. */
void flt_ref_cancel(struct flt_ref *r);

/* mtu: one entry per applied instance. */
struct flt_mtu_ent {
	int id;
	int mtu;
};

struct flt_mtu_stack {
	int base; /* the value before the first entry (valid while n > 0) */
	struct flt_mtu_ent *v;
	int n, cap;
};

/* Make room for one more entry: 0, or -1 with errno ENOMEM (the stack is unchanged). */
int flt_mtu_reserve(struct flt_mtu_stack *st);
/* Push (@id, @mtu) after a successful flt_mtu_reserve(). */
void flt_mtu_push(struct flt_mtu_stack *st, int id, int mtu);
/* The value the interface has now: the newest entry's, or base. */
int flt_mtu_top(const struct flt_mtu_stack *st);
/*
 * flt_mtu_remove - remove @id's entry, wherever it is in the stack
 * Returns the MTU the interface must be set to now (> 0), or 0 when it keeps its
 * current value (an older entry left, the same value underneath, or @id not there).
 */
int flt_mtu_remove(struct flt_mtu_stack *st, int id);
void flt_mtu_stack_fini(struct flt_mtu_stack *st); /* frees the entries */

#endif
