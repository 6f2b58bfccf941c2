// bench.js: the benchmark's fixture page. The harness loads bench.html with
// ?load=<script URLs, comma separated>&storage=<storage origin>, sets the files
// of #files over the DevTools protocol and calls one of the bench.* functions,
// each of which resolves to plain figures (times in ms from performance.now).
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
	bench.longest = (since) => longTasks.filter((t) => t.start + t.duration >= since)
		.reduce((m, t) => Math.max(m, t.duration), 0);

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
		}, extra);
	}

	// altiup uploads the files with the uploader. o: {api, key, token,
	// project, cloud, concurrency, firstByteOnly, memory}.
	bench.altiup = async (o) => {
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
		up.on('file', (e) => {
			const now = performance.now();
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
		const t0 = performance.now();
		await up.add(files);
		const added = performance.now() - t0;
		if (o.firstByteOnly) {
			const run = up.start().catch(() => null);
			while (!bench.firstSend && performance.now() - t0 < 120000) {
				await sleep(1);
			}
			const r = result(t0, { added });
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
		r.apiBeforeFirstByte = apiTimes.filter(([start]) => start <= fb).sort((a, b) => a[0] - b[0])
			.map(([start, end]) => [Math.round(start - t0), Math.round(end - t0)]);
		seen.disconnect();
		const errors = [...new Set((report.files || []).filter((f) => f.error).map((f) => f.error.message || String(f.error)))];
		up.dispose();
		return Object.assign(r, {
			files: files.length, uploaded: report.uploaded || 0, skipped: report.skipped || 0,
			failed: report.failed || 0, errors: report.error ? [report.error].concat(errors) : errors.slice(0, 3),
		});
	};

	// fetchPut is the plain baseline: each file PUT with fetch to its
	// already-signed URL, concurrency at once. o: {items: [{url, headers}],
	// concurrency, memory}.
	bench.fetchPut = async (o) => {
		const files = bench.files();
		const stop = o.memory ? sampleMemory() : null;
		bench.firstSend = 0;
		const t0 = performance.now();
		const errors = await pool(files, o.concurrency, async (f, i) => {
			const it = o.items[i];
			const r = await fetch(it.url, { method: 'PUT', body: f, headers: it.headers });
			if (!r.ok) {
				// Only the error code: storage error bodies may echo what was signed.
				const code = /<Code>([^<]{1,100})<\/Code>/.exec(await r.text());
				throw new Error('HTTP ' + r.status + (code ? ' ' + code[1] : ''));
			}
		});
		return result(t0, { memory: stop ? stop() : null, files: files.length, uploaded: files.length - errors.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) });
	};

	// hashThenPut is the floor of any uploader that must know a file's
	// checksum before it may send it, in plain JS: WebCrypto in 2 Workers,
	// then a fetch PUT to an already-signed URL, concurrency files at once,
	// no API calls. o: {items: [{url, headers}], concurrency}.
	bench.hashThenPut = async (o) => {
		const files = bench.files();
		const idle = Array.from({ length: 2 }, () => new Worker('hashworker.js'));
		const all = idle.slice();
		const waiting = [];
		let id = 0;
		const hash = (file) => new Promise((resolve, reject) => {
			const run = (w) => {
				w.onmessage = (e) => {
					if (waiting.length) {
						waiting.shift()(w);
					} else {
						idle.push(w);
					}
					if (e.data.error) {
						reject(new Error(e.data.error));
					} else {
						resolve(e.data.sum);
					}
				};
				w.postMessage({ id: id++, file });
			};
			if (idle.length) {
				run(idle.pop());
			} else {
				waiting.push(run);
			}
		});
		bench.firstSend = 0;
		const t0 = performance.now();
		const errors = await pool(files, o.concurrency, async (f, i) => {
			await hash(f);
			const it = o.items[i];
			const r = await fetch(it.url, { method: 'PUT', body: f, headers: it.headers });
			if (!r.ok) {
				throw new Error('HTTP ' + r.status);
			}
		});
		all.forEach((w) => w.terminate());
		return result(t0, { files: files.length, uploaded: files.length - errors.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) });
	};

	function ossClient(s) {
		// An IP endpoint: the bucket goes into the path (sldEnable).
		return new OSS({
			accessKeyId: s.id, accessKeySecret: s.secret, stsToken: s.token,
			bucket: s.bucket, endpoint: s.endpoint, secure: s.endpoint.startsWith('https:'),
			sldEnable: true, timeout: 600000,
		});
	}

	// aliOSS puts each file with ali-oss's put, concurrency at once.
	// o: {sts, prefix, concurrency}.
	bench.aliOSS = async (o) => {
		const files = bench.files();
		const client = ossClient(o.sts);
		bench.firstSend = 0;
		const t0 = performance.now();
		const errors = await pool(files, o.concurrency, (f) => client.put(o.prefix + f.name, f, { mime: 'image/jpeg' }));
		return result(t0, { files: files.length, uploaded: files.length - errors.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) });
	};

	async function gql(o, query, variables) {
		const r = await fetch(o.api, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', key: o.key, altitoken: o.token },
			body: JSON.stringify({ query, variables }),
		});
		const j = await r.json();
		if (j.errors && j.errors.length) {
			throw new Error(j.errors[0].message);
		}
		return j.data;
	}
	function readWhole(file) {
		return new Promise((resolve, reject) => {
			const fr = new FileReader();
			fr.onload = () => resolve(fr.result);
			fr.onerror = () => reject(fr.error);
			fr.readAsArrayBuffer(file);
		});
	}

	// cryptoJSUploader is the service's documented flow done the simple way:
	// one file at a time, read whole, SHA-1 with crypto-js, hasImage,
	// uploadImageOSS (one STS kept until it expires), startImageUpload,
	// ali-oss put, doneImageUpload. o: {api, key, token, project}.
	bench.cryptoJSUploader = async (o) => {
		const files = bench.files();
		bench.firstSend = 0;
		const t0 = performance.now();
		let client = null;
		let expire = 0;
		const errors = [];
		let uploaded = 0;
		for (const f of files) {
			try {
				const buf = await readWhole(f);
				const sum = CryptoJS.SHA1(CryptoJS.lib.WordArray.create(buf)).toString();
				const has = await gql(o, 'mutation ($pid: ID!, $c: String!) { hasImage(pid: $pid, checksum: $c) { id state } }', { pid: o.project, c: sum });
				if (has.hasImage && has.hasImage.state !== 'Invalid') {
					continue;
				}
				const r = await gql(o, 'mutation ($pid: ID!, $f: String!, $c: String) { uploadImageOSS(pid: $pid, bucket: Hangzhou, filename: $f, type: JPEG, checksum: $c) { sts { id secret token bucket endpoint expire } image { id filename } } }',
					{ pid: o.project, f: f.name, c: sum });
				const info = r.uploadImageOSS;
				if (!client || Date.now() > expire) {
					client = ossClient(info.sts);
					expire = Date.parse(info.sts.expire) - 60000;
				}
				await gql(o, 'mutation ($id: ID!) { startImageUpload(id: $id) { id } }', { id: info.image.id });
				await client.put(o.project + '/' + info.image.filename, f, { mime: 'image/jpeg' });
				await gql(o, 'mutation ($id: ID!) { doneImageUpload(id: $id) { id } }', { id: info.image.id });
				uploaded++;
			} catch (e) {
				errors.push(message(e));
			}
		}
		return result(t0, { files: files.length, uploaded, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) });
	};

	const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

	// hash computes the SHA-1 of the first o.count files with one method and
	// returns the sums (checked by the harness against Go's).
	bench.hash = async (o) => {
		let files = bench.files().slice(0, o.count || undefined);
		// A method named …-mem hashes in-memory copies of the files: the
		// hashing without the cost of reading files from disk.
		const method = o.method.replace(/-mem$/, '');
		if (method !== o.method) {
			const copies = [];
			for (const f of files) {
				copies.push(new File([await f.arrayBuffer()], f.name, { type: f.type }));
			}
			files = copies;
		}
		const workerURL = new URL('hash-worker.js', location.href).href;
		if (method === 'go-hasher') {
			await benchHash([], 'hasher', workerURL); // starts its workers, as create() does
		}
		let sums;
		const t0 = performance.now();
		switch (method) {
		case 'webcrypto-workers':
		case 'read-workers': {
			const workers = Array.from({ length: o.workers || 2 }, () => new Worker('hashworker.js'));
			sums = new Array(files.length);
			let next = 0;
			await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
				const send = () => {
					if (next >= files.length) {
						resolve();
						return;
					}
					const id = next++;
					w.postMessage({ id, file: files[id], read: method === 'read-workers' });
				};
				w.onmessage = (e) => {
					if (e.data.error) {
						reject(new Error(e.data.error));
						return;
					}
					sums[e.data.id] = e.data.sum;
					send();
				};
				send();
			})));
			workers.forEach((w) => w.terminate());
			break;
		}
		case 'webcrypto-main':
			sums = [];
			for (const f of files) {
				sums.push(hex(await crypto.subtle.digest('SHA-1', await f.arrayBuffer())));
			}
			break;
		case 'cryptojs':
			sums = [];
			for (const f of files) {
				const buf = await readWhole(f);
				sums.push(CryptoJS.SHA1(CryptoJS.lib.WordArray.create(buf)).toString());
			}
			break;
		case 'hash-wasm': {
			sums = [];
			const h = await hashwasm.createSHA1();
			const chunk = 8 << 20;
			for (const f of files) {
				h.init();
				for (let off = 0; off < f.size; off += chunk) {
					h.update(new Uint8Array(await f.slice(off, off + chunk).arrayBuffer()));
				}
				sums.push(h.digest('hex'));
			}
			break;
		}
		case 'go-hasher':
		case 'go-stream':
			sums = await benchHash(files, method === 'go-hasher' ? 'hasher' : 'stream', workerURL);
			break;
		default:
			throw new Error('unknown hash method ' + method);
		}
		return result(t0, { sums, bytes: files.reduce((n, f) => n + f.size, 0) });
	};
})();
