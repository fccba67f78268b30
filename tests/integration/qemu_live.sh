#!/usr/bin/env bash
# A look inside a live guest: a held run with a qemu node; `faultline exec` runs a
# command in the guest through its agent (its address shows, stdout and stderr come
# back, its exit status is passed through), `faultline shell` (driven by tmux) gets a
# terminal session in the guest (a pty of its own: tty names /dev/pts/N, stty gives
# tmux's size), whose exit status is the shell's; SIGINT tears the lab down.
# runner: weight 2
#   a TCG guest: a CPU while it boots
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v tmux >/dev/null || skip "no tmux (scripts/install-deps installs it)"
need_guest_image
tag=$(printf %s "${FL_TEST_TAG:-$$}" | tr -c 'a-zA-Z0-9_-' -)
name=qemu-live-$tag
tsock=fltest-qlive-$tag
f=$(scn qemu_live <<EOF
scenario $name
duration 1s
network lan 198.18.11.0/24
node g1 qemu on lan
node c on lan
EOF
)
cleanup() {
	tmux -L "$tsock" kill-server 2>/dev/null
	[ -z "${pid:-}" ] || kill -9 "$pid" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
runs=$FL_WORK/runs
faultline run --hold --run-dir "$runs" "$f" >"$runs.out" 2>"$runs.err" &
pid=$!
for _ in $(seq 600); do # a guest boots in seconds, more on a loaded machine
	grep -q '^ready:' "$runs.out" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q '^ready:' "$runs.out" || fail "no 'ready' from run --hold: $(cat "$runs.err")"
faultline ps | grep -A1 "^$name  pid $pid  held" | grep -q "g1 .*qemu .*198.18.11.1/24 lan" ||
	fail "ps does not list the guest: $(faultline ps)"

out=$(faultline exec "$name" g1 -- ip -o -4 addr show lan) || fail "exec exited $?"
echo "$out" | grep -q "inet 198.18.11.1/24" || fail "exec: no guest address in: $out"
out=$(faultline exec "$name" g1 -- sh -c 'echo to-out; echo to-err >&2; exit 7')
[ $? = 7 ] || fail "exec did not pass the guest's exit status 7 through"
[ "$out" = "$(printf 'to-out\nto-err')" ] || fail "exec output: $out"

tmux -L "$tsock" new-session -d -s q -x 100 -y 30 \
	"faultline shell $name g1; echo shell-exit=\$?; sleep 30" || fail "tmux could not start"
screen() { tmux -L "$tsock" capture-pane -p -t q; }
wait_screen() { # wait_screen PATTERN: up to 10 s
	for _ in $(seq 200); do screen | grep -q "$1" && return 0; sleep 0.05; done
	fail "shell: no '$1' on screen: $(screen)"
}
wait_screen '^/ #'
tmux -L "$tsock" send-keys -t q 'ip -o -4 addr show lan; tty; stty size; echo done-$((6*7))' Enter
wait_screen '^done-42'
screen | grep -q "inet 198.18.11.1/24" || fail "shell: no guest address on screen: $(screen)"
screen | grep -q "^/dev/pts/[0-9]" || fail "shell: no terminal of its own: $(screen)"
screen | grep -q "^30 100$" || fail "shell: the terminal is not tmux's size: $(screen)"
tmux -L "$tsock" send-keys -t q 'exit 3' Enter
wait_screen '^shell-exit='
screen | grep -q '^shell-exit=3$' || fail "shell's exit status: $(screen)"
tmux -L "$tsock" kill-server

kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ $rc = 0 ] || fail "held run ended by SIGINT exited $rc: $(cat "$runs.err")"
[ ! -e "$runs/latest/control.sock" ] || fail "control.sock left after teardown"
echo ok
