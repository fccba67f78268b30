/*
 * test_svc.c - command lines of the services, generated from a scenario, and the
 * table of service kinds.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scn.h"
#include "scn_int.h"
#include "svc.h"
#include "svc_kind.h"

static const char pair_text[] =
	"scenario pair\n"
	"duration 10s\n"
	"network public 198.18.0.0/24\n"
	"network private 198.18.1.0/24\n"
	"network spare 198.18.2.0/24\n"
	"node lb1 on public private spare\n"
	"node lb2 on public private\n"
	"node web1 on private\n"
	"node web2 on private\n"
	"node client on public\n"
	"service web1 web\n"
	"service web2 web port 8080 latency 20ms\n"
	"service lb1 lb vip 198.18.0.100 backends web1 web2 priority 150 advert 100ms "
	"heartbeat private ha safe mss 1200\n"
	"service lb2 lb vip 198.18.0.100 backends web1 web2 priority 100 advert 100ms "
	"heartbeat private ha vrrp\n"
	"service client load http://198.18.0.100/ rate 100/s timeout 1s\n";

static struct scn *pair(void)
{
	struct scn_err err;
	struct scn *s = scn_parse("pair.scn", pair_text, strlen(pair_text), NULL, 0, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* Joins argv[1..] with spaces, for whole-line comparisons. */
static const char *joined(const struct svc_cmd *c)
{
	static char line[4096];

	line[0] = '\0';
	for (int i = 1; i < c->argc; i++) {
		strcat(line, c->argv[i]);
		if (i + 1 < c->argc)
			strcat(line, " ");
	}
	return line;
}

static int svc_of(const struct scn *s, const char *node, const char *name)
{
	return scn_service_find(s, scn_node_find(s, node), name);
}

static void test_cmd_web_listens_and_names_itself(void)
{
	struct scn *s = pair();
	struct svc_cmd c;

	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "web2", "web"), "ev", "out"));
	CU_ASSERT_STRING_EQUAL("fl-web", c.argv[0]);
	CU_ASSERT_STRING_EQUAL("--listen 0.0.0.0:8080 --name web2 --latency 20 --events ev",
			       joined(&c));
	scn_free(s);
}

static void test_cmd_lb_safe_adverts_on_every_shared_network(void)
{
	struct scn *s = pair();
	struct svc_cmd c;

	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "lb1", "lb"), "ev", NULL));
	CU_ASSERT_STRING_EQUAL("fl-lb", c.argv[0]);
	/* web1 and web2 are the 3rd and 4th hosts handed out on private. */
	CU_ASSERT_STRING_EQUAL("--listen 198.18.0.100:80 --name lb1 "
			       "--backend web1=198.18.1.3:80 --backend web2=198.18.1.4:80 "
			       "--mss 1200 --ha safe --vip 198.18.0.100/24 --vip-dev public "
			       "--vrid 51 --priority 150 --advert 100 "
			       "--heartbeat private,public --events ev",
			       joined(&c));
	scn_free(s);
}

static void test_cmd_lb_vrrp_keeps_to_its_heartbeat(void)
{
	struct scn *s = pair();
	int nets[8];
	int n = svc_lb_heartbeat_nets(s, svc_of(s, "lb2", "lb"), nets, 8);

	CU_ASSERT_EQUAL(1, n);
	CU_ASSERT_EQUAL(scn_net_find(s, "private"), nets[0]);
	scn_free(s);
}

static void test_cmd_load_writes_its_log(void)
{
	struct scn *s = pair();
	struct svc_cmd c;

	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "client", "load"), NULL, "r.csv"));
	CU_ASSERT_STRING_EQUAL("--url http://198.18.0.100/ --rate 100 --timeout 1000 "
			       "--name client --out r.csv",
			       joined(&c));
	scn_free(s);
}

/* An exec service is its command under /bin/sh -c, word for word, and writes no events
 * file even when one is offered. */
static void test_cmd_exec_runs_its_command(void)
{
	static const char text[] = "scenario x\nduration 1s\nnetwork n 198.18.0.0/24\n"
				   "node a on n\nservice a exec \"echo 'a  b' | cat\" name e\n";
	struct scn_err err;
	struct scn *s = scn_parse("x.scn", text, strlen(text), NULL, 0, &err);
	struct svc_cmd c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, 0, "ev", "out"));
	CU_ASSERT_EQUAL(3, c.argc);
	CU_ASSERT_STRING_EQUAL("/bin/sh", c.argv[0]);
	CU_ASSERT_STRING_EQUAL("-c", c.argv[1]);
	CU_ASSERT_STRING_EQUAL("echo 'a  b' | cat", c.argv[2]);
	CU_ASSERT_PTR_NULL(c.argv[3]);
	errno = 0;
	CU_ASSERT_EQUAL(-1, svc_cmd_build(&c, s, 1, NULL, NULL)); /* no such service */
	CU_ASSERT_EQUAL(EINVAL, errno);
	scn_free(s);
}

/* A collect's value: the last word of its output, a plain decimal number. */
static void test_collect_value(void)
{
	static const struct {
		const char *out;
		int rc;
		double v;
	} cases[] = {
		{"lost 12\n", 0, 12},	   {"acked 3\nheld 2\nlost 1", 0, 1},
		{"2.5\r\n\n  ", 0, 2.5},  {"-3", 0, -3},
		{"1e3", 0, 1000},	   {"", -1, 0},
		{" \n\t", -1, 0},	   {"lost none\n", -1, 0},
		{"12 lost\n", -1, 0},	   {"0x10", -1, 0},
		{"nan", -1, 0},		   {"inf", -1, 0},
		{"12%", -1, 0},		   {"5.", 0, 5},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -99;
		int rc = svc_collect_value(cases[i].out, &v);
		CU_ASSERT_EQUAL(cases[i].rc, rc);
		if (rc == 0)
			CU_ASSERT_DOUBLE_EQUAL(cases[i].v, v, 1e-9);
		if (rc != cases[i].rc)
			fprintf(stderr, "\n  '%s': %d\n", cases[i].out, rc);
	}
}

/* Every kind the language knows can be run, and the table's order is the start order:
 * commands, backends, load balancers, clients. */
static void test_kind_table(void)
{
	static const enum scn_svc_kind order[] = {SCN_SVC_EXEC, SCN_SVC_WEB, SCN_SVC_LB,
						  SCN_SVC_LOAD, SCN_SVC_PROBE};
	int n = 0;

	for (int k = 1; k < SCN_SVC__MAX; k++) {
		const struct scn_svc_grammar *g = scn_svc_grammar_of((enum scn_svc_kind)k);
		const struct svc_kind *sk = svc_kind_of((enum scn_svc_kind)k);

		CU_ASSERT_PTR_NOT_NULL_FATAL(g);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
		CU_ASSERT_EQUAL(k, g->kind);
		CU_ASSERT_EQUAL(k, sk->kind);
		/* a kind that waits until ready says why when it is not */
		CU_ASSERT_EQUAL(sk->ready != NULL, sk->late != NULL);
		/* what says "ready" says it in its events file */
		CU_ASSERT_TRUE(!sk->ready || (sk->records & SVC_REC_EVENTS));
	}
	CU_ASSERT_PTR_NULL(svc_kind_of(SCN_SVC__MAX));
	CU_ASSERT_PTR_NULL(scn_svc_grammar_of(SCN_SVC__MAX));
	for (; svc_kinds[n]; n++)
		CU_ASSERT_EQUAL(order[n], svc_kinds[n]->kind);
	CU_ASSERT_EQUAL(SCN_SVC__MAX - 1, n);
	CU_ASSERT_STRING_EQUAL("fl-lb", svc_kind_of(SCN_SVC_LB)->program);
	CU_ASSERT_PTR_NULL(svc_kind_of(SCN_SVC_EXEC)->program);
	CU_ASSERT_EQUAL(SVC_REC_EVENTS | SVC_REC_REQUESTS, svc_kind_of(SCN_SVC_LOAD)->records);
}

/* A kind that writes a request log is a client for the language, and the other way round. */
static void test_kind_client_flag(void)
{
	int n = 0;
	for (int i = 0; svc_kinds[i]; i++) {
		bool writes = (svc_kinds[i]->records & SVC_REC_REQUESTS) != 0;
		CU_ASSERT_EQUAL(writes, scn_svc_kind_is_client(svc_kinds[i]->kind));
		n += writes;
	}
	CU_ASSERT_TRUE(n >= 1); /* fl-load at least */
	CU_ASSERT_TRUE(scn_svc_kind_is_client(SCN_SVC_LOAD));
	CU_ASSERT_FALSE(scn_svc_kind_is_client(SCN_SVC_WEB));
}

/* Each probe kind's fl-probe command line: the server as ADDR:PORT (dns: 53 unless
 * given), send and expect verbatim, a command as one word. */
static void test_cmd_probe_kinds(void)
{
	static const char text[] =
	    "scenario x\nduration 1s\nnetwork n 198.18.0.0/24\nnode a on n\n"
	    "service a probe tcp 198.18.0.9:7 rate 20/s send \"hi there\" expect hi name t\n"
	    "service a probe dns 198.18.0.9 www.example.com rate 5/s timeout 300ms name d\n"
	    "service a probe exec \"nc -z 198.18.0.9 7\" rate 2/s\n";
	struct scn_err err;
	struct scn *s = scn_parse("x.scn", text, strlen(text), NULL, 0, &err);
	struct svc_cmd c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "a", "t"), NULL, "r.csv"));
	CU_ASSERT_STRING_EQUAL("--kind tcp --addr 198.18.0.9:7 --send hi there --expect hi "
			       "--rate 20 --timeout 1000 --name a --out r.csv",
			       joined(&c));
	CU_ASSERT_STRING_EQUAL("hi there", c.argv[6]);
	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "a", "d"), NULL, "r.csv"));
	CU_ASSERT_STRING_EQUAL("--kind dns --addr 198.18.0.9:53 --qname www.example.com "
			       "--rate 5 --timeout 300 --name a --out r.csv",
			       joined(&c));
	CU_ASSERT_EQUAL(0, svc_cmd_build(&c, s, svc_of(s, "a", "probe"), "ev", "r.csv"));
	CU_ASSERT_STRING_EQUAL("fl-probe", c.argv[0]);
	CU_ASSERT_STRING_EQUAL("nc -z 198.18.0.9 7", c.argv[4]);
	CU_ASSERT_STRING_EQUAL("--kind exec --command nc -z 198.18.0.9 7 --rate 2 --timeout "
			       "1000 --name a --out r.csv --events ev",
			       joined(&c));
	scn_free(s);
}

void register_svc_suite(void);
void register_svc_suite(void)
{
	CU_pSuite suite = CU_add_suite("svc", NULL, NULL);

	CU_add_test(suite, "web command line", test_cmd_web_listens_and_names_itself);
	CU_add_test(suite, "lb safe heartbeat", test_cmd_lb_safe_adverts_on_every_shared_network);
	CU_add_test(suite, "lb vrrp heartbeat", test_cmd_lb_vrrp_keeps_to_its_heartbeat);
	CU_add_test(suite, "load command line", test_cmd_load_writes_its_log);
	CU_add_test(suite, "exec command line", test_cmd_exec_runs_its_command);
	CU_add_test(suite, "probe command lines", test_cmd_probe_kinds);
	CU_add_test(suite, "kind table", test_kind_table);
	CU_add_test(suite, "collect value", test_collect_value);
	CU_add_test(suite, "kind client flag", test_kind_client_flag);
}
