/*
 * test_probe.c - fl-probe's DNS codec (lb/probe_dns.c): the query's exact bytes, and
 * the verdict on well-formed and malformed answers.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

#include "probe_dns.h"

#define ID 0xbeef

/* The query for www.example.com, byte for byte (RFC 1035 4.1.1, 4.1.2). */
static const uint8_t query_www[] = {
    0xbe, 0xef, 0x01, 0x00, 0, 1,   0,	 0,   0,   0,	0,   0, /* header: RD, QDCOUNT 1 */
    3,	  'w',	'w',  'w',  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
    3,	  'c',	'o',  'm',  0, 0,   1,	 0,   1, /* A, IN */
};

static void test_dns_query_bytes(void)
{
	uint8_t b[PROBE_DNS_MAX];

	CU_ASSERT_EQUAL(sizeof(query_www), probe_dns_query(b, sizeof(b), "www.example.com", ID));
	CU_ASSERT_EQUAL(0, memcmp(b, query_www, sizeof(query_www)));
	/* a trailing dot is the same name */
	CU_ASSERT_EQUAL(sizeof(query_www), probe_dns_query(b, sizeof(b), "www.example.com.", ID));
	CU_ASSERT_EQUAL(0, memcmp(b, query_www, sizeof(query_www)));
}

static void test_dns_query_bad_names(void)
{
	uint8_t b[PROBE_DNS_MAX];
	char longlabel[80];

	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".com");
	errno = 0;
	CU_ASSERT_EQUAL(-1, probe_dns_query(b, sizeof(b), "", ID));
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(-1, probe_dns_query(b, sizeof(b), "a..b", ID));
	CU_ASSERT_EQUAL(-1, probe_dns_query(b, sizeof(b), ".a", ID));
	CU_ASSERT_EQUAL(-1, probe_dns_query(b, sizeof(b), longlabel, ID));
	strcpy(longlabel + 63, ".com"); /* 63 is the longest label */
	CU_ASSERT(probe_dns_query(b, sizeof(b), longlabel, ID) > 0);
	errno = 0;
	CU_ASSERT_EQUAL(-1, probe_dns_query(b, 20, "www.example.com", ID));
	CU_ASSERT_EQUAL(ENOSPC, errno);
}

/* A response to query_www: @an answers, each "c0 0c TYPE IN TTL RDLEN RDATA". */
static size_t answer(uint8_t *m, int rcode, int an, uint16_t type, uint16_t rdlen)
{
	size_t n = sizeof(query_www);

	memcpy(m, query_www, n);
	m[2] = 0x81; /* QR, RD */
	m[3] = (uint8_t)(0x80 | rcode);
	m[7] = (uint8_t)an;
	for (int i = 0; i < an; i++) {
		const uint8_t rr[] = {0xc0, 0x0c, (uint8_t)(type >> 8),	 (uint8_t)type, 0, 1, 0, 0,
				      0,    60,	  (uint8_t)(rdlen >> 8), (uint8_t)rdlen};
		memcpy(m + n, rr, sizeof(rr));
		n += sizeof(rr);
		memset(m + n, 198, rdlen);
		n += rdlen;
	}
	return n;
}

static void test_dns_answer_ok(void)
{
	uint8_t m[PROBE_DNS_MAX];
	int rc = -1;
	size_t n = answer(m, 0, 1, 1, 4);

	CU_ASSERT_EQUAL(PROBE_DNS_OK, probe_dns_answer(m, n, ID, &rc));
	CU_ASSERT_EQUAL(0, rc);
	/* a CNAME first, then the A */
	n = answer(m, 0, 2, 5, 4);
	m[n - 16 + 2] = 0, m[n - 16 + 3] = 1; /* second RR becomes A */
	CU_ASSERT_EQUAL(PROBE_DNS_OK, probe_dns_answer(m, n, ID, &rc));
}

static void test_dns_answer_rcode_and_no_a(void)
{
	uint8_t m[PROBE_DNS_MAX];
	int rc;

	CU_ASSERT_EQUAL(PROBE_DNS_RCODE, probe_dns_answer(m, answer(m, 3, 0, 1, 4), ID, &rc));
	CU_ASSERT_EQUAL(3, rc); /* NXDOMAIN */
	CU_ASSERT_EQUAL(PROBE_DNS_RCODE, probe_dns_answer(m, answer(m, 2, 1, 1, 4), ID, &rc));
	CU_ASSERT_EQUAL(2, rc); /* SERVFAIL, even with an answer */
	CU_ASSERT_EQUAL(PROBE_DNS_NO_A, probe_dns_answer(m, answer(m, 0, 0, 1, 4), ID, &rc));
	CU_ASSERT_EQUAL(PROBE_DNS_NO_A, probe_dns_answer(m, answer(m, 0, 1, 28, 16), ID, &rc));
}

static void test_dns_answer_not_ours(void)
{
	uint8_t m[PROBE_DNS_MAX];
	int rc;
	size_t n = answer(m, 0, 1, 1, 4);

	CU_ASSERT_EQUAL(PROBE_DNS_NOT_OURS, probe_dns_answer(m, n, ID + 1, &rc));
	m[2] &= 0x7f; /* a query */
	CU_ASSERT_EQUAL(PROBE_DNS_NOT_OURS, probe_dns_answer(m, n, ID, &rc));
	CU_ASSERT_EQUAL(PROBE_DNS_NOT_OURS, probe_dns_answer(m, 1, ID, &rc));
}

static void test_dns_answer_malformed(void)
{
	uint8_t m[PROBE_DNS_MAX];
	int rc;
	size_t n = answer(m, 0, 1, 1, 4);

	/* every truncation of a good answer is malformed, never ok */
	for (size_t l = 2; l < n; l++)
		CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, l, ID, &rc));
	/* an A whose RDLENGTH is not 4 */
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, answer(m, 0, 1, 1, 6), ID, &rc));
	/* ANCOUNT says 2, one is there */
	n = answer(m, 0, 1, 1, 4);
	m[7] = 2;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
	/* RDLENGTH past the end */
	n = answer(m, 0, 1, 1, 4);
	m[n - 5] = 200;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
}

static void test_dns_answer_bad_pointers(void)
{
	uint8_t m[PROBE_DNS_MAX];
	int rc;
	size_t n = answer(m, 0, 1, 1, 4);
	size_t rr = sizeof(query_www);

	/* a pointer to itself, and one forward: either could loop */
	m[rr] = 0xc0, m[rr + 1] = (uint8_t)rr;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
	m[rr + 1] = (uint8_t)(rr + 4);
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
	/* reserved label types 0x40 and 0x80 */
	n = answer(m, 0, 1, 1, 4);
	m[rr] = 0x40;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
	m[rr] = 0x80;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
	/* a pointer into the question's middle is fine: "example.com" */
	n = answer(m, 0, 1, 1, 4);
	m[rr + 1] = 16;
	CU_ASSERT_EQUAL(PROBE_DNS_OK, probe_dns_answer(m, n, ID, &rc));
	/* a label running past the end of the message */
	n = answer(m, 0, 1, 1, 4);
	m[12] = 60;
	CU_ASSERT_EQUAL(PROBE_DNS_MALFORMED, probe_dns_answer(m, n, ID, &rc));
}

void register_probe_suite(void);
void register_probe_suite(void)
{
	CU_pSuite s = CU_add_suite("probe", NULL, NULL);

	CU_add_test(s, "dns query bytes", test_dns_query_bytes);
	CU_add_test(s, "dns query bad names", test_dns_query_bad_names);
	CU_add_test(s, "dns answer ok", test_dns_answer_ok);
	CU_add_test(s, "dns answer rcode, no A", test_dns_answer_rcode_and_no_a);
	CU_add_test(s, "dns answer not ours", test_dns_answer_not_ours);
	CU_add_test(s, "dns answer malformed", test_dns_answer_malformed);
	CU_add_test(s, "dns answer bad pointers", test_dns_answer_bad_pointers);
}
