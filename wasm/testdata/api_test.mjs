// Drives finscore.wasm's JavaScript API under Node with node:test: every
// call answers with a Promise, bad input rejects with a clear message, and
// reports match the native scorer's shape.
//
// Usage: node --test wasm/testdata/api_test.mjs  (env FINSCORE_WASM, FINSCORE_MODEL,
// FINSCORE_KERNELS: paths to the engine, the bundle, and kernels.wasm or "off")
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { kernelHost } from '../../web/kernel-host.mjs';

const goroot = execFileSync('go', ['env', 'GOROOT']).toString().trim();
createRequire(import.meta.url)(`${goroot}/lib/wasm/wasm_exec.js`);

const kernelsPath = process.env.FINSCORE_KERNELS ?? '';
const kernels = kernelHost(kernelsPath && kernelsPath !== 'off' && existsSync(kernelsPath) ? readFileSync(kernelsPath) : null);

let fs;
before(async () => {
  const go = new Go();
  go.importObject.finscore_kernels = kernels.imports;
  const ready = new Promise((resolve) => { globalThis.onFinscoreReady = resolve; });
  const { instance } = await WebAssembly.instantiate(readFileSync(process.env.FINSCORE_WASM), go.importObject);
  await kernels.attach(instance);
  go.run(instance);
  await ready;
  fs = globalThis.finscore;
});

// Go's runtime keeps the event loop alive after main blocks; end the
// process once every test has reported.
after(() => { setTimeout(() => process.exit(), 50); });

test('version', async () => {
  const v = await fs.version();
  assert.match(v, /^finscore \d+\.\d+\.\d+ \(go/);
});

test('calls before load reject', async () => {
  await assert.rejects(fs.score('Shares rose'), /no model loaded/);
  await assert.rejects(fs.embed(['x']), /no model loaded/);
});

test('bad bundles reject with the reason', async () => {
  await assert.rejects(fs.load(), /bundle must be a Uint8Array or ArrayBuffer, got nothing/);
  await assert.rejects(fs.load('not bytes'), /bundle must be a Uint8Array or ArrayBuffer, got string/);
  await assert.rejects(fs.load(new Uint8Array([1, 2, 3])), /bundle: /);
  const model = readFileSync(process.env.FINSCORE_MODEL);
  await assert.rejects(fs.load(new Uint8Array(model.subarray(0, model.length >> 1))), /truncated/);
});

test('load, then score and embed', async () => {
  const model = readFileSync(process.env.FINSCORE_MODEL);
  const bytes = model.buffer.slice(model.byteOffset, model.byteOffset + model.length); // an ArrayBuffer
  const info = await fs.load(bytes);
  assert.deepEqual(info.labels, ['negative', 'neutral', 'positive']);
  assert.ok(info.categories.length >= 8 && info.categories.every((c) => c.id && c.label));

  const text = 'Northwind Bank warned that loan defaults are rising. Moody\'s cut its rating and the shares fell 12%.';
  const r = await fs.score(text, { explain: true });
  assert.equal(r.sentences.length, 2);
  assert.ok(['negative', 'neutral', 'positive'].includes(r.sentiment.label));
  assert.ok(['low', 'medium', 'high'].includes(r.risk.level));
  assert.ok(r.sentiment.signal >= -1 && r.sentiment.signal <= 1);
  assert.equal(text.slice(r.sentences[0].start, r.sentences[0].end), r.sentences[0].text); // ASCII: bytes = chars
  assert.ok(r.sentences[0].drivers.length > 0);
  assert.match(r.summary, /risk/);

  const empty = await fs.score('');
  assert.equal(empty.sentences.length, 0);
  assert.equal(empty.summary, 'No text to score.');

  const e = await fs.embed(['Profit warning hits shares', '']);
  assert.equal(e.embeddings.length, 2);
  assert.equal(e.embeddings[0].length, 512);
  assert.deepEqual(e.ids[1], []);
});

test('onProgress reports sentences done, in order, up to the total', async () => {
  const text = Array.from({ length: 70 }, (_, i) => `Revenue rose ${i + 1}% in the quarter.`).join(' ');
  const calls = [];
  const r = await fs.score(text, { onProgress: (done, total) => calls.push([done, total]) });
  assert.equal(r.sentences.length, 70);
  assert.deepEqual(calls, [[0, 70], [32, 70], [64, 70], [70, 70]]); // the total, then one call per batch of 32
  // A callback that throws does not lose the report.
  const r2 = await fs.score('Shares fell.', { onProgress: () => { throw new Error('boom'); } });
  assert.equal(r2.sentences.length, 1);
  await assert.rejects(fs.score('x', { onProgress: 'yes' }), /options.onProgress must be a function/);
});

test('scorePart and assemble give the same report as score', async () => {
  const text = 'Profit fell. Revenue rose 5% on demand in Asia. The regulator fined the bank. ' +
    'Shares slipped. Net debt rose to 3.1 times EBITDA. The board approved a buyback.';
  const whole = await fs.score(text);
  for (const parts of [1, 2, 3, 8]) {
    const sentences = [];
    for (let part = 0; part < parts; part++) sentences.push(...await fs.scorePart(text, part, parts));
    assert.deepEqual(await fs.assemble(sentences), whole, `${parts} parts`);
  }
  await assert.rejects(fs.scorePart(text, 2, 2), /part must be a whole number from 0 to 63|part 2 of 2 does not exist/);
  await assert.rejects(fs.scorePart(text, 0.5, 2), /part must be a whole number/);
  await assert.rejects(fs.scorePart(text, '0', 2), /part must be a number, got string/);
  await assert.rejects(fs.scorePart(text, 0, 0), /parts must be a whole number from 1 to 64/);
  await assert.rejects(fs.assemble('x'), /sentences must be an array/);
  await assert.rejects(fs.assemble([{ sentiment: { probs: { negative: 2 } } }]), /no valid probability/);
  const cyclic = []; cyclic.push(cyclic);
  await assert.rejects(fs.assemble(cyclic), /sentences cannot be read/);
});

test('wrong types reject, never crash', async () => {
  await assert.rejects(fs.score(42), /text must be a string, got number/);
  await assert.rejects(fs.score(), /text must be a string, got nothing/);
  await assert.rejects(fs.score('x', 'explain'), /options must be an object/);
  await assert.rejects(fs.score('x', { explain: 'yes' }), /options.explain must be a boolean/);
  await assert.rejects(fs.embed('x'), /texts must be an array of strings/);
  await assert.rejects(fs.embed(['ok', 7]), /texts\[1\] must be a string/);
  await assert.rejects(fs.score('a'.repeat(4 * 1024 * 1024 + 1)), /larger than/);
  // The engine still works after all of that.
  const r = await fs.score('Profit warning hits shares');
  assert.equal(r.sentences.length, 1);
});

test('lone surrogates are read as U+FFFD', async () => {
  // JavaScript strings may hold lone surrogates; Go's string conversion
  // turns each into U+FFFD, so the text still scores.
  const r = await fs.score('bad \uD800 text');
  assert.equal(r.sentences.length, 1);
});
