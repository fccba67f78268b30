#!/usr/bin/env bash
# scenarios/stacks/haproxy-track-{reproduce,mitigated}.scn side by side (--jobs 2): a
# real keepalived + HAProxy pair whose master's HAProxy is SIGKILLed at 4 s. The
# reproduction reproduces for the right reason: the VIP never moves (lb1 stays master,
# lb2 backup, by keepalived's own account) and the client is refused from the kill to
# the end. The mitigation (vrrp_script + track_script on HAProxy's pid) passes for the
# right reason: lb1's instance goes to FAULT, lb2 takes the VIP within 2 s, the outage
# is real but bounded, and the client is served again. No keepalived or HAProxy is left.
# runner: weight 2
#   two labs at once with 100 ms VRRP adverts that a starved CPU turns into takeovers
source "$FL_TOP/tests/integration/lib.sh"
command -v keepalived >/dev/null || skip "keepalived not installed"
command -v haproxy >/dev/null || skip "haproxy not installed"
command -v pgrep >/dev/null || skip "pgrep not installed (Debian package procps)"
s=$FL_TOP/scenarios/stacks
rc=0
faultline run -q --jobs 2 --run-dir "$FL_WORK/runs" --json "$FL_WORK/ht.json" \
	"$s/haproxy-track-reproduce.scn" "$s/haproxy-track-mitigated.scn" || rc=$?
[ "$rc" = 0 ] || fail "run exited $rc, wanted 0 (reproduced, pass)"
python3 - "$FL_WORK/ht.json" <<'P' || fail "report"
import json, sys

def states(d, node):  # keepalived's own "Entering X STATE", in order
    out = []
    for f in ("out", "err"):
        for line in open("%s/%s.keepalived.%s" % (d, node, f)):
            if "Entering " in line and " STATE" in line:
                out.append(line.split("Entering ")[1].split()[0])
    return out

def killed(d):  # lb1's HAProxy ended by the timeline's SIGKILL, as expected
    return any(e.get("src") == "lb1" and e.get("ev") == "exit" and e.get("svc") == "haproxy"
               and e.get("signal") == 9 and e.get("expected")
               for e in map(json.loads, open(d + "/events.jsonl")))

runs = {j["scenario"]: j for j in json.load(open(sys.argv[1]))}
for name in ("haproxy-track-reproduce", "haproxy-track-mitigated"):
    j = runs[name]
    d, m, f = j["run_dir"], j["metrics"], j["metrics_during_faults"]
    print("%s: %s; during the fault outage %.0f ms, success %.2f%%, refused %d, "
          "vip-moves %d, split-brain %.0f ms; failover %s ms; keepalived lb1 %s, lb2 %s"
          % (name, j["verdict"], f["outage"], f["success"], f["refused"], f["vip-moves"],
             f["split-brain"], m.get("failover"), "/".join(states(d, "lb1")),
             "/".join(states(d, "lb2"))))
    assert killed(d)
    assert f["split-brain"] == 0
    if name.endswith("reproduce"):
        assert j["verdict"] == "reproduced"
        assert f["outage"] >= 7000, f["outage"]      # from the kill at 4 s to the end
        assert f["refused"] > 0 and f["vip-moves"] == 0
        assert states(d, "lb1")[-1] == "MASTER" and states(d, "lb2")[-1] == "BACKUP"
    else:
        assert j["verdict"] == "pass"
        assert 0 < f["outage"] <= 2000, f["outage"]  # the kill is felt, briefly
        assert m["failover"] < 2000 and f["vip-moves"] >= 1
        assert f["success"] >= 80, f["success"]      # lb2's HAProxy serves the rest
        assert states(d, "lb1")[-1] == "FAULT" and states(d, "lb2")[-1] == "MASTER"
P
pgrep -af "$FL_WORK/runs/" && fail "keepalived or haproxy left running"
echo ok
