#!/usr/bin/env bash
# blackhole and link down, each proven by its effect: a ping stream (one ping every
# 50 ms, 1 s timeout, each logged with /proc/uptime) to the target stops during the
# fault and resumes after; the run records apply and revert of each firing.
# Two overlapping link downs (1.0-3.0 s and 1.5-2.0 s) keep the link down until 3 s.
# runner: weight 2
#   its checks are windows of a second or less on what its services do: half the
#   slots, so fewer neighbours
source "$FL_TOP/tests/integration/lib.sh"
pinger='i=0; while [ $i -lt 90 ]; do read t x </proc/uptime; if busybox ping -c1 -W1 198.18.5.2 >/dev/null 2>&1; then echo ok $t; else echo lost $t; fi; i=$((i+1)); busybox usleep 50000; done'
for kind in blackhole link; do
	if [ $kind = blackhole ]; then
		faults='at 1s blackhole b.lan for 2s'
	else
		faults=$'at 1s link down b.lan for 2s\nat 1500ms link down b.lan for 500ms'
	fi
	f="$FL_WORK/fault_$kind.scn"
	cat >"$f" <<EOF
scenario fault_$kind
duration 6s
network lan 198.18.5.0/24
node a on lan
node b on lan
service a exec "$pinger"
$faults
EOF
	faultline run -q --run-dir "$FL_WORK/runs" "$f" || fail "$kind: run exited $?"
	d="$FL_WORK/runs/latest"
	applies=$(grep -c '"src":"timeline","ev":"apply"' "$d/events.jsonl")
	reverts=$(grep -c '"src":"timeline","ev":"revert"' "$d/events.jsonl")
	[ "$applies" = "$(grep -c '^at ' "$f")" ] || fail "$kind: $applies applies recorded"
	[ "$reverts" = "$applies" ] || fail "$kind: $reverts reverts for $applies applies"
	# The lost window: from the first lost ping to the first ok after it.
	read -r lost_from lost_to n_lost < <(awk '
		$1 == "lost" && !lf { lf = $2 }
		$1 == "lost" { nl++ }
		$1 == "ok" && lf && !lt { lt = $2 }
		END { print lf, lt, nl + 0 }' "$d/a.exec.out")
	echo "$kind: lost from $lost_from to $lost_to ($n_lost pings)"
	[ "$n_lost" -ge 1 ] || fail "$kind: no ping was lost during the fault"
	[ -n "$lost_to" ] || fail "$kind: pings never came back after the revert"
	# 2 s of fault: the window (ping timeouts of 1 s included) is 1.5..3.5 s long.
	w=$(echo "$lost_to - $lost_from" | bc)
	echo "$kind: window $w s"
	[ "$(echo "$w >= 1.5 && $w <= 3.5" | bc)" = 1 ] || fail "$kind: lost window $w s, wanted about 2 s"
	head -1 "$d/a.exec.out" | grep -q '^ok' || fail "$kind: pings failed before the fault"
	tail -1 "$d/a.exec.out" | grep -q '^ok' || fail "$kind: pings failed after the revert"
done
echo "pass"
