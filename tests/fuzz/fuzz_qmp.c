/*
 * fuzz_qmp.c - libFuzzer target for what the harness reads from QEMU's QMP socket
 * (harness/node/qmp_msg.c): each line of the input is classified as QEMU's greeting,
 * a reply or an event, and what the parser keeps must hold together (strings
 * terminated, the body within its bound).
 */
#include "fuzz_util.h"
#include "qmp.h"

static void one_line(char *line, size_t len, void *arg)
{
	struct qmp_msg m;

	(void)arg;
	if (qmp_msg_parse(line, len, &m) < 0)
		return;
	if (m.kind < QMP_MSG_GREETING || m.kind > QMP_MSG_EVENT)
		abort();
	if (!memchr(m.event, 0, sizeof(m.event)) || !memchr(m.err_class, 0, sizeof(m.err_class)) ||
	    !memchr(m.err_desc, 0, sizeof(m.err_desc)))
		abort();
	if (m.body &&
	    (m.body_len < 0 || m.body_len > QMP_BODY_MAX || strlen(m.body) != (size_t)m.body_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);

	one_line(s, size, NULL); /* the whole input as one line, NULs and all */
	fuzz_lines(s, size, one_line, NULL);
	free(s);
	return 0;
}
