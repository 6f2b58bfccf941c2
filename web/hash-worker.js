// hash-worker.js: computes the SHA-1 of Files, and sends them to the
// storage, off the page's main thread for altiup.js, which starts it from
// the folder it was itself loaded from.
//
// It says {ready: true, subtle} once loaded (subtle: whether WebCrypto is
// there). Each message {id, file} gets one answer: {id, sha1} with the
// lowercase hex digest and head, the file's first bytes (up to 64, so the
// page need not read them again to tell the format), or {id, error, stage}
// where stage is 'read' (the file could not be read) or 'digest'. The page
// bounds how many files, and bytes, a worker holds at once.
//
// A message {id, fetch: {method, url, headers}, body} sends body (a File or
// a slice of one) with fetch, and gets one answer: {id, status, headers,
// body} with the headers CORS exposes as a JSON text of name → value, and
// the answer's body as text when it is an error document, or always when
// the request says {text: true} (an API's answer); or {id, error,
// stage: 'fetch'} when no answer came. A message {id, abort: true} aborts
// that request, which then gets no answer.
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

const requests = new Map(); // id → AbortController of a request under way

async function send(id, req, body) {
	const abort = new AbortController();
	requests.set(id, abort);
	try {
		const resp = await fetch(req.url, {
			method: req.method, headers: req.headers, body, credentials: 'same-origin', signal: abort.signal,
		});
		const headers = JSON.stringify(Object.fromEntries(resp.headers));
		const text = resp.ok && !req.text ? '' : await resp.text();
		if (requests.get(id) === abort) self.postMessage({ id, status: resp.status, headers, body: text });
	} catch (e) {
		if (requests.get(id) === abort) self.postMessage({ id, error: describe(e), stage: 'fetch' });
	} finally {
		requests.delete(id);
	}
}

self.onmessage = (event) => {
	const { id, file, fetch: req, abort } = event.data || {};
	if (abort) {
		const a = requests.get(id);
		requests.delete(id);
		if (a) a.abort();
		return;
	}
	if (req) {
		send(id, req, event.data.body);
		return;
	}
	const read = reading.then(() => file.arrayBuffer());
	// The next read waits for this one, not for its digest.
	reading = read.catch(() => {});
	hashFile(id, file, read);
};

self.postMessage({ ready: true, subtle: !!subtle });
