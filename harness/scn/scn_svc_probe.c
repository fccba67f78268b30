/*
 * scn_svc_probe.c - the grammar of 'service NODE probe': fl-probe, open-loop probes
 * whose records go to the same request log as fl-load's (svc_probe.c runs it).
 *
 * service NODE probe tcp ADDR:PORT rate N/s [timeout D] [send "TEXT" expect "TEXT"]
 * service NODE probe udp ADDR:PORT rate N/s [timeout D] [send "TEXT" expect "TEXT"]
 * service NODE probe dns ADDR[:PORT] NAME rate N/s [timeout D]
 * service NODE probe exec "COMMAND" rate N/s [timeout D]
 * each followed by [name NAME] in any order with the options; the service is called
 * "probe" unless 'name NAME' says otherwise. send and expect come together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* A.B.C.D:PORT (the port optional when @dflt is not 0). */
static int scn_probe_addr(struct scn_p *p, struct scn_service *sv, int dflt)
{
	const char *what = dflt ? "an address such as 198.18.0.53 or 198.18.0.53:5353"
				: "an address and port such as 198.18.0.10:7";
	struct scn_tok *t = scn_tok_want(p, what);
	char host[16];

	if (!t)
		return -1;
	size_t n = strcspn(t->text, ":");
	long port = dflt;
	bool ok = n > 0 && n < sizeof(host);
	if (ok && t->text[n]) {
		char *end;
		port = strtol(t->text + n + 1, &end, 10);
		ok = end != t->text + n + 1 && !*end;
	}
	if (ok) {
		memcpy(host, t->text, n);
		host[n] = '\0';
	}
	if (!ok || port < 1 || port > 65535 || scn_ipv4_parse(host, &sv->url_addr) < 0)
		return scn_fail(p, t->loc, "expected %s, got '%s'", what, t->text);
	sv->url_port = (int)port;
	return 0;
}

static int scn_probe_rate(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	double per_hour;
	struct scn_tok *t = scn_tok_want(p, "a rate such as 10/s");
	if (!t)
		return -1;
	if (scn_rate_parse(t->text, &per_hour) < 0 || per_hour <= 0)
		return scn_fail(p, t->loc, "expected a rate above 0 such as 10/s, got '%s'",
				t->text);
	sv->rate = per_hour / 3600.0;
	return 0;
}

static int scn_probe_timeout(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_get_duration(p, &sv->timeout_ms, true);
}

/* send "TEXT" expect "TEXT", tcp and udp only. */
static int scn_probe_send(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_loc at = p->t.v[p->t.pos - 1].loc;
	if (sv->probe != SCN_PROBE_TCP && sv->probe != SCN_PROBE_UDP)
		return scn_fail(p, at, "'send' is for tcp and udp probes only");
	if (sv->probe_send)
		return scn_fail(p, at, "'send' given twice");
	struct scn_tok *t = scn_tok_want(p, "a text to send such as \"ping\"");
	if (!t)
		return -1;
	if (!*t->text)
		return scn_fail(p, t->loc, "expected a text to send, got an empty string");
	if (!(sv->probe_send = strdup(t->text)))
		return scn_oom(p);
	if (!scn_tok_kw(p, "expect")) {
		struct scn_tok *n = scn_tok_peek(p);
		return scn_fail(p, n ? n->loc : p->t.end,
				"expected 'expect \"TEXT\"' after 'send \"TEXT\"'");
	}
	if (!(t = scn_tok_want(p, "the text expected back such as \"ping\"")))
		return -1;
	if (!*t->text)
		return scn_fail(p, t->loc, "expected a text to expect, got an empty string");
	sv->probe_expect = strdup(t->text);
	return sv->probe_expect ? 0 : scn_oom(p);
}

static int scn_probe_name(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	struct scn_tok *t = scn_tok_want(p, "a service name");
	if (!t)
		return -1;
	if (t->quoted || !scn_name_ok(t->text, SCN_NAME_MAX))
		return scn_fail(p, t->loc,
				"invalid service name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)",
				t->text, SCN_NAME_MAX - 1);
	snprintf(sv->name, sizeof(sv->name), "%s", t->text);
	return 0;
}

static const struct scn_svc_opt scn_probe_opts[] = {
    {"rate", scn_probe_rate},
    {"timeout", scn_probe_timeout},
    {"send", scn_probe_send},
    {"name", scn_probe_name},
    {NULL, NULL},
};

/* What follows the probe kind: the server, or the command. */
static int scn_probe_target(struct scn_p *p, struct scn_service *sv)
{
	struct scn_tok *t;

	switch (sv->probe) {
	case SCN_PROBE_DNS:
		if (scn_probe_addr(p, sv, 53) < 0 || !(t = scn_tok_want(p, "a name to ask for")))
			return -1;
		if (t->quoted || !*t->text || strlen(t->text) > 253 || strstr(t->text, ".."))
			return scn_fail(p, t->loc,
					"expected a DNS name such as www.example.com, got '%s'",
					t->text);
		sv->probe_qname = strdup(t->text);
		return sv->probe_qname ? 0 : scn_oom(p);
	case SCN_PROBE_EXEC:
		if (!(t = scn_tok_want(p, "a command such as \"pg_isready -h 198.18.0.10\"")))
			return -1;
		sv->command = strdup(t->text);
		return sv->command ? 0 : scn_oom(p);
	default:
		return scn_probe_addr(p, sv, 0);
	}
}

static int scn_probe_parse(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	static const char *const kinds[] = {"tcp", "udp", "dns", "exec", NULL};
	int k;

	if (scn_get_choice(p, "a probe kind (tcp, udp, dns or exec)", kinds, &k) < 0)
		return -1;
	sv->probe = (enum scn_probe_kind)(SCN_PROBE_TCP + k);
	sv->timeout_ms = 1000;
	if (scn_probe_target(p, sv) < 0 ||
	    scn_svc_opts(p, sv, x, scn_probe_opts, "rate, timeout, send or name") < 0)
		return -1;
	if (sv->rate <= 0)
		return scn_fail(p, p->t.end, "expected 'rate N/s' (a probe needs a rate)");
	return 0;
}

const struct scn_svc_grammar scn_svc_probe = {
    .kw = "probe",
    .kind = SCN_SVC_PROBE,
    .parse = scn_probe_parse,
    .dup_hint = "; give this one 'name NAME'",
    .client = true,
};
