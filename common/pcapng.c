/*
 * pcapng.c - the pcapng block codec (pcapng.h has the layout). Pure: each block is
 * measured first, then written only when it fits, so a caller's buffer never holds
 * half a block.
 */
#include <string.h>

#include "pcapng.h"

#define PCAPNG_OPT_MAX 0xffffu

static size_t pcapng_text_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > PCAPNG_OPT_MAX ? PCAPNG_OPT_MAX : n;
}

/* One option of @n value bytes, padded; 0 for an absent one. */
static size_t pcapng_opt_len(size_t n)
{
	return n ? 4 + pcapng_pad4(n) : 0;
}

/* Options of these value lengths, with opt_endofopt when there is any. */
static size_t pcapng_opts_len(size_t a, size_t b)
{
	size_t n = pcapng_opt_len(a) + pcapng_opt_len(b);

	return n ? n + 4 : 0;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
	return p + 2;
}

/* Option @code with @n bytes of @v, zero-padded; nothing when @n is 0. */
static uint8_t *put_opt(uint8_t *p, uint16_t code, const void *v, size_t n)
{
	if (!n)
		return p;
	p = put16(p, code);
	p = put16(p, (uint16_t)n);
	memcpy(p, v, n);
	memset(p + n, 0, pcapng_pad4(n) - n);
	return p + pcapng_pad4(n);
}

/* opt_endofopt after options, when there were any (@first: where they began). */
static uint8_t *put_end(uint8_t *p, const uint8_t *first)
{
	return p == first ? p : put32(p, 0);
}

size_t pcapng_shb_len(const char *app)
{
	return 28 + pcapng_opts_len(pcapng_text_len(app), 0);
}

size_t pcapng_idb_len(const char *name)
{
	return 20 + pcapng_opts_len(pcapng_text_len(name), 1);
}

size_t pcapng_epb_len(uint32_t caplen, const char *comment)
{
	return 32 + pcapng_pad4(caplen) + pcapng_opts_len(pcapng_text_len(comment), 0);
}

size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app)
{
	size_t len = pcapng_shb_len(app);
	uint8_t *p = buf, *opts;

	if (len > cap)
		return 0;
	p = put32(p, PCAPNG_SHB);
	p = put32(p, (uint32_t)len);
	p = put32(p, PCAPNG_BOM);
	p = put16(p, 1);	   /* major */
	p = put16(p, 0);	   /* minor */
	p = put32(p, 0xffffffffu); /* section length -1 (64 bits): not known */
	p = put32(p, 0xffffffffu);
	opts = p;
	p = put_opt(p, PCAPNG_SHB_USERAPPL, app, pcapng_text_len(app));
	p = put_end(p, opts);
	put32(p, (uint32_t)len);
	return len;
}

size_t pcapng_idb(uint8_t *buf, size_t cap, uint32_t snaplen, const char *name)
{
	size_t len = pcapng_idb_len(name);
	uint8_t *p = buf, *opts, tsresol = 9; /* 10^-9 s */

	if (len > cap)
		return 0;
	p = put32(p, PCAPNG_IDB);
	p = put32(p, (uint32_t)len);
	p = put16(p, PCAPNG_LINKTYPE_ETHERNET);
	p = put16(p, 0); /* reserved */
	p = put32(p, snaplen);
	opts = p;
	p = put_opt(p, PCAPNG_IF_NAME, name, pcapng_text_len(name));
	p = put_opt(p, PCAPNG_IF_TSRESOL, &tsresol, 1);
	p = put_end(p, opts);
	put32(p, (uint32_t)len);
	return len;
}

size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t ifid, uint64_t ts_ns, const uint8_t *data,
		  uint32_t caplen, uint32_t origlen, const char *comment)
{
	size_t len = pcapng_epb_len(caplen, comment);
	uint8_t *p = buf, *opts;

	if (len > cap)
		return 0;
	p = put32(p, PCAPNG_EPB);
	p = put32(p, (uint32_t)len);
	p = put32(p, ifid);
	p = put32(p, (uint32_t)(ts_ns >> 32));
	p = put32(p, (uint32_t)ts_ns);
	p = put32(p, caplen);
	p = put32(p, origlen);
	if (caplen)
		memcpy(p, data, caplen);
	memset(p + caplen, 0, pcapng_pad4(caplen) - caplen);
	p += pcapng_pad4(caplen);
	opts = p;
	p = put_opt(p, PCAPNG_OPT_COMMENT, comment, pcapng_text_len(comment));
	p = put_end(p, opts);
	put32(p, (uint32_t)len);
	return len;
}
