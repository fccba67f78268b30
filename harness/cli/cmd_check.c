/*
 * cmd_check.c - 'faultline check [--set NAME=VALUE]... FILE...': parse and validate
 * scenario files without building anything (no privileges needed). One line per file:
 * a summary on stdout, or the first error as file:line:col: message on stderr.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "flt.h"
#include "scn.h"

static void check_usage(FILE *f)
{
	fprintf(f, "usage: faultline check [--set NAME=VALUE]... FILE...\n"
		   "\n"
		   "Parse and validate each scenario FILE; nothing is built and no privilege is\n"
		   "needed. --set gives a value to a 'param' the files declare.\n"
		   "As root, each packet fault's line then says the mechanism it will use here\n"
		   "(nftables, tbf, netem, or relay: faultline's own frame path, fl-relay).\n"
		   "Exit status: 0 every file is valid, 2 a file is not, 3 this host cannot run\n"
		   "a fault a file uses (e.g. a filter fault without nf_tables' bridge family) or\n"
		   "a program it `requires` is not installed.\n");
}


static int check_file(const char *path, const struct scn_set *sets, int n_sets)
{
	struct scn_err err;
	char msg[1024];
	struct scn *s = scn_load(path, sets, n_sets, &err);
	if (!s) {
		scn_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	/* Faults this kernel cannot do (a filter without nf_tables' bridge family): exit 3. The probe needs
	 * a namespace of its own (root); without one the host facts stay unchecked. */
	struct flt_caps caps;
	bool probed = flt_caps_probe(&caps) == 0;
	if ((probed && flt_scn_check(&caps, s, msg, sizeof(msg)) < 0) ||
	    cmd_requires_check(s, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s\n", msg);
		scn_free(s);
		return -2;
	}
	printf("%s: ok \u2014 %d networks, %d nodes, %d services, %d timeline statements, "
	       "%d expectations\n",
	       path, s->n_networks, s->n_nodes, s->n_services, s->n_events, s->n_expects);
	/* which mechanism each packet fault will use on this host */
	for (int i = 0; probed && i < s->n_events; i++) {
		const struct scn_fault *f = &s->events[i].fault;
		const char *via = flt_fault_path(&caps, s, f);
		if (via)
			printf("  %s:%d:%d: %s via %s\n", path, f->loc.line, f->loc.col,
			       f->kind->name, via);
	}
	scn_free(s);
	return 0;
}

/* Options first; returns the index of the first file, or -1 after printing why. */
static int check_opts(int argc, char **argv, struct scn_set *sets, int *n_sets)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		char *val = NULL;
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (!strcmp(argv[i], "--set") && i + 1 < argc)
			val = argv[++i];
		else if (!strncmp(argv[i], "--set=", 6))
			val = argv[i] + 6;
		if (!val) {
			fprintf(stderr, "faultline check: unknown option '%s' (try --help)\n", argv[i]);
			return -1;
		}
		if (cmd_set_parse(val, &sets[(*n_sets)++]) < 0) {
			fprintf(stderr, "faultline check: --set wants NAME=VALUE, got '%s'\n", val);
			return -1;
		}
	}
	return i;
}

int cmd_check(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			check_usage(stdout);
			return FL_EXIT_OK;
		}
	struct scn_set *sets = calloc((size_t)argc, sizeof(*sets));
	int n_sets = 0, bad = 0, host = 0;
	if (!sets) {
		fprintf(stderr, "faultline check: out of memory\n");
		return FL_EXIT_INPUT;
	}
	int first = check_opts(argc, argv, sets, &n_sets);
	if (first >= 0 && first >= argc) {
		check_usage(stderr);
		first = -1;
	}
	for (int i = first; first >= 0 && i < argc; i++) {
		int rc = check_file(argv[i], sets, n_sets);
		bad += rc == -1;
		host += rc == -2;
	}
	free(sets);
	if (first < 0 || bad)
		return FL_EXIT_INPUT;
	return host ? FL_EXIT_HOST : FL_EXIT_OK;
}
