/*
 * probe_dns.h - the DNS codec of fl-probe's dns kind (RFC 1035): build an A query with
 * one question, and judge the answer to it. Pure (no I/O), unit-tested.
 *
 *   header (4.1.1): ID QR|OPCODE|AA|TC|RD|RA|Z|RCODE QDCOUNT ANCOUNT NSCOUNT ARCOUNT
 *   question (4.1.2): QNAME (labels) QTYPE QCLASS
 *   answer RRs (4.1.3): NAME TYPE CLASS TTL RDLENGTH RDATA
 *
 * Names in answers may be compressed (4.1.4): a pointer is followed at most
 * PROBE_DNS_HOPS times and must point backwards, so a loop ends.
 */
#ifndef FL_PROBE_DNS_H
#define FL_PROBE_DNS_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_DNS_MAX  512 /* RFC 1035 2.3.4: UDP messages */
#define PROBE_DNS_HOPS 16

enum probe_dns_verdict {
	PROBE_DNS_OK = 0,	/* RCODE 0 (NOERROR) and at least one A record (IN) */
	PROBE_DNS_NOT_OURS = 1, /* not a response to our query (ID, QR): ignore it */
	PROBE_DNS_RCODE = 2,	/* a response whose RCODE is not 0 (SERVFAIL, NXDOMAIN...) */
	PROBE_DNS_NO_A = 3,	/* NOERROR without an A record */
	PROBE_DNS_MALFORMED = 4 /* truncated, bad name, counts past the end... */
};

/*
 * probe_dns_query - an A/IN query for @name (dotted, a trailing dot allowed) with
 * recursion desired and ID @id into @buf (room for @size). Returns the length, or -1
 * with errno EINVAL (empty label, label over 63, name over 255 bytes) or ENOSPC.
 */
int probe_dns_query(uint8_t *buf, size_t size, const char *name, uint16_t id);

/*
 * probe_dns_answer - judge @len bytes @msg received for query ID @id: see the verdicts.
 * *@rcode gets the RCODE of a response (else 0).
 */
enum probe_dns_verdict probe_dns_answer(const uint8_t *msg, size_t len, uint16_t id, int *rcode);

#endif
