#!/usr/bin/env bash
# scenarios/stacks/dnsmasq.scn, a real DNS server (dnsmasq) behind loss and a
# blackhole, measured by `probe dns`: the run reproduces (exit 0, verdict reproduced),
# the timeouts fall in the fault windows, no answer is wrong, and no dnsmasq is left.
source "$FL_TOP/tests/integration/lib.sh"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed (Debian package dnsmasq-base)"
f="$FL_TOP/scenarios/stacks/dnsmasq.scn"
faultline run -q --run-dir "$FL_WORK/runs" --json "$FL_WORK/dns.json" "$f" || fail "run exited $?"
python3 - "$FL_WORK/dns.json" <<'P' || fail "report"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verdict"] == "reproduced", j["verdict"]
m, d = j["metrics"], j["metrics_during_faults"]
print("success during faults %s%%, timeouts %s (all %s), bad-status %s, outage %s ms"
      % (d["success"], d["timeout"], m["timeout"], m["bad-status"], d["outage"]))
assert 25 <= d["success"] <= 55, d["success"]     # ~40: a third of 60 lost, all 40 lost
assert m["timeout"] == d["timeout"] >= 45, (m["timeout"], d["timeout"])  # only in the faults
assert m["bad-status"] == 0 and m["bad-body"] == 0
assert 1500 <= d["outage"] <= 2600, d["outage"]
P
grep -q 'started, version' "$FL_WORK/runs/latest/dns.dnsmasq.err" || fail "dnsmasq did not start"
echo ok
