// hash-worker.js: computes the SHA-1 of Files off the page's main thread for
// altiup.js, which starts it from the folder it was itself loaded from.
//
// It says {ready: true, subtle} once loaded (subtle: whether WebCrypto is
// there). Each message {id, file} gets one answer: {id, sha1} with the
// lowercase hex digest and head, the file's first bytes (up to 64, so the
// page need not read them again to tell the format), or {id, error, stage}
// where stage is 'read' (the file could not be read) or 'digest'. The page bounds how many files, and bytes,
// a worker holds at once.
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

self.onmessage = async (event) => {
	const { id, file } = event.data || {};
	let buf;
	try {
		buf = await file.arrayBuffer();
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
};

self.postMessage({ ready: true, subtle: !!subtle });
