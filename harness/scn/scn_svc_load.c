/*
 * scn_svc_load.c - the grammar of 'service NODE load': fl-load, an open-loop HTTP
 * client whose request log is what the request metrics read (svc_load.c runs it).
 *
 * service NODE load URL rate N/s [timeout D] [size BYTES] [keepalive]
 *
 * The URL names a literal IPv4 address (http://ADDR[:PORT][/PATH]); 'size' asks
 * fl-web for /bytes/N instead of the URL's path.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* http://ADDR[:PORT][/PATH] with a literal IPv4 address. */
static int scn_url_parse(const char *url, struct scn_service *sv)
{
	char host[16];
	if (strncmp(url, "http://", 7))
		return -1;
	const char *h = url + 7;
	size_t n = strcspn(h, ":/");
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (scn_ipv4_parse(host, &sv->url_addr) < 0)
		return -1;
	sv->url_port = 80;
	h += n;
	if (*h == ':') {
		char *end;
		long port = strtol(h + 1, &end, 10);
		if (end == h + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
			return -1;
		sv->url_port = (int)port;
		h = end;
	}
	sv->url_path = strdup(*h ? h : "/");
	return sv->url_path ? 0 : -1;
}

static int scn_load_rate(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	double per_hour;
	struct scn_tok *t = scn_tok_want(p, "a rate such as 100/s");
	if (!t)
		return -1;
	if (scn_rate_parse(t->text, &per_hour) < 0 || per_hour <= 0)
		return scn_fail(p, t->loc, "expected a rate above 0 such as 100/s, got '%s'",
				t->text);
	sv->rate = per_hour / 3600.0;
	return 0;
}

static int scn_load_timeout(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_get_duration(p, &sv->timeout_ms, true);
}

static int scn_load_size(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	uint64_t v;
	struct scn_tok *t = scn_tok_want(p, "a size such as 1500, 64k or 1M");
	if (!t)
		return -1;
	if (scn_size_parse(t->text, &v) < 0 || v == 0 || v > INT64_MAX)
		return scn_fail(p, t->loc,
				"expected a size above 0 such as 1500, 64k or 1M, got '%s'",
				t->text);
	sv->size = (int64_t)v;
	return 0;
}

static int scn_load_keepalive(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)p;
	(void)x;
	sv->keepalive = true;
	return 0;
}

static const struct scn_svc_opt scn_load_opts[] = {
    {"rate", scn_load_rate},
    {"timeout", scn_load_timeout},
    {"size", scn_load_size},
    {"keepalive", scn_load_keepalive},
    {NULL, NULL},
};

static int scn_load_parse(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	struct scn_tok *t = scn_tok_want(p, "a URL such as http://198.18.0.100/");
	if (!t)
		return -1;
	if (!(sv->url = strdup(t->text)))
		return scn_oom(p);
	if (scn_url_parse(t->text, sv) < 0)
		return scn_fail(p, t->loc,
				"expected a URL such as http://198.18.0.100/ or "
				"http://198.18.0.100:8080/path, got '%s'",
				t->text);
	sv->timeout_ms = 1000;
	if (scn_svc_opts(p, sv, x, scn_load_opts, "rate, timeout, size or keepalive") < 0)
		return -1;
	if (sv->rate <= 0)
		return scn_fail(p, p->t.end, "expected 'rate N/s' (a load service needs a rate)");
	return 0;
}

const struct scn_svc_grammar scn_svc_load = {
    .kw = "load",
    .kind = SCN_SVC_LOAD,
    .parse = scn_load_parse,
    .client = true,
};
