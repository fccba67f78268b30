/*
 * fuzz_agent.c - libFuzzer target for the fl-agent protocol (common/agent_proto.c), both
 * ways: what the harness reads from a guest and what fl-agent reads from the harness go
 * through the same line assembler and parser.
 *
 * The input is a byte stream fed to agent_rbuf in chunks (the first byte sets the
 * chunk size); each line is parsed, and what parses must format back into a line that
 * parses to the same message. Each word is also decoded alone, and what decodes must
 * encode and decode back to the same bytes.
 */
#include <errno.h>

#include "agent_proto.h"
#include "fuzz_util.h"

static struct agent_rbuf rb;

static void check_msg(const struct agent_msg *m)
{
	static char buf[AGENT_LINE_MAX + 16];
	struct agent_msg m2;
	const char *argv[AGENT_ARGS_MAX];
	int n;

	for (int i = 0; i < m->argc; i++)
		argv[i] = m->argv[i];
	n = agent_msg_format(buf, sizeof(buf), m->id, m->verb, m->argc, argv, m->arglen);
	if (n < 0)
		return; /* three bytes per byte may not fit: ERANGE is an answer */
	if (n < 1 || buf[n - 1] != '\n')
		abort();
	buf[n - 1] = '\0';
	if (agent_msg_parse(buf, &m2) < 0 || m2.id != m->id || strcmp(m2.verb, m->verb) ||
	    m2.argc != m->argc)
		abort();
	for (int i = 0; i < m->argc; i++)
		if (m2.arglen[i] != m->arglen[i] || memcmp(m2.argv[i], m->argv[i], m->arglen[i]))
			abort();
}

static void check_word(const char *w, size_t len)
{
	static char in[AGENT_LINE_MAX], enc[3 * AGENT_LINE_MAX + 2];
	int n, e;

	memcpy(in, w, len);
	in[len] = '\0';
	if ((n = agent_word_decode(in)) < 0)
		return;
	if ((e = agent_word_encode(in, (size_t)n, enc, sizeof(enc))) < 0)
		abort();
	if (agent_word_decode(enc) != n || memcmp(enc, in, (size_t)n))
		abort();
}

static void check_line(char *line)
{
	struct agent_msg m;
	size_t len = strlen(line);
	char *copy = strdup(line);

	if (!copy)
		abort();
	for (char *w = copy, *sp; w <= copy + len; w = sp + 1) {
		sp = strchr(w, ' ');
		if (!sp)
			sp = copy + len;
		check_word(w, (size_t)(sp - w));
	}
	free(copy);
	if (agent_msg_parse(line, &m) == 0) {
		if (m.argc < 0 || m.argc > AGENT_ARGS_MAX || m.argv[m.argc])
			abort();
		check_msg(&m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk = size ? (size_t)data[0] + 1 : 1;
	char *line;

	agent_rbuf_init(&rb);
	for (size_t at = size ? 1 : 0; at < size;) {
		size_t room, n;
		char *p = agent_rbuf_space(&rb, &room);

		n = size - at < chunk ? size - at : chunk;
		if (n > room)
			n = room;
		if (n == 0)
			abort(); /* the assembler must always make room */
		memcpy(p, data + at, n);
		agent_rbuf_commit(&rb, n);
		at += n;
		while ((line = agent_rbuf_line(&rb)) || errno == E2BIG)
			if (line)
				check_line(line);
		if (errno != EAGAIN)
			abort();
	}
	return 0;
}
