#!/usr/bin/env bash
# scenarios/examples/quickstart.scn, unchanged, through the real binary: the master
# load balancer is killed at 5 s and the run must pass. Checks the reports a CI would
# read: the JSON (its required members, with jq), the JUnit XML (against the schema),
# the SVG (well-formed), and the summary line (a killed service is not a failure).
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq not installed"
command -v xmllint >/dev/null || skip "xmllint not installed"
rc=0
faultline run --run-dir runs --json q.json --junit q.xml --svg q.svg \
	"$FL_TOP/scenarios/examples/quickstart.scn" >out.txt 2>err.txt || rc=$?
cat out.txt err.txt
[ "$rc" = 0 ] || fail "exit $rc, wanted 0"
# Required members and their types; every expectation judged and held.
jq -e '(.scenario == "quickstart") and (.seed == 7) and (.params | type == "object") and
       (.passed == true) and (.run_dir | type == "string") and
       (.metrics | type == "object") and (.metrics.success > 95) and
       (.metrics.failover > 0) and (.metrics.failover < 1000) and
       (.metrics."split-brain" == 0) and
       (.expectations | length == 4) and
       all(.expectations[]; (.text | type == "string") and (.value | type == "number") and
                            .passed == true) and
       (.faults | length == 1) and (.faults[0].fault == "kill") and
       (.faults[0].applied_ms >= 5000) and (.faults[0].applied_ms < 5100)' q.json >/dev/null ||
	fail "q.json lacks a required member or a value is off: $(cat q.json)"
[ -d "$(jq -r .run_dir q.json)" ] || fail "run_dir does not exist"
xmllint --noout --schema "$FL_TOP/tests/data/junit/junit.xsd" q.xml || fail "JUnit invalid"
grep -q '<testsuite name="quickstart" tests="4" failures="0" errors="0"' q.xml ||
	fail "JUnit suite counts"
xmllint --noout q.svg || fail "SVG not well-formed"
# The kill fault ends lb1 on purpose: its exit is expected, and the summary says so.
grep -q '"src":"lb1","ev":"exit","svc":"lb".*"expected":true' runs/latest/events.jsonl ||
	fail "lb1's exit after the kill fault is not marked expected"
grep -q '^quickstart: ran .* 5 services, none exited unexpectedly' out.txt ||
	fail "summary line"
# Not a terminal: no progress line (no carriage return anywhere).
! grep -q $'\r' out.txt || fail "progress line written to a pipe"
echo "example_quickstart: ok"
