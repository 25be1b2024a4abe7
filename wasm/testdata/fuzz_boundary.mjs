// fuzz_boundary.mjs throws random argument shapes at finscore.wasm's
// JavaScript API under Node: primitives of every type, objects with
// throwing getters, Proxies (throwing, revoked, self-revoking), arrays and
// array-likes, typed arrays over live and detached buffers, real and
// damaged parts, re-entrant callbacks. Every call must answer with a
// Promise that resolves, or rejects with an Error that has a known code and
// no Go stack trace; and after every call a known sentence must still score
// exactly as it did at the start.
//
//   node wasm/testdata/fuzz_boundary.mjs   (through TestBoundaryFuzz: go test ./wasm)
//
// Environment: FINSCORE_WASM, FINSCORE_MODEL, FINSCORE_KERNELS (as for
// api_test.mjs); FUZZ_SEED (default: random, printed); FUZZ_CALLS (default
// 300) or FUZZ_SECONDS (run until then; wins over FUZZ_CALLS).
import { readFileSync } from 'node:fs';
import { startEngine } from './engine.mjs';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const calls = Number(process.env.FUZZ_CALLS ?? 300);
const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
const CODES = new Set(['input', 'model', 'engine']);

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function generator(s) {
  return () => {
    s = (s + 0x6D2B79F5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = generator(seed);
const int = (n) => Math.floor(random() * n);
const pick = (xs) => xs[int(xs.length)];

const WORDS = ['Profit', 'fell', 'rose', '5%', 'the', 'bank', 'warned', 'of', 'default', 'Café', '🚀', '$AAPL', 'U.S.', 'e.g.', '\uD800', '\n', '…', '"', 'a'];
function text(most = 40) {
  const words = Array.from({ length: int(most) }, () => pick(WORDS));
  return words.map((w) => w + pick([' ', ' ', '. ', '! ', '\n', ''])).join('');
}

function detached() {
  const a = new Uint8Array(1 + int(16));
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

function thrown() {
  return pick([
    () => new Error('thrown by a getter'),
    () => 'a string',
    () => 42,
    () => undefined,
    () => ({ get message() { throw new Error('message getter'); } }),
    () => revoked(),
    () => 7n,
  ])();
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable(pick([{}, [], new Uint8Array(4)]), {});
  revoke();
  return proxy;
}

/** hostile wraps target so that reading it runs code that may throw or lie. */
function hostile(target) {
  return pick([
    () => new Proxy(target, { get() { throw thrown(); } }),
    () => new Proxy(target, { get: (t, k) => (random() < 0.5 ? value(1) : Reflect.get(t, k)) }),
    () => new Proxy(target, { getPrototypeOf() { throw thrown(); } }),
    () => {
      const { proxy, revoke } = Proxy.revocable(target, { get: (t, k) => { revoke(); return Reflect.get(t, k); } });
      return proxy;
    },
    () => revoked(),
    () => {
      const o = Array.isArray(target) ? [...target] : { ...target };
      const key = pick(['explain', 'onProgress', Array.isArray(o) ? 2 : 'length', 0, 1, 'then']); // an array's length cannot be a getter
      Object.defineProperty(o, key, { get() { throw thrown(); }, configurable: true });
      return o;
    },
    () => {
      Object.setPrototypeOf(target, new Proxy({}, { get() { throw thrown(); }, getPrototypeOf() { throw thrown(); } }));
      return target;
    },
  ])();
}

function bytes() {
  return pick([
    () => new Uint8Array(Array.from({ length: int(64) }, () => int(256))),
    () => detached(),
    () => detached().buffer,
    () => new Uint8Array(int(8)).buffer,
    () => new Uint16Array(int(8)),
    () => new DataView(new ArrayBuffer(4)),
    () => Object.create(Uint8Array.prototype),
    () => hostile(new Uint8Array(int(8))),
    () => new TextEncoder().encode(pick(['{', '{"checksum":0,"sentences":[]}', '[]', 'null', '{"sentences":[{"start":-5,"end":1e9}]}'])),
  ])();
}

/** value makes a random JavaScript value, nested up to depth. */
function value(depth = 2) {
  const leaf = [
    () => undefined, () => null, () => random() < 0.5,
    () => pick([0, -0, -1, 0.5, 1, 2, 63, 64, 65, 4096, 4097, 1e9, 2 ** 53, -(2 ** 31), NaN, Infinity, -Infinity]),
    () => BigInt(int(100)), () => Symbol('s'), () => text(), () => '', () => bytes(),
    () => () => { throw thrown(); }, () => (done, total) => done + total, () => new Date(0),
    () => reentrant,
  ];
  if (depth <= 0) return pick(leaf)();
  return pick([
    ...leaf,
    () => Array.from({ length: int(5) }, () => value(depth - 1)),
    () => Array.from({ length: int(5) }, () => text(8)),
    () => ({ explain: value(depth - 1), onProgress: value(depth - 1) }),
    () => ({ length: value(0), 0: value(depth - 1) }),
    () => new Array(pick([0, 1, 4096, 4097, 100000])),
    () => hostile(pick([{ explain: true }, ['a', 'b'], { length: 1, 0: 'x' }])),
  ])();
}

// A callback that calls the engine again while it is scoring; its promises
// are settled and ignored.
function reentrant() {
  globalThis.finscore.score(text(5)).catch(() => {});
  globalThis.finscore.embed(value(1)).catch(() => {});
}

const CANARY = 'Profit warning hits shares';

async function main() {
  const { finscore } = await startEngine();
  await finscore.load(readFileSync(process.env.FINSCORE_MODEL));
  const expected = (await finscore.score(CANARY)).sentiment.signal;
  const partsText = 'Profit fell. Revenue rose 5%. The bank warned of default.';
  const realParts = [await finscore.scorePart(partsText, 0, 2), await finscore.scorePart(partsText, 1, 2)];
  const damaged = () => realParts.map((p) => {
    const q = p.slice();
    if (q.length > 0 && random() < 0.7) q[int(q.length)] = int(256);
    return random() < 0.2 ? q.subarray(0, int(q.length)) : q;
  });

  const FUNCTIONS = {
    version: () => [],
    load: () => [pick([bytes, value])()],
    score: () => [pick([text, value])(), value()],
    scorePart: () => [pick([text, value])(), pick([0, 1, int(70), value(0)]), pick([1, 2, int(70), value(0)]), value()],
    assemble: () => [pick([() => partsText, text, value])(), pick([() => realParts, damaged, () => [...realParts].reverse(), value])()],
    embed: () => [pick([() => Array.from({ length: int(6) }, () => text(10)), value])()],
  };
  const started = Date.now();
  let n = 0;
  for (; seconds > 0 ? Date.now() - started < seconds * 1000 : n < calls; n++) {
    const name = pick(Object.keys(FUNCTIONS));
    const args = FUNCTIONS[name]().slice(0, int(6));
    const where = `seed ${seed}, call ${n}: finscore.${name} with ${args.length} argument(s)`;
    let promise;
    try {
      promise = finscore[name](...args);
    } catch (err) {
      throw new Error(`${where} threw instead of returning a Promise: ${err}`);
    }
    if (!(promise instanceof Promise)) throw new Error(`${where} returned ${typeof promise}, not a Promise`);
    try {
      await promise;
    } catch (err) {
      if (!(err instanceof Error)) throw new Error(`${where} rejected with ${typeof err}, not an Error`);
      if (!CODES.has(err.code)) throw new Error(`${where} rejected with code ${err.code}: ${err.message}`);
      if (/goroutine \d+|\.go:\d+/.test(err.message)) throw new Error(`${where}: a Go stack trace in the message: ${err.message}`);
      if (err.code === 'engine' && !/no model loaded/.test(err.message)) throw new Error(`${where}: an engine error: ${err.message}`);
    }
    const canary = await finscore.score(CANARY).catch((err) => { throw new Error(`${where} left the engine broken: ${err.message ?? err}`); });
    if (canary.sentiment.signal !== expected) throw new Error(`${where} changed the canary's signal: ${canary.sentiment.signal} != ${expected}`);
  }
  console.log(`fuzz_boundary: seed ${seed}: ${n} calls, the engine answered every one and still scores`);
}

// Go's runtime keeps the event loop alive after main blocks: exit explicitly.
main().then(() => process.exit(0), (err) => {
  console.error(`fuzz_boundary: seed ${seed} (FUZZ_SEED=${seed} replays it): ${err.stack ?? err}`);
  process.exit(1);
});
