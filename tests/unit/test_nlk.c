/*
 * test_nlk.c - the shared netlink layer (common/nlk.c): parsing of acks and of the
 * kernel's extended-ack text, the pipelined gather (requests sent in several sends,
 * acks answered out of order, failures named by request, requests without NLM_F_ACK
 * abandoning their batch, replies routed to their request), over an AF_UNIX
 * SOCK_SEQPACKET pair whose other end plays the kernel; and real kernel errors from a
 * NETLINK_ROUTE socket in a throwaway namespace (a forked child that unshares one).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nlk.h"

void register_nlk_suite(void);

/*
 * An NLMSG_ERROR for @seq with @err; @text: an NLMSGERR_ATTR_MSG; @echo: bytes of the
 * request echoed (0: capped). Returns its length.
 */
static size_t fake_ack(char *buf, uint32_t seq, int err, const char *text, size_t echo)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;

	memset(buf, 0, 512);
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_seq = seq;
	e = NLMSG_DATA(h);
	e->error = err;
	e->msg.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + echo);
	e->msg.nlmsg_seq = seq;
	if (echo)
		h->nlmsg_len += (uint32_t)NLMSG_ALIGN(echo);
	else
		h->nlmsg_flags |= NLM_F_CAPPED;
	if (text) {
		h->nlmsg_flags |= NLM_F_ACK_TLVS;
		nlk_attr_put(h, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
	}
	return NLMSG_ALIGN(h->nlmsg_len);
}

static void test_ack_parse_plain(void)
{
	char buf[512];
	int err = 1;
	const char *msg = "x";

	fake_ack(buf, 7, 0, NULL, 0);
	CU_ASSERT_EQUAL(0, nlk_ack_parse((struct nlmsghdr *)buf, &err, &msg));
	CU_ASSERT_EQUAL(0, err);
	CU_ASSERT_PTR_NULL(msg);
}

static void test_ack_parse_ext_text_capped(void)
{
	char buf[512];
	int err = 0;
	const char *msg = NULL;

	fake_ack(buf, 7, -EEXIST, "Link already exists", 0);
	CU_ASSERT_EQUAL(0, nlk_ack_parse((struct nlmsghdr *)buf, &err, &msg));
	CU_ASSERT_EQUAL(-EEXIST, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_STRING_EQUAL("Link already exists", msg);
}

static void test_ack_parse_ext_text_after_echo(void)
{
	char buf[512];
	int err = 0;
	const char *msg = NULL;

	/* uncapped: 20 bytes of the request come before the TLVs (padded to 4) */
	fake_ack(buf, 7, -ENODEV, "Device not found", 18);
	CU_ASSERT_EQUAL(0, nlk_ack_parse((struct nlmsghdr *)buf, &err, &msg));
	CU_ASSERT_EQUAL(-ENODEV, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_STRING_EQUAL("Device not found", msg);
}

static void test_ack_parse_rejects_bad(void)
{
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int err;
	const char *msg;

	fake_ack(buf, 7, -EINVAL, "some text", 0);
	h->nlmsg_len -= 6; /* the attribute now runs past the message */
	errno = 0;
	CU_ASSERT_EQUAL(-1, nlk_ack_parse(h, &err, &msg));
	CU_ASSERT_EQUAL(EBADMSG, errno);
	fake_ack(buf, 7, 0, NULL, 0);
	h->nlmsg_type = RTM_NEWLINK;
	CU_ASSERT_EQUAL(-1, nlk_ack_parse(h, &err, &msg));
	fake_ack(buf, 7, 0, NULL, 0);
	h->nlmsg_len = NLMSG_HDRLEN + 2; /* shorter than a struct nlmsgerr */
	CU_ASSERT_EQUAL(-1, nlk_ack_parse(h, &err, &msg));
}

/* A socket pair: sk on one end, *peer (the fake kernel) the other; recv times out. */
static struct nlk *pair_open(int *peer)
{
	int fds[2];
	struct timeval tv = {.tv_sec = 2};

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == -1)
		return NULL;
	setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*peer = fds[1];
	return nlk_adopt(fds[0]);
}

/* Read one send of requests at the peer: their sequence numbers and flags. */
static int peer_read(int peer, uint32_t *seqs, uint16_t *flags, int max)
{
	static char buf[65536];
	ssize_t n = recv(peer, buf, sizeof(buf), 0);
	int k = 0;
	size_t left = n > 0 ? (size_t)n : 0;

	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left) && k < max;
	     h = NLMSG_NEXT(h, left)) {
		seqs[k] = h->nlmsg_seq;
		flags[k++] = h->nlmsg_flags;
	}
	return k;
}

static void peer_ack(int peer, uint32_t seq, int err, const char *text)
{
	char buf[512];
	size_t len = fake_ack(buf, seq, err, text, 0);

	CU_ASSERT_EQUAL((ssize_t)len, send(peer, buf, len, 0));
}

static void test_gather_names_failed_requests(void)
{
	int peer;
	struct nlk *sk = pair_open(&peer);
	const char *names[] = {"veth a", "veth b", "veth c", "veth d", "veth e"};
	uint32_t seq[8];
	uint16_t fl[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_PTR_NOT_NULL(nlk_msg(sk, RTM_NEWLINK, NLM_F_CREATE, names[i]));
	CU_ASSERT_EQUAL(0, nlk_send(sk));
	CU_ASSERT_EQUAL(5, nlk_pending(sk));
	CU_ASSERT_EQUAL_FATAL(5, peer_read(peer, seq, fl, 8));
	for (int i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(seq[0] + (uint32_t)i, seq[i]);
		CU_ASSERT_EQUAL(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, fl[i]);
	}
	/* answered out of order, two failures: the first to arrive gives errno and text */
	peer_ack(peer, seq[4], 0, NULL);
	peer_ack(peer, seq[3], -ENODEV, "Device not found");
	peer_ack(peer, seq[0], 0, NULL);
	peer_ack(peer, seq[2], -EEXIST, "Link already exists");
	peer_ack(peer, seq[1], 0, NULL);
	errno = 0;
	CU_ASSERT_EQUAL(-1, nlk_wait(sk));
	CU_ASSERT_EQUAL(ENODEV, errno); /* the first failure to arrive */
	CU_ASSERT_STRING_EQUAL("veth d: No such device (kernel: Device not found)", nlk_error(sk));
	CU_ASSERT_EQUAL(2, nlk_errors(sk));
	CU_ASSERT_EQUAL(0, nlk_pending(sk));
	nlk_close(sk);
	close(peer);
}

static void test_gather_across_sends(void)
{
	int peer;
	struct nlk *sk = pair_open(&peer);
	uint32_t s1[8], s2[8];
	uint16_t fl[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	for (int i = 0; i < 3; i++)
		nlk_msg(sk, RTM_NEWADDR, 0, "addr");
	CU_ASSERT_EQUAL(0, nlk_send(sk));
	for (int i = 0; i < 2; i++)
		nlk_msg(sk, RTM_NEWROUTE, 0, "route");
	CU_ASSERT_EQUAL(0, nlk_send(sk)); /* while the first three are still owed */
	CU_ASSERT_EQUAL(5, nlk_pending(sk));
	CU_ASSERT_EQUAL_FATAL(3, peer_read(peer, s1, fl, 8));
	CU_ASSERT_EQUAL_FATAL(2, peer_read(peer, s2, fl, 8));
	CU_ASSERT_EQUAL(s1[2] + 1, s2[0]);
	/* a stale ack of a request never sent is ignored */
	peer_ack(peer, s2[1] + 100, -EINVAL, "stale");
	for (int i = 0; i < 3; i++)
		peer_ack(peer, s1[i], 0, NULL);
	for (int i = 0; i < 2; i++)
		peer_ack(peer, s2[i], 0, NULL);
	CU_ASSERT_EQUAL(0, nlk_wait(sk));
	CU_ASSERT_STRING_EQUAL("", nlk_error(sk));
	CU_ASSERT_EQUAL(0, nlk_errors(sk));
	nlk_close(sk);
	close(peer);
}

/* A refused batch begin (sent without NLM_F_ACK) ends the wait for its batch. */
static void test_gather_noack_failure_abandons_batch(void)
{
	int peer;
	struct nlk *sk = pair_open(&peer);
	uint32_t seq[8];
	uint16_t fl[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	nlk_msg(sk, 0x10, NLK_F_NOACK, "batch begin");
	for (int i = 0; i < 3; i++)
		nlk_msg(sk, 0x0a00, 0, "rule");
	nlk_msg(sk, 0x11, NLK_F_NOACK, "batch end");
	CU_ASSERT_EQUAL(0, nlk_send(sk));
	CU_ASSERT_EQUAL(3, nlk_pending(sk));
	CU_ASSERT_EQUAL_FATAL(5, peer_read(peer, seq, fl, 8));
	CU_ASSERT_EQUAL(NLM_F_REQUEST, fl[0]);
	CU_ASSERT_EQUAL(NLM_F_REQUEST | NLM_F_ACK, fl[1]);
	peer_ack(peer, seq[0], -EOPNOTSUPP, "Subsystem not supported");
	CU_ASSERT_EQUAL(-1, nlk_wait(sk));
	CU_ASSERT_EQUAL(EOPNOTSUPP, errno);
	CU_ASSERT_PTR_NOT_NULL(strstr(nlk_error(sk), "batch begin: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(nlk_error(sk), "(kernel: Subsystem not supported)"));
	CU_ASSERT_EQUAL(0, nlk_pending(sk));
	nlk_close(sk);
	close(peer);
}

/*
 * The fake kernel in a child: ack every request it reads (EEXIST with a text for the
 * request named by its payload byte 7), until the socket closes; exit with the number
 * of sends it read (capped at 255).
 */
static int fake_kernel(int peer)
{
	static char in[1 << 17];
	int sends = 0;

	for (;;) {
		ssize_t n = recv(peer, in, sizeof(in), 0);
		if (n <= 0)
			return sends > 255 ? 255 : sends;
		sends++;
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)in; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			char ack[512];
			bool bad = h->nlmsg_len > NLMSG_HDRLEN && *((char *)NLMSG_DATA(h)) == 7;
			size_t len = fake_ack(ack, h->nlmsg_seq, bad ? -EEXIST : 0,
					      bad ? "Link already exists" : NULL, 0);
			if (send(peer, ack, len, 0) != (ssize_t)len)
				return 254;
		}
	}
}

/* A thousand requests on one socket: sent many per send, the window respected, the
 * one failure among them named. */
static void test_gather_many_in_flight(void)
{
	int peer, st;
	struct nlk *sk = pair_open(&peer);
	char what[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(nlk_fd(sk));
		_exit(fake_kernel(peer));
	}
	close(peer);
	for (int i = 0; i < 1000; i++) {
		snprintf(what, sizeof(what), "veth %d", i);
		struct nlmsghdr *h = nlk_msg(sk, RTM_NEWLINK, NLM_F_CREATE, what);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		char *mark = nlk_extra_put(h, 4);
		*mark = i == 700 ? 7 : 1;
	}
	errno = 0;
	CU_ASSERT_EQUAL(-1, nlk_flush(sk));
	CU_ASSERT_EQUAL(EEXIST, errno);
	CU_ASSERT_STRING_EQUAL("veth 700: File exists (kernel: Link already exists)",
			       nlk_error(sk));
	CU_ASSERT_EQUAL(1, nlk_errors(sk));
	CU_ASSERT_EQUAL(0, nlk_pending(sk));
	nlk_close(sk);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFEXITED(st));
	/* at most 256 per send: four sends at least, and not one per request */
	CU_ASSERT_TRUE(WEXITSTATUS(st) >= 4 && WEXITSTATUS(st) < 200);
}

static int reply_mtu(const struct nlmsghdr *h, void *arg, char *err, size_t len)
{
	(void)err;
	(void)len;
	*(uint32_t *)arg = h->nlmsg_type;
	return 0;
}

static void test_gather_routes_replies(void)
{
	int peer;
	struct nlk *sk = pair_open(&peer);
	uint32_t seq[4], got = 0;
	uint16_t fl[4];
	char buf[512] = {0};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	nlk_msg(sk, RTM_GETLINK, 0, "link get");
	nlk_msg_reply(sk, reply_mtu, &got);
	CU_ASSERT_EQUAL(0, nlk_send(sk));
	CU_ASSERT_EQUAL_FATAL(1, peer_read(peer, seq, fl, 4));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_seq = seq[0];
	CU_ASSERT_EQUAL((ssize_t)h->nlmsg_len, send(peer, buf, h->nlmsg_len, 0));
	peer_ack(peer, seq[0], 0, NULL);
	CU_ASSERT_EQUAL(0, nlk_wait(sk));
	CU_ASSERT_EQUAL(RTM_NEWLINK, got);
	nlk_close(sk);
	close(peer);
}

/* Queue an RTM_NEWLINK of a link @name of @kind on @sk. */
static void link_req(struct nlk *sk, const char *name, const char *kind, const char *what)
{
	struct nlmsghdr *h = nlk_msg(sk, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, what);
	struct ifinfomsg *ifi = nlk_extra_put(h, sizeof(*ifi));
	struct nlattr *info;

	ifi->ifi_family = AF_UNSPEC;
	nlk_attr_put(h, IFLA_IFNAME, name, strlen(name) + 1);
	/* IFLA_LINKINFO { IFLA_INFO_KIND @kind } */
	info = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
	info->nla_type = IFLA_LINKINFO;
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_HDRLEN;
	nlk_attr_put(h, IFLA_INFO_KIND, kind, strlen(kind) + 1);
	info->nla_len = (uint16_t)((char *)h + h->nlmsg_len - (char *)info);
}

/*
 * In a throwaway namespace: bridge x0 added, then x0 again, then a link of an unknown
 * kind, in one send; the gather reports the EEXIST of the second request first, and
 * counts the third. The result goes to the parent as "errno|count|text".
 */
static int real_child(int out)
{
	char res[600];
	struct nlk *sk;

	if (unshare(CLONE_NEWNET) == -1)
		return 2;
	sk = nlk_open(NETLINK_ROUTE, -1);
	if (!sk)
		return 3;
	link_req(sk, "x0", "bridge", "bridge x0");
	link_req(sk, "x0", "bridge", "bridge x0 again");
	link_req(sk, "x1", "nosuchkind", "odd link");
	int rc = nlk_flush(sk);
	snprintf(res, sizeof(res), "%d|%d|%s", rc == -1 ? errno : 0, nlk_errors(sk), nlk_error(sk));
	nlk_close(sk);
	return write(out, res, strlen(res)) > 0 ? 0 : 4;
}

static void test_real_kernel_errors(void)
{
	int p[2], st;
	char res[600] = "";

	CU_ASSERT_EQUAL_FATAL(0, pipe(p));
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(real_child(p[1]));
	}
	close(p[1]);
	ssize_t n = read(p[0], res, sizeof(res) - 1);
	close(p[0]);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	res[n > 0 ? n : 0] = '\0';
	/* EEXIST first; the unknown kind counted as the second failure */
	char want[64];
	snprintf(want, sizeof(want), "%d|2|bridge x0 again: File exists", EEXIST);
	CU_ASSERT_EQUAL(0, strncmp(res, want, strlen(want)));
	if (getenv("NLK_TEST_SHOW"))
		fprintf(stderr, "\n  got: %s\n", res);
}

/* nlk_open(.., fd): the socket lives in that namespace, not in the caller's. */
static int ns_child(void)
{
	if (unshare(CLONE_NEWNET) == -1)
		return 2;
	int a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (a == -1 || unshare(CLONE_NEWNET) == -1)
		return 3;
	struct nlk *sk = nlk_open(NETLINK_ROUTE, a);
	if (!sk)
		return 4;
	link_req(sk, "inA", "bridge", "bridge inA");
	int rc = nlk_flush(sk);
	nlk_close(sk);
	if (rc == -1)
		return 5;
	if (if_nametoindex("inA") != 0)
		return 6; /* made here, in B: wrong */
	if (setns(a, CLONE_NEWNET) == -1 || if_nametoindex("inA") == 0)
		return 7;
	return 0;
}

static void test_open_in_namespace(void)
{
	int st;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(ns_child());
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(WIFEXITED(st));
	CU_ASSERT_EQUAL(0, WEXITSTATUS(st));
}

void register_nlk_suite(void)
{
	CU_pSuite s = CU_add_suite("nlk", NULL, NULL);

	CU_add_test(s, "ack_parse_plain", test_ack_parse_plain);
	CU_add_test(s, "ack_parse_ext_text_capped", test_ack_parse_ext_text_capped);
	CU_add_test(s, "ack_parse_ext_text_after_echo", test_ack_parse_ext_text_after_echo);
	CU_add_test(s, "ack_parse_rejects_bad", test_ack_parse_rejects_bad);
	CU_add_test(s, "gather_names_failed_requests", test_gather_names_failed_requests);
	CU_add_test(s, "gather_across_sends", test_gather_across_sends);
	CU_add_test(s, "gather_noack_failure_abandons_batch",
		    test_gather_noack_failure_abandons_batch);
	CU_add_test(s, "gather_routes_replies", test_gather_routes_replies);
	CU_add_test(s, "gather_many_in_flight", test_gather_many_in_flight);
	CU_add_test(s, "real_kernel_errors", test_real_kernel_errors);
	CU_add_test(s, "open_in_namespace", test_open_in_namespace);
}
