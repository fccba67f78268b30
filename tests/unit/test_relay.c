/*
 * test_relay.c - fl-relay's engine without sockets: the timer wheel against a brute
 * force model (every entry leaves once, at the first expiry at or after its due time,
 * in due order; the next due time is the true minimum), and one direction's effects
 * on frames handed to it at chosen times (delay, rate, duplicate, loss and its bursts,
 * corrupt with the checksum left to offload, reorder, selectors, the hold limit).
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"
#include "relay_frame.h"
#include "relay_wheel.h"

void register_relay_suite(void);

#define MS 1000000ULL

/* ---- the wheel ---- */

struct t_ent {
	struct relay_entry e; /* first */
	uint64_t fired_at;    /* the expiry's now, 0 until it left */
	int order;	      /* position among all that left */
};

struct t_log {
	uint64_t now;
	int n;
	uint64_t last_due; /* of the previous entry in this expiry */
	int bad_order;
};

static void t_fire(struct relay_entry *e, void *arg)
{
	struct t_log *l = arg;
	struct t_ent *t = (struct t_ent *)e;
	CU_ASSERT_EQUAL(t->fired_at, 0);
	t->fired_at = l->now;
	t->order = l->n++;
	if (e->due >> RELAY_WHEEL_SHIFT < l->last_due >> RELAY_WHEEL_SHIFT)
		l->bad_order++;
	l->last_due = e->due;
}

static uint64_t t_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_wheel_model(void)
{
	enum { N = 20000 };
	struct relay_wheel *w = malloc(sizeof(*w));
	struct t_ent *v = calloc(N, sizeof(*v));
	uint64_t seed = 42, t0 = 5000 * MS, now = t0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	relay_wheel_init(w, t0);
	int added = 0;
	struct t_log log = {0};
	while (log.n < N) {
		/* add a few, due from now up to 700 ms on (past a 268 ms turn) */
		for (int k = 0; k < 8 && added < N; k++, added++)
			relay_wheel_add(w, &v[added].e, now + t_rand(&seed) % (700 * MS));
		uint64_t min = UINT64_MAX;
		for (int i = 0; i < added; i++)
			if (!v[i].fired_at && v[i].e.due < min)
				min = v[i].e.due;
		CU_ASSERT_EQUAL(relay_wheel_next(w), min);
		now += t_rand(&seed) % (3 * MS); /* expiries from every 0 to 3 ms */
		log.now = now;
		log.last_due = 0;
		relay_wheel_expire(w, now, t_fire, &log);
		for (int i = 0; i < added; i++) /* nothing due is left behind */
			if (!v[i].fired_at && v[i].e.due <= now) {
				CU_FAIL("an entry due was not handed out");
				v[i].fired_at = 1;
				log.n++;
			}
	}
	CU_ASSERT_EQUAL(w->n, 0);
	CU_ASSERT_EQUAL(relay_wheel_next(w), UINT64_MAX);
	CU_ASSERT_EQUAL(log.bad_order, 0);
	int early = 0, late = 0;
	for (int i = 0; i < N; i++) {
		early += v[i].fired_at < v[i].e.due;
		late += v[i].fired_at >= v[i].e.due + 3 * MS; /* more than one step late */
	}
	CU_ASSERT_EQUAL(early, 0);
	CU_ASSERT_EQUAL(late, 0);
	free(v);
	free(w);
}

static void test_wheel_fifo_and_past(void)
{
	struct relay_wheel w;
	struct t_ent v[4] = {0};
	struct t_log log = {0};
	relay_wheel_init(&w, 100 * MS);
	relay_wheel_add(&w, &v[0].e, 110 * MS);
	relay_wheel_add(&w, &v[1].e, 110 * MS);		   /* same due: after v[0] */
	relay_wheel_add(&w, &v[2].e, 50 * MS);		   /* already past: the next expiry */
	relay_wheel_add(&w, &v[3].e, 100 * MS + 300 * MS); /* over a turn away */
	CU_ASSERT_EQUAL(relay_wheel_next(&w), 50 * MS);
	log.now = 100 * MS;
	CU_ASSERT_EQUAL(relay_wheel_expire(&w, log.now, t_fire, &log), 1);
	CU_ASSERT_EQUAL(v[2].fired_at, 100 * MS);
	CU_ASSERT_EQUAL(relay_wheel_next(&w), 110 * MS);
	log.now = 110 * MS;
	CU_ASSERT_EQUAL(relay_wheel_expire(&w, log.now, t_fire, &log), 2);
	CU_ASSERT_TRUE(v[0].order < v[1].order);
	CU_ASSERT_EQUAL(relay_wheel_next(&w), 400 * MS); /* the plain minimum */
	log.now = 399 * MS;
	CU_ASSERT_EQUAL(relay_wheel_expire(&w, log.now, t_fire, &log), 0);
	log.now = 400 * MS;
	CU_ASSERT_EQUAL(relay_wheel_expire(&w, log.now, t_fire, &log), 1);
}

/* ---- one direction ---- */

struct t_out {
	int n;
	uint64_t *now; /* the test's clock, when each frame left */
	uint64_t at[64];
	uint32_t seq[64]; /* the frames' first payload word */
	int bad_csum;	  /* frames left with a checksum that does not verify */
	int marked_valid; /* frames left marked "checksum already checked" */
	uint8_t frame[2][1100]; /* the first two frames that left, as they left */
	size_t frame_len[2];
	int flipped;	  /* frames not equal to what went in */
};

static uint64_t t_clock;

/* An IPv4/UDP frame to port @dport carrying @seq, 100 bytes. */
static size_t t_frame(uint8_t *f, uint16_t dport, uint32_t seq)
{
	memset(f, 0, 100);
	f[12] = 0x08; /* IPv4 */
	uint8_t *ip = f + 14, *udp = ip + 20;
	ip[0] = 0x45;
	ip[2] = 0, ip[3] = 86;
	ip[8] = 64, ip[9] = 17;
	memcpy(ip + 12, "\xc6\x12\x05\x01\xc6\x12\x05\x02", 8);
	udp[0] = 0x30, udp[1] = 0x39;
	udp[2] = (uint8_t)(dport >> 8), udp[3] = (uint8_t)dport;
	udp[5] = 66;
	uint32_t be = htonl(seq);
	memcpy(udp + 8, &be, 4);
	return 100;
}

/* The ones' complement sum of @n bytes, folded. */
static uint32_t t_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Does the UDP checksum of frame @f verify (pseudo-header, header, payload)? */
static bool t_udp_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14, *udp = ip + 20;
	uint8_t ph[12] = {0};
	memcpy(ph, ip + 12, 8);
	ph[9] = 17;
	ph[10] = udp[4], ph[11] = udp[5];
	return t_sum(udp, 66, t_sum(ph, 12, 0)) == 0xffff;
}

static int t_send(struct relay_dir *d, const struct virtio_net_hdr *vh, const uint8_t *f,
		  size_t len, void *arg)
{
	struct t_out *o = arg;
	(void)d;
	(void)len;
	if (o->n < 64) {
		o->at[o->n] = t_clock;
		memcpy(&o->seq[o->n], f + 42, 4);
		o->seq[o->n] = ntohl(o->seq[o->n]);
	}
	o->n++;
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !t_udp_ok(f))
		o->bad_csum++;
	o->marked_valid += !!(vh->flags & VIRTIO_NET_HDR_F_DATA_VALID);
	if (o->n <= 2 && len <= sizeof(o->frame[0])) {
		memcpy(o->frame[o->n - 1], f, len);
		o->frame_len[o->n - 1] = len;
	}
	return 0;
}

static void t_dir(struct relay_dir *d, struct t_out *o, enum relay_fx fx, uint32_t ppm, uint64_t a,
		  uint64_t b)
{
	struct relay_effect e[RELAY_FX_N] = {0};
	memset(o, 0, sizeof(*o));
	t_clock = 1000 * MS;
	relay_dir_init(d, t_clock, t_send, o);
	e[fx] = (struct relay_effect){.on = 1, .ppm = ppm, .a = a, .b = b};
	relay_dir_set(d, e, 7);
}

/* A frame through @d at the test's clock (checksum left to offload when @partial). */
static void t_in(struct relay_dir *d, uint16_t dport, uint32_t seq, bool partial)
{
	uint8_t f[100];
	struct virtio_net_hdr vh = {0};
	t_frame(f, dport, seq);
	if (partial) {
		/* as a veth hands it over: the pseudo-header's sum in the field */
		uint8_t ph[12] = {0};
		memcpy(ph, f + 26, 8);
		ph[9] = 17, ph[11] = 66;
		uint16_t c = (uint16_t)t_sum(ph, 12, 0);
		f[40] = (uint8_t)(c >> 8), f[41] = (uint8_t)c;
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.csum_start = 34;
		vh.csum_offset = 6;
	} else {
		uint8_t ph[12] = {0};
		memcpy(ph, f + 26, 8);
		ph[9] = 17, ph[11] = 66;
		uint16_t c = (uint16_t)~t_sum(f + 34, 66, t_sum(ph, 12, 0));
		f[40] = (uint8_t)(c >> 8), f[41] = (uint8_t)c;
	}
	relay_dir_input(d, t_clock, &vh, f, sizeof(f));
}

static void t_advance(struct relay_dir *d, uint64_t to)
{
	t_clock = to;
	relay_dir_expire(d, t_clock);
}

static void test_dir_delay_and_rate(void)
{
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_DELAY, 0, 10 * MS, 0);
	t_in(&d, 9, 1, false);
	CU_ASSERT_EQUAL(o.n, 0);
	CU_ASSERT_EQUAL(relay_dir_next(&d), t_clock + 10 * MS);
	t_advance(&d, t_clock + 10 * MS - 1);
	CU_ASSERT_EQUAL(o.n, 0);
	t_advance(&d, t_clock + 1);
	CU_ASSERT_EQUAL(o.n, 1);
	CU_ASSERT_EQUAL(d.st.delayed, 1);
	/* rate: 100-byte frames at 80 kbit/s leave 10 ms apart, the first at once */
	t_dir(&d, &o, RELAY_FX_RATE, 0, 80000, 0);
	uint64_t t0 = t_clock;
	for (uint32_t i = 0; i < 3; i++)
		t_in(&d, 9, i, false);
	CU_ASSERT_EQUAL(o.n, 1);
	t_advance(&d, t0 + 10 * MS);
	t_advance(&d, t0 + 20 * MS);
	CU_ASSERT_EQUAL(o.n, 3);
	CU_ASSERT_EQUAL(o.at[1], t0 + 10 * MS);
	CU_ASSERT_EQUAL(o.at[2], t0 + 20 * MS);
	/* jitter keeps every delay within D +- J */
	t_dir(&d, &o, RELAY_FX_DELAY, 0, 20 * MS, 5 * MS);
	for (uint32_t i = 0; i < 40; i++)
		t_in(&d, 9, i, false);
	for (uint64_t t = t_clock; t <= t_clock + 30 * MS; t += MS / 10)
		relay_dir_expire(&d, t);
	CU_ASSERT_EQUAL(o.n, 40);
	int out_of_order = 0;
	for (int i = 1; i < 40; i++)
		out_of_order += o.seq[i] < o.seq[i - 1];
	CU_ASSERT_TRUE(out_of_order > 0); /* jitter reorders */
}

static void test_dir_duplicate_loss(void)
{
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_DUPLICATE, 1000000, 0, 0);
	t_in(&d, 9, 1, false);
	CU_ASSERT_EQUAL(o.n, 2);
	CU_ASSERT_EQUAL(o.seq[0], o.seq[1]);
	/* independent loss: 30% of 100,000 within 1% */
	t_dir(&d, &o, RELAY_FX_LOSS, 300000, 0, 0);
	for (uint32_t i = 0; i < 100000; i++)
		t_in(&d, 9, i, false);
	CU_ASSERT_TRUE(d.st.lost > 29000 && d.st.lost < 31000);
	CU_ASSERT_EQUAL(o.n + (int)d.st.lost, 100000);
}

/* Loss 10% in bursts of 5: the long-run loss and the mean run length. */
static void test_dir_gilbert(void)
{
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_LOSS, 100000, 5000, 0);
	int runs = 0, in_run = 0, lost = 0, n = 200000;
	for (int i = 0; i < n; i++) {
		int before = o.n;
		t_in(&d, 9, (uint32_t)i, false);
		bool gone = o.n == before;
		lost += gone;
		if (gone && !in_run)
			runs++;
		in_run = gone;
	}
	double rate = (double)lost / n, mean = (double)lost / runs;
	CU_ASSERT_TRUE(rate > 0.09 && rate < 0.11);
	CU_ASSERT_TRUE(mean > 4.5 && mean < 5.5);
}

static void test_dir_corrupt(void)
{
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_CORRUPT, 1000000, 0, 0);
	for (uint32_t i = 0; i < 200; i++)
		t_in(&d, 9, i, i % 2); /* half with the checksum left to offload */
	CU_ASSERT_EQUAL(o.n, 200);
	CU_ASSERT_EQUAL(d.st.corrupted, 200);
	/* a flip in the UDP part fails its checksum; one in the IP header leaves it
	 * intact (the header has its own) */
	CU_ASSERT_TRUE(o.bad_csum > 200 * 60 / 86 && o.bad_csum <= 200);
	/* a frame marked as already checked loses the mark, or the receiver believes it */
	uint8_t g[100];
	struct virtio_net_hdr valid = {.flags = VIRTIO_NET_HDR_F_DATA_VALID};
	t_frame(g, 9, 7);
	relay_dir_input(&d, t_clock, &valid, g, sizeof(g));
	CU_ASSERT_EQUAL(o.n, 201);
	CU_ASSERT_EQUAL(o.marked_valid, 0);
	/* the checksum a frame leaves with when nothing is flipped verifies */
	uint8_t f[100];
	struct virtio_net_hdr vh = {
	    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6};
	t_frame(f, 9, 5);
	uint8_t ph[12] = {0};
	memcpy(ph, f + 26, 8);
	ph[9] = 17, ph[11] = 66;
	uint16_t c = (uint16_t)t_sum(ph, 12, 0);
	f[40] = (uint8_t)(c >> 8), f[41] = (uint8_t)c;
	CU_ASSERT_EQUAL(relay_csum_finish(&vh, f, sizeof(f)), 0);
	CU_ASSERT_EQUAL(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	CU_ASSERT_TRUE(t_udp_ok(f));
	vh = (struct virtio_net_hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 99};
	CU_ASSERT_EQUAL(relay_csum_finish(&vh, f, sizeof(f)), -1);
	CU_ASSERT_EQUAL(relay_bit_flip(f, 14, 3), -1);
	CU_ASSERT_EQUAL(relay_bit_flip(f, sizeof(f), 0), 14);
}

static void test_dir_reorder_and_select(void)
{
	struct relay_dir d;
	struct t_out o;
	struct relay_effect e[RELAY_FX_N] = {0};
	t_dir(&d, &o, RELAY_FX_REORDER, 1000000, 0, 0);
	e[RELAY_FX_REORDER] =
	    (struct relay_effect){.on = 1, .ppm = 1000000, .sel = {.l4proto = 17, .port = 9}};
	relay_dir_set(&d, e, 7);
	t_in(&d, 9, 1, false); /* held */
	t_in(&d, 7, 2, false); /* not selected: passes, the hold stays */
	t_in(&d, 9, 3, false); /* selected: leaves and 1 right behind it */
	CU_ASSERT_EQUAL(o.n, 2 + 1);
	CU_ASSERT_EQUAL(o.seq[0], 2);
	CU_ASSERT_EQUAL(o.seq[1], 3);
	CU_ASSERT_EQUAL(o.seq[2], 1);
	CU_ASSERT_EQUAL(d.st.passed, 1);
	CU_ASSERT_EQUAL(d.st.reordered, 1); /* 3 came while 1 was held: one at a time */
	t_in(&d, 9, 4, false);		    /* held; no next one comes: it leaves 10 ms on */
	CU_ASSERT_EQUAL(o.n, 3);
	t_advance(&d, t_clock + RELAY_REORDER_MAX_NS - 1);
	CU_ASSERT_EQUAL(o.n, 3);
	t_advance(&d, t_clock + 1);
	CU_ASSERT_EQUAL(o.n, 4);
	/* selectors: ARP by ether type, ICMP as ICMP or ICMPv6 */
	uint8_t f[100];
	t_frame(f, 9, 1);
	struct relay_sel arp = {.ethertype = 0x0806}, icmp = {.l4proto = 1, .l4proto2 = 58};
	struct relay_sel udp9 = {.l4proto = 17, .port = 9}, udp8 = {.l4proto = 17, .port = 8};
	CU_ASSERT_FALSE(relay_sel_match(&arp, f, sizeof(f)));
	CU_ASSERT_FALSE(relay_sel_match(&icmp, f, sizeof(f)));
	CU_ASSERT_TRUE(relay_sel_match(&udp9, f, sizeof(f)));
	CU_ASSERT_FALSE(relay_sel_match(&udp8, f, sizeof(f)));
	f[14 + 6] = 0x20; /* a later fragment: no ports to look at */
	f[14 + 7] = 0x10;
	CU_ASSERT_FALSE(relay_sel_match(&udp9, f, sizeof(f)));
	f[12] = 0x08, f[13] = 0x06;
	CU_ASSERT_TRUE(relay_sel_match(&arp, f, sizeof(f)));
}

static void test_dir_hold_limit_and_flush(void)
{
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_DELAY, 0, 1000 * MS, 0);
	size_t fit = RELAY_HOLD_MAX / 100;
	for (size_t i = 0; i < fit + 10; i++)
		t_in(&d, 9, (uint32_t)i, false);
	CU_ASSERT_EQUAL(d.st.overflow, 10);
	CU_ASSERT_EQUAL(d.bytes_held, fit * 100);
	relay_dir_flush(&d);
	CU_ASSERT_EQUAL(d.st.flushed, fit);
	CU_ASSERT_EQUAL(d.bytes_held, 0);
	CU_ASSERT_EQUAL(o.n, 0);
	/* released instead: all leave at once, in order */
	t_dir(&d, &o, RELAY_FX_DELAY, 0, 1000 * MS, 0);
	for (uint32_t i = 0; i < 5; i++)
		t_in(&d, 9, i, false);
	relay_dir_release(&d);
	CU_ASSERT_EQUAL(o.n, 5);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(o.seq[i], (uint32_t)i);
	CU_ASSERT_EQUAL(d.bytes_held, 0);
}

/* A TCPv4 segment train as a veth hands it over: 2,500 bytes of payload, MSS 1000,
 * checksum left to offload (the pseudo-header's sum in the field), FIN and PSH set. */
static size_t t_train(uint8_t *f, struct virtio_net_hdr *vh)
{
	size_t len = 14 + 20 + 20 + 2500;
	memset(f, 0, len);
	f[12] = 0x08;
	uint8_t *ip = f + 14, *tcp = ip + 20;
	ip[0] = 0x45, ip[2] = (uint8_t)((len - 14) >> 8), ip[3] = (uint8_t)(len - 14);
	ip[4] = 0x12, ip[5] = 0x34, ip[8] = 64, ip[9] = 6;
	memcpy(ip + 12, "\xc6\x12\x05\x01\xc6\x12\x05\x02", 8);
	tcp[0] = 0x1f, tcp[1] = 0x90, tcp[3] = 80;
	tcp[4] = 0xff, tcp[5] = 0xff, tcp[6] = 0xfc, tcp[7] = 0x00; /* wraps past 2^32 */
	tcp[12] = 5 << 4, tcp[13] = 0x80 | 0x18 | 0x01;		     /* CWR PSH ACK FIN */
	for (size_t i = 54; i < len; i++)
		f[i] = (uint8_t)i;
	*vh = (struct virtio_net_hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				      .hdr_len = 54,
				      .gso_size = 1000,
				      .csum_start = 34,
				      .csum_offset = 16};
	return len;
}

struct t_segs {
	int n;
	uint8_t f[4][1100];
	size_t len[4];
};

static int t_seg(const uint8_t *seg, size_t n, void *arg)
{
	struct t_segs *t = arg;
	if (t->n < 4 && n <= sizeof(t->f[0])) {
		memcpy(t->f[t->n], seg, n);
		t->len[t->n] = n;
	}
	t->n++;
	return 0;
}

/* Do the IPv4 header and TCP checksums of wire frame @f (@n bytes) verify? */
static bool t_tcp_ok(const uint8_t *f, size_t n)
{
	uint8_t ph[12] = {0};
	memcpy(ph, f + 26, 8);
	ph[9] = 6, ph[10] = (uint8_t)((n - 34) >> 8), ph[11] = (uint8_t)(n - 34);
	return t_sum(f + 14, 20, 0) == 0xffff && t_sum(f + 34, n - 34, t_sum(ph, 12, 0)) == 0xffff;
}

static void test_tcp_segment(void)
{
	static uint8_t f[3000];
	struct virtio_net_hdr vh;
	size_t len = t_train(f, &vh);
	struct t_segs t = {0};
	CU_ASSERT_EQUAL(relay_tcp_segment(&vh, f, len, t_seg, &t), 3);
	CU_ASSERT_EQUAL_FATAL(t.n, 3);
	size_t pay[3] = {1000, 1000, 500};
	for (int i = 0; i < 3; i++) {
		const uint8_t *g = t.f[i], *tcp = g + 34;
		CU_ASSERT_EQUAL(t.len[i], 54 + pay[i]);
		CU_ASSERT_EQUAL((size_t)(g[16] << 8 | g[17]), 40 + pay[i]); /* IPv4 total length */
		CU_ASSERT_EQUAL(g[18] << 8 | g[19], 0x1234 + i);	   /* id */
		uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
			       (uint32_t)tcp[6] << 8 | tcp[7];
		CU_ASSERT_EQUAL(seq, 0xfffffc00u + (uint32_t)(1000 * i));
		CU_ASSERT_EQUAL(tcp[13] & 0x80, i == 0 ? 0x80 : 0);	  /* CWR: first */
		CU_ASSERT_EQUAL(tcp[13] & 0x09, i == 2 ? 0x09 : 0);	  /* FIN, PSH: last */
		CU_ASSERT_EQUAL(tcp[13] & 0x10, 0x10);			  /* ACK: all */
		CU_ASSERT_EQUAL(memcmp(g + 54, f + 54 + 1000 * i, pay[i]), 0);
		CU_ASSERT_TRUE(t_tcp_ok(g, t.len[i]));
	}
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CU_ASSERT_EQUAL(relay_tcp_segment(&vh, f, len, t_seg, &t), -1);
	/* corrupt picks the train: three frames leave, the first with a bad checksum */
	struct relay_dir d;
	struct t_out o;
	t_dir(&d, &o, RELAY_FX_CORRUPT, 1000000, 0, 0);
	t_train(f, &vh);
	relay_dir_input(&d, t_clock, &vh, f, len);
	CU_ASSERT_EQUAL(o.n, 3);
	CU_ASSERT_FALSE(t_tcp_ok(o.frame[0], o.frame_len[0]));
	CU_ASSERT_TRUE(t_tcp_ok(o.frame[1], o.frame_len[1]));
	CU_ASSERT_EQUAL(d.st.corrupted, 1);
	CU_ASSERT_EQUAL(d.st.unsegmented, 0);
	CU_ASSERT_EQUAL(d.bytes_held, 0);
}

void register_relay_suite(void)
{
	CU_pSuite s = CU_add_suite("relay", NULL, NULL);

	CU_add_test(s, "wheel_model", test_wheel_model);
	CU_add_test(s, "wheel_fifo_and_past", test_wheel_fifo_and_past);
	CU_add_test(s, "dir_delay_and_rate", test_dir_delay_and_rate);
	CU_add_test(s, "dir_duplicate_loss", test_dir_duplicate_loss);
	CU_add_test(s, "dir_gilbert", test_dir_gilbert);
	CU_add_test(s, "dir_corrupt", test_dir_corrupt);
	CU_add_test(s, "dir_reorder_and_select", test_dir_reorder_and_select);
	CU_add_test(s, "dir_hold_limit_and_flush", test_dir_hold_limit_and_flush);
	CU_add_test(s, "tcp_segment", test_tcp_segment);
}
