/*
 * load_rec.c - fl-load's pure parts (see load_rec.h).
 */
#include "load_rec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char load_csv_header[] = "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n";

static const char *const outcome_names[LOAD_OUTCOME_MAX] = {
    [LOAD_OK] = "ok",
    [LOAD_REFUSED] = "refused",
    [LOAD_RESET] = "reset",
    [LOAD_CONNECT_TIMEOUT] = "connect-timeout",
    [LOAD_TIMEOUT] = "timeout",
    [LOAD_BAD_STATUS] = "bad-status",
    [LOAD_BAD_BODY] = "bad-body",
    [LOAD_ERROR] = "error",
};

const char *load_outcome_name(enum load_outcome o)
{
	return o < LOAD_OUTCOME_MAX ? outcome_names[o] : "error";
}

static int url_port(const char *s, size_t n, uint16_t *port)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int load_url_parse(const char *s, struct load_url *u)
{
	char ip[INET_ADDRSTRLEN];
	uint16_t port = 80;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "http://", 7))
		goto err;
	s += 7;
	size_t alen = strcspn(s, "/");
	const char *path = s[alen] ? s + alen : "/";
	const char *colon = memchr(s, ':', alen);
	size_t iplen = colon ? (size_t)(colon - s) : alen;
	if (iplen == 0 || iplen >= sizeof(ip) || alen >= sizeof(u->host) ||
	    strlen(path) >= sizeof(u->path))
		goto err;
	if (colon && url_port(colon + 1, alen - iplen - 1, &port) == -1)
		goto err;
	memcpy(ip, s, iplen);
	ip[iplen] = '\0';
	if (inet_pton(AF_INET, ip, &u->addr.sin_addr) != 1)
		goto err;
	u->addr.sin_family = AF_INET;
	u->addr.sin_port = htons(port);
	memcpy(u->host, s, alen);
	strcpy(u->path, path);
	return 0;
err:
	errno = EINVAL;
	return -1;
}

int load_rate_parse(const char *s, uint64_t *rate_milli)
{
	char *end;

	/* strtod: the harness writes the rate with %g, which may use an exponent */
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.0005) || v > (double)LOAD_RATE_MAX) {
		errno = EINVAL;
		return -1;
	}
	*rate_milli = (uint64_t)(v * 1000.0 + 0.5);
	return 0;
}

uint64_t load_sched_ns(uint64_t start_ns, uint64_t rate_milli, uint64_t i)
{
	__extension__ unsigned __int128 x = (unsigned __int128)i * 1000000000000ull;

	return start_ns + (uint64_t)(x / rate_milli);
}

uint64_t load_sched_count(uint64_t rate_milli, uint64_t duration_ns)
{
	/* smallest i with sched(i) >= duration: ceil(duration * rate_milli / 10^12) */
	__extension__ unsigned __int128 x = (unsigned __int128)duration_ns * rate_milli;

	return (uint64_t)((x + 999999999999ull) / 1000000000000ull);
}

enum load_outcome load_outcome_errno(int err, bool connecting)
{
	switch (err) {
	case ECONNREFUSED:
		return LOAD_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return LOAD_RESET;
	case ETIMEDOUT:
		return connecting ? LOAD_CONNECT_TIMEOUT : LOAD_TIMEOUT;
	default:
		return LOAD_ERROR;
	}
}

enum load_outcome load_outcome_response(const struct web_http *rsp)
{
	if (rsp->state != WEB_HTTP_DONE)
		return LOAD_BAD_STATUS;
	if (rsp->status != 200)
		return LOAD_BAD_STATUS;
	if (rsp->has_checksum && rsp->checksum != rsp->body_hash)
		return LOAD_BAD_BODY;
	return LOAD_OK;
}

enum load_outcome load_outcome_eof(const struct web_http *rsp)
{
	return rsp->state == WEB_HTTP_BODY ? LOAD_BAD_BODY : LOAD_RESET;
}

int load_record_csv(char *buf, size_t size, const struct load_record *r)
{
	char be[sizeof(r->backend)];
	size_t i;

	for (i = 0; r->backend[i] && i + 1 < sizeof(be); i++) {
		unsigned char c = (unsigned char)r->backend[i];
		be[i] = (c < 0x20 || c == ',' || c == '"' || c == 0x7f) ? '_' : (char)c;
	}
	be[i] = '\0';
	uint64_t lat = r->end_ns > r->sched_ns ? (r->end_ns - r->sched_ns) / 1000 : 0;
	int n = snprintf(buf, size, "%llu,%llu,%llu,%s,%llu,%s,%llu\n",
			 (unsigned long long)r->sched_ns, (unsigned long long)r->start_ns,
			 (unsigned long long)r->end_ns, load_outcome_name(r->outcome),
			 (unsigned long long)lat, be, (unsigned long long)r->bytes);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int load_stats_add(struct load_stats *s, const struct load_record *r)
{
	s->requests++;
	s->count[r->outcome < LOAD_OUTCOME_MAX ? r->outcome : LOAD_ERROR]++;
	if (r->start_ns > r->sched_ns + LOAD_LATE_NS)
		s->late++;
	if (r->outcome != LOAD_OK)
		return 0;
	uint64_t us = r->end_ns > r->sched_ns ? (r->end_ns - r->sched_ns) / 1000 : 0;
	uint32_t v = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	if (v > s->max_us)
		s->max_us = v;
	if (s->nlat == s->caplat) {
		size_t n = s->caplat ? 2 * s->caplat : 4096;
		uint32_t *a = realloc(s->lat_us, n * sizeof(*a));
		if (!a)
			return -1;
		s->lat_us = a;
		s->caplat = n;
	}
	s->lat_us[s->nlat++] = v;
	return 0;
}

void load_stats_release(struct load_stats *s)
{
	free(s->lat_us);
	s->lat_us = NULL;
	s->nlat = s->caplat = 0;
}

uint32_t load_percentile(const uint32_t *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	double r = p / 100.0 * (double)n;
	size_t rank = (size_t)r;
	if ((double)rank < r)
		rank++; /* ceil */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int load_stats_summary(char *buf, size_t size, struct load_stats *s, uint64_t elapsed_ns)
{
	size_t off = 0;
	int n = snprintf(buf, size, "requests=%llu", (unsigned long long)s->requests);

	qsort(s->lat_us, s->nlat, sizeof(*s->lat_us), cmp_u32);
	for (int o = 0; o < LOAD_OUTCOME_MAX && n >= 0 && (off += (size_t)n) < size; o++)
		n = snprintf(buf + off, size - off, " %s=%llu", outcome_names[o],
			     (unsigned long long)s->count[o]);
	if (n >= 0 && (off += (size_t)n) < size)
		n = snprintf(buf + off, size - off, " late=%llu p50_us=%u p99_us=%u max_us=%u",
			     (unsigned long long)s->late, load_percentile(s->lat_us, s->nlat, 50),
			     load_percentile(s->lat_us, s->nlat, 99), s->max_us);
	if (n >= 0 && (off += (size_t)n) < size && elapsed_ns)
		n = snprintf(buf + off, size - off, " elapsed_ms=%llu rps=%.1f",
			     (unsigned long long)(elapsed_ns / 1000000),
			     (double)s->requests * 1e9 / (double)elapsed_ns);
	else
		n = 0;
	if (n < 0 || (off += (size_t)n) >= size)
		return -1;
	return (int)off;
}
