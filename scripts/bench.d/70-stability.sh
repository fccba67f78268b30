#!/usr/bin/env bash
# Verdict stability: every bundled scenario run again and again, quiet and beside two
# CPU hogs. A run's verdict is right when `faultline run` exits 0: the expectations held
# for a mitigation, exactly the marked ones failed for a reproduction. A flip is a run
# that exits otherwise; each is listed with the expectations it got wrong.
#
#   STABILITY_RUNS=20                     runs per scenario and mode (default 20)
#   STABILITY_FILES="a.scn b.scn"         default: scenarios/*/*.scn
#   STABILITY_MODES="quiet loaded"        loaded: two busy loops beside the runs
#   STABILITY_SEEDS=fixed|vary|both       fixed: the scenario's own seed each time;
#                                         vary: seeds 1..RUNS (`faultline explore`), for
#                                         scenarios with a random timeline (default both:
#                                         fixed for all, vary where the timeline is random)
#
# The full default is hours of real time (every scenario 20 times per mode and seed
# kind): `scripts/bench stability` with STABILITY_FILES / STABILITY_RUNS picks a part.
# Guest scenarios are skipped (with a line saying so) when no guest image is built.
set -eu
w=${BENCH_WORK:-$(mktemp -d)}
top=${FL_TOP:?}
runs=${STABILITY_RUNS:-20}
modes=${STABILITY_MODES:-quiet loaded}
seeds=${STABILITY_SEEDS:-both}
files=${STABILITY_FILES:-$(ls "$top"/scenarios/*/*.scn)}
hogs=()
stop_hogs() {
	local p
	for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${hogs[@]}"; do wait "$p" 2>/dev/null || true; done
	hogs=()
}
trap stop_hogs EXIT
start_hogs() {
	sh -c 'while :; do :; done' &
	hogs+=($!)
	sh -c 'while :; do :; done' &
	hogs+=($!)
}
vm_ok() { [ -f "$FL_BIN/../vm/vmlinuz" ]; }
# A flip's wrong expectations from a JSON report: "text" of each not as wanted.
wrong() {
	python3 - "$1" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
for r in j.get("runs", [j]):
    for e in r.get("expectations", []):
        if not e.get("as_wanted", e.get("status") == "pass"):
            print(e.get("text", "?"))
P
}

echo "## Verdict stability"
echo
echo "Each bundled scenario $runs times per mode: *quiet* one run at a time on an idle"
echo "machine, *loaded* beside two busy loops (one per CPU here). *fixed*: the scenario's"
echo "own seed every time; *vary*: seeds 1-$runs, for scenarios whose timeline is random."
echo "A flip is a run that did not exit 0 (a mitigation's expectations held, a"
echo "reproduction's marked ones failed and only those)."
echo
echo "| scenario | mode | seeds | runs | flips | wrong expectations (count) |"
echo "|---|---|---|---|---|---|"
total=0 flips_all=0
for f in $files; do
	name=$(basename "$(dirname "$f")")/$(basename "$f" .scn)
	if grep -q '^node .* qemu ' "$f" && ! vm_ok; then
		echo "| $name | - | - | 0 | - | skipped: no guest image (make vm-image) |"
		continue
	fi
	kinds=fixed
	if grep -qE '^(random|every|flap)|any\(' "$f"; then
		case $seeds in vary) kinds=vary ;; both) kinds="fixed vary" ;; esac
	fi
	[ "$seeds" = vary ] && [ "$kinds" = fixed ] && continue
	for mode in $modes; do
		[ "$mode" = loaded ] && start_hogs
		for kind in $kinds; do
			n=0 bad=0
			: >"$w/wrong"
			echo "stability: $name $mode $kind ($runs runs)" >&2
			for i in $(seq 1 "$runs"); do
				j="$w/r.json"
				rm -f "$j"
				rc=0
				if [ "$kind" = fixed ]; then
					faultline run -q --run-dir "$w/runs" --json "$j" "$f" >/dev/null 2>&1 || rc=$?
				else
					faultline run -q --seed "$i" --run-dir "$w/runs" --json "$j" "$f" >/dev/null 2>&1 || rc=$?
				fi
				rm -rf "$w/runs"
				n=$((n + 1))
				if [ $rc != 0 ]; then
					bad=$((bad + 1))
					if [ -s "$j" ]; then wrong "$j" >>"$w/wrong"; else echo "exit $rc" >>"$w/wrong"; fi
				fi
			done
			what=$(sort "$w/wrong" | uniq -c | sort -rn | awk '{c=$1; $1=""; sub(/^ /,""); printf "%s%s (%d)", sep, $0, c; sep="; "}')
			echo "| $name | $mode | $kind | $n | $bad | ${what:--} |"
			total=$((total + n))
			flips_all=$((flips_all + bad))
		done
		[ "$mode" = loaded ] && stop_hogs
	done
done
echo
echo "$flips_all flips in $total runs."
