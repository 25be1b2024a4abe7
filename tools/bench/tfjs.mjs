// tfjs.mjs times TensorFlow.js on the original Universal Sentence Encoder Lite
// graph, the reference that finscore's Go encoder reimplements.
//
// It loads model.json and its weight shards from local files (no network),
// feeds the token ids of core/encoder/testdata/bench_sentences.json as the
// sparse batch that @tensorflow-models/universal-sentence-encoder@1.3.3's
// embed() builds (indices int32 [N,2] of (row, position), values int32 [N]),
// and times executeAsync({indices, values}) for one sentence (ids[0]) and for
// all 32 sentences in one call.
//
// One timed call = build the two input tensors + executeAsync + read the
// embeddings back (await data()) + dispose, i.e. embed() without the
// tokenizer, since the Go benchmark also starts from token ids.
//
// With --doc FILE (one sentence per line) it also times a whole document end
// to end, as embed() does it: split the text into its lines, tokenize each
// with the reference Tokenizer of
// @tensorflow-models/universal-sentence-encoder@1.3.3 (built once from the
// model's vocab.json, before timing), then one call as above for all of
// them. The ids and embeddings of the document go into the --json output, so
// that report.mjs can check them against the Go engine's.
//
// Usage:
//   node tfjs.mjs --backend wasm|cpu --model DIR --ids FILE [--seconds S]
//                 [--min-iters N] [--warmup N] [--single-only] [--doc FILE]
//                 [--json OUT] [--kernels]
//
// --kernels skips the timing and prints where TF.js's own time goes instead:
// tf.profile's kernel times, summed by kernel, for the single sentence and
// the batch (profiling synchronises after every kernel, so the sums run a
// little above the timed figures).
//
// Each measurement warms up (--warmup calls; a quarter of that for the batch
// and the document), then times calls one by one until both --min-iters
// calls (a quarter for the batch and the document, at least 5) and --seconds
// of wall time have passed.
//
// It prints a short human report on stderr and, with --json, writes the
// figures (median, mean, min, per-sentence) and the backend's configuration.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// The reference tokenizer, from its dist/ file as tools/golden does (the
// package index would also load the QnA model code).
const USE_TOKENIZER = '@tensorflow-models/universal-sentence-encoder/dist/tokenizer';

// Record which .wasm binary the backend reads: Emscripten loads it with fs in
// Node, so this tells for certain whether the SIMD and/or threaded build runs.
const wasmFilesRead = [];
for (const name of ['readFileSync', 'readFile']) {
  const orig = fs[name];
  fs[name] = function (file, ...rest) {
    if (typeof file === 'string' && file.endsWith('.wasm')) wasmFilesRead.push(path.basename(file));
    return orig.call(this, file, ...rest);
  };
}

function parseArgs(argv) {
  const opts = { backend: 'wasm', seconds: 3, minIters: 40, warmup: 10, singleOnly: false, model: null, ids: null, doc: null, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--backend': opts.backend = next(); break;
      case '--model': opts.model = next(); break;
      case '--ids': opts.ids = next(); break;
      case '--seconds': opts.seconds = Number(next()); break;
      case '--min-iters': opts.minIters = Number(next()); break;
      case '--warmup': opts.warmup = Number(next()); break;
      case '--json': opts.json = next(); break;
      case '--doc': opts.doc = next(); break;
      case '--single-only': opts.singleOnly = true; break;
      case '--kernels': opts.kernels = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!['wasm', 'cpu'].includes(opts.backend)) throw new Error(`--backend must be wasm or cpu, not ${opts.backend}`);
  if (!opts.model || !opts.ids) throw new Error('--model and --ids are required');
  if (opts.doc && opts.singleOnly) throw new Error('--doc and --single-only do not go together');
  for (const k of ['seconds', 'minIters', 'warmup']) {
    if (!Number.isFinite(opts[k]) || opts[k] < 0) throw new Error(`bad --${k}: ${opts[k]}`);
  }
  return opts;
}

// localGraphModel is a tf.io.IOHandler that reads a TF.js graph model from a
// directory: model.json plus the shards its weightsManifest names, in order.
function localGraphModel(dir) {
  return {
    async load() {
      const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const weightSpecs = [];
      const buffers = [];
      for (const group of modelJSON.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return {
        modelTopology: modelJSON.modelTopology,
        format: modelJSON.format,
        generatedBy: modelJSON.generatedBy,
        convertedBy: modelJSON.convertedBy,
        signature: modelJSON.signature,
        userDefinedMetadata: modelJSON.userDefinedMetadata,
        weightSpecs,
        weightData,
      };
    },
  };
}

// embedInputs builds the sparse input exactly as UniversalSentenceEncoder.embed
// does in @tensorflow-models/universal-sentence-encoder@1.3.3.
function embedInputs(tf, encodings) {
  const indicesArr = encodings.map((arr, i) => arr.map((d, index) => [i, index]));
  let flattenedIndicesArr = [];
  for (let i = 0; i < indicesArr.length; i++) {
    flattenedIndicesArr = flattenedIndicesArr.concat(indicesArr[i]);
  }
  const indices = tf.tensor2d(flattenedIndicesArr, [flattenedIndicesArr.length, 2], 'int32');
  const values = tf.tensor1d(tf.util.flatten(encodings), 'int32');
  return { indices, values };
}

async function embed(tf, model, encodings) {
  const inputs = embedInputs(tf, encodings);
  const out = await model.executeAsync(inputs);
  inputs.indices.dispose();
  inputs.values.dispose();
  const data = await out.data();
  const shape = out.shape;
  out.dispose();
  return { data, shape };
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(s.length - 1, 1));
  return { iters: s.length, median, mean, min: s[0], max: s[s.length - 1], sd };
}

// timeCalls warms up, then calls fn until both minIters calls and `seconds`
// of wall time have passed, timing each call on its own.
async function timeCalls(fn, { warmup, minIters, seconds }) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (ms.length < minIters || performance.now() - t0 < seconds * 1000) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ...stats(ms), cpuPerWall: (cpu.user + cpu.system) / 1000 / wall, samples: ms.map((v) => +v.toFixed(3)) };
}

function checkEmbeddings({ data, shape }, n) {
  if (shape.length !== 2 || shape[0] !== n || shape[1] !== 512) {
    throw new Error(`embeddings of shape [${shape}], want [${n},512]`);
  }
  for (let r = 0; r < n; r++) {
    let sq = 0;
    for (let j = 0; j < 512; j++) sq += data[r * 512 + j] ** 2;
    if (!(Math.abs(Math.sqrt(sq) - 1) < 1e-3)) throw new Error(`row ${r} has norm ${Math.sqrt(sq)}, want 1`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (...a) => console.error(`[tfjs-${opts.backend}]`, ...a);

  const tf = require('@tensorflow/tfjs-core');
  const { loadGraphModel } = require('@tensorflow/tfjs-converter');
  let wasmBackend = null;
  if (opts.backend === 'wasm') {
    wasmBackend = require('@tensorflow/tfjs-backend-wasm');
  } else {
    require('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(opts.backend))) throw new Error(`backend ${opts.backend} did not initialise`);
  await tf.ready();

  const config = {
    backend: tf.getBackend(),
    tfjsVersion: tf.version_core,
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    logicalCores: os.cpus().length,
  };
  if (wasmBackend) {
    config.wasmHasSimdSupport = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    config.wasmHasMultithreadSupport = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    config.wasmThreadsCount = wasmBackend.getThreadsCount();
    config.wasmBinary = [...new Set(wasmFilesRead)].join(',') || 'unknown';
  }
  log('config', JSON.stringify(config));

  const { ids } = JSON.parse(fs.readFileSync(opts.ids, 'utf8'));
  if (!Array.isArray(ids) || ids.length === 0) throw new Error(`${opts.ids}: no "ids"`);

  const tl = performance.now();
  const model = await loadGraphModel(localGraphModel(opts.model));
  const loadMs = performance.now() - tl;
  log(`model loaded in ${loadMs.toFixed(0)} ms`);

  const single = [ids[0]];
  const batch = ids;
  // Check the outputs once: unit-norm 512-d rows, and the batch's first row
  // is the single sentence's embedding.
  const one = await embed(tf, model, single);
  checkEmbeddings(one, 1);
  if (!opts.singleOnly) {
    const all = await embed(tf, model, batch);
    checkEmbeddings(all, batch.length);
    let dot = 0;
    for (let j = 0; j < 512; j++) dot += one.data[j] * all.data[j];
    if (!(dot > 0.9999)) throw new Error(`single vs batch row 0: cosine ${dot}`);
  }
  if (opts.kernels) {
    for (const [label, encodings] of [['single', single], [`batch${batch.length}`, batch]]) {
      if (label !== 'single' && opts.singleOnly) continue;
      for (let i = 0; i < 3; i++) await embed(tf, model, encodings); // warm up
      const prof = await tf.profile(() => embed(tf, model, encodings));
      const byKernel = new Map();
      for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + k.kernelTimeMs);
      const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
      const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(`TF.js-${opts.backend} kernels, ${label}: ${total.toFixed(1)} ms in ${prof.kernels.length} kernel calls; ` +
        top.map(([n, ms]) => `${n} ${((100 * ms) / total).toFixed(0)}%`).join(', '));
    }
    return;
  }
  const tensorsBefore = tf.memory().numTensors;

  const results = { config, loadMs, sentences: batch.length, tokens: batch.reduce((a, s) => a + s.length, 0) };
  results.single = await timeCalls(() => embed(tf, model, single), opts);
  log(`single: median ${results.single.median.toFixed(2)} ms, mean ${results.single.mean.toFixed(2)} ms over ${results.single.iters} calls`);
  if (!opts.singleOnly) {
    results.batch = await timeCalls(() => embed(tf, model, batch), {
      ...opts,
      warmup: Math.max(1, Math.ceil(opts.warmup / 4)),
      minIters: Math.max(5, Math.ceil(opts.minIters / 4)),
    });
    results.batch.perSentenceMedian = results.batch.median / batch.length;
    results.batch.perSentenceMean = results.batch.mean / batch.length;
    log(`batch${batch.length}: median ${results.batch.median.toFixed(1)} ms (${results.batch.perSentenceMedian.toFixed(2)} ms/sentence), ` +
      `mean ${results.batch.mean.toFixed(1)} ms over ${results.batch.iters} calls`);
  }

  if (opts.doc) {
    // Tokenizer construction is loading, as in the reference's load(); the
    // timed call starts from the document's text.
    const tt = performance.now();
    const { Tokenizer } = require(USE_TOKENIZER);
    const tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(path.join(opts.model, 'vocab.json'), 'utf8')));
    const tokenizerMs = performance.now() - tt;
    const text = fs.readFileSync(opts.doc, 'utf8');
    const sentences = (doc) => doc.split('\n').map((s) => s.trim()).filter((s) => s !== '');
    const embedDocument = () => embed(tf, model, sentences(text).map((s) => tokenizer.encode(s)));
    const ids = sentences(text).map((s) => tokenizer.encode(s));
    const t1 = performance.now();
    const first = await embedDocument();
    const firstMs = performance.now() - t1;
    checkEmbeddings(first, ids.length);
    const doc = await timeCalls(embedDocument, {
      ...opts,
      warmup: Math.max(1, Math.ceil(opts.warmup / 4)),
      minIters: Math.max(5, Math.ceil(opts.minIters / 4)),
    });
    const tokenize = [];
    for (let i = 0; i < Math.max(5, doc.iters); i++) {
      const t = performance.now();
      sentences(text).map((s) => tokenizer.encode(s));
      tokenize.push(performance.now() - t);
    }
    results.doc = {
      ...doc, sentences: ids.length, tokens: ids.reduce((a, s) => a + s.length, 0), firstMs, tokenizerMs,
      tokenizeMs: stats(tokenize), ids,
      embeddings: Array.from({ length: ids.length }, (_, r) => Array.from(first.data.subarray(r * 512, (r + 1) * 512))),
    };
    log(`document: ${ids.length} sentences, ${results.doc.tokens} tokens: median ${doc.median.toFixed(1)} ms, ` +
      `mean ${doc.mean.toFixed(1)} ms over ${doc.iters} calls (tokenize ${results.doc.tokenizeMs.median.toFixed(2)} ms)`);
  }

  if (tf.memory().numTensors !== tensorsBefore) {
    throw new Error(`tensor leak: ${tensorsBefore} tensors before timing, ${tf.memory().numTensors} after`);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(results, null, 1) + '\n');
}

main().catch((err) => {
  console.error(`tfjs.mjs: ${err?.stack ?? err}`);
  process.exit(1);
});
