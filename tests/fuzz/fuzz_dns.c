/*
 * fuzz_dns.c - libFuzzer target for the DNS codec of fl-probe's dns kind
 * (lb/probe_dns.c): every input is judged as the answer to a query, with the ID of its
 * first two bytes (so the "is it ours" check passes and the rest is parsed) and with
 * another ID (so it must be NOT_OURS or MALFORMED). The verdict must be one of the
 * five, an RCODE only with PROBE_DNS_RCODE, and the codec never reads past the input
 * (ASan sees the input in a buffer of its exact size).
 *
 * The input's first byte also picks a name to encode as a query (a label per input
 * byte run): the query must be accepted or refused with EINVAL/ENOSPC, never overrun.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe_dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judge(const uint8_t *msg, size_t len, uint16_t id, int ours)
{
	int rcode = -1;
	enum probe_dns_verdict v = probe_dns_answer(msg, len, id, &rcode);

	if (v < PROBE_DNS_OK || v > PROBE_DNS_MALFORMED)
		abort();
	if (v != PROBE_DNS_RCODE && rcode != 0 && v != PROBE_DNS_NOT_OURS)
		abort();
	if (v == PROBE_DNS_RCODE && (rcode <= 0 || rcode > 15))
		abort();
	if (!ours && v != PROBE_DNS_NOT_OURS && v != PROBE_DNS_MALFORMED)
		abort();
}

static void query(const uint8_t *data, size_t size)
{
	char name[300];
	uint8_t buf[PROBE_DNS_MAX];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	for (size_t i = 0; i < n; i++) /* any byte but NUL; '.' splits labels */
		name[i] = data[i] ? (char)data[i] : '.';
	name[n] = '\0';
	errno = 0;
	int len = probe_dns_query(buf, (size_t)(data[0] % 2 ? sizeof(buf) : 40), name, 7);
	if (len < 0 && errno != EINVAL && errno != ENOSPC)
		abort();
	if (len >= 0) {
		if ((size_t)len > sizeof(buf) || len < 17)
			abort();
		judge(buf, (size_t)len, 7, 1); /* a query is not an answer: QR is 0 */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = malloc(size ? size : 1);

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	judge(msg, size, id, size >= 2);
	judge(msg, size, (uint16_t)(id ^ 0x5a5a), 0);
	if (size)
		query(data, size);
	free(msg);
	return 0;
}
