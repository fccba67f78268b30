/*
 * relay_wheel.h - the timer wheel fl-relay holds frames on: RELAY_WHEEL_SLOTS slots of
 * 2^RELAY_WHEEL_SHIFT ns (65.5 us; one turn is 268 ms). An entry goes to the slot of its
 * due time; entries due a turn or more later wait in the same slot for their turn.
 * Entries due at the same time leave in the order they were added, so a fixed delay
 * keeps frames in order; a bitmap of non-empty slots finds the next one quickly.
 *
 * The wheel does not own its entries: the caller allocates them (the frame follows the
 * header) and gets each back from relay_wheel_expire() once it is due.
 */
#ifndef FL_RELAY_WHEEL_H
#define FL_RELAY_WHEEL_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_WHEEL_SHIFT 16
#define RELAY_WHEEL_SLOTS 4096

struct relay_entry {
	struct relay_entry *next;
	uint64_t due; /* ns, CLOCK_MONOTONIC */
	uint64_t seq; /* order of addition, set by the wheel */
};

struct relay_slot {
	struct relay_entry *head, *tail;
};

struct relay_wheel {
	uint64_t cursor; /* the slot number (time >> shift) expired up to, inclusive */
	uint64_t seq;
	size_t n; /* entries held */
	uint64_t bits[RELAY_WHEEL_SLOTS / 64];
	struct relay_slot slot[RELAY_WHEEL_SLOTS];
};

/* An empty wheel whose clock starts at @now. */
void relay_wheel_init(struct relay_wheel *w, uint64_t now);
/* Hold @e until @due (a due time already past leaves at the next expiry). */
void relay_wheel_add(struct relay_wheel *w, struct relay_entry *e, uint64_t due);
/* The earliest due time held, or UINT64_MAX when empty. */
uint64_t relay_wheel_next(const struct relay_wheel *w);
/*
 * Hand every entry due at or before @now to @fn, in due order (ties in order of
 * addition); @fn may add entries (due later than @now). Returns how many left.
 */
size_t relay_wheel_expire(struct relay_wheel *w, uint64_t now,
			  void (*fn)(struct relay_entry *e, void *arg), void *arg);
/* Hand every entry held to @fn whatever its due time (to free them). */
void relay_wheel_drain(struct relay_wheel *w, void (*fn)(struct relay_entry *e, void *arg),
		       void *arg);

#endif
