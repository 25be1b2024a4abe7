// profile.mjs says where the Go encoder's time goes, natively and under wasm.
//
//   --pprof-top FILE          output of `go tool pprof -top -unit=ms
//                             -nodefraction=0 -nodecount=100000
//                             -focus=<Encode>` on a native -cpuprofile of
//                             the batch32 benchmark
//   --cpuprofile [LABEL=]FILE a V8 .cpuprofile from `node --cpu-prof`
//                             running a js/wasm test binary (repeatable:
//                             pure Go, SIMD kernels); LABEL names its column
//
// Each is reduced to self time per function, restricted to samples under
// encoder.(*Model).Encode (the profiles also cover loading the model), and
// grouped into the encoder's parts. Go's wasm names (finscore_core_tensor.MatMul,
// finscore_core_encoder.__Model_.attention) are shown the native way.
// Functions the compiler inlined count toward their caller under wasm; the
// native profile keeps them apart (pprof's "(inline)").
//
// The SIMD kernels (core/tensor/kernels.wat) are a second wasm module; a
// sample in it is charged to the kernel Go called (gemm, layernorm,
// attention: "kernel gemm" etc.), whatever helper inside it ran, and the
// JavaScript trampolines between the two modules (web/kernel-host.mjs)
// to "Go -> kernel calls".

import fs from 'node:fs';

const CATEGORIES = [
  ['MatMul (all dense layers; SIMD: kernel gemm)',
    /tensor\.(MatMul|matMul\w*|initRows|gemmKernel|wasmGEMM|avx\w*)$|^kernel gemm$/],
  ['attention (q.k, p.v; SIMD: kernel attention, with softmax+exp)',
    /encoder\.\(\*Model\)\.attention$|tensor\.(Attention|attentionGo|attentionKernel|wasmAttention|Dot|Axpy)$|^kernel attention$/],
  ['softmax (pure Go, without exp)', /tensor\.Softmax$/],
  ['exp / sin / cos / tanh (package math)', /^math\./],
  ['layer norm (SIMD: kernel layernorm)', /tensor\.(LayerNorm|layerNormGo|layerNormKernel|wasmLayerNorm)$|^kernel layernorm$/],
  ['Go -> kernel calls (JS trampolines)', /^JS /],
  ['memmove / memclr', /^runtime\.mem(move|clr)/],
  ['element-wise add, relu, scale, tanh loop, l2', /tensor\.(Add|ReLU|Scale|Tanh|L2Normalize)$/],
  ['Encode/layer glue (embeddings, timing signal, pooling; wasm: + inlined add, relu)', /encoder\.\(\*Model\)\.(Encode|layer)$/],
];
const OTHER = 'other (runtime, preemption, profiler)';

function category(name) {
  for (const [label, re] of CATEGORIES) if (re.test(name)) return label;
  return OTHER;
}

// fromWasmName maps Go's wasm symbol names back to Go's own spelling.
function fromWasmName(name) {
  return name
    .replace(/^finscore_core_/, 'finscore/core/')
    .replace(/^github\.com_/, 'github.com/')
    .replace(/__([A-Za-z0-9]+)_\./g, '(*$1).');
}

// pprofTop reads `go tool pprof -top -unit=ms` output: flat ms per function.
function pprofTop(file) {
  const self = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^\s*([\d.]+)ms\s+[\d.]+%\s+[\d.]+%\s+[\d.]+ms\s+[\d.]+%\s+(.+?)(?: \(inline\))?\s*$/);
    if (!m) continue;
    const ms = Number(m[1]);
    if (ms > 0) self.set(m[2], (self.get(m[2]) ?? 0) + ms);
  }
  if (self.size === 0) throw new Error(`${file}: no pprof -top rows (was the benchmark profiled?)`);
  return self;
}

// cpuprofile reads a V8 .cpuprofile: self ms per function, counting only
// samples whose stack runs through Encode. Frames of a wasm module other
// than Go's (the kernels) are named after the outermost kernel function on
// the stack, "kernel <export>"; JavaScript frames between Go and a kernel
// are "JS <name>".
function cpuprofile(file) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const focus = /encoder\.\(\*Model\)\.Encode$/;
  const encodeNode = p.nodes.find((n) => focus.test(fromWasmName(n.callFrame.functionName)));
  if (!encodeNode) throw new Error(`${file}: no encoder.(*Model).Encode frame`);
  const goURL = encodeNode.callFrame.url;
  const isKernel = (n) => n.callFrame.url.startsWith('wasm://') && n.callFrame.url !== goURL;
  const under = new Map();
  const isUnder = (id) => {
    if (under.has(id)) return under.get(id);
    const n = byId.get(id);
    const v = focus.test(fromWasmName(n.callFrame.functionName)) || (parent.has(id) && isUnder(parent.get(id)));
    under.set(id, v);
    return v;
  };
  const nameOf = (id) => {
    let n = byId.get(id);
    if (isKernel(n)) {
      while (parent.has(n.id) && isKernel(byId.get(parent.get(n.id)))) n = byId.get(parent.get(n.id));
      return `kernel ${n.callFrame.functionName}`;
    }
    if (!n.callFrame.url.startsWith('wasm://')) return `JS ${n.callFrame.functionName || '(anonymous)'}`;
    return fromWasmName(n.callFrame.functionName || '(anonymous)');
  };
  const self = new Map();
  // timeDeltas[i] is the time since the previous sample; charge it to sample i.
  p.samples.forEach((id, i) => {
    if (!isUnder(id)) return;
    const name = nameOf(id);
    self.set(name, (self.get(name) ?? 0) + (p.timeDeltas?.[i] ?? 1000) / 1000);
  });
  if (self.size === 0) throw new Error(`${file}: no samples under encoder.(*Model).Encode`);
  return self;
}

function byCategory(self) {
  const out = new Map([...CATEGORIES.map(([l]) => [l, 0]), [OTHER, 0]]);
  for (const [name, ms] of self) out.set(category(name), out.get(category(name)) + ms);
  return out;
}

const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
const pct = (v, t) => `${((100 * v) / t).toFixed(1)}%`;

function main() {
  const args = process.argv.slice(2);
  const profiles = [];
  for (let i = 0; i < args.length; i += 2) {
    if (i + 1 >= args.length) throw new Error(`${args[i]} needs a file`);
    if (args[i] === '--pprof-top') profiles.push(['Go native', pprofTop(args[i + 1])]);
    else if (args[i] === '--cpuprofile') {
      const m = args[i + 1].match(/^([^=]+)=(.+)$/);
      profiles.push(m ? [m[1], cpuprofile(m[2])] : ['Go wasm (Node)', cpuprofile(args[i + 1])]);
    }
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (profiles.length === 0) throw new Error('usage: profile.mjs [--pprof-top FILE] [--cpuprofile [LABEL=]FILE]...');

  const lines = ['where Encode spends its time, batch32 (share of CPU samples under encoder.(*Model).Encode)', ''];
  const cats = profiles.map(([, self]) => byCategory(self));
  const w0 = 84;
  const ws = profiles.map(([label]) => Math.max(12, label.length) + 2);
  lines.push(['part'.padEnd(w0), ...profiles.map(([label], i) => label.padStart(ws[i]))].join(''));
  for (const label of [...CATEGORIES.map(([l]) => l), OTHER]) {
    lines.push([label.padEnd(w0), ...cats.map((c, i) => pct(c.get(label), total(c)).padStart(ws[i]))].join(''));
  }
  lines.push([`(CPU time profiled under Encode)`.padEnd(w0), ...cats.map((c, i) => `${(total(c) / 1000).toFixed(1)} s`.padStart(ws[i]))].join(''));
  for (const [label, self] of profiles) {
    lines.push('', `top functions, ${label} (self time)`);
    const t = total(self);
    [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).forEach(([name, ms]) => {
      lines.push(`  ${pct(ms, t).padStart(6)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}`);
    });
  }
  process.stdout.write(lines.join('\n') + '\n');
}

try {
  main();
} catch (err) {
  console.error(`profile.mjs: ${err?.message ?? err}`);
  process.exit(1);
}
