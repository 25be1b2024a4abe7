#!/usr/bin/env bash
# tools/bench/run.sh: time finscore's Go encoder natively and compiled to
# WebAssembly (in Node), side by side with TensorFlow.js-wasm running the
# original USE-Lite graph, on the same token ids. See tools/bench/README.md.
#
# usage: bash tools/bench/run.sh [--rounds N] [--quick] [--profile] [--no-cpu]
#   --rounds N   interleaved rounds (Go native, Go wasm, TF.js-wasm; repeat);
#                default 5. Samples of all rounds are pooled.
#   --quick      one short round: checks that everything runs, not a figure
#   --profile    also profile the batch32 benchmark, native (go test
#                -cpuprofile, go tool pprof -top) and wasm (node --cpu-prof),
#                and print where the time goes
#   --profile-only  only the profiles, no timing table
#   --no-cpu     skip the TF.js cpu-backend reference figure
#
# Environment: BENCH_FLAGS (options read before the command line's, so that
# `make bench BENCH_FLAGS=--profile` works), FINSCORE_SHARED (default
# ../shared beside the repository), GO (default go), NODE (default node).
set -euo pipefail
# shellcheck disable=SC2086 # BENCH_FLAGS is a list of words
set -- ${BENCH_FLAGS:-} "$@"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GO="${GO:-go}"
NODE="${NODE:-node}"

rounds=5
quick=0
profile=0
bench=1
cpu=1
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds="${2:?--rounds needs a number}"; shift 2 ;;
	--quick) quick=1; rounds=1; shift ;;
	--profile) profile=1; shift ;;
	--profile-only) profile=1; bench=0; shift ;;
	--no-cpu) cpu=0; shift ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
done
case "$rounds" in '' | *[!0-9]* | 0) echo "run.sh: --rounds wants a positive integer, not '$rounds'" >&2; exit 2 ;; esac

shared="${FINSCORE_SHARED:-$root/../shared}"
model="$shared/models/use-lite"
ids="$root/core/encoder/testdata/bench_sentences.json"
for f in "$model/model.json" "$ids"; do
	[ -f "$f" ] || { echo "run.sh: $f not found (set FINSCORE_SHARED to the shared folder)" >&2; exit 1; }
done
command -v "$NODE" >/dev/null || { echo "run.sh: needs Node.js ($NODE) on PATH" >&2; exit 1; }
export FINSCORE_SHARED="$shared"

out="$here/out"
raw="$out/raw"
mkdir -p "$out"
start=$(date +%s)
say() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; }
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
# busy_jiffies: CPU time used by everything on the machine so far (all cores).
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat 2>/dev/null || echo 0; }

# Per-benchmark settings. -test.benchtime Nx runs N timed calls after the
# benchmark's own warm-up call; every -test.count repeat is one sample. Few
# calls per sample keep Go's samples close to TF.js's (one call each), so
# that medians shed the machine's hiccups alike.
if [ "$quick" = 1 ]; then
	native_single=(-test.benchtime=1x -test.count=2)
	native_batch=(-test.benchtime=1x -test.count=1)
	wasm_single=(-test.benchtime=1x -test.count=2)
	wasm_batch=(-test.benchtime=1x -test.count=1)
	tfjs_wasm=(--seconds 1 --min-iters 10 --warmup 3)
	tfjs_cpu=(--seconds 0 --min-iters 2 --warmup 1)
else
	native_single=(-test.benchtime=3x -test.count=8)
	native_batch=(-test.benchtime=1x -test.count=2)
	wasm_single=(-test.benchtime=2x -test.count=4)
	wasm_batch=(-test.benchtime=1x -test.count=1)
	tfjs_wasm=(--seconds 2 --min-iters 30 --warmup 10)
	tfjs_cpu=(--seconds 0 --min-iters 5 --warmup 2)
fi

# Node packages for TF.js, from the lock file.
if [ ! -d "$here/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
	say "npm ci in tools/bench"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

# Build the encoder's test binary once per target. Running it from
# core/encoder is what `go test ./core/encoder -bench ...` does (through
# go_js_wasm_exec for js/wasm), without relinking every round.
goroot="$("$GO" env GOROOT)"
wasm_exec="$goroot/lib/wasm/go_js_wasm_exec"
say "building the core/encoder test binaries (native and js/wasm)"
(cd "$root" && "$GO" test -c -o "$out/encoder.native.test" ./core/encoder)
(cd "$root" && GOOS=js GOARCH=wasm "$GO" test -c -o "$out/encoder.wasm.test" ./core/encoder)

# step NAME COMMAND...: runs COMMAND in core/encoder, its output to
# raw/NAME.log, and appends to raw/steps.txt its wall time, its own CPU time
# and the CPU time that everything else on the machine used meanwhile.
step() {
	local name="$1"; shift
	local b0 b1 times
	say "$name (1-min load $(load))"
	b0=$(busy_jiffies)
	times=$( { TIMEFORMAT='%R %U %S'; time { (cd "$root/core/encoder" && exec "$@") >"$raw/$name.log" 2>&1; }; } 2>&1) || {
		cat "$raw/$name.log" >&2
		echo "run.sh: $name failed" >&2
		exit 1
	}
	b1=$(busy_jiffies)
	read -r real user sys <<<"$times"
	echo "$name $real $user $sys $(awk -v b="$((b1 - b0))" -v hz="$hz" 'BEGIN { printf "%.2f", b / hz }')" >>"$raw/steps.txt"
}

native() {
	step "go-native-r$1-$2" "$out/encoder.native.test" -test.run='^$' -test.bench="BenchmarkEncode/$2\$" "${@:3}"
	grep -E '^Benchmark' "$raw/go-native-r$1-$2.log" | sed 's/^/    /' >&2
}
wasm() {
	step "go-wasm-r$1-$2" "$wasm_exec" "$out/encoder.wasm.test" -test.run='^$' -test.bench="BenchmarkEncode/$2\$" "${@:3}"
	grep -E '^Benchmark' "$raw/go-wasm-r$1-$2.log" | sed 's/^/    /' >&2
}
tfjs() {
	local backend="$1" name="$2"; shift 2
	step "$name" "$NODE" "$here/tfjs.mjs" --backend "$backend" --model "$model" --ids "$ids" --json "$raw/$name.json" "$@"
	# Drop the cpu backend's "install tfjs-node" banner.
	grep -v -e '^=*$' -e 'looks like you are running TensorFlow.js in Node.js' -e 'install our node backend' \
		"$raw/$name.log" | sed 's/^/    /' >&2
}

if [ "$bench" = 1 ]; then
	rm -rf "$raw"
	mkdir -p "$raw"
	if awk '{ exit !($1 > 1.5) }' /proc/loadavg 2>/dev/null; then
		say "warning: 1-min load average $(load) before starting: the machine is busy, figures will be slower and noisier"
	fi
	for r in $(seq 1 "$rounds"); do
		say "round $r of $rounds"
		native "$r" single "${native_single[@]}"
		native "$r" batch32 "${native_batch[@]}"
		wasm "$r" single "${wasm_single[@]}"
		wasm "$r" batch32 "${wasm_batch[@]}"
		tfjs wasm "tfjs-wasm-r$r" "${tfjs_wasm[@]}"
	done
	if [ "$cpu" = 1 ]; then
		# The cpu backend is plain JavaScript kernels: ~0.6-0.8 s per sentence
		# and ~25 s per batch32 call here, so only the single sentence, once.
		tfjs cpu "tfjs-cpu" --single-only "${tfjs_cpu[@]}"
	fi
	wall=$(($(date +%s) - start))
	report_args=(--raw "$raw" --rounds "$rounds" --model "$model" --wall "$wall" --go "$("$GO" version | cut -d' ' -f3)")
	[ "$quick" = 1 ] && report_args+=(--quick)
	"$NODE" "$here/report.mjs" "${report_args[@]}" >"$out/latest.txt"
	cat "$out/latest.txt"
fi

if [ "$profile" = 1 ]; then
	prof="$out/profile"
	rm -rf "$prof"
	mkdir -p "$prof"
	say "profiling batch32 natively (go test -cpuprofile) (1-min load $(load))"
	(cd "$root/core/encoder" && "$out/encoder.native.test" -test.run='^$' -test.bench='BenchmarkEncode/batch32$' \
		-test.benchtime=5x -test.cpuprofile="$prof/native.pprof") >"$prof/native-bench.txt"
	# Only samples under Encode: the profile also covers loading the model.
	"$GO" tool pprof -top -unit=ms -nodefraction=0 -nodecount=100000 -focus='encoder\.\(\*Model\)\.Encode$' \
		"$out/encoder.native.test" "$prof/native.pprof" >"$prof/native-top.txt" 2>/dev/null
	say "profiling batch32 under wasm (node --cpu-prof on the js/wasm test binary) (1-min load $(load))"
	(cd "$root/core/encoder" && "$NODE" --stack-size=8192 --cpu-prof --cpu-prof-dir="$prof" --cpu-prof-name=wasm.cpuprofile \
		"$goroot/lib/wasm/wasm_exec_node.js" "$out/encoder.wasm.test" -test.run='^$' -test.bench='BenchmarkEncode/batch32$' \
		-test.benchtime=2x) >"$prof/wasm-bench.txt"
	{
		"$NODE" "$here/profile.mjs" --pprof-top "$prof/native-top.txt" --cpuprofile "$prof/wasm.cpuprofile"
		echo
		echo "hottest source lines, Go native (go tool pprof -top -lines):"
		"$GO" tool pprof -top -lines -nodecount=8 -focus='encoder\.\(\*Model\)\.Encode$' \
			"$out/encoder.native.test" "$prof/native.pprof" 2>/dev/null | sed -n '/flat%/,$p'
		echo
		echo "for comparison, where TF.js-wasm's time goes (tf.profile kernel times):"
		"$NODE" "$here/tfjs.mjs" --backend wasm --model "$model" --ids "$ids" --kernels 2>/dev/null
	} | tee "$prof/summary.txt"
	echo "(raw: $prof; e.g. go tool pprof -top $out/encoder.native.test $prof/native.pprof)"
fi
say "done in $(($(date +%s) - start)) s"
