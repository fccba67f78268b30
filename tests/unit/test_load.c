/*
 * test_load.c - fl-load's pure parts: the schedule against a naive floating model,
 * URL and rate parsing, outcome classification, the CSV record, percentiles against
 * their definition; and loop's timer heap against a sorted model plus its fd
 * watchers (stale events after removal are dropped).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "load_rec.h"

void register_load_suite(void);

static void test_sched_model(void)
{
	static const char *const rates[] = {"1", "200", "3", "0.5", "7.125", "10000", "999.999"};

	for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		uint64_t rm;
		CU_ASSERT_EQUAL_FATAL(0, load_rate_parse(rates[k], &rm));
		double rate = strtod(rates[k], NULL);
		uint64_t prev = 0;
		for (uint64_t i = 0; i < 5000; i++) {
			uint64_t t = load_sched_ns(1000, rm, i);
			double model = 1000 + (double)i * 1e9 / rate;
			CU_ASSERT(t >= prev);
			CU_ASSERT(t - model < 1.5 && model - t < 1.5);
			prev = t;
		}
		/* far into a run: still exact, no accumulated drift */
		uint64_t i = 3600ull * 24 * 10000;
		CU_ASSERT_EQUAL(
		    (uint64_t)((__extension__(unsigned __int128) i * 1000000000000ull) / rm),
		    load_sched_ns(0, rm, i));
	}
}

static void test_sched_count(void)
{
	uint64_t rm;

	load_rate_parse("200", &rm);
	CU_ASSERT_EQUAL(400, load_sched_count(rm, 2000000000ull));
	CU_ASSERT_EQUAL(401, load_sched_count(rm, 2000000001ull));
	load_rate_parse("3", &rm);
	CU_ASSERT_EQUAL(3, load_sched_count(rm, 1000000000ull));
	/* the count is the number of i with sched(i) < duration */
	for (uint64_t d = 1; d < 3000000000ull; d += 123456789) {
		uint64_t n = 0;
		while (load_sched_ns(0, rm, n) < d)
			n++;
		CU_ASSERT_EQUAL(n, load_sched_count(rm, d));
	}
}

static void test_rate_parse(void)
{
	uint64_t rm = 0;

	CU_ASSERT_EQUAL(0, load_rate_parse("2.5", &rm));
	CU_ASSERT_EQUAL(2500, rm);
	CU_ASSERT_EQUAL(0, load_rate_parse("0.001", &rm));
	CU_ASSERT_EQUAL(1, rm);
	CU_ASSERT_EQUAL(0, load_rate_parse("10000000", &rm));
	CU_ASSERT_EQUAL(0, load_rate_parse("1e+06", &rm)); /* %g */
	CU_ASSERT_EQUAL(1000000000ull, rm);
	CU_ASSERT_EQUAL(0, load_rate_parse("0.33333", &rm));
	CU_ASSERT_EQUAL(333, rm);
	static const char *const bad[] = {"",
					  "0",
					  "0.0",
					  "-1",
					  ".",
					  "10000001",
					  "2x",
					  "nan",
					  "inf",
					  "0.0001",
					  "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(-1, load_rate_parse(bad[i], &rm));
		if (load_rate_parse(bad[i], &rm) == 0)
			fprintf(stderr, "accepted rate %s\n", bad[i]);
	}
}

static void test_url_parse(void)
{
	struct load_url u;

	CU_ASSERT_EQUAL_FATAL(0, load_url_parse("http://198.18.0.100:8080/bytes/10", &u));
	CU_ASSERT_EQUAL(htons(8080), u.addr.sin_port);
	CU_ASSERT_EQUAL(htonl(0xc6120064u), u.addr.sin_addr.s_addr);
	CU_ASSERT_STRING_EQUAL("198.18.0.100:8080", u.host);
	CU_ASSERT_STRING_EQUAL("/bytes/10", u.path);
	CU_ASSERT_EQUAL_FATAL(0, load_url_parse("http://198.18.0.1", &u));
	CU_ASSERT_EQUAL(htons(80), u.addr.sin_port);
	CU_ASSERT_STRING_EQUAL("/", u.path);
	static const char *const bad[] = {"https://1.2.3.4/",  "http://host.example/",
					  "http://1.2.3.4:0/", "http://1.2.3.4:65536/",
					  "http://:80/",       "1.2.3.4/",
					  "http://1.2.3.4:/",  "http://1.2.3.4:8a/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(-1, load_url_parse(bad[i], &u));
}

static void test_outcome_classification(void)
{
	CU_ASSERT_EQUAL(LOAD_REFUSED, load_outcome_errno(ECONNREFUSED, true));
	CU_ASSERT_EQUAL(LOAD_CONNECT_TIMEOUT, load_outcome_errno(ETIMEDOUT, true));
	CU_ASSERT_EQUAL(LOAD_TIMEOUT, load_outcome_errno(ETIMEDOUT, false));
	CU_ASSERT_EQUAL(LOAD_RESET, load_outcome_errno(ECONNRESET, false));
	CU_ASSERT_EQUAL(LOAD_RESET, load_outcome_errno(EPIPE, false));
	CU_ASSERT_EQUAL(LOAD_ERROR, load_outcome_errno(EMFILE, true));
	CU_ASSERT_EQUAL(LOAD_ERROR, load_outcome_errno(EHOSTUNREACH, true));

	/* responses through the real parser */
	struct {
		const char *msg;
		enum load_outcome want;
	} cases[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Checksum: 1a19f91921d9561f\r\n\r\nok\n",
	     LOAD_OK},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Checksum: 1a19f91921d9561e\r\n\r\nok\n",
	     LOAD_BAD_BODY},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Checksum: 1a19f91921d9561f\r\n\r\nOK\n",
	     LOAD_BAD_BODY},
	    {"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", LOAD_BAD_STATUS},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", LOAD_OK}, /* not verifiable */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct web_http p;
		web_http_init(&p, WEB_HTTP_RESPONSE);
		web_http_feed(&p, cases[i].msg, strlen(cases[i].msg));
		CU_ASSERT_EQUAL(cases[i].want, load_outcome_response(&p));
	}
	struct web_http p;
	web_http_init(&p, WEB_HTTP_RESPONSE);
	CU_ASSERT_EQUAL(LOAD_RESET, load_outcome_eof(&p)); /* nothing came back */
	web_http_feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 42);
	CU_ASSERT_EQUAL(LOAD_BAD_BODY, load_outcome_eof(&p)); /* short body */
}

static void test_record_csv(void)
{
	struct load_record r = {.sched_ns = 1000000,
				.start_ns = 1000100,
				.end_ns = 3500999,
				.outcome = LOAD_CONNECT_TIMEOUT,
				.bytes = 42};
	char buf[256];

	strcpy(r.backend, "we,b\"1\n");
	CU_ASSERT_EQUAL(strlen("1000000,1000100,3500999,connect-timeout,2500,we_b_1_,42\n"),
			load_record_csv(buf, sizeof(buf), &r));
	CU_ASSERT_STRING_EQUAL("1000000,1000100,3500999,connect-timeout,2500,we_b_1_,42\n", buf);
	CU_ASSERT_EQUAL(-1, load_record_csv(buf, 20, &r));
	for (int o = 0; o < LOAD_OUTCOME_MAX; o++) /* every name distinct */
		for (int k = 0; k < o; k++)
			CU_ASSERT(strcmp(load_outcome_name(o), load_outcome_name(k)) != 0);
	CU_ASSERT_STRING_EQUAL("bad-body", load_outcome_name(LOAD_BAD_BODY));
}

static int cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The definition: at least p% of values <= v, and fewer than p% below v. */
static void test_percentile_definition(void)
{
	static const double ps[] = {1, 50, 90, 99, 99.9, 100};

	srand(7);
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)(rand() % 300) + 1;
		uint32_t *a = malloc(n * sizeof(*a));
		for (size_t i = 0; i < n; i++)
			a[i] = (uint32_t)(rand() % 50);
		qsort(a, n, sizeof(*a), cmp);
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			uint32_t v = load_percentile(a, n, ps[k]);
			size_t le = 0, lt = 0;
			for (size_t i = 0; i < n; i++) {
				le += a[i] <= v;
				lt += a[i] < v;
			}
			CU_ASSERT((double)le >= ps[k] / 100 * (double)n - 1e-9);
			CU_ASSERT((double)lt < ps[k] / 100 * (double)n);
		}
		free(a);
	}
	CU_ASSERT_EQUAL(0, load_percentile(NULL, 0, 50));
}

static void test_stats_summary(void)
{
	struct load_stats s = {0};
	char buf[512];

	for (int i = 1; i <= 100; i++) {
		struct load_record r = {.sched_ns = 0,
					.start_ns = i == 7 ? 2000000 : 0,
					.end_ns = (uint64_t)(101 - i) * 1000,
					.outcome = i % 10 == 0 ? LOAD_REFUSED : LOAD_OK};
		CU_ASSERT_EQUAL(0, load_stats_add(&s, &r));
	}
	CU_ASSERT(load_stats_summary(buf, sizeof(buf), &s, 2000000000ull) > 0);
	/* ok latencies: 1..100 us minus the refused ones (i = 10, 20 .. -> 91, 81 ..) */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "requests=100 ok=90 refused=10 reset=0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "late=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "max_us=100"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "p50_us=50 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "rps=50.0"));
	CU_ASSERT_EQUAL(-1, load_stats_summary(buf, 30, &s, 0));
	load_stats_release(&s);
}

/* ---- loop ---- */

struct fired {
	int order[64];
	int n;
};

static void timer_rec(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct fired *f = arg;

	(void)loop;
	f->order[f->n++] = (int)t->deadline_ns;
}

static void test_loop_timers_model(void)
{
	struct loop *loop = loop_new();
	struct loop_timer t[40];
	struct fired f = {0};
	int want[40], nwant = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	srand(11);
	for (int i = 0; i < 40; i++) {
		loop_timer_init(&t[i], timer_rec, &f);
		/* deadlines in the past (1..1000 ns after boot) fire on the next pass */
		loop_timer_arm(loop, &t[i], (uint64_t)(rand() % 1000) + 1);
	}
	for (int i = 0; i < 40; i += 3)
		loop_timer_cancel(loop, &t[i]);
	loop_timer_arm(loop, &t[5], 2000); /* re-arm moves it */
	for (int i = 0; i < 40; i++)
		if (loop_timer_is_armed(&t[i]))
			want[nwant++] = (int)t[i].deadline_ns;
	qsort(want, (size_t)nwant, sizeof(int), cmp);
	CU_ASSERT_EQUAL(nwant, loop_timers_armed(loop));
	CU_ASSERT_EQUAL(0, loop_run_once(loop, 0));
	CU_ASSERT_EQUAL_FATAL(nwant, f.n);
	for (int i = 0; i < nwant; i++)
		CU_ASSERT_EQUAL(want[i], f.order[i]);
	CU_ASSERT_EQUAL(0, loop_timers_armed(loop));
	loop_free(loop);
}

static int watch_hits;

static void watch_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
	int *other = arg;

	(void)events;
	watch_hits++;
	char c;
	if (read(fd, &c, 1) != 1)
		return;
	if (other && *other >= 0) {
		loop_fd_del(loop, *other); /* its event in this batch must not run */
		*other = -1;
	}
}

static void test_loop_fd_watchers(void)
{
	struct loop *loop = loop_new();
	int a[2], b[2];

	CU_ASSERT_EQUAL_FATAL(0, pipe(a));
	CU_ASSERT_EQUAL_FATAL(0, pipe(b));
	int bfd = b[0];
	CU_ASSERT_EQUAL(0, loop_fd_add(loop, a[0], EPOLLIN, watch_cb, &bfd));
	CU_ASSERT_EQUAL(0, loop_fd_add(loop, b[0], EPOLLIN, watch_cb, NULL));
	CU_ASSERT_EQUAL(-1, loop_fd_add(loop, a[0], EPOLLIN, watch_cb, NULL));
	CU_ASSERT_EQUAL(EEXIST, errno);
	CU_ASSERT_EQUAL(1, write(a[1], "x", 1));
	CU_ASSERT_EQUAL(1, write(b[1], "y", 1));
	watch_hits = 0;
	/* either order: a first removes b (1 hit), b first then a (2 hits) */
	CU_ASSERT_EQUAL(0, loop_run_once(loop, 0));
	CU_ASSERT(watch_hits == 1 || watch_hits == 2);
	int first = watch_hits;
	CU_ASSERT_EQUAL(0, loop_run_once(loop, 0));
	CU_ASSERT_EQUAL(first, watch_hits); /* b is gone, a drained */
	CU_ASSERT_EQUAL(-1, loop_fd_del(loop, b[0]));
	CU_ASSERT_EQUAL(ENOENT, errno);
	CU_ASSERT_EQUAL(0, loop_fd_del(loop, a[0]));
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	loop_free(loop);
}

static void rearm_past(struct loop *loop, struct loop_timer *t, void *arg)
{
	int *n = arg;

	if (++*n < 100)
		loop_timer_arm(loop, t, 1);
}

static void test_loop_rearm_in_past_yields(void)
{
	struct loop *loop = loop_new();
	struct loop_timer t;
	int n = 0;

	loop_timer_init(&t, rearm_past, &n);
	loop_timer_arm(loop, &t, 1);
	CU_ASSERT_EQUAL(0, loop_run_once(loop, 0));
	CU_ASSERT_EQUAL(1, n); /* once per pass, not 100 times */
	CU_ASSERT_EQUAL(0, loop_run_once(loop, 0));
	CU_ASSERT_EQUAL(2, n);
	loop_timer_cancel(loop, &t);
	loop_free(loop);
}

void register_load_suite(void)
{
	CU_pSuite s = CU_add_suite("load", NULL, NULL);

	CU_add_test(s, "sched_model", test_sched_model);
	CU_add_test(s, "sched_count", test_sched_count);
	CU_add_test(s, "rate_parse", test_rate_parse);
	CU_add_test(s, "url_parse", test_url_parse);
	CU_add_test(s, "outcome_classification", test_outcome_classification);
	CU_add_test(s, "record_csv", test_record_csv);
	CU_add_test(s, "percentile_definition", test_percentile_definition);
	CU_add_test(s, "stats_summary", test_stats_summary);
	CU_add_test(s, "loop_timers_model", test_loop_timers_model);
	CU_add_test(s, "loop_fd_watchers", test_loop_fd_watchers);
	CU_add_test(s, "loop_rearm_in_past_yields", test_loop_rearm_in_past_yields);
}
