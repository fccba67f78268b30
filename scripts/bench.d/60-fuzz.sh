#!/usr/bin/env bash
# Fuzzing: each libFuzzer target of tests/fuzz/ (docs/fuzzing.md) for FUZZ_SECONDS
# (60) from its seed corpus, one after another, built by `make fuzz-build`; for each,
# libFuzzer's final figures: executions, executions per second, coverage (cov: edges
# of faultline's code, ft: features) and corpus size. A crash, leak or sanitizer
# report fails the section (its input is in build/fuzz/). Skipped without clang.
set -u
secs=${FUZZ_SECONDS:-60}
cd "$FL_TOP"
build=$(dirname "$FL_BIN")
command -v clang >/dev/null || { echo "fuzz: clang not installed" >&2; exit 77; }
make --no-print-directory BUILD="$build" fuzz-build >&2 || exit 1
w=$BENCH_WORK/fuzz
echo "## Fuzzing: the libFuzzer targets, ${secs} s each"
echo
echo "From the seeds in \`tests/fuzz/<target>/\`, one target at a time, ASan and UBSan"
echo "on (\`make fuzz\` runs the same). cov: edges of faultline's code covered (jansson and"
echo "libc are not instrumented), ft: libFuzzer's features."
echo
echo "| target | executions | exec/s | cov | ft | corpus |"
echo "|---|---:|---:|---:|---:|---|"
for f in tests/fuzz/fuzz_*.c; do
	t=$(basename "$f" .c)
	t=${t#fuzz_}
	mkdir -p "$w/$t" && cp "tests/fuzz/$t"/* "$w/$t/"
	log=$w/$t.log
	ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$build/fuzz/$t-" \
		"$w/$t" >"$log" 2>&1 || { tail -30 "$log" >&2; echo "fuzz: $t failed" >&2; exit 1; }
	awk -v t="$t" '
		/^#[0-9]+[ \t]+DONE/ { for (i = 1; i <= NF; i++) { if ($i == "cov:") c = $(i+1);
			if ($i == "ft:") f = $(i+1); if ($i == "corp:") k = $(i+1) } }
		/^stat::number_of_executed_units:/ { n = $2 }
		/^stat::average_exec_per_sec:/ { r = $2 }
		END { printf "| %s | %d | %d | %s | %s | %s |\n", t, n, r, c, f, k }' "$log"
	echo "fuzz: $t done" >&2
done
