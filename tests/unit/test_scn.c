/*
 * test_scn.c - the scenario language: the bundled examples, value syntaxes, address
 * hand-out, ${param} and --set. Error messages are in test_scn_err.c.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>

#include "scn.h"

/* A fault kind by the name it is written as. */
#define K(name) scn_fault_kind_find(name)

static struct scn *parse_set(const char *text, const struct scn_set *sets, int n_sets,
			     struct scn_err *err)
{
	return scn_parse("t.scn", text, strlen(text), sets, n_sets, err);
}

static struct scn *load_example(const char *name, const struct scn_set *sets, int n_sets)
{
	char path[256];
	struct scn_err err;
	snprintf(path, sizeof(path), "scenarios/examples/%s", name);
	struct scn *s = scn_load(path, sets, n_sets, &err);
	if (!s) {
		char msg[1024];
		scn_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "\n%s\n", msg);
	}
	return s;
}

static bool addr_is(struct in_addr a, const char *text)
{
	char buf[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return !strcmp(buf, text);
}

static const struct scn_iface *iface_of(const struct scn *s, const char *node, const char *net)
{
	int n = scn_node_find(s, node);
	int i = scn_iface_find(s, n, scn_net_find(s, net));
	return i < 0 ? NULL : &s->nodes[n].ifaces[i];
}

static void test_example_quickstart_counts(void)
{
	struct scn *s = load_example("quickstart.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL("quickstart", s->name);
	CU_ASSERT_STRING_EQUAL("Master load balancer is killed; backup takes over the VIP",
			       s->description);
	CU_ASSERT_EQUAL(15000, s->duration_ms);
	CU_ASSERT_EQUAL(7, s->seed);
	CU_ASSERT_EQUAL(2, s->n_networks);
	CU_ASSERT_EQUAL(5, s->n_nodes);
	CU_ASSERT_EQUAL(5, s->n_services);
	CU_ASSERT_EQUAL(1, s->n_events);
	CU_ASSERT_EQUAL(4, s->n_expects);
	CU_ASSERT_EQUAL(24, s->networks[1].plen);
	CU_ASSERT(addr_is(s->networks[1].addr, "198.18.1.0"));
	scn_free(s);
}

static void test_example_quickstart_addresses(void)
{
	struct scn *s = load_example("quickstart.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(addr_is(iface_of(s, "lb1", "public")->addr, "198.18.0.1"));
	CU_ASSERT(addr_is(iface_of(s, "lb1", "private")->addr, "198.18.1.1"));
	CU_ASSERT(addr_is(iface_of(s, "lb2", "private")->addr, "198.18.1.2"));
	CU_ASSERT(addr_is(iface_of(s, "web1", "private")->addr, "198.18.1.3"));
	CU_ASSERT(addr_is(iface_of(s, "web2", "private")->addr, "198.18.1.4"));
	CU_ASSERT(addr_is(iface_of(s, "client", "public")->addr, "198.18.0.3"));
	CU_ASSERT_FALSE(iface_of(s, "client", "public")->addr_given);
	CU_ASSERT_PTR_NULL(iface_of(s, "client", "private"));
	scn_free(s);
}

static void test_example_quickstart_services(void)
{
	struct scn *s = load_example("quickstart.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	int lb1 = scn_service_find(s, scn_node_find(s, "lb1"), "lb");
	CU_ASSERT_FATAL(lb1 >= 0);
	const struct scn_service *lb = &s->services[lb1];
	CU_ASSERT_EQUAL(SCN_SVC_LB, lb->kind);
	CU_ASSERT(addr_is(lb->vip, "198.18.0.100"));
	CU_ASSERT_EQUAL(2, lb->n_backends);
	CU_ASSERT_EQUAL(scn_node_find(s, "web1"), lb->backends[0]);
	CU_ASSERT_EQUAL(150, lb->priority);
	CU_ASSERT_EQUAL(100, lb->advert_ms);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, lb->ha); /* two lbs share the VIP */
	CU_ASSERT_EQUAL(51, lb->vrid);
	CU_ASSERT_EQUAL(1, lb->n_heartbeat);
	CU_ASSERT_EQUAL(scn_net_find(s, "public"), lb->heartbeat[0]);
	int ld = scn_service_find(s, scn_node_find(s, "client"), "load");
	CU_ASSERT_FATAL(ld >= 0);
	CU_ASSERT(addr_is(s->services[ld].url_addr, "198.18.0.100"));
	CU_ASSERT_EQUAL(80, s->services[ld].url_port);
	CU_ASSERT_STRING_EQUAL("/", s->services[ld].url_path);
	CU_ASSERT_DOUBLE_EQUAL(100.0, s->services[ld].rate, 1e-9);
	CU_ASSERT_EQUAL(1000, s->services[ld].timeout_ms);
	scn_free(s);
}

static void test_example_quickstart_timeline(void)
{
	struct scn *s = load_example("quickstart.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct scn_event *ev = &s->events[0];
	CU_ASSERT_EQUAL(SCN_AT, ev->sched);
	CU_ASSERT_EQUAL(5000, ev->at_ms);
	CU_ASSERT_FALSE(ev->has_for);
	CU_ASSERT_EQUAL(K("kill"), ev->fault.kind);
	CU_ASSERT_EQUAL(1, ev->fault.target.n_nodes);
	CU_ASSERT_EQUAL(scn_node_find(s, "lb1"), ev->fault.target.nodes[0]);
	CU_ASSERT_EQUAL(scn_service_find(s, scn_node_find(s, "lb1"), "lb"), ev->fault.service);
	CU_ASSERT_EQUAL(SIGKILL, ev->fault.n);
	const struct scn_expect *e = &s->expects[0];
	CU_ASSERT_STRING_EQUAL("failover", e->metric);
	CU_ASSERT_EQUAL(SCN_OP_LT, e->op);
	CU_ASSERT_EQUAL(SCN_UNIT_MS, e->unit);
	CU_ASSERT_DOUBLE_EQUAL(1000.0, e->value, 1e-9);
	CU_ASSERT_STRING_EQUAL("failover < 1s", e->text);
	CU_ASSERT_PTR_NULL(e->scope);
	CU_ASSERT_EQUAL(SCN_UNIT_PERCENT, s->expects[3].unit);
	CU_ASSERT_EQUAL(SCN_OP_GE, s->expects[3].op);
	CU_ASSERT_DOUBLE_EQUAL(95.0, s->expects[3].value, 1e-9);
	scn_free(s);
}

static void test_example_kernel_matrix_qemu(void)
{
	struct scn *s = load_example("kernel-matrix.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(SCN_NODE_QEMU, s->nodes[0].kind);
	CU_ASSERT_EQUAL(SCN_NODE_NETNS, s->nodes[2].kind);
	CU_ASSERT_STRING_EQUAL("", s->nodes[0].append);
	CU_ASSERT_STRING_EQUAL("Guest load balancers stall; kernel command line under test: ",
			       s->description);
	CU_ASSERT_EQUAL(SCN_HA_SAFE, s->services[2].ha);
	CU_ASSERT_EQUAL(K("stall"), s->events[0].fault.kind);
	CU_ASSERT_EQUAL(-1, s->events[0].fault.target.net);
	CU_ASSERT_TRUE(s->events[0].has_for);
	CU_ASSERT_EQUAL(5000, s->events[0].for_min_ms);
	CU_ASSERT_EQUAL(5000, s->events[0].for_max_ms);
	CU_ASSERT_DOUBLE_EQUAL(50.0, s->services[4].rate, 1e-9);
	CU_ASSERT_EQUAL(2000, s->services[4].timeout_ms);
	scn_free(s);
}

static void test_example_kernel_matrix_set(void)
{
	struct scn_set set = {"append", "noapic nolapic_timer"};
	struct scn *s = load_example("kernel-matrix.scn", &set, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL("noapic nolapic_timer", s->nodes[0].append);
	CU_ASSERT_STRING_EQUAL("noapic nolapic_timer", s->nodes[1].append);
	CU_ASSERT_STRING_EQUAL("Guest load balancers stall; kernel command line under test: "
			       "noapic nolapic_timer", s->description);
	CU_ASSERT_STRING_EQUAL("noapic nolapic_timer", s->params[0].value);
	scn_free(s);
}

static void test_example_split_brain_timeline(void)
{
	struct scn *s = load_example("split-brain.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(42, s->seed);
	CU_ASSERT_EQUAL(SCN_HA_SAFE, s->services[2].ha);
	CU_ASSERT_EQUAL(scn_net_find(s, "private"), s->services[2].heartbeat[0]);
	const struct scn_fault *flap = &s->events[0].fault;
	CU_ASSERT_EQUAL(K("flap"), flap->kind);
	CU_ASSERT_EQUAL(scn_net_find(s, "private"), flap->target.net);
	CU_ASSERT_EQUAL(1000, flap->ms[0]);
	CU_ASSERT_EQUAL(1000, flap->ms[1]);
	CU_ASSERT_EQUAL(6, flap->n);
	const struct scn_event *r = &s->events[2];
	CU_ASSERT_EQUAL(SCN_RANDOM, r->sched);
	CU_ASSERT_DOUBLE_EQUAL(360.0, r->per_hour, 1e-9);
	CU_ASSERT_EQUAL(25000, r->from_ms);
	CU_ASSERT_EQUAL(38000, r->until_ms);
	CU_ASSERT_EQUAL(K("blackhole"), r->fault.kind);
	CU_ASSERT_EQUAL(2, r->fault.target.n_nodes);
	CU_ASSERT_EQUAL(scn_node_find(s, "web2"), r->fault.target.nodes[1]);
	CU_ASSERT_EQUAL(1000, r->for_min_ms);
	CU_ASSERT_EQUAL(3000, r->for_max_ms);
	scn_free(s);
}

static void test_example_split_brain_set_ha(void)
{
	struct scn_set set = {"ha", "vrrp"};
	struct scn *s = load_example("split-brain.scn", &set, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, s->services[2].ha);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, s->services[3].ha);
	scn_free(s);
}

/* vrrp-firewall.scn: one fault, VRRP only, both ways, never reverted; ha from the param. */
static void test_example_vrrp_firewall(void)
{
	struct scn_set set = {"ha", "vrrp"};
	struct scn *s = load_example("vrrp-firewall.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->duration_ms <= 20000);
	CU_ASSERT_EQUAL(SCN_HA_SAFE, s->services[2].ha);
	CU_ASSERT_EQUAL(1, s->services[2].n_heartbeat);
	CU_ASSERT_EQUAL(scn_net_find(s, "private"), s->services[2].heartbeat[0]);
	CU_ASSERT_EQUAL_FATAL(1, s->n_events);
	const struct scn_event *e = &s->events[0];
	CU_ASSERT_EQUAL(SCN_AT, e->sched);
	CU_ASSERT_EQUAL(4000, e->at_ms);
	CU_ASSERT_FALSE(e->has_for);
	CU_ASSERT_EQUAL(K("blackhole"), e->fault.kind);
	CU_ASSERT_EQUAL(scn_node_find(s, "lb1"), e->fault.target.nodes[0]);
	CU_ASSERT_EQUAL(scn_net_find(s, "private"), e->fault.target.net);
	CU_ASSERT_EQUAL(SCN_DIR_BOTH, e->fault.dir);
	CU_ASSERT_EQUAL(SCN_PROTO_VRRP, e->fault.match.proto);
	scn_free(s);
	s = load_example("vrrp-firewall.scn", &set, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, s->services[2].ha);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, s->services[3].ha);
	scn_free(s);
}

static void test_duration_parse_units(void)
{
	int64_t ms = -1;
	CU_ASSERT_EQUAL(0, scn_duration_parse("250ms", &ms));
	CU_ASSERT_EQUAL(250, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("5s", &ms));
	CU_ASSERT_EQUAL(5000, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("2m", &ms));
	CU_ASSERT_EQUAL(120000, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("1h", &ms));
	CU_ASSERT_EQUAL(3600000, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("0s", &ms));
	CU_ASSERT_EQUAL(0, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("1.5s", &ms));
	CU_ASSERT_EQUAL(1500, ms);
	CU_ASSERT_EQUAL(0, scn_duration_parse("0.25m", &ms));
	CU_ASSERT_EQUAL(15000, ms);
}

static void test_duration_parse_rejects(void)
{
	static const char *const bad[] = {"5", "5x", "s", "", "-1s", "1.s", ".5s", "1.5ms",
					  "1 s", "5S", "1s500ms", "1e3ms", "0.0001s"};
	int64_t ms = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(-1, scn_duration_parse(bad[i], &ms));
		CU_ASSERT_EQUAL(EINVAL, errno);
	}
	CU_ASSERT_EQUAL(77, ms);
	CU_ASSERT_EQUAL(-1, scn_duration_parse("99999999999999999999s", &ms));
	CU_ASSERT_EQUAL(ERANGE, errno);
}

static void test_size_parse_binary_suffixes(void)
{
	uint64_t b = 0;
	CU_ASSERT_EQUAL(0, scn_size_parse("1500", &b));
	CU_ASSERT_EQUAL(1500, b);
	CU_ASSERT_EQUAL(0, scn_size_parse("64k", &b));
	CU_ASSERT_EQUAL(65536, b);
	CU_ASSERT_EQUAL(0, scn_size_parse("64K", &b));
	CU_ASSERT_EQUAL(65536, b);
	CU_ASSERT_EQUAL(0, scn_size_parse("1M", &b));
	CU_ASSERT_EQUAL(1048576, b);
	CU_ASSERT_EQUAL(0, scn_size_parse("2G", &b));
	CU_ASSERT_EQUAL(2147483648ULL, b);
	CU_ASSERT_EQUAL(-1, scn_size_parse("1.5M", &b));
	CU_ASSERT_EQUAL(-1, scn_size_parse("1m", &b));
	CU_ASSERT_EQUAL(-1, scn_size_parse("k", &b));
	CU_ASSERT_EQUAL(-1, scn_size_parse("1kB", &b));
}

static void test_rate_parse_per_hour(void)
{
	double h = 0;
	CU_ASSERT_EQUAL(0, scn_rate_parse("200/s", &h));
	CU_ASSERT_DOUBLE_EQUAL(720000.0, h, 1e-9);
	CU_ASSERT_EQUAL(0, scn_rate_parse("12/h", &h));
	CU_ASSERT_DOUBLE_EQUAL(12.0, h, 1e-9);
	CU_ASSERT_EQUAL(0, scn_rate_parse("3/m", &h));
	CU_ASSERT_DOUBLE_EQUAL(180.0, h, 1e-9);
	CU_ASSERT_EQUAL(0, scn_rate_parse("0.5/s", &h));
	CU_ASSERT_DOUBLE_EQUAL(1800.0, h, 1e-9);
	CU_ASSERT_EQUAL(-1, scn_rate_parse("12", &h));
	CU_ASSERT_EQUAL(-1, scn_rate_parse("12/d", &h));
	CU_ASSERT_EQUAL(-1, scn_rate_parse("/s", &h));
}

static void test_percent_parse_range(void)
{
	double v = -1;
	CU_ASSERT_EQUAL(0, scn_percent_parse("99.5%", &v));
	CU_ASSERT_DOUBLE_EQUAL(99.5, v, 1e-9);
	CU_ASSERT_EQUAL(0, scn_percent_parse("0%", &v));
	CU_ASSERT_DOUBLE_EQUAL(0.0, v, 1e-9);
	CU_ASSERT_EQUAL(0, scn_percent_parse("100%", &v));
	CU_ASSERT_DOUBLE_EQUAL(100.0, v, 1e-9);
	CU_ASSERT_EQUAL(-1, scn_percent_parse("100.1%", &v));
	CU_ASSERT_EQUAL(ERANGE, errno);
	CU_ASSERT_EQUAL(-1, scn_percent_parse("99.5", &v));
	CU_ASSERT_EQUAL(EINVAL, errno);
}

static void test_metric_unit_table(void)
{
	CU_ASSERT_EQUAL(SCN_UNIT_MS, scn_metric_unit("split-brain"));
	CU_ASSERT_EQUAL(SCN_UNIT_PERCENT, scn_metric_unit("uptime"));
	CU_ASSERT_EQUAL(SCN_UNIT_COUNT, scn_metric_unit("frag-needed"));
	CU_ASSERT_EQUAL(0, scn_metric_unit("split"));
}

#define HEAD "scenario t\nduration 30s\n"

static void test_addr_handout_skips_given_and_vips(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network n 10.0.0.0/24\n"
				       "node a on n\n"
				       "node b on n=10.0.0.1\n"
				       "node c on n\n"
				       "node d on n\n"
				       "node w on n=10.0.0.9\n"
				       "service w web\n"
				       "service b lb vip 10.0.0.4 backends w\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(addr_is(iface_of(s, "a", "n")->addr, "10.0.0.2"));
	CU_ASSERT(addr_is(iface_of(s, "b", "n")->addr, "10.0.0.1"));
	CU_ASSERT_TRUE(iface_of(s, "b", "n")->addr_given);
	CU_ASSERT(addr_is(iface_of(s, "c", "n")->addr, "10.0.0.3"));
	CU_ASSERT(addr_is(iface_of(s, "d", "n")->addr, "10.0.0.5"));
	CU_ASSERT_EQUAL(SCN_HA_NONE, s->services[1].ha); /* a single lb */
	scn_free(s);
}

static void test_addr_handout_per_network(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network a 10.0.0.0/30\nnetwork b 10.0.1.0/24\n"
				       "node x on a b\nnode y on b a\nnode z on b\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(addr_is(iface_of(s, "x", "a")->addr, "10.0.0.1"));
	CU_ASSERT(addr_is(iface_of(s, "y", "a")->addr, "10.0.0.2"));
	CU_ASSERT(addr_is(iface_of(s, "z", "b")->addr, "10.0.1.3"));
	scn_free(s);
}

static void test_param_substitution_anywhere(void)
{
	struct scn_err err;
	struct scn *s = parse_set("scenario t\nduration ${d}\nparam d \"12s\"\n"
				  "param nets \"a b\"\nnetwork a 10.0.0.0/24\n"
				  "network b 10.0.1.0/24\nnode x on ${nets}\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(12000, s->duration_ms);
	CU_ASSERT_EQUAL(2, s->nodes[0].n_ifaces);
	scn_free(s);
}

static void test_param_set_overrides_and_escapes(void)
{
	struct scn_set sets[] = {{"d", "2m"}, {"text", "say \"hi\" \\o/"}};
	struct scn_err err;
	struct scn *s = parse_set("scenario t\nparam d \"12s\"\nparam text \"\"\n"
				  "duration ${d}\ndescription \"<${text}>\"\n",
				  sets, 2, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(120000, s->duration_ms);
	CU_ASSERT_STRING_EQUAL("<say \"hi\" \\o/>", s->description);
	scn_free(s);
}

static void test_lexer_continuation_and_comments(void)
{
	struct scn_err err;
	struct scn *s = parse_set("# head comment\nscenario t   # trailing\n"
				  "description \"a # not a comment \\\\ \\\"q\\\"\"\n"
				  "duration \\\n   30s\n\n"
				  "network n 10.0.0.0/24 \\\n  mtu 9000\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL("a # not a comment \\ \"q\"", s->description);
	CU_ASSERT_EQUAL(30000, s->duration_ms);
	CU_ASSERT_EQUAL(9000, s->networks[0].mtu);
	CU_ASSERT_EQUAL(1, s->seed);
	scn_free(s);
}

static void test_bitrate_parse_units(void)
{
	uint64_t v = 0;
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("512kbit", &v));
	CU_ASSERT_EQUAL(512000, v);
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("10mbit", &v));
	CU_ASSERT_EQUAL(10000000, v);
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("1gbit", &v));
	CU_ASSERT_EQUAL(1000000000, v);
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("1.5mbit", &v));
	CU_ASSERT_EQUAL(1500000, v);
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("64000bit", &v));
	CU_ASSERT_EQUAL(64000, v);
	CU_ASSERT_EQUAL(0, scn_bitrate_parse("64000", &v));
	CU_ASSERT_EQUAL(64000, v);
	CU_ASSERT_EQUAL(-1, scn_bitrate_parse("10Mbit", &v)); /* tc's units are lower case */
	CU_ASSERT_EQUAL(-1, scn_bitrate_parse("10mbps", &v));
	CU_ASSERT_EQUAL(-1, scn_bitrate_parse("1.5bit", &v)); /* not a whole bit/s */
	CU_ASSERT_EQUAL(-1, scn_bitrate_parse("mbit", &v));
	CU_ASSERT_EQUAL(-1, scn_bitrate_parse("", &v));
}

/* loss and blackhole: [in|out|both] [match SEL]; absent: both ways, every frame. */
static void test_filter_dir_match_parse(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network n 10.0.0.0/24\nnode a on n\n"
				  "at 1s loss a.n 5%\n"
				  "at 1s loss a.n 100% out\n"
				  "at 1s blackhole a.n in match udp port 53 for 2s\n"
				  "at 1s blackhole a.n match vrrp\n"
				  "at 1s loss a.n 1% both match tcp\n"
				  "at 1s blackhole a.n match arp\n"
				  "at 1s blackhole a.n match icmp\n"
				  "at 1s loss a.n 2% match tcp port 65535\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(8, s->n_events);
	const struct scn_fault *f = &s->events[0].fault;
	CU_ASSERT_EQUAL(SCN_DIR_BOTH, f->dir);
	CU_ASSERT_EQUAL(SCN_PROTO_ANY, f->match.proto);
	CU_ASSERT_EQUAL(0, f->match.port);
	CU_ASSERT_EQUAL(SCN_DIR_OUT, s->events[1].fault.dir);
	CU_ASSERT_EQUAL(100.0, s->events[1].fault.percent);
	f = &s->events[2].fault;
	CU_ASSERT_EQUAL(K("blackhole"), f->kind);
	CU_ASSERT_EQUAL(SCN_DIR_IN, f->dir);
	CU_ASSERT_EQUAL(SCN_PROTO_UDP, f->match.proto);
	CU_ASSERT_EQUAL(53, f->match.port);
	CU_ASSERT_TRUE(s->events[2].has_for);
	CU_ASSERT_EQUAL(2000, s->events[2].for_min_ms);
	CU_ASSERT_EQUAL(SCN_DIR_BOTH, s->events[3].fault.dir);
	CU_ASSERT_EQUAL(SCN_PROTO_VRRP, s->events[3].fault.match.proto);
	CU_ASSERT_EQUAL(SCN_PROTO_TCP, s->events[4].fault.match.proto);
	CU_ASSERT_EQUAL(0, s->events[4].fault.match.port);
	CU_ASSERT_EQUAL(SCN_PROTO_ARP, s->events[5].fault.match.proto);
	CU_ASSERT_EQUAL(SCN_PROTO_ICMP, s->events[6].fault.match.proto);
	CU_ASSERT_EQUAL(65535, s->events[7].fault.match.port);
	scn_free(s);
}

static void test_bandwidth_parse(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network n 10.0.0.0/24\nnode a on n\n"
				  "at 1s bandwidth a.n 10mbit\n"
				  "at 1s bandwidth a.n 512kbit in for 2s\n"
				  "at 1s bandwidth a.n 1gbit out\n"
				  "at 1s bandwidth a.n 2000000 both\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(4, s->n_events);
	CU_ASSERT_EQUAL(K("bandwidth"), s->events[0].fault.kind);
	CU_ASSERT_EQUAL(10000000, s->events[0].fault.rate_bps);
	CU_ASSERT_EQUAL(SCN_DIR_BOTH, s->events[0].fault.dir);
	CU_ASSERT_EQUAL(512000, s->events[1].fault.rate_bps);
	CU_ASSERT_EQUAL(SCN_DIR_IN, s->events[1].fault.dir);
	CU_ASSERT_TRUE(s->events[1].has_for);
	CU_ASSERT_EQUAL(2000, s->events[1].for_min_ms);
	CU_ASSERT_EQUAL(SCN_DIR_OUT, s->events[2].fault.dir);
	CU_ASSERT_EQUAL(2000000, s->events[3].fault.rate_bps);
	CU_ASSERT_EQUAL(SCN_DIR_BOTH, s->events[3].fault.dir);
	CU_ASSERT_EQUAL(0, s->events[0].fault.target.net);
	scn_free(s);
}

static void test_fault_kinds_table(void)
{
	/* every entry can be found by its name, and only by it */
	int n = 0;
	for (int i = 0; scn_fault_kinds[i]; i++, n++) {
		CU_ASSERT_PTR_EQUAL(scn_fault_kinds[i], K(scn_fault_kinds[i]->name));
		CU_ASSERT_PTR_NOT_NULL(scn_fault_kinds[i]->parse);
		CU_ASSERT_TRUE(scn_fault_kinds[i]->undo >= SCN_UNDO_END &&
			       scn_fault_kinds[i]->undo <= SCN_UNDO_TIMED);
	}
	CU_ASSERT_EQUAL(17, n);
	CU_ASSERT_PTR_NULL(K("link"));
	CU_ASSERT_PTR_EQUAL(K("link down"), K("flap")->step);
	CU_ASSERT_EQUAL(SCN_UNDO_TIMED, K("kill")->undo);
	CU_ASSERT_EQUAL(SCN_UNDO_NONE, K("link up")->undo);
}

static void test_fault_kinds_parse(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network n 10.0.0.0/24\nnode a on n\nnode b on n\n"
				       "service a exec \"sleep 100\" name sleeper\n"
				       "at 1s link down a.n for 2s\n"
				       "at 1s mtu b.n 1400\n"
				       "at 1s pmtu-blackhole n\n"
				       "at 1s loss a.n 2.5%\n"
				       "at 1s delay a.n 100ms jitter 10ms\n"
				       "every 5s from 2s until 20s partition a / b for 1s\n"
				       "at 2s kill a sleeper signal SIGTERM\n"
				       "at 3s restart any(a).n\n"
				       "expect errors == 0 during faults\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NULL(s); /* restart takes a node and a service, not NODE.NET */
	scn_free(s);
	s = parse_set(HEAD "network n 10.0.0.0/24\nnode a on n\nnode b on n\n"
		      "service a exec \"sleep 100\" name sleeper\n"
		      "at 1s link down a.n for 2s\n"
		      "at 1s mtu b.n 1400\n"
		      "at 1s pmtu-blackhole n\n"
		      "at 1s loss a.n 2.5%\n"
		      "at 1s delay a.n 100ms jitter 10ms\n"
		      "every 5s from 2s until 20s partition a / b for 1s\n"
		      "at 2s kill a sleeper signal SIGTERM\n"
		      "at 3s restart a sleeper\n"
		      "expect errors == 0 during faults\n",
		      NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(8, s->n_events);
	CU_ASSERT_EQUAL(1400, s->events[1].fault.n);
	CU_ASSERT_EQUAL(0, s->events[2].fault.target.n_nodes);
	CU_ASSERT_EQUAL(0, s->events[2].fault.target.net);
	CU_ASSERT_DOUBLE_EQUAL(2.5, s->events[3].fault.percent, 1e-9);
	CU_ASSERT_EQUAL(10, s->events[4].fault.ms[1]);
	CU_ASSERT_EQUAL(1, s->events[5].fault.n_a);
	CU_ASSERT_EQUAL(1, s->events[5].fault.group_b[0]);
	CU_ASSERT_EQUAL(20000, s->events[5].until_ms);
	CU_ASSERT_EQUAL(SIGTERM, s->events[6].fault.n);
	CU_ASSERT_STRING_EQUAL("sleeper", s->events[7].fault.svc_name);
	CU_ASSERT_STRING_EQUAL("during faults", s->expects[0].scope);
	CU_ASSERT_STRING_EQUAL("link down", s->events[0].fault.kind->name);
	scn_free(s);
}

/* The groups of event @i of @s as "a,b|c" (group a, '|', group b). */
static const char *groups_of(const struct scn *s, int i)
{
	static char buf[128];
	const struct scn_fault *f = &s->events[i].fault;
	size_t off = 0;
	buf[0] = '\0';
	for (int k = 0; k < f->n_a + f->n_b; k++) {
		int node = k < f->n_a ? f->group_a[k] : f->group_b[k - f->n_a];
		const char *sep = k == f->n_a ? "|" : k ? "," : "";
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", sep,
					s->nodes[node].name);
	}
	return buf;
}

/* "->" is a one-way partition (dir out), with or without spaces; '/' stays two-way (0). */
static void test_partition_oneway_parse(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "network n 10.0.0.0/24\nnode a on n\nnode b on n\n"
				       "node c on n\nnode x- on n\nnode y-z on n\n"
				       "at 1s partition a -> b\n"
				       "at 1s partition a,b->c for 1s\n"
				       "at 1s partition a , b ->c\n"
				       "at 1s partition x-->y-z\n"
				       "at 1s partition y-z->x-,a\n"
				       "at 1s partition a,b / c\n"
				       "at 1s partition a/b\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(7, s->n_events);
	const char *want[] = {"a|b", "a,b|c", "a,b|c", "x-|y-z", "y-z|x-,a", "a,b|c", "a|b"};
	for (int i = 0; i < 7; i++) {
		CU_ASSERT_STRING_EQUAL(want[i], groups_of(s, i));
		CU_ASSERT_EQUAL(i < 5 ? SCN_DIR_OUT : 0, s->events[i].fault.dir);
		CU_ASSERT_EQUAL(-1, s->events[i].fault.target.net);
	}
	CU_ASSERT_TRUE(s->events[1].has_for);
	scn_free(s);
}

static void test_data_good_features(void)
{
	struct scn *s = load_example("../../tests/data/scn/good-features.scn", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL("every \"feature\" \\ once", s->description);
	CU_ASSERT_EQUAL(UINT64_MAX, s->seed);
	const struct scn_node *lb1 = &s->nodes[scn_node_find(s, "lb1")];
	CU_ASSERT_STRING_EQUAL("noapic nolapic_timer", lb1->append);
	CU_ASSERT_STRING_EQUAL("/tmp/my initrd.img", lb1->initrd);
	CU_ASSERT_EQUAL(256u << 20, lb1->memory);
	CU_ASSERT_EQUAL(2, lb1->cpus);
	CU_ASSERT_TRUE(lb1->microvm);
	CU_ASSERT_FALSE(s->nodes[scn_node_find(s, "web1")].microvm);
	CU_ASSERT_TRUE(s->nodes[0].forward);
	CU_ASSERT(addr_is(iface_of(s, "router", "storage")->addr, "198.18.2.1"));
	CU_ASSERT(addr_is(iface_of(s, "web2", "storage")->addr, "198.18.2.2"));
	CU_ASSERT(addr_is(s->nodes[scn_node_find(s, "web1")].gateway, "198.18.1.254"));
	const struct scn_service *lb = &s->services[3];
	CU_ASSERT_EQUAL(SCN_SVC_LB, lb->kind);
	CU_ASSERT_EQUAL(2, lb->n_heartbeat);
	CU_ASSERT_EQUAL(SCN_CHECK_TCP, lb->check);
	CU_ASSERT_EQUAL(SCN_BALANCE_LEASTCONN, lb->balance);
	CU_ASSERT_EQUAL(1360, lb->mss);
	CU_ASSERT_EQUAL(5000, lb->preempt_delay_ms);
	CU_ASSERT_EQUAL(SCN_HA_VRRP, s->services[4].ha); /* not written: shares the VIP */
	const struct scn_service *ld = &s->services[5];
	CU_ASSERT_STRING_EQUAL("/index.html", ld->url_path);
	CU_ASSERT_EQUAL(65536, ld->size);
	CU_ASSERT_TRUE(ld->keepalive);
	CU_ASSERT_DOUBLE_EQUAL(0.5, ld->rate, 1e-12);
	CU_ASSERT_EQUAL(1000, s->events[5].for_min_ms);
	CU_ASSERT_EQUAL(1500, s->events[5].for_max_ms);
	CU_ASSERT_EQUAL(2, s->events[9].fault.n_a);
	CU_ASSERT_EQUAL(15, s->events[10].fault.n);
	CU_ASSERT_EQUAL(12, s->n_events);
	scn_free(s);
}

/* Each tests/data/scn/bad-*.scn starts with "# error: LINE:COL: MESSAGE". */
static void check_bad_file(const char *path)
{
	char first[600], want[700], got[700];
	struct scn_err err;
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(first, sizeof(first), f));
	fclose(f);
	first[strcspn(first, "\n")] = '\0';
	CU_ASSERT_EQUAL_FATAL(0, strncmp(first, "# error: ", 9));
	snprintf(want, sizeof(want), "%s:%s", path, first + 9);
	struct scn *s = scn_load(path, NULL, 0, &err);
	CU_ASSERT_PTR_NULL(s);
	scn_free(s);
	scn_err_format(&err, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(want, got);
}

static void test_data_bad_files(void)
{
	glob_t g;
	CU_ASSERT_EQUAL_FATAL(0, glob("tests/data/scn/bad-*.scn", 0, NULL, &g));
	CU_ASSERT(g.gl_pathc >= 3);
	for (size_t i = 0; i < g.gl_pathc; i++)
		check_bad_file(g.gl_pathv[i]);
	globfree(&g);
}

/* 'of CLIENT' before 'during faults'; NODE alone or NODE.SERVICE; the log file names. */
static void test_expect_of_client(void)
{
	static const char text[] = "scenario t\nduration 10s\nnetwork n 10.0.0.0/24\n"
				   "node a on n\nnode b on n\nnode w on n\nservice w web\n"
				   "service a load http://10.0.0.3/ rate 10/s\n"
				   "service b load http://10.0.0.3/ rate 10/s\n"
				   "expect p99 < 200ms of a during faults\n"
				   "expect success >= 99% of b.load\n"
				   "expect success >= 99%\n";
	struct scn_err err;
	char buf[64];
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(3, s->n_expects);
	CU_ASSERT_EQUAL(1 + 1, s->expects[0].client); /* services: w.web, a.load, b.load */
	CU_ASSERT_STRING_EQUAL("during faults", s->expects[0].scope);
	CU_ASSERT_STRING_EQUAL("p99 < 200ms of a during faults", s->expects[0].text);
	CU_ASSERT_EQUAL(2 + 1, s->expects[1].client);
	CU_ASSERT_PTR_NULL(s->expects[1].scope);
	CU_ASSERT_EQUAL(0, s->expects[2].client);
	CU_ASSERT_FALSE(scn_service_is_client(s, 0));
	CU_ASSERT_TRUE(scn_service_is_client(s, 1));
	CU_ASSERT_FALSE(scn_service_is_client(s, 3));
	scn_client_name(s, 2, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("b.load", buf);
	scn_client_log(s, 1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("requests-a.csv", buf);
	/* one client: requests.csv, as before clients had names */
	s->services[2].kind = SCN_SVC_WEB;
	scn_client_log(s, 1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("requests.csv", buf);
	/* two clients on one node (a probe beside a load): NODE.SERVICE in the name */
	s->services[2].kind = SCN_SVC_LOAD;
	s->services[2].node = 0;
	snprintf(s->services[2].name, sizeof(s->services[2].name), "probe");
	scn_client_log(s, 2, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("requests-a.probe.csv", buf);
	scn_client_log(s, 1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("requests-a.load.csv", buf);
	CU_ASSERT_TRUE(scn_metric_per_client("outage"));
	CU_ASSERT_FALSE(scn_metric_per_client("split-brain"));
	CU_ASSERT_FALSE(scn_metric_per_client("bogus"));
	scn_free(s);
}


/* The trailing mark of a reproduction: 'fails', 'may fail', after the scope, not in the text. */
/* requires PROGRAM...: every word kept with its position, in order. */
static void test_requires(void)
{
	static const char text[] = "scenario t\nduration 1s\nrequires keepalived /usr/sbin/nginx\n"
				   "requires redis-server\nnetwork n 10.0.0.0/24\nnode a on n\n";
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(3, s->n_requires);
	CU_ASSERT_STRING_EQUAL("keepalived", s->requires[0].name);
	CU_ASSERT_STRING_EQUAL("/usr/sbin/nginx", s->requires[1].name);
	CU_ASSERT_EQUAL(3, s->requires[1].loc.line);
	CU_ASSERT_EQUAL(21, s->requires[1].loc.col);
	CU_ASSERT_STRING_EQUAL("redis-server", s->requires[2].name);
	scn_free(s);
}

/* collect: node, command, name, timeout (10 s by default), in order; an expect on it. */
static void test_collect(void)
{
	static const char text[] = "scenario t\nduration 1s\nnetwork n 10.0.0.0/24\nnode a on n\n"
				   "node b on n\ncollect b \"sh check.sh | tail -1\" as lost-writes\n"
				   "collect a x as n2 timeout 2.5s\nexpect lost-writes <= 2.5 fails\n"
				   "expect n2 == 0\n";
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(2, s->n_collects);
	CU_ASSERT_STRING_EQUAL("lost-writes", s->collects[0].name);
	CU_ASSERT_EQUAL(1, s->collects[0].node);
	CU_ASSERT_STRING_EQUAL("sh check.sh | tail -1", s->collects[0].command);
	CU_ASSERT_EQUAL(SCN_COLLECT_TIMEOUT_MS, s->collects[0].timeout_ms);
	CU_ASSERT_EQUAL(6, s->collects[0].loc.line);
	CU_ASSERT_STRING_EQUAL("x", s->collects[1].command);
	CU_ASSERT_EQUAL(2500, s->collects[1].timeout_ms);
	CU_ASSERT_PTR_EQUAL(&s->collects[1], scn_collect_find(s, "n2"));
	CU_ASSERT_PTR_NULL(scn_collect_find(s, "outage"));
	CU_ASSERT_EQUAL_FATAL(2, s->n_expects);
	CU_ASSERT_EQUAL(SCN_UNIT_NUMBER, s->expects[0].unit);
	CU_ASSERT_DOUBLE_EQUAL(2.5, s->expects[0].value, 1e-9);
	CU_ASSERT_EQUAL(SCN_WANT_FAIL, s->expects[0].want);
	CU_ASSERT_STRING_EQUAL("lost-writes <= 2.5", s->expects[0].text);
	CU_ASSERT_EQUAL(SCN_UNIT_NUMBER, s->expects[1].unit);
	CU_ASSERT_EQUAL(0, scn_metric_unit("lost-writes")); /* not a built-in one */
	scn_free(s);
}

/* The bundled stacks parse (their programs need not be installed to parse). */
static void test_stacks_redis_sentinel(void)
{
	static const char *const files[] = {"scenarios/stacks/redis-sentinel.scn",
					    "scenarios/stacks/redis-sentinel-min-replicas.scn"};
	for (int i = 0; i < 2; i++) {
		struct scn_err err;
		struct scn *s = scn_load(files[i], NULL, 0, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(1, s->n_collects);
		CU_ASSERT_STRING_EQUAL("lost-writes", s->collects[0].name);
		CU_ASSERT_EQUAL(scn_node_find(s, "client"), s->collects[0].node);
		CU_ASSERT_EQUAL(i == 0 ? SCN_WANT_FAIL : SCN_WANT_PASS, s->expects[0].want);
		scn_free(s);
	}
}

static void test_expect_marks(void)
{
	struct scn_err err;
	struct scn *s = parse_set(HEAD "expect split-brain == 0s fails\n"
				       "expect uptime >= 57.6%   may  fail  \n"
				       "expect p50 >= 150ms during faults fails\n"
				       "expect success >= 99%\n"
				       "expect errors < \"20\" fails\n",
				  NULL, 0, &err);
	CU_ASSERT_PTR_NULL(s); /* a quoted count is not a count */
	scn_free(s);
	s = parse_set(HEAD "expect split-brain == 0s fails\n"
			   "expect uptime >= 57.6%   may  fail  \n"
			   "expect p50 >= 150ms during faults fails\n"
			   "expect success >= 99%\n",
		      NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(4, s->n_expects);
	CU_ASSERT_EQUAL(SCN_WANT_FAIL, s->expects[0].want);
	CU_ASSERT_STRING_EQUAL("split-brain == 0s", s->expects[0].text);
	CU_ASSERT_EQUAL(SCN_WANT_EITHER, s->expects[1].want);
	CU_ASSERT_STRING_EQUAL("uptime >= 57.6%", s->expects[1].text);
	CU_ASSERT_DOUBLE_EQUAL(57.6, s->expects[1].value, 1e-9);
	CU_ASSERT_EQUAL(SCN_WANT_FAIL, s->expects[2].want);
	CU_ASSERT_STRING_EQUAL("p50 >= 150ms during faults", s->expects[2].text);
	CU_ASSERT_STRING_EQUAL("during faults", s->expects[2].scope);
	CU_ASSERT_EQUAL(SCN_WANT_PASS, s->expects[3].want);
	CU_ASSERT_STRING_EQUAL("success >= 99%", s->expects[3].text);
	scn_free(s);
}

/* capture NET [snaplen N] [max SIZE] [ring N]: on the network, defaults filled in. */
static void test_capture_parse(void)
{
	const char *text = "scenario t\nduration 5s\nnetwork a 10.0.0.0/24\n"
			   "network b 10.0.1.0/24\nnetwork c 10.0.2.0/24\ncapture a\n"
			   "capture b snaplen 128 max 64k ring 4\n";
	struct scn_err err;
	struct scn *s = parse_set(text, NULL, 0, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->networks[0].capture.on);
	CU_ASSERT_EQUAL(SCN_CAP_SNAPLEN, s->networks[0].capture.snaplen);
	CU_ASSERT_EQUAL(0, s->networks[0].capture.max);
	CU_ASSERT_EQUAL(0, s->networks[0].capture.ring);
	CU_ASSERT_EQUAL(6, s->networks[0].capture.loc.line);
	CU_ASSERT(s->networks[1].capture.on);
	CU_ASSERT_EQUAL(128, s->networks[1].capture.snaplen);
	CU_ASSERT_EQUAL(64 * 1024, s->networks[1].capture.max);
	CU_ASSERT_EQUAL(4, s->networks[1].capture.ring);
	CU_ASSERT(!s->networks[2].capture.on);
	scn_free(s);
}

/* Expectations from a command line (faultline report --expect): the grammar of 'expect',
 * positions in the option's text, params substituted, replacing the file's own. */
static void test_expect_add(void)
{
	static const char text[] = "scenario t\nduration 10s\nparam floor \"90%\"\n"
				   "network n 10.0.0.0/24\nnode a on n\nnode w on n\n"
				   "service w web\nservice a load http://10.0.0.2/ rate 10/s\n"
				   "expect success >= 99%\n";
	struct scn_err err;
	char msg[512];
	struct scn *s = parse_set(text, NULL, 0, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	scn_expects_clear(s);
	CU_ASSERT_EQUAL(0, s->n_expects);
	CU_ASSERT_EQUAL(0, scn_expect_add(s, "--expect", 1, "success >= ${floor} of a", &err));
	CU_ASSERT_EQUAL(0, scn_expect_add(s, "--expect", 2, "  outage < 1s during faults fails", &err));
	CU_ASSERT_EQUAL_FATAL(2, s->n_expects);
	CU_ASSERT_STRING_EQUAL("success >= 90% of a", s->expects[0].text);
	CU_ASSERT_EQUAL(90, s->expects[0].value);
	CU_ASSERT_EQUAL(1 + 1, s->expects[0].client);
	CU_ASSERT_STRING_EQUAL("outage < 1s during faults", s->expects[1].text);
	CU_ASSERT_STRING_EQUAL("during faults", s->expects[1].scope);
	CU_ASSERT_EQUAL(SCN_WANT_FAIL, s->expects[1].want);
	CU_ASSERT_EQUAL(1000, s->expects[1].value);

	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"sucess >= 1%", "--expect:3:1: unknown metric 'sucess'"},
	    {"success => 1%", "--expect:3:9: expected a comparison"},
	    {"success >= 1s", "--expect:3:12: expected a percentage such as 99.5% for 'success'"},
	    {"success >= 99% of w", "--expect:3:19: node 'w' has no client service"},
	    {"success >= 99% during", "--expect:3:16: unknown scope 'during'"},
	    {"", "--expect:3:1: expected METRIC OP VALUE, got nothing"},
	    {"success >= 9%\nsuccess >= 1%", "--expect:3:1: expected one expectation"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(-1, scn_expect_add(s, "--expect", 3, bad[i].text, &err));
		CU_ASSERT_EQUAL(EINVAL, errno);
		scn_err_format(&err, msg, sizeof(msg));
		if (strncmp(msg, bad[i].msg, strlen(bad[i].msg)))
			fprintf(stderr, "\n'%s': got '%s', wanted '%s...'\n", bad[i].text, msg,
				bad[i].msg);
		CU_ASSERT_EQUAL(0, strncmp(msg, bad[i].msg, strlen(bad[i].msg)));
	}
	CU_ASSERT_EQUAL(2, s->n_expects); /* a refused one adds nothing */
	scn_free(s);
}

void register_scn_suite(void);
void register_scn_suite(void)
{
	CU_pSuite s = CU_add_suite("scn", NULL, NULL);
	CU_add_test(s, "expect marks", test_expect_marks);
	CU_add_test(s, "expect from a command line", test_expect_add);
	CU_add_test(s, "requires", test_requires);
	CU_add_test(s, "capture", test_capture_parse);
	CU_add_test(s, "partition one way", test_partition_oneway_parse);
	CU_add_test(s, "example quickstart counts", test_example_quickstart_counts);
	CU_add_test(s, "example quickstart addresses", test_example_quickstart_addresses);
	CU_add_test(s, "example quickstart services", test_example_quickstart_services);
	CU_add_test(s, "example quickstart timeline", test_example_quickstart_timeline);
	CU_add_test(s, "example kernel-matrix qemu", test_example_kernel_matrix_qemu);
	CU_add_test(s, "example kernel-matrix --set", test_example_kernel_matrix_set);
	CU_add_test(s, "example split-brain timeline", test_example_split_brain_timeline);
	CU_add_test(s, "example split-brain --set ha", test_example_split_brain_set_ha);
	CU_add_test(s, "example vrrp-firewall", test_example_vrrp_firewall);
	CU_add_test(s, "duration units", test_duration_parse_units);
	CU_add_test(s, "duration rejects", test_duration_parse_rejects);
	CU_add_test(s, "size suffixes", test_size_parse_binary_suffixes);
	CU_add_test(s, "rate per hour", test_rate_parse_per_hour);
	CU_add_test(s, "percent range", test_percent_parse_range);
	CU_add_test(s, "metric table", test_metric_unit_table);
	CU_add_test(s, "hand-out skips given and VIPs", test_addr_handout_skips_given_and_vips);
	CU_add_test(s, "hand-out per network", test_addr_handout_per_network);
	CU_add_test(s, "param anywhere", test_param_substitution_anywhere);
	CU_add_test(s, "--set and escapes", test_param_set_overrides_and_escapes);
	CU_add_test(s, "continuation and comments", test_lexer_continuation_and_comments);
	CU_add_test(s, "fault kinds", test_fault_kinds_parse);
	CU_add_test(s, "fault kinds table", test_fault_kinds_table);
	CU_add_test(s, "bitrate units", test_bitrate_parse_units);
	CU_add_test(s, "bandwidth", test_bandwidth_parse);
	CU_add_test(s, "filter_dir_match", test_filter_dir_match_parse);
	CU_add_test(s, "expect of CLIENT", test_expect_of_client);
	CU_add_test(s, "collect", test_collect);
	CU_add_test(s, "stacks: redis-sentinel", test_stacks_redis_sentinel);
	CU_add_test(s, "data: good-features.scn", test_data_good_features);
	CU_add_test(s, "data: bad-*.scn", test_data_bad_files);
}
