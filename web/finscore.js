// finscore.js: score financial text for sentiment and risk, entirely on this
// device. The engine (finscore.wasm, Go compiled to WebAssembly) runs in Web
// Workers, so the page never freezes; every file comes from the same origin
// as this module, and no text ever leaves the browser.
//
//   import { createScorer } from './finscore.js';
//   const scorer = await createScorer({ onProgress: (p) => console.log(p.phase, p.fraction) });
//   const report = await scorer.score('Shares fell 12% after the profit warning.');
//   report.sentiment.label;   // "negative"
//   report.risk.level;        // "none" | "low" | "medium" | "high"
//
// A report is a plain object, the same as `finscore score` writes (see the
// README), plus `timing` ({engine_ms, total_ms, workers}). Loading leaves the User
// Timing marks finscore:downloaded and finscore:ready.

import { simdSupported } from './kernel-host.mjs';

const HERE = new URL('.', import.meta.url);

/** The files createScorer loads, relative to baseURL. */
export const FILES = Object.freeze({
  engine: 'finscore.wasm',
  kernels: 'kernels.wasm',
  model: 'finscore.fsb',
  worker: 'worker.js',
});

/**
 * FinscoreError is every error this module rejects with. code says what
 * kind: "unsupported" (no WebAssembly or Web Workers), "download" (a file
 * failed to load), "engine" (the engine failed or rejected the model),
 * "input" (bad text or options), "cancelled" (cancel() or an AbortSignal).
 */
export class FinscoreError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'FinscoreError';
    this.code = code;
  }
}

/**
 * createScorer downloads the engine and the model (streamed, with
 * progress), starts the first Web Workers and resolves once they are warm
 * (each has scored a short text), so that the first text is scored at
 * full speed.
 *
 * @param {object} [options]
 * @param {string|URL} [options.baseURL] where the files are; default: this module's folder
 * @param {string} [options.model] the model bundle's file name; default "finscore.fsb"
 * @param {(p: Progress) => void} [options.onProgress] loading progress:
 *   {phase: "download"|"start", loaded, total (bytes; total is null when unknown), fraction (0..1 or null)}
 * @param {AbortSignal} [options.signal] cancels loading
 * @param {number} [options.workers] most Web Workers to use in parallel (a long text
 *   is shared by them, scoreMany spreads its texts over them); default
 *   min(4, navigator.hardwareConcurrency). Each holds its own copy of the model
 *   (about 60 MB of memory). Two start with the scorer; more when a long text
 *   or scoreMany can use them.
 * @returns {Promise<Scorer>}
 */
export async function createScorer(options = {}) {
  const { onProgress, signal } = options;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.compile !== 'function') {
    throw new FinscoreError('unsupported', 'This browser cannot run WebAssembly, which finscore needs. ' +
      'Use a current Chrome, Edge, Firefox or Safari, and check that WebAssembly is not disabled by policy.');
  }
  if (typeof Worker !== 'function') {
    throw new FinscoreError('unsupported', 'This browser has no Web Workers, which finscore needs.');
  }
  const base = new URL(options.baseURL ?? HERE, globalThis.document?.baseURI ?? globalThis.location?.href);
  const urls = {
    engine: new URL(FILES.engine, base),
    kernels: new URL(FILES.kernels, base),
    model: new URL(options.model ?? FILES.model, base),
    worker: new URL(FILES.worker, base),
  };
  const maxWorkers = Math.max(1, Math.floor(options.workers ?? Math.min(4, globalThis.navigator?.hardwareConcurrency || 1)));

  const progress = new DownloadProgress(onProgress);
  // The first workers start now, so that their scripts load during the
  // downloads; the engine compiles while it downloads.
  const pool = new Pool({ workerURL: urls.worker, maxWorkers, cores: globalThis.navigator?.hardwareConcurrency || 1 });
  try {
    const [engine, kernels, model] = await Promise.all([
      compileWhileDownloading(urls.engine, progress, signal),
      simdSupported() ? download(urls.kernels, progress, signal).then((b) => WebAssembly.compile(b)).catch(() => null) : null,
      download(urls.model, progress, signal),
    ]);
    mark('finscore:downloaded');
    report(onProgress, { phase: 'start', loaded: progress.loaded, total: progress.total, fraction: 1 });
    // A missing or broken kernels.wasm is not an error: the engine then
    // runs its pure-Go kernels. Ready means warm: the first engines have
    // each scored a short text (Pool.start).
    const first = await pool.start({ engine, kernels, model }, signal);
    mark('finscore:ready');
    return new Scorer(pool, first);
  } catch (err) {
    pool.close();
    throw err;
  }
}

/**
 * A Scorer scores texts with the loaded model. Create one with createScorer.
 */
export class Scorer {
  #pool;
  constructor(pool, first) {
    this.#pool = pool;
    /** The model: {name, source, license, labels, categories}. */
    this.model = first.info;
    /** The engine's version string. */
    this.version = first.version;
    /** Whether the WebAssembly SIMD kernels are active, or why not. */
    this.kernels = first.kernels;
    /** The first worker's start: {engine_ms (instantiate and start Go), model_ms (load the model), memory_mb, warm_ms (its warm-up scores)}. */
    this.startup = first.startup;
  }

  /**
   * score scores one text: every sentence, then the whole. A long text is
   * shared by every warm worker, up to `workers`.
   * @param {string} text up to 4 MiB of UTF-8
   * @param {{explain?: boolean, onProgress?: (done: number, total: number) => void, signal?: AbortSignal}} [options]
   *   explain adds each sentence's driving words (slower); onProgress is called as
   *   sentences are scored; signal cancels.
   * @returns {Promise<object>} the report
   */
  async score(text, options = {}) {
    checkText(text, 'text');
    const { explain = false, onProgress, signal } = checkOptions(options);
    const started = performance.now();
    const want = Math.min(this.#pool.maxWorkers, Math.floor(text.length / CHARS_PER_PART));
    const parts = want < 2 ? 1 : Math.max(1, Math.min(want, this.#pool.readyCount()));
    this.#pool.begin();
    try {
      const job = parts === 1
        ? this.#pool.run({ type: 'score', text, explain }, { onProgress, signal }).then((r) => ({ report: r.result, engineMs: r.engineMs }))
        : this.#scoreInParts(text, parts, explain, onProgress, signal);
      // The pool may start the rest, in the background, for the texts that follow.
      if (want >= 2) this.#pool.want(want);
      const { report, engineMs } = await job;
      report.timing = { engine_ms: round(engineMs), total_ms: round(performance.now() - started), workers: parts };
      return report;
    } finally {
      this.#pool.end();
    }
  }

  /**
   * #scoreInParts has each of `parts` workers score a run of the text's
   * sentences (the engine cuts them the same way in each), then one worker
   * assembles the report: the same report one worker makes, sooner.
   */
  async #scoreInParts(text, parts, explain, onProgress, signal) {
    const done = new Array(parts).fill(0);
    const totals = new Array(parts).fill(null);
    const progress = (i) => (d, t) => {
      done[i] = d;
      totals[i] = t;
      if (onProgress && totals.every((x) => x !== null)) {
        onProgress(done.reduce((a, b) => a + b), totals.reduce((a, b) => a + b));
      }
    };
    const runs = await Promise.all(Array.from({ length: parts }, (_, part) =>
      this.#pool.run({ type: 'scorePart', text, part, parts, explain }, { onProgress: progress(part), signal })));
    // Each part is bytes (the engine's encoding of its sentences' scores).
    const assembled = await this.#pool.run({ type: 'assemble', text, parts: runs.map((r) => r.result) }, { signal });
    return { report: assembled.result, engineMs: Math.max(...runs.map((r) => r.engineMs)) + assembled.engineMs };
  }

  /**
   * scoreMany scores many texts, spread over up to `workers` Web Workers.
   * One bad item does not stop the rest: its entry is {error: message}.
   * @param {string[]} texts
   * @param {{explain?: boolean, onProgress?: (done: number, total: number) => void, signal?: AbortSignal}} [options]
   *   onProgress counts texts done.
   * @returns {Promise<Array<object>>} one report (or {error}) per text, in order
   */
  async scoreMany(texts, options = {}) {
    if (!Array.isArray(texts)) throw new FinscoreError('input', `texts must be an array of strings, got ${typeName(texts)}`);
    texts.forEach((t, i) => checkText(t, `texts[${i}]`));
    const { explain = false, onProgress, signal } = checkOptions(options);
    const results = new Array(texts.length);
    let next = 0;
    let done = 0;
    const lanes = Math.min(this.#pool.maxWorkers, texts.length);
    this.#pool.begin();
    const lane = async () => {
      while (next < texts.length) {
        const i = next++;
        try {
          const started = performance.now();
          const { result: report, engineMs } = await this.#pool.run({ type: 'score', text: texts[i], explain }, { signal });
          report.timing = { engine_ms: round(engineMs), total_ms: round(performance.now() - started), workers: 1 };
          results[i] = report;
        } catch (err) {
          if (err.code === 'cancelled' || signal?.aborted) throw err;
          results[i] = { error: err.message };
        }
        done++;
        if (onProgress) onProgress(done, texts.length);
      }
    };
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      this.#pool.end();
    }
    return results;
  }

  /** cancel stops everything running or queued; their promises reject with code "cancelled". */
  cancel() {
    this.#pool.cancelAll();
  }

  /** close ends the workers and frees their memory; the scorer cannot be used after. */
  close() {
    this.#pool.close();
  }
}

// --- loading ---------------------------------------------------------------

/** DownloadProgress sums the bytes of parallel downloads. */
class DownloadProgress {
  constructor(onProgress) {
    this.onProgress = onProgress;
    this.files = new Map();
  }
  get loaded() {
    let n = 0;
    for (const f of this.files.values()) n += f.loaded;
    return n;
  }
  get total() {
    let n = 0;
    for (const f of this.files.values()) {
      if (f.total == null) return null;
      n += f.total;
    }
    return n;
  }
  update(url, loaded, total) {
    this.files.set(url.href, { loaded, total });
    const t = this.total;
    report(this.onProgress, { phase: 'download', loaded: this.loaded, total: t, fraction: t ? Math.min(1, this.loaded / t) : null });
  }
}

/** download fetches url into an ArrayBuffer, reporting bytes as they arrive. */
async function download(url, progress, signal) {
  const body = await fetchBody(url, progress, signal);
  const chunks = [];
  let loaded = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * compileWhileDownloading compiles a WebAssembly module as its bytes
 * arrive (WebAssembly.compileStreaming), reporting progress.
 */
async function compileWhileDownloading(url, progress, signal) {
  const body = await fetchBody(url, progress, signal);
  try {
    if (typeof WebAssembly.compileStreaming === 'function') {
      return await WebAssembly.compileStreaming(new Response(body, { headers: { 'Content-Type': 'application/wasm' } }));
    }
    return await WebAssembly.compile(await new Response(body).arrayBuffer());
  } catch (err) {
    if (err instanceof FinscoreError) throw err; // the download failed
    if (signal?.aborted) throw cancelled();
    throw new FinscoreError('engine', `${url.pathname} is not a valid WebAssembly module: ${err.message}`, { cause: err });
  }
}

/**
 * fetchBody requests url and returns its body as a stream that reports
 * progress as it is read, and fails with a FinscoreError that names the
 * file when the request or the transfer fails.
 */
async function fetchBody(url, progress, signal) {
  let response;
  try {
    response = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (err) {
    if (signal?.aborted) throw cancelled();
    throw new FinscoreError('download', `Could not load ${url.pathname}: ${err.message}. ` +
      'Check that the finscore files are served from this site, or that you are online for the first visit.', { cause: err });
  }
  if (!response.ok) {
    throw new FinscoreError('download', `Could not load ${url.pathname}: the server answered ${response.status} ${response.statusText}`.trim());
  }
  const total = expectedLength(response);
  progress.update(url, 0, total);
  const source = response.body ?? new Response(await response.arrayBuffer()).body;
  const reader = source.getReader();
  let loaded = 0;
  return new ReadableStream({
    async pull(controller) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        const e = signal?.aborted ? cancelled()
          : new FinscoreError('download', `Loading ${url.pathname} failed after ${loaded} bytes: ${err.message}`, { cause: err });
        controller.error(e);
        throw e;
      }
      if (chunk.done) {
        progress.update(url, loaded, loaded);
        controller.close();
        return;
      }
      loaded += chunk.value.byteLength;
      progress.update(url, loaded, total == null ? null : Math.max(total, loaded));
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * expectedLength is the number of body bytes a response will yield, or
 * null. With a Content-Encoding, Content-Length counts the compressed bytes;
 * `finscore serve` then sends the decoded size as X-Decoded-Length.
 */
function expectedLength(response) {
  const h = response.headers;
  const encoded = h.get('Content-Encoding');
  const n = Number(encoded && encoded !== 'identity' ? h.get('X-Decoded-Length') : h.get('Content-Length'));
  return Number.isFinite(n) && n > 0 ? n : null;
}

// --- workers ---------------------------------------------------------------

/**
 * CHARS_PER_PART: a text is shared between workers only when each gets at
 * least this much of it (about five sentences); for less, the messages cost
 * more than the second worker saves.
 */
const CHARS_PER_PART = 600;

/**
 * EAGER_WORKERS is how many engines createScorer starts at once, and warms,
 * before it resolves (fewer when options.workers says so): enough that the
 * first long text is shared from the start. More start, up to maxWorkers,
 * when a long text or scoreMany can use them.
 */
const EAGER_WORKERS = 2;

/**
 * WARM_UP is what each engine scores, WARM_UP_RUNS times, before it takes
 * a job: ten sentences, the share of each of two engines in a 20-sentence
 * document. A fresh engine runs its WebAssembly as first compiled (V8's
 * quick baseline tier, until code proves hot) and has yet to grow its
 * memory and work space to a batch of that size. The first run does the
 * growing and makes the hot code tier up; optimised code serves only the
 * calls that start after it is ready, hence the second run. The engines
 * share the compiled module, so code made faster by one serves them all.
 * The first 20-sentence document after ready (make bench-browser's
 * first-doc-ms; medians of five visits on the 2-core machine, where the
 * warm time is about 95 ms): 300 ms with no warm-up, 215 after one run of
 * five sentences, 180 after one of these ten, 158 after two of five, 137
 * after two of ten.
 */
const WARM_UP = [
  'Revenue rose 7% to $1.3 billion on higher volumes, and the company raised its full-year outlook.',
  'Net debt increased to 3.1 times EBITDA, close to the covenant limit agreed with its lenders.',
  'The regulator opened an investigation into the accounting, and the CFO resigned on Friday.',
  'Analysts at two banks cut their price targets after the profit warning.',
  'Management expects margins to remain under pressure through next year as input costs climb.',
  'The board approved a 10% dividend increase and a new share buyback of up to $500 million.',
  'Moody\'s placed the bank on review for downgrade after loan delinquencies rose sharply.',
  'Order intake was in line with expectations, and we maintain our Neutral rating.',
  'The auditors have not yet signed off the annual report, which was due in March.',
  'Shares fell 11% in early trading before recovering some of their losses by the close.',
].join(' ');
const WARM_UP_RUNS = 2;

/**
 * Pool keeps up to maxWorkers engines (one Web Worker each) and hands each
 * job to an idle, warm one. A cancelled job's worker is terminated, since a
 * WebAssembly call cannot be interrupted, and a fresh one takes its place.
 * On a machine with two cores or fewer, an engine never starts while
 * another scores (it would take a core from it for a second or more): it
 * waits until the pool is idle.
 */
class Pool {
  constructor({ workerURL, maxWorkers, cores }) {
    this.workerURL = workerURL;
    this.init = null;
    this.maxWorkers = maxWorkers;
    this.startWhileBusy = cores > 2;
    this.active = 0; // scores in progress (begin, end)
    this.target = Math.min(maxWorkers, EAGER_WORKERS); // engines to keep; demand raises it
    this.engines = new Set(); // started and not dead: starting, warming, idle or busy
    this.idle = [];
    this.waiting = []; // resolvers of jobs waiting for an engine
    this.closed = false;
    // Their scripts load while the caller downloads.
    this.unstarted = Array.from({ length: this.target }, () => new Engine(workerURL));
  }

  /**
   * start hands the first engines the compiled engine, kernels and model
   * (init, which later engines get too), warms them all, and resolves with
   * the first one's ready message. It fails if the first fails; another
   * that fails is left out.
   */
  async start(init, signal) {
    this.init = init;
    const engines = this.unstarted.splice(0);
    const onAbort = () => engines.forEach((e) => e.terminate(cancelled()));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const warm = engines.map((e) => this.startEngine(e));
      warm.forEach((p) => p.catch(() => {})); // a failure is the first one's, or left out
      const first = await warm[0];
      await Promise.allSettled(warm.slice(1));
      return first;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * startEngine starts engine, warms it (WARM_UP) and then puts it to
   * work; it resolves with its ready message, startup.warm_ms added (the
   * warm-up's time).
   */
  async startEngine(engine) {
    this.engines.add(engine);
    try {
      engine.start(this.init);
      const ready = await engine.ready;
      const t0 = performance.now();
      for (let i = 0; i < WARM_UP_RUNS; i++) await engine.call({ type: 'score', text: WARM_UP, explain: false });
      ready.startup = { ...ready.startup, warm_ms: Math.round(performance.now() - t0) };
      engine.warm = true;
      this.release(engine);
      return ready;
    } catch (err) {
      this.lost(engine, err);
      throw err;
    }
  }

  /** lost drops an engine that failed to start; with none left, the waiting jobs fail with err. */
  lost(engine, err) {
    engine.terminate(err);
    this.engines.delete(engine);
    if (this.engines.size === 0) {
      for (const w of this.waiting.splice(0)) w.reject(err);
    }
  }

  /** run runs one job on an idle engine, starting one if the pool may grow. */
  async run(job, { onProgress, signal } = {}) {
    if (this.closed) throw new FinscoreError('engine', 'this scorer was closed');
    if (signal?.aborted) throw cancelled();
    const engine = await this.acquire(signal);
    const onAbort = () => this.discard(engine, cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await engine.call(job, onProgress);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(engine);
    }
  }

  acquire(signal) {
    for (let engine; (engine = this.idle.pop());) {
      if (!engine.dead) return Promise.resolve(engine);
      this.engines.delete(engine); // its worker stopped while idle
    }
    this.want(this.engines.size + 1);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelled());
      }, { once: true });
    });
  }

  /** release hands an engine back after a job: to a waiting job, else to the idle list. */
  release(engine) {
    if (engine.dead) {
      // It failed mid-job (the job was rejected); a fresh one replaces it.
      this.engines.delete(engine);
    } else if (this.engines.has(engine) && !this.closed) {
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(engine);
      else this.idle.push(engine);
    }
    this.grow();
  }

  /** readyCount is the number of warm engines. */
  readyCount() {
    let n = 0;
    for (const e of this.engines) if (e.warm && !e.dead) n++;
    return n;
  }

  /** want raises the number of engines the pool keeps to n (at most maxWorkers) and starts them when it may. */
  want(n) {
    this.target = Math.max(this.target, Math.min(n, this.maxWorkers));
    this.grow();
  }

  /**
   * grow starts engines, in the background, until there are target; on
   * two cores or fewer, only while nothing is scored (end calls it again),
   * unless there is no engine at all.
   */
  grow() {
    if (this.closed || !this.init) return;
    while (this.engines.size < this.target) {
      if (this.engines.size > 0 && !this.startWhileBusy && this.active > 0) return;
      let engine;
      try {
        engine = new Engine(this.workerURL);
      } catch {
        return; // as createScorer started one, this will not happen
      }
      this.startEngine(engine).catch(() => {}); // lost() handles it
    }
  }

  /**
   * begin marks a score (or scoreMany) in progress, end its end: in
   * between, on two cores or fewer, no engine starts, not even in the gaps
   * between its jobs.
   */
  begin() {
    this.active++;
  }

  end() {
    this.active--;
    this.grow();
  }

  /** discard terminates an engine (rejecting its job with err); a fresh one replaces it. */
  discard(engine, err) {
    engine.terminate(err);
    this.engines.delete(engine);
    this.idle = this.idle.filter((e) => e !== engine);
    this.grow();
  }

  cancelAll() {
    for (const w of this.waiting.splice(0)) w.reject(cancelled());
    for (const engine of [...this.engines]) {
      if (engine.busy) this.discard(engine, cancelled());
    }
  }

  close() {
    this.closed = true;
    const err = new FinscoreError('engine', 'this scorer was closed');
    for (const w of this.waiting.splice(0)) w.reject(err);
    for (const engine of [...this.unstarted, ...this.engines]) engine.terminate(err);
    this.unstarted = [];
    this.engines.clear();
    this.idle = [];
  }
}

/** Engine is one Web Worker running finscore.wasm (worker.js). */
class Engine {
  constructor(workerURL) {
    this.nextID = 1;
    this.dead = false;
    this.isReady = false;
    this.warm = false; // the Pool sets it once the engine has scored its warm-up
    this.pending = new Map(); // id → {resolve, reject, onProgress}
    try {
      this.worker = new Worker(workerURL, { type: 'module', name: 'finscore' });
    } catch (err) {
      throw new FinscoreError('unsupported', `Could not start a Web Worker from ${workerURL.pathname}: ${err.message}. ` +
        'The finscore files must be served from this page\'s own origin, and its Content-Security-Policy must allow worker-src \'self\'.', { cause: err });
    }
    this.ready = new Promise((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.terminate(new FinscoreError('engine', `The scoring worker failed: ${e.message || 'it could not start (is worker.js served from this site?)'}`));
    };
    this.worker.onmessageerror = () => this.terminate(new FinscoreError('engine', 'The scoring worker sent a message that could not be read'));
    this.ready.catch(() => {}); // whoever starts the engine waits on it
  }

  /** start sends the worker what it runs. */
  start({ engine, kernels, model }) {
    // The model is copied, not transferred, so that later workers get it too.
    this.worker.postMessage({ type: 'init', engine, kernels, model });
  }

  get busy() {
    return this.pending.size > 0;
  }

  call(job, onProgress) {
    const id = this.nextID++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...job, id });
    });
  }

  receive(msg) {
    switch (msg?.type) {
      case 'ready':
        this.isReady = true;
        this.settleReady.resolve(msg);
        return;
      case 'failed':
        this.terminate(new FinscoreError('engine', msg.message));
        return;
      case 'progress': {
        const p = this.pending.get(msg.id);
        if (p?.onProgress) {
          try { p.onProgress(msg.done, msg.total); } catch (err) { console.error(err); }
        }
        return;
      }
      case 'result':
      case 'error': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.type === 'result') p.resolve({ result: msg.result, engineMs: msg.engineMs });
        else p.reject(new FinscoreError(msg.code ?? 'engine', msg.message));
        return;
      }
    }
  }

  /** terminate stops the worker and rejects everything waiting on it with err. */
  terminate(err) {
    this.dead = true;
    this.worker.terminate();
    this.settleReady.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

// --- small helpers -----------------------------------------------------------

/** MAX_TEXT_BYTES is the engine's limit on one text, in UTF-8 bytes (4 MiB). */
export const MAX_TEXT_BYTES = 4 << 20;

function checkText(text, name) {
  if (typeof text !== 'string') throw new FinscoreError('input', `${name} must be a string, got ${typeName(text)}`);
  // A UTF-16 unit is at most 3 UTF-8 bytes; count exactly only near the limit.
  if (text.length * 3 > MAX_TEXT_BYTES) {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_TEXT_BYTES) {
      throw new FinscoreError('input', `${name} is ${(bytes / 1048576).toFixed(1)} MB; finscore scores up to 4 MB at a time. ` +
        'Split it into parts, or score it as a file, one item per line.');
    }
  }
}

function checkOptions(options) {
  if (options == null) return {};
  if (typeof options !== 'object') throw new FinscoreError('input', `options must be an object, got ${typeName(options)}`);
  if (options.explain !== undefined && typeof options.explain !== 'boolean') {
    throw new FinscoreError('input', `options.explain must be a boolean, got ${typeName(options.explain)}`);
  }
  if (options.onProgress != null && typeof options.onProgress !== 'function') {
    throw new FinscoreError('input', `options.onProgress must be a function, got ${typeName(options.onProgress)}`);
  }
  return options;
}

function typeName(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function cancelled() {
  return new FinscoreError('cancelled', 'cancelled');
}

function report(onProgress, p) {
  if (!onProgress) return;
  try { onProgress(p); } catch (err) { console.error(err); }
}

/** mark leaves a User Timing mark (finscore:downloaded, finscore:ready) for profiling. */
function mark(name) {
  try { performance.mark(name); } catch { /* no User Timing here */ }
}

function round(ms) {
  return Math.round(ms * 10) / 10;
}
