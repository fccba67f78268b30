#!/usr/bin/env bash
# scenarios/stacks/redis-sentinel.scn and its mitigation redis-sentinel-min-replicas.scn,
# side by side (--jobs 2): real redis-server and redis-sentinel, the primary partitioned
# from the Sentinels' majority. The reproduction must lose acknowledged writes (the
# `collect` checker's lost-writes > 0, verdict reproduced), its write outage reported;
# the mitigation must lose at most its stated bound and pay for it with an outage. In
# both the failover must really have happened: s2 and s3 switched the primary to r2,
# the old primary r1 was demoted to a replica of r2 (the checker asks it), and the
# writes lost were ones r1 acknowledged. No Redis process is left afterwards.
# runner: weight 2
#   two labs at once; a shell and redis-cli per write at 10/s, timed out under a starved CPU
source "$FL_TOP/tests/integration/lib.sh"
for p in redis-server redis-sentinel redis-cli; do
	command -v $p >/dev/null ||
		skip "$p not installed (Debian packages redis-server, redis-sentinel, redis-tools)"
done
d="$FL_TOP/scenarios/stacks"
faultline run -q --jobs 2 --run-dir "$FL_WORK/runs" --json "$FL_WORK/r.json" \
	"$d/redis-sentinel.scn" "$d/redis-sentinel-min-replicas.scn"
rc=$?
[ -s "$FL_WORK/r.json" ] || fail "run exited $rc, no report"
python3 - "$FL_WORK/r.json" "$rc" <<'P' || fail "report (run exited $rc)"
import csv, json, re, sys
runs = {j["scenario"]: j for j in json.load(open(sys.argv[1]))}
rc_ok = sys.argv[2] == "0"
def collected(j):
    out = open(j["run_dir"] + "/collect.lost-writes.out").read()
    return out, {m[0]: int(m[1]) for m in re.findall(r"^acked-by (\S+) (\d+)$", out, re.M)}
def ok_records(j):
    rows = list(csv.DictReader(open(j["run_dir"] + "/requests.csv")))
    return (sum(r["outcome"] == "ok" for r in rows), len(rows),
            sum(r["outcome"] == "timeout" for r in rows))
seen = {}
for name, j in sorted(runs.items()):
    m = j["metrics"]
    out, by = collected(j)
    ok, n, to = ok_records(j)
    acked = sum(1 for _ in open(j["run_dir"] + "/acked"))
    seen[name] = (out, by, ok, n, to, acked)
    print("%s: %s, lost-writes %s, outage %s ms, %d of %d writes ok, %d acknowledged, by %s"
          % (name, j["verdict"], m["lost-writes"], m["outage"], ok, n, acked, by))
    for e in j["expectations"]:
        print("  %s: %s" % (e["text"], e["message"]))
for name, j in sorted(runs.items()):
    m = j["metrics"]
    out, by, ok, n, to, acked = seen[name]
    assert m["lost-writes"] is not None, (name, j["unmeasured"].get("lost-writes"))
    # the failover happened and settled: r2 is the primary, r1 its replica
    assert "primary 198.18.6.2\n" in out, out
    assert "old-primary 198.18.6.1 role slave 198.18.6.2" in out, out
    # every lost write was acknowledged by the old primary
    assert 0 <= m["lost-writes"] <= by.get("198.18.6.1", 0), (m["lost-writes"], by)
    # the probe's outcomes and the client's own list of acknowledged writes agree:
    # every ok write is in the list; the list may hold more, writes whose answer came
    # too late for the probe (recorded as failed) and those still in flight when the
    # client was stopped (never recorded; at 10/s with a 2 s timeout, at most 20), but
    # no write that no probe made
    assert ok <= acked <= n + 20, (ok, to, acked, n)
    assert n >= 140, n  # 10/s for 16 s, and more while the checker runs
r, g = runs["redis-sentinel"], runs["redis-sentinel-min-replicas"]
assert rc_ok, "faultline run did not exit 0"
assert r["verdict"] == "reproduced", r["verdict"]
assert r["metrics"]["lost-writes"] >= 10, r["metrics"]["lost-writes"]   # 5 s of partition at 10/s, minus detection
assert r["metrics"]["outage"] is not None  # reported (may fail): the load decides it
assert g["verdict"] == "pass", g["verdict"]
assert g["metrics"]["lost-writes"] <= 40, g["metrics"]["lost-writes"]
assert g["metrics"]["outage"] >= 3000, g["metrics"]["outage"]  # the price of the bound
P
for s in redis-sentinel redis-sentinel-min-replicas; do
	dir=$(ls -d "$FL_WORK/runs/$s-"2*)
	for n in s2 s3; do
		grep -q '+switch-master mymaster 198.18.6.1 6379 198.18.6.2 6379' "$dir/$n.sentinel.out" ||
			fail "$s: $n did not switch the primary to r2"
	done
	grep -q '+convert-to-slave slave 198.18.6.1:6379' "$dir"/s?.sentinel.out ||
		fail "$s: no Sentinel demoted r1"
	# each service led a process group (Sentinel runs under sentinel.sh): none is left
	for pid in $(sed -n 's/.*"ev":"start","svc":"[a-z]*","pid":\([0-9]*\).*/\1/p' "$dir/events.jsonl"); do
		left=$(ps -eo pgid=,comm= | awk -v g="$pid" '$1 == g')
		[ -z "$left" ] || fail "$s: process group $pid still runs: $left"
	done
done
echo ok
