// bench.js: the benchmark's fixture page. The harness loads bench.html with
// ?load=<script URLs, comma separated>&storage=<storage origin>, sets the files
// of #files over the DevTools protocol and calls one of the bench.* functions,
// each of which resolves to plain figures (times in ms from performance.now).
// This file holds the instrumentation and bench.altiup; peers.js the rest.
(function () {
	'use strict';
	const params = new URLSearchParams(location.search);
	const storage = params.get('storage') || '';
	const bench = (globalThis.bench = {});

	// The first request that goes to the storage endpoints: "first byte".
	bench.firstSend = 0;
	bench.sends = 0;
	function note(url) {
		if (storage && typeof url === 'string' && url.startsWith(storage)) {
			bench.sends++;
			if (!bench.firstSend) {
				bench.firstSend = performance.now();
			}
		}
	}
	const xhrOpen = XMLHttpRequest.prototype.open;
	const xhrSend = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.open = function (method, url) {
		this.__benchURL = String(url);
		return xhrOpen.apply(this, arguments);
	};
	XMLHttpRequest.prototype.send = function () {
		note(this.__benchURL);
		return xhrSend.apply(this, arguments);
	};
	const pageFetch = globalThis.fetch;
	globalThis.fetch = function (input) {
		note(typeof input === 'string' ? input : input && input.url);
		return pageFetch.apply(this, arguments);
	};
	// Requests the page hands to a worker ({id, fetch: {url}} messages, as
	// altiup's hash workers take them) count as the page's own: each
	// request's start and, from the worker's answer of the same id, its end.
	bench.workerRequests = [];
	const workerPost = Worker.prototype.postMessage;
	Worker.prototype.postMessage = function (msg) {
		if (msg && msg.fetch && typeof msg.fetch.url === 'string') {
			note(msg.fetch.url);
			const r = { name: msg.fetch.url, id: msg.id, startTime: performance.now(), responseEnd: 0 };
			bench.workerRequests.push(r);
			// The requests under way by id, so that each answer costs the
			// measured page a look-up, not a search of every request.
			if (!this.__benchOpen) {
				const open = (this.__benchOpen = new Map());
				this.addEventListener('message', (e) => {
					const d = e.data;
					if (!d || d.id === undefined) return;
					const w = open.get(d.id);
					if (w) {
						w.responseEnd = performance.now();
						open.delete(d.id);
					}
				});
			}
			this.__benchOpen.set(msg.id, r);
		}
		return workerPost.apply(this, arguments);
	};

	// Long tasks of the main thread.
	const longTasks = [];
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) {
				longTasks.push({ start: e.startTime, duration: e.duration });
			}
		}).observe({ type: 'longtask', buffered: true });
	} catch (e) {
		// No long task timing: longest() stays 0.
	}
	bench.longest = (since, until = Infinity) => longTasks.filter((t) => t.start + t.duration >= since && t.start <= until)
		.reduce((m, t) => Math.max(m, t.duration), 0);
	// What ran in the long animation frames (the scripts of 5 ms or more,
	// by what called them), to tell where a long task came from.
	const longFrames = [];
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) {
				longFrames.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, scripts: e.scripts.map((s) => ({
					invoker: s.invoker, fn: s.sourceFunctionName, url: String(s.sourceURL || '').split('/').pop(),
					ms: Math.round(s.duration), pause: Math.round(s.pauseDuration || 0),
				})) });
			}
		}).observe({ type: 'long-animation-frame', buffered: true });
	} catch (e) {
		// No long animation frame timing: longestFrame() says so.
	}
	// longestFrame is the frame of most blocking time between since and
	// until, in words: its length, and each script's caller and time.
	bench.longestFrame = (since, until = Infinity) => {
		const f = longFrames.filter((t) => t.start + t.duration >= since && t.start <= until)
			.reduce((m, t) => (!m || t.blocking > m.blocking ? t : m), null);
		if (!f) return '';
		const scripts = f.scripts.map((s) => `${s.invoker}${s.fn ? ' → ' + s.fn : ''}${s.url ? ' (' + s.url + ')' : ''} ${s.ms} ms${s.pause ? ', paused ' + s.pause + ' ms' : ''}`);
		return `a frame of ${Math.round(f.duration)} ms at ${Math.round(f.start - since)} ms, blocking ${Math.round(f.blocking)} ms: ${scripts.join('; ') || 'no script over 5 ms'}`;
	};

	// The WebAssembly memories of the page (the uploader's Go program exports
	// its memory as "mem").
	const memories = [];
	function keep(result) {
		const inst = result && result.instance ? result.instance : result;
		if (inst && inst.exports && inst.exports.mem instanceof WebAssembly.Memory) {
			memories.push(inst.exports.mem);
		}
		return result;
	}
	const instantiate = WebAssembly.instantiate;
	WebAssembly.instantiate = function () {
		return instantiate.apply(this, arguments).then(keep);
	};
	if (WebAssembly.instantiateStreaming) {
		const streaming = WebAssembly.instantiateStreaming;
		WebAssembly.instantiateStreaming = function () {
			return streaming.apply(this, arguments).then(keep);
		};
	}
	bench.memory = () => ({
		js: performance.memory ? performance.memory.usedJSHeapSize : 0,
		wasm: memories.reduce((n, m) => n + m.buffer.byteLength, 0),
	});
	// sampleMemory tracks the peak of JS heap + wasm memory until stopped.
	function sampleMemory() {
		let peak = { js: 0, wasm: 0, sum: 0 };
		const take = () => {
			const m = bench.memory();
			peak.js = Math.max(peak.js, m.js);
			peak.wasm = Math.max(peak.wasm, m.wasm);
			peak.sum = Math.max(peak.sum, m.js + m.wasm);
		};
		take();
		const timer = setInterval(take, 50);
		return () => {
			clearInterval(timer);
			take();
			return peak;
		};
	}

	function loadScript(url) {
		return new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = url;
			s.onload = () => resolve();
			s.onerror = () => reject(new Error('could not load ' + url));
			document.head.appendChild(s);
		});
	}
	bench.loaded = (async () => {
		for (const url of (params.get('load') || '').split(',').filter(Boolean)) {
			await loadScript(url);
		}
		if (globalThis.altiup) {
			await globalThis.altiup.ready;
		}
		if (globalThis.benchHashReady) {
			await globalThis.benchHashReady;
		}
		return true;
	})();

	bench.files = () => Array.from(document.getElementById('files').files);
	const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
	const message = (e) => String(e && e.message ? e.message : e);

	// pool runs fn over items with n at once, in order of the items.
	async function pool(items, n, fn) {
		let next = 0;
		const errors = [];
		async function worker() {
			while (next < items.length) {
				const i = next++;
				try {
					await fn(items[i], i);
				} catch (e) {
					errors.push(message(e));
				}
			}
		}
		await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
		return errors;
	}

	function result(t0, extra) {
		return Object.assign({
			ms: performance.now() - t0,
			firstByte: bench.firstSend ? bench.firstSend - t0 : -1,
			longest: bench.longest(t0),
			longFrame: bench.longestFrame(t0),
		}, extra);
	}

	// altiup uploads the files with the uploader. o: {api, key, token,
	// project, cloud, concurrency, firstByteOnly, memory}.
	bench.altiup = (o) => uploadWithAltiup(o).catch((e) => {
		// altiup rejects with {code, message}: an Error says it in the log.
		throw new Error(e && e.code ? e.code + ': ' + message(e) : message(e));
	});
	async function uploadWithAltiup(o) {
		const files = bench.files();
		const up = await altiup.create({
			api: o.api, key: o.key, token: o.token, project: o.project,
			cloud: o.cloud, concurrency: o.concurrency,
		});
		const stop = o.memory ? sampleMemory() : null;
		// Where the files' time goes: the time each spends in each state,
		// summed over the files, and the requests made to the API.
		const phases = {};
		const since = new Map();
		// The first file's states as they reach the page, to tell where the
		// time before the first byte goes.
		const first = [];
		// When the last file's first event came: every file is in the
		// uploader (add() may resolve before its files are all in).
		let allIn = 0;
		up.on('file', (e) => {
			const now = performance.now();
			if (e.index === files.length - 1 && !allIn) {
				allIn = now;
			}
			if (e.index === 0 && (!first.length || first[first.length - 1][0] !== e.state)) {
				first.push([e.state, now]);
			}
			const was = since.get(e.index);
			if (was && was.state !== e.state) {
				phases[was.state] = (phases[was.state] || 0) + now - was.at;
			}
			if (!was || was.state !== e.state) {
				since.set(e.index, { state: e.state, at: now });
			}
		});
		let apiRequests = 0;
		const apiTimes = [];
		const api = new URL(o.api, location.href).href;
		const seen = new PerformanceObserver((list) => {
			const mine = list.getEntries().filter((e) => e.name === api);
			apiRequests += mine.length;
			for (const e of mine) {
				apiTimes.push([e.startTime, e.responseEnd]);
			}
		});
		seen.observe({ type: 'resource' });
		bench.firstSend = 0;
		bench.workerRequests = [];
		const t0 = performance.now();
		await up.add(files);
		const added = performance.now() - t0;
		if (o.firstByteOnly) {
			const run = up.start().catch(() => null);
			while (!bench.firstSend && performance.now() - t0 < 120000) {
				await sleep(1);
			}
			while (!allIn && performance.now() - t0 < 120000) {
				await sleep(1);
			}
			// The tasks of adding, from add() until every file is in: long
			// task entries arrive after the task, so they are read once the
			// first byte is out and the files are in.
			const end = Math.max(t0 + added, allIn);
			await sleep(1);
			const r = result(t0, { added, allIn: allIn ? allIn - t0 : -1, addLongest: bench.longest(t0, end), addFrame: bench.longestFrame(t0, end) });
			up.cancel();
			await run;
			up.dispose();
			return r;
		}
		let report;
		try {
			report = await up.start();
		} catch (e) {
			report = e && e.report ? e.report : { uploaded: 0, failed: files.length, files: [] };
			report.error = message(e);
		}
		const r = result(t0, { added, memory: stop ? stop() : null, phases, apiRequests });
		// Before the first byte: the first file's states and the API
		// requests, in ms from t0.
		const fb = bench.firstSend || Infinity;
		r.firstFile = first.filter(([, at]) => at <= fb).map(([state, at]) => [state, Math.round(at - t0)]);
		for (const w of bench.workerRequests) {
			if (new URL(w.name, location.href).href === api) {
				apiRequests++;
				apiTimes.push([w.startTime, w.responseEnd || w.startTime]);
			}
		}
		r.apiRequests = apiRequests;
		r.apiBeforeFirstByte = apiTimes.filter(([start]) => start <= fb).sort((a, b) => a[0] - b[0])
			.map(([start, end]) => [Math.round(start - t0), Math.round(end - t0)]);
		seen.disconnect();
		const errors = [...new Set((report.files || []).filter((f) => f.error).map((f) => f.error.message || String(f.error)))];
		up.dispose();
		return Object.assign(r, {
			files: files.length, uploaded: report.uploaded || 0, skipped: report.skipped || 0,
			failed: report.failed || 0, errors: report.error ? [report.error].concat(errors) : errors.slice(0, 3),
		});
	}

	// The helpers peers.js uses.
	bench.lib = { pool, result, sampleMemory, message };
})();
