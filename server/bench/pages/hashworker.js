// hashworker.js: hashes Files with WebCrypto in one piece, off the page's
// main thread. Message in: {id, file}; out: {id, sum} or {id, error}. With
// {read: true} it only reads the file (out: {id, sum: ''}), to show what the
// reading alone costs.
'use strict';
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
self.onmessage = async (e) => {
	const { id, file, read } = e.data;
	try {
		if (read) {
			await file.arrayBuffer();
			self.postMessage({ id, sum: '' });
			return;
		}
		const digest = await crypto.subtle.digest('SHA-1', await file.arrayBuffer());
		self.postMessage({ id, sum: hex(digest) });
	} catch (err) {
		self.postMessage({ id, error: String(err && err.message ? err.message : err) });
	}
};
