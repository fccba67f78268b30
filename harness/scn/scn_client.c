/*
 * scn_client.c - clients: the services whose kind writes the per-request record (a
 * request log in the run directory), what `expect ... of CLIENT` names and what the
 * request metrics read, one log per client.
 *
 * Which kinds are clients is the .client flag of their grammar (struct
 * scn_svc_grammar); svc/'s half of each kind says the same with SVC_REC_REQUESTS (a
 * unit test keeps the two in step). The log's file name is decided here, once, for
 * the service layer that gives it to the program and for the SLA module that reads it.
 */
#include <stdio.h>

#include "scn_int.h"

bool scn_svc_kind_is_client(enum scn_svc_kind kind)
{
	const struct scn_svc_grammar *g = scn_svc_grammar_of(kind);

	return g && g->client;
}

bool scn_service_is_client(const struct scn *s, int svc)
{
	return svc >= 0 && svc < s->n_services && scn_svc_kind_is_client(s->services[svc].kind);
}

int scn_client_name(const struct scn *s, int svc, char *buf, size_t len)
{
	const struct scn_service *sv = &s->services[svc];

	return snprintf(buf, len, "%s.%s", s->nodes[sv->node].name, sv->name);
}

/* Clients of @s, on @node only when @node >= 0. */
static int scn_client_count(const struct scn *s, int node)
{
	int n = 0;

	for (int i = 0; i < s->n_services; i++)
		n += scn_service_is_client(s, i) && (node < 0 || s->services[i].node == node);
	return n;
}

int scn_client_log(const struct scn *s, int svc, char *buf, size_t len)
{
	const struct scn_service *sv = &s->services[svc];
	const char *node = s->nodes[sv->node].name;

	if (scn_client_count(s, -1) == 1)
		return snprintf(buf, len, "requests.csv");
	if (scn_client_count(s, sv->node) == 1)
		return snprintf(buf, len, "requests-%s.csv", node);
	return snprintf(buf, len, "requests-%s.%s.csv", node, sv->name);
}
