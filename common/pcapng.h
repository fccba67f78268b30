/*
 * pcapng.h - a small pcapng writer (the block codec only: no I/O). Each function lays
 * one block into a caller's buffer, in host byte order (a reader learns the order from
 * the Section Header's byte-order magic), and returns its length.
 *
 * What faultline writes (pcapng, draft-ietf-opsawg-pcapng):
 *
 *   Section Header Block, shb_userappl "faultline VERSION"
 *   Interface Description Block per port: LINKTYPE_ETHERNET, snaplen, if_name,
 *     if_tsresol 9 (timestamps count nanoseconds)
 *   Enhanced Packet Block per frame: interface id, 64-bit timestamp, captured and
 *     original length, the frame padded to 32 bits, opt_comment when given
 *
 * Every block: type (4), total length (4), body, total length again (4); the body and
 * every option are padded to a multiple of 4 bytes. An option is code (2), length (2),
 * value, padding; a block with options ends them with opt_endofopt (0, 0).
 *
 *   EPB  0                   1                   2                   3
 *       +---------------------------------------------------------------+
 *     0 |                    Block Type = 0x00000006                    |
 *     4 |                      Block Total Length                       |
 *     8 |                         Interface ID                          |
 *    12 |                        Timestamp (High)                       |
 *    16 |                        Timestamp (Low)                        |
 *    20 |                    Captured Packet Length                     |
 *    24 |                    Original Packet Length                     |
 *    28 /          Packet Data, padded to 32 bits                       /
 *       /          Options (opt_comment, opt_endofopt)                  /
 *       |                      Block Total Length                       |
 *       +---------------------------------------------------------------+
 */
#ifndef FL_PCAPNG_H
#define FL_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#define PCAPNG_SHB		 0x0A0D0D0Au
#define PCAPNG_IDB		 0x00000001u
#define PCAPNG_EPB		 0x00000006u
#define PCAPNG_BOM		 0x1A2B3C4Du
#define PCAPNG_OPT_END		 0
#define PCAPNG_OPT_COMMENT	 1
#define PCAPNG_SHB_USERAPPL	 4
#define PCAPNG_IF_NAME		 2
#define PCAPNG_IF_TSRESOL	 9
#define PCAPNG_LINKTYPE_ETHERNET 1

/* @n rounded up to a multiple of 4. */
static inline size_t pcapng_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * The length of each block as the functions below write it (@app, @name, @comment:
 * NUL-terminated text, NULL or "" for none; an option's text is written without its
 * NUL). A text longer than 65535 bytes is cut there (an option's length is 16 bits).
 */
size_t pcapng_shb_len(const char *app);
size_t pcapng_idb_len(const char *name);
size_t pcapng_epb_len(uint32_t caplen, const char *comment);

/*
 * pcapng_shb - a Section Header Block (version 1.0, section length unknown: -1).
 * pcapng_idb - an Interface Description Block for Ethernet with @snaplen, if_name
 *	@name, if_tsresol 9.
 * pcapng_epb - an Enhanced Packet Block of interface @ifid: @caplen bytes of @data
 *	(a frame that was @origlen long), time @ts_ns (nanoseconds since the epoch),
 *	with opt_comment @comment.
 * Each writes at most @cap bytes at @buf and returns the block's length, or 0 when it
 * does not fit (@buf is then left as it was).
 */
size_t pcapng_shb(uint8_t *buf, size_t cap, const char *app);
size_t pcapng_idb(uint8_t *buf, size_t cap, uint32_t snaplen, const char *name);
size_t pcapng_epb(uint8_t *buf, size_t cap, uint32_t ifid, uint64_t ts_ns, const uint8_t *data,
		  uint32_t caplen, uint32_t origlen, const char *comment);

#endif
