#!/usr/bin/env bash
# The control socket of a run whose directory's path is longer than a unix socket's 107
# bytes (a run nested in explore, shrink or matrix directories): `faultline exec` into a
# held run still works, through the directory (common/sockpath.h), and the socket is
# gone after the hold.
. "${FL_TOP:?run me through tests/integration/run}/tests/integration/lib.sh"
f=$(scn longdir <<'S'
scenario longdir
duration 500ms
network lan 198.18.0.0/24
node a on lan=198.18.0.10
node b on lan
S
)
d="$FL_WORK/runs/$(printf 'nested%.0s' $(seq 1 16))"
faultline run -q --hold --run-dir "$d" "$f" >"$FL_WORK/hold.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do
	grep -q '^ready' "$FL_WORK/hold.out" && break
	sleep 0.1
done
grep -q '^ready' "$FL_WORK/hold.out" || fail "the hold never became ready: $(cat "$FL_WORK/hold.out")"
run=$(ls -d "$d"/longdir-*)
sock="$run/control.sock"
echo "socket path: ${#sock} bytes"
[ "${#sock}" -gt 107 ] || fail "$sock is no longer than sun_path"
[ -S "$sock" ] || fail "no control socket at $sock"
out=$(faultline exec "$run" a -- ip -o -4 addr show dev lan 2>&1) || fail "exec: $out"
echo "$out"
echo "$out" | grep -q 'inet 198.18.0.10/24' || fail "exec did not run in node a"
kill $pid
wait $pid
trap - EXIT
[ ! -e "$sock" ] || fail "control socket left after the hold"
echo ok
