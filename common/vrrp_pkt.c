/*
 * vrrp_pkt.c - VRRPv3 (IPv4) advertisement encoder and validating decoder.
 *
 * Invariants: the decoder reads nothing beyond @len, never trusts a count field before
 * checking it against the length, and every rejection is counted under one reason.
 */
#include "vrrp_pkt.h"

#include <errno.h>
#include <string.h>

static const char *const reject_names[VRRP_REJ__MAX] = {
	[VRRP_OK] = "ok",
	[VRRP_REJ_SHORT] = "short",
	[VRRP_REJ_IP] = "not-vrrp",
	[VRRP_REJ_TTL] = "ttl",
	[VRRP_REJ_VERSION] = "version",
	[VRRP_REJ_TYPE] = "type",
	[VRRP_REJ_CHECKSUM] = "checksum",
	[VRRP_REJ_VRID] = "vrid",
	[VRRP_REJ_COUNT] = "addr-count",
	[VRRP_REJ_INTERVAL] = "interval",
};

const char *vrrp_reject_name(enum vrrp_reject r)
{
	if ((unsigned)r >= VRRP_REJ__MAX)
		return "unknown";
	return reject_names[r];
}

/* One's complement sum of 16-bit big-endian words (odd trailing byte padded). */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* RFC 5798 5.2.8: checksum over the IPv4 pseudo-header and the VRRP message. */
static uint16_t vrrp_csum(const uint8_t *msg, size_t len, struct in_addr src,
			  struct in_addr dst)
{
	uint8_t ph[12];
	uint32_t sum;

	memcpy(ph, &src.s_addr, 4);
	memcpy(ph + 4, &dst.s_addr, 4);
	ph[8] = 0;
	ph[9] = VRRP_IPPROTO;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
	sum = sum16(sum16(0, ph, sizeof(ph)), msg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

ssize_t vrrp_pkt_encode(const struct vrrp_pkt *p, struct in_addr src, struct in_addr dst,
			uint8_t *buf, size_t size)
{
	size_t len = VRRP_HDR_LEN + 4u * p->naddr;
	uint16_t cs;

	if (p->naddr > VRRP_MAX_ADDRS || p->adver_cs == 0 || p->adver_cs > VRRP_ADVER_MAX_CS ||
	    p->vrid == 0) {
		errno = EINVAL;
		return -1;
	}
	if (size < len) {
		errno = ENOBUFS;
		return -1;
	}
	buf[0] = VRRP_VERSION << 4 | VRRP_TYPE_ADVERT;
	buf[1] = p->vrid;
	buf[2] = p->prio;
	buf[3] = p->naddr;
	buf[4] = (uint8_t)(p->adver_cs >> 8 & 0x0f); /* 4 reserved bits stay zero */
	buf[5] = (uint8_t)p->adver_cs;
	buf[6] = buf[7] = 0;
	for (unsigned i = 0; i < p->naddr; i++)
		memcpy(buf + VRRP_HDR_LEN + 4 * i, &p->addrs[i].s_addr, 4);
	cs = vrrp_csum(buf, len, src, dst);
	buf[6] = (uint8_t)(cs >> 8);
	buf[7] = (uint8_t)cs;
	return (ssize_t)len;
}

static enum vrrp_reject count(struct vrrp_stats *st, enum vrrp_reject r)
{
	if (!st)
		return r;
	if (r == VRRP_OK)
		st->ok++;
	else
		st->rejected[r]++;
	return r;
}

/* Order of checks: RFC 5798 7.1 (TTL, version, checksum, VRID, then contents). */
static enum vrrp_reject check_msg(const uint8_t *buf, size_t len, struct in_addr src,
				  struct in_addr dst, int ttl, int vrid)
{
	if (len < VRRP_HDR_LEN)
		return VRRP_REJ_SHORT;
	if (ttl >= 0 && ttl != VRRP_TTL)
		return VRRP_REJ_TTL;
	if (buf[0] >> 4 != VRRP_VERSION)
		return VRRP_REJ_VERSION;
	if ((buf[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_REJ_TYPE;
	if (vrrp_csum(buf, len, src, dst) != 0)
		return VRRP_REJ_CHECKSUM;
	if (buf[1] == 0 || (vrid >= 0 && buf[1] != vrid)) /* VRID is 1-255: RFC 5798 5.2.3 */
		return VRRP_REJ_VRID;
	if (len != VRRP_HDR_LEN + 4u * buf[3] || buf[3] > VRRP_MAX_ADDRS)
		return VRRP_REJ_COUNT;
	if (((buf[4] & 0x0f) << 8 | buf[5]) == 0)
		return VRRP_REJ_INTERVAL;
	return VRRP_OK;
}

enum vrrp_reject vrrp_pkt_decode(const uint8_t *buf, size_t len, struct in_addr src,
				 struct in_addr dst, int ttl, int vrid, struct vrrp_pkt *out,
				 struct vrrp_stats *st)
{
	enum vrrp_reject r = check_msg(buf, len, src, dst, ttl, vrid);

	if (r != VRRP_OK)
		return count(st, r);
	out->vrid = buf[1];
	out->prio = buf[2];
	out->naddr = buf[3];
	out->adver_cs = (uint16_t)((buf[4] & 0x0f) << 8 | buf[5]);
	for (unsigned i = 0; i < out->naddr; i++)
		memcpy(&out->addrs[i].s_addr, buf + VRRP_HDR_LEN + 4 * i, 4);
	return count(st, VRRP_OK);
}

enum vrrp_reject vrrp_pkt_decode_ip(const uint8_t *buf, size_t len, int vrid,
				    struct vrrp_pkt *out, struct in_addr *src_out,
				    struct vrrp_stats *st)
{
	struct in_addr src, dst;
	size_t ihl, tot;

	if (len < 20)
		return count(st, VRRP_REJ_SHORT);
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	tot = (size_t)buf[2] << 8 | buf[3];
	if (buf[0] >> 4 != 4 || buf[9] != VRRP_IPPROTO || ihl < 20)
		return count(st, VRRP_REJ_IP);
	if (ihl > len || tot < ihl || tot > len) /* never read past what was received */
		return count(st, VRRP_REJ_SHORT);
	memcpy(&src.s_addr, buf + 12, 4);
	memcpy(&dst.s_addr, buf + 16, 4);
	if (src_out)
		*src_out = src;
	return vrrp_pkt_decode(buf + ihl, tot - ihl, src, dst, buf[8], vrid, out, st);
}

static const uint8_t handoff_magic[4] = {'F', 'L', 'H', 'O'};

void vrrp_handoff_encode(uint8_t vrid, uint8_t prio, uint8_t *buf)
{
	memcpy(buf, handoff_magic, 4);
	buf[4] = 1;
	buf[5] = vrid;
	buf[6] = prio;
	buf[7] = 0;
}

int vrrp_handoff_decode(const uint8_t *buf, size_t len, int vrid, uint8_t *prio)
{
	if (len != VRRP_HANDOFF_LEN || memcmp(buf, handoff_magic, 4) || buf[4] != 1 ||
	    !buf[5] || (vrid >= 0 && buf[5] != vrid) || !buf[6])
		return -1;
	*prio = buf[6];
	return 0;
}
