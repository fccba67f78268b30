/*
 * relay_wheel.c - the timer wheel of relay_wheel.h. Slot numbers are absolute (time >>
 * RELAY_WHEEL_SHIFT); a slot's index in the array is its number modulo the slot count,
 * so an entry due a turn or more later shares a slot with earlier ones and is skipped
 * until its turn comes.
 */
#include "relay_wheel.h"

#include <string.h>

#define RELAY_WHEEL_MASK (RELAY_WHEEL_SLOTS - 1)

static uint64_t relay_slot_of(uint64_t t)
{
	return t >> RELAY_WHEEL_SHIFT;
}

static void relay_bit_set(struct relay_wheel *w, size_t i, int on)
{
	uint64_t m = 1ULL << (i % 64);
	if (on)
		w->bits[i / 64] |= m;
	else
		w->bits[i / 64] &= ~m;
}

void relay_wheel_init(struct relay_wheel *w, uint64_t now)
{
	memset(w, 0, sizeof(*w));
	w->cursor = relay_slot_of(now);
}

void relay_wheel_add(struct relay_wheel *w, struct relay_entry *e, uint64_t due)
{
	uint64_t s = relay_slot_of(due);
	if (s < w->cursor)
		s = w->cursor;
	size_t i = (size_t)(s & RELAY_WHEEL_MASK);
	struct relay_slot *sl = &w->slot[i];
	e->next = NULL;
	e->due = due;
	e->seq = w->seq++;
	if (sl->tail)
		sl->tail->next = e;
	else
		sl->head = e;
	sl->tail = e;
	relay_bit_set(w, i, 1);
	w->n++;
}

/* The index of the first non-empty slot at or after index @i (wrapping), or -1. */
static long relay_bit_next(const struct relay_wheel *w, size_t i)
{
	for (size_t k = 0; k <= RELAY_WHEEL_SLOTS / 64; k++) {
		size_t word = (i / 64 + k) % (RELAY_WHEEL_SLOTS / 64);
		uint64_t b = w->bits[word];
		if (k == 0)
			b &= ~0ULL << (i % 64);
		if (b)
			return (long)(word * 64 + (size_t)__builtin_ctzll(b));
	}
	return -1;
}

/* The earliest due in slot @i of the turn of absolute slot @abs, or UINT64_MAX. */
static uint64_t relay_slot_min(const struct relay_slot *sl, uint64_t abs)
{
	uint64_t m = UINT64_MAX;
	for (const struct relay_entry *e = sl->head; e; e = e->next)
		if (relay_slot_of(e->due) <= abs && e->due < m)
			m = e->due;
	return m;
}

uint64_t relay_wheel_next(const struct relay_wheel *w)
{
	if (!w->n)
		return UINT64_MAX;
	size_t start = (size_t)(w->cursor & RELAY_WHEEL_MASK);
	for (size_t done = 0; done < RELAY_WHEEL_SLOTS;) {
		long i = relay_bit_next(w, (start + done) & RELAY_WHEEL_MASK);
		if (i < 0)
			break;
		size_t k = ((size_t)i - start) & RELAY_WHEEL_MASK;
		if (k < done)
			break; /* wrapped around to slots already looked at */
		uint64_t m = relay_slot_min(&w->slot[i], w->cursor + k);
		if (m != UINT64_MAX)
			return m;
		done = k + 1;
	}
	/* everything is a turn or more away: the plain minimum */
	uint64_t m = UINT64_MAX;
	for (size_t i = 0; i < RELAY_WHEEL_SLOTS; i++)
		for (const struct relay_entry *e = w->slot[i].head; e; e = e->next)
			if (e->due < m)
				m = e->due;
	return m;
}

/* Hand @sl's entries due at or before @now to @fn, keeping the others in order. */
static size_t relay_slot_expire(struct relay_wheel *w, size_t i, uint64_t now,
				void (*fn)(struct relay_entry *e, void *arg), void *arg)
{
	struct relay_slot *sl = &w->slot[i];
	struct relay_entry **pp = &sl->head, *e, *last = NULL;
	size_t n = 0;
	while ((e = *pp)) {
		if (e->due > now) {
			last = e;
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		w->n--;
		n++;
		fn(e, arg);
	}
	sl->tail = last;
	if (!sl->head)
		relay_bit_set(w, i, 0);
	return n;
}

size_t relay_wheel_expire(struct relay_wheel *w, uint64_t now,
			  void (*fn)(struct relay_entry *e, void *arg), void *arg)
{
	uint64_t to = relay_slot_of(now), n = 0;
	if (to < w->cursor)
		return 0;
	uint64_t span = to - w->cursor + 1;
	if (span > RELAY_WHEEL_SLOTS)
		span = RELAY_WHEEL_SLOTS;
	/* late by more than a turn: start at the oldest slot index still to visit */
	uint64_t from = to + 1 - span;
	for (uint64_t s = from; s <= to && w->n; s++) {
		size_t i = (size_t)(s & RELAY_WHEEL_MASK);
		if (w->bits[i / 64] & (1ULL << (i % 64)))
			n += relay_slot_expire(w, i, now, fn, arg);
	}
	w->cursor = to;
	return (size_t)n;
}

void relay_wheel_drain(struct relay_wheel *w, void (*fn)(struct relay_entry *e, void *arg),
		       void *arg)
{
	for (size_t i = 0; i < RELAY_WHEEL_SLOTS && w->n; i++) {
		struct relay_entry *e = w->slot[i].head, *next;
		for (; e; e = next) {
			next = e->next;
			w->n--;
			fn(e, arg);
		}
		w->slot[i].head = w->slot[i].tail = NULL;
	}
	memset(w->bits, 0, sizeof(w->bits));
}
