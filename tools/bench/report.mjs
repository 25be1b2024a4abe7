// report.mjs turns the raw outputs of one `make bench` run (tools/bench/out/raw)
// into the side-by-side table that run.sh prints and saves as out/latest.txt.
//
// Engines: Go native; Go compiled to js/wasm in Node, pure Go (-tags purego)
// and with the SIMD kernels ("simd"); TensorFlow.js-wasm on the original
// graph, the reference every ratio is taken against.
//
// Inputs, for each round r and engine e in native, purego, simd:
//   go-<e>-r<r>-{single,batch32}.log   go test -bench BenchmarkEncode output
//   doc-<e>-r<r>.json                  docbench -json (the document)
//   tfjs-wasm-r<r>.json                tfjs.mjs --backend wasm --doc
// optionally tfjs-cpu.json (tfjs.mjs --backend cpu --single-only);
// sizes.txt: per wasm file, its name, bytes and gzip -9 bytes; and
// steps.txt: per step, its name, wall, user and system seconds, and the CPU
// seconds the whole machine used meanwhile (run.sh's step function).
//
// A Go encoder sample is one -test.count line (the mean of that run's b.N
// calls, in ms/sentence); a docbench or TF.js sample is one timed call (a
// TF.js batch call divided by 32). Samples of all rounds are pooled; the
// table shows their medians.
//
// With --model DIR it also gives each engine's effective arithmetic rate:
// multiply-adds of the dense layers (every TransformerLayer kernel, per
// token; the tanh layer, per sentence) and of attention (2·n²·width per
// sentence and layer), counted from model.json's weight shapes.
//
// It checks the document's outputs too: the Go tokenizer's ids against the
// reference tokenizer's, and every Go engine's embeddings against
// TF.js-wasm's (cosine); and that the SIMD kernels were active in the SIMD
// wasm build and not in the pure-Go one. On exit it fails (status 1, after
// the table) if a check did.
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

const GO_ENGINES = ['native', 'purego', 'simd'];
const ENGINES = [...GO_ENGINES, 'tfjs'];
const LABEL = { native: 'Go native', purego: 'Go wasm pure-Go', simd: 'Go wasm SIMD', tfjs: 'TF.js-wasm' };
const SHORT = { native: 'native', purego: 'pure-Go', simd: 'SIMD', tfjs: 'TF.js' };
const CASES = ['single', 'batch32', 'doc'];
const CASE_LABEL = { single: 'single (ms/sentence)', batch32: 'batch32 (ms/sentence)', doc: 'document (ms/document)' };
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
const ratio = (a, b) => (a / b).toFixed(2);
const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function pad(cells, widths) {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const raw = (name) => path.join(o.raw, name);
  const readJSON = (name) => JSON.parse(fs.readFileSync(raw(name), 'utf8'));

  // pooled[engine][case] = {samples, calls}; perRound[r][engine][case] = median
  const pooled = Object.fromEntries(ENGINES.map((e) => [e, Object.fromEntries(CASES.map((c) => [c, { samples: [], calls: 0 }]))]));
  const add = (e, c, samples, calls) => {
    pooled[e][c].samples.push(...samples);
    pooled[e][c].calls += calls;
    return median(samples);
  };
  const perRound = [];
  const docs = {}; // engine -> docbench / tfjs doc results, every round
  let tfjsConfig = null;
  let batchTokens = null;
  for (let r = 1; r <= o.rounds; r++) {
    const round = Object.fromEntries(ENGINES.map((e) => [e, {}]));
    for (const e of GO_ENGINES) {
      for (const b of ['single', 'batch32']) {
        const { samples, calls } = goSamples(raw(`go-${e}-r${r}-${b}.log`), b);
        round[e][b] = add(e, b, samples, calls);
      }
      const d = readJSON(`doc-${e}-r${r}.json`);
      (docs[e] ??= []).push(d);
      round[e].doc = add(e, 'doc', d.samples, d.samples.length);
    }
    const t = readJSON(`tfjs-wasm-r${r}.json`);
    tfjsConfig ??= t.config;
    batchTokens = t.tokens;
    round.tfjs.single = add('tfjs', 'single', t.single.samples, t.single.samples.length);
    round.tfjs.batch32 = add('tfjs', 'batch32', t.batch.samples.map((ms) => ms / BATCH), t.batch.samples.length);
    if (!t.doc) throw new Error(`tfjs-wasm-r${r}.json: no document figures (tfjs.mjs without --doc?)`);
    (docs.tfjs ??= []).push({ ...t.doc, loadMs: t.loadMs });
    round.tfjs.doc = add('tfjs', 'doc', t.doc.samples, t.doc.samples.length);
    perRound.push(round);
  }
  const ids = JSON.parse(fs.readFileSync(new URL('../../core/encoder/testdata/bench_sentences.json', import.meta.url), 'utf8')).ids;
  const S = Object.fromEntries(ENGINES.map((e) => [e, Object.fromEntries(CASES.map((c) => [c, summary(pooled[e][c].samples, pooled[e][c].calls)]))]));

  // The checks: kernels active exactly in the SIMD build; the document's ids
  // and embeddings against the reference's (round 1 of each).
  const problems = [];
  for (const e of ['purego', 'simd']) {
    const want = e === 'simd';
    const bad = docs[e].filter((d) => d.accelerated !== want).length;
    if (bad) problems.push(`${LABEL[e]}: SIMD kernels ${want ? 'NOT active' : 'active'} in ${bad} of ${docs[e].length} docbench runs`);
  }
  const ref = docs.tfjs[0];
  const docChecks = [];
  for (const e of GO_ENGINES) {
    const d = docs[e][0];
    if (JSON.stringify(d.ids) !== JSON.stringify(ref.ids)) {
      problems.push(`${LABEL[e]}: the document's token ids differ from the reference tokenizer's`);
      continue;
    }
    let minCos = 1, maxAbs = 0;
    d.embeddings.forEach((row, i) => {
      minCos = Math.min(minCos, cosine(row, ref.embeddings[i]));
      row.forEach((v, j) => { maxAbs = Math.max(maxAbs, Math.abs(v - ref.embeddings[i][j])); });
    });
    if (!(minCos > 0.999)) problems.push(`${LABEL[e]}: document embeddings disagree with TF.js-wasm's (min cosine ${minCos})`);
    docChecks.push(`${SHORT[e]} min cosine ${minCos.toFixed(6)}, max |diff| ${maxAbs.toExponential(1)}`);
  }

  let cpu = null;
  if (fs.existsSync(raw('tfjs-cpu.json'))) cpu = readJSON('tfjs-cpu.json');

  const lines = [];
  const now = new Date().toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  lines.push(`finscore make bench, ${now}${o.quick ? '  (--quick: a smoke run, not a figure)' : ''}`);
  lines.push(`machine: ${tfjsConfig.cpu}, ${tfjsConfig.logicalCores} logical cores, shared and noisy: compare the ratios of one run, not ms across runs`);
  lines.push(`Go ${o.go} (Encode is single-threaded) | Node ${tfjsConfig.node} (V8 ${tfjsConfig.v8}) | TF.js ${tfjsConfig.tfjsVersion}`);
  lines.push(`Go native: ${docs.native[0].goos}/${docs.native[0].goarch}, tensor.Accelerated() = ${docs.native[0].accelerated}` +
    `${docs.native[0].accelerated && docs.native[0].goarch === 'amd64' ? ' (AVX2+FMA GEMM)' : ''}`);
  lines.push('Go wasm pure-Go: GOOS=js GOARCH=wasm -tags purego, under Go\'s own go_js_wasm_exec (Go emits no SIMD)');
  lines.push('Go wasm SIMD: GOOS=js GOARCH=wasm, core/tensor/kernels.wasm (SIMD128 GEMM, layer norm, attention) attached by tools/wasmexec/go_js_wasm_exec');
  lines.push(`TF.js-wasm: the original graph on ${tfjsConfig.wasmBinary}, SIMD ${tfjsConfig.wasmHasSimdSupport ? 'yes' : 'no'}, ` +
    `threads ${tfjsConfig.wasmHasMultithreadSupport ? 'yes' : 'no'} (XNNPACK threads: ${tfjsConfig.wasmThreadsCount}; tfjs-backend-wasm turns threads off in Node)`);
  lines.push(`inputs: single = bench_sentences.json ids[0] (${ids[0].length} tokens); batch32 = all ${BATCH} (${batchTokens} tokens) in one call; ` +
    `document = tools/bench/testdata/document.txt, ${ref.sentences} sentences (${ref.tokens} tokens), text in: tokenize + embed in one batch`);
  lines.push(`${o.rounds} interleaved round(s) of Go native, Go wasm pure-Go, Go wasm SIMD, TF.js-wasm, one engine at a time; samples pooled`);
  lines.push('');

  const widths = [22, 9, 15, 12, 10, 13, 10, 12];
  lines.push(pad(['median', LABEL.native, LABEL.purego, LABEL.simd, LABEL.tfjs, 'pure-Go/TF.js', 'SIMD/TF.js', 'native/TF.js'], widths));
  for (const c of CASES) {
    const m = Object.fromEntries(ENGINES.map((e) => [e, S[e][c].median]));
    lines.push(pad([CASE_LABEL[c], fmt(m.native), fmt(m.purego), fmt(m.simd), fmt(m.tfjs),
      ratio(m.purego, m.tfjs), ratio(m.simd, m.tfjs), ratio(m.native, m.tfjs)], widths));
  }
  lines.push('(ratio = engine time / TF.js-wasm time: below 1.00 is faster than TF.js-wasm)');
  lines.push('');

  if (fs.existsSync(raw('sizes.txt'))) {
    const what = {
      'docbench.simd.wasm': 'tools/bench/docbench, SIMD build (a minimal program: read a bundle, tokenize, encode)',
      'docbench.purego.wasm': 'tools/bench/docbench, -tags purego',
      'encoder.simd.wasm.test': 'core/encoder test binary, SIMD build',
      'encoder.purego.wasm.test': 'core/encoder test binary, -tags purego',
      'kernels.wasm': 'core/tensor/kernels.wasm, the SIMD kernels (fetched beside the Go binary)',
    };
    lines.push(`${'wasm size, bytes'.padStart(24)}  ${'gzip -9'.padStart(10)}  what`);
    for (const line of fs.readFileSync(raw('sizes.txt'), 'utf8').trim().split('\n')) {
      const [name, bytes, gz] = line.split(' ');
      lines.push(`${thousands(bytes).padStart(24)}  ${thousands(gz).padStart(10)}  ${what[name] ?? name}`);
    }
    lines.push('');
  }

  const docLine = (e) => {
    const d = docs[e];
    const med = (f) => fmt(median(d.map(f)));
    const tok = med((x) => (Array.isArray(x.tokenizeMs) ? median(x.tokenizeMs) : x.tokenizeMs.median));
    const head = `  ${LABEL[e].padEnd(16)} ${fmt(S[e].doc.median)} ms/document = ${fmt(S[e].doc.median / ref.sentences)} ms/sentence; ` +
      `of which tokenize ${tok} ms; `;
    if (e === 'tfjs') return head + `load: graph model ${med((x) => x.loadMs)} ms + reference Tokenizer ${med((x) => x.tokenizerMs)} ms`;
    return head + `first call (cold workspace) ${med((x) => x.firstMs)} ms; load: bundle read, decoded, tokenizer built ${med((x) => x.loadMs)} ms`;
  };
  lines.push(`document end to end (${ref.sentences} sentences, ${ref.tokens} tokens; tokenize, first call and load: medians over rounds):`);
  for (const e of ENGINES) lines.push(docLine(e));
  lines.push(`  check: token ids of all 3 Go engines ${problems.some((p) => /token ids/.test(p)) ? 'DIFFER from' : 'equal'} the reference tokenizer's; ` +
    `embeddings vs TF.js-wasm: ${docChecks.join('; ')}`);
  lines.push('');

  if (o.model) {
    const flops = flopCounter(o.model);
    const work = {
      single: flops(ids[0].length),
      batch32: ids.reduce((a, s) => a + flops(s.length), 0) / ids.length,
      doc: ref.ids.reduce((a, s) => a + flops(s.length), 0),
    };
    const rate = (e, c) => (work[c] / (S[e][c].median * 1e6)).toFixed(1);
    lines.push(`effective GFLOP/s (median; ${(work.single / 1e6).toFixed(0)} MFLOP for the single sentence, ` +
      `${(work.batch32 / 1e6).toFixed(0)} MFLOP per batch sentence, ${(work.doc / 1e9).toFixed(1)} GFLOP per document, counted from model.json):`);
    for (const c of CASES) {
      lines.push(`  ${c.padEnd(8)} ${ENGINES.map((e) => `${LABEL[e]} ${rate(e, c)}`).join(', ')}`);
    }
    lines.push('');
  }
  if (cpu) {
    const c = cpu.single;
    lines.push(`reference, TF.js cpu backend (plain JS kernels), single: ${fmt(c.median)} ms median, ${fmt(c.mean)} mean over ${c.iters} calls ` +
      '(batch32 not timed: ~25 s a call here)');
    lines.push('');
  }

  lines.push('details: median / mean / min (samples; calls); ms/sentence, document in ms/document');
  for (const c of CASES) {
    for (const e of ENGINES) {
      const s = S[e][c];
      const what = e !== 'tfjs' && c !== 'doc' ? `${s.samples.length} go test counts, ${s.calls} timed calls` : `${s.samples.length} timed calls`;
      lines.push(`  ${c.padEnd(8)} ${LABEL[e].padEnd(16)} ${fmt(s.median)} / ${fmt(s.mean)} / ${fmt(s.min)}  (${what})`);
    }
  }
  if (fs.existsSync(raw('steps.txt'))) {
    // Other processes' CPU while each engine ran, in cores (of 2): on this
    // machine a busy second core slows the measured one too (shared caches,
    // and perhaps one physical core under the two virtual ones).
    const acc = {};
    for (const line of fs.readFileSync(raw('steps.txt'), 'utf8').trim().split('\n')) {
      const [name, real, user, sys, busy] = line.split(' ');
      const m = name.match(/^(?:go|doc)-(native|purego|simd)-|^tfjs-(wasm)-/);
      if (!m) continue;
      const e = m[1] ?? 'tfjs';
      const a = (acc[e] ??= { real: 0, others: 0 });
      a.real += Number(real);
      a.others += Number(busy) - Number(user) - Number(sys); // /proc/stat counts in 1/100 s: sum, then clamp
    }
    const parts = ENGINES.filter((e) => acc[e]).map((e) => `${LABEL[e]} ${Math.max(0, acc[e].others / acc[e].real).toFixed(2)}`);
    lines.push(`  CPU cores used by other processes while each engine ran (0 = quiet, 1 = the other core busy): ${parts.join(', ')}`);
  }
  lines.push('');
  lines.push('per round, medians: Go native, Go wasm pure-Go, Go wasm SIMD, TF.js-wasm [pure-Go/TF.js, SIMD/TF.js]');
  perRound.forEach((r, i) => {
    const cell = (c) => `${ENGINES.map((e) => fmt(r[e][c])).join(', ')} [${ratio(r.purego[c], r.tfjs[c])}, ${ratio(r.simd[c], r.tfjs[c])}]`;
    lines.push(`  round ${i + 1}: single ${cell('single')}   batch32 ${cell('batch32')}   document ${cell('doc')}`);
  });
  if (o.wall != null) {
    lines.push('');
    lines.push(`run.sh wall time up to this table: ${Math.floor(o.wall / 60)}m${String(o.wall % 60).padStart(2, '0')}s`);
  }
  if (problems.length) {
    lines.push('');
    for (const p of problems) lines.push(`PROBLEM: ${p}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (problems.length) {
    for (const p of problems) console.error(`report.mjs: ${p}`);
    process.exitCode = 1;
  }
}

try {
  main();
} catch (err) {
  console.error(`report.mjs: ${err?.stack ?? err}`);
  process.exit(1);
}
