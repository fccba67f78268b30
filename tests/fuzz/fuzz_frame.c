/*
 * fuzz_frame.c - libFuzzer target for the wire observer's frame decoders
 * (harness/obs/obs_frame.c: Ethernet, ARP, VRRP, ICMP/ICMPv6, IPv4/IPv6 headers, TCP)
 * and its TCP retransmission tracker.
 *
 * The input is a train of frames, each preceded by a 2-byte big-endian length (the
 * last takes what is left). Each frame is decoded as received and the TCP ones fed to
 * one tracker, as one capture would be; each is also decoded from a buffer of exactly
 * its size, so a read past its end is an ASan report.
 */
#include "fuzz_util.h"
#include "obs.h"

static void one_frame(struct obs_tcp *t, const uint8_t *f, size_t len)
{
	struct obs_frame fr;
	uint8_t *copy = malloc(len ? len : 1);
	enum obs_frame_kind k;

	if (!copy)
		abort();
	memcpy(copy, f, len);
	k = obs_frame_decode(copy, len, &fr);
	if (k != fr.kind && k != OBS_FR_NONE)
		abort();
	if (k == OBS_FR_VRRP && (fr.naddr < 0 || fr.vrid < 0 || fr.vrid > 255))
		abort();
	if (k == OBS_FR_TCP) {
		fr.segment = len & 1; /* two networks */
		obs_tcp_is_retrans(t, &fr);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obs_tcp *t = obs_tcp_new();

	if (!t)
		abort();
	for (size_t at = 0; at < size;) {
		size_t len = size - at;

		if (len >= 2) {
			size_t want = (size_t)data[at] << 8 | data[at + 1];
			at += 2;
			len = want < size - at ? want : size - at;
		}
		one_frame(t, data + at, len);
		at += len;
	}
	obs_tcp_free(t);
	return 0;
}
