/*
 * fuzz_vrrp.c - libFuzzer harness for the VRRPv3 decoder (`make fuzz`).
 *
 * Each input is tried as a whole IPv4 datagram and as a bare VRRP message (with and
 * without the TTL and VRID checks). Whatever the decoder accepts must encode back to
 * the same bytes (so it never accepts what it could not have produced, modulo the
 * reserved bits), and the counters must add up to the number of calls.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const uint8_t *msg, size_t len, const struct vrrp_pkt *p,
			     struct in_addr src, struct in_addr dst)
{
	uint8_t buf[VRRP_PKT_MAX];
	ssize_t n = vrrp_pkt_encode(p, src, dst, buf, sizeof(buf));

	if (n < 0 || (size_t)n != len)
		abort();
	/* The reserved nibble is ignored on input and zero on output: compare the rest;
	 * the checksum covers it, so fix it up before comparing. */
	if (memcmp(buf, msg, 4) || (buf[4] & 0x0f) != (msg[4] & 0x0f) || buf[5] != msg[5] ||
	    memcmp(buf + 8, msg + 8, len - 8))
		abort();
	/* 0x0000 and 0xffff are the same one's-complement zero: both verify, the encoder
	 * writes the former. */
	if ((msg[4] & 0xf0) == 0 && memcmp(buf + 6, msg + 6, 2) &&
	    !(buf[6] == 0 && buf[7] == 0 && msg[6] == 0xff && msg[7] == 0xff))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrp_stats st = {0};
	struct vrrp_pkt p;
	struct in_addr src = {htonl(0xc6120001u)}, dst = {htonl(VRRP_GROUP_ADDR)};
	uint64_t total = 0;

	if (vrrp_pkt_decode_ip(data, size, -1, &p, &src, &st) == VRRP_OK) {
		size_t ihl = (size_t)(data[0] & 0x0f) * 4;
		size_t tot = (size_t)data[2] << 8 | data[3];

		memcpy(&dst.s_addr, data + 16, 4);
		check_round_trip(data + ihl, tot - ihl, &p, src, dst);
	}
	src.s_addr = htonl(0xc6120001u);
	dst.s_addr = htonl(VRRP_GROUP_ADDR);
	if (vrrp_pkt_decode(data, size, src, dst, -1, -1, &p, &st) == VRRP_OK)
		check_round_trip(data, size, &p, src, dst);
	vrrp_pkt_decode(data, size, src, dst, size ? data[0] : 0, 51, &p, &st);
	total = st.ok;
	for (int r = 0; r < VRRP_REJ__MAX; r++)
		total += st.rejected[r];
	if (total != 3)
		abort();
	return 0;
}
