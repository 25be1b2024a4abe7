#!/usr/bin/env bash
# tools/bench/run.sh: time finscore's Go encoder natively and compiled to
# WebAssembly (in Node: pure Go, and with the SIMD kernels of
# core/tensor/kernels.wat), side by side with TensorFlow.js-wasm running the
# original USE-Lite graph, on the same token ids; and a 20-sentence document
# end to end (tokenize + embed) on each. See tools/bench/README.md.
#
# usage: bash tools/bench/run.sh [--rounds N] [--quick] [--profile] [--no-cpu]
#   --rounds N   interleaved rounds (Go native, Go wasm pure-Go, Go wasm SIMD,
#                TF.js-wasm; repeat); default 5. Samples of all rounds are
#                pooled.
#   --quick      one short round: checks that everything runs, not a figure
#   --profile    also profile the batch32 benchmark, native (go test
#                -cpuprofile, go tool pprof -top) and both wasm builds
#                (node --cpu-prof), and print where the time goes
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
doc="$here/testdata/document.txt"
fsb="$root/weights/use-lite.fsb"
for f in "$model/model.json" "$model/vocab.json" "$ids" "$doc" "$fsb"; do
	[ -f "$f" ] || { echo "run.sh: $f not found (set FINSCORE_SHARED to the shared folder)" >&2; exit 1; }
done
command -v "$NODE" >/dev/null || { echo "run.sh: needs Node.js ($NODE) on PATH" >&2; exit 1; }
command -v gzip >/dev/null || { echo "run.sh: needs gzip on PATH (for the wasm sizes)" >&2; exit 1; }
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
# that medians shed the machine's hiccups alike. docbench's first call is
# its warm-up (reported apart), then -warmup more, then -iters timed calls
# (at least -seconds). The pure-Go wasm engine takes ~7 s per batch32 call
# and ~5 s per document, so it gets the fewest calls.
if [ "$quick" = 1 ]; then
	native_single=(-test.benchtime=1x -test.count=2)
	native_batch=(-test.benchtime=1x -test.count=1)
	purego_single=(-test.benchtime=1x -test.count=2)
	purego_batch=(-test.benchtime=1x -test.count=1)
	simd_single=(-test.benchtime=1x -test.count=2)
	simd_batch=(-test.benchtime=1x -test.count=1)
	native_doc=(-warmup 0 -iters 1)
	purego_doc=(-warmup 0 -iters 1)
	simd_doc=(-warmup 0 -iters 2)
	tfjs_wasm=(--seconds 1 --min-iters 10 --warmup 3)
	tfjs_cpu=(--seconds 0 --min-iters 2 --warmup 1)
else
	native_single=(-test.benchtime=3x -test.count=8)
	native_batch=(-test.benchtime=1x -test.count=2)
	purego_single=(-test.benchtime=2x -test.count=4)
	purego_batch=(-test.benchtime=1x -test.count=1)
	simd_single=(-test.benchtime=3x -test.count=8)
	simd_batch=(-test.benchtime=1x -test.count=3)
	native_doc=(-warmup 0 -iters 2)
	purego_doc=(-warmup 0 -iters 1)
	simd_doc=(-warmup 1 -iters 6 -seconds 1)
	tfjs_wasm=(--seconds 2 --min-iters 30 --warmup 10)
	tfjs_cpu=(--seconds 0 --min-iters 5 --warmup 2)
fi

# Node packages for TF.js and the reference tokenizer, from the lock file
# (again whenever package-lock.json is newer than the last install).
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ] ||
	[ ! -d "$here/node_modules/@tensorflow-models/universal-sentence-encoder" ]; then
	say "npm ci in tools/bench"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

# The SIMD kernels: a default js/wasm build of core/tensor imports them, and
# tools/wasmexec/go_js_wasm_exec attaches them (it fails if the file is
# missing). -tags purego builds import nothing and run under Go's own runner.
say "make kernels"
make -s -C "$root" kernels >&2
kernels="$root/core/tensor/kernels.wasm"
goroot="$("$GO" env GOROOT)"
stock_exec="$goroot/lib/wasm/go_js_wasm_exec"
simd_exec="$root/tools/wasmexec/go_js_wasm_exec"

# Build each program once per target. Running the encoder's test binary from
# core/encoder is what `go test ./core/encoder -bench ...` does (through
# -exec for js/wasm), without relinking every round.
say "building the core/encoder test binaries and docbench (native, js/wasm pure Go, js/wasm SIMD)"
(
	cd "$root"
	"$GO" test -c -o "$out/encoder.native.test" ./core/encoder
	GOOS=js GOARCH=wasm "$GO" test -c -tags purego -o "$out/encoder.purego.wasm.test" ./core/encoder
	GOOS=js GOARCH=wasm "$GO" test -c -o "$out/encoder.simd.wasm.test" ./core/encoder
	"$GO" build -o "$out/docbench.native" ./tools/bench/docbench
	GOOS=js GOARCH=wasm "$GO" build -tags purego -o "$out/docbench.purego.wasm" ./tools/bench/docbench
	GOOS=js GOARCH=wasm "$GO" build -o "$out/docbench.simd.wasm" ./tools/bench/docbench
)
rm -f "$out/encoder.wasm.test" # the single js/wasm test binary of earlier versions of this script

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

# engine_cmd ENGINE PROGRAM sets cmd to the command that runs PROGRAM (a
# file in $out) for ENGINE: native; purego, under Go's own runner; simd,
# under finscore's runner with the kernels attached (FINSCORE_KERNELS set
# explicitly, so that an "off" in the caller's environment cannot turn them
# off).
engine_cmd() {
	case "$1" in
	native) cmd=("$out/$2.native") ;;
	purego) cmd=("$stock_exec" "$out/$2.purego.wasm") ;;
	simd) cmd=(env "FINSCORE_KERNELS=$kernels" "GOROOT=$goroot" "$simd_exec" "$out/$2.simd.wasm") ;;
	*) echo "run.sh: unknown engine $1" >&2; exit 2 ;;
	esac
}

# encode ENGINE ROUND CASE ARGS...: BenchmarkEncode/CASE on ENGINE.
encode() {
	local engine="$1" r="$2" case="$3"; shift 3
	engine_cmd "$engine" encoder
	cmd[-1]+=.test
	step "go-$engine-r$r-$case" "${cmd[@]}" -test.run='^$' -test.bench="BenchmarkEncode/$case\$" "$@"
	grep -E '^Benchmark' "$raw/go-$engine-r$r-$case.log" | sed 's/^/    /' >&2
}
# document ENGINE ROUND ARGS...: docbench on ENGINE.
document() {
	local engine="$1" r="$2"; shift 2
	engine_cmd "$engine" docbench
	step "doc-$engine-r$r" "${cmd[@]}" -weights "$fsb" -doc "$doc" -json "$raw/doc-$engine-r$r.json" "$@"
	sed 's/^/    /' "$raw/doc-$engine-r$r.log" >&2
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
	# Sizes: bytes and gzip -9 bytes of each wasm file.
	for f in docbench.simd.wasm docbench.purego.wasm encoder.simd.wasm.test encoder.purego.wasm.test; do
		echo "$f $(wc -c <"$out/$f") $(gzip -9 -c "$out/$f" | wc -c)"
	done >"$raw/sizes.txt"
	echo "kernels.wasm $(wc -c <"$kernels") $(gzip -9 -c "$kernels" | wc -c)" >>"$raw/sizes.txt"
	if awk '{ exit !($1 > 1.5) }' /proc/loadavg 2>/dev/null; then
		say "warning: 1-min load average $(load) before starting: the machine is busy, figures will be slower and noisier"
	fi
	for r in $(seq 1 "$rounds"); do
		say "round $r of $rounds"
		encode native "$r" single "${native_single[@]}"
		encode native "$r" batch32 "${native_batch[@]}"
		document native "$r" "${native_doc[@]}"
		encode purego "$r" single "${purego_single[@]}"
		encode purego "$r" batch32 "${purego_batch[@]}"
		document purego "$r" "${purego_doc[@]}"
		encode simd "$r" single "${simd_single[@]}"
		encode simd "$r" batch32 "${simd_batch[@]}"
		document simd "$r" "${simd_doc[@]}"
		tfjs wasm "tfjs-wasm-r$r" --doc "$doc" "${tfjs_wasm[@]}"
	done
	if [ "$cpu" = 1 ]; then
		# The cpu backend is plain JavaScript kernels: ~0.6-0.8 s per sentence
		# and ~25 s per batch32 call here, so only the single sentence, once.
		tfjs cpu "tfjs-cpu" --single-only "${tfjs_cpu[@]}"
	fi
	wall=$(($(date +%s) - start))
	report_args=(--raw "$raw" --rounds "$rounds" --model "$model" --wall "$wall" --go "$("$GO" version | cut -d' ' -f3)")
	[ "$quick" = 1 ] && report_args+=(--quick)
	# report.mjs exits 1 after writing the table if a check failed (kernels
	# not active, ids or embeddings off): show the table, then fail.
	status=0
	"$NODE" "$here/report.mjs" "${report_args[@]}" >"$out/latest.txt" || status=$?
	cat "$out/latest.txt"
	[ "$status" = 0 ] || { echo "run.sh: report.mjs found a problem (see above)" >&2; exit "$status"; }
fi

if [ "$profile" = 1 ]; then
	prof="$out/profile"
	rm -rf "$prof"
	mkdir -p "$prof"
	# About 4 s of Encode each (pure-Go wasm: 2 calls, ~10 s), plus warm-up.
	bench_batch=(-test.run='^$' -test.bench='BenchmarkEncode/batch32$')
	say "profiling batch32 natively (go test -cpuprofile) (1-min load $(load))"
	(cd "$root/core/encoder" && "$out/encoder.native.test" "${bench_batch[@]}" -test.benchtime=4s \
		-test.cpuprofile="$prof/native.pprof") >"$prof/native-bench.txt"
	# Only samples under Encode: the profile also covers loading the model.
	"$GO" tool pprof -top -unit=ms -nodefraction=0 -nodecount=100000 -focus='encoder\.\(\*Model\)\.Encode$' \
		"$out/encoder.native.test" "$prof/native.pprof" >"$prof/native-top.txt" 2>/dev/null
	# The js/wasm test binaries under node --cpu-prof, each through its own
	# runner's script: Go's wasm_exec_node.js for pure Go, tools/wasmexec's
	# run.mjs (what its go_js_wasm_exec runs) with the kernels for SIMD.
	say "profiling batch32 under wasm, pure Go (node --cpu-prof, wasm_exec_node.js) (1-min load $(load))"
	(cd "$root/core/encoder" && "$NODE" --stack-size=8192 --cpu-prof --cpu-prof-dir="$prof" --cpu-prof-name=purego.cpuprofile \
		"$goroot/lib/wasm/wasm_exec_node.js" "$out/encoder.purego.wasm.test" "${bench_batch[@]}" -test.benchtime=2x) \
		>"$prof/purego-bench.txt"
	say "profiling batch32 under wasm, SIMD kernels (node --cpu-prof, tools/wasmexec/run.mjs) (1-min load $(load))"
	(cd "$root/core/encoder" && FINSCORE_KERNELS="$kernels" GOROOT="$goroot" "$NODE" --stack-size=8192 --cpu-prof \
		--cpu-prof-dir="$prof" --cpu-prof-name=simd.cpuprofile \
		"$root/tools/wasmexec/run.mjs" "$out/encoder.simd.wasm.test" "${bench_batch[@]}" -test.benchtime=4s) \
		>"$prof/simd-bench.txt"
	{
		"$NODE" "$here/profile.mjs" --pprof-top "$prof/native-top.txt" \
			--cpuprofile "Go wasm pure-Go=$prof/purego.cpuprofile" --cpuprofile "Go wasm SIMD=$prof/simd.cpuprofile"
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
