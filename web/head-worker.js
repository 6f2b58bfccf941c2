// head-worker.js: reads the first bytes of Files off the page's main thread
// for altiup.js, which starts it from the folder it was itself loaded from;
// the uploader reads the photos' metadata (EXIF, XMP) from them.
//
// It says {ready: true} once loaded. Each message {id, files, n, from,
// buffer} (an array of Files, a byte count, an offset: 0 when absent, and
// an ArrayBuffer of an earlier answer the page hands back, or none) gets one
// answer {id, heads}: heads is a Uint8Array, its buffer transferred (the
// one handed back when it is large enough, so that the page's answers make
// no garbage), holding the
// count of files (a 32-bit little-endian integer), then each file's length
// read (-1 for a file that could not be read), then the bytes of every file
// read (n at from, fewer at the file's end), one after the other. One
// message a batch, both ways, is what keeps the page's share small: on the
// page, every slice of a chosen File may wait on the browser
// process.
'use strict';

// Reads under way at once in a batch read file by file: they wait on the
// disk more than on this thread.
const READS = 8;

// heads reads n bytes at from of every file. The batch is read first as one
// Blob made of every file's slice: the browser process then reads the files
// in one stream, which here took 0.9–1.1 s for 1,000 heads of 32 KiB in
// batches of 8 to 16, against 1.4–1.6 s read one slice at a time. When that
// read fails (a file gone or changed since it was chosen), the files are
// read one by one, so that only the file at fault goes unread.
async function heads(files, n, from, buffer) {
	const slices = files.map((f) => f.slice(from, from + n));
	let parts = null;
	try {
		const all = new Uint8Array(await new Blob(slices).arrayBuffer());
		let at = 0;
		parts = slices.map((s) => all.subarray(at, (at += s.size)));
		if (at !== all.length) parts = null;
	} catch (e) {
		parts = null;
	}
	if (!parts) parts = await oneByOne(slices);
	return pack(parts, buffer);
}

// oneByOne reads each slice on its own, READS at once; an entry is null
// for a slice that could not be read.
async function oneByOne(slices) {
	const parts = new Array(slices.length).fill(null);
	let next = 0;
	const reader = async () => {
		while (next < slices.length) {
			const i = next++;
			try {
				parts[i] = new Uint8Array(await slices[i].arrayBuffer());
			} catch (e) {
				parts[i] = null; // the page reads this file itself, and says why it cannot
			}
		}
	};
	const readers = [];
	for (let i = 0; i < Math.min(READS, slices.length); i++) readers.push(reader());
	await Promise.all(readers);
	return parts;
}

// pack lays parts out as the answer's heads (see the top of this file), in
// buffer when it has room.
function pack(parts, buffer) {
	const header = 4 * (1 + parts.length);
	let size = header;
	for (const p of parts) if (p) size += p.length;
	const out = buffer instanceof ArrayBuffer && buffer.byteLength >= size ? new Uint8Array(buffer, 0, size) : new Uint8Array(size);
	const view = new DataView(out.buffer);
	view.setInt32(0, parts.length, true);
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
	const { id, files, n, from, buffer } = event.data || {};
	let out;
	try {
		out = await heads(Array.from(files || []), n, from || 0, buffer);
	} catch (e) {
		out = new Uint8Array(4); // no file read: the page reads them itself
	}
	self.postMessage({ id, heads: out }, [out.buffer]);
};

self.postMessage({ ready: true });
