// report.mjs turns the raw outputs of one `make bench` run (tools/bench/out/raw)
// into the side-by-side table that run.sh prints and saves as out/latest.txt.
//
// Inputs, for each round r:
//   go-native-r<r>-{single,batch32}.log   go test -bench output, native
//   go-wasm-r<r>-{single,batch32}.log     the same, GOOS=js GOARCH=wasm in Node
//   tfjs-wasm-r<r>.json                   tfjs.mjs --backend wasm
// optionally tfjs-cpu.json (tfjs.mjs --backend cpu --single-only), and
// steps.txt: per step, its name, wall, user and system seconds, and the CPU
// seconds the whole machine used meanwhile (run.sh's step function).
//
// A Go sample is one -test.count line (the mean of that run's b.N calls, in
// ms/sentence); a TF.js sample is one timed call (divided by 32 for the
// batch). Samples of all rounds are pooled; the table shows their medians.
//
// With --model DIR it also gives each engine's effective arithmetic rate:
// multiply-adds of the dense layers (every TransformerLayer kernel, per
// token; the tanh layer, per sentence) and of attention (2·n²·width per
// sentence and layer), counted from model.json's weight shapes.
//
// Usage: node report.mjs --raw DIR --rounds N [--model DIR] [--wall SECONDS]
//                        [--go VERSION] [--quick]

import fs from 'node:fs';
import path from 'node:path';

function parseArgs(argv) {
  const o = { raw: null, rounds: 0, model: null, wall: null, go: '', quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--raw') o.raw = next();
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--wall') o.wall = Number(next());
    else if (a === '--model') o.model = next();
    else if (a === '--go') o.go = next();
    else if (a === '--quick') o.quick = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.raw || !(o.rounds >= 1)) throw new Error('--raw DIR and --rounds N are required');
  return o;
}

const BENCHES = ['single', 'batch32'];
const BATCH = 32;

// goSamples reads the ms/sentence of every BenchmarkEncode/<bench> line.
function goSamples(file, bench) {
  const text = fs.readFileSync(file, 'utf8');
  const re = new RegExp(`^BenchmarkEncode/${bench}(?:-\\d+)?\\s+(\\d+)\\s+[\\d.]+ ns/op\\s+([\\d.]+) ms/sentence`, 'gm');
  const samples = [];
  let calls = 0;
  for (const m of text.matchAll(re)) {
    calls += Number(m[1]);
    samples.push(Number(m[2]));
  }
  if (samples.length === 0) throw new Error(`${file}: no BenchmarkEncode/${bench} result`);
  return { samples, calls };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function summary(samples, calls) {
  return { samples, calls, median: median(samples), mean: mean(samples), min: Math.min(...samples) };
}

// flopsPerSentence counts 2·multiply-adds for one sentence of n tokens.
function flopCounter(modelDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')).weightsManifest;
  let perToken = 0, perSentence = 0;
  const attnWidths = [];
  for (const g of manifest) {
    for (const w of g.weights) {
      if (w.dtype !== 'float32' || w.shape.length < 2 || /Embeddings/.test(w.name)) continue;
      const macs = w.shape[w.shape.length - 2] * w.shape[w.shape.length - 1];
      if (/TransformerLayer/.test(w.name)) perToken += macs;
      else perSentence += macs; // the tanh layer on the pooled vector
      if (/qkv_transform/.test(w.name)) attnWidths.push(w.shape[w.shape.length - 2]);
    }
  }
  return (n) => 2 * (n * perToken + perSentence + attnWidths.reduce((a, d) => a + 2 * n * n * d, 0));
}

function fmt(ms) {
  if (ms == null || !Number.isFinite(ms)) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function pad(cells, widths) {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const raw = (name) => path.join(o.raw, name);

  // engines[engine][bench] = {samples, calls}; rounds[r][engine][bench] = median
  const engines = { native: {}, wasm: {}, tfjs: {} };
  const perRound = [];
  let tfjsConfig = null;
  let tokens = { single: null, batch32: null };
  for (let r = 1; r <= o.rounds; r++) {
    const round = { native: {}, wasm: {}, tfjs: {} };
    for (const b of BENCHES) {
      for (const [engine, prefix] of [['native', 'go-native'], ['wasm', 'go-wasm']]) {
        const { samples, calls } = goSamples(raw(`${prefix}-r${r}-${b}.log`), b);
        const e = (engines[engine][b] ??= { samples: [], calls: 0 });
        e.samples.push(...samples);
        e.calls += calls;
        round[engine][b] = median(samples);
      }
    }
    const t = JSON.parse(fs.readFileSync(raw(`tfjs-wasm-r${r}.json`), 'utf8'));
    tfjsConfig ??= t.config;
    tokens = { single: null, batch32: t.tokens };
    const single = t.single.samples;
    const batch = t.batch.samples.map((ms) => ms / BATCH);
    for (const [b, s] of [['single', single], ['batch32', batch]]) {
      const e = (engines.tfjs[b] ??= { samples: [], calls: 0 });
      e.samples.push(...s);
      e.calls += s.length;
      round.tfjs[b] = median(s);
    }
    perRound.push(round);
  }
  const ids = JSON.parse(fs.readFileSync(new URL('../../core/encoder/testdata/bench_sentences.json', import.meta.url), 'utf8')).ids;
  tokens.single = ids[0].length;

  const S = {};
  for (const [engine, benches] of Object.entries(engines)) {
    S[engine] = {};
    for (const [b, e] of Object.entries(benches)) S[engine][b] = summary(e.samples, e.calls);
  }
  let cpu = null;
  if (fs.existsSync(raw('tfjs-cpu.json'))) cpu = JSON.parse(fs.readFileSync(raw('tfjs-cpu.json'), 'utf8'));

  const lines = [];
  const now = new Date().toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  lines.push(`finscore make bench, ${now}${o.quick ? '  (--quick: a smoke run, not a figure)' : ''}`);
  lines.push(`machine: ${tfjsConfig.cpu}, ${tfjsConfig.logicalCores} logical cores, shared and noisy: compare the ratios of one run, not ms across runs`);
  lines.push(`Go ${o.go} (Encode is single-threaded; GOOS=js GOARCH=wasm has no SIMD) | Node ${tfjsConfig.node} (V8 ${tfjsConfig.v8}) | TF.js ${tfjsConfig.tfjsVersion}`);
  lines.push(`TF.js-wasm: ${tfjsConfig.wasmBinary}, SIMD ${tfjsConfig.wasmHasSimdSupport ? 'yes' : 'no'}, ` +
    `threads ${tfjsConfig.wasmHasMultithreadSupport ? 'yes' : 'no'} (XNNPACK threads: ${tfjsConfig.wasmThreadsCount}; tfjs-backend-wasm turns threads off in Node)`);
  lines.push(`inputs: core/encoder/testdata/bench_sentences.json ids; single = ids[0] (${tokens.single} tokens), ` +
    `batch32 = all ${BATCH} sentences (${tokens.batch32} tokens) in one call`);
  lines.push(`${o.rounds} interleaved round(s) of Go native, Go wasm, TF.js-wasm, one engine at a time; samples pooled`);
  lines.push('');

  const widths = [24, 10, 15, 18, 16, 18];
  lines.push(pad(['ms/sentence, median', 'Go native', 'Go wasm (Node)', 'TF.js-wasm (Node)', 'Go-wasm / TF.js', 'Go-native / TF.js'], widths));
  for (const b of BENCHES) {
    const n = S.native[b].median, w = S.wasm[b].median, t = S.tfjs[b].median;
    lines.push(pad([b === 'single' ? 'single' : 'batch32 (per sentence)', fmt(n), fmt(w), fmt(t), (w / t).toFixed(2), (n / t).toFixed(2)], widths));
  }
  lines.push('');
  if (o.model) {
    const flops = flopCounter(o.model);
    const work = { single: flops(ids[0].length), batch32: ids.reduce((a, s) => a + flops(s.length), 0) / ids.length };
    const rate = (e, b) => (work[b] / (S[e][b].median * 1e6)).toFixed(1);
    lines.push(`effective GFLOP/s (median; ${(work.single / 1e6).toFixed(0)} MFLOP for the single sentence, ` +
      `${(work.batch32 / 1e6).toFixed(0)} MFLOP per batch sentence, counted from model.json):`);
    for (const b of BENCHES) {
      lines.push(`  ${b.padEnd(8)} Go native ${rate('native', b)}, Go wasm ${rate('wasm', b)}, TF.js-wasm ${rate('tfjs', b)}`);
    }
    lines.push('');
  }
  if (cpu) {
    const c = cpu.single;
    lines.push(`reference, TF.js cpu backend (plain JS kernels), single: ${fmt(c.median)} ms median, ${fmt(c.mean)} mean over ${c.iters} calls ` +
      `(batch32 not timed: ~25 s a call here)`);
    lines.push('');
  }

  lines.push('details, ms/sentence: median / mean / min (samples; calls)');
  const label = { native: 'Go native', wasm: 'Go wasm', tfjs: 'TF.js-wasm' };
  for (const b of BENCHES) {
    for (const e of ['native', 'wasm', 'tfjs']) {
      const s = S[e][b];
      const what = e === 'tfjs' ? `${s.samples.length} timed calls` : `${s.samples.length} go test counts, ${s.calls} timed calls`;
      lines.push(`  ${b.padEnd(8)} ${label[e].padEnd(11)} ${fmt(s.median)} / ${fmt(s.mean)} / ${fmt(s.min)}  (${what})`);
    }
  }
  if (fs.existsSync(raw('steps.txt'))) {
    // Other processes' CPU while each engine ran, in cores (of 2): on this
    // machine a busy second core slows the measured one too (shared caches,
    // and perhaps one physical core under the two virtual ones).
    const acc = {};
    for (const line of fs.readFileSync(raw('steps.txt'), 'utf8').trim().split('\n')) {
      const [name, real, user, sys, busy] = line.split(' ');
      const e = name.startsWith('go-native') ? 'native' : name.startsWith('go-wasm') ? 'wasm' : name.startsWith('tfjs-wasm') ? 'tfjs' : null;
      if (!e) continue;
      const a = (acc[e] ??= { real: 0, others: 0, own: 0 });
      a.real += Number(real);
      a.own += Number(user) + Number(sys);
      a.others += Number(busy) - Number(user) - Number(sys); // /proc/stat counts in 1/100 s: sum, then clamp
    }
    const parts = Object.entries(acc).map(([e, a]) => `${label[e]} ${Math.max(0, a.others / a.real).toFixed(2)}`);
    lines.push(`  CPU cores used by other processes while each engine ran (0 = quiet, 1 = the other core busy): ${parts.join(', ')}`);
  }
  lines.push('');
  lines.push('per round, median ms/sentence Go native, Go wasm, TF.js-wasm [Go-wasm/TF.js, Go-native/TF.js]');
  perRound.forEach((r, i) => {
    const cell = (b) => `${fmt(r.native[b])}, ${fmt(r.wasm[b])}, ${fmt(r.tfjs[b])} [${(r.wasm[b] / r.tfjs[b]).toFixed(2)}, ${(r.native[b] / r.tfjs[b]).toFixed(2)}]`;
    lines.push(`  round ${i + 1}: single ${cell('single')}   batch32 ${cell('batch32')}`);
  });
  if (o.wall != null) {
    lines.push('');
    lines.push(`run.sh wall time up to this table: ${Math.floor(o.wall / 60)}m${String(o.wall % 60).padStart(2, '0')}s`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

try {
  main();
} catch (err) {
  console.error(`report.mjs: ${err?.stack ?? err}`);
  process.exit(1);
}
