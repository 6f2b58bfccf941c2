// later.js: a stand-in for a part of the interface the first screen does not
// show (the Check step, the re-upload loop), whose module is imported when
// the part is first needed, or sooner with load(), rather than before the
// uploader is ready: the page's start then neither fetches nor parses it.
//
//   const check = later(() => import('./checkview.js').then((m) => new m.CheckView(...)), (name) => name === 'visible');
//   check.schedule();  // imports the module, then calls the method on the part
//   check.visible();   // quiet: nothing until the part is there, then the part's own
//   check.load();      // imports it now; a promise of the part
//
// make() returns a promise of the part. A call the part is not there for
// yet imports it and is made on it once it is, in the order of the calls;
// it returns a promise of the method's result. A quiet call (quiet(name,
// args) is true: drawing, hiding, texts) is dropped until then: the part
// starts from the state of the interface when it is made.
export function later(make, quiet = () => false) {
	let part = null;
	let loading = null;
	const load = () => {
		if (!loading) {
			loading = make().then((p) => (part = p));
			loading.catch((e) => console.error('altiup: could not load a part of the interface:', e));
		}
		return loading;
	};
	return new Proxy({}, {
		get(_, name) {
			if (name === 'load') return load;
			if (name === 'then') return undefined; // not a promise itself
			if (part) return typeof part[name] === 'function' ? part[name].bind(part) : part[name];
			return (...args) => {
				if (quiet(name, args)) return undefined;
				const r = load().then((p) => p[name](...args));
				r.catch(() => {}); // said by load; a caller that waits still hears it
				return r;
			};
		},
	});
}
