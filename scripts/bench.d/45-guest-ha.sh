#!/usr/bin/env bash
# ha safe with guests, many runs: scenarios/examples/kernel-matrix.scn (an fl-lb pair in
# QEMU guests, the master stopped 5 s) with the default command line and with noapic,
# and the guest phase of the incident suite (2-lockup-*: guest load balancers that
# freeze), GUEST_HA_RUNS times each (default 50; `faultline explore --seeds 1-N`, so
# random timelines vary with the seed), two at a time. Reported: runs, runs with any
# split-brain, the largest split-brain, and runs that did not give the scenario's
# verdict. Needs the guest image (77 without it).
set -eu
[ -f "$FL_BIN/../vm/vmlinuz" ] || exit 77
n=${GUEST_HA_RUNS:-50}
w=${BENCH_WORK:?}
row() { # row LABEL JSON
	python3 - "$1" "$2" <<'P'
import json, sys
j = json.load(open(sys.argv[2]))
m = j["metrics"].get("split-brain", {})
print("| %s | %d | %s | %s | %d |" % (sys.argv[1], j["ran"],
      "%d" % m.get("seeds", 0) if m else "-",
      ("%.1f ms" % m["max"]) if m else "not measured", j["failed"]))
P
}
echo "## ha safe with guests: split-brain over many runs"
echo
echo "Each scenario $n times (\`faultline explore FILE --seeds 1-$n --jobs 2\`); *split-brain"
echo "max* is the largest over the runs (0 in every run when it is 0.0 ms); *not as wanted*"
echo "counts the runs whose verdict was not the scenario's (pass, or reproduced)."
echo
echo "| scenario | runs | runs measured | split-brain max | not as wanted |"
echo "|---|---|---|---|---|"
for a in "" noapic; do
	faultline explore -q --seeds "1-$n" --jobs 2 --run-dir "$w/runs" --json "$w/km.json" \
		--set append="$a" "$FL_TOP/scenarios/examples/kernel-matrix.scn" >/dev/null 2>&1 || true
	row "kernel-matrix append=\"$a\"" "$w/km.json"
	rm -rf "$w/runs"
done
for f in "$FL_TOP"/scenarios/incident-2019-07/2-lockup-*.scn; do
	faultline explore -q --seeds "1-$n" --jobs 2 --run-dir "$w/runs" --json "$w/inc.json" \
		"$f" >/dev/null 2>&1 || true
	row "$(basename "$f" .scn)" "$w/inc.json"
	rm -rf "$w/runs"
done
