/*
 * faultline.c - the command-line entry point: finds the subcommand and hands over.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"check", cmd_check, "parse and validate scenario files (no privileges needed)"},
	{"run", cmd_run, "build the lab, run the timeline, judge the expectations"},
	{"explore", cmd_explore, "run one scenario once per seed; which seeds fail, metric spread"},
	{"shrink", cmd_shrink, "the fewest firings of a failing seed that still fail, as a scenario"},
	{"matrix", cmd_matrix, "run one scenario once per --set value, side by side"},
	{"ps", cmd_ps, "list the live runs (running or held) and their nodes"},
	{"exec", cmd_exec, "run a command inside a node of a live run"},
	{"shell", cmd_shell, "an interactive shell inside a node of a live run"},
	{"inject", cmd_inject, "fire a fault by hand into a live run"},
	{"report", cmd_report, "judge kept run directories again; JSON, JUnit, SVG, HTML pages"},
	{"merge", cmd_merge, "join the reports of --shard K/N runs into one run's"},
	{"cleanup", cmd_cleanup, "remove what a killed run left that the kernel cannot free"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline COMMAND [OPTIONS] FILE...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\n'faultline COMMAND --help' describes each command's options.\n"
		   "Exit status: 0 all expectations held, 1 an expectation failed,\n"
		   "2 bad input, 3 the host cannot run it.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return FL_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return FL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("faultline %s\n", FL_VERSION);
		return FL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "faultline: unknown command '%s' (try 'faultline --help')\n", argv[1]);
	return FL_EXIT_INPUT;
}
