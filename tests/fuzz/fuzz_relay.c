/*
 * fuzz_relay.c - libFuzzer target for fl-relay's frame code (lb/relay_frame.c): the
 * input is a virtio_net_hdr (the offload state a packet socket hands over with the
 * frame), a selector, a bit number and the Ethernet frame. The selector is matched,
 * the checksum left to offload finished, a TCP segment train cut into its wire
 * segments, and a bit flipped, each on a buffer of exactly the frame's size.
 */
#include "fuzz_util.h"
#include "relay_frame.h"

struct seg_ctx {
	size_t total;
	int n;
};

static int emit(const uint8_t *seg, size_t n, void *arg)
{
	struct seg_ctx *c = arg;
	uint8_t *copy = malloc(n ? n : 1);
	struct virtio_net_hdr vh = {0};
	struct relay_sel all = {0};

	if (!copy)
		abort();
	memcpy(copy, seg, n); /* ASan: the segment is all readable */
	if (!relay_sel_match(&all, copy, n))
		abort();
	relay_csum_finish(&vh, copy, n);
	free(copy);
	c->total += n;
	c->n++;
	return c->n == 200 ? -1 : 0; /* an emit that fails must stop the cut */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh;
	struct relay_sel sel;
	struct seg_ctx c = {0};
	uint64_t bit;
	size_t head = sizeof(vh) + sizeof(sel) + sizeof(bit), len;
	uint8_t *f;
	int n;

	if (size < head)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	memcpy(&sel, data + sizeof(vh), sizeof(sel));
	memcpy(&bit, data + sizeof(vh) + sizeof(sel), sizeof(bit));
	len = size - head;
	if (!(f = malloc(len ? len : 1)))
		abort();
	memcpy(f, data + head, len);
	relay_sel_match(&sel, f, len);
	n = relay_tcp_segment(&vh, f, len, emit, &c);
	if (n >= 0 && n != c.n)
		abort();
	if (relay_csum_finish(&vh, f, len) == 0 && (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		abort(); /* finished means the flag is cleared */
	relay_bit_flip(f, len, bit);
	free(f);
	return 0;
}
