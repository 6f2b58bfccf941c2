// inspect.js: the inspect group's page code. It counts the bytes read from
// Blobs (the chosen Files and their slices), so bench.html loads it first,
// before bench.js loads the uploader; benchInspect uses bench.js's helpers
// when it is called.
(function () {
	'use strict';
	// A slice reads nothing: its bytes are read when its contents are asked
	// for, by arrayBuffer, bytes, text, stream or a FileReader.
	const counted = { bytes: 0, reads: 0, slices: 0 };
	const count = (blob) => {
		counted.bytes += blob.size;
		counted.reads++;
	};
	const wrap = (proto, name, blobOf) => {
		const orig = proto[name];
		if (typeof orig !== 'function') {
			return;
		}
		proto[name] = function () {
			if (name === 'slice') {
				counted.slices++;
			} else {
				count(blobOf(this, arguments));
			}
			return orig.apply(this, arguments);
		};
	};
	for (const name of ['slice', 'arrayBuffer', 'bytes', 'text', 'stream']) {
		wrap(Blob.prototype, name, (blob) => blob);
	}
	for (const name of ['readAsArrayBuffer', 'readAsBinaryString', 'readAsDataURL', 'readAsText']) {
		wrap(FileReader.prototype, name, (_, args) => args[0]);
	}

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
		const files = bench.files();
		const up = await altiup.create({ api: o.api, key: o.key, token: o.token, project: o.project });
		try {
			Object.assign(counted, { bytes: 0, reads: 0, slices: 0 });
			const t0 = performance.now();
			await up.add(files);
			const t1 = performance.now();
			const summary = await up.inspect();
			const t2 = performance.now();
			const read = Object.assign({}, counted);
			// Long task entries are delivered after their task ends.
			await new Promise((r) => setTimeout(r, 100));
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
