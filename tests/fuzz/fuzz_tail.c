/*
 * fuzz_tail.c - libFuzzer target for the guest console tail reader
 * (harness/node/node_qemu_tail.c): what a guest's services write (events JSON lines,
 * fl-load's CSV, raw output) comes back through node_qemu_tail_line(), which rewrites
 * each guest time onto the host clock. The first input byte picks the kind, the next
 * eight the clock offset; every line must come out as exactly one line.
 */
#include "fuzz_util.h"
#include "node_qemu.h"

static int64_t map(void *arg, int64_t guest_ns)
{
	int64_t host;

	/* the harness adds a measured offset; this one saturates (the fuzzer's own
	 * arithmetic is not under test) */
	if (__builtin_add_overflow(guest_ns, *(int64_t *)arg, &host))
		host = guest_ns > 0 ? INT64_MAX : INT64_MIN;
	return host;
}

struct tail_ctx {
	FILE *out;
	enum node_qemu_tail_kind kind;
	int64_t offset;
	size_t lines;
};

static void one_line(char *line, size_t len, void *arg)
{
	struct tail_ctx *c = arg;

	node_qemu_tail_line(c->out, c->kind, line, len, map, &c->offset);
	c->lines++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tail_ctx c = {0};
	char *s, *out = NULL;
	size_t outlen = 0, nl = 0;

	if (size < 9)
		return 0;
	c.kind = NODE_QEMU_TAIL_EVENTS + data[0] % 3;
	memcpy(&c.offset, data + 1, 8);
	s = fuzz_strdup(data + 9, size - 9);
	if (!(c.out = open_memstream(&out, &outlen)))
		abort();
	fuzz_lines(s, size - 9, one_line, &c);
	if (fclose(c.out))
		abort();
	for (size_t i = 0; i < outlen; i++)
		nl += out[i] == '\n';
	if (nl != c.lines)
		abort();
	free(out);
	free(s);
	return 0;
}
