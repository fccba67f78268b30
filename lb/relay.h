/*
 * relay.h - fl-relay's engine: the relayed ports, each with two directions, each
 * direction its effects (relay_proto.h), its timer wheel and counters.
 *
 * A frame read on a direction's input goes through the effects in order: loss drops
 * it, duplicate adds a copy, corrupt flips a bit, delay (and jitter) and rate give it a
 * departure time on the wheel, reorder holds it back until the next frame of that
 * direction has left (at most RELAY_REORDER_MAX_NS). A frame no effect selects is sent
 * at once, so does one when every effect is off. The output is a callback, so the
 * engine runs the same over packet sockets (fl_relay.c) and in the unit tests.
 */
#ifndef FL_RELAY_H
#define FL_RELAY_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay_proto.h"
#include "relay_wheel.h"

#define RELAY_REORDER_MAX_NS (10 * 1000000ULL)

struct relay_dir;
/* Send one frame out of @d; 0, or -1 with errno. */
typedef int (*relay_out_fn)(struct relay_dir *d, const struct virtio_net_hdr *vh,
			    const uint8_t *frame, size_t len, void *arg);

/* One frame held by a direction (on the wheel, or as the reorder hold). */
struct relay_held {
	struct relay_entry e; /* first */
	struct virtio_net_hdr vh;
	uint32_t len;
	uint8_t frame[];
};

struct relay_dir {
	struct relay_effect fx[RELAY_FX_N];
	struct relay_stats st;
	struct relay_wheel wheel;
	uint64_t rng;		 /* xorshift64* state */
	bool gilbert_bad;	 /* loss with bursts: in a loss run */
	uint64_t rate_next;	 /* rate: when the link is free again (ns) */
	size_t bytes_held;	 /* frames on the wheel and the hold */
	struct relay_held *hold; /* reorder: waits for the next frame to leave */
	uint64_t hold_until;
	relay_out_fn out;
	void *out_arg;
};

/* An idle direction (all effects off) sending through @out. */
void relay_dir_init(struct relay_dir *d, uint64_t now, relay_out_fn out, void *arg);
/* Replace the effects; @seed restarts the draws. Frames held stay held. */
void relay_dir_set(struct relay_dir *d, const struct relay_effect fx[RELAY_FX_N], uint64_t seed);
/* Are all effects off? */
bool relay_dir_idle(const struct relay_dir *d);
/* One frame read at @now: through the effects, sent or held. */
void relay_dir_input(struct relay_dir *d, uint64_t now, const struct virtio_net_hdr *vh,
		     const uint8_t *frame, size_t len);
/* Send what is due at @now. */
void relay_dir_expire(struct relay_dir *d, uint64_t now);
/* When relay_dir_expire() has work next (UINT64_MAX: nothing held). */
uint64_t relay_dir_next(const struct relay_dir *d);
/* Send everything held now, in due order (the effects went off). */
void relay_dir_release(struct relay_dir *d);
/* Drop everything held (counted as flushed). */
void relay_dir_flush(struct relay_dir *d);

#endif
