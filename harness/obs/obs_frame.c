/*
 * obs_frame.c - pure decoders for the frames the wire observer keeps (no I/O), and the
 * TCP retransmission detector.
 *
 * Ethernet II only (the lab has no VLANs). What is decoded:
 *
 *   ARP     Ethernet/IPv4 (RFC 826), 28 bytes after the Ethernet header:
 *           htype 1 | ptype 0x0800 | hlen 6 | plen 4 | op | sha | spa | tha | tpa
 *           "gratuitous" when spa == tpa (a request or a reply, RFC 5227 3)
 *   VRRP    IPv4 protocol 112, validated by lb/vrrp_pkt.c (TTL, version, checksum)
 *   ICMP    type 3 (code 4 = fragmentation needed, RFC 1191); ICMPv6 type 1 and
 *           type 2 (packet too big, RFC 8201)
 *   TCP     over IPv4 (first fragment only) and IPv6 (no extension headers)
 *
 * Retransmission rule: per flow (addresses and ports, one direction) the detector keeps
 * the highest sequence end seen; a segment carrying data (payload > 0) that starts
 * before that end is a retransmission. Sequence numbers compare modulo 2^32. The flow
 * table has a fixed size; a colliding new flow evicts the old one (losing at most one
 * detection), so memory stays bounded whatever the traffic.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "vrrp_pkt.h"

#define ETH_HDR 14
#define ETHERTYPE_IP4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IP6 0x86dd
#define ARP_LEN 28
#define IP6_HDR 40
#define TCP_HDR_MIN 20
#define ICMP_UNREACH 3	    /* RFC 792 */
#define ICMP_FRAG_NEEDED 4  /* RFC 1191: code of ICMP_UNREACH */
#define ICMP6_UNREACH 1	    /* RFC 4443 3.1 */
#define ICMP6_TOO_BIG 2	    /* RFC 4443 3.2 */

static uint16_t obs_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t obs_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum obs_frame_kind obs_arp(const uint8_t *a, size_t len, struct obs_frame *f)
{
	if (len < ARP_LEN || obs_be16(a) != 1 || obs_be16(a + 2) != ETHERTYPE_IP4 ||
	    a[4] != 6 || a[5] != 4)
		return OBS_FR_NONE;
	uint16_t op = obs_be16(a + 6);
	if (op != OBS_ARP_REQUEST && op != OBS_ARP_REPLY)
		return OBS_FR_NONE;
	f->arp_op = op;
	memcpy(f->arp_sha, a + 8, 6);
	memcpy(&f->arp_spa, a + 14, 4);
	memcpy(&f->arp_tpa, a + 24, 4);
	f->arp_gratuitous = f->arp_spa.s_addr == f->arp_tpa.s_addr;
	return f->kind = OBS_FR_ARP;
}

static enum obs_frame_kind obs_tcp(const uint8_t *t, size_t len, size_t seglen,
				   struct obs_frame *f)
{
	if (len < TCP_HDR_MIN)
		return OBS_FR_NONE;
	size_t doff = (size_t)(t[12] >> 4) * 4;
	if (doff < TCP_HDR_MIN || doff > seglen)
		return OBS_FR_NONE;
	f->sport = obs_be16(t);
	f->dport = obs_be16(t + 2);
	f->seq = obs_be32(t + 4);
	f->fin = t[13] & 0x01;
	f->syn = t[13] & 0x02;
	f->rst = t[13] & 0x04;
	f->payload = (uint32_t)(seglen - doff);
	return f->kind = OBS_FR_TCP;
}

static enum obs_frame_kind obs_vrrp(const uint8_t *ip, size_t len, struct obs_frame *f)
{
	struct vrrp_pkt p;
	if (vrrp_pkt_decode_ip(ip, len, -1, &p, &f->ip_src, NULL) != VRRP_OK)
		return OBS_FR_NONE;
	f->vrid = p.vrid;
	f->prio = p.prio;
	f->adver_ms = p.adver_cs * 10;
	f->naddr = p.naddr < 8 ? p.naddr : 8;
	memcpy(f->addrs, p.addrs, sizeof(f->addrs[0]) * (size_t)f->naddr);
	return f->kind = OBS_FR_VRRP;
}

static enum obs_frame_kind obs_ip4(const uint8_t *ip, size_t len, struct obs_frame *f)
{
	if (len < 20 || ip[0] >> 4 != 4)
		return OBS_FR_NONE;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4, tot = obs_be16(ip + 2);
	if (ihl < 20 || tot < ihl || len < ihl)
		return OBS_FR_NONE;
	if (ip[9] == VRRP_IPPROTO)
		return obs_vrrp(ip, len < tot ? len : tot, f);
	if (obs_be16(ip + 6) & 0x1fff) /* not the first fragment: no transport header */
		return OBS_FR_NONE;
	f->family = AF_INET;
	memcpy(f->saddr, ip + 12, 4);
	memcpy(f->daddr, ip + 16, 4);
	if (ip[9] == IPPROTO_TCP)
		return obs_tcp(ip + ihl, len - ihl, tot - ihl, f);
	if (ip[9] == IPPROTO_ICMP && len >= ihl + 2 && ip[ihl] == ICMP_UNREACH) {
		f->icmp_type = ip[ihl];
		f->icmp_code = ip[ihl + 1];
		f->frag_needed = f->icmp_code == ICMP_FRAG_NEEDED;
		return f->kind = OBS_FR_ICMP;
	}
	return OBS_FR_NONE;
}

static enum obs_frame_kind obs_ip6(const uint8_t *ip, size_t len, struct obs_frame *f)
{
	if (len < IP6_HDR || ip[0] >> 4 != 6)
		return OBS_FR_NONE;
	size_t plen = obs_be16(ip + 4);
	f->family = AF_INET6;
	memcpy(f->saddr, ip + 8, 16);
	memcpy(f->daddr, ip + 24, 16);
	if (ip[6] == IPPROTO_TCP)
		return obs_tcp(ip + IP6_HDR, len - IP6_HDR, plen, f);
	if (ip[6] == IPPROTO_ICMPV6 && len >= IP6_HDR + 2 &&
	    (ip[IP6_HDR] == ICMP6_UNREACH || ip[IP6_HDR] == ICMP6_TOO_BIG)) {
		f->icmp_type = ip[IP6_HDR];
		f->icmp_code = ip[IP6_HDR + 1];
		f->frag_needed = f->icmp_type == ICMP6_TOO_BIG;
		return f->kind = OBS_FR_ICMP;
	}
	return OBS_FR_NONE;
}

enum obs_frame_kind obs_frame_decode(const uint8_t *buf, size_t len, struct obs_frame *out)
{
	memset(out, 0, sizeof(*out));
	if (len < ETH_HDR)
		return OBS_FR_NONE;
	memcpy(out->src_mac, buf + 6, 6);
	switch (obs_be16(buf + 12)) {
	case ETHERTYPE_ARP: return obs_arp(buf + ETH_HDR, len - ETH_HDR, out);
	case ETHERTYPE_IP4: return obs_ip4(buf + ETH_HDR, len - ETH_HDR, out);
	case ETHERTYPE_IP6: return obs_ip6(buf + ETH_HDR, len - ETH_HDR, out);
	}
	return OBS_FR_NONE;
}

/* ---- retransmissions ---- */

#define OBS_TCP_FLOWS 4096 /* a power of two */

struct obs_tcp_flow {
	bool used;
	int family;
	int segment;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t high; /* highest sequence end seen */
};

struct obs_tcp {
	struct obs_tcp_flow flow[OBS_TCP_FLOWS];
};

struct obs_tcp *obs_tcp_new(void)
{
	return calloc(1, sizeof(struct obs_tcp));
}

void obs_tcp_free(struct obs_tcp *t)
{
	free(t);
}

/* FNV-1a over the flow's key. */
static uint32_t obs_tcp_hash(const struct obs_frame *f)
{
	uint32_t h = 2166136261u;
	const uint8_t *parts[] = {f->saddr, f->daddr};
	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[p][i]) * 16777619u;
	h = (h ^ f->sport) * 16777619u;
	h = (h ^ f->dport) * 16777619u;
	h = (h ^ (uint32_t)f->segment) * 16777619u;
	return h & (OBS_TCP_FLOWS - 1);
}

static bool obs_tcp_same(const struct obs_tcp_flow *fl, const struct obs_frame *f)
{
	return fl->used && fl->family == f->family && fl->segment == f->segment &&
	       fl->sport == f->sport &&
	       fl->dport == f->dport && !memcmp(fl->saddr, f->saddr, 16) &&
	       !memcmp(fl->daddr, f->daddr, 16);
}

bool obs_tcp_is_retrans(struct obs_tcp *t, const struct obs_frame *f)
{
	if (f->kind != OBS_FR_TCP || f->rst)
		return false;
	struct obs_tcp_flow *fl = &t->flow[obs_tcp_hash(f)];
	uint32_t end = f->seq + f->payload + (f->syn ? 1 : 0) + (f->fin ? 1 : 0);
	if (!obs_tcp_same(fl, f)) {
		*fl = (struct obs_tcp_flow){.used = true, .family = f->family,
					    .segment = f->segment, .sport = f->sport, .dport = f->dport, .high = end};
		memcpy(fl->saddr, f->saddr, 16);
		memcpy(fl->daddr, f->daddr, 16);
		return false;
	}
	bool retrans = f->payload > 0 && (int32_t)(f->seq - fl->high) < 0;
	if ((int32_t)(end - fl->high) > 0)
		fl->high = end;
	return retrans;
}
