#!/usr/bin/env bash
# collect NODE "COMMAND" as NAME: checkers run after the timeline in their node, while
# the services still run; the last number of stdout is the metric (text report, JSON
# metrics, events.jsonl, expect), and a failing checker (exit status, no number,
# timeout) leaves its metric unmeasured with the reason, said on stderr too. Also the
# environment of commands: FL_RUN_DIR and FL_SCENARIO_DIR for every process started in
# a node, FL_PROBE_SEQ 0, 1, 2 ... for each exec probe.
source "$FL_TOP/tests/integration/lib.sh"
mkdir -p "$FL_WORK/s"
echo 'echo "seen $(sort -n "$FL_RUN_DIR/seqs" | uniq | wc -l) of $(wc -l <"$FL_RUN_DIR/seqs")"' \
	>"$FL_WORK/s/count.sh"
f=$(scn collect <<'SCN'
scenario collect
duration 2s
network lan 198.18.9.0/24
node a on lan
node b on lan
service a exec "echo $FL_SCENARIO_DIR >$FL_RUN_DIR/scenario-dir; exec sleep 60" name srv
service b probe exec "echo $FL_PROBE_SEQ >>$FL_RUN_DIR/seqs" rate 20/s
collect b "ip -o -4 addr show dev lan | grep -c 198.18.9.2; sh $FL_SCENARIO_DIR/count.sh" as seqs
collect a "pgrep -x sleep >/dev/null && echo srv-running 1" as srv-up
collect a "echo 7; exit 4" as bad-exit
collect a "echo lost none" as no-number
collect a "sleep 5; echo 1" as slow timeout 300ms
expect seqs >= 30
expect srv-up == 1
expect bad-exit == 7
expect no-number == 0 fails
SCN
)
mv "$f" "$FL_WORK/s/collect.scn"
f=$FL_WORK/s/collect.scn
faultline run --run-dir "$FL_WORK/runs" --json "$FL_WORK/c.json" "$f" >"$FL_WORK/out" 2>"$FL_WORK/err"
rc=$?
cat "$FL_WORK/out" "$FL_WORK/err"
[ $rc = 1 ] || fail "exit $rc, wanted 1 (bad-exit has no value)"
d=$FL_WORK/runs/latest
[ "$(cat "$d/scenario-dir")" = "$FL_WORK/s" ] || fail "FL_SCENARIO_DIR was '$(cat "$d/scenario-dir")'"
grep -q 'collected seqs on b: [0-9]' "$FL_WORK/out" || fail "no collected line in the text report"
grep -q "collect bad-exit ($f:10): exit status 4" "$FL_WORK/err" || fail "bad-exit not said on stderr"
grep -q "collect slow ($f:12): still running after its timeout (300 ms): killed" "$FL_WORK/err" ||
	fail "slow not said on stderr"
python3 - "$FL_WORK/c.json" "$d" <<'P' || fail "report"
import json, sys
j, d = json.load(open(sys.argv[1])), sys.argv[2]
m, u = j["metrics"], j["unmeasured"]
seqs = sorted(int(l) for l in open(d + "/seqs"))
print("seqs %s (%d lines, first %d, last %d)" % (m["seqs"], len(seqs), seqs[0], seqs[-1]))
# every probe had its own number, from 0 up without a gap (at the checker's time)
assert m["seqs"] >= 30 and seqs == list(range(len(seqs))), seqs[:5]
assert open(d + "/collect.seqs.out").read().startswith("1\nseen "), "not run in node b"
assert m["srv-up"] == 1, m["srv-up"]                       # the services still ran
assert m["bad-exit"] is None and u["bad-exit"] == "exit status 4", u
assert m["no-number"] is None and u["no-number"] == "collect.no-number.out does not end with a number", u
assert m["slow"] is None and "timeout" in u["slow"], u
v = {e["metric"]: e for e in j["expectations"]}
assert v["seqs"]["status"] == "pass" and v["srv-up"]["status"] == "pass"
assert v["bad-exit"]["status"] == "not measured" and v["bad-exit"]["unit"] == "number"
assert v["no-number"]["status"] == "not measured" and not v["no-number"]["as_wanted"]
ev = [json.loads(l) for l in open(d + "/events.jsonl")]
col = [e for e in ev if e["ev"] == "collect"]
assert [e["name"] for e in col] == ["seqs", "srv-up", "bad-exit", "no-number", "slow"], col
assert col[0]["src"] == "b" and col[0]["value"] == m["seqs"] and col[2]["error"] == "exit status 4"
end = [e for e in ev if e["ev"] == "end"][0]["t_ns"]
assert all(e["t_ns"] < end for e in col)                    # before the services stopped
P
echo ok
