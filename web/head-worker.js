// head-worker.js: reads the first bytes of Files off the page's main thread
// for altiup.js, which starts it from the folder it was itself loaded from;
// the uploader reads the photos' metadata (EXIF, XMP) from them.
//
// It says {ready: true} once loaded. Each message {id, files, n, from} (an
// array of Files, a byte count, an offset: 0 when absent) gets one answer
// {id, heads}: heads is a Uint8Array, its buffer transferred, holding the
// count of files (a 32-bit little-endian integer), then each file's length
// read (-1 for a file that could not be read), then the bytes of every file
// read (n at from, fewer at the file's end), one after the other. One
// message a batch, both ways, is what keeps the page's share small: on the
// page, every slice of a chosen File may wait on the browser
// process.
'use strict';

// Reads under way at once in a batch: they wait on the disk more than on
// this thread.
const READS = 8;

async function heads(files, n, from) {
	const parts = new Array(files.length).fill(null);
	let next = 0;
	const reader = async () => {
		while (next < files.length) {
			const i = next++;
			try {
				parts[i] = new Uint8Array(await files[i].slice(from, from + n).arrayBuffer());
			} catch (e) {
				parts[i] = null; // the page reads this file itself, and says why it cannot
			}
		}
	};
	const readers = [];
	for (let i = 0; i < Math.min(READS, files.length); i++) readers.push(reader());
	await Promise.all(readers);

	const header = 4 * (1 + files.length);
	let size = header;
	for (const p of parts) if (p) size += p.length;
	const out = new Uint8Array(size);
	const view = new DataView(out.buffer);
	view.setInt32(0, files.length, true);
	let at = header;
	parts.forEach((p, i) => {
		view.setInt32(4 * (1 + i), p ? p.length : -1, true);
		if (p) {
			out.set(p, at);
			at += p.length;
		}
	});
	return out;
}

self.onmessage = async (event) => {
	const { id, files, n, from } = event.data || {};
	let out;
	try {
		out = await heads(Array.from(files || []), n, from || 0);
	} catch (e) {
		out = new Uint8Array(4); // no file read: the page reads them itself
	}
	self.postMessage({ id, heads: out }, [out.buffer]);
};

self.postMessage({ ready: true });
