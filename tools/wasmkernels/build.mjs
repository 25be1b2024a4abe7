// build.mjs assembles core/tensor/kernels.wat into core/tensor/kernels.wasm
// with wabt (the JavaScript port of wat2wasm), SIMD128 on and every other
// post-MVP proposal the kernels do not use off, so that a stray
// relaxed-simd or threads instruction is an error here rather than a
// failure in some browser.
//
//   node tools/wasmkernels/build.mjs [IN.wat [OUT.wasm]]
//
// Run by `make kernels`. The output is a build artifact (not committed).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const input = process.argv[2] ?? path.join(root, 'core', 'tensor', 'kernels.wat');
const output = process.argv[3] ?? input.replace(/\.wat$/, '') + '.wasm';

const features = {
  simd: true,
  // Everything else off: the module must load wherever SIMD128 does.
  relaxed_simd: false, threads: false, exceptions: false, tail_call: false,
  multi_memory: false, memory64: false, gc: false, function_references: false,
  extended_const: false,
};

const wabt = await wabtInit();
const text = fs.readFileSync(input, 'utf8');
let mod;
try {
  mod = wabt.parseWat(path.relative(process.cwd(), input), text, features);
  mod.resolveNames();
  mod.validate(features);
} catch (err) {
  console.error(String(err.message ?? err).trimEnd());
  process.exit(1);
}
const { buffer } = mod.toBinary({ log: false, write_debug_names: true });
mod.destroy();
if (!WebAssembly.validate(buffer)) {
  console.error(`${input}: wabt's output does not validate in this Node (${process.version})`);
  process.exit(1);
}
// Write next to the target, then rename: a reader never sees half a file.
const tmp = `${output}.${process.pid}.tmp`;
fs.writeFileSync(tmp, buffer);
fs.renameSync(tmp, output);
console.log(`${path.relative(process.cwd(), output)}: ${buffer.length} bytes`);
