/*
 * fuzz_util.h - what the libFuzzer targets in tests/fuzz/ share: a NUL-terminated copy
 * of an input, a walk over its lines, and a scratch directory for the readers that take
 * a file. Header only (each target is one translation unit).
 */
#ifndef FL_FUZZ_UTIL_H
#define FL_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd copy of @data with a NUL after it (the input may hold NULs too). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Call @fn(line, len, arg) for each '\n'-separated line of @s[0, size) (in place, each
 * NUL-terminated in the copy @s; the newline is not part of the line). */
static inline void fuzz_lines(char *s, size_t size, void (*fn)(char *, size_t, void *), void *arg)
{
	for (size_t at = 0; at <= size;) {
		char *nl = memchr(s + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (s + at)) : size - at;

		s[at + len] = '\0';
		fn(s + at, len, arg);
		at += len + 1;
	}
}

static char fuzz_dir[64];

static inline void fuzz_dir_remove(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (fuzz_dir[0] && system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* A scratch directory of this process, removed at exit. */
static inline const char *fuzz_dir_get(void)
{
	if (!fuzz_dir[0]) {
		strcpy(fuzz_dir, "/tmp/fl-fuzz.XXXXXX");
		if (!mkdtemp(fuzz_dir))
			abort();
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir;
}

/* Write @data to @name in the scratch directory; its path in @path. */
static inline void fuzz_file_write(const char *name, const uint8_t *data, size_t size, char *path,
				   size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", fuzz_dir_get(), name);
	if (!(f = fopen(path, "we")) || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

#endif
