// app.js: the page around the uploader interface (ui.js): language, sign-in,
// project, storage settings. An ES module; altiup.js (a classic script,
// loaded first) defines the global altiup.
import * as UI from './ui.js';

const $ = (id) => document.getElementById(id);
const el = {};
for (const id of ['status', 'lang', 'api', 'key', 'token', 'signin', 'remember', 'project', 'newproject', 'create',
	'cloud', 'bucket', 'concurrency', 'version', 'uploader']) el[id] = $(id);
el.accountMessage = $('account-message');

const LANG_KEY = 'altiup.lang';
const TOKEN_KEY = 'altiup.token';
const OAUTH_KEY = 'altiup.oauth';
let strings = {};
let ui = null;
let token = ''; // kept here; in sessionStorage only when asked to remember

function stored(storage, key) {
	try {
		return storage.getItem(key);
	} catch (e) {
		return null; // storage blocked
	}
}
function store(storage, key, value) {
	try {
		if (value === null) storage.removeItem(key);
		else storage.setItem(key, value);
	} catch (e) {
		// Storage blocked: the value lives in memory only.
	}
}
function say(key, vars) {
	UI.setText(el.accountMessage, strings, key, vars);
}

// ---- language ----
async function setLanguage(lang) {
	let s;
	try {
		s = await UI.loadStrings(document.baseURI, lang);
	} catch (e) {
		if (lang !== 'en') return setLanguage('en');
		throw e;
	}
	strings = s;
	document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
	document.title = UI.format(strings, 'page.title');
	el.lang.value = lang;
	UI.translate(document.body, strings);
	if (ui) ui.setStrings(strings);
}
el.lang.addEventListener('change', () => {
	// Remembered only because the person chose it.
	store(localStorage, LANG_KEY, el.lang.value);
	setLanguage(el.lang.value);
});

// ---- settings: query parameters, then /config.json ----
async function prefill() {
	let config = {};
	try {
		const r = await fetch('config.json', { cache: 'no-store' });
		if (r.ok) config = await r.json();
	} catch (e) {
		// No config.json: the fields stay empty for the person to fill in.
	}
	const params = new URLSearchParams(location.search);
	for (const name of ['api', 'key', 'project']) {
		const value = params.get(name) || (config && typeof config[name] === 'string' ? config[name] : '');
		if (value && !el[name].value) el[name].value = value;
	}
	if (!token) {
		const t = params.get('token') || (config && typeof config.token === 'string' ? config.token : '');
		if (t) setToken(t);
	}
	const cloud = params.get('cloud');
	if (cloud && ['auto', 'oss', 's3'].includes(cloud)) el.cloud.value = cloud;
	if (params.get('bucket')) el.bucket.value = params.get('bucket');
}

// ---- the token ----
function setToken(t) {
	token = t;
	el.token.value = t;
	if (el.remember.checked) store(sessionStorage, TOKEN_KEY, t);
}
el.token.addEventListener('input', () => setToken(el.token.value.trim()));
el.remember.addEventListener('change', () => store(sessionStorage, TOKEN_KEY, el.remember.checked && token ? token : null));

function randomState() {
	const b = new Uint8Array(16);
	crypto.getRandomValues(b);
	return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// signIn goes through the API's OAuth implicit flow; the answer comes back
// in this page's fragment (see takeSignIn).
function signIn() {
	let api;
	try {
		api = new URL(el.api.value.trim());
	} catch (e) {
		api = null;
	}
	const key = el.key.value.trim();
	if (!api || !/^https?:$/.test(api.protocol) || !key) {
		say('account.needapi');
		return;
	}
	const state = randomState();
	store(sessionStorage, OAUTH_KEY, JSON.stringify({ state, remember: el.remember.checked, api: el.api.value.trim(), key }));
	const back = location.origin + location.pathname + location.search;
	const u = new URL('/auth/start', api.origin);
	u.search = new URLSearchParams({ client_id: key, response_type: 'token', redirect_uri: back, state }).toString();
	location.assign(u.href);
}
el.signin.addEventListener('click', signIn);

// takeSignIn reads the fragment the sign-in came back with, checks its
// state against the one sent, and takes the fragment off the address.
function takeSignIn() {
	if (!location.hash || location.hash.length < 2) return;
	const f = new URLSearchParams(location.hash.slice(1));
	if (!f.has('access_token') && !f.has('error')) return;
	history.replaceState(null, '', location.pathname + location.search);
	let sent = null;
	try {
		sent = JSON.parse(stored(sessionStorage, OAUTH_KEY) || 'null');
	} catch (e) {
		sent = null;
	}
	store(sessionStorage, OAUTH_KEY, null);
	if (!sent || !sent.state || f.get('state') !== sent.state) {
		say('account.badstate');
		return;
	}
	if (sent.api) el.api.value = sent.api;
	if (sent.key) el.key.value = sent.key;
	if (f.has('error')) {
		say('account.denied', { why: f.get('error') });
		return;
	}
	el.remember.checked = !!sent.remember;
	setToken(f.get('access_token'));
	say('account.signedin');
}

// ---- projects ----
async function createProject() {
	const name = el.newproject.value.trim();
	const api = el.api.value.trim(), key = el.key.value.trim();
	if (!name) return say('project.needname');
	if (!api || !key || !token) return say('project.needauth');
	say('project.creating');
	el.create.disabled = true;
	try {
		const conn = await altiup.connect({ api, key, token });
		const p = await conn.createProject({ name });
		el.project.value = p.id;
		say('project.created', { name, id: p.id });
	} catch (e) {
		say('project.failed', { why: e && e.message ? e.message : String(e) });
	} finally {
		el.create.disabled = false;
	}
}
el.create.addEventListener('click', createProject);

function options() {
	const o = {
		api: el.api.value.trim(),
		key: el.key.value.trim(),
		token: token,
		project: el.project.value.trim(),
		cloud: el.cloud.value,
	};
	const bucket = el.bucket.value.trim();
	if (bucket) o.bucket = bucket;
	const c = parseInt(el.concurrency.value, 10);
	if (c > 0) o.concurrency = c;
	return o;
}

async function main() {
	const chosen = stored(localStorage, LANG_KEY);
	await setLanguage(UI.pickLanguage(chosen, navigator.languages || [navigator.language]));
	if (stored(sessionStorage, TOKEN_KEY)) {
		el.remember.checked = true;
		setToken(stored(sessionStorage, TOKEN_KEY));
	}
	takeSignIn();
	window.addEventListener('hashchange', takeSignIn);
	ui = UI.mount(el.uploader, { strings, options });
	globalThis.altiupPage = ui; // the whole list's state, for tests and tools
	await prefill();
	altiup.ready.then(() => {
		el.status.dataset.state = 'ready';
		UI.setText(el.status, strings, 'status.ready');
		el.version.textContent = altiup.version;
		ui.setReady(true);
	}, (e) => {
		el.status.dataset.state = 'failed';
		UI.setText(el.status, strings, 'status.failed');
		ui.fail(e);
	});
}
main().catch((e) => {
	el.status.textContent = 'failed to start: ' + (e && e.message ? e.message : e);
});
