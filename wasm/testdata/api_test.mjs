// Drives finscore.wasm's JavaScript API under Node with node:test: every
// call answers with a Promise, bad input rejects with a clear message and a
// code, no argument stops the engine, and reports match the native
// scorer's shape.
//
// Usage: node --test wasm/testdata/api_test.mjs  (env FINSCORE_WASM, FINSCORE_MODEL,
// FINSCORE_KERNELS: paths to the engine, the bundle, and kernels.wasm or "off")
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startEngine } from './engine.mjs';

let fs;
before(async () => {
  ({ finscore: fs } = await startEngine());
});

// Go's runtime keeps the event loop alive after main blocks; end the
// process once every test has reported.
after(() => { setTimeout(() => process.exit(), 50); });

test('version', async () => {
  const v = await fs.version();
  assert.match(v, /^finscore \d+\.\d+\.\d+ \(go/);
});

/** rejection resolves to what call() rejected with; it fails if call() resolves. */
async function rejection(call) {
  let result;
  try {
    result = await call();
  } catch (err) {
    assert.ok(err instanceof Error, `rejected with ${err}, not an Error`);
    return err;
  }
  assert.fail(`resolved with ${JSON.stringify(result)?.slice(0, 200)}`);
}

test('calls before load reject', async () => {
  for (const call of [() => fs.score('Shares rose'), () => fs.embed(['x'])]) {
    const err = await rejection(call);
    assert.match(err.message, /no model loaded/);
    assert.equal(err.code, 'engine');
  }
});

test('bad bundles reject with the reason', async () => {
  const model = readFileSync(process.env.FINSCORE_MODEL);
  for (const [bytes, want, code] of [
    [undefined, /^bundle must be a Uint8Array or ArrayBuffer, got nothing$/, 'input'],
    ['not bytes', /^bundle must be a Uint8Array or ArrayBuffer, got string$/, 'input'],
    [new Uint16Array(4), /^bundle must be a Uint8Array or ArrayBuffer, got Uint16Array$/, 'input'],
    [new Uint8Array([1, 2, 3]), /^bundle: /, 'model'],
    [new Uint8Array(model.subarray(0, model.length >> 1)), /truncated/, 'model'],
  ]) {
    const err = await rejection(() => (bytes === undefined ? fs.load() : fs.load(bytes)));
    assert.match(err.message, want);
    assert.equal(err.code, code, err.message);
  }
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

const partsText = 'Profit fell. Revenue rose 5% on demand in Asia. The regulator fined the bank. ' +
  'Shares slipped. Net debt rose to 3.1 times EBITDA. The board approved a buyback.';

/** scoreParts scores text in parts, one scorePart call each. */
async function scoreParts(text, parts, options) {
  const out = [];
  for (let part = 0; part < parts; part++) out.push(await fs.scorePart(text, part, parts, options));
  return out;
}

test('scorePart and assemble give the same report as score', async () => {
  const whole = await fs.score(partsText);
  for (const parts of [1, 2, 3, 8]) {
    const encoded = await scoreParts(partsText, parts);
    assert.ok(encoded.every((p) => p instanceof Uint8Array));
    assert.deepEqual(await fs.assemble(partsText, encoded), whole, `${parts} parts`);
  }
  const explained = await fs.score(partsText, { explain: true });
  assert.deepEqual(await fs.assemble(partsText, await scoreParts(partsText, 3, { explain: true })), explained, 'explained');
  const empty = await fs.score('');
  assert.deepEqual(await fs.assemble('', await scoreParts('', 2)), empty, 'empty text');
});

test('scorePart and assemble reject what does not fit, with code input', async () => {
  const good = await scoreParts(partsText, 2);
  /** edited returns the two parts with the first one's JSON edited. */
  const edited = (from, to) => {
    const json = new TextDecoder().decode(good[0]);
    assert.ok(json.includes(from), `${from} in ${json.slice(0, 200)}`);
    return [new TextEncoder().encode(json.replace(from, to)), good[1]];
  };
  for (const [call, want] of [
    [() => fs.scorePart(partsText, 2, 2), /^part 2 of 2 does not exist/],
    [() => fs.scorePart(partsText, 0.5, 2), /part must be a whole number/],
    [() => fs.scorePart(partsText, '0', 2), /part must be a number, got string/],
    [() => fs.scorePart(partsText, 0, 0), /parts must be a whole number from 1 to 64/],
    [() => fs.assemble(partsText), /^parts must be an array, got nothing$/],
    [() => fs.assemble(partsText, 'x'), /^parts must be an array, got string$/],
    [() => fs.assemble(partsText, [good[0], 'x']), /^parts\[1\] must be a Uint8Array or ArrayBuffer, got string$/],
    [() => fs.assemble(partsText, new Array(65)), /parts.length must be a whole number from 0 to 64/],
    [() => fs.assemble(partsText, [good[0]]), /the parts hold \d+ sentences, the text 6/],
    [() => fs.assemble(partsText, [good[1], good[0]]), /sentence 0 is bytes \d+ to \d+, but the text's sentence 0 is bytes 0 to 12/],
    [() => fs.assemble(partsText + ' More.', good), /part 0 was scored from another text/],
    [() => fs.assemble(partsText, edited('"start":0,', '"start":-5,')), /sentence 0 is bytes -5 to 12/],
    [() => fs.assemble(partsText, edited('"end":12,', '"end":1000000000,')), /sentence 0 is bytes 0 to 1000000000/],
    [() => fs.assemble(partsText, edited('"negative":', '"negative":2,"x":')), /no valid probability|not a distribution/],
    [() => fs.assemble(partsText, [new Uint8Array([123])]), /part 0 is not a part of a document/],
  ]) {
    const err = await rejection(call);
    assert.match(err.message, want);
    assert.equal(err.code, 'input', err.message);
  }
  assert.deepEqual(await fs.assemble(partsText, good), await fs.score(partsText));
});

test('wrong types reject, never crash', async () => {
  for (const [call, want] of [
    [() => fs.score(42), /^text must be a string, got number$/],
    [() => fs.score(), /^text must be a string, got nothing$/],
    [() => fs.score(1n), /^text must be a string, got bigint$/],
    [() => fs.score(Symbol('x')), /^text must be a string, got symbol$/],
    [() => fs.score('x', 'explain'), /^options must be an object, got string$/],
    [() => fs.score('x', 7n), /^options must be an object, got bigint$/],
    [() => fs.score('x', { explain: 'yes' }), /^options.explain must be a boolean, got string$/],
    [() => fs.score('x', { explain: 1n }), /^options.explain must be a boolean, got bigint$/],
    [() => fs.embed('x'), /^texts must be an array, got string$/],
    [() => fs.embed(['ok', 7]), /^texts\[1\] must be a string, got number$/],
    [() => fs.embed({ length: -1 }), /^texts must be an array, got an object that is not one$/],
    [() => fs.embed({ length: 1e9 }), /^texts must be an array/],
    [() => fs.embed(new Array(4097)), /^texts.length must be a whole number from 0 to 4096, got 4097$/],
    [() => fs.embed(['a'.repeat(3 << 20), 'b'.repeat(2 << 20)]), /^texts are larger than 4194304 bytes in all$/],
    [() => fs.score('a'.repeat(4 * 1024 * 1024 + 1)), /larger than/],
  ]) {
    const err = await rejection(call);
    assert.match(err.message, want);
    assert.equal(err.code, 'input', err.message);
    assert.doesNotMatch(err.message, /goroutine|\.go:\d+/, 'no Go stack trace in the message');
  }
  // The engine still works after all of that.
  const r = await fs.score('Profit warning hits shares');
  assert.equal(r.sentences.length, 1);
});

/** detached returns a typed array whose buffer has been transferred away. */
function detached(TypedArray = Uint8Array) {
  const a = new TypedArray(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  assert.equal(a.byteLength, 0);
  return a;
}

test('hostile arguments reject with code input, and the engine keeps working', async () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const throwing = (message) => () => { throw new Error(message); };
  const arrayWith = (i, get) => {
    const a = ['ok', 'fine'];
    Object.defineProperty(a, i, { get });
    return a;
  };
  const oddPrototype = (bytes) => {
    Object.setPrototypeOf(bytes, new Proxy({}, { getPrototypeOf: throwing('prototype trap') }));
    return bytes;
  };
  const cases = [
    ['options with a throwing getter', () => fs.score('x', { get explain() { throw new Error('boom'); } }), /^options.explain cannot be read: boom$/],
    ['options as a throwing Proxy', () => fs.score('x', new Proxy({}, { get: throwing('trap') })), /^options.explain cannot be read: trap$/],
    ['options as a revoked Proxy', () => fs.score('x', revoked()), /^options.explain cannot be read: .*revoked/],
    ['scorePart options with a throwing onProgress getter', () => fs.scorePart('x', 0, 1, { get onProgress() { throw new Error('late'); } }), /^options.onProgress cannot be read: late$/],
    ['a thrown string', () => fs.score('x', { get explain() { throw 'plain'; } }), /^options.explain cannot be read: plain$/], // eslint-disable-line no-throw-literal
    ['a thrown number', () => fs.score('x', { get explain() { throw 42; } }), /^options.explain cannot be read: a number was thrown$/], // eslint-disable-line no-throw-literal
    ['a thrown object whose message throws', () => fs.score('x', { get explain() { throw { get message() { throw new Error('again'); } }; } }), /^options.explain cannot be read: an object was thrown$/], // eslint-disable-line no-throw-literal
    ['an options Proxy whose trap revokes it', () => {
      const { proxy, revoke } = Proxy.revocable({}, { get: () => { revoke(); return true; } });
      return fs.score('x', proxy);
    }, /^options.onProgress cannot be read: .*revoked/],
    ['embed: a length getter that throws', () => fs.embed(new Proxy([], { get: (t, k) => { if (k === 'length') throw new Error('length'); return t[k]; } })), /^texts.length cannot be read: length$/],
    ['embed: an index getter that throws', () => fs.embed(arrayWith(1, throwing('index'))), /^texts\[1\] cannot be read: index$/],
    ['embed: a revoked Proxy', () => fs.embed(revoked()), /^texts cannot be read: .*revoked/],
    ['embed: a length of a string', () => fs.embed(new Proxy([], { get: (t, k) => (k === 'length' ? '3' : t[k]) })), /^texts.length must be a number, got string$/],
    ['embed: a negative length', () => fs.embed(new Proxy([], { get: (t, k) => (k === 'length' ? -1 : t[k]) })), /^texts.length must be a whole number from 0 to 4096, got -1$/],
    ['load: a fake Uint8Array', () => fs.load(Object.create(Uint8Array.prototype)), /^bundle must be a Uint8Array or ArrayBuffer, got object$/],
    ['load: a Uint8Array over a detached buffer', () => fs.load(detached()), /^bundle cannot be read: .*detached/],
    ['load: a detached ArrayBuffer', () => fs.load(detached().buffer), /^bundle cannot be read: .*detached/],
    ['load: a revoked Proxy', () => fs.load(revoked()), /^bundle must be a Uint8Array or ArrayBuffer, got object$/],
    ['load: a Proxy of a Uint8Array', () => fs.load(new Proxy(new Uint8Array(4), {})), /^bundle must be a Uint8Array or ArrayBuffer, got object$/],
    ['assemble: parts over a detached buffer', () => fs.assemble('x', [detached()]), /^parts\[0\] cannot be read: .*detached/],
    ['assemble: parts with a throwing index getter', () => fs.assemble('x', arrayWith(0, throwing('part'))), /^parts\[0\] cannot be read: part$/],
    ['assemble: a part with an odd prototype', () => fs.assemble('x', [oddPrototype(new Uint8Array([1]))]), /^part 0 is not a part of a document/],
  ];
  for (const [name, call, want] of cases) {
    const err = await rejection(call);
    assert.match(err.message, want, name);
    assert.equal(err.code, 'input', `${name}: ${err.message}`);
    const r = await fs.score('Profit warning hits shares');
    assert.equal(r.sentences.length, 1, `${name}: the engine still scores`);
  }
  // A real Uint8Array with an odd prototype is still bytes: read, then refused as a bundle.
  const err = await rejection(() => fs.load(oddPrototype(new Uint8Array([1, 2, 3]))));
  assert.match(err.message, /^bundle: /);
  assert.equal(err.code, 'model');
});

test('lone surrogates are read as U+FFFD', async () => {
  // JavaScript strings may hold lone surrogates; Go's string conversion
  // turns each into U+FFFD, so the text still scores.
  const r = await fs.score('bad \uD800 text');
  assert.equal(r.sentences.length, 1);
});
