/*
 * agent_proto.h - the fl-agent wire protocol, shared by fl-agent (in the guest) and the
 * harness (node_qemu). Pure code: no I/O, no allocation.
 *
 * One message per line, words separated by one space:
 *
 *	request   ID VERB ARG...            ID > 0, chosen by the harness
 *	reply     ID ok ARG...  |  ID err ERRNO TEXT
 *	event     0 VERB ARG...              unsolicited (ready, exit)
 *
 * A word is any byte string; bytes <= 0x20, '%' and >= 0x7f are written as %XX, so a
 * word never holds a space or a newline and a whole file fits in one word. An empty
 * word is written as a lone '%'.
 *
 * Verbs (guest side in lb/fl_agent.c, docs/guests.md for the details):
 *	ping                        -> ok MONO_NS
 *	run ARGV...                 -> ok STATUS OUTPUT     (waits; stdout+stderr, capped)
 *	spawn OUT ERR ARGV...       -> ok PID               (own process group; later the
 *	                                                     event "0 exit PID STATUS")
 *	kill PID SIGNO              -> ok
 *	read PATH [OFFSET]          -> ok CONTENT           (at most AGENT_DATA_MAX bytes;
 *	                                                     fewer means end of file)
 *	ifconf MAC NAME ADDR/PLEN MTU GW -> ok              (rename, MTU, address, up, default
 *	                                                     route; MTU 0 and GW "-": none)
 *	dmesg                       -> ok TEXT              (the kernel log so far)
 *	pty ROWS COLS ARGV...       -> ok PID               (a terminal session: its own
 *	                                                     session and pty; output as
 *	                                                     "0 out PID DATA" events of at
 *	                                                     most 4096 bytes, then "0 exit")
 *	in PID DATA                 -> ok                   (typed into the session)
 *	winch PID ROWS COLS         -> ok                   (the session's terminal size)
 *	event: 0 ready MONO_NS, 0 exit PID STATUS, 0 out PID DATA
 */
#ifndef FL_AGENT_PROTO_H
#define FL_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define AGENT_LINE_MAX (256 * 1024) /* an encoded line, newline included */
#define AGENT_DATA_MAX (64 * 1024)  /* a file or an output before encoding */
#define AGENT_ARGS_MAX 64
#define AGENT_VERB_MAX 16

struct agent_msg {
	uint32_t id; /* 0 for an event */
	char verb[AGENT_VERB_MAX];
	int argc;
	char *argv[AGENT_ARGS_MAX + 1]; /* NUL-terminated, argv[argc] == NULL */
	size_t arglen[AGENT_ARGS_MAX];  /* decoded lengths (a word may hold a NUL) */
};

/*
 * agent_word_encode - write @len bytes of @in as one word into @out (NUL-terminated).
 * Returns the length written, or -1 with errno ERANGE when @out is too small.
 */
int agent_word_encode(const char *in, size_t len, char *out, size_t outlen);

/* agent_word_decode - decode word @w in place; returns its length, -1/EINVAL if bad. */
int agent_word_decode(char *w);

/*
 * agent_msg_parse - split one line (without its newline) in place into @m.
 * Returns 0, or -1 with errno EINVAL (no id, bad id, no verb, bad %XX) or E2BIG.
 */
int agent_msg_parse(char *line, struct agent_msg *m);

/*
 * agent_msg_format - "ID VERB ARG...\n" into @buf; @lens may be NULL (then the args are
 * C strings). Returns the length, or -1 with errno ERANGE when @buf is too small.
 */
int agent_msg_format(char *buf, size_t len, uint32_t id, const char *verb, int argc,
		     const char *const argv[], const size_t lens[]);

/*
 * A line assembler for a byte stream: feed what read() gave, take whole lines out.
 * Lines longer than AGENT_LINE_MAX are dropped whole (agent_rbuf_line reports E2BIG).
 */
struct agent_rbuf {
	char buf[AGENT_LINE_MAX];
	size_t used;
	size_t start; /* first byte not yet returned */
	int overflow; /* inside an over-long line being dropped */
};

void agent_rbuf_init(struct agent_rbuf *rb);
/* Room for the next read: pointer and size (after compacting). */
char *agent_rbuf_space(struct agent_rbuf *rb, size_t *room);
/* @n bytes were written at agent_rbuf_space(). */
void agent_rbuf_commit(struct agent_rbuf *rb, size_t n);
/*
 * agent_rbuf_line - the next complete line, NUL-terminated in place without its newline
 * (valid until the next call), or NULL when none: errno EAGAIN (need more bytes) or
 * E2BIG (an over-long line was dropped; call again).
 */
char *agent_rbuf_line(struct agent_rbuf *rb);

#endif
