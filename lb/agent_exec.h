/*
 * agent_exec.h - what fl-agent does for each verb, inside the guest. Each handler fills
 * a reply (ok + words, or err + errno + text); no handler blocks for long: "run" has a
 * deadline and kills what outlives it.
 */
#ifndef FL_AGENT_EXEC_H
#define FL_AGENT_EXEC_H

#include <stddef.h>
#include <sys/types.h>

#include "agent_proto.h"

#define AGENT_REPLY_WORDS 4

struct agent_reply {
	int err; /* 0: ok; else an errno, and words[0] is the text */
	int n;
	const char *words[AGENT_REPLY_WORDS];
	size_t lens[AGENT_REPLY_WORDS];
	char num[AGENT_REPLY_WORDS][32]; /* storage for numbers */
	char data[AGENT_DATA_MAX];       /* storage for one bulk word */
};

/* agent_exec_dispatch - carry out request @m into @rep. Returns 0 (the reply says how
 * it went). */
int agent_exec_dispatch(const struct agent_msg *m, struct agent_reply *rep);

/* Status of a waited-for child as one number: the exit code, or 128 + signal. */
int agent_exec_status(int wstatus);

#endif
