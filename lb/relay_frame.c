/*
 * relay_frame.c - the per-frame work of relay_frame.h: the selector's header walk
 * (Ethernet, one 802.1Q tag, IPv4 or IPv6 without extension headers, the TCP/UDP
 * ports of a first fragment), the Internet checksum (RFC 1071) of an offloaded frame,
 * and the bit flip of corrupt.
 */
#include "relay_frame.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define ETH_HLEN_	14
#define ETHERTYPE_VLAN_ 0x8100
#define ETHERTYPE_IPV4_ 0x0800
#define ETHERTYPE_IPV6_ 0x86dd

static uint16_t relay_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool relay_sel_all(const struct relay_sel *sel)
{
	return !sel->ethertype && !sel->l4proto && !sel->port;
}

/* The L4 protocol and header offset of an IP frame, or -1 (not IP, or a later fragment). */
static long relay_l4_of(const uint8_t *f, size_t len, size_t l3, uint16_t et, uint8_t *proto)
{
	if (et == ETHERTYPE_IPV4_ && len >= l3 + 20 && (f[l3] >> 4) == 4) {
		size_t ihl = (size_t)(f[l3] & 15) * 4;
		*proto = f[l3 + 9];
		if (relay_be16(f + l3 + 6) & 0x1fff) /* not the first fragment: no ports */
			return -2;
		return ihl >= 20 ? (long)(l3 + ihl) : -1;
	}
	if (et == ETHERTYPE_IPV6_ && len >= l3 + 40 && (f[l3] >> 4) == 6) {
		*proto = f[l3 + 6];
		return (long)(l3 + 40);
	}
	return -1;
}

bool relay_sel_match(const struct relay_sel *sel, const uint8_t *f, size_t len)
{
	if (relay_sel_all(sel))
		return true;
	if (len < ETH_HLEN_)
		return false;
	size_t l3 = ETH_HLEN_;
	uint16_t et = relay_be16(f + 12);
	if (et == ETHERTYPE_VLAN_ && len >= ETH_HLEN_ + 4) {
		et = relay_be16(f + 16);
		l3 += 4;
	}
	if (sel->ethertype)
		return et == sel->ethertype;
	uint8_t proto = 0;
	long l4 = relay_l4_of(f, len, l3, et, &proto);
	if (l4 == -1 || (proto != sel->l4proto && (!sel->l4proto2 || proto != sel->l4proto2)))
		return false;
	if (!sel->port)
		return true;
	if (l4 < 0 || (size_t)l4 + 4 > len)
		return false;
	return relay_be16(f + l4) == sel->port || relay_be16(f + l4 + 2) == sel->port;
}

/* RFC 1071: the ones' complement sum of @len bytes at @p, folded to 16 bits. */
static uint16_t relay_csum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += relay_be16(p + i);
	if (i < len)
		sum += (uint16_t)(p[i] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

int relay_csum_finish(struct virtio_net_hdr *vh, uint8_t *f, size_t len)
{
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	size_t start = le16toh(vh->csum_start), at = start + le16toh(vh->csum_offset);
	if (start >= len || at + 2 > len)
		return errno = EINVAL, -1;
	/* the field holds the pseudo-header's sum already: the sum runs over it */
	uint16_t c = (uint16_t)~relay_csum(f + start, len - start);
	if (c == 0 && at == start + 6) /* UDP: a zero sum is sent as all ones */
		c = 0xffff;
	f[at] = (uint8_t)(c >> 8);
	f[at + 1] = (uint8_t)c;
	vh->flags &= (uint8_t)~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	return 0;
}

long relay_bit_flip(uint8_t *f, size_t len, uint64_t bit)
{
	if (len <= ETH_HLEN_)
		return -1;
	uint64_t n = (uint64_t)(len - ETH_HLEN_) * 8, b = bit % n;
	size_t at = ETH_HLEN_ + (size_t)(b / 8);
	f[at] ^= (uint8_t)(1u << (b % 8));
	return (long)at;
}

static void relay_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The TCP checksum of the segment at @l4 (@n bytes) under the IP header at @l3. */
static uint16_t relay_tcp_csum(const uint8_t *f, size_t l3, size_t l4, size_t n, bool v6)
{
	uint8_t ph[40] = {0};
	size_t phl;
	if (v6) {
		memcpy(ph, f + l3 + 8, 32);
		ph[34] = (uint8_t)(n >> 8), ph[35] = (uint8_t)n, ph[39] = 6;
		phl = 40;
	} else {
		memcpy(ph, f + l3 + 12, 8);
		ph[9] = 6, ph[10] = (uint8_t)(n >> 8), ph[11] = (uint8_t)n;
		phl = 12;
	}
	uint64_t sum = (uint64_t)relay_csum(ph, phl) + relay_csum(f + l4, n);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int relay_tcp_segment(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len,
		      int (*emit)(const uint8_t *seg, size_t n, void *arg), void *arg)
{
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	bool v6 = type == VIRTIO_NET_HDR_GSO_TCPV6;
	size_t l3 = ETH_HLEN_, l4 = le16toh(vh->csum_start), mss = le16toh(vh->gso_size);
	if ((type != VIRTIO_NET_HDR_GSO_TCPV4 && !v6) || !mss || l4 < l3 + 20 || l4 + 20 > len)
		return errno = EINVAL, -1;
	size_t hdr = l4 + (size_t)(f[l4 + 12] >> 4) * 4;
	if (hdr > len || hdr < l4 + 20 || (f[l3] >> 4) != (v6 ? 6 : 4))
		return errno = EINVAL, -1;
	uint8_t seg[ETH_HLEN_ + 60 + 60 + 65536];
	if (hdr + mss > sizeof(seg))
		return errno = EINVAL, -1;
	uint32_t seq = (uint32_t)f[l4 + 4] << 24 | (uint32_t)f[l4 + 5] << 16 |
		       (uint32_t)f[l4 + 6] << 8 | f[l4 + 7];
	uint16_t id = relay_be16(f + l3 + 4);
	int n = 0;
	for (size_t off = hdr; off < len || off == hdr; off += mss, n++) {
		size_t pay = len - off < mss ? len - off : mss;
		bool last = off + pay >= len;
		memcpy(seg, f, hdr);
		memcpy(seg + hdr, f + off, pay);
		uint32_t s2 = seq + (uint32_t)(off - hdr);
		uint8_t *t = seg + l4;
		t[4] = (uint8_t)(s2 >> 24), t[5] = (uint8_t)(s2 >> 16);
		t[6] = (uint8_t)(s2 >> 8), t[7] = (uint8_t)s2;
		if (!last)
			t[13] &= (uint8_t)~0x09; /* FIN and PSH on the last one only */
		if (n)
			t[13] &= (uint8_t)~0x80; /* CWR on the first one only */
		if (v6) {
			relay_put16(seg + l3 + 4, (uint16_t)(hdr - l3 - 40 + pay));
		} else {
			relay_put16(seg + l3 + 2, (uint16_t)(hdr - l3 + pay));
			relay_put16(seg + l3 + 4, (uint16_t)(id + n));
			relay_put16(seg + l3 + 10, 0);
			relay_put16(seg + l3 + 10, (uint16_t)~relay_csum(seg + l3, l4 - l3));
		}
		relay_put16(t + 16, 0);
		relay_put16(t + 16, relay_tcp_csum(seg, l3, l4, hdr - l4 + pay, v6));
		if (emit(seg, hdr + pay, arg) < 0)
			return errno = ENOMEM, -1;
		if (last)
			return n + 1;
	}
	return n;
}
