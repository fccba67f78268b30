#!/usr/bin/env bash
# Benchmark: guest boot to agent-ready (QEMU started -> fl-agent answered a ping, the
# "boot_ms" of the guest-ready event) for one guest, repeated, and the time until four
# guests booted side by side are all ready (the lab's "up" time, which includes taps,
# interface configuration and guest facts), on QEMU's default machine and on microvm
# (`machine microvm`), one after the other in the same run. Prints a "## Guests" section on stdout for
# scripts/bench (which puts it into BENCHMARKS.md); exits 77 when it cannot run.
#
# usage: scripts/bench qemu, or scripts/bench.d/40-qemu.sh [REPEAT]   (needs root)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
export FL_BUILD=${FL_BUILD:-build}
case "$FL_BUILD" in /*) ;; *) FL_BUILD="$top/$FL_BUILD" ;; esac
repeat=${1:-5}
fl="$FL_BUILD/bin/faultline"
work=$(mktemp -d /tmp/fl-bench-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$fl" ] || { echo "qemu bench: skipped: $fl not built" >&2; exit 77; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "qemu bench: skipped: qemu-system-x86_64 not installed" >&2; exit 77; }
if ! "$top/vm-images/build" >"$work/image.log" 2>&1; then
	echo "qemu bench: skipped: guest image: $(tail -1 "$work/image.log")" >&2
	exit 77
fi

one() { # one NAME N-GUESTS [MACHINE]: run a scenario with N guests, print "lab_up_ms boot_ms..."
	local name=$1 n=$2 m=${3:+ machine $3} i f="$work/$1.scn"
	{
		echo "scenario $name"
		echo "duration 1s"
		echo "network lan 198.18.0.0/24"
		for i in $(seq "$n"); do echo "node g$i qemu on lan$m"; done
	} >"$f"
	"$fl" run --run-dir "$work/runs" "$f" >"$work/run.log" 2>&1 ||
		{ cat "$work/run.log" >&2; return 1; }
	local ev="$work/runs/latest/events.jsonl"
	local up
	up=$(sed -n 's/.*"ev":"lab".*"up_ns":\([0-9]*\).*/\1/p' "$ev")
	echo "$((up / 1000000)) $(sed -n 's/.*"ev":"guest-ready".*"boot_ms":\([0-9]*\).*/\1/p' "$ev" |
		tr '\n' ' ')"
}

stats() { # min median max of the numbers on stdin
	sort -n | awk '{a[NR]=$1} END {printf "%d / %d / %d", a[1], a[int((NR+1)/2)], a[NR]}'
}

declare -A rows
measure() { # measure MACHINE-WORD LABEL: the four rows of one machine into rows[LABEL]
	local m=$1 label=$2 up boot boots singles=() ups=() four_up=() four_max=()
	for _ in $(seq "$repeat"); do
		read -r up boot < <(one boot1 1 "$m")
		singles+=("$boot")
		ups+=("$up")
	done
	for _ in 1 2 3; do
		read -r up boots < <(one boot4 4 "$m")
		four_up+=("$up")
		four_max+=("$(printf '%s\n' $boots | sort -n | tail -1)")
	done
	rows[$label]="| $label: 1 guest, boot | $repeat | $(printf '%s\n' "${singles[@]}" | stats) | ${3:-} |
| $label: 1 guest, lab up | $repeat | $(printf '%s\n' "${ups[@]}" | stats) | |
| $label: 4 guests in parallel, last ready | 3 | $(printf '%s\n' "${four_max[@]}" | stats) | ${4:-} |
| $label: 4 guests in parallel, lab up | 3 | $(printf '%s\n' "${four_up[@]}" | stats) | |"
}
measure "" pc "<= 3000"
if qemu-system-x86_64 -machine help 2>/dev/null | grep -q '^microvm '; then
	measure microvm microvm "<= 1500" "<= 4000"
else
	rows[microvm]="| microvm | | not run: this QEMU has no microvm machine | |"
fi
accel=$(grep -o '"accel":"[a-z]*"' "$work/runs/latest/events.jsonl" | head -1 | cut -d'"' -f4)
kernel=$(cat "$FL_BUILD/vm/kernel-version")
{
	echo "## Guests: boot to agent-ready ($(date -u +%Y-%m-%d), $(nproc) CPUs, accel $accel)"
	echo
	echo "Kernel $kernel, initramfs $(du -kL "$FL_BUILD/vm/initrd.img" | cut -f1) KiB, 256 MiB,"
	echo "1 vCPU. pc = QEMU's default machine, microvm = \`machine microvm\`, measured one after"
	echo "the other. boot = QEMU started -> fl-agent answered; lab up = whole lab_build()"
	echo "(taps, boot, interface configuration, guest facts). min / median / max in ms."
	echo
	echo "| what | runs | result | target |"
	echo "|---|---|---|---|"
	echo "${rows[pc]}"
	echo "${rows[microvm]}"
}
