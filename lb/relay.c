/*
 * relay.c - one direction of a relayed port (relay.h): the effects on each frame, the
 * frames held on the wheel, the reorder hold.
 *
 * Draws come from a xorshift64* generator per direction, seeded by the caller, so a
 * run's choices follow from its seed and the order frames arrive in. Loss with bursts
 * is the Gilbert model: in the bad state every frame is lost and the state ends with
 * probability 1/burst per frame, so runs last `burst` frames on average; the good state
 * turns bad with the probability that makes the long-run loss the configured one.
 */
#include "relay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relay_frame.h"

static uint64_t relay_rand(struct relay_dir *d)
{
	uint64_t x = d->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	d->rng = x;
	return x * 2685821657736338717ULL;
}

/* True with probability @ppm / 10^6. */
static bool relay_chance(struct relay_dir *d, uint64_t ppm)
{
	return ppm && (ppm >= 1000000 || relay_rand(d) % 1000000 < ppm);
}

void relay_dir_init(struct relay_dir *d, uint64_t now, relay_out_fn out, void *arg)
{
	memset(d, 0, sizeof(*d));
	relay_wheel_init(&d->wheel, now);
	d->rng = 0x9e3779b97f4a7c15ULL;
	d->out = out;
	d->out_arg = arg;
}

void relay_dir_set(struct relay_dir *d, const struct relay_effect fx[RELAY_FX_N], uint64_t seed)
{
	memcpy(d->fx, fx, sizeof(d->fx));
	d->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	d->gilbert_bad = false;
	if (!d->fx[RELAY_FX_RATE].on)
		d->rate_next = 0;
}

bool relay_dir_idle(const struct relay_dir *d)
{
	for (int i = 0; i < RELAY_FX_N; i++)
		if (d->fx[i].on)
			return false;
	return true;
}

/* Does effect @i apply to the frame? */
static bool relay_fx_picks(const struct relay_dir *d, int i, const uint8_t *f, size_t len)
{
	return d->fx[i].on && relay_sel_match(&d->fx[i].sel, f, len);
}

static void relay_send(struct relay_dir *d, const struct virtio_net_hdr *vh, const uint8_t *f,
		       size_t len)
{
	if (d->out(d, vh, f, len, d->out_arg) < 0)
		d->st.send_errors++;
	else
		d->st.sent++;
}

static void relay_held_free(struct relay_dir *d, struct relay_held *h)
{
	d->bytes_held -= h->len;
	free(h);
}

/* A frame has left: the one held back for reordering goes right behind it. */
static void relay_release_hold(struct relay_dir *d)
{
	struct relay_held *h = d->hold;
	if (!h)
		return;
	d->hold = NULL;
	relay_send(d, &h->vh, h->frame, h->len);
	relay_held_free(d, h);
}

/* Send a frame; the one held back goes behind it when reorder selects it too (the
 * held frame is sent after the next one of its own kind, not of any). */
static void relay_send_then_release(struct relay_dir *d, const struct virtio_net_hdr *vh,
				    const uint8_t *f, size_t len)
{
	relay_send(d, vh, f, len);
	if (d->hold && relay_sel_match(&d->fx[RELAY_FX_REORDER].sel, f, len))
		relay_release_hold(d);
}

/*
 * Gilbert (burst given) or independent loss of one selected frame. A run starts with
 * probability p on a frame in the good state and, once in it, every frame is lost and
 * ends it with probability r = 1/burst: runs are geometric with mean burst, and the
 * frames lost in the long run are p / (p + r (1 - p)), the loss asked for when
 * p = loss r / (1 - loss + loss r).
 */
static bool relay_lose(struct relay_dir *d)
{
	const struct relay_effect *fx = &d->fx[RELAY_FX_LOSS];
	if (!fx->a)
		return relay_chance(d, fx->ppm);
	double loss = fx->ppm / 1e6, r = 1000.0 / (double)fx->a;
	if (r > 1)
		r = 1;
	double p = loss >= 1 ? 1 : loss * r / (1 - loss + loss * r);
	if (!d->gilbert_bad && relay_chance(d, (uint64_t)(p * 1e6 + 0.5)))
		d->gilbert_bad = true;
	if (!d->gilbert_bad)
		return false;
	if (loss < 1 && relay_chance(d, (uint64_t)(r * 1e6 + 0.5)))
		d->gilbert_bad = false; /* this frame is the run's last */
	return true;
}

static struct relay_held *relay_held_new(struct relay_dir *d, const struct virtio_net_hdr *vh,
					 const uint8_t *f, size_t len)
{
	if (d->bytes_held + len > RELAY_HOLD_MAX) {
		d->st.overflow++;
		return NULL;
	}
	struct relay_held *h = malloc(sizeof(*h) + len);
	if (!h) {
		d->st.overflow++;
		return NULL;
	}
	h->vh = *vh;
	h->len = (uint32_t)len;
	memcpy(h->frame, f, len);
	d->bytes_held += len;
	return h;
}

/* Flip a bit of @h (its checksum finished first and no "already checked" mark left,
 * so the receiver checks and sees a bad one). */
static void relay_flip(struct relay_dir *d, struct relay_held *h)
{
	if (relay_csum_finish(&h->vh, h->frame, h->len) < 0)
		return;
	/* a frame the sender's side marked as checked would be believed as it is */
	h->vh.flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
	if (relay_bit_flip(h->frame, h->len, relay_rand(d)) >= 0)
		d->st.corrupted++;
}

struct relay_segs {
	struct relay_dir *d;
	struct relay_held *head, **tail;
};

static int relay_seg_add(const uint8_t *seg, size_t n, void *arg)
{
	struct relay_segs *c = arg;
	struct virtio_net_hdr plain = {0};
	struct relay_held *h = relay_held_new(c->d, &plain, seg, n);
	if (!h)
		return -1;
	h->e.next = NULL;
	*c->tail = h;
	c->tail = (struct relay_held **)&h->e.next;
	return 0;
}

static void relay_chain_free(struct relay_dir *d, struct relay_held *h)
{
	while (h) {
		struct relay_held *next = (struct relay_held *)h->e.next;
		relay_held_free(d, h);
		h = next;
	}
}

/*
 * Corrupt @h: one bit of it, or, for a TCP segment train, of the first of the wire
 * frames it stands for (cut here, as the kernel would, since a bit flipped in a train
 * would be covered by the checksums its segmentation computes). Returns the frames to
 * send, chained through e.next: @h itself, or the segments (@h freed).
 */
static struct relay_held *relay_corrupt(struct relay_dir *d, struct relay_held *h)
{
	h->e.next = NULL;
	if (h->vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		relay_flip(d, h);
		return h;
	}
	struct relay_segs c = {d, NULL, &c.head};
	if (relay_tcp_segment(&h->vh, h->frame, h->len, relay_seg_add, &c) < 1) {
		relay_chain_free(d, c.head);
		d->st.unsegmented++; /* not TCP (UDP segmentation): sent whole */
		return h;
	}
	relay_held_free(d, h);
	relay_flip(d, c.head);
	return c.head;
}

/* The departure time of a selected frame: delay with jitter, then the rate; UINT64_MAX
 * when the rate's queue already holds more than its limit (b ns) of waiting. */
static uint64_t relay_due(struct relay_dir *d, uint64_t now, const uint8_t *f, size_t len)
{
	uint64_t due = now;
	if (relay_fx_picks(d, RELAY_FX_DELAY, f, len)) {
		const struct relay_effect *fx = &d->fx[RELAY_FX_DELAY];
		int64_t j = 0;
		if (fx->b)
			j = (int64_t)(relay_rand(d) % (2 * fx->b + 1)) - (int64_t)fx->b;
		int64_t t = (int64_t)fx->a + j;
		due += t > 0 ? (uint64_t)t : 0;
	}
	const struct relay_effect *rt = &d->fx[RELAY_FX_RATE];
	if (relay_fx_picks(d, RELAY_FX_RATE, f, len) && rt->a) {
		if (d->rate_next > due)
			due = d->rate_next;
		if (rt->b && due > now + rt->b)
			return UINT64_MAX; /* the queue in front of the link is full */
		d->rate_next = due + (uint64_t)len * 8 * 1000000000ULL / rt->a;
	}
	return due;
}

/* Put @h on the wheel for @due, or send it now when that is no later than @now (a
 * frame of the same selection is never due before one held: delays are equal, or the
 * jitter means to reorder, and the rate's clock only moves on). */
static void relay_schedule(struct relay_dir *d, struct relay_held *h, uint64_t now, uint64_t due)
{
	if (due <= now) {
		relay_send_then_release(d, &h->vh, h->frame, h->len);
		relay_held_free(d, h);
		return;
	}
	d->st.delayed++;
	relay_wheel_add(&d->wheel, &h->e, due);
}

void relay_dir_input(struct relay_dir *d, uint64_t now, const struct virtio_net_hdr *vh,
		     const uint8_t *f, size_t len)
{
	d->st.frames++;
	bool picked = false;
	for (int i = 0; i < RELAY_FX_N && !picked; i++)
		picked = relay_fx_picks(d, i, f, len);
	if (!picked) {
		d->st.passed++;
		relay_send_then_release(d, vh, f, len);
		return;
	}
	if (relay_fx_picks(d, RELAY_FX_LOSS, f, len) && relay_lose(d)) {
		d->st.lost++;
		return;
	}
	struct relay_held *h = relay_held_new(d, vh, f, len), *copy = NULL;
	if (!h)
		return;
	if (relay_fx_picks(d, RELAY_FX_DUPLICATE, f, len) &&
	    relay_chance(d, d->fx[RELAY_FX_DUPLICATE].ppm)) {
		copy = relay_held_new(d, vh, f, len);
		if (copy)
			d->st.duplicated++;
	}
	h->e.next = NULL;
	if (relay_fx_picks(d, RELAY_FX_CORRUPT, f, len) &&
	    relay_chance(d, d->fx[RELAY_FX_CORRUPT].ppm))
		h = relay_corrupt(d, h);
	uint64_t due = relay_due(d, now, f, len);
	if (due == UINT64_MAX) {
		d->st.overflow++;
		relay_chain_free(d, h);
		if (copy)
			relay_held_free(d, copy);
		return;
	}
	if (!d->hold && !h->e.next && relay_fx_picks(d, RELAY_FX_REORDER, f, len) &&
	    relay_chance(d, d->fx[RELAY_FX_REORDER].ppm)) {
		d->st.reordered++;
		d->hold = h;
		d->hold_until = due + RELAY_REORDER_MAX_NS;
		h = NULL;
	}
	while (h) {
		struct relay_held *next = (struct relay_held *)h->e.next;
		relay_schedule(d, h, now, due);
		h = next;
	}
	if (copy)
		relay_schedule(d, copy, now, due);
}

static void relay_expired(struct relay_entry *e, void *arg)
{
	struct relay_dir *d = arg;
	struct relay_held *h = (struct relay_held *)e;
	relay_send_then_release(d, &h->vh, h->frame, h->len);
	relay_held_free(d, h);
}

void relay_dir_expire(struct relay_dir *d, uint64_t now)
{
	relay_wheel_expire(&d->wheel, now, relay_expired, d);
	if (d->hold && now >= d->hold_until)
		relay_release_hold(d);
}

uint64_t relay_dir_next(const struct relay_dir *d)
{
	uint64_t t = relay_wheel_next(&d->wheel);
	if (d->hold && d->hold_until < t)
		t = d->hold_until;
	return t;
}

void relay_dir_release(struct relay_dir *d)
{
	uint64_t last = 0;
	for (size_t i = 0; i < RELAY_WHEEL_SLOTS && d->wheel.n; i++)
		for (const struct relay_entry *e = d->wheel.slot[i].head; e; e = e->next)
			if (e->due > last)
				last = e->due;
	if (d->wheel.n)
		relay_wheel_expire(&d->wheel, last, relay_expired, d);
	relay_release_hold(d);
}

static void relay_flushed(struct relay_entry *e, void *arg)
{
	struct relay_dir *d = arg;
	d->st.flushed++;
	relay_held_free(d, (struct relay_held *)e);
}

void relay_dir_flush(struct relay_dir *d)
{
	relay_wheel_drain(&d->wheel, relay_flushed, d);
	if (d->hold) {
		relay_flushed(&d->hold->e, d);
		d->hold = NULL;
	}
}
