/*
 * test_pcapng.c - common/pcapng: each block's layout byte by byte (type, both total
 * lengths, fixed fields), every option padded to 32 bits and the options ended by
 * opt_endofopt, packet data padded with zeros, the measured length equal to the one
 * written, and a block that does not fit left unwritten. A small reader walks the
 * options back, as a pcapng reader would.
 */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pcapng.h"

void register_pcapng_suite(void);

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

/* Both total lengths equal @len, @len a multiple of 4, the type @type. */
static void t_frame(const uint8_t *b, size_t len, uint32_t type)
{
	CU_ASSERT_EQUAL(0, len % 4);
	CU_ASSERT_EQUAL(type, get32(b));
	CU_ASSERT_EQUAL(len, get32(b + 4));
	CU_ASSERT_EQUAL(len, get32(b + len - 4));
}

/*
 * Walk the options from @off to the trailing length: the value of option @code into
 * @val (its length returned; -1 when absent). Fails the test when an option runs past
 * the block, padding is not zero, or opt_endofopt is not the last.
 */
static int t_opt(const uint8_t *b, size_t len, size_t off, uint16_t code, uint8_t *val)
{
	int found = -1;
	bool ended = off == len - 4; /* no options at all */

	while (off < len - 4) {
		uint16_t c = get16(b + off), n = get16(b + off + 2);
		size_t padded = pcapng_pad4(n);
		CU_ASSERT_FATAL(off + 4 + padded <= len - 4);
		if (c == PCAPNG_OPT_END) {
			CU_ASSERT_EQUAL(0, n);
			CU_ASSERT_EQUAL(len - 4, off + 4);
			ended = true;
			break;
		}
		for (size_t i = n; i < padded; i++)
			CU_ASSERT_EQUAL(0, b[off + 4 + i]);
		if (c == code) {
			memcpy(val, b + off + 4, n);
			found = n;
		}
		off += 4 + padded;
	}
	CU_ASSERT(ended);
	return found;
}

static void test_shb_layout(void)
{
	uint8_t b[256], v[64];
	size_t len = pcapng_shb(b, sizeof(b), "faultline 1.0");

	CU_ASSERT_EQUAL(pcapng_shb_len("faultline 1.0"), len);
	/* 24 fixed + userappl (4 + 13 padded to 16) + endofopt 4 + trailing 4 */
	CU_ASSERT_EQUAL(28 + 4 + 16 + 4, len);
	t_frame(b, len, PCAPNG_SHB);
	CU_ASSERT_EQUAL(PCAPNG_BOM, get32(b + 8));
	CU_ASSERT_EQUAL(1, get16(b + 12));
	CU_ASSERT_EQUAL(0, get16(b + 14));
	CU_ASSERT_EQUAL(0xffffffffu, get32(b + 16));
	CU_ASSERT_EQUAL(0xffffffffu, get32(b + 20));
	CU_ASSERT_EQUAL(13, t_opt(b, len, 24, PCAPNG_SHB_USERAPPL, v));
	CU_ASSERT_EQUAL(0, memcmp("faultline 1.0", v, 13));
	/* no application: no options, no endofopt */
	CU_ASSERT_EQUAL(28, pcapng_shb(b, sizeof(b), NULL));
	t_frame(b, 28, PCAPNG_SHB);
}

static void test_idb_layout(void)
{
	uint8_t b[256], v[64];
	size_t len = pcapng_idb(b, sizeof(b), 262144, "lb1");

	CU_ASSERT_EQUAL(pcapng_idb_len("lb1"), len);
	/* 16 fixed + if_name (4 + 4) + if_tsresol (4 + 4) + endofopt 4 + trailing 4 */
	CU_ASSERT_EQUAL(16 + 8 + 8 + 4 + 4, len);
	t_frame(b, len, PCAPNG_IDB);
	CU_ASSERT_EQUAL(PCAPNG_LINKTYPE_ETHERNET, get16(b + 8));
	CU_ASSERT_EQUAL(0, get16(b + 10));
	CU_ASSERT_EQUAL(262144, get32(b + 12));
	CU_ASSERT_EQUAL(3, t_opt(b, len, 16, PCAPNG_IF_NAME, v));
	CU_ASSERT_EQUAL(0, memcmp("lb1", v, 3));
	CU_ASSERT_EQUAL(1, t_opt(b, len, 16, PCAPNG_IF_TSRESOL, v));
	CU_ASSERT_EQUAL(9, v[0]); /* nanoseconds */
	/* a name of exactly 4 bytes needs no padding */
	len = pcapng_idb(b, sizeof(b), 1500, "web1");
	CU_ASSERT_EQUAL(40, len);
	CU_ASSERT_EQUAL(4, t_opt(b, len, 16, PCAPNG_IF_NAME, v));
}

static void test_epb_layout(void)
{
	uint8_t b[256], v[64], frame[5] = {1, 2, 3, 4, 5};
	uint64_t ts = 1796185217385938008ull;
	size_t len = pcapng_epb(b, sizeof(b), 2, ts, frame, 5, 1514, NULL);

	/* 28 fixed + 5 data padded to 8 + trailing 4; no options */
	CU_ASSERT_EQUAL(40, len);
	CU_ASSERT_EQUAL(pcapng_epb_len(5, NULL), len);
	t_frame(b, len, PCAPNG_EPB);
	CU_ASSERT_EQUAL(2, get32(b + 8));
	CU_ASSERT_EQUAL((uint32_t)(ts >> 32), get32(b + 12));
	CU_ASSERT_EQUAL((uint32_t)ts, get32(b + 16));
	CU_ASSERT_EQUAL(5, get32(b + 20));
	CU_ASSERT_EQUAL(1514, get32(b + 24));
	CU_ASSERT_EQUAL(0, memcmp(frame, b + 28, 5));
	CU_ASSERT_EQUAL(0, b[33] | b[34] | b[35]);
	CU_ASSERT_EQUAL(-1, t_opt(b, len, 36, PCAPNG_OPT_COMMENT, v));
}

static void test_epb_comment(void)
{
	uint8_t b[256], v[64], frame[8] = {0};
	const char *c = "faultline: apply #1 blackhole c.public";
	size_t n = strlen(c), len = pcapng_epb(b, sizeof(b), 0, 7, frame, 8, 8, c);

	CU_ASSERT_EQUAL(28 + 8 + 4 + pcapng_pad4(n) + 4 + 4, len);
	CU_ASSERT_EQUAL(pcapng_epb_len(8, c), len);
	t_frame(b, len, PCAPNG_EPB);
	CU_ASSERT_EQUAL((int)n, t_opt(b, len, 36, PCAPNG_OPT_COMMENT, v));
	CU_ASSERT_EQUAL(0, memcmp(c, v, n));
	/* an empty frame carries a comment alone */
	len = pcapng_epb(b, sizeof(b), 0, 7, NULL, 0, 0, c);
	CU_ASSERT_EQUAL(28 + 4 + pcapng_pad4(n) + 4 + 4, len);
	CU_ASSERT_EQUAL(0, get32(b + 20));
	CU_ASSERT_EQUAL((int)n, t_opt(b, len, 28, PCAPNG_OPT_COMMENT, v));
	/* "" is no comment */
	CU_ASSERT_EQUAL(40, pcapng_epb(b, sizeof(b), 0, 7, frame, 8, 8, ""));
}

static void test_block_does_not_fit(void)
{
	uint8_t b[128], frame[32] = {0};
	size_t need = pcapng_epb_len(32, "x");

	memset(b, 0xAA, sizeof(b));
	CU_ASSERT_EQUAL(0, pcapng_epb(b, need - 1, 0, 0, frame, 32, 32, "x"));
	CU_ASSERT_EQUAL(0, pcapng_shb(b, 27, NULL));
	CU_ASSERT_EQUAL(0, pcapng_idb(b, pcapng_idb_len("a") - 1, 64, "a"));
	for (size_t i = 0; i < sizeof(b); i++)
		CU_ASSERT_EQUAL(0xAA, b[i]);
	CU_ASSERT_EQUAL(need, pcapng_epb(b, need, 0, 0, frame, 32, 32, "x"));
}

static void test_pad4(void)
{
	CU_ASSERT_EQUAL(0, pcapng_pad4(0));
	CU_ASSERT_EQUAL(4, pcapng_pad4(1));
	CU_ASSERT_EQUAL(4, pcapng_pad4(4));
	CU_ASSERT_EQUAL(8, pcapng_pad4(5));
	CU_ASSERT_EQUAL(65536, pcapng_pad4(65535));
}

void register_pcapng_suite(void)
{
	CU_pSuite s = CU_add_suite("pcapng", NULL, NULL);

	CU_add_test(s, "shb_layout", test_shb_layout);
	CU_add_test(s, "idb_layout", test_idb_layout);
	CU_add_test(s, "epb_layout", test_epb_layout);
	CU_add_test(s, "epb_comment", test_epb_comment);
	CU_add_test(s, "block_does_not_fit", test_block_does_not_fit);
	CU_add_test(s, "pad4", test_pad4);
}
