/*
 * load_rec.h - the pure parts of fl-load: URL and rate parsing, the open-loop schedule,
 * outcome classification, the requests.csv record, and the summary statistics.
 *
 * No I/O. The schedule is exact integer arithmetic: request i is due at
 *     start + floor(i * 10^12 / rate_milli)   ns      (rate_milli = requests/s * 1000)
 * so it never drifts however long the run is.
 */
#ifndef FL_LOAD_REC_H
#define FL_LOAD_REC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web_http.h"

#define LOAD_LATE_NS  1000000ull  /* a request that starts this late counts as late */
#define LOAD_RATE_MAX 10000000ull /* requests per second */

enum load_outcome {
	LOAD_OK = 0,
	LOAD_REFUSED = 1,
	LOAD_RESET = 2,
	LOAD_CONNECT_TIMEOUT = 3,
	LOAD_TIMEOUT = 4,
	LOAD_BAD_STATUS = 5,
	LOAD_BAD_BODY = 6,
	LOAD_ERROR = 7,
	LOAD_OUTCOME_MAX = 8
};

struct load_url {
	struct sockaddr_in addr;
	char host[64];	/* Host header: the authority as written */
	char path[256]; /* "/..." */
};

/* One request, as written to requests.csv. */
struct load_record {
	uint64_t sched_ns; /* when it was due */
	uint64_t start_ns; /* when it really started */
	uint64_t end_ns;
	enum load_outcome outcome;
	uint64_t bytes;			 /* body bytes received */
	char backend[WEB_HTTP_NAME_MAX]; /* X-Backend, "" when none */
};

struct load_stats {
	uint64_t count[LOAD_OUTCOME_MAX];
	uint64_t requests;
	uint64_t late;	  /* started more than LOAD_LATE_NS after sched_ns */
	uint32_t *lat_us; /* latencies of ok requests, microseconds */
	size_t nlat, caplat;
	uint32_t max_us;
};

/* load_url_parse - "http://A.B.C.D[:PORT][/PATH]" into u. Returns 0 or -1 (EINVAL). */
int load_url_parse(const char *s, struct load_url *u);

/* load_rate_parse - "200", "2.5", "1e+06" requests/s into milli-requests/s (rounded).
 * Returns 0, or -1 with errno EINVAL (also below 0.001 and above LOAD_RATE_MAX). */
int load_rate_parse(const char *s, uint64_t *rate_milli);

/* load_sched_ns - when request i is due (see above). */
uint64_t load_sched_ns(uint64_t start_ns, uint64_t rate_milli, uint64_t i);

/* load_sched_count - how many requests are due in [start, start + duration). */
uint64_t load_sched_count(uint64_t rate_milli, uint64_t duration_ns);

/* load_outcome_name - "ok", "refused", ... as in requests.csv. */
const char *load_outcome_name(enum load_outcome o);

/*
 * load_outcome_errno - the outcome of a socket error err, seen while connecting or
 * after the connection was up.
 */
enum load_outcome load_outcome_errno(int err, bool connecting);

/*
 * load_outcome_response - the outcome of a complete response: 200 and a body whose
 * FNV-1a 64 matches X-Checksum (a response without X-Checksum is not verified).
 */
enum load_outcome load_outcome_response(const struct web_http *rsp);

/*
 * load_outcome_eof - the outcome when the server closed before the response was
 * complete: reset when no complete head came back, bad-body when the body was short.
 */
enum load_outcome load_outcome_eof(const struct web_http *rsp);

/*
 * load_record_csv - format r as one requests.csv line (with '\n'); commas, quotes and
 * control characters in the backend name become '_'. Returns the length or -1.
 */
int load_record_csv(char *buf, size_t size, const struct load_record *r);

/* The requests.csv header line, with '\n'. */
extern const char load_csv_header[];

/* load_stats_add - count r. Returns 0, or -1 (ENOMEM: the latency was not kept). */
int load_stats_add(struct load_stats *s, const struct load_record *r);

/* load_stats_release - free the latency array. */
void load_stats_release(struct load_stats *s);

/*
 * load_percentile - nearest-rank percentile p (0 < p <= 100) of the n values in sorted
 * (ascending): the smallest value with at least p% of the values at or below it.
 * 0 when n is 0.
 */
uint32_t load_percentile(const uint32_t *sorted, size_t n, double p);

/*
 * load_stats_summary - sort the latencies and format the one-line summary
 * "requests=N ok=N refused=N ... late=N p50_us=N p99_us=N max_us=N", followed by
 * " elapsed_ms=N rps=N.N" when elapsed_ns is not 0. Returns the length or -1.
 */
int load_stats_summary(char *buf, size_t size, struct load_stats *s, uint64_t elapsed_ns);

#endif
