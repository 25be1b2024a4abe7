// run.mjs runs a GOOS=js GOARCH=wasm program (a `go test` binary, usually)
// under Node the way Go's lib/wasm/wasm_exec_node.js does (same wasm_exec.js,
// same file system, environment, arguments and exit code), and also gives it
// finscore's WebAssembly SIMD kernels (core/tensor/kernels.wat, assembled by
// `make kernels`) through web/kernel-host.mjs.
//
//   node --stack-size=8192 run.mjs PROGRAM.wasm [ARGS...]
//
// Usually through go_js_wasm_exec beside it, as `go test -exec`.
//
// Environment:
//   FINSCORE_KERNELS  the assembled kernels: a path to kernels.wasm (default
//                     core/tensor/kernels.wasm in this checkout; a missing
//                     file is an error, so that tests never quietly run
//                     without them), or "off" to give the program none: its
//                     pure-Go kernels then run, as on an engine without SIMD.
//   GOROOT            where wasm_exec.js is found (lib/wasm/wasm_exec.js);
//                     default: `go env GOROOT`.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelHost } from '../../web/kernel-host.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

function fail(msg) {
  console.error(`wasmexec: ${msg}`);
  process.exit(1);
}

if (process.argv.length < 3) fail('usage: go_js_wasm_exec PROGRAM.wasm [ARGS...]');

let goroot = process.env.GOROOT;
if (!goroot) {
  try {
    goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  } catch (err) {
    fail(`GOROOT is not set and \`go env GOROOT\` failed: ${err.message}`);
  }
}
const wasmExec = path.join(goroot, 'lib', 'wasm', 'wasm_exec.js');
if (!fs.existsSync(wasmExec)) fail(`${wasmExec} not found (GOROOT=${goroot})`);

let kernelBytes = null;
const setting = process.env.FINSCORE_KERNELS ?? '';
if (setting !== 'off') {
  const file = setting || path.join(root, 'core', 'tensor', 'kernels.wasm');
  try {
    kernelBytes = fs.readFileSync(file);
  } catch (err) {
    fail(`cannot read the SIMD kernels ${file}: ${err.code ?? err.message}\n` +
      '  run `make kernels`, or set FINSCORE_KERNELS=off to run without them');
  }
}

// What wasm_exec.js expects to find in Node, as wasm_exec_node.js sets it up.
const require = createRequire(import.meta.url);
globalThis.require = require;
globalThis.fs = fs;
globalThis.path = path;
globalThis.TextEncoder ??= (await import('node:util')).TextEncoder;
globalThis.TextDecoder ??= (await import('node:util')).TextDecoder;
globalThis.performance ??= (await import('node:perf_hooks')).performance;
globalThis.crypto ??= (await import('node:crypto')).webcrypto;
require(wasmExec);

const go = new globalThis.Go();
go.argv = process.argv.slice(2);
go.env = Object.assign({ TMPDIR: os.tmpdir() }, process.env);
go.exit = process.exit;

const kernels = kernelHost(kernelBytes);
go.importObject.finscore_kernels = kernels.imports;

// Not awaited at the top level: a deadlocked Go program leaves the promise
// pending, and Node must then exit through the handler below (as with
// wasm_exec_node.js), not with an "unsettled top-level await".
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then(async ({ instance }) => {
  if (!(await kernels.attach(instance)) && kernelBytes !== null) {
    fail(`the SIMD kernels did not load: ${kernels.reason}`);
  }
  process.on('exit', (code) => { // Node exits when no event handler is pending
    if (code === 0 && !go.exited) {
      // deadlock: make Go print the error and stack traces
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  return go.run(instance);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
