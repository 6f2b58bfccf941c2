// inspect.js: the inspect group's page code. It counts the bytes read from
// Blobs (the chosen Files and their slices), so bench.html loads it first,
// before bench.js loads the uploader; benchInspect uses bench.js's helpers
// when it is called.
(function () {
	'use strict';
	// countReads wraps the reading methods of Blobs (the chosen Files and
	// their slices) and of FileReaders in the global scope it runs in, and
	// tells add(bytes) of each read, slice() of each slice. A slice reads
	// nothing: its bytes are read when its contents are asked for, by
	// arrayBuffer, bytes, text, stream or a FileReader. It runs on the page
	// and, stringified, in every Worker the page starts: the uploader reads
	// files in Workers too.
	function countReads(add, slice) {
		const wrap = (proto, name, blobOf) => {
			const orig = proto && proto[name];
			if (typeof orig !== 'function') {
				return;
			}
			proto[name] = function () {
				if (name === 'slice') {
					slice();
				} else {
					add(blobOf(this, arguments).size);
				}
				return orig.apply(this, arguments);
			};
		};
		for (const name of ['slice', 'arrayBuffer', 'bytes', 'text', 'stream']) {
			wrap(Blob.prototype, name, (blob) => blob);
		}
		for (const R of [self.FileReader, self.FileReaderSync]) {
			for (const name of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsDataURL', 'readAsText']) {
				wrap(R && R.prototype, name, (_, args) => args[0]);
			}
		}
	}
	const counted = { bytes: 0, reads: 0, slices: 0 };
	const add = (bytes) => {
		counted.bytes += bytes;
		counted.reads++;
	};
	const slice = () => counted.slices++;
	countReads(add, slice);
	// countWorkers counts the reads of the Workers the page starts from now
	// on (only benchInspect's page: the other groups' workers are left as
	// they are). Their counts come back over a BroadcastChannel: each
	// worker starts from a script that counts, then loads the one asked for.
	// A worker sends what it counted at most every flushMs, not a message a
	// read: those messages go through the browser process, which serves the
	// reads too, and one a read slowed the reads they counted (by 0.6 s over
	// 1,000 files here). benchInspect waits longer than that before it
	// reads the counts.
	const flushMs = 20;
	const countWorkers = () => {
		const channel = 'bench-inspect-reads';
		new BroadcastChannel(channel).onmessage = (e) => {
			counted.bytes += e.data.bytes;
			counted.reads += e.data.reads;
			counted.slices += e.data.slices;
		};
		const NativeWorker = globalThis.Worker;
		globalThis.Worker = function (url, options) {
			const src = new URL(url, location.href).href;
			const tally = `const t = {bytes: 0, reads: 0, slices: 0}; let due = false;
				const flush = () => { due = false; c.postMessage(Object.assign({}, t)); t.bytes = t.reads = t.slices = 0; };
				const later = () => { if (!due) { due = true; setTimeout(flush, ${flushMs}); } };`;
			const prelude = `(${countReads})((bytes) => { t.bytes += bytes; t.reads++; later(); }, () => { t.slices++; later(); });`;
			const script = `const c = new BroadcastChannel(${JSON.stringify(channel)}); ${tally} ${prelude} importScripts(${JSON.stringify(src)});`;
			return new NativeWorker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })), options);
		};
	};

	// benchInspect adds the files to a new uploader and inspects them. o:
	// {api, key, token, project}. It resolves to {added, inspect, longest,
	// read, reads, slices, bytes, summary}: times in ms, read the bytes asked
	// of the files from add() to inspect()'s answer, bytes theirs in all.
	globalThis.benchInspect = (o) => inspectWithAltiup(o).catch((e) => {
		throw new Error(e && e.code ? e.code + ': ' + bench.lib.message(e) : bench.lib.message(e));
	});
	// benchInspectFloor is the baseline: plain JS reading the first 32 KiB
	// of every chosen file, 4 at a time (as the uploader reads metadata),
	// checking only that each starts as a JPEG. It resolves to its time in ms.
	globalThis.benchInspectFloor = async () => {
		const files = bench.files();
		let next = 0;
		const worker = async () => {
			while (next < files.length) {
				const f = files[next++];
				const b = new Uint8Array(await f.slice(0, 32 << 10).arrayBuffer());
				if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error(f.name + ' does not start as a JPEG');
			}
		};
		const t0 = performance.now();
		await Promise.all([worker(), worker(), worker(), worker()]);
		return performance.now() - t0;
	};
	async function inspectWithAltiup(o) {
		countWorkers();
		const files = bench.files();
		const up = await altiup.create({ api: o.api, key: o.key, token: o.token, project: o.project });
		try {
			Object.assign(counted, { bytes: 0, reads: 0, slices: 0 });
			const t0 = performance.now();
			await up.add(files);
			const t1 = performance.now();
			const summary = await up.inspect();
			const t2 = performance.now();
			// Long task entries are delivered after their task ends, and
			// the Workers' counts a little after their reads.
			await new Promise((r) => setTimeout(r, 100));
			const read = Object.assign({}, counted);
			return {
				added: t1 - t0, inspect: t2 - t1, longest: bench.longest(t0, t2),
				read: read.bytes, reads: read.reads, slices: read.slices,
				bytes: files.reduce((n, f) => n + f.size, 0), summary,
			};
		} finally {
			up.dispose();
		}
	}
})();
