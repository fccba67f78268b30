#!/usr/bin/env bash
# The kernel-parameter check: the same guest booted with and without "noapic". Without
# it, interrupt lines go through the IO-APIC; with it, through the legacy XT-PIC, and no
# IO-APIC line is left in /proc/interrupts. Both guests network (a netns node pings
# them) - the regression test a kernel command-line change needs.
. "$FL_TOP/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
"$FL_TOP/vm-images/build" >"$FL_WORK/vm-image.log" 2>&1 ||
	skip "guest image cannot be built: $(tail -1 "$FL_WORK/vm-image.log")"

f=$(scn guest-append <<'S'
scenario guest-append
duration 4s
param append ""
network lan 198.18.0.0/24
node g1 qemu on lan append "${append}"
node h1 on lan
service h1 exec "busybox ping -c 2 -W 2 198.18.0.1"
S
)
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }
for a in default noapic; do
	set_arg=()
	[ $a = noapic ] && set_arg=(--set append=noapic)
	check "faultline run ($a)" faultline run --run-dir "$FL_WORK/runs-noapic-$a" "${set_arg[@]}" "$f"
	r=$(grep '"ev":"guest-ready"' "$FL_WORK/runs-noapic-$a/latest/events.jsonl") ||
		fail "$a: no guest-ready"
	grep -q '2 packets received' "$FL_WORK/runs-noapic-$a/latest/h1.exec.out" ||
		fail "$a: guest not reachable"
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
