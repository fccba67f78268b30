/*
 * scn_units.c - the value syntaxes: durations, sizes, rates, bit rates, percentages,
 * names, IPv4 addresses and prefixes, signal names.
 *
 * Numbers are plain decimals: digits with at most one '.', no sign, no exponent. They are
 * scanned as an integer mantissa and a count of fraction digits, so "1.5s" is exactly
 * 1500 ms and never a rounded double.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

#define SCN_FRAC_MAX 9 /* fraction digits kept; more is EINVAL, not silently rounded */

/* A decimal "12.5" at @s: *mant = 125, *frac = 1; *end after it. */
static int scn_dec_scan(const char *s, uint64_t *mant, int *frac, const char **end)
{
	bool digits = false, dot = false;
	*mant = 0;
	*frac = 0;
	if (*s < '0' || *s > '9') /* ".5s" is not a number */
		return -1;
	for (; (*s >= '0' && *s <= '9') || (*s == '.' && !dot); s++) {
		if (*s == '.') {
			dot = true;
			continue;
		}
		if (dot && ++*frac > SCN_FRAC_MAX)
			return -1;
		if (__builtin_mul_overflow(*mant, 10, mant) ||
		    __builtin_add_overflow(*mant, (uint64_t)(*s - '0'), mant)) {
			errno = ERANGE;
			return -1;
		}
		digits = true;
	}
	*end = s;
	return digits && !(dot && *frac == 0) ? 0 : -1;
}

static uint64_t scn_pow10(int n)
{
	uint64_t v = 1;
	while (n-- > 0)
		v *= 10;
	return v;
}

/* mant / 10^frac * mult, which must come out whole; -1 with errno otherwise. */
static int scn_scale(uint64_t mant, int frac, uint64_t mult, uint64_t *out)
{
	uint64_t v;
	if (__builtin_mul_overflow(mant, mult, &v)) {
		errno = ERANGE;
		return -1;
	}
	uint64_t div = scn_pow10(frac);
	if (v % div) {
		errno = EINVAL;
		return -1;
	}
	*out = v / div;
	return 0;
}

struct scn_suffix {
	const char *name;
	uint64_t mult;
};

static const struct scn_suffix scn_time_units[] = {
	{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {NULL, 0},
};

static const struct scn_suffix scn_size_units[] = {
	{"", 1}, {"k", 1024}, {"K", 1024}, {"M", 1024 * 1024}, {"G", 1024 * 1024 * 1024},
	{NULL, 0},
};

/* tc's decimal rate units, in bits per second (a bare number is bit/s, as in tc). */
static const struct scn_suffix scn_bit_units[] = {
	{"", 1},
	{"bit", 1},
	{"kbit", 1000},
	{"mbit", 1000 * 1000},
	{"gbit", 1000 * 1000 * 1000},
	{NULL, 0},
};

static int scn_suffixed(const char *s, const struct scn_suffix *units, uint64_t *out)
{
	uint64_t mant;
	int frac;
	const char *end;

	errno = EINVAL;
	if (scn_dec_scan(s, &mant, &frac, &end) < 0)
		return -1;
	for (const struct scn_suffix *u = units; u->name; u++)
		if (!strcmp(end, u->name))
			return scn_scale(mant, frac, u->mult, out);
	errno = EINVAL;
	return -1;
}

int scn_duration_parse(const char *s, int64_t *ms)
{
	uint64_t v;
	if (scn_suffixed(s, scn_time_units, &v) < 0)
		return -1;
	if (v > INT64_MAX / 1000000) { /* keeps nanosecond arithmetic of callers in range */
		errno = ERANGE;
		return -1;
	}
	*ms = (int64_t)v;
	return 0;
}

int scn_size_parse(const char *s, uint64_t *bytes)
{
	if (strchr(s, '.')) { /* sizes are whole: "1.5M" is not a size */
		errno = EINVAL;
		return -1;
	}
	return scn_suffixed(s, scn_size_units, bytes);
}

int scn_bitrate_parse(const char *s, uint64_t *bps)
{
	return scn_suffixed(s, scn_bit_units, bps);
}

int scn_rate_parse(const char *s, double *per_hour)
{
	static const struct scn_suffix per[] = {
		{"/s", 3600}, {"/m", 60}, {"/h", 1}, {NULL, 0},
	};
	uint64_t mant;
	int frac;
	const char *end;

	errno = EINVAL;
	if (scn_dec_scan(s, &mant, &frac, &end) < 0)
		return -1;
	for (const struct scn_suffix *u = per; u->name; u++)
		if (!strcmp(end, u->name)) {
			*per_hour = (double)mant * (double)u->mult / (double)scn_pow10(frac);
			return 0;
		}
	errno = EINVAL;
	return -1;
}

int scn_percent_parse(const char *s, double *pct)
{
	uint64_t mant;
	int frac;
	const char *end;

	errno = EINVAL;
	if (scn_dec_scan(s, &mant, &frac, &end) < 0 || strcmp(end, "%"))
		return -1;
	double v = (double)mant / (double)scn_pow10(frac);
	if (v > 100.0) {
		errno = ERANGE;
		return -1;
	}
	*pct = v;
	return 0;
}

/* Names: a letter, then letters, digits, '_' and '-'; shorter than @max. */
bool scn_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n >= max)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* Dotted quad, exactly four decimal parts each 0..255. */
int scn_ipv4_parse(const char *s, struct in_addr *a)
{
	if (strspn(s, "0123456789.") != strlen(s) || inet_pton(AF_INET, s, a) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* "198.18.0.0/24"; host bits set is ERANGE (the caller names the right prefix). */
int scn_cidr_parse(const char *s, struct in_addr *a, int *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	errno = EINVAL;
	if (!slash || (size_t)(slash - s) >= sizeof(buf) || !slash[1] ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 2)
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (scn_ipv4_parse(buf, a) < 0)
		return -1;
	*plen = atoi(slash + 1);
	if (*plen > 32) {
		errno = EINVAL;
		return -1;
	}
	if (ntohl(a->s_addr) & ~scn_mask(*plen)) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

bool scn_addr_in(struct in_addr a, struct in_addr net, int plen)
{
	uint32_t mask = scn_mask(plen);
	return (ntohl(a.s_addr) & mask) == (ntohl(net.s_addr) & mask);
}

static const struct {
	const char *name;
	int sig;
} scn_signals[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ABRT", SIGABRT},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	{"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
	{"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
};

/* "TERM", "SIGTERM" or "15" (names are upper case, like every keyword exact). */
int scn_signal_parse(const char *s, int *sig)
{
	if (s[0] >= '0' && s[0] <= '9') {
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v < 1 || v > 64)
			goto err;
		*sig = (int)v;
		return 0;
	}
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(scn_signals) / sizeof(scn_signals[0]); i++)
		if (!strcmp(s, scn_signals[i].name)) {
			*sig = scn_signals[i].sig;
			return 0;
		}
err:
	errno = EINVAL;
	return -1;
}
