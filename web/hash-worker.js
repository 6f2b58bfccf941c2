// hash-worker.js: computes the SHA-1 of Files off the page's main thread for
// altiup.js, which starts it from the folder it was itself loaded from.
//
// It says {ready: true, subtle} once loaded (subtle: whether WebCrypto is
// there). Each message {id, file} gets one answer: {id, sha1} with the
// lowercase hex digest, or {id, error, stage} where stage is 'read' (the file
// could not be read) or 'digest'. One file is hashed at a time: the page
// sends the next only after the answer, so a worker holds at most one file.
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
		self.postMessage({ id, sha1: hex(await subtle.digest('SHA-1', buf)) });
	} catch (e) {
		self.postMessage({ id, error: describe(e), stage: 'digest' });
	}
};

self.postMessage({ ready: true, subtle: !!subtle });
