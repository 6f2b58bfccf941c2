// hash-worker.js: computes the SHA-1 of Files off the page's main thread for
// altiup.js, which starts it from the folder it was itself loaded from.
//
// It says {ready: true, subtle} once loaded (subtle: whether WebCrypto is
// there). Each message {id, file} gets one answer: {id, sha1} with the
// lowercase hex digest and head, the file's first bytes (up to 64, so the
// page need not read them again to tell the format), or {id, error, stage}
// where stage is 'read' (the file could not be read) or 'digest'. The page
// bounds how many files, and bytes, a worker holds at once.
'use strict';
const subtle = self.crypto && self.crypto.subtle;

function hex(buf) {
	const b = new Uint8Array(buf);
	let s = '';
	for (let i = 0; i < b.length; i++) {
		s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
	}
	return s;
}

function describe(e) {
	if (e && e.name && e.message) return e.name + ': ' + e.message;
	return String(e);
}

// Files are read one at a time, in the order they came, and each is
// digested as soon as it is read: the next file's read overlaps the current
// digest (WebCrypto digests off this thread), so the disk and the CPU both
// stay busy. The page hands a worker its next file before the current one
// is done for this to have something to overlap.
let reading = Promise.resolve();

async function hashFile(id, file, read) {
	let buf;
	try {
		buf = await read;
	} catch (e) {
		self.postMessage({ id, error: describe(e), stage: 'read' });
		return;
	}
	try {
		const sha1 = hex(await subtle.digest('SHA-1', buf));
		self.postMessage({ id, sha1, head: new Uint8Array(buf.slice(0, 64)) });
	} catch (e) {
		self.postMessage({ id, error: describe(e), stage: 'digest' });
	}
}

self.onmessage = (event) => {
	const { id, file } = event.data || {};
	const read = reading.then(() => file.arrayBuffer());
	// The next read waits for this one, not for its digest.
	reading = read.catch(() => {});
	hashFile(id, file, read);
};

self.postMessage({ ready: true, subtle: !!subtle });
