// worker.js: one finscore engine in a Web Worker (a module worker, started
// by finscore.js). It instantiates finscore.wasm with the SIMD kernels
// attached, loads the model, and then scores one job at a time.
//
// Messages in:  {type: "init", engine: WebAssembly.Module, kernels: WebAssembly.Module|null, model: ArrayBuffer}
//               {type: "score", id, text, explain}
//               {type: "scorePart", id, text, part, parts, explain}
//               {type: "assemble", id, text, parts}   (parts: what each scorePart gave, in order)
// Messages out: {type: "ready", info, version, kernels, startup} | {type: "failed", message}
//               {type: "progress", id, done, total}
//               {type: "result", id, result, engineMs} | {type: "error", id, message, code}
//
// What arrives here is a structured clone (plain data: no getters, no
// Proxies), and the worker builds the options itself; the engine reads its
// arguments through guards anyway. An error's code is the engine's own
// (err.code: "input", "engine"); the worker never reads the wording of a
// message.

import './wasm_exec.js'; // Go's glue, from the Go installation: defines globalThis.Go
import { kernelHost } from './kernel-host.mjs';

let engine = null; // globalThis.finscore once the model is loaded

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg?.type === 'init') {
    try {
      self.postMessage({ type: 'ready', ...(await start(msg)) });
    } catch (err) {
      self.postMessage({ type: 'failed', message: String(err?.message ?? err) });
    }
    return;
  }
  const method = Object.hasOwn(CALLS, msg?.type ?? '') ? CALLS[msg.type] : null;
  if (method) {
    if (!engine) {
      self.postMessage({ type: 'error', id: msg.id, code: 'engine', message: 'the engine is not loaded yet' });
      return;
    }
    const started = performance.now();
    try {
      const onProgress = (done, total) => self.postMessage({ type: 'progress', id: msg.id, done, total });
      const result = await method(msg, onProgress);
      self.postMessage({ type: 'result', id: msg.id, result, engineMs: performance.now() - started });
    } catch (err) {
      const code = typeof err?.code === 'string' ? err.code : 'engine';
      self.postMessage({ type: 'error', id: msg.id, code, message: String(err?.message ?? err) });
    }
  }
};

/** CALLS maps each job type finscore.js sends to the engine's function. */
const CALLS = {
  score: (m, onProgress) => engine.score(m.text, { explain: m.explain === true, onProgress }),
  scorePart: (m, onProgress) => engine.scorePart(m.text, m.part, m.parts, { explain: m.explain === true, onProgress }),
  assemble: (m) => engine.assemble(m.text, m.parts),
};

/** start runs the Go program and loads the model into it. */
async function start({ engine: module, kernels: kernelModule, model }) {
  const t0 = performance.now();
  const go = new Go();
  const kernels = kernelHost(kernelModule);
  go.importObject.finscore_kernels = kernels.imports;
  const installed = new Promise((resolve) => { globalThis.onFinscoreReady = resolve; });
  const instance = await WebAssembly.instantiate(module, go.importObject);
  await kernels.attach(instance);
  const exited = go.run(instance).then(() => {
    engine = null;
    self.postMessage({ type: 'failed', message: 'the finscore engine stopped unexpectedly (see the console)' });
  });
  await Promise.race([installed, exited]);
  if (!globalThis.finscore) throw new Error('finscore.wasm did not install its API');
  const t1 = performance.now();
  let info;
  try {
    info = await globalThis.finscore.load(new Uint8Array(model));
  } catch (err) {
    throw new Error(`The model could not be loaded: ${String(err?.message ?? err)}`);
  }
  engine = globalThis.finscore;
  const startup = {
    engine_ms: Math.round(t1 - t0),
    model_ms: Math.round(performance.now() - t1),
    memory_mb: Math.round(instance.exports.mem.buffer.byteLength / 1048576),
  };
  return { info, version: await engine.version(), kernels: kernels.reason, startup };
}
