// hashload.js: starts the benchmark's hashing wasm (hashwasm.wasm, next to
// this page) after wasm_exec.js; benchHashReady resolves once benchHash is
// defined.
'use strict';
globalThis.benchHashReady = new Promise((resolve, reject) => {
	globalThis.benchHashResolve = resolve;
	const go = new Go();
	WebAssembly.instantiateStreaming(fetch('hashwasm.wasm'), go.importObject)
		.then((r) => go.run(r.instance))
		.catch(reject);
});
