/*
 * probe_dns.c - build an A query, judge its answer (see probe_dns.h).
 */
#include "probe_dns.h"

#include <errno.h>
#include <string.h>

#define DNS_HDR	     12
#define DNS_TYPE_A   1
#define DNS_CLASS_IN 1

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* QNAME of @name at @out (room @size): returns its length or -1 with errno. */
static int dns_name_put(uint8_t *out, size_t size, const char *name)
{
	size_t n = strlen(name), at = 0;

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return errno = EINVAL, -1;
	if (n + 2 > size)
		return errno = ENOSPC, -1;
	for (size_t i = 0; i <= n;) {
		size_t l = strcspn(name + i, ".");
		if (i + l > n)
			l = n - i;
		if (l == 0 || l > 63)
			return errno = EINVAL, -1;
		out[at++] = (uint8_t)l;
		memcpy(out + at, name + i, l);
		at += l;
		i += l + 1;
	}
	out[at++] = 0;
	return (int)at;
}

int probe_dns_query(uint8_t *buf, size_t size, const char *name, uint16_t id)
{
	if (size < DNS_HDR + 4)
		return errno = ENOSPC, -1;
	memset(buf, 0, DNS_HDR);
	wr16(buf, id);
	buf[2] = 0x01; /* RD */
	wr16(buf + 4, 1);
	int n = dns_name_put(buf + DNS_HDR, size - DNS_HDR - 4, name);
	if (n < 0)
		return -1;
	uint8_t *q = buf + DNS_HDR + n;
	wr16(q, DNS_TYPE_A);
	wr16(q + 2, DNS_CLASS_IN);
	return DNS_HDR + n + 4;
}

/* Skip the name at *@at (labels, or a pointer ending it); -1 if malformed. */
static int dns_name_skip(const uint8_t *msg, size_t len, size_t *at)
{
	size_t p = *at, end = 0;
	int hops = 0, total = 0;

	for (;;) {
		if (p >= len)
			return -1;
		uint8_t l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++hops > PROBE_DNS_HOPS)
				return -1;
			size_t to = (size_t)(l & 0x3f) << 8 | msg[p + 1];
			if (!end)
				end = p + 2;
			if (to >= p)
				return -1; /* forward or self: could loop */
			p = to;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40, 0x80: reserved (RFC 1035 4.1.4) */
		total += l + 1;
		if (total > 255 || p + 1 + l > len)
			return -1;
		if (l == 0)
			break;
		p += 1 + l;
	}
	*at = end ? end : p + 1;
	return 0;
}

enum probe_dns_verdict probe_dns_answer(const uint8_t *msg, size_t len, uint16_t id, int *rcode)
{
	*rcode = 0;
	if (len < 2 || rd16(msg) != id)
		return PROBE_DNS_NOT_OURS;
	if (len < DNS_HDR)
		return PROBE_DNS_MALFORMED;
	if (!(msg[2] & 0x80))
		return PROBE_DNS_NOT_OURS; /* a query, not a response */
	*rcode = msg[3] & 0x0f;
	if (*rcode)
		return PROBE_DNS_RCODE;
	unsigned qd = rd16(msg + 4), an = rd16(msg + 6);
	size_t at = DNS_HDR;
	for (unsigned i = 0; i < qd; i++) {
		if (dns_name_skip(msg, len, &at) < 0 || at + 4 > len)
			return PROBE_DNS_MALFORMED;
		at += 4;
	}
	int found = 0;
	for (unsigned i = 0; i < an; i++) {
		if (dns_name_skip(msg, len, &at) < 0 || at + 10 > len)
			return PROBE_DNS_MALFORMED;
		uint16_t type = rd16(msg + at), cls = rd16(msg + at + 2),
			 rdlen = rd16(msg + at + 8);
		at += 10;
		if (at + rdlen > len)
			return PROBE_DNS_MALFORMED;
		if (type == DNS_TYPE_A && cls == DNS_CLASS_IN) {
			if (rdlen != 4)
				return PROBE_DNS_MALFORMED;
			found = 1;
		}
		at += rdlen;
	}
	return found ? PROBE_DNS_OK : PROBE_DNS_NO_A;
}
