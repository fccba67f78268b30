/*
 * test_scn_err.c - every class of scenario error: the exact message and where it points.
 * Run alone with 'build/bin/unit-tests scn_err'.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"

/* Parse @text as "t.scn"; the error must be @line:@col: @msg. */
static void err_is(const char *text, int line, int col, const char *msg)
{
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NULL(s);
	scn_free(s);
	if (s)
		return;
	CU_ASSERT_STRING_EQUAL("t.scn", err.file);
	CU_ASSERT_EQUAL(line, err.line);
	CU_ASSERT_EQUAL(col, err.col);
	CU_ASSERT_STRING_EQUAL(msg, err.msg);
	if (strcmp(msg, err.msg) || line != err.line || col != err.col)
		fprintf(stderr, "\n  got %d:%d: %s\n", err.line, err.col, err.msg);
}

#define HEAD "scenario t\nduration 30s\n"
#define LAB HEAD "network public 10.0.0.0/24\nnetwork private 10.0.1.0/24\n"

static void test_err_scenario_not_first(void)
{
	err_is("# c\nnetwork x 10.0.0.0/24\n", 2, 1,
	       "expected 'scenario NAME' as the first statement, got 'network'");
	err_is("\n\n", 1, 1, "expected 'scenario NAME' as the first statement, got an empty file");
}

static void test_err_scenario_twice(void)
{
	err_is(HEAD "  scenario u\n", 3, 3, "duplicate 'scenario' (first at line 1)");
}

static void test_err_duration_missing(void)
{
	err_is("\nscenario t\nseed 3\n", 2, 1,
	       "missing 'duration' (every scenario needs one, such as 'duration 30s')");
}

static void test_err_duration_syntax(void)
{
	err_is("scenario t\nduration   5x\n", 2, 12,
	       "expected a duration such as 250ms, 5s or 2m, got '5x'");
	err_is("scenario t\nduration\n", 2, 9, "expected a duration such as 250ms, 5s or 2m");
}

static void test_err_unknown_statement(void)
{
	err_is(HEAD "nodes a on x\n", 3, 1,
	       "unknown statement 'nodes' (expected one of scenario, description, duration, "
	       "seed, param, requires, network, capture, node, service, at, every, random, "
	       "collect, "
	       "expect)");
	err_is(HEAD "requires\n", 3, 9,
	       "expected a program the scenario needs, such as keepalived");
}

static void test_err_unknown_network(void)
{
	err_is(LAB "node a on public privat\n", 5, 18,
	       "unknown network 'privat' (networks: public, private)");
}

static void test_err_unknown_node(void)
{
	err_is(LAB "node a on public\nservice b web\n", 6, 9, "unknown node 'b' (nodes: a)");
}

static void test_err_duplicate_node(void)
{
	err_is(LAB "node a on public\nnode a on private\n", 6, 6,
	       "duplicate node 'a' (first declared at line 5)");
}

static void test_err_network_name_too_long(void)
{
	err_is(HEAD "network abcdefghijklmnop 10.0.0.0/24\n", 3, 9,
	       "invalid network name 'abcdefghijklmnop' (a letter, then letters, digits, '_' "
	       "or '-'; at most 15 characters: it names interfaces)");
}

static void test_err_network_host_bits(void)
{
	err_is(HEAD "network n 10.0.0.1/24\n", 3, 11,
	       "network 10.0.0.1/24 has host bits set (did you mean 10.0.0.0/24?)");
}

static void test_err_network_overlap(void)
{
	err_is(LAB "network all 10.0.0.0/16\n", 5, 13,
	       "network 10.0.0.0/16 overlaps network 'public' (10.0.0.0/24)");
}

static void test_err_address_outside_network(void)
{
	err_is(LAB "node a on public=10.0.1.5\n", 5, 18,
	       "address 10.0.1.5 is not in network 'public' (10.0.0.0/24)");
	err_is(LAB "node a on public=10.0.0.255\n", 5, 18,
	       "address 10.0.0.255 is the broadcast address of network 'public' (10.0.0.0/24)");
}

static void test_err_address_duplicate(void)
{
	err_is(LAB "node a on public=10.0.0.7\nnode b on private public=10.0.0.7\n", 6, 26,
	       "address 10.0.0.7 is already used by node a");
}

static void test_err_qemu_only_option(void)
{
	err_is(LAB "node a on public memory 1G\n", 5, 18,
	       "'memory' is only for qemu nodes (write 'node a qemu on ...')");
	err_is(LAB "node a on public machine microvm\n", 5, 18,
	       "'machine' is only for qemu nodes (write 'node a qemu on ...')");
	err_is(LAB "node a qemu on public machine xen\n", 5, 31,
	       "expected a machine: pc or microvm, got 'xen'");
}

static void test_err_gateway_outside(void)
{
	err_is(LAB "node a on public gateway 10.0.1.1\n", 5, 26,
	       "gateway 10.0.1.1 is not in any network of node 'a'");
}

static void test_err_vip_outside(void)
{
	err_is(LAB "node a on public\nnode w on public\nservice a lb vip 10.0.1.100 backends w\n",
	       7, 18, "VIP 10.0.1.100 is not in any network of node 'a'");
}

static void test_err_vip_is_node_address(void)
{
	err_is(LAB "node a on public\nnode w on public=10.0.0.9\n"
		   "service a lb vip 10.0.0.9 backends w\n",
	       7, 18, "VIP 10.0.0.9 is already used by node w");
}

static void test_err_backend_no_shared_network(void)
{
	err_is(LAB "node a on public\nnode w on private\nservice a lb vip 10.0.0.100 backends w\n",
	       7, 38, "backend 'w' shares no network with node 'a'");
}

static void test_err_lb_needs_vip(void)
{
	err_is(LAB "node a on public\nnode w on public\nservice a lb backends w\n", 7, 24,
	       "expected 'vip ADDR' (an lb service needs a VIP)");
}

static void test_err_heartbeat_not_on_node(void)
{
	err_is(LAB "node a on public\nnode w on public\n"
		   "service a lb vip 10.0.0.100 backends w heartbeat public,private\n",
	       7, 57, "node 'a' is not on network 'private'");
}

static void test_err_advert_not_centiseconds(void)
{
	err_is(LAB "node a on public\nnode w on public\n"
		   "service a lb vip 10.0.0.100 backends w advert 15ms\n",
	       7, 47, "the advert interval must be a multiple of 10ms up to 40950ms (VRRPv3 "
		      "counts it in centiseconds)");
}

static void test_err_load_url(void)
{
	err_is(LAB "node c on public\nservice c load http://vip.example/ rate 5/s\n", 6, 16,
	       "expected a URL such as http://198.18.0.100/ or http://198.18.0.100:8080/path, "
	       "got 'http://vip.example/'");
	err_is(LAB "node c on public\nservice c load http://10.0.0.1/\n", 6, 32,
	       "expected 'rate N/s' (a load service needs a rate)");
}

static void test_err_service_name_twice(void)
{
	err_is(LAB "node a on public\nservice a exec \"true\"\nservice a exec \"false\"\n", 7, 11,
	       "node 'a' already has a service named 'exec' (line 6); give this one 'name NAME'");
}

static void test_err_service_kind(void)
{
	err_is(LAB "node a on public\nservice a nginx\n", 6, 11,
	       "unknown service kind 'nginx' (expected web, lb, load, exec or probe)");
}

static void test_err_probe(void)
{
#define PN LAB "node a on public\n"
	err_is(PN "service a probe http 10.0.0.1:80 rate 1/s\n", 6, 17,
	       "expected a probe kind (tcp, udp, dns or exec), got 'http'");
	err_is(PN "service a probe tcp 10.0.0.1 rate 1/s\n", 6, 21,
	       "expected an address and port such as 198.18.0.10:7, got '10.0.0.1'");
	err_is(PN "service a probe udp 10.0.0.1:0 rate 1/s\n", 6, 21,
	       "expected an address and port such as 198.18.0.10:7, got '10.0.0.1:0'");
	err_is(PN "service a probe dns 10.0.0.300 x.org rate 1/s\n", 6, 21,
	       "expected an address such as 198.18.0.53 or 198.18.0.53:5353, got '10.0.0.300'");
	err_is(PN "service a probe dns 10.0.0.1 a..org rate 1/s\n", 6, 30,
	       "expected a DNS name such as www.example.com, got 'a..org'");
	err_is(PN "service a probe tcp 10.0.0.1:7 timeout 1s\n", 6, 42,
	       "expected 'rate N/s' (a probe needs a rate)");
	err_is(PN "service a probe tcp 10.0.0.1:7 rate 1/s send \"x\"\n", 6, 49,
	       "expected 'expect \"TEXT\"' after 'send \"TEXT\"'");
	err_is(PN "service a probe tcp 10.0.0.1:7 rate 1/s send \"x\" rate 2/s\n", 6, 50,
	       "expected 'expect \"TEXT\"' after 'send \"TEXT\"'");
	err_is(PN "service a probe exec \"true\" rate 1/s send \"x\" expect \"x\"\n", 6, 38,
	       "'send' is for tcp and udp probes only");
	err_is(PN "service a probe exec \"true\" rate 1/s burst 3\n", 6, 38,
	       "unexpected 'burst' (expected rate, timeout, send or name)");
	err_is(PN "service a probe exec \"true\" rate 1/s\nservice a probe exec \"false\" rate 1/s\n",
	       7, 11,
	       "node 'a' already has a service named 'probe' (line 6); give this one 'name NAME'");
#undef PN
}

static void test_err_time_after_duration(void)
{
	err_is(LAB "node a on public\nat 30s stall a\n", 6, 4,
	       "time 30s is not before the end of the scenario (duration 30s)");
	err_is(LAB "node a on public\nevery 5s from 1s until 31s stall a\n", 6, 24,
	       "'until 31s' is after the end of the scenario (duration 30s)");
	err_is(LAB "node a on public\nevery 5s from 20s until 10s stall a\n", 6, 15,
	       "'from 20s' is not before 'until 10s'");
}

static void test_err_duration_after_timeline(void)
{
	err_is("scenario t\nnetwork n 10.0.0.0/24\nnode a on n\nat 12s stall a\nduration 10s\n",
	       4, 4, "time 12s is not before the end of the scenario (duration 10s)");
}

static void test_err_partition_both_sides(void)
{
	err_is(LAB "node a on public\nnode b on public\nnode c on public\n"
		   "at 1s partition a,b / c,a for 2s\n",
	       8, 25, "node 'a' is on both sides of the partition");
	err_is(LAB "node a on public\nat 1s partition a\n", 6, 18,
	       "expected nodes on both sides of '/', such as 'partition lb1,web1 / lb2,web2'");
}

/* The one-way form: one arrow, not mixed with '/', nodes on both sides, one side each. */
static void test_err_partition_oneway(void)
{
#define ABC LAB "node a on public\nnode b on public\nnode c on public\n"
	err_is(ABC "at 1s partition a -> b -> c for 2s\n", 8, 24,
	       "a partition has two sides: one '->'");
	err_is(ABC "at 1s partition a->b->c\n", 8, 21, "a partition has two sides: one '->'");
	err_is(ABC "at 1s partition a / b -> c\n", 8, 23, "a partition has two sides: one '/'");
	err_is(ABC "at 1s partition a -> b / c\n", 8, 24, "a partition has two sides: one '->'");
	err_is(ABC "at 1s partition -> b for 2s\n", 8, 22,
	       "expected nodes on both sides of '->', such as 'partition lb1 -> lb2,web2'");
	err_is(ABC "at 1s partition a ->\n", 8, 21,
	       "expected nodes on both sides of '->', such as 'partition lb1 -> lb2,web2'");
	err_is(ABC "at 1s partition a,b -> c,a\n", 8, 26,
	       "node 'a' is on both sides of the partition");
	err_is(ABC "at 1s partition a -> d\n", 8, 22, "unknown node 'd' (nodes: a, b, c)");
#undef ABC
}

static void test_err_any_candidate_not_on_net(void)
{
	err_is(LAB "node a on public private\nnode b on public\n"
		   "at 1s blackhole any(a,b).private\n",
	       7, 26, "node 'b' is not on network 'private'");
	err_is(LAB "node a on public\nat 1s link down any(a,x).public\n", 6, 23,
	       "unknown node 'x' (nodes: a)");
}

static void test_err_fault_target_shape(void)
{
	err_is(LAB "node a on public\nat 1s link down a\n", 6, 17,
	       "expected NODE.NET such as lb1.private, got 'a'");
	err_is(LAB "node a on public\nat 1s link sideways a.public\n", 6, 12,
	       "expected 'down' or 'up' after 'link', got 'sideways'");
	err_is(LAB "node a on public\nat 1s crash a\n", 6, 7,
	       "unknown fault 'crash' (expected link down, link up, flap, blackhole, mtu, "
	       "pmtu-blackhole, loss, delay, bandwidth, duplicate, corrupt, reorder, partition, "
	       "stall, hog, kill or restart)");
}

static void test_err_kill_unknown_service(void)
{
	err_is(LAB "node a on public\nat 1s kill a web\n", 6, 14,
	       "node 'a' has no service 'web' (declare the service before the fault)");
	err_is(LAB "node a on public\nservice a web\nat 1s kill a web signal BOOM\n", 7, 25,
	       "expected a signal such as TERM, SIGTERM or 15, got 'BOOM'");
}

static void test_err_loss_percent(void)
{
	err_is(LAB "node a on public\nat 1s loss a.public 120%\n", 6, 21,
	       "expected a percentage 0%..100% such as 5% or 0.5%, got '120%'");
}

static void test_err_filter_match(void)
{
	err_is(LAB "node a on public\nat 1s blackhole a.public match\n", 6, 31,
	       "expected a protocol: tcp, udp, icmp, vrrp or arp");
	err_is(LAB "node a on public\nat 1s blackhole a.public match sctp\n", 6, 32,
	       "expected a protocol after 'match': tcp, udp, icmp, vrrp or arp, got 'sctp'");
	err_is(LAB "node a on public\nat 1s loss a.public 5% match vrrp port 5\n", 6, 35,
	       "'port' goes with tcp or udp only, not vrrp");
	err_is(LAB "node a on public\nat 1s loss a.public 5% out match udp port 0\n", 6, 43,
	       "a port number must be 1..65535, got 0");
	err_is(LAB "node a on public\nat 1s blackhole a.public match tcp port\n", 6, 40,
	       "expected a port number");
	err_is(LAB "node a on public\nat 1s blackhole a.public match tcp port http\n", 6, 41,
	       "expected a port number (1..65535), got 'http'");
	err_is(LAB "node a on public\nat 1s blackhole a.public match udp out\n", 6, 36,
	       "unexpected 'out' (expected 'for DURATION' or the end of the statement)");
	err_is(LAB "node a on public\nat 1s loss a.public 5% sideways\n", 6, 24,
	       "unexpected 'sideways' (expected 'for DURATION' or the end of the statement)");
}

static void test_err_bandwidth(void)
{
	err_is(LAB "node a on public\nat 1s bandwidth a.public\n", 6, 25,
	       "expected a rate in bits/s such as 512kbit, 10mbit or 1gbit");
	err_is(LAB "node a on public\nat 1s bandwidth a.public 10mbps\n", 6, 26,
	       "expected a rate in bits/s such as 512kbit, 10mbit or 1gbit, got '10mbps'");
	err_is(LAB "node a on public\nat 1s bandwidth a.public 1.5bit\n", 6, 26,
	       "expected a rate in bits/s such as 512kbit, 10mbit or 1gbit, got '1.5bit'");
	err_is(LAB "node a on public\nat 1s bandwidth a.public 999\n", 6, 26,
	       "expected a rate from 1kbit to 1000gbit, got '999'");
	err_is(LAB "node a on public\nat 1s bandwidth a.public 2000gbit\n", 6, 26,
	       "expected a rate from 1kbit to 1000gbit, got '2000gbit'");
	err_is(LAB "node a on public\nat 1s bandwidth a.public 1mbit sideways\n", 6, 32,
	       "unexpected 'sideways' (expected 'for DURATION' or the end of the statement)");
	err_is(LAB "node a on public\nat 1s bandwidth a.private 1mbit\n", 6, 19,
	       "node 'a' is not on network 'private'");
}

static void test_err_expect_wrong_unit(void)
{
	err_is(HEAD "expect failover < 95%\n", 3, 19,
	       "expected a duration such as 500ms for 'failover', got '95%'");
	err_is(HEAD "expect success >= 95\n", 3, 19,
	       "expected a percentage such as 99.5% for 'success', got '95'");
	err_is(HEAD "expect errors <= 1s\n", 3, 18,
	       "expected a count such as 0 or 12 for 'errors', got '1s'");
}

static void test_err_expect_unknown_metric_and_op(void)
{
	err_is(HEAD "expect latency < 1s\n", 3, 8,
	       "unknown metric 'latency' (metrics: failover, split-brain, outage, longest-outage, "
	       "p50, p99, max, detect, success, uptime, errors, vip-moves, refused, reset, "
	       "timeout, connect-timeout, bad-body, bad-status, retransmits, frag-needed, "
	       "requests, kernel-warnings[-CLASS]; or a 'collect ... as NAME' above)");
	err_is(HEAD "expect failover =< 1s\n", 3, 17,
	       "expected a comparison (<, <=, ==, >= or >), got '=<'");
}

/* collect NODE "COMMAND" as NAME [timeout D], and expectations on what it measures. */
static void test_err_collect(void)
{
#define NODE_A HEAD "network n 10.0.0.0/24\nnode a on n\n"
	err_is(NODE_A "collect b \"x\" as n\n", 5, 9, "unknown node 'b' (nodes: a)");
	err_is(NODE_A "collect a\n", 5, 10, "expected a command such as \"redis-cli ... | wc -l\"");
	err_is(NODE_A "collect a \"\" as n\n", 5, 11, "empty command");
	err_is(NODE_A "collect a \"x\" n\n", 5, 15, "expected 'as NAME' after the command, got 'n'");
	err_is(NODE_A "collect a \"x\"\n", 5, 14,
	       "expected 'as NAME' after the command, got the end of the line");
	err_is(NODE_A "collect a \"x\" as 9n\n", 5, 18, "invalid metric name '9n' (a letter, "
	       "then letters, digits, '_' or '-'; at most 31 characters)");
	err_is(NODE_A "collect a \"x\" as outage\n", 5, 18,
	       "'outage' is a built-in metric: a collect needs a name of its own");
	err_is(NODE_A "collect a \"x\" as n\ncollect a \"y\" as n\n", 6, 18,
	       "metric 'n' is collected already (line 5)");
	err_is(NODE_A "collect a \"x\" as n timeout 5\n", 5, 28,
	       "expected a duration such as 250ms, 5s or 2m, got '5'");
	err_is(NODE_A "collect a \"x\" as n for 5s\n", 5, 20,
	       "unexpected 'for' (expected 'timeout DURATION' or the end of the line)");
	err_is(NODE_A "collect a \"x\" as n\nexpect n == 1s\n", 6, 13,
	       "expected a number such as 0 or 2.5 for 'n', got '1s'");
	err_is(NODE_A "collect a \"x\" as n\nexpect n == 1.\n", 6, 13,
	       "expected a number such as 0 or 2.5 for 'n', got '1.'");
	err_is(NODE_A "collect a \"x\" as n\nexpect n == 0 during faults\n", 6, 15,
	       "'n' is collected once, at the end of the run: it has no scope ('of', "
	       "'during faults')");
	/* declared before use, as everything else */
	err_is(NODE_A "expect n == 0\ncollect a \"x\" as n\n", 5, 8,
	       "unknown metric 'n' (metrics: failover, split-brain, outage, longest-outage, "
	       "p50, p99, max, detect, success, uptime, errors, vip-moves, refused, reset, "
	       "timeout, connect-timeout, bad-body, bad-status, retransmits, frag-needed, "
	       "requests, kernel-warnings[-CLASS]; or a 'collect ... as NAME' above)");
#undef NODE_A
}

static void test_err_expect_unknown_scope(void)
{
	err_is(HEAD "expect success >= 99% during   recovery\n", 3, 23,
	       "unknown scope 'during recovery' (expected 'of CLIENT', 'during faults', both "
	       "in that order, or nothing)");
}

/* Two clients (a.load, b.load), a web server w; the expectation is line 9. */
#define CLIENTS                                                                                    \
	HEAD "network n 10.0.0.0/24\nnode a on n\nnode b on n\nnode w on n\n"                      \
	     "service w web\nservice a load http://10.0.0.3/ rate 10/s\n"                          \
	     "service b load http://10.0.0.3/ rate 10/s\n"

static void test_err_expect_of_client(void)
{
	err_is(CLIENTS "expect success >= 99% of c\n", 10, 26, "unknown node 'c' (nodes: a, b, w)");
	err_is(CLIENTS "expect success >= 99% of w\n", 10, 26,
	       "node 'w' has no client service (clients: a.load, b.load)");
	err_is(CLIENTS "expect success >= 99% of w.web\n", 10, 28,
	       "service 'w.web' is not a client: it writes no request log (clients: a.load, "
	       "b.load)");
	err_is(CLIENTS "expect p99 < 1s of a.lb\n", 10, 22,
	       "node 'a' has no service 'lb' (declare the client before the expectation; "
	       "clients: a.load, b.load)");
	err_is(CLIENTS "expect success >= 99% of\n", 10, 25,
	       "expected a client: NODE or NODE.SERVICE");
	err_is(CLIENTS "expect success >= 99% of \"a\"\n", 10, 26,
	       "expected a client (NODE or NODE.SERVICE), got a string");
	err_is(CLIENTS "expect failover < 1s of a\n", 10, 22,
	       "'failover' is not measured per client: 'of' scopes the request metrics "
	       "(success, errors, p99, outage ...)");
	err_is(CLIENTS "expect p99 < 1s during faults of a\n", 10, 17,
	       "write 'of CLIENT' before 'during faults'");
	err_is(CLIENTS "expect p99 < 1s of a during\n", 10, 22,
	       "unknown scope 'during' (expected 'of CLIENT', 'during faults', both in that "
	       "order, or nothing)");
	/* a node with two clients (a probe beside the load) must be named NODE.SERVICE */
	err_is(CLIENTS "service a probe tcp 10.0.0.3:80 rate 5/s\nexpect p99 < 1s of a\n", 11, 20,
	       "node 'a' has 2 client services: name one as a.SERVICE (clients: a.load, b.load, "
	       "a.probe)");
	/* declared after the expectation: not known yet */
	err_is(HEAD "network n 10.0.0.0/24\nnode a on n\nexpect p99 < 1s of a\n"
		    "service a load http://10.0.0.3/ rate 10/s\n",
	       5, 20, "node 'a' has no client service (clients: none)");
}

static void test_err_string_unterminated(void)
{
	err_is("scenario t\ndescription  \"half\n", 2, 14,
	       "unterminated string (a string ends with \" on the same line)");
}

static void test_err_string_bad_escape(void)
{
	err_is("scenario t\ndescription \"a\\tb\"\n", 2, 15,
	       "unknown escape '\\t' in a string (only \\\" and \\\\)");
}

static void test_err_param_undefined(void)
{
	err_is("scenario t\nparam a \"1\"\nparam b \"2\"\nduration ${c}s\n", 4, 10,
	       "undefined param 'c' (params: a, b)");
	err_is("scenario t\nduration ${c\n", 2, 10, "unterminated '${' (expected ${NAME})");
}

static void test_err_param_set_undeclared(void)
{
	struct scn_set set = {"mode", "x"};
	struct scn_err err;
	char buf[512];
	const char *text = "scenario t\nparam ha \"safe\"\nduration 1s\n";
	struct scn *s = scn_parse("t.scn", text, strlen(text), &set, 1, &err);
	CU_ASSERT_PTR_NULL(s);
	scn_free(s);
	CU_ASSERT_EQUAL(0, err.line);
	scn_err_format(&err, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("t.scn: --set mode: no param 'mode' in this scenario (params: ha)",
			       buf);
}

static void test_err_column_after_substitution(void)
{
	/* the bad word comes after a ${} whose value is longer than the reference */
	err_is("scenario t\nparam n \"public private\"\nnetwork public 10.0.0.0/24\n"
	       "network private 10.0.1.0/24\nnode a on ${n} bogus\n", 5, 16,
	       "unknown network 'bogus' (networks: public, private)");
}

static void test_err_column_after_continuation(void)
{
	err_is("scenario t\nduration \\\n\t\t30q\n", 3, 3,
	       "expected a duration such as 250ms, 5s or 2m, got '30q'");
}

static void test_err_column_counts_characters(void)
{
	err_is("scenario t\ndescription \"\xc3\xa9t\xc3\xa9\" x\n", 2, 19,
	       "unexpected 'x' (expected one quoted string)");
}

static void test_err_format_line(void)
{
	struct scn_err err;
	char buf[600];
	const char *text = "scenario t\nduration 5x\n";
	scn_free(scn_parse("x.scn", text, strlen(text), NULL, 0, &err));
	scn_err_format(&err, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("x.scn:2:10: expected a duration such as 250ms, 5s or 2m, got '5x'",
			       buf);
}


/* The mark of a reproduction goes last and is spelt 'fails' or 'may fail'. */
static void test_err_expect_mark(void)
{
	const char *m = "an expectation ends with 'fails' (it must fail) or 'may fail', after "
			"its scope";
	char want[160];
	snprintf(want, sizeof(want), "'fails' here: %s", m);
	err_is(HEAD "expect p50 >= 1ms fails during faults\n", 3, 19, want);
	err_is(HEAD "expect split-brain == 0s fails fails\n", 3, 26, want);
	err_is(HEAD "expect outage < 1s fails maybe\n", 3, 20, want);
	snprintf(want, sizeof(want), "'fail' here: %s", m);
	err_is(HEAD "expect split-brain  ==  0s  fail\n", 3, 29, want);
	snprintf(want, sizeof(want), "'may' here: %s", m);
	err_is(HEAD "expect outage < 1s may\n", 3, 20, want);
	err_is(HEAD "expect outage < 1s may fails\n", 3, 20, want);
	err_is(HEAD "expect outage fails\n", 3, 15,
	       "expected a comparison (<, <=, ==, >= or >), got 'fails'");
}

static void test_err_capture(void)
{
	err_is(LAB "capture nope\n", 5, 9,
	       "unknown network 'nope' (networks: public, private)");
	err_is(LAB "capture public\ncapture  public\n", 6, 10,
	       "network 'public' is captured already (line 5)");
	err_is(LAB "capture public max 1k\n", 5, 20,
	       "expected a file size of at least 4096 bytes such as 1M, got '1k'");
	err_is(LAB "capture public snaplen 10\n", 5, 24,
	       "a snap length in bytes must be 64..262144, got 10");
	err_is(LAB "capture public ring 3\n", 5, 1,
	       "'ring 3' needs 'max SIZE' (a new file begins at the cap)");
	err_is(LAB "capture public max 1M ring 1\n", 5, 28,
	       "a number of files must be 2..1000, got 1");
	err_is(LAB "capture public stop\n", 5, 16,
	       "unexpected 'stop' (expected snaplen N, max SIZE or ring N)");
}

/* faultline inject: one fault line against a parsed scenario. */
static void fault_line_err_is(const struct scn *s, const char *text, int col, const char *msg)
{
	struct scn_event ev;
	struct scn_err err;
	CU_ASSERT_EQUAL(-1, scn_fault_line_parse(s, "inject", text, &ev, &err));
	CU_ASSERT_STRING_EQUAL("inject", err.file);
	CU_ASSERT_EQUAL(1, err.line);
	CU_ASSERT_EQUAL(col, err.col);
	CU_ASSERT_STRING_EQUAL(msg, err.msg);
	if (strcmp(msg, err.msg) || col != err.col)
		fprintf(stderr, "\n  got %d:%d: %s\n", err.line, err.col, err.msg);
}

static void test_fault_line(void)
{
	const char *text = LAB "node a on public private\nnode b on public\nservice b web\n"
			   "param who \"b\"\n";
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	struct scn_event ev;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	CU_ASSERT_EQUAL(0, scn_fault_line_parse(s, "inject", "blackhole a.private for 2s", &ev, &err));
	CU_ASSERT_STRING_EQUAL("blackhole", ev.fault.kind->name);
	CU_ASSERT_EQUAL(SCN_AT, ev.sched);
	CU_ASSERT_EQUAL(0, ev.at_ms);
	CU_ASSERT(ev.has_for);
	CU_ASSERT_EQUAL(2000, ev.for_min_ms);
	CU_ASSERT_EQUAL(2000, ev.for_max_ms);
	scn_event_release(&ev);

	CU_ASSERT_EQUAL(0, scn_fault_line_parse(s, "inject", "loss any(a,${who}).public 30% for 1s..3s",
						&ev, &err));
	CU_ASSERT_EQUAL(2, ev.fault.target.n_nodes);
	CU_ASSERT_EQUAL(3000, ev.for_max_ms);
	scn_event_release(&ev);
	CU_ASSERT_EQUAL(0, scn_fault_line_parse(s, "inject", "kill b web", &ev, &err));
	CU_ASSERT(!ev.has_for);
	scn_event_release(&ev);

	fault_line_err_is(s, "blackhole c.public", 11, "unknown node 'c' (nodes: a, b)");
	fault_line_err_is(s, "blackhole a.public for", 23,
			  "expected a duration such as 5s or a range such as 1s..3s");
	fault_line_err_is(s, "blackhole a.public 2s", 20,
			  "unexpected '2s' (expected 'for DURATION' or the end of the fault)");
	fault_line_err_is(s, "", 1, "expected one fault such as 'blackhole NODE.NET for 2s', got 0 lines");
	fault_line_err_is(s, "at 1s blackhole a.public", 1,
			  "unknown fault 'at' (expected link down, link up, flap, blackhole, mtu, "
			  "pmtu-blackhole, loss, delay, bandwidth, duplicate, corrupt, reorder, "
			  "partition, stall, hog, kill or restart)");
	scn_free(s);
}

void register_scn_err_suite(void);
void register_scn_err_suite(void)
{
	CU_pSuite s = CU_add_suite("scn_err", NULL, NULL);
	CU_add_test(s, "capture", test_err_capture);
	CU_add_test(s, "scenario not first", test_err_scenario_not_first);
	CU_add_test(s, "fault line (inject)", test_fault_line);
	CU_add_test(s, "scenario twice", test_err_scenario_twice);
	CU_add_test(s, "duration missing", test_err_duration_missing);
	CU_add_test(s, "duration syntax", test_err_duration_syntax);
	CU_add_test(s, "unknown statement", test_err_unknown_statement);
	CU_add_test(s, "unknown network", test_err_unknown_network);
	CU_add_test(s, "unknown node", test_err_unknown_node);
	CU_add_test(s, "duplicate node", test_err_duplicate_node);
	CU_add_test(s, "network name too long", test_err_network_name_too_long);
	CU_add_test(s, "network host bits", test_err_network_host_bits);
	CU_add_test(s, "network overlap", test_err_network_overlap);
	CU_add_test(s, "address outside network", test_err_address_outside_network);
	CU_add_test(s, "address duplicate", test_err_address_duplicate);
	CU_add_test(s, "qemu-only option", test_err_qemu_only_option);
	CU_add_test(s, "gateway outside", test_err_gateway_outside);
	CU_add_test(s, "VIP outside", test_err_vip_outside);
	CU_add_test(s, "VIP is a node address", test_err_vip_is_node_address);
	CU_add_test(s, "backend shares no network", test_err_backend_no_shared_network);
	CU_add_test(s, "lb needs vip", test_err_lb_needs_vip);
	CU_add_test(s, "heartbeat not on node", test_err_heartbeat_not_on_node);
	CU_add_test(s, "advert centiseconds", test_err_advert_not_centiseconds);
	CU_add_test(s, "load url", test_err_load_url);
	CU_add_test(s, "service name twice", test_err_service_name_twice);
	CU_add_test(s, "service kind", test_err_service_kind);
	CU_add_test(s, "time after duration", test_err_time_after_duration);
	CU_add_test(s, "duration after timeline", test_err_duration_after_timeline);
	CU_add_test(s, "partition both sides", test_err_partition_both_sides);
	CU_add_test(s, "partition one way", test_err_partition_oneway);
	CU_add_test(s, "any() candidate", test_err_any_candidate_not_on_net);
	CU_add_test(s, "fault target shape", test_err_fault_target_shape);
	CU_add_test(s, "kill unknown service", test_err_kill_unknown_service);
	CU_add_test(s, "loss percent", test_err_loss_percent);
	CU_add_test(s, "bandwidth", test_err_bandwidth);
	CU_add_test(s, "filter_match", test_err_filter_match);
	CU_add_test(s, "expect wrong unit", test_err_expect_wrong_unit);
	CU_add_test(s, "expect metric and op", test_err_expect_unknown_metric_and_op);
	CU_add_test(s, "expect scope", test_err_expect_unknown_scope);
	CU_add_test(s, "expect of CLIENT", test_err_expect_of_client);
	CU_add_test(s, "string unterminated", test_err_string_unterminated);
	CU_add_test(s, "string bad escape", test_err_string_bad_escape);
	CU_add_test(s, "param undefined", test_err_param_undefined);
	CU_add_test(s, "--set undeclared", test_err_param_set_undeclared);
	CU_add_test(s, "column after ${}", test_err_column_after_substitution);
	CU_add_test(s, "column after continuation", test_err_column_after_continuation);
	CU_add_test(s, "column counts characters", test_err_column_counts_characters);
	CU_add_test(s, "format", test_err_format_line);
	CU_add_test(s, "expect mark", test_err_expect_mark);
	CU_add_test(s, "probe", test_err_probe);
	CU_add_test(s, "collect", test_err_collect);
}
