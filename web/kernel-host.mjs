// kernel-host.mjs: the JavaScript side of finscore's WebAssembly SIMD kernels.
//
// core/tensor, compiled with GOOS=js GOARCH=wasm, imports its fast kernels
// from the wasm import module "finscore_kernels" (//go:wasmimport). Those
// kernels live in a second module, kernels.wasm (core/tensor/kernels.wat),
// that works directly on the Go instance's memory. The Go module needs its
// imports when it is instantiated, and the kernel module needs the Go
// module's memory, which exists only after that; so the Go module gets
// small trampolines now, and the kernel module is instantiated right after
// the Go instance, before go.run:
//
//   import { kernelHost } from './kernel-host.mjs';
//   const go = new Go();
//   const kernels = kernelHost(kernelBytesOrModuleOrNull);
//   go.importObject.finscore_kernels = kernels.imports;
//   const { instance } = await WebAssembly.instantiate(goBytes, go.importObject);
//   await kernels.attach(instance);
//   go.run(instance);
//
// kernels.imports.available() tells Go whether to use the kernels: 0 when
// this engine has no WebAssembly SIMD, when no kernel module was given, or
// when it failed to load; Go then runs its pure-Go kernels. Every finscore
// js/wasm binary built without the `purego` tag needs these imports, even a
// host that has no kernels to give: kernelHost(null).
//
// Plain ECMAScript and WebAssembly only (no Node or DOM APIs), so that Node
// (tools/wasmexec), a page and a Web Worker share this file.

/** The wasm import module name Go's //go:wasmimport lines use. */
export const IMPORT_MODULE = 'finscore_kernels';

/** The functions kernels.wasm exports and Go imports, besides `available`. */
export const KERNELS = Object.freeze(['gemm', 'layernorm', 'attention']);

// (module (func (result v128) (i32x4.splat (i32.const 0))))
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b,
]);

/** simdSupported tells whether this engine runs WebAssembly SIMD128. */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * kernelHost prepares the finscore_kernels imports for one Go instance.
 *
 * @param {WebAssembly.Module|BufferSource|Promise<WebAssembly.Module|BufferSource>|null} source
 *   the assembled kernels.wasm (bytes or a compiled module), or null for none.
 * @returns {{imports: object, attach: (goInstance: WebAssembly.Instance) => Promise<boolean>,
 *            readonly active: boolean, readonly reason: string}}
 *   imports goes into go.importObject.finscore_kernels before the Go module
 *   is instantiated; attach(instance) must be awaited before go.run. attach
 *   resolves to whether the kernels are active. It rejects only when called
 *   twice: a kernel module that fails to load leaves Go on its pure-Go
 *   kernels, and reason says why.
 */
export function kernelHost(source) {
  let exports = null;
  let reason = 'not attached yet';
  const imports = {
    available: () => (exports ? 1 : 0),
  };
  const setters = new Map();
  for (const name of KERNELS) {
    let fn = () => {
      throw new Error(`finscore_kernels.${name} called but the kernel module is not loaded (${reason})`);
    };
    // A fixed-arity trampoline (rest parameters would allocate). Extra
    // arguments are undefined and ignored by the wasm function.
    imports[name] = (a, b, c, d, e, f, g, h, i, j, k, l) => fn(a, b, c, d, e, f, g, h, i, j, k, l);
    setters.set(name, (f) => { fn = f; });
  }

  async function attach(goInstance) {
    if (exports) throw new Error('kernelHost: attach called twice');
    if (source == null) {
      reason = 'no kernel module given';
      return false;
    }
    if (!simdSupported()) {
      reason = 'this WebAssembly engine has no SIMD128';
      return false;
    }
    const mem = goInstance?.exports?.mem;
    if (!(mem instanceof WebAssembly.Memory)) {
      reason = 'the Go instance exports no memory "mem"';
      return false;
    }
    try {
      const src = await source;
      const mod = src instanceof WebAssembly.Module ? src : await WebAssembly.compile(src);
      const inst = await WebAssembly.instantiate(mod, { env: { mem } });
      for (const name of KERNELS) {
        if (typeof inst.exports[name] !== 'function') throw new Error(`kernel module exports no function ${name}`);
      }
      for (const name of KERNELS) setters.get(name)(inst.exports[name]);
      exports = inst.exports;
      reason = 'active';
      return true;
    } catch (err) {
      reason = `kernel module failed to load: ${err?.message ?? err}`;
      return false;
    }
  }

  return {
    imports,
    attach,
    get active() { return exports !== null; },
    get reason() { return reason; },
  };
}
