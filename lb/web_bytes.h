/*
 * web_bytes.h - the deterministic body of fl-web's GET /bytes/N and its checksum.
 *
 * The body is a sequence of 16-byte lines; line j is j in 15 lowercase hex digits, zero
 * padded, then '\n' (the last line is cut at N bytes):
 *
 *   000000000000000\n000000000000001\n000000000000002\n...
 *
 * Every byte depends on its offset, so a body with a lost, duplicated or reordered
 * segment hashes differently. fl-web never holds a body: it generates each chunk into a
 * scratch buffer as it writes (web_bytes_fill), and announces the FNV-1a 64 checksum in
 * the head. Because every body is a prefix of the same infinite stream, the hash state
 * at every WEB_BYTES_STEP boundary is shared by all N: struct web_bytes_sums keeps those
 * checkpoints (computed once, on demand), so a checksum costs at most one step of hashing.
 */
#ifndef FL_WEB_BYTES_H
#define FL_WEB_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define WEB_BYTES_LINE 16
#define WEB_BYTES_STEP (64u * 1024) /* checkpoint spacing, a multiple of WEB_BYTES_LINE */
#define WEB_BYTES_MAX  (1024ull * 1024 * 1024) /* largest N fl-web serves */

struct web_bytes_sums {
	uint64_t *state; /* state[k] = FNV-1a 64 of the first k * WEB_BYTES_STEP bytes */
	size_t n;	 /* checkpoints computed */
};

/* web_bytes_fill - write bytes [off, off + len) of the stream into buf. */
void web_bytes_fill(char *buf, uint64_t off, size_t len);

/*
 * web_bytes_checksum - FNV-1a 64 of the first n bytes of the stream, extending the
 * checkpoints in s as needed (s starts zeroed). Returns 0 with *sum set, or -1 with
 * errno (ENOMEM; EFBIG when n > WEB_BYTES_MAX).
 */
int web_bytes_checksum(struct web_bytes_sums *s, uint64_t n, uint64_t *sum);

/* web_bytes_sums_release - free the checkpoints; s is zeroed and reusable. */
void web_bytes_sums_release(struct web_bytes_sums *s);

#endif
