/*
 * fuzz_scn.c - libFuzzer target for the scenario language (harness/scn/): lexer,
 * parser, ${param} expansion with --set values, and validation.
 *
 * The input is a scenario; an optional NUL byte ends it, and each line after it is a
 * --set NAME=VALUE, or (a line without '=') a `faultline report --expect` text. It is
 * parsed from the buffer (scn_parse) and, one input in sixteen, written to a file and
 * loaded (scn_load); both must agree on success. The --expect texts go to
 * scn_expect_add on the parsed scenario: each adds one expectation or none.
 */
#include "fuzz_util.h"
#include "scn.h"

#define SETS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *rest = nul ? fuzz_strdup(nul + 1, size - len - 1) : NULL;
	struct scn_set sets[SETS_MAX];
	const char *expects[SETS_MAX];
	struct scn_err err;
	struct scn *s;
	int n_sets = 0, n_expects = 0;

	for (char *l = rest, *nl; l && *l && n_sets < SETS_MAX; l = nl ? nl + 1 : NULL) {
		char *eq;

		if ((nl = strchr(l, '\n')))
			*nl = '\0';
		if ((eq = strchr(l, '='))) {
			*eq = '\0';
			sets[n_sets].name = l;
			sets[n_sets++].value = eq + 1;
		} else if (n_expects < SETS_MAX) {
			expects[n_expects++] = l;
		}
	}
	s = scn_parse("fuzz.scn", (const char *)data, len, sets, n_sets, &err);
	if (!s && !memchr(err.msg, 0, sizeof(err.msg)))
		abort();
	if (len % 16 == 0) {
		char path[128];
		struct scn *s2;

		fuzz_file_write("fuzz.scn", data, len, path, sizeof(path));
		s2 = scn_load(path, sets, n_sets, &err);
		if (!s != !s2)
			abort();
		scn_free(s2);
	}
	for (int i = 0; s && i < n_expects; i++) {
		int before = s->n_expects;
		int rc = scn_expect_add(s, "--expect", i + 1, expects[i], &err);
		if (s->n_expects != before + (rc == 0) ||
		    (rc != 0 && (!memchr(err.msg, 0, sizeof(err.msg)) || err.line != i + 1 ||
				 err.col < 1)))
			abort();
	}
	scn_free(s);
	free(rest);
	return 0;
}
