/*
 * relay_frame.h - what fl-relay does to one frame: tell whether an effect's selector
 * picks it, finish a checksum the sender left to offload, flip a bit. A frame comes
 * with the virtio-net header packet sockets give with PACKET_VNET_HDR (checksum and
 * segmentation offload state), which goes back with it when it is sent.
 */
#ifndef FL_RELAY_FRAME_H
#define FL_RELAY_FRAME_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay_proto.h"

/* Does @sel pick the Ethernet frame @f of @len bytes? A zero selector picks all. */
bool relay_sel_match(const struct relay_sel *sel, const uint8_t *f, size_t len);
/* Is @sel the zero selector (every frame)? */
bool relay_sel_all(const struct relay_sel *sel);
/*
 * If @vh says the checksum is left to offload (NEEDS_CSUM), compute it into the frame
 * and clear the flag, so the frame can be changed and the change shows as a bad
 * checksum. 0, or -1 (EINVAL: the offsets are outside the frame).
 */
int relay_csum_finish(struct virtio_net_hdr *vh, uint8_t *f, size_t len);
/*
 * Flip bit @bit (counted from the end of the Ethernet header) of the frame, modulo
 * its length past that header. Returns the byte offset flipped, or -1 when the frame
 * has nothing past its Ethernet header.
 */
long relay_bit_flip(uint8_t *f, size_t len, uint64_t bit);

/*
 * Cut a TCP segment train (a frame @vh marks as TCPv4/TCPv6 segmentation offload, as a
 * veth or tap hands over up to 64 KiB at once) into the wire frames it stands for,
 * each with its headers, IPv4 id / IPv6 length, sequence number, flags and checksums
 * as the kernel's segmentation would give them; @emit(frame, len, @arg) for each, in
 * order. Returns how many, or -1 (EINVAL: not such a train, or its headers do not
 * add up; ENOMEM from @emit's -1).
 */
int relay_tcp_segment(const struct virtio_net_hdr *vh, const uint8_t *f, size_t len,
		      int (*emit)(const uint8_t *seg, size_t n, void *arg), void *arg);

#endif
