// engine.mjs starts finscore.wasm under Node for the tests beside it, as
// web/worker.js does in the browser: Go's wasm_exec.js, the SIMD kernels
// when there are any, then globalThis.finscore.
//
// Environment: FINSCORE_WASM (the engine), FINSCORE_KERNELS (kernels.wasm,
// or "off" or missing for none).
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { kernelHost } from '../../web/kernel-host.mjs';

/**
 * startEngine runs the engine and resolves to {finscore, memoryBytes}:
 * its API object and a function giving its memory's size now.
 */
export async function startEngine() {
  const goroot = execFileSync('go', ['env', 'GOROOT']).toString().trim();
  createRequire(import.meta.url)(`${goroot}/lib/wasm/wasm_exec.js`);
  const kernelsPath = process.env.FINSCORE_KERNELS ?? '';
  const kernels = kernelHost(kernelsPath && kernelsPath !== 'off' && existsSync(kernelsPath) ? readFileSync(kernelsPath) : null);
  const go = new globalThis.Go();
  go.importObject.finscore_kernels = kernels.imports;
  const ready = new Promise((resolve) => { globalThis.onFinscoreReady = resolve; });
  const { instance } = await WebAssembly.instantiate(readFileSync(process.env.FINSCORE_WASM), go.importObject);
  await kernels.attach(instance);
  go.run(instance);
  await ready;
  return { finscore: globalThis.finscore, memoryBytes: () => instance.exports.mem.buffer.byteLength };
}
