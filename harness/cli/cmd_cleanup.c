/*
 * cmd_cleanup.c - 'faultline cleanup': remove what killed runs left that the kernel
 * cannot free by itself. Namespaces, veths, bridges and taps are held by fds and go
 * with the process; a freezer cgroup does not, so the cgroups of runs whose faultline
 * is dead are thawed, emptied and removed. Says what it removed, or "nothing to clean".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lab.h"

static void said(const char *what, void *arg)
{
	(void)arg;
	printf("removed %s\n", what);
}

int cmd_cleanup(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: faultline cleanup\n\n"
			       "Remove what runs that were killed left behind and the kernel cannot\n"
			       "free by itself (freezer cgroups of runs whose faultline is gone).\n"
			       "Runs still going are left alone. Needs root.\n");
			return FL_EXIT_OK;
		}
		fprintf(stderr, "faultline cleanup: unknown argument '%s' (try --help)\n",
			argv[i]);
		return FL_EXIT_INPUT;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "faultline cleanup: needs root (cgroups); try again as root\n");
		return FL_EXIT_HOST;
	}
	int n = lab_cleanup_stale(said, NULL);
	if (n < 0) {
		fprintf(stderr, "faultline cleanup: %s\n", strerror(errno));
		return FL_EXIT_HOST;
	}
	if (n == 0)
		printf("nothing to clean\n");
	return FL_EXIT_OK;
}
