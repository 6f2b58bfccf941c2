// altiup.js: loads the altiup uploader (Go compiled to WebAssembly) into a
// page, and defines <altiup-uploader>. The whole API, typed, is in
// altiup.d.ts beside this file; README.md ("The JS API", "Embedding it in
// another site") tells how it goes.
//
//   <script src="/altiup.js"></script>
//   const up = await altiup.create({ api, key, token, getToken, project, cloud, bucket, concurrency });
//   up.on('file', e => {}); await up.add(files); const report = await up.start();
//   const conn = await altiup.connect({ api, key, token, getToken });
//
// Failures reject with {code, message}; message is in words.
//
// Cheap until used: the wasm, Go's glue (wasm_exec.js) and the hash
// workers are fetched only once the uploader is wanted: altiup.create(),
// altiup.connect(), altiup.load() or a read of altiup.ready; an element
// that comes into view or is used (a method called, a click, a key, a
// drop); an element with loading="eager", or this script's tag with
// data-loading="eager" (the page: its start is measured).
//
// Isolated mode: <altiup-uploader isolated> and create({isolated: true})
// run the uploader in a frame of this script's origin (/embed, through
// embed/host.js): the token, credentials and signed URLs stay there, and
// this page loads no wasm.
//
// Files are fetched from the folder this script was loaded from
// (altiup.base), or, when the server wrote its version in (VERSION), from
// that version's folder v/<version>/ beside it, whose URLs are cached for
// good. A page may start downloads before this script runs with
//   <link rel="preload" href=".../altiup.wasm" as="fetch" crossorigin>
//   <link rel="preload" href=".../wasm_exec.js" as="script">
// (any query kept): the loader uses those downloads. `altiup` is the only
// global this defines; wasm_exec.js (Go's own glue) also needs its `fs`
// stand-in to stay, for the Go runtime's output.
(function () {
	'use strict';
	if (globalThis.altiup && typeof globalThis.altiup.create === 'function') {
		return; // loaded twice: keep the first
	}
	const script = document.currentScript;
	// The server that sends this file writes the version of all its files
	// here (server/static); served otherwise, it stays empty.
	const VERSION = /*altiup:version*/'';
	const dir = new URL('.', script && script.src ? script.src : document.baseURI);
	const base = versionedBase(dir);
	// home is the server's folder outside any version: the isolated mode's
	// frame (/embed) is served there, not as a versioned file.
	const home = VERSION && dir.pathname.endsWith('/v/' + VERSION + '/') ? new URL('../../', dir) : dir;

	// versionedBase is the folder of the files of this script's version:
	// dir itself when the script was loaded from there, else v/<VERSION>/
	// inside dir.
	function versionedBase(dir) {
		if (!VERSION || dir.pathname.endsWith('/v/' + VERSION + '/')) return dir;
		return new URL('v/' + VERSION + '/', dir);
	}

	let resolveReady, rejectReady, impl = null;
	const ready = new Promise((resolve, reject) => {
		resolveReady = resolve;
		rejectReady = reject;
	});
	ready.catch(() => {}); // said by whoever waits for it
	let started = false;
	// wake starts loading the uploader, once; it returns ready.
	function wake() {
		if (!started) {
			started = true;
			load().catch((e) => fail('Could not start the uploader: ' + (e && e.message ? e.message : e), e));
		}
		return ready;
	}
	const altiup = {
		// ready resolves (to altiup) once the uploader can be used, or
		// rejects with {code, message} when it could not be loaded. Reading
		// it starts the loading.
		get ready() {
			return wake();
		},
		version: undefined,
		// base is the folder of the uploader's files: the uploader starts
		// its hash workers (hash-worker.js) from there.
		base: base.href,
		// load() starts loading the uploader now; it returns ready.
		load: wake,
		// create(options) waits for ready, so it may be called at once.
		create(options) {
			if (options && options.isolated) return isolated().then((H) => H.create(home.href, options)); // isolated mode
			return wake().then(() => impl.create(options));
		},
		// connect(options) talks to the API without a project (to create
		// one, or look one up); it waits for ready too.
		connect(options) {
			return wake().then(() => impl.connect(options));
		},
	};
	// The Go program calls this once it has defined its API.
	Object.defineProperty(altiup, '_ready', {
		configurable: true,
		value(api) {
			impl = api;
			altiup.version = api.version;
			delete altiup._ready;
			resolveReady(altiup);
			return { deliver: deliver };
		},
	});
	globalThis.altiup = altiup;

	// deliver calls the listeners of a batch of uploader events, [kind, event]
	// pairs, for the WebAssembly side: one call into JS per batch. With more
	// than one listener, the copies are made before any listener runs, so
	// none sees another's changes; one that throws is reported and the
	// others still run.
	function deliver(listeners, batch) {
		for (const [kind, event] of batch) {
			const fns = listeners[kind].slice();
			const copies = fns.map((_, i) => (i === fns.length - 1 ? event : structuredClone(event)));
			for (let i = 0; i < fns.length; i++) {
				try {
					fns[i](copies[i]);
				} catch (e) {
					console.error("altiup: a '" + kind + "' listener failed:", e);
				}
			}
		}
	}

	function fail(message, cause) {
		if (cause) {
			console.error('altiup:', message, cause);
		}
		rejectReady({ code: 'load_failed', message: message });
	}

	function loadScript(url) {
		return new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = url;
			s.async = true;
			s.onload = () => resolve();
			s.onerror = () => reject(new Error('could not load ' + url));
			document.head.appendChild(s);
		});
	}

	// assetURL is where the loader fetches one of its files: the address of a
	// <link rel="preload"> that names the file next to this script, so the
	// download the page started early (under a long-cached, versioned
	// address) is the one used; else the plain name in base.
	function assetURL(name) {
		const plain = new URL(name, base);
		for (const link of document.querySelectorAll('link[rel~="preload"][href]')) {
			const u = new URL(link.href, document.baseURI);
			if (u.origin === plain.origin && u.pathname === plain.pathname) {
				return u.href;
			}
		}
		return plain.href;
	}

	// compile fetches and compiles the wasm, compiling as the bytes arrive
	// when the browser can and the server sends application/wasm. It needs
	// no imports, so it runs while wasm_exec.js loads.
	async function compile(url) {
		const r = await fetch(url, { credentials: 'same-origin' });
		if (!r.ok) {
			throw new Error('HTTP ' + r.status + ' for ' + url);
		}
		const type = (r.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();
		if (WebAssembly.compileStreaming && type === 'application/wasm') {
			return WebAssembly.compileStreaming(r);
		}
		return WebAssembly.compile(await r.arrayBuffer());
	}

	async function load() {
		// Globals wasm_exec.js adds that the page did not have before.
		const added = ['Go', 'process', 'path'].filter((name) => !(name in globalThis));
		const previousGo = globalThis.Go;
		// The wasm (most of the bytes and of the work) and Go's glue load at
		// the same time.
		const compiled = compile(assetURL('altiup.wasm'));
		compiled.catch(() => {}); // reported below, after the glue
		try {
			await loadScript(assetURL('wasm_exec.js'));
		} catch (e) {
			fail('Could not load wasm_exec.js next to altiup.js.', e);
			return;
		}
		const Go = globalThis.Go;
		if (added.includes('Go')) {
			delete globalThis.Go;
		} else {
			globalThis.Go = previousGo;
		}
		const go = new Go();
		let instance;
		try {
			instance = await WebAssembly.instantiate(await compiled, go.importObject);
		} catch (e) {
			fail('Could not load altiup.wasm: ' + (e && e.message ? e.message : e), e);
			return;
		}
		const exited = go.run(instance);
		// The Go runtime took its references while starting: the stand-ins it
		// no longer looks up can go.
		for (const name of added) {
			if (name !== 'Go') {
				delete globalThis[name];
			}
		}
		exited.then(() => {
			fail('The uploader stopped unexpectedly.');
			console.error('altiup: the WebAssembly program exited; reload the page to use it again.');
		});
	}

	// ---- isolated mode: the uploader in a frame of this script's origin ----
	// <altiup-uploader isolated> and create({isolated: true}) hand over to
	// embed/host.js, imported only then.
	let hostLoad = null;
	function isolated() {
		if (!hostLoad) hostLoad = import(new URL('embed/host.js', base).href);
		return hostLoad;
	}

	if (script && script.dataset.loading === 'eager') wake();

	// ---- <altiup-uploader> ----
	// The interface is an ES module (ui.js, next to this script), imported
	// when the first element is connected.
	let uiLoad = null;
	function ui() {
		if (!uiLoad) uiLoad = import(new URL('ui.js', base).href);
		return uiLoad;
	}
	if (!globalThis.customElements || customElements.get('altiup-uploader')) return;

	const ATTRS = ['api', 'key', 'project', 'cloud', 'bucket', 'concurrency'];
	class AltiupUploader extends HTMLElement {
		// The user token, set as a property or asked of getToken; kept here,
		// never in an attribute or anywhere else in the DOM.
		#token = '';
		#getToken = null;
		static get observedAttributes() {
			return ['lang'];
		}
		constructor() {
			super();
			this._ui = null;
			let done;
			this._mounted = new Promise((resolve) => (done = resolve));
			this._done = done;
			this._ready = this._mounted.then(() => ready).then(() => this);
			this._ready.catch(() => {});
			this._seen = null; // the IntersectionObserver that wakes the uploader
			// A value set before this script defined the element sits on the
			// element itself, hiding the setter: hand it to the setter.
			for (const name of ['token', 'getToken']) {
				if (Object.prototype.hasOwnProperty.call(this, name)) {
					const v = this[name];
					delete this[name];
					this[name] = v;
				}
			}
		}
		// token is write-only: scripts of the page cannot read it back.
		set token(v) {
			this.#token = v == null ? '' : String(v);
			if (this._ui && this._ui.refresh) this._ui.refresh(); // isolated mode
		}
		get token() {
			return undefined;
		}
		// getToken: () => token | Promise<token>, asked for a token when none
		// was given and again when the API refuses the one it has.
		set getToken(fn) {
			this.#getToken = typeof fn === 'function' ? fn : null;
			if (this._ui && this._ui.refresh) this._ui.refresh(); // isolated mode
		}
		get getToken() {
			return undefined;
		}
		// ready resolves once the interface and the uploader are loaded;
		// reading it starts the loading.
		get ready() {
			this._wake();
			return this._ready;
		}
		connectedCallback() {
			if (!this.hasAttribute('isolated')) this._watch(); // the frame loads its own
			if (this.shadowRoot) return;
			const shadow = this.attachShadow({ mode: 'open' });
			if (this.hasAttribute('isolated')) {
				// Isolated mode: the interface runs in a frame (embed/host.js).
				this._ready = this._mounted.then((u) => u.ready).then(() => this);
				this._ready.catch(() => {});
				isolated().then((H) => H.attach(this, shadow, home.href, () => this._options())).then((u) => this._done((this._ui = u)), (e) => this._error(e));
				return;
			}
			// Used: a press, a key, a drop, files picked wake the uploader.
			for (const type of ['pointerdown', 'keydown', 'focusin', 'dragenter', 'drop', 'change']) {
				shadow.addEventListener(type, () => this._wake(), { passive: true });
			}
			const css = document.createElement('link');
			css.rel = 'stylesheet';
			css.href = new URL('ui.css', base).href;
			const box = document.createElement('div');
			shadow.append(css, box);
			this._mount(box).catch((e) => this._error({ code: 'load_failed', message: 'Could not load the interface: ' + (e && e.message ? e.message : e) }));
		}
		// Taken out of the page, the element stops its uploads and lets its
		// uploader go; put back, it starts afresh. A move within the page
		// (out and in again at once) stops nothing.
		disconnectedCallback() {
			queueMicrotask(() => {
				if (this.isConnected) return;
				this._unwatch();
				if (this._ui) this._ui.dispose();
			});
		}
		// _watch wakes the uploader when the element comes into view, or at
		// once with loading="eager" (or without IntersectionObserver).
		_watch() {
			if (started || this._seen) return;
			if (this.getAttribute('loading') === 'eager' || !globalThis.IntersectionObserver) {
				wake();
				return;
			}
			this._seen = new IntersectionObserver((seen) => {
				if (seen.some((e) => e.isIntersecting)) this._wake();
			});
			this._seen.observe(this);
		}
		_unwatch() {
			if (this._seen) this._seen.disconnect();
			this._seen = null;
		}
		_wake() {
			if (this.hasAttribute('isolated')) return this._ready;
			this._unwatch();
			return wake();
		}
		async _mount(box) {
			const UI = await ui();
			const strings = await UI.loadStrings(base, this._lang(UI));
			const fire = (name) => (detail) => this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
			this._ui = UI.mount(box, {
				strings,
				options: () => this._options(),
				onFile: fire('altiup-file'),
				onProgress: fire('altiup-progress'),
				onDone: fire('altiup-done'),
				onError: fire('altiup-error'),
			});
			this._done(this._ui);
			ready.then(() => this._ui.setReady(true), (e) => this._error(e));
		}
		_lang(UI) {
			return UI.pickLanguage(UI.langOf(this.getAttribute('lang')), navigator.languages || [navigator.language]);
		}
		_options() {
			const o = {};
			for (const a of ATTRS) {
				const v = this.getAttribute(a);
				if (v !== null && v !== '') o[a] = a === 'concurrency' ? parseInt(v, 10) : v;
			}
			// The token attribute still works, but every script of the page
			// can read it: the property and getToken are the safer ways.
			const token = this.#token || this.getAttribute('token') || '';
			if (token) o.token = token;
			if (this.#getToken) o.getToken = this.#getToken;
			return o;
		}
		_error(e) {
			this.dispatchEvent(new CustomEvent('altiup-error', { detail: { code: (e && e.code) || 'error', message: (e && e.message) || String(e) }, bubbles: true, composed: true }));
		}
		attributeChangedCallback(name) {
			if (name !== 'lang' || !this._ui || this._ui.refresh) return; // isolated: host.js watches
			ui().then((UI) => UI.loadStrings(base, this._lang(UI))).then((s) => this._ui.setStrings(s), (e) => this._error(e));
		}
		// The uploader's API, on the element.
		add(files) {
			this._wake();
			return this._mounted.then((u) => u.add(files));
		}
		start() {
			this._wake();
			return this._mounted.then((u) => u.start());
		}
		pause() {
			if (this._ui) this._ui.pause();
		}
		resume() {
			if (this._ui) this._ui.resume();
		}
		cancel() {
			if (this._ui) this._ui.cancel();
		}
		retryFailed() {
			this._wake();
			return this._mounted.then((u) => u.retryFailed());
		}
		entries() {
			return this._ui ? this._ui.entries() : [];
		}
		_up() {
			this._wake();
			const up = this._ui && this._ui.uploader();
			if (!up) return Promise.reject({ code: 'invalid_input', message: 'Nothing was uploaded yet: call start() first.' });
			return Promise.resolve(up);
		}
		waitProcessed() {
			return this._up().then((up) => up.waitProcessed());
		}
		startReconstruction(opts) {
			return this._up().then((up) => up.startReconstruction(opts));
		}
		preStartReconstruction(opts) {
			return this._up().then((up) => up.preStartReconstruction(opts));
		}
		// on(event, fn): fn(detail) for altiup-<event>; returns the element.
		on(event, fn) {
			this.addEventListener('altiup-' + event, (e) => fn(e.detail));
			return this;
		}
		// dispose stops the uploads, lets the uploader go and empties the list.
		dispose() {
			if (!this._ui) return;
			this._ui.dispose();
			this._ui.clear();
		}
	}
	customElements.define('altiup-uploader', AltiupUploader);
})();
