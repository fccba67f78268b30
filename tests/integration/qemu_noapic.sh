#!/usr/bin/env bash
# A QEMU guest on a lab bridge next to a netns node, booted twice: with the default
# kernel command line and with "noapic". Each time the guest boots to agent-ready (its
# fl-init says so on the console), its interface is named after the network and carries
# its scenario address, and the netns node reaches it (busybox ping from the node's
# namespace, 3 of 3). Without noapic, interrupt lines go through the IO-APIC; with it,
# through the legacy XT-PIC, and no IO-APIC line is left in /proc/interrupts - the
# regression test a kernel command-line change needs. (One test: the default boot is
# the plain guest-ping check, a second boot of the same guest would prove nothing more.)
# runner: weight 2
#   a TCG guest keeps a CPU busy while it boots
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "busybox not installed"
need_guest_image

f=$(scn guest-append <<'S'
scenario guest-append
duration 4s
param append ""
network lan 198.18.0.0/24
node g1 qemu on lan append "${append}"
node h1 on lan
service h1 exec "busybox ping -c 3 -W 2 198.18.0.1"
S
)
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }
for a in default noapic; do
	set_arg=()
	[ $a = noapic ] && set_arg=(--set append=noapic)
	check "faultline run ($a)" faultline run --run-dir "$FL_WORK/runs-noapic-$a" "${set_arg[@]}" "$f"
	run="$FL_WORK/runs-noapic-$a/latest"
	r=$(grep '"ev":"guest-ready"' "$run/events.jsonl") || fail "$a: no guest-ready"
	echo "$r"
	echo "$r" | grep -q '"src":"g1"' || fail "$a: guest-ready not from g1"
	cat "$run/h1.exec.out"
	grep -q '3 packets received' "$run/h1.exec.out" || fail "$a: netns node did not reach the guest"
	grep -q 'fl-init: ready' "$run/g1.console" || fail "$a: no fl-init line on the console"
	echo "$a: guest reached in $(num boot_ms "$r") ms"
	io=$(num irq_ioapic "$r") xt=$(num irq_xtpic "$r") loc=$(num irq_loc "$r")
	echo "$a: IO-APIC lines $io, XT-PIC lines $xt, LOC $loc; $(grep -o '"cmdline":"[^"]*"' <<<"$r")"
	if [ $a = default ]; then
		[ "$io" -gt 0 ] || fail "default boot: no IO-APIC line"
		grep -q noapic <<<"$r" && fail "default boot has noapic"
	else
		grep -q '"cmdline":"[^"]*noapic' <<<"$r" || fail "noapic not on the command line"
		[ "$io" = 0 ] || fail "noapic: $io IO-APIC lines left"
		[ "$xt" -gt 0 ] || fail "noapic: no XT-PIC line"
	fi
done
echo "ok"
