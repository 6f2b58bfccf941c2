// protocol.js: the messages between a partner's page (embed/host.js) and
// the uploader isolated in a frame of altiup's origin (embed/frame.js). No
// DOM: both sides give it their postMessage and their checks.
//
// Every message is {altiup: TAG, kind, ...}:
//   {kind: 'call', id, method, args}    a request; answered by one result
//   {kind: 'result', id, value}         its answer, or
//   {kind: 'result', id, error: {code, message}}
//   {kind: 'notify', method, args}      no answer
// The handshake: the host notifies 'hello' once the frame has loaded; the
// frame checks the host's origin and notifies 'ready' ({mode}) or
// 'refused' ({message}, in words). Then the host calls 'init' (the options)
// and the methods of the element or uploader; the frame notifies 'event'
// (name, detail) and 'resize' (height), and calls 'getToken' when it needs
// the host's token.

export const TAG = 'altiup-embed/1';

// isMessage tells this protocol's messages from the others a window gets.
export function isMessage(data) {
	return !!data && typeof data === 'object' && data.altiup === TAG && typeof data.kind === 'string';
}

// toError is what a failure becomes on the wire: {code, message}, in words.
export function toError(e) {
	if (e && typeof e === 'object') {
		return { code: typeof e.code === 'string' && e.code ? e.code : 'error', message: String(e.message || e.name || 'Something failed.') };
	}
	return { code: 'error', message: String(e) };
}

// Peer is one end of the conversation: post sends a message to the other
// end, handlers answer its calls and notifications by method name.
export class Peer {
	constructor(post, handlers) {
		this.post = post;
		this.handlers = handlers || {};
		this.next = 1;
		this.pending = new Map();
		this.closed = null;
	}

	// call asks the other end for method(...args); it resolves to the value
	// or rejects with {code, message}.
	call(method, ...args) {
		if (this.closed) return Promise.reject(this.closed);
		const id = this.next++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			try {
				this.post({ altiup: TAG, kind: 'call', id, method, args });
			} catch (e) {
				this.pending.delete(id);
				reject(toError(e));
			}
		});
	}

	notify(method, ...args) {
		if (!this.closed) this.post({ altiup: TAG, kind: 'notify', method, args });
	}

	// receive handles one message; false when it is none of this protocol's.
	receive(m) {
		if (!isMessage(m)) return false;
		if (m.kind === 'result') {
			const p = this.pending.get(m.id);
			if (!p) return true;
			this.pending.delete(m.id);
			if (m.error) p.reject(toError(m.error));
			else p.resolve(m.value);
			return true;
		}
		if (m.kind !== 'call' && m.kind !== 'notify') return false;
		const args = Array.isArray(m.args) ? m.args : [];
		const fn = typeof m.method === 'string' && Object.hasOwn(this.handlers, m.method) ? this.handlers[m.method] : null;
		if (m.kind === 'notify') {
			if (fn) {
				Promise.resolve().then(() => fn(...args)).catch((e) => console.error('altiup:', m.method, e));
			}
			return true;
		}
		const answer = (r) => {
			if (this.closed) return;
			try {
				this.post({ altiup: TAG, kind: 'result', id: m.id, ...r });
			} catch (e) {
				// The value could not be sent (not cloneable): say so instead.
				this.post({ altiup: TAG, kind: 'result', id: m.id, error: toError(e) });
			}
		};
		if (typeof fn !== 'function') {
			answer({ error: { code: 'invalid_input', message: 'The uploader has no method ' + String(m.method) + '.' } });
			return true;
		}
		Promise.resolve().then(() => fn(...args)).then((value) => answer({ value }), (e) => answer({ error: toError(e) }));
		return true;
	}

	// close rejects the calls still waiting with err and sends nothing more.
	close(err) {
		this.closed = toError(err || { code: 'cancelled', message: 'The uploader is gone.' });
		for (const p of this.pending.values()) p.reject(this.closed);
		this.pending.clear();
	}
}

// SECRET matches what signed URLs and storage credentials carry.
const SECRET = /X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|[?&]Signature=|x-oss-signature|x-oss-credential|security-token|OSSAccessKeyId|AccessKeySecret/i;
const URL_RE = /\bhttps?:\/\/[^\s"'<>]*/gi;

// hide takes the known secrets out of a text: each of secrets (the user
// tokens the frame holds), and the query of a signed URL.
function hide(s, secrets) {
	for (const t of secrets) {
		if (t && t.length >= 4 && s.includes(t)) s = s.split(t).join('[hidden]');
	}
	if (!SECRET.test(s)) return s;
	s = s.replace(URL_RE, (u) => (SECRET.test(u) ? u.split('?')[0] + '?[hidden]' : u));
	return SECRET.test(s) ? '[hidden]' : s;
}

// scrub is a copy of v fit to leave the frame: plain data (functions
// dropped), Files and Blobs as they are, and no text holding one of
// secrets, a signed URL's signature or a storage credential. The uploader
// already keeps these out of what it says; this is the frame's own guard.
export function scrub(v, secrets, seen) {
	secrets = (secrets || []).filter(Boolean);
	if (typeof v === 'string') return hide(v, secrets);
	if (typeof v === 'function' || typeof v === 'symbol') return undefined;
	if (!v || typeof v !== 'object') return v;
	if ((typeof Blob === 'function' && v instanceof Blob) || v instanceof Date || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
	seen = seen || new WeakSet();
	if (seen.has(v)) return undefined;
	seen.add(v);
	let out;
	if (Array.isArray(v)) {
		out = v.map((x) => scrub(x, secrets, seen));
	} else {
		out = {};
		for (const [k, x] of Object.entries(v)) {
			const c = scrub(x, secrets, seen);
			if (c !== undefined) out[k] = c;
		}
	}
	seen.delete(v);
	return out;
}

// originOf is the origin of an absolute URL, or '' for anything else.
export function originOf(u) {
	try {
		const o = new URL(u).origin;
		return o === 'null' ? '' : o;
	} catch (e) {
		return '';
	}
}

// checkHost decides whether the frame talks to the page that framed it.
// allowed are the origins the server allows for the app key; ancestor is
// location.ancestorOrigins[0] and referrer document.referrer, as far as the
// browser tells them; handshake is the origin the hello came from. It
// returns {ok: true, origin} or {ok: false, why, origin}, why being 'none'
// (nothing is allowed), 'origin' (the host is not allowed) or 'mismatch'
// (the hello came from another origin than the framing page's).
export function checkHost({ allowed, ancestor, referrer, handshake }) {
	const list = Array.isArray(allowed) ? allowed : [];
	const framer = ancestor || originOf(referrer);
	if (!list.length) return { ok: false, why: 'none', origin: framer || handshake || '' };
	if (framer && framer !== handshake) return { ok: false, why: 'mismatch', origin: framer };
	if (!list.includes(handshake)) return { ok: false, why: 'origin', origin: handshake || '' };
	return { ok: true, origin: handshake };
}
