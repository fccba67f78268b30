/*
 * test_vrrp.c - the VRRPv3 codec and state machine: round trips, every rejection
 * reason, every transition of RFC 5798 6.4, every `ha safe` rule, and two model-based
 * checks (timer/VIP invariants under random events; a two-member simulation with link
 * cuts and stalls where the VIP is a kernel lease).
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp_fsm.h"
#include "vrrp_oclock.h"
#include "vrrp_pkt.h"

void register_vrrp_suite(void);

static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static struct in_addr group(void)
{
	return (struct in_addr){htonl(VRRP_GROUP_ADDR)};
}

static ssize_t sample(uint8_t *buf, size_t size, uint8_t naddr)
{
	struct vrrp_pkt p = {.vrid = 51, .prio = 150, .naddr = naddr, .adver_cs = 100};

	for (int i = 0; i < naddr; i++)
		p.addrs[i] = (struct in_addr){htonl(0xc6120064u + i)};
	return vrrp_pkt_encode(&p, ip4("198.18.0.1"), group(), buf, size);
}

static void test_pkt_round_trip(void)
{
	for (unsigned n = 0; n <= VRRP_MAX_ADDRS; n += 7) {
		for (unsigned cs = 1; cs <= VRRP_ADVER_MAX_CS; cs = cs * 3 + 1) {
			struct vrrp_pkt p = {.vrid = (uint8_t)(n + 1), .prio = (uint8_t)(n * 7),
					     .naddr = (uint8_t)n, .adver_cs = (uint16_t)cs};
			struct vrrp_pkt q;
			uint8_t buf[VRRP_PKT_MAX];
			ssize_t len;

			for (unsigned i = 0; i < n; i++)
				p.addrs[i] = (struct in_addr){htonl(0xc6120000u + i * 77)};
			len = vrrp_pkt_encode(&p, ip4("198.18.0.2"), group(), buf, sizeof(buf));
			CU_ASSERT_EQUAL(VRRP_HDR_LEN + 4 * (ssize_t)n, len);
			CU_ASSERT_EQUAL(VRRP_OK, vrrp_pkt_decode(buf, (size_t)len, ip4("198.18.0.2"),
								 group(), 255, p.vrid, &q, NULL));
			CU_ASSERT_EQUAL(p.vrid, q.vrid);
			CU_ASSERT_EQUAL(p.prio, q.prio);
			CU_ASSERT_EQUAL(p.naddr, q.naddr);
			CU_ASSERT_EQUAL(p.adver_cs, q.adver_cs);
			CU_ASSERT_EQUAL(0, memcmp(p.addrs, q.addrs, 4 * n));
		}
	}
}

/* A byte-exact vector worked by hand: version/type 0x31, VRID 51, prio 150, one
 * address, 100 cs; the checksum folds pseudo-header + message to 0xffff. */
static void test_pkt_wire_layout(void)
{
	uint8_t buf[64];
	ssize_t len = sample(buf, sizeof(buf), 1);
	uint32_t sum = 0;
	const uint8_t ph[12] = {198, 18, 0, 1, 224, 0, 0, 18, 0, 112, 0, 12};

	CU_ASSERT_EQUAL(12, len);
	CU_ASSERT_EQUAL(0x31, buf[0]);
	CU_ASSERT_EQUAL(51, buf[1]);
	CU_ASSERT_EQUAL(150, buf[2]);
	CU_ASSERT_EQUAL(1, buf[3]);
	CU_ASSERT_EQUAL(0x00, buf[4]);
	CU_ASSERT_EQUAL(100, buf[5]);
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)ph[i] << 8 | ph[i + 1];
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	CU_ASSERT_EQUAL(0xffff, sum);
}

static void test_pkt_encode_rejects_bad_fields(void)
{
	struct vrrp_pkt p = {.vrid = 1, .prio = 1, .naddr = 0, .adver_cs = 0};
	uint8_t buf[8];

	CU_ASSERT_EQUAL(-1, vrrp_pkt_encode(&p, ip4("198.18.0.1"), group(), buf, 8));
	p.adver_cs = VRRP_ADVER_MAX_CS + 1;
	CU_ASSERT_EQUAL(-1, vrrp_pkt_encode(&p, ip4("198.18.0.1"), group(), buf, 8));
	p.adver_cs = 1;
	p.naddr = 1;
	CU_ASSERT_EQUAL(-1, vrrp_pkt_encode(&p, ip4("198.18.0.1"), group(), buf, 8));
}

/* Rewrite the checksum after a deliberate corruption, so the later checks are reached. */
static void refix(uint8_t *buf, size_t len)
{
	struct vrrp_pkt p;
	uint32_t sum = 0;
	const uint8_t ph[12] = {198, 18, 0, 1, 224, 0, 0, 18, 0, 112, 0, (uint8_t)len};

	(void)p;
	buf[6] = buf[7] = 0;
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)ph[i] << 8 | ph[i + 1];
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	buf[6] = (uint8_t)(~sum >> 8);
	buf[7] = (uint8_t)~sum;
}

static enum vrrp_reject dec(uint8_t *buf, size_t len, int ttl, struct vrrp_stats *st)
{
	struct vrrp_pkt q;

	return vrrp_pkt_decode(buf, len, ip4("198.18.0.1"), group(), ttl, 51, &q, st);
}

static void test_pkt_each_rejection(void)
{
	struct vrrp_stats st = {0};
	uint8_t buf[64];
	ssize_t len = sample(buf, sizeof(buf), 2);

	CU_ASSERT_EQUAL(VRRP_OK, dec(buf, (size_t)len, 255, &st));
	CU_ASSERT_EQUAL(VRRP_REJ_SHORT, dec(buf, 7, 255, &st));
	CU_ASSERT_EQUAL(VRRP_REJ_TTL, dec(buf, (size_t)len, 254, &st));
	buf[0] = 0x21; /* version 2 */
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_VERSION, dec(buf, (size_t)len, 255, &st));
	buf[0] = 0x32; /* type 2 */
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_TYPE, dec(buf, (size_t)len, 255, &st));
	buf[0] = 0x31;
	refix(buf, (size_t)len);
	buf[9] ^= 0x40; /* an address bit */
	CU_ASSERT_EQUAL(VRRP_REJ_CHECKSUM, dec(buf, (size_t)len, 255, &st));
	buf[9] ^= 0x40;
	buf[1] = 52;
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_VRID, dec(buf, (size_t)len, 255, &st));
	buf[1] = 0; /* found by the fuzzer: VRID 0 accepted when any VRID was asked for */
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_VRID, vrrp_pkt_decode(buf, (size_t)len, ip4("198.18.0.1"),
						       group(), 255, -1, &(struct vrrp_pkt){0}, &st));
	buf[1] = 51;
	buf[3] = 3;
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_COUNT, dec(buf, (size_t)len, 255, &st));
	buf[3] = 2;
	buf[4] = 0xf0; /* reserved bits set, interval zero */
	buf[5] = 0;
	refix(buf, (size_t)len);
	CU_ASSERT_EQUAL(VRRP_REJ_INTERVAL, dec(buf, (size_t)len, 255, &st));
	CU_ASSERT_EQUAL(1, st.ok);
	for (int r = VRRP_REJ_SHORT; r < VRRP_REJ__MAX; r++)
		CU_ASSERT_EQUAL(r == VRRP_REJ_IP ? 0 : r == VRRP_REJ_VRID ? 2 : 1, st.rejected[r]);
	CU_ASSERT_STRING_EQUAL("checksum", vrrp_reject_name(VRRP_REJ_CHECKSUM));
}

static size_t ip_wrap(uint8_t *out, const uint8_t *msg, size_t len, uint8_t ttl, uint8_t proto)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[2] = (uint8_t)((20 + len) >> 8);
	out[3] = (uint8_t)(20 + len);
	out[8] = ttl;
	out[9] = proto;
	memcpy(out + 12, (uint8_t[]){198, 18, 0, 1}, 4);
	memcpy(out + 16, (uint8_t[]){224, 0, 0, 18}, 4);
	memcpy(out + 20, msg, len);
	return 20 + len;
}

static void test_pkt_decode_ip(void)
{
	struct vrrp_stats st = {0};
	uint8_t msg[64], dg[128];
	ssize_t len = sample(msg, sizeof(msg), 1);
	struct vrrp_pkt q;
	struct in_addr src;
	size_t n = ip_wrap(dg, msg, (size_t)len, 255, 112);

	CU_ASSERT_EQUAL(VRRP_OK, vrrp_pkt_decode_ip(dg, n, 51, &q, &src, &st));
	CU_ASSERT_EQUAL(ip4("198.18.0.1").s_addr, src.s_addr);
	CU_ASSERT_EQUAL(VRRP_REJ_SHORT, vrrp_pkt_decode_ip(dg, n - 1, 51, &q, NULL, &st));
	CU_ASSERT_EQUAL(VRRP_REJ_SHORT, vrrp_pkt_decode_ip(dg, 19, 51, &q, NULL, &st));
	n = ip_wrap(dg, msg, (size_t)len, 64, 112);
	CU_ASSERT_EQUAL(VRRP_REJ_TTL, vrrp_pkt_decode_ip(dg, n, 51, &q, NULL, &st));
	n = ip_wrap(dg, msg, (size_t)len, 255, 6);
	CU_ASSERT_EQUAL(VRRP_REJ_IP, vrrp_pkt_decode_ip(dg, n, 51, &q, NULL, &st));
	CU_ASSERT_EQUAL(1, st.rejected[VRRP_REJ_IP]);
	CU_ASSERT_EQUAL(2, st.rejected[VRRP_REJ_SHORT]);
}

/* Every single-bit flip of a valid message is rejected (the checksum catches it). */
static void test_pkt_bit_flips_rejected(void)
{
	uint8_t buf[64];
	ssize_t len = sample(buf, sizeof(buf), 3);

	for (ssize_t i = 0; i < len * 8; i++) {
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		CU_ASSERT_NOT_EQUAL(VRRP_OK, dec(buf, (size_t)len, 255, NULL));
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CU_ASSERT_EQUAL(VRRP_OK, dec(buf, (size_t)len, 255, NULL));
}

/* ---- state machine ---- */

static struct vrrp_cfg cfg(uint8_t prio, bool safe)
{
	return (struct vrrp_cfg){.prio = prio, .adver_cs = 100, .preempt = true, .safe = safe,
				 .sick_prio = 1, .primary = ip4("198.18.0.2")};
}

static struct vrrp_event ev(enum vrrp_ev_type t)
{
	return (struct vrrp_event){.type = t};
}

static struct vrrp_event adv(uint8_t prio, const char *src, uint16_t cs)
{
	return (struct vrrp_event){.type = VRRP_EV_ADVERT, .prio = prio, .adver_cs = cs,
				   .src = ip4(src)};
}

/* The types of @o in order, terminated by 0, compared with @want. */
static int types_are(const struct vrrp_out *o, const enum vrrp_act_type *want)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (want[i] != o->a[i].type)
			return 0;
	return want[i] == 0;
}

/* The reason of action @i, "" when there is none (a wrong action list must fail, not crash). */
static const char *reason_at(const struct vrrp_out *o, int i)
{
	return i >= 0 && i < o->n && o->a[i].reason ? o->a[i].reason : "";
}

#define TYPES(o, ...) types_are((o), (const enum vrrp_act_type[]){__VA_ARGS__, 0})

static const struct vrrp_action *find(const struct vrrp_out *o, enum vrrp_act_type t)
{
	for (int i = 0; i < o->n; i++)
		if (o->a[i].type == t)
			return &o->a[i];
	return NULL;
}

static void to_backup(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o)
{
	struct vrrp_event e = ev(VRRP_EV_STARTUP);

	vrrp_fsm_init(f, c);
	vrrp_fsm_step(f, c, &e, 1000, o);
}

static void to_master(struct vrrp_fsm *f, const struct vrrp_cfg *c, struct vrrp_out *o)
{
	struct vrrp_event e = ev(VRRP_EV_MASTER_DOWN);

	to_backup(f, c, o);
	vrrp_fsm_step(f, c, &e, 2000, o);
}

static void test_fsm_timer_formulas(void)
{
	/* RFC 5798 6.1 with 1 s adverts: skew (256-100)/256 s, master down 3 s + skew. */
	CU_ASSERT_EQUAL(609375, vrrp_skew_us(100, 100));
	CU_ASSERT_EQUAL(3609375, vrrp_master_down_us(100, 100));
	CU_ASSERT_EQUAL(3000000 + 3906, vrrp_master_down_us(255, 100));
	CU_ASSERT_EQUAL(300000 + 99609, vrrp_master_down_us(1, 10));
}

static void test_fsm_init_startup_to_backup(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;

	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(3609375, o.a[0].us);
	CU_ASSERT_EQUAL(VRRP_STATE_INIT, o.a[1].from);
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, o.a[1].to);
	CU_ASSERT_STRING_EQUAL("startup", reason_at(&o, 1));
}

static void test_fsm_init_owner_to_master(void)
{
	struct vrrp_cfg c = cfg(255, false);
	struct vrrp_fsm f;
	struct vrrp_out o;

	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
	CU_ASSERT(TYPES(&o, VRRP_ACT_CANCEL_MDOWN, VRRP_ACT_VIP_ADD, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_GARP, VRRP_ACT_ARM_ADVER, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(255, find(&o, VRRP_ACT_SEND_ADVERT)->prio);
	CU_ASSERT_EQUAL(1000000, find(&o, VRRP_ACT_ARM_ADVER)->us);
}

static void test_fsm_backup_shutdown(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = ev(VRRP_EV_SHUTDOWN);

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT_EQUAL(VRRP_STATE_INIT, f.state);
	CU_ASSERT(TYPES(&o, VRRP_ACT_CANCEL_MDOWN, VRRP_ACT_STATE));
	vrrp_fsm_step(&f, &c, &e, 6000, &o); /* again: nothing */
	CU_ASSERT_EQUAL(0, o.n);
}

static void test_fsm_backup_master_down(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;

	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
	CU_ASSERT(TYPES(&o, VRRP_ACT_CANCEL_MDOWN, VRRP_ACT_VIP_ADD, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_GARP, VRRP_ACT_ARM_ADVER, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(100, find(&o, VRRP_ACT_SEND_ADVERT)->prio);
	CU_ASSERT_STRING_EQUAL("master-down", find(&o, VRRP_ACT_STATE)->reason);
}

static void test_fsm_backup_prio0_arms_skew(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(0, "198.18.0.9", 100);

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
	CU_ASSERT_EQUAL(609375, o.a[0].us);
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
}

static void test_fsm_backup_accepts_higher_and_learns_interval(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(200, "198.18.0.9", 10);

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
	CU_ASSERT_EQUAL(10, f.master_adver_cs);
	CU_ASSERT_EQUAL(vrrp_master_down_us(100, 10), o.a[0].us);
	e = adv(100, "198.18.0.9", 10); /* equal priority: accepted too */
	vrrp_fsm_step(&f, &c, &e, 6000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
}

static void test_fsm_backup_preempt_discards_lower(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(50, "198.18.0.9", 100);

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT_EQUAL(0, o.n);
	c.preempt = false;
	vrrp_fsm_step(&f, &c, &e, 6000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
}

static void test_fsm_master_adver_timer(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = ev(VRRP_EV_ADVER_TIMER);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_SEND_ADVERT, VRRP_ACT_ARM_ADVER));
	CU_ASSERT_EQUAL(100, o.a[0].prio);
}

static void test_fsm_master_shutdown_sends_prio0(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = ev(VRRP_EV_SHUTDOWN);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(0, o.a[2].prio);
	CU_ASSERT_EQUAL(VRRP_STATE_INIT, f.state);
}

static void test_fsm_master_prio0_resends(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(0, "198.18.0.9", 100);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_SEND_ADVERT, VRRP_ACT_ARM_ADVER));
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
}

static void test_fsm_master_steps_down_to_higher(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(101, "198.18.0.1", 50);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_ARM_MDOWN,
			VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(vrrp_master_down_us(100, 50), o.a[2].us);
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
}

static void test_fsm_master_tie_break_by_address(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event lo = adv(100, "198.18.0.1", 100), hi = adv(100, "198.18.0.3", 100);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &lo, 5000, &o); /* lower address: discarded */
	CU_ASSERT_EQUAL(0, o.n);
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
	vrrp_fsm_step(&f, &c, &hi, 6000, &o); /* higher address wins */
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
	CU_ASSERT_EQUAL(VRRP_ACT_VIP_DEL, o.a[0].type);
}

static void test_fsm_master_discards_lower_plain(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(50, "198.18.0.9", 100);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT_EQUAL(0, o.n);
}

static void test_fsm_stale_events_ignored(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event a = adv(200, "198.18.0.9", 100), md = ev(VRRP_EV_MASTER_DOWN),
			  at = ev(VRRP_EV_ADVER_TIMER);

	vrrp_fsm_init(&f, &c);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &a, 1, &o));
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &md, 1, &o));
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &at, 1, &o));
	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &at, 2, &o));
	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &md, 3, &o));
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
}

/* ---- ha safe ---- */

/* Two masters that both claimed (a healed partition): the higher one never claims over
 * the lower one's active claim; it releases with priority 0 once the batch is read. */
static void test_safe_dual_master_releases(void)
{
	struct vrrp_cfg c = cfg(200, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(100, "198.18.0.1", 100);
	struct vrrp_event w = ev(VRRP_EV_WAKE), d = ev(VRRP_EV_DRAINED), t = ev(VRRP_EV_ADVER_TIMER);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, 4000000000ull, &o);
	vrrp_fsm_step(&f, &c, &t, 4000000000ull, &o);
	vrrp_fsm_step(&f, &c, &w, 4500000000ull, &o);
	vrrp_fsm_step(&f, &c, &e, 4500000000ull, &o);
	CU_ASSERT_EQUAL(0, o.n); /* decided once the whole batch is read */
	vrrp_fsm_step(&f, &c, &d, 4500000000ull, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_ARM_MDOWN, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(0, o.a[2].prio);
	CU_ASSERT_STRING_EQUAL("dual-master", reason_at(&o, 4));
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
	vrrp_fsm_step(&f, &c, &d, 4500000001ull, &o); /* once */
	CU_ASSERT_EQUAL(0, o.n);
}

/* A guest stopped with its clocks: on resume its clock moved 1 ms, and ten adverts of
 * the peer that took over (2 s of them) queued meanwhile. Demote without a word. */
static void test_safe_frozen_burst_demotes_silently(void)
{
	struct vrrp_cfg c = cfg(150, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(100, "198.18.0.3", 20);
	struct vrrp_event w = ev(VRRP_EV_WAKE), d = ev(VRRP_EV_DRAINED), t = ev(VRRP_EV_ADVER_TIMER);
	uint64_t t0 = 10000000000ull;

	c.adver_cs = 20;
	c.preempt_delay_ms = 3000;
	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, t0, &o);
	vrrp_fsm_step(&f, &c, &t, t0, &o);
	vrrp_fsm_step(&f, &c, &w, t0 + 1000000, &o);
	CU_ASSERT_EQUAL(0, o.n); /* its own clock saw nothing */
	for (int i = 0; i < 10; i++) {
		vrrp_fsm_step(&f, &c, &e, t0 + 1000000, &o);
		CU_ASSERT_EQUAL(0, o.n);
	}
	vrrp_fsm_step(&f, &c, &d, t0 + 1000000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_ARM_MDOWN,
			VRRP_ACT_STATE));
	CU_ASSERT_STRING_EQUAL("frozen", reason_at(&o, 3));
	CU_ASSERT_EQUAL(vrrp_master_down_us(150, 20), o.a[2].us);
	/* then the normal rules: the incumbent is accepted (preemption comes later) */
	vrrp_fsm_step(&f, &c, &w, t0 + 2000000, &o);
	vrrp_fsm_step(&f, &c, &e, t0 + 2000000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
}

/* Two adverts a whole interval apart are no burst: a dual master, released with 0. */
static void test_safe_two_adverts_in_time_are_no_burst(void)
{
	struct vrrp_cfg c = cfg(150, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(100, "198.18.0.3", 20);
	struct vrrp_event w = ev(VRRP_EV_WAKE), d = ev(VRRP_EV_DRAINED), t = ev(VRRP_EV_ADVER_TIMER);
	uint64_t t0 = 10000000000ull;

	c.adver_cs = 20;
	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, t0, &o);
	vrrp_fsm_step(&f, &c, &t, t0, &o);
	vrrp_fsm_step(&f, &c, &w, t0 + 200000000, &o); /* 200 ms later: two may have come */
	vrrp_fsm_step(&f, &c, &e, t0 + 200000000, &o);
	vrrp_fsm_step(&f, &c, &e, t0 + 200000000, &o);
	vrrp_fsm_step(&f, &c, &d, t0 + 200000000, &o);
	CU_ASSERT_PTR_NOT_NULL(find(&o, VRRP_ACT_SEND_ADVERT));
	CU_ASSERT_EQUAL(0, find(&o, VRRP_ACT_SEND_ADVERT)->prio);
	CU_ASSERT_STRING_EQUAL("dual-master", reason_at(&o, o.n - 1));
}

/* With two heartbeat networks each advert comes twice: two copies are one round. */
static void test_safe_burst_counts_rounds_not_copies(void)
{
	struct vrrp_cfg c = cfg(150, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event pub = adv(100, "198.18.0.3", 10), prv = adv(100, "198.18.1.3", 10);
	struct vrrp_event w = ev(VRRP_EV_WAKE), d = ev(VRRP_EV_DRAINED), t = ev(VRRP_EV_ADVER_TIMER);
	uint64_t t0 = 10000000000ull;

	c.adver_cs = 10;
	c.nets = 2;
	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, t0, &o);
	vrrp_fsm_step(&f, &c, &t, t0, &o);
	vrrp_fsm_step(&f, &c, &w, t0 + 10000000, &o); /* 10 ms later: one round, two copies */
	vrrp_fsm_step(&f, &c, &pub, t0 + 10000000, &o);
	vrrp_fsm_step(&f, &c, &prv, t0 + 10000000, &o);
	vrrp_fsm_step(&f, &c, &d, t0 + 10000000, &o);
	CU_ASSERT_STRING_EQUAL("dual-master", reason_at(&o, o.n - 1));
	to_master(&f, &c, &o); /* three rounds in 10 ms: they queued */
	vrrp_fsm_step(&f, &c, &w, t0, &o);
	vrrp_fsm_step(&f, &c, &t, t0, &o);
	vrrp_fsm_step(&f, &c, &w, t0 + 10000000, &o);
	for (int i = 0; i < 3; i++) {
		vrrp_fsm_step(&f, &c, &pub, t0 + 10000000, &o);
		vrrp_fsm_step(&f, &c, &prv, t0 + 10000000, &o);
	}
	vrrp_fsm_step(&f, &c, &d, t0 + 10000000, &o);
	CU_ASSERT_STRING_EQUAL("frozen", reason_at(&o, o.n - 1));
}

/* The master that stays answers a priority 0 with an advert and a gratuitous ARP. */
static void test_safe_master_prio0_reannounces(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(0, "198.18.0.9", 100);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_SEND_ADVERT, VRRP_ACT_GARP, VRRP_ACT_ARM_ADVER));
	CU_ASSERT_EQUAL(100, o.a[0].prio);
}

/* A handoff request from a better peer: VIP first, then priority 0; nobody else heeds. */
static void test_safe_handoff(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event hi = {.type = VRRP_EV_HANDOFF, .prio = 150, .src = ip4("198.18.0.9")};
	struct vrrp_event lo = {.type = VRRP_EV_HANDOFF, .prio = 50, .src = ip4("198.18.0.9")};

	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &hi, 3000, &o)); /* a backup has nothing */
	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &lo, 3000, &o));
	vrrp_fsm_step(&f, &c, &hi, 4000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_ARM_MDOWN, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(0, o.a[2].prio);
	CU_ASSERT_STRING_EQUAL("handoff", reason_at(&o, 4));
	c.safe = false; /* plain VRRP has no handoff */
	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &hi, 4000, &o));
}

/* Only a safe master answers ARP for the VIP, with an advert in the same breath. */
static void test_safe_arp_answered_by_master_only(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event a = ev(VRRP_EV_ARP_REQ);

	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &a, 3000, &o));
	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &a, 3000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARP_REPLY, VRRP_ACT_SEND_ADVERT, VRRP_ACT_ARM_ADVER));
	CU_ASSERT_EQUAL(100, o.a[1].prio);
	CU_ASSERT_EQUAL(1000000, o.a[2].us);
	c.safe = false; /* the kernel answers in plain VRRP */
	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &a, 3000, &o));
}

static void test_safe_master_steps_down_with_prio0(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event e = adv(200, "198.18.0.1", 100);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &e, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_ARM_MDOWN, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(0, o.a[2].prio);
}

static void test_safe_unhealthy_master_hands_over(void)
{
	struct vrrp_cfg c = cfg(200, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event h = {.type = VRRP_EV_HEALTH, .healthy = false};

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &h, 5000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_SEND_ADVERT,
			VRRP_ACT_ARM_MDOWN, VRRP_ACT_STATE));
	CU_ASSERT_EQUAL(0, o.a[2].prio);
	CU_ASSERT_EQUAL(vrrp_master_down_us(1, 100), o.a[3].us);
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, o.a[4].from);
	CU_ASSERT_STRING_EQUAL("unhealthy", reason_at(&o, 4));
	CU_ASSERT_EQUAL(1, vrrp_fsm_prio(&f, &c));
	/* The same news again changes nothing; recovery restores the priority. */
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &h, 5001, &o));
	h.healthy = true;
	vrrp_fsm_step(&f, &c, &h, 5002, &o);
	CU_ASSERT_EQUAL(200, vrrp_fsm_prio(&f, &c));
}

static void test_plain_unhealthy_lowers_priority_only(void)
{
	struct vrrp_cfg c = cfg(200, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event h = {.type = VRRP_EV_HEALTH, .healthy = false};
	struct vrrp_event t = ev(VRRP_EV_ADVER_TIMER);

	to_master(&f, &c, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &h, 5000, &o));
	vrrp_fsm_step(&f, &c, &t, 6000, &o);
	CU_ASSERT_EQUAL(1, o.a[0].prio);
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
}

static void test_safe_backup_unhealthy_yields_to_lower(void)
{
	struct vrrp_cfg c = cfg(200, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event h = {.type = VRRP_EV_HEALTH, .healthy = false};
	struct vrrp_event a = adv(100, "198.18.0.9", 100);

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &h, 5000, &o);
	CU_ASSERT_EQUAL(0, o.n);
	vrrp_fsm_step(&f, &c, &a, 6000, &o); /* healthy peer at 100 > our 1: accepted */
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
}

/* A master silent longer than any peer waits (3 intervals) drops the VIP first. */
static void test_safe_stall_demotes_before_sending(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event w = ev(VRRP_EV_WAKE), t = ev(VRRP_EV_ADVER_TIMER);
	uint64_t t0 = 10000000000ull, quiet_ns = 3000000000ull;

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, t0, &o);
	vrrp_fsm_step(&f, &c, &t, t0, &o); /* our last advert */
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &w, t0 + quiet_ns / 2, &o));
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &w, t0 + quiet_ns, &o));
	vrrp_fsm_step(&f, &c, &w, t0 + quiet_ns + 1000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_VIP_DEL, VRRP_ACT_CANCEL_ADVER, VRRP_ACT_ARM_MDOWN,
			VRRP_ACT_STATE));
	CU_ASSERT_PTR_NULL(find(&o, VRRP_ACT_SEND_ADVERT));
	CU_ASSERT_PTR_NULL(find(&o, VRRP_ACT_GARP));
	CU_ASSERT_STRING_EQUAL("stall", reason_at(&o, 3));
	CU_ASSERT_EQUAL(quiet_ns / 1000 + 1, o.a[3].us); /* the silence it found, in us */
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
}

/* A backup whose wake-ups are a master-down interval apart listens again. */
static void test_safe_backup_stall_restarts_wait(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event w = ev(VRRP_EV_WAKE);
	uint64_t md_ns = vrrp_master_down_us(100, 100) * 1000;

	to_backup(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, 10000000000ull, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &w, 10000000000ull + md_ns, &o));
	vrrp_fsm_step(&f, &c, &w, 10000000000ull + 2 * md_ns + 1000, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
	CU_ASSERT_EQUAL(md_ns / 1000, o.a[0].us);
}

static void test_plain_stall_not_detected(void)
{
	struct vrrp_cfg c = cfg(100, false);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event w = ev(VRRP_EV_WAKE);

	to_master(&f, &c, &o);
	vrrp_fsm_step(&f, &c, &w, 1000000000ull, &o);
	CU_ASSERT_EQUAL(0, vrrp_fsm_step(&f, &c, &w, 60000000000ull, &o));
	CU_ASSERT_EQUAL(VRRP_STATE_MASTER, f.state);
}

static void test_safe_preempt_delay(void)
{
	struct vrrp_cfg c = cfg(200, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event lo = adv(100, "198.18.0.9", 100), hi = adv(250, "198.18.0.8", 100);
	uint64_t t = 1000000000ull;

	c.preempt_delay_ms = 3000;
	to_backup(&f, &c, &o);
	for (int i = 0; i < 30; i++, t += 100000000ull) { /* 3 s of lower adverts: accepted */
		vrrp_fsm_step(&f, &c, &lo, t, &o);
		CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
	}
	vrrp_fsm_step(&f, &c, &lo, t, &o); /* delay over: ask, without an advert */
	CU_ASSERT(TYPES(&o, VRRP_ACT_SEND_HANDOFF, VRRP_ACT_ARM_MDOWN));
	CU_ASSERT_EQUAL(200, o.a[0].prio);
	CU_ASSERT_EQUAL(VRRP_STATE_BACKUP, f.state);
	vrrp_fsm_step(&f, &c, &hi, t, &o); /* a higher master restarts the count */
	vrrp_fsm_step(&f, &c, &lo, t + 1, &o);
	CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
}

/* The kernel never speaks for the VIP in safe mode, so no floor: the RFC interval. */
static void test_safe_master_down_is_rfc(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;

	c.adver_cs = 10;
	to_backup(&f, &c, &o);
	CU_ASSERT_EQUAL(300000 + vrrp_skew_us(100, 10), o.a[0].us);
	CU_ASSERT_EQUAL(vrrp_master_down_us(100, 10), vrrp_fsm_master_down_us(&f, &c));
}

/* Adverts arriving alternately from two heartbeat networks each keep the backup. */
static void test_safe_any_network_resets_master_down(void)
{
	struct vrrp_cfg c = cfg(100, true);
	struct vrrp_fsm f;
	struct vrrp_out o;
	struct vrrp_event a = adv(200, "198.18.0.9", 100), b = adv(200, "198.18.2.9", 100);

	to_backup(&f, &c, &o);
	for (int i = 0; i < 10; i++) {
		vrrp_fsm_step(&f, &c, i & 1 ? &a : &b, 1000 + (uint64_t)i, &o);
		CU_ASSERT(TYPES(&o, VRRP_ACT_ARM_MDOWN));
	}
}

/* ---- model-based ---- */

/* Random events (timers only when armed, as the real loop fires them); after every
 * step the VIP and the timers must match the state. */
static void test_model_invariants_random(void)
{
	struct vrrp_fsm f;
	struct vrrp_out o;
	uint64_t now = 1;

	srand(7);
	for (int run = 0; run < 200; run++) {
		struct vrrp_cfg c = cfg((uint8_t)(1 + rand() % 255), run & 1);
		bool vip = false, adver = false, mdown = false;

		c.preempt = rand() & 1;
		c.preempt_delay_ms = (uint32_t)(rand() % 2) * 500;
		vrrp_fsm_init(&f, &c);
		for (int i = 0; i < 300; i++) {
			struct vrrp_event e = {.type = (enum vrrp_ev_type)(1 + rand() % 10)};

			now += (uint64_t)(rand() % 2000) * 1000000ull;
			if ((e.type == VRRP_EV_MASTER_DOWN && !mdown) ||
			    (e.type == VRRP_EV_ADVER_TIMER && !adver))
				continue;
			if (e.type == VRRP_EV_MASTER_DOWN)
				mdown = false;
			if (e.type == VRRP_EV_ADVER_TIMER)
				adver = false;
			e.prio = (uint8_t)(rand() % 256);
			e.adver_cs = (uint16_t)(1 + rand() % 300);
			e.src.s_addr = htonl(0xc6120000u + (uint32_t)(rand() % 4));
			e.healthy = rand() & 1;
			vrrp_fsm_step(&f, &c, &e, now, &o);
			for (int k = 0; k < o.n; k++) {
				switch (o.a[k].type) {
				case VRRP_ACT_VIP_ADD: CU_ASSERT_FALSE(vip); vip = true; break;
				case VRRP_ACT_VIP_DEL: CU_ASSERT_TRUE(vip); vip = false; break;
				case VRRP_ACT_SEND_ADVERT: /* only a master claims */
					CU_ASSERT(o.a[k].prio == 0 || vip);
					break;
				case VRRP_ACT_GARP: CU_ASSERT(vip); break;
				case VRRP_ACT_ARP_REPLY: CU_ASSERT(vip && c.safe); break;
				case VRRP_ACT_SEND_HANDOFF: /* safe backups ask instead */
					CU_ASSERT(!vip && c.safe && f.state == VRRP_STATE_BACKUP);
					break;
				case VRRP_ACT_ARM_ADVER: adver = true; break;
				case VRRP_ACT_CANCEL_ADVER: adver = false; break;
				case VRRP_ACT_ARM_MDOWN: mdown = true; CU_ASSERT(o.a[k].us > 0); break;
				case VRRP_ACT_CANCEL_MDOWN: mdown = false; break;
				case VRRP_ACT_STATE: CU_ASSERT_EQUAL(o.a[k].to, f.state); break;
				}
			}
			CU_ASSERT_EQUAL(f.state == VRRP_STATE_MASTER, vip);
			CU_ASSERT_EQUAL(f.state == VRRP_STATE_MASTER, adver);
			CU_ASSERT_EQUAL(f.state == VRRP_STATE_BACKUP, mdown);
		}
	}
}

/*
 * A two-member simulation in 1 ms steps, measured the way the wire observer measures
 * (harness/sla_vip.c): a member claims the VIP from each advert with a priority above 0,
 * gratuitous ARP or ARP reply it sends, for 3 advert intervals; a priority-0 advert
 * ends its claim. In plain VRRP the kernel answers ARP for a VIP on the device, frozen
 * process or not. A client asks ARP for the VIP now and then. Frames to a member queue
 * in its inbox (a socket buffer) and are read when it wakes: WAKE, the adverts and
 * handoff requests, DRAINED, the ARP requests, then its due timers - as vrrp_node.c
 * does. Faults: one heartbeat network cut (`ha safe` sends on two, plain VRRP on one),
 * a frozen process (its clock keeps running) and a stopped guest (its clock stops too).
 */
#define SIM_Q 512
#define SIM_HOLD_MS 300 /* 3 x the 100 ms advert interval */

struct sim_node {
	struct vrrp_cfg c;
	struct vrrp_fsm f;
	int64_t adver_at, mdown_at, tick_at; /* on the member's clock, ms; -1 = not armed */
	int64_t lag;			     /* ms the member's clock lost to stopped guests */
	int64_t stall_from, stalled_until;
	bool clock_stops;
	bool vip;
	int64_t claim_until; /* -1: no claim */
	struct vrrp_event inbox[SIM_Q];
	int nin, arp_asked;
};

static void sim_send(struct sim_node *peer, const struct vrrp_event *e)
{
	if (peer->nin < SIM_Q)
		peer->inbox[peer->nin++] = *e;
}

static void sim_claim(struct sim_node *n, int64_t t)
{
	n->claim_until = t + SIM_HOLD_MS;
}

static void sim_apply(struct sim_node *n, struct sim_node *peer, const struct vrrp_out *o,
		      int64_t t, bool link)
{
	int64_t nt = t - n->lag;

	for (int k = 0; k < o->n; k++) {
		const struct vrrp_action *a = &o->a[k];
		struct vrrp_event e = {.prio = a->prio, .adver_cs = n->c.adver_cs,
				       .src = n->c.primary};

		switch (a->type) {
		case VRRP_ACT_VIP_ADD: n->vip = true; break;
		case VRRP_ACT_VIP_DEL: n->vip = false; break;
		case VRRP_ACT_ARM_ADVER: n->adver_at = nt + (int64_t)a->us / 1000; break;
		case VRRP_ACT_CANCEL_ADVER: n->adver_at = -1; break;
		case VRRP_ACT_ARM_MDOWN: n->mdown_at = nt + (int64_t)a->us / 1000; break;
		case VRRP_ACT_CANCEL_MDOWN: n->mdown_at = -1; break;
		case VRRP_ACT_GARP:
		case VRRP_ACT_ARP_REPLY: sim_claim(n, t); break;
		case VRRP_ACT_SEND_ADVERT:
			if (a->prio)
				sim_claim(n, t);
			else if (n->claim_until > t)
				n->claim_until = t;
			e.type = VRRP_EV_ADVERT;
			if (link)
				sim_send(peer, &e);
			break;
		case VRRP_ACT_SEND_HANDOFF:
			e.type = VRRP_EV_HANDOFF;
			if (link)
				sim_send(peer, &e);
			break;
		default: break;
		}
	}
}

static void sim_step(struct sim_node *n, struct sim_node *peer, const struct vrrp_event *e,
		     int64_t t, bool link)
{
	struct vrrp_out o;

	vrrp_fsm_step(&n->f, &n->c, e, (uint64_t)(t - n->lag) * 1000000u, &o);
	sim_apply(n, peer, &o, t, link);
}

static void sim_fire(struct sim_node *n, struct sim_node *peer, int64_t t, bool link)
{
	struct vrrp_event w = ev(VRRP_EV_WAKE), d = ev(VRRP_EV_DRAINED), e;
	int64_t nt;

	if (n->stalled_until > t)
		return;
	if (n->clock_stops && n->stall_from >= 0) /* a stopped guest's clock lost the stall */
		n->lag += n->stalled_until - n->stall_from;
	n->stall_from = -1;
	nt = t - n->lag;
	if (!n->nin && !n->arp_asked && (n->adver_at < 0 || n->adver_at > nt) &&
	    (n->mdown_at < 0 || n->mdown_at > nt) && nt - n->tick_at < n->c.adver_cs * 10)
		return; /* the loop wakes for a frame, a timer or its tick (one interval) */
	n->tick_at = nt;
	sim_step(n, peer, &w, t, link);
	for (int i = 0; i < n->nin; i++)
		sim_step(n, peer, &n->inbox[i], t, link);
	n->nin = 0;
	sim_step(n, peer, &d, t, link);
	for (e = ev(VRRP_EV_ARP_REQ); n->arp_asked; n->arp_asked--)
		sim_step(n, peer, &e, t, link);
	if (n->adver_at >= 0 && n->adver_at <= nt) {
		n->adver_at = -1;
		e = ev(VRRP_EV_ADVER_TIMER);
		sim_step(n, peer, &e, t, link);
	}
	if (n->mdown_at >= 0 && n->mdown_at <= nt) {
		n->mdown_at = -1;
		e = ev(VRRP_EV_MASTER_DOWN);
		sim_step(n, peer, &e, t, link);
	}
}

static void sim_fault(struct sim_node *n, int64_t *cut_until, int64_t t)
{
	int r = rand() % 4000;

	if (r == 0 && t >= cut_until[0] && t >= cut_until[1])
		cut_until[rand() & 1] = t + 50 + rand() % 2000; /* one heartbeat link flaps */
	if (r == 1) {
		struct sim_node *x = &n[rand() & 1];

		if (x->stalled_until <= t) {
			x->stall_from = t;
			x->stalled_until = t + 200 + rand() % 3000;
			x->clock_stops = rand() & 1;
		}
	}
}

/* Returns the milliseconds both claimed the VIP; *masters_end: masters at the end. */
static int sim_run(bool safe, uint64_t seed, int *masters_end)
{
	struct sim_node n[2];
	struct vrrp_event st = ev(VRRP_EV_STARTUP);
	int both = 0;
	int64_t cut_until[2] = {-1, -1}; /* two heartbeat networks; plain VRRP uses only [0] */

	srand((unsigned)seed);
	for (int i = 0; i < 2; i++) {
		memset(&n[i], 0, sizeof(n[i]));
		n[i].c = cfg(i ? 100 : 200, safe);
		n[i].adver_at = n[i].mdown_at = n[i].claim_until = n[i].stall_from = -1;
		n[i].c.adver_cs = 10;
		n[i].c.primary.s_addr = htonl(0xc6120001u + (uint32_t)i);
		n[i].c.preempt_delay_ms = safe ? 3000 : 0;
		vrrp_fsm_init(&n[i].f, &n[i].c);
	}
	for (int i = 0; i < 2; i++)
		sim_step(&n[i], &n[1 - i], &st, 1, false);
	for (int64_t t = 2; t < 60000; t++) {
		bool link;

		if (t < 50000)
			sim_fault(n, cut_until, t);
		link = t >= cut_until[0] || (safe && t >= cut_until[1]);
		if (rand() % 500 == 0) /* a client asks who has the VIP */
			for (int i = 0; i < 2; i++) {
				if (safe)
					n[i].arp_asked++;
				else if (n[i].vip) /* the kernel answers, frozen or not */
					sim_claim(&n[i], t);
			}
		for (int i = 0; i < 2; i++)
			sim_fire(&n[i], &n[1 - i], t, link);
		if (n[0].claim_until > t && n[1].claim_until > t)
			both++;
	}
	*masters_end = (n[0].f.state == VRRP_STATE_MASTER) + (n[1].f.state == VRRP_STATE_MASTER);
	return both;
}

static void test_model_two_members_safe_never_split(void)
{
	int split_plain = 0;

	for (uint64_t seed = 1; seed <= 60; seed++) {
		int m, both = sim_run(true, seed, &m);

		CU_ASSERT_EQUAL(0, both);
		if (both)
			fprintf(stderr, "seed %llu: %d ms split\n", (unsigned long long)seed, both);
		CU_ASSERT_EQUAL(1, m);
		split_plain += sim_run(false, seed, &m);
		CU_ASSERT_EQUAL(1, m);
	}
	/* The same faults do split plain VRRP (the test would be vacuous otherwise). */
	CU_ASSERT(split_plain > 0);
}

/* ---- the outside clock (vrrp_oclock.c) ---- */

#define OC_S 1000000000ull

/* An RTC that shows whole seconds of a host clock @off_ns ahead of the monotonic one. */
static int64_t oc_rtc(uint64_t mono_ns, uint64_t off_ns)
{
	return (int64_t)((mono_ns + off_ns) / OC_S);
}

/* Readings every @step_ns for @n steps from @mono; returns the last monotonic time. */
static uint64_t oc_run(struct vrrp_oclock *c, uint64_t mono, uint64_t off, uint64_t step,
		       int n, uint64_t *found)
{
	for (int i = 0; i < n; i++, mono += step)
		*found += vrrp_oclock_observe(c, oc_rtc(mono, off), mono);
	return mono;
}

static void test_oclock_steady(void)
{
	struct vrrp_oclock c;
	uint64_t found = 0;

	vrrp_oclock_off(&c);
	/* 10 minutes at the advert rate of 100 ms, and at an irregular 37 ms: nothing */
	uint64_t m = oc_run(&c, 5 * OC_S + 123456789, 1796186368ull * OC_S, 100000000, 6000, &found);
	oc_run(&c, m, 1796186368ull * OC_S, 37000000, 3000, &found);
	CU_ASSERT_EQUAL(0, found);
	CU_ASSERT_EQUAL(0, c.jumps);
	CU_ASSERT(c.hi - c.lo < 200000000); /* readings at many phases narrowed it down */
}

static void test_oclock_drift(void)
{
	struct vrrp_oclock c;
	uint64_t found = 0, off = 1000 * OC_S, mono = 7 * OC_S;

	vrrp_oclock_off(&c);
	/* the host clock runs 200 ppm faster than the guest's for an hour: not a stall */
	for (int i = 0; i < 36000; i++, mono += 100000000, off += 20000)
		found += vrrp_oclock_observe(&c, oc_rtc(mono, off), mono);
	CU_ASSERT_EQUAL(0, found);
}

/* A stall of @stall_ns (the RTC runs on, the monotonic clock does not) at every phase
 * of the second, readings 100 ms apart: what is found never exceeds the stall, is found
 * at the first reading after it or never, and a stall of more than 2 s is always found
 * (at least the stall less 1.2 s). */
static void test_oclock_stall(void)
{
	static const uint64_t stalls[] = {300000000, 800000000, 1500000000, 2100000000,
					  3 * OC_S, 5 * OC_S, 60 * OC_S};

	for (size_t k = 0; k < sizeof(stalls) / sizeof(stalls[0]); k++) {
		unsigned seen = 0, tries = 0;
		for (uint64_t phase = 0; phase < OC_S; phase += 61000000, tries++) {
			struct vrrp_oclock c;
			uint64_t found = 0, off = 500 * OC_S + phase;
			vrrp_oclock_off(&c);
			uint64_t m = oc_run(&c, 3 * OC_S, off, 100000000, 50, &found);
			CU_ASSERT_EQUAL(0, found);
			off += stalls[k]; /* the stall: the host's clock moved, ours did not */
			uint64_t got = vrrp_oclock_observe(&c, oc_rtc(m, off), m);
			CU_ASSERT(got <= stalls[k]);
			CU_ASSERT_EQUAL(got, c.unseen_ns);
			seen += got > 0;
			if (stalls[k] > 2 * OC_S)
				CU_ASSERT(got + OC_S + 200000000 >= stalls[k]);
			/* afterwards, steady again: nothing more, not even the part of a
			 * short stall that shows at the next change of second */
			found = 0;
			oc_run(&c, m + 100000000, off, 100000000, 30, &found);
			CU_ASSERT_EQUAL(0, found);
		}
		if (stalls[k] > 2 * OC_S)
			CU_ASSERT_EQUAL(tries, seen);
		if (stalls[k] < VRRP_OCLOCK_MIN_NS)
			CU_ASSERT_EQUAL(0, seen);
	}
}

static void test_oclock_set_back(void)
{
	struct vrrp_oclock c;
	uint64_t found = 0;

	vrrp_oclock_off(&c);
	uint64_t m = oc_run(&c, OC_S, 1000 * OC_S, 100000000, 40, &found);
	/* someone set the RTC back an hour: start again, no stall */
	m = oc_run(&c, m, 1000 * OC_S - 3600 * OC_S, 100000000, 40, &found);
	CU_ASSERT_EQUAL(0, found);
	/* off: nothing to read */
	vrrp_oclock_off(&c);
	CU_ASSERT_EQUAL(0, vrrp_oclock_read(&c));
	CU_ASSERT_EQUAL(-1, vrrp_oclock_open(&c, "/nonexistent/since_epoch"));
	CU_ASSERT_EQUAL(0, vrrp_oclock_read(&c));
}

void register_vrrp_suite(void)
{
	CU_pSuite s = CU_add_suite("vrrp", NULL, NULL);

	CU_add_test(s, "pkt_round_trip", test_pkt_round_trip);
	CU_add_test(s, "oclock_steady", test_oclock_steady);
	CU_add_test(s, "oclock_drift", test_oclock_drift);
	CU_add_test(s, "oclock_stall", test_oclock_stall);
	CU_add_test(s, "oclock_set_back", test_oclock_set_back);
	CU_add_test(s, "pkt_wire_layout", test_pkt_wire_layout);
	CU_add_test(s, "pkt_encode_rejects_bad_fields", test_pkt_encode_rejects_bad_fields);
	CU_add_test(s, "pkt_each_rejection", test_pkt_each_rejection);
	CU_add_test(s, "pkt_decode_ip", test_pkt_decode_ip);
	CU_add_test(s, "pkt_bit_flips_rejected", test_pkt_bit_flips_rejected);
	CU_add_test(s, "fsm_timer_formulas", test_fsm_timer_formulas);
	CU_add_test(s, "fsm_init_startup_to_backup", test_fsm_init_startup_to_backup);
	CU_add_test(s, "fsm_init_owner_to_master", test_fsm_init_owner_to_master);
	CU_add_test(s, "fsm_backup_shutdown", test_fsm_backup_shutdown);
	CU_add_test(s, "fsm_backup_master_down", test_fsm_backup_master_down);
	CU_add_test(s, "fsm_backup_prio0_arms_skew", test_fsm_backup_prio0_arms_skew);
	CU_add_test(s, "fsm_backup_accepts_higher", test_fsm_backup_accepts_higher_and_learns_interval);
	CU_add_test(s, "fsm_backup_preempt_discards_lower", test_fsm_backup_preempt_discards_lower);
	CU_add_test(s, "fsm_master_adver_timer", test_fsm_master_adver_timer);
	CU_add_test(s, "fsm_master_shutdown_sends_prio0", test_fsm_master_shutdown_sends_prio0);
	CU_add_test(s, "fsm_master_prio0_resends", test_fsm_master_prio0_resends);
	CU_add_test(s, "fsm_master_steps_down_to_higher", test_fsm_master_steps_down_to_higher);
	CU_add_test(s, "fsm_master_tie_break_by_address", test_fsm_master_tie_break_by_address);
	CU_add_test(s, "fsm_master_discards_lower_plain", test_fsm_master_discards_lower_plain);
	CU_add_test(s, "fsm_stale_events_ignored", test_fsm_stale_events_ignored);
	CU_add_test(s, "safe_dual_master_releases", test_safe_dual_master_releases);
	CU_add_test(s, "safe_frozen_burst_demotes_silently", test_safe_frozen_burst_demotes_silently);
	CU_add_test(s, "safe_two_adverts_in_time_are_no_burst", test_safe_two_adverts_in_time_are_no_burst);
	CU_add_test(s, "safe_burst_counts_rounds_not_copies", test_safe_burst_counts_rounds_not_copies);
	CU_add_test(s, "safe_master_prio0_reannounces", test_safe_master_prio0_reannounces);
	CU_add_test(s, "safe_handoff", test_safe_handoff);
	CU_add_test(s, "safe_arp_answered_by_master_only", test_safe_arp_answered_by_master_only);
	CU_add_test(s, "safe_backup_stall_restarts_wait", test_safe_backup_stall_restarts_wait);
	CU_add_test(s, "safe_master_steps_down_with_prio0", test_safe_master_steps_down_with_prio0);
	CU_add_test(s, "safe_unhealthy_master_hands_over", test_safe_unhealthy_master_hands_over);
	CU_add_test(s, "plain_unhealthy_lowers_priority", test_plain_unhealthy_lowers_priority_only);
	CU_add_test(s, "safe_backup_unhealthy_yields", test_safe_backup_unhealthy_yields_to_lower);
	CU_add_test(s, "safe_stall_demotes_before_sending", test_safe_stall_demotes_before_sending);
	CU_add_test(s, "plain_stall_not_detected", test_plain_stall_not_detected);
	CU_add_test(s, "safe_preempt_delay", test_safe_preempt_delay);
	CU_add_test(s, "safe_master_down_is_rfc", test_safe_master_down_is_rfc);
	CU_add_test(s, "safe_any_network_resets_master_down", test_safe_any_network_resets_master_down);
	CU_add_test(s, "model_invariants_random", test_model_invariants_random);
	CU_add_test(s, "model_two_members_safe_never_split", test_model_two_members_safe_never_split);
}
