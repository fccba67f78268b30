/*
 * scn_model.c - reading a scenario file, freeing the model, lookups, error text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

#define SCN_FILE_MAX (16 * 1024 * 1024) /* a scenario is text a person wrote */

static char *scn_file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	while (!ferror(f) && !feof(f) && n < SCN_FILE_MAX) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = n + 65536);
			if (!b)
				goto err;
			buf = b;
		}
		n += fread(buf + n, 1, cap - n - 1, f);
	}
	if (ferror(f) || n >= SCN_FILE_MAX) {
		errno = ferror(f) ? EIO : EFBIG;
		goto err;
	}
	fclose(f);
	*len = n;
	if (!buf)
		buf = calloc(1, 1);
	return buf;
err:
	free(buf);
	int saved = errno;
	fclose(f);
	errno = saved;
	return NULL;
}

struct scn *scn_load(const char *path, const struct scn_set *sets, int n_sets,
		     struct scn_err *err)
{
	size_t len = 0;
	char *text = scn_file_read(path, &len);
	if (!text) {
		int saved = errno;
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(saved));
		errno = saved;
		return NULL;
	}
	struct scn *s = scn_parse(path, text, len, sets, n_sets, err);
	int saved = errno;
	free(text);
	errno = saved;
	return s;
}

void scn_free(struct scn *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_params; i++)
		free(s->params[i].value);
	for (int i = 0; i < s->n_nodes; i++) {
		free(s->nodes[i].ifaces);
		free(s->nodes[i].append);
		free(s->nodes[i].kernel);
		free(s->nodes[i].initrd);
	}
	for (int i = 0; i < s->n_services; i++)
		scn_service_release(&s->services[i]);
	for (int i = 0; i < s->n_events; i++)
		scn_fault_release(&s->events[i].fault);
	for (int i = 0; i < s->n_expects; i++) {
		free(s->expects[i].text);
		free(s->expects[i].scope);
	}
	free(s->params);
	free(s->networks);
	free(s->nodes);
	free(s->services);
	free(s->events);
	free(s->expects);
	free(s->requires);
	for (int i = 0; i < s->n_collects; i++)
		free(s->collects[i].command);
	free(s->collects);
	free(s->file);
	free(s->text);
	free(s->name);
	free(s->description);
	free(s);
}

int scn_node_find(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->n_nodes; i++)
		if (!strcmp(s->nodes[i].name, name))
			return i;
	return -1;
}

int scn_net_find(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->n_networks; i++)
		if (!strcmp(s->networks[i].name, name))
			return i;
	return -1;
}

int scn_service_find(const struct scn *s, int node, const char *name)
{
	for (int i = 0; i < s->n_services; i++)
		if (s->services[i].node == node && !strcmp(s->services[i].name, name))
			return i;
	return -1;
}

int scn_iface_find(const struct scn *s, int node, int net)
{
	if (node < 0 || node >= s->n_nodes)
		return -1;
	for (int i = 0; i < s->nodes[node].n_ifaces; i++)
		if (s->nodes[node].ifaces[i].net == net)
			return i;
	return -1;
}

void scn_err_format(const struct scn_err *err, char *buf, size_t len)
{
	if (err->line > 0)
		snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
	else
		snprintf(buf, len, "%s: %s", err->file, err->msg);
}
