// signin.js: the page's sign-in through the API's OAuth implicit flow, and
// the browser storage it keeps its choices in. No DOM: the page (app.js)
// shows what these say.

export const LANG_KEY = 'altiup.lang';
export const TOKEN_KEY = 'altiup.token';
export const OAUTH_KEY = 'altiup.oauth';

// stored reads key from storage; null when absent or storage is blocked.
export function stored(storage, key) {
	try {
		return storage.getItem(key);
	} catch (e) {
		return null;
	}
}

// store writes key (null removes it); blocked storage keeps it in memory only.
export function store(storage, key, value) {
	try {
		if (value === null) storage.removeItem(key);
		else storage.setItem(key, value);
	} catch (e) {
		// Storage blocked: the value lives in memory only.
	}
}

// randomState is the OAuth state: 128 random bits in hex.
export function randomState() {
	const b = new Uint8Array(16);
	crypto.getRandomValues(b);
	return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// signInURL is where the sign-in starts: the API's /auth/start, asked to
// send the token back to back. null when api is no http(s) URL or key is
// empty.
export function signInURL(api, key, back, state) {
	let u;
	try {
		u = new URL(api);
	} catch (e) {
		return null;
	}
	if (!/^https?:$/.test(u.protocol) || !key) return null;
	const start = new URL('/auth/start', u.origin);
	start.search = new URLSearchParams({ client_id: key, response_type: 'token', redirect_uri: back, state }).toString();
	return start.href;
}

// readAnswer reads the fragment a sign-in came back with against what was
// sent (the stored {state, remember, api, key}): null when the fragment is
// no sign-in answer; else {sent, token} or {sent, error} where error is a
// text key and its vars.
export function readAnswer(hash, sentJSON) {
	if (!hash || hash.length < 2) return null;
	const f = new URLSearchParams(hash.slice(1));
	if (!f.has('access_token') && !f.has('error')) return null;
	let sent = null;
	try {
		sent = JSON.parse(sentJSON || 'null');
	} catch (e) {
		sent = null;
	}
	if (!sent || !sent.state || f.get('state') !== sent.state) return { sent: null, error: ['account.badstate'] };
	if (f.has('error')) return { sent, error: ['account.denied', { why: f.get('error') }] };
	return { sent, token: f.get('access_token') };
}
