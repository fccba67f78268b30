/*
 * rep_junit.c - JUnit XML for CI: <testsuites>, one <testsuite> per scenario, one
 * <testcase> per expectation. A failed expectation is a <failure> whose message holds
 * the measured value; an expectation that could not be judged (unknown metric or
 * scope) is an <error>; one that was not measured is a <failure type="not-measured">.
 * In a reproduction a testcase passes when its expectation did what its mark wants: one
 * marked 'fails' that failed is a passing testcase whose <system-out> says "reproduced",
 * one that held a <failure type="not-reproduced">.
 * The shape is the common one CI servers read; tests/data/junit/junit.xsd checks it.
 */
#include <stdio.h>

#include "rep.h"

static void rep_xml_text(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* XML 1.0 forbids most control characters, even escaped */
			if (*p >= 0x20 || *p == '\n' || *p == '\t')
				fputc(*p, f);
			else
				fputc('?', f);
		}
	}
}

/* A marked expectation that did what its mark wants: a passing testcase that says so. */
static void rep_junit_marked_ok(FILE *f, const struct sla_verdict *v)
{
	fputs(">\n      <system-out>", f);
	fputs(v->wanted == SCN_WANT_FAIL ? "reproduced: it failed as marked ('fails'): "
					 : "marked 'may fail': ",
	      f);
	rep_xml_text(f, v->msg);
	fputs("</system-out>\n    </testcase>\n", f);
}

static void rep_junit_case(FILE *f, const struct sla_result *r, const struct sla_verdict *v)
{
	fputs("    <testcase name=\"", f);
	rep_xml_text(f, v->text);
	fputs("\" classname=\"faultline.", f);
	rep_xml_text(f, r->scenario);
	fputs("\" time=\"0\"", f);
	if (v->as_wanted && v->wanted == SCN_WANT_PASS) {
		fputs("/>\n", f);
		return;
	}
	if (v->as_wanted) {
		rep_junit_marked_ok(f, v);
		return;
	}
	const char *el = v->status == SLA_INVALID ? "error" : "failure";
	const char *type = v->status == SLA_INVALID     ? "invalid"
			   : v->status == SLA_UNMEASURED ? "not-measured"
			   : v->wanted == SCN_WANT_FAIL  ? "not-reproduced"
							  : "sla";
	fprintf(f, ">\n      <%s message=\"", el);
	rep_xml_text(f, v->msg);
	fprintf(f, "\" type=\"%s\">", type);
	rep_xml_text(f, v->text);
	fputs(": ", f);
	rep_xml_text(f, v->msg);
	fprintf(f, "</%s>\n    </testcase>\n", el);
}

static void rep_junit_suite(FILE *f, const struct sla_result *r)
{
	fputs("  <testsuite name=\"", f);
	rep_xml_text(f, r->scenario);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n",
		r->n_v, r->n_wrong - r->n_invalid, r->n_invalid, (double)r->cfg.duration_ns / 1e9);
	fprintf(f, "    <properties>\n      <property name=\"seed\" value=\"%llu\"/>\n",
		(unsigned long long)r->seed);
	for (int i = 0; i < r->n_params; i++) {
		fputs("      <property name=\"param.", f);
		rep_xml_text(f, r->params[i].name);
		fputs("\" value=\"", f);
		rep_xml_text(f, r->params[i].value);
		fputs("\"/>\n", f);
	}
	fputs("    </properties>\n", f);
	for (int i = 0; i < r->n_v; i++)
		rep_junit_case(f, r, &r->v[i]);
	fputs("    <system-out>", f);
	if (r->reproduction)
		fprintf(f, "verdict: %s\n", sla_outcome_name(r->outcome));
	fputs("run directory: ", f);
	rep_xml_text(f, r->run_dir ? r->run_dir : "(none)");
	fputs("</system-out>\n  </testsuite>\n", f);
}

int rep_junit_write(FILE *f, struct sla_result *const *r, int n)
{
	int tests = 0, failures = 0, errors = 0;
	double time = 0;
	for (int i = 0; i < n; i++) {
		tests += r[i]->n_v;
		failures += r[i]->n_wrong - r[i]->n_invalid;
		errors += r[i]->n_invalid;
		time += (double)r[i]->cfg.duration_ns / 1e9;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline\" "
		   "tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
		tests, failures, errors, time);
	for (int i = 0; i < n; i++)
		rep_junit_suite(f, r[i]);
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
