/*
 * test_obs.c - the observers' pure parts: frames built byte by byte here and fed to the
 * decoder, the retransmission detector, the requests.csv parser and tailer and
 * events.jsonl ingestion; the request logs of a run directory followed.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obs.h"
#include "run.h"
#include "scn.h"
#include "vrrp_pkt.h"

static const uint8_t t_mac1[6] = {0x02, 0, 0, 0, 0, 0x01};

static size_t t_eth(uint8_t *b, uint16_t type)
{
	memset(b, 0xff, 6);
	memcpy(b + 6, t_mac1, 6);
	b[12] = (uint8_t)(type >> 8);
	b[13] = (uint8_t)type;
	return 14;
}

static uint32_t t_ip(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static size_t t_arp(uint8_t *b, int op, const char *spa, const char *tpa)
{
	size_t n = t_eth(b, 0x0806);
	uint8_t *a = b + n;
	memset(a, 0, 28);
	a[1] = 1;		 /* htype ethernet */
	a[2] = 0x08;		 /* ptype IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = (uint8_t)op;
	memcpy(a + 8, t_mac1, 6);
	uint32_t s = t_ip(spa), t = t_ip(tpa);
	memcpy(a + 14, &s, 4);
	memcpy(a + 24, &t, 4);
	return n + 28;
}

/* IPv4 header (no options) at b + 14 for @plen payload bytes; returns 34. */
static size_t t_ip4(uint8_t *b, int proto, int ttl, const char *src, const char *dst,
		    size_t plen)
{
	size_t n = t_eth(b, 0x0800);
	uint8_t *ip = b + n;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + plen) >> 8);
	ip[3] = (uint8_t)(20 + plen);
	ip[8] = (uint8_t)ttl;
	ip[9] = (uint8_t)proto;
	uint32_t s = t_ip(src), d = t_ip(dst);
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	return n + 20;
}

static size_t t_tcp(uint8_t *b, uint32_t seq, uint8_t flags, size_t payload)
{
	size_t n = t_ip4(b, 6, 64, "198.18.0.10", "198.18.0.100", 20 + payload);
	uint8_t *t = b + n;
	memset(t, 0, 20 + payload);
	t[0] = 0xc3, t[1] = 0x50; /* 50000 */
	t[3] = 80;
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
	t[12] = 5 << 4;
	t[13] = flags;
	return n + 20 + payload;
}

static void test_frame_arp(void)
{
	uint8_t b[128];
	struct obs_frame f;
	size_t n = t_arp(b, 1, "198.18.0.100", "198.18.0.100");
	CU_ASSERT_EQUAL(OBS_FR_ARP, obs_frame_decode(b, n, &f));
	CU_ASSERT_EQUAL(OBS_ARP_REQUEST, f.arp_op);
	CU_ASSERT_TRUE(f.arp_gratuitous);
	CU_ASSERT_EQUAL(t_ip("198.18.0.100"), f.arp_spa.s_addr);
	CU_ASSERT_EQUAL(0, memcmp(t_mac1, f.arp_sha, 6));
	n = t_arp(b, 2, "198.18.0.100", "198.18.0.10");
	CU_ASSERT_EQUAL(OBS_FR_ARP, obs_frame_decode(b, n, &f));
	CU_ASSERT_EQUAL(OBS_ARP_REPLY, f.arp_op);
	CU_ASSERT_FALSE(f.arp_gratuitous);
	CU_ASSERT_EQUAL(OBS_FR_NONE, obs_frame_decode(b, n - 1, &f)); /* truncated */
	b[14 + 7] = 3; /* RARP op */
	CU_ASSERT_EQUAL(OBS_FR_NONE, obs_frame_decode(b, n, &f));
}

static void test_frame_vrrp(void)
{
	uint8_t b[256];
	struct vrrp_pkt p = {.vrid = 51, .prio = 150, .naddr = 1, .adver_cs = 10};
	p.addrs[0].s_addr = t_ip("198.18.0.100");
	struct in_addr src = {t_ip("198.18.1.1")}, dst = {t_ip("224.0.0.18")};
	size_t n = t_ip4(b, 112, 255, "198.18.1.1", "224.0.0.18", 12);
	ssize_t m = vrrp_pkt_encode(&p, src, dst, b + n, sizeof(b) - n);
	CU_ASSERT_EQUAL_FATAL(12, m);
	struct obs_frame f;
	CU_ASSERT_EQUAL(OBS_FR_VRRP, obs_frame_decode(b, n + 12, &f));
	CU_ASSERT_EQUAL(51, f.vrid);
	CU_ASSERT_EQUAL(150, f.prio);
	CU_ASSERT_EQUAL(100, f.adver_ms);
	CU_ASSERT_EQUAL(1, f.naddr);
	CU_ASSERT_EQUAL(t_ip("198.18.0.100"), f.addrs[0].s_addr);
	CU_ASSERT_EQUAL(src.s_addr, f.ip_src.s_addr);
	b[14 + 8] = 254; /* TTL not 255: someone routed it, RFC 5798 7.1 */
	CU_ASSERT_EQUAL(OBS_FR_NONE, obs_frame_decode(b, n + 12, &f));
}

static void test_frame_icmp(void)
{
	uint8_t b[128];
	size_t n = t_ip4(b, 1, 64, "198.18.1.254", "198.18.0.10", 8);
	memset(b + n, 0, 8);
	b[n] = 3;
	b[n + 1] = 4;
	struct obs_frame f;
	CU_ASSERT_EQUAL(OBS_FR_ICMP, obs_frame_decode(b, n + 8, &f));
	CU_ASSERT_TRUE(f.frag_needed);
	b[n + 1] = 1; /* host unreachable */
	CU_ASSERT_EQUAL(OBS_FR_ICMP, obs_frame_decode(b, n + 8, &f));
	CU_ASSERT_FALSE(f.frag_needed);
	b[n] = 0; /* echo reply: not ours */
	CU_ASSERT_EQUAL(OBS_FR_NONE, obs_frame_decode(b, n + 8, &f));

	/* ICMPv6 packet too big */
	n = t_eth(b, 0x86dd);
	memset(b + n, 0, 48);
	b[n] = 0x60;
	b[n + 5] = 8;
	b[n + 6] = 58;
	b[n + 40] = 2;
	CU_ASSERT_EQUAL(OBS_FR_ICMP, obs_frame_decode(b, n + 48, &f));
	CU_ASSERT_TRUE(f.frag_needed);
	CU_ASSERT_EQUAL(AF_INET6, f.family);
}

static void test_frame_tcp_retrans(void)
{
	uint8_t b[2048];
	struct obs_frame f;
	struct obs_tcp *t = obs_tcp_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	size_t n = t_tcp(b, 1000, 0x02, 0); /* SYN: seq 1000, high 1001 */
	CU_ASSERT_EQUAL(OBS_FR_TCP, obs_frame_decode(b, n, &f));
	CU_ASSERT_TRUE(f.syn);
	CU_ASSERT_EQUAL(50000, f.sport);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	n = t_tcp(b, 1001, 0x18, 100); /* data 1001..1101 */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_EQUAL(100, f.payload);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	n = t_tcp(b, 1101, 0x10, 0); /* a pure ACK: never a retransmission */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	n = t_tcp(b, 1001, 0x18, 100); /* the same segment again */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_TRUE(obs_tcp_is_retrans(t, &f));
	n = t_tcp(b, 1101, 0x18, 50); /* new data */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	/* the payload length comes from the IP header even when the capture is cut */
	n = t_tcp(b, 1151, 0x18, 1400);
	CU_ASSERT_EQUAL(OBS_FR_TCP, obs_frame_decode(b, 96, &f));
	CU_ASSERT_EQUAL(1400, f.payload);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	CU_ASSERT_TRUE(obs_tcp_is_retrans(t, &f));
	/* the same segment routed onto another network is seen there once: not resent */
	n = t_tcp(b, 2551, 0x18, 100);
	obs_frame_decode(b, n, &f);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	f.segment = 1;
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	CU_ASSERT_TRUE(obs_tcp_is_retrans(t, &f));
	/* sequence numbers wrap (a fresh table: a new connection) */
	obs_tcp_free(t);
	t = obs_tcp_new();
	n = t_tcp(b, 0xffffff00u, 0x18, 0x200);
	obs_frame_decode(b, n, &f);
	obs_tcp_is_retrans(t, &f);
	n = t_tcp(b, 0x100, 0x18, 10); /* high is 0x100 after the wrap: new data */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_FALSE(obs_tcp_is_retrans(t, &f));
	n = t_tcp(b, 0xffffff80u, 0x18, 10); /* before it: old data */
	obs_frame_decode(b, n, &f);
	CU_ASSERT_TRUE(obs_tcp_is_retrans(t, &f));
	obs_tcp_free(t);
}

static void test_csv_parse(void)
{
	struct obs_req r;
	CU_ASSERT_EQUAL(1, obs_req_parse("sched_ns,start_ns,end_ns,outcome,latency_us,backend,"
					 "bytes\n", &r));
	CU_ASSERT_EQUAL(0, obs_req_parse("100,101,2100,ok,2,web1,512\n", &r));
	CU_ASSERT_EQUAL(100, r.sched_ns);
	CU_ASSERT_EQUAL(2100, r.end_ns);
	CU_ASSERT_EQUAL(OBS_OK, r.outcome);
	CU_ASSERT_EQUAL(2, r.latency_us);
	CU_ASSERT_STRING_EQUAL("web1", r.backend);
	CU_ASSERT_EQUAL(512, r.bytes);
	CU_ASSERT_EQUAL(0, obs_req_parse("100,0,1000100,connect-timeout,1000,,0", &r));
	CU_ASSERT_EQUAL(OBS_CONNECT_TIMEOUT, r.outcome);
	CU_ASSERT_STRING_EQUAL("", r.backend);
	CU_ASSERT_EQUAL(-1, obs_req_parse("100,101,2100,fine,2,web1,512", &r));
	CU_ASSERT_EQUAL(-1, obs_req_parse("100,101,2100,ok,2,web1", &r));
	CU_ASSERT_EQUAL(-1, obs_req_parse("100,101,2100,ok,2,web1,512,9", &r));
	CU_ASSERT_EQUAL(-1, obs_req_parse("1x0,101,2100,ok,2,web1,512", &r));
}

static void test_csv_tail(void)
{
	char path[] = "/tmp/fl-test-obs-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	struct obs_store *st = obs_store_new();
	struct obs_tail *t = obs_tail_new(path);
	const char *chunks[] = {"sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n1,",
				"1,5,ok,4,web1,10\n2,2,9,res", "et,7,,0\n", "bogus\n3,3,4,ok,1,w,1"};
	int want[] = {0, 1, 1, 0};
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(strlen(chunks[i]), write(fd, chunks[i], strlen(chunks[i])));
		CU_ASSERT_EQUAL(want[i], obs_tail_poll(t, st));
	}
	CU_ASSERT_EQUAL(2, st->n_req);
	CU_ASSERT_EQUAL(OBS_RESET, st->req[1].outcome);
	CU_ASSERT_EQUAL(1, obs_tail_bad_lines(t));
	CU_ASSERT_EQUAL(1, write(fd, "\n", 1)); /* the last line completes */
	CU_ASSERT_EQUAL(1, obs_tail_poll(t, st));
	CU_ASSERT_EQUAL(3, st->req[2].sched_ns);
	obs_tail_free(t);
	close(fd);
	unlink(path);
	/* a file that does not exist yet is not an error */
	t = obs_tail_new("/nonexistent/requests.csv");
	CU_ASSERT_EQUAL(0, obs_tail_poll(t, st));
	obs_tail_free(t);
	obs_store_free(st);
}

static void test_events_ingest(void)
{
	struct obs_store *st = obs_store_new();
	const char *lines[] = {
		"{\"t_ns\":1000,\"src\":\"timeline\",\"ev\":\"start\"}",
		"{\"t_ns\":1234,\"src\":\"timeline\",\"ev\":\"apply\",\"id\":3,\"fault\":\"link "
		"down\",\"target\":\"lb1.private\",\"sched_ns\":1200}",
		"{\"t_ns\":1299,\"src\":\"timeline\",\"ev\":\"revert\",\"id\":3,\"fault\":\"link "
		"down\",\"target\":\"lb1.private\",\"sched_ns\":1290}",
		"{\"t_ns\":1300,\"src\":\"lb1\",\"ev\":\"state\",\"from\":\"backup\",\"to\":"
		"\"master\",\"reason\":\"master-down\"}",
		"{\"t_ns\":1301,\"src\":\"lb1\",\"ev\":\"backend\",\"backend\":\"web1\",\"addr\":"
		"\"198.18.1.3:80\",\"state\":\"down\",\"reason\":\"timeout\"}",
		"{\"t_ns\":1302,\"src\":\"wire\",\"ev\":\"arp\",\"net\":\"public\",\"ip\":"
		"\"198.18.0.100\",\"mac\":\"02:00:00:00:00:01\",\"node\":\"lb2\",\"op\":\"garp\"}",
		"{\"t_ns\":1303,\"src\":\"wire\",\"ev\":\"vrrp\",\"net\":\"private\",\"from\":"
		"\"198.18.1.1\",\"node\":\"lb1\",\"vrid\":51,\"prio\":150,\"adver_ms\":100,"
		"\"vips\":\"198.18.0.100,198.18.0.101\"}",
		"{\"t_ns\":1304,\"src\":\"wire\",\"ev\":\"icmp\",\"net\":\"private\",\"node\":"
		"\"r\",\"kind\":\"frag-needed\"}",
		"{\"t_ns\":1305,\"src\":\"web1\",\"ev\":\"ready\"}",
	};
	int want[] = {1, 1, 1, 1, 1, 1, 1, 1, 0};
	for (int i = 0; i < 9; i++)
		CU_ASSERT_EQUAL(want[i], obs_event_ingest(st, lines[i]));
	CU_ASSERT_EQUAL(-1, obs_event_ingest(st, "{\"src\":\"x\",\"ev\":\"y\"}"));
	CU_ASSERT_EQUAL(1000, st->t0_ns);
	CU_ASSERT_EQUAL_FATAL(1, st->n_flt);
	CU_ASSERT_STRING_EQUAL("lb1", st->flt[0].node);
	CU_ASSERT_EQUAL(1299, st->flt[0].revert_ns);
	CU_ASSERT_EQUAL_FATAL(2, st->n_lb);
	CU_ASSERT_FALSE(st->lb[1].up);
	CU_ASSERT_STRING_EQUAL("web1", st->lb[1].backend);
	CU_ASSERT_EQUAL_FATAL(3, st->n_vip);
	CU_ASSERT_EQUAL(OBS_VIP_GARP, st->vip[0].kind);
	CU_ASSERT_EQUAL(0x01, st->vip[0].mac[5]);
	CU_ASSERT_EQUAL(100, st->vip[2].adver_ms);
	CU_ASSERT_EQUAL(t_ip("198.18.0.101"), st->vip[2].vip.s_addr);
	CU_ASSERT_EQUAL_FATAL(1, st->n_mark);
	CU_ASSERT_EQUAL(OBS_MARK_FRAG_NEEDED, st->mark[0].kind);
	obs_store_free(st);
}

/* A capture's "end" event into the store: its files, counts and cap; "start" ignored. */
static void test_events_capture(void)
{
	struct obs_store *st = obs_store_new();

	CU_ASSERT_EQUAL(0, obs_event_ingest(st, "{\"t_ns\":5,\"src\":\"capture\",\"ev\":"
						"\"start\",\"net\":\"back\"}"));
	CU_ASSERT_EQUAL(1, obs_event_ingest(st,
					    "{\"t_ns\":9,\"src\":\"capture\",\"ev\":\"end\",\"net\":"
					    "\"back\",\"files\":[\"capture-back.2.pcapng\",\"capture-"
					    "back.3.pcapng\"],\"frames\":167,\"bytes\":1000,\"dropped\":"
					    "2,\"not_written\":0,\"cap_reached\":true,\"comments\":1,"
					    "\"max\":4096,\"ring\":2}"));
	CU_ASSERT_EQUAL_FATAL(1, st->n_cap);
	CU_ASSERT_STRING_EQUAL("back", st->cap[0].net);
	CU_ASSERT_STRING_EQUAL("capture-back.2.pcapng capture-back.3.pcapng", st->cap[0].files);
	CU_ASSERT_EQUAL(167, st->cap[0].frames);
	CU_ASSERT_EQUAL(2, st->cap[0].dropped);
	CU_ASSERT_EQUAL(4096, st->cap[0].max);
	CU_ASSERT_EQUAL(2, st->cap[0].ring);
	CU_ASSERT(st->cap[0].cap_reached);
	CU_ASSERT_EQUAL(0, st->n_lb); /* not taken for a service's event */
	obs_store_free(st);
}

/* A fault's node is the single node its target names: none for a partition, either way. */
static void test_fault_target_node(void)
{
	struct obs_store *st = obs_store_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	const struct {
		const char *target, *node;
	} c[] = {{"lb1.private", "lb1"}, {"lb1 lb", "lb1"}, {"lb1", "lb1"}, {"a,b / c", ""},
		 {"a / c", ""},	       {"a -> c", ""},	{"a,b -> c,d", ""}};
	for (int i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL_FATAL(0, obs_fault_apply(st, i + 1, "x", c[i].target, 1000));
		CU_ASSERT_STRING_EQUAL(c[i].node, st->flt[i].node);
		CU_ASSERT_STRING_EQUAL(c[i].target, st->flt[i].target);
	}
	obs_store_free(st);
}

/* Lines no writer makes (a torn tail, a guest's garbage) are refused and change nothing. */
static void test_events_ingest_garbage(void)
{
	struct obs_store *st = obs_store_new();
	const char *bad[] = {
	    "",
	    "{\"t_ns\":1234,\"src\":\"timeline\",\"ev\":\"apply\",\"id\":3,\"fault\":\"link",
	    "{\"t_ns\":\"1234\",\"src\":\"timeline\",\"ev\":\"apply\",\"id\":3}",
	    "{\"t_ns\":1234,\"src\":\"\",\"ev\":\"apply\"}",
	    "{\"t_ns\":1234,\"src\":\"lb1\",\"ev\":7}",
	    "[{\"t_ns\":1234,\"src\":\"lb1\",\"ev\":\"state\"}]",
	    "{\"t_ns\":1234,\"src\":\"lb1\",\"ev\":\"state\"} {\"t_ns\":1}",
	    "{\"t_ns\":1234,\"src\":\"lb\xff\",\"ev\":\"state\",\"to\":\"master\"}",
	    "\x7f"
	    "ELF\x02\x01\x01",
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(-1, obs_event_ingest(st, bad[i]));
		CU_ASSERT_EQUAL(EINVAL, errno);
	}
	CU_ASSERT_EQUAL(0, st->n_flt);
	CU_ASSERT_EQUAL(0, st->n_lb);
	/* a member that is no string reads as absent: the fault has no name */
	CU_ASSERT_EQUAL(1, obs_event_ingest(st, "{\"t_ns\":5,\"src\":\"timeline\",\"ev\":\"apply\","
						"\"id\":1,\"fault\":[1],\"target\":\"a.b\"}"));
	CU_ASSERT_EQUAL_FATAL(1, st->n_flt);
	obs_store_free(st);
}

/* A frame stamped by the kernel 30 ms before we read the clocks happened 30 ms before
 * "now" on the monotonic clock too; a stamp from the future (clock step) is "now". */
static void test_mono_from_real(void)
{
	int64_t real_now = 1764000000000000000LL, mono_now = 5000000000LL;

	CU_ASSERT_EQUAL(mono_now - 30000000, obs_mono_from_real(real_now - 30000000, real_now,
								 mono_now));
	CU_ASSERT_EQUAL(mono_now, obs_mono_from_real(real_now, real_now, mono_now));
	CU_ASSERT_EQUAL(mono_now, obs_mono_from_real(real_now + 5, real_now, mono_now));
}

static void t_append(const struct run *r, const char *name, const char *text)
{
	char path[4096];
	run_path(r, name, path, sizeof(path));
	FILE *f = fopen(path, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* The request logs of a run directory are followed as they appear and grow; other
 * files, and a line not yet complete, are not read. */
static void test_reqlogs_follow(void)
{
	static const char text[] = "scenario unit-obs\nduration 1s\n"
				   "network lan 198.18.0.0/24\nnode a on lan\n";
	static const char head[] = "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n";
	char base[] = "/tmp/fl-test-reqlogs-XXXXXX", cmd[64];
	struct scn_err err;
	struct scn *s = scn_parse("u.scn", text, sizeof(text) - 1, NULL, 0, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	struct run *r = run_new(s, base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct obs_store *st = obs_store_new();
	struct obs_reqlogs *f = obs_reqlogs_new(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);

	obs_reqlogs_poll(f, st); /* no log yet */
	CU_ASSERT_EQUAL(0, st->n_req);
	t_append(r, "requests-c1.csv", head);
	t_append(r, "requests-c1.csv", "1,1,5,ok,4,web1,10\n2,2,9,re");
	t_append(r, "requests.txt", "3,3,4,ok,1,w,1\n"); /* not a request log */
	obs_reqlogs_poll(f, st);
	CU_ASSERT_EQUAL(1, st->n_req);
	t_append(r, "requests-c1.csv", "set,7,,0\n");
	t_append(r, "requests-c2.csv", head);
	t_append(r, "requests-c2.csv", "4,4,6,ok,2,web2,10\n");
	obs_reqlogs_poll(f, st);
	CU_ASSERT_EQUAL_FATAL(3, st->n_req);
	CU_ASSERT_EQUAL(OBS_RESET, st->req[1].outcome);
	CU_ASSERT_STRING_EQUAL("web2", st->req[2].backend);
	obs_reqlogs_poll(f, st); /* nothing new: nothing counted twice */
	CU_ASSERT_EQUAL(3, st->n_req);

	obs_reqlogs_free(f);
	obs_reqlogs_free(NULL);
	obs_store_free(st);
	run_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CU_ASSERT_EQUAL(0, system(cmd));
	scn_free(s);
}

void register_obs_suite(void);
void register_obs_suite(void)
{
	CU_pSuite s = CU_add_suite("obs", NULL, NULL);
	CU_add_test(s, "mono_from_real", test_mono_from_real);
	CU_add_test(s, "events_capture", test_events_capture);
	CU_add_test(s, "frame_arp", test_frame_arp);
	CU_add_test(s, "frame_vrrp", test_frame_vrrp);
	CU_add_test(s, "frame_icmp", test_frame_icmp);
	CU_add_test(s, "frame_tcp_retrans", test_frame_tcp_retrans);
	CU_add_test(s, "csv_parse", test_csv_parse);
	CU_add_test(s, "csv_tail", test_csv_tail);
	CU_add_test(s, "events_ingest", test_events_ingest);
	CU_add_test(s, "fault_target_node", test_fault_target_node);
	CU_add_test(s, "reqlogs_follow", test_reqlogs_follow);
	CU_add_test(s, "events_ingest_garbage", test_events_ingest_garbage);
}
