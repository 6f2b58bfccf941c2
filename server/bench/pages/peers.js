// peers.js: what the benchmark measures beside altiup, on bench.js's
// helpers (load it after bench.js): the plain fetch PUT baseline, the
// hash-then-PUT floor, ali-oss's put, the crypto-js uploader and the ways of
// hashing in the page.
(function () {
	'use strict';
	const bench = globalThis.bench;
	const { pool, result, sampleMemory, message } = bench.lib;

	// fetchPut is the plain baseline: each file PUT with fetch to its
	// already-signed URL, concurrency at once. o: {items: [{url, headers}],
	// concurrency, memory}.
	bench.fetchPut = async (o) => {
		const files = bench.files();
		const stop = o.memory ? sampleMemory() : null;
		bench.firstSend = 0;
		const t0 = performance.now();
		// Each PUT's start and end, for the harness to tell a baseline that
		// went wrong (a stalled or repeated request) from one that did not.
		const requests = [];
		const errors = await pool(files, o.concurrency, async (f, i) => {
			const it = o.items[i];
			const start = performance.now() - t0;
			try {
				const r = await fetch(it.url, { method: 'PUT', body: f, headers: it.headers });
				if (!r.ok) {
					// Only the error code: storage error bodies may echo what was signed.
					const code = /<Code>([^<]{1,100})<\/Code>/.exec(await r.text());
					throw new Error('HTTP ' + r.status + (code ? ' ' + code[1] : ''));
				}
			} finally {
				requests[i] = [Math.round(start), Math.round(performance.now() - t0)];
			}
		});
		return result(t0, { memory: stop ? stop() : null, requests, files: files.length, uploaded: files.length - errors.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) });
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
		// Workers of altiup's hasher: 0 is as many as the uploader starts.
		const goWorkers = o.workers || 0;
		if (method === 'go-hasher') {
			await benchHash([], 'hasher', workerURL, goWorkers); // starts its workers, as create() does
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
			sums = await benchHash(files, method === 'go-hasher' ? 'hasher' : 'stream', workerURL, goWorkers);
			break;
		default:
			throw new Error('unknown hash method ' + method);
		}
		return result(t0, { sums, bytes: files.reduce((n, f) => n + f.size, 0) });
	};
})();
