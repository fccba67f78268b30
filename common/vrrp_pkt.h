/*
 * vrrp_pkt.h - VRRPv3 advertisement codec for IPv4 (RFC 5798 section 5, RFC 9568).
 *
 * Pure: no I/O. The encoder writes the VRRP message (no IP header) with its checksum;
 * the decoder validates a VRRP message (or a whole IPv4 datagram with
 * vrrp_pkt_decode_ip()) and says why it was rejected. fl-lb and the harness' wire
 * observer use the same code.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |(rsvd) |     Max Adver Int     |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IPv4 Address(es)                        |
 */
#ifndef FL_VRRP_PKT_H
#define FL_VRRP_PKT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VRRP_IPPROTO 112	       /* RFC 5798 5.1.1.4 */
#define VRRP_GROUP_ADDR 0xe0000012u    /* 224.0.0.18, RFC 5798 5.1.1.2 (host order) */
#define VRRP_TTL 255		       /* RFC 5798 5.1.1.3 */
#define VRRP_VERSION 3		       /* RFC 5798 5.2.1 */
#define VRRP_TYPE_ADVERT 1	       /* RFC 5798 5.2.2 */
#define VRRP_PRIO_OWNER 255	       /* RFC 5798 5.2.4 */
#define VRRP_PRIO_STOP 0	       /* RFC 5798 5.2.4: master stops participating */
#define VRRP_HDR_LEN 8		       /* RFC 5798 5.2 */
#define VRRP_ADVER_MAX_CS 0x0fff       /* RFC 5798 5.2.7: 12-bit field, centiseconds */
#define VRRP_MAX_ADDRS 32	       /* our limit; the field allows 255 */
#define VRRP_PKT_MAX (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS)

struct vrrp_pkt {
	uint8_t vrid;
	uint8_t prio;
	uint8_t naddr;
	uint16_t adver_cs; /* Max Adver Int, centiseconds */
	struct in_addr addrs[VRRP_MAX_ADDRS];
};

/* Why a received message was dropped; VRRP_OK when it was accepted. */
enum vrrp_reject {
	VRRP_OK = 0,
	VRRP_REJ_SHORT,	   /* shorter than the header or the IPv4 header */
	VRRP_REJ_IP,	   /* not an IPv4 datagram carrying protocol 112 */
	VRRP_REJ_TTL,	   /* TTL/hop limit not 255 (RFC 5798 7.1) */
	VRRP_REJ_VERSION,  /* version field not 3 */
	VRRP_REJ_TYPE,	   /* type field not ADVERTISEMENT */
	VRRP_REJ_CHECKSUM, /* checksum over pseudo-header + message wrong */
	VRRP_REJ_VRID,	   /* not the VRID we run, or 0 */
	VRRP_REJ_COUNT,	   /* address count does not match the length */
	VRRP_REJ_INTERVAL, /* Max Adver Int of zero */
	VRRP_REJ__MAX
};

struct vrrp_stats {
	uint64_t ok;
	uint64_t rejected[VRRP_REJ__MAX];
};

/*
 * vrrp_reject_name - short stable name of @r ("checksum", "ttl" ...) for events.
 */
const char *vrrp_reject_name(enum vrrp_reject r);

/*
 * vrrp_pkt_encode - write @p as a VRRPv3 message into @buf.
 * @src, @dst: IPv4 source and destination (network order) for the checksum's
 * pseudo-header (RFC 5798 5.2.8).
 * Returns the message length, or -1 with errno EINVAL (bad field) or ENOBUFS.
 */
ssize_t vrrp_pkt_encode(const struct vrrp_pkt *p, struct in_addr src, struct in_addr dst,
			uint8_t *buf, size_t size);

/*
 * vrrp_pkt_decode - validate and decode a VRRP message (no IP header).
 * @ttl: the received TTL (checked against 255); -1 skips the check.
 * @vrid: the VRID we run; -1 accepts any.
 * @st: counters updated with the outcome; may be NULL.
 * Returns VRRP_OK and fills @out, or the reason it was rejected.
 */
enum vrrp_reject vrrp_pkt_decode(const uint8_t *buf, size_t len, struct in_addr src,
				 struct in_addr dst, int ttl, int vrid, struct vrrp_pkt *out,
				 struct vrrp_stats *st);

/*
 * vrrp_pkt_decode_ip - same for a whole IPv4 datagram (what a raw socket returns);
 * source, destination and TTL come from its header. @src_out may be NULL.
 */
enum vrrp_reject vrrp_pkt_decode_ip(const uint8_t *buf, size_t len, int vrid,
				    struct vrrp_pkt *out, struct in_addr *src_out,
				    struct vrrp_stats *st);

/*
 * `ha safe` handoff request: a higher-priority backup asks the master for the VIP (UDP
 * to 224.0.0.18, TTL 255, on every heartbeat network). Not a VRRP advert on purpose: a
 * backup asking must not look like a second owner of the VIP on the wire.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      'F'      |      'L'      |      'H'      |      'O'      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Version (1)  | Virtual Rtr ID|   Priority    |  0 (reserved) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#define VRRP_HANDOFF_PORT 5798 /* ours (the RFC's number), not an IANA assignment */
#define VRRP_HANDOFF_LEN 8

/* vrrp_handoff_encode - write a request of @vrid at @prio into @buf (>= 8 bytes). */
void vrrp_handoff_encode(uint8_t vrid, uint8_t prio, uint8_t *buf);

/*
 * vrrp_handoff_decode - validate a request: length, magic, version, @vrid (-1: any),
 * priority 1..255. Returns 0 and sets *@prio, or -1.
 */
int vrrp_handoff_decode(const uint8_t *buf, size_t len, int vrid, uint8_t *prio);

#endif
