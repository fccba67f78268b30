/*
 * agent_hog.h - real-time CPU hogs inside a guest (agent_hog.c), for fl-agent's "hog".
 */
#ifndef FL_AGENT_HOG_H
#define FL_AGENT_HOG_H

#include <sys/types.h>

/* Start hogs on CPUs 0..@cpus-1 for @ms; the pid of their parent (its exit: 0 all ran,
 * 1 a hog could not be made real-time, 2 throttling could not be turned off), or -1
 * with errno (EINVAL: bad arguments or more CPUs than the guest has). */
pid_t agent_hog_start(long ms, int cpus);

#endif
