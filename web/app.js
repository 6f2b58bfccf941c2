// app.js: the page around the uploader interface (ui.js): language, sign-in,
// project, storage settings. An ES module; altiup.js (a classic script,
// loaded first) defines the global altiup.
import { LANG_KEY, OAUTH_KEY, TOKEN_KEY, randomState, readAnswer, signInURL, store, stored } from './page/signin.js';
import * as UI from './ui.js';

const $ = (id) => document.getElementById(id);
const el = {};
for (const id of ['status', 'lang', 'api', 'key', 'token', 'signin', 'remember', 'project', 'newproject', 'create',
	'cloud', 'bucket', 'concurrency', 'version', 'uploader']) el[id] = $(id);
el.accountMessage = $('account-message');

let strings = {};
let ui = null;
let token = ''; // kept here; in sessionStorage only when asked to remember

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

// signIn goes through the API's OAuth implicit flow; the answer comes back
// in this page's fragment (see takeSignIn).
function signIn() {
	const api = el.api.value.trim(), key = el.key.value.trim();
	const state = randomState();
	const url = signInURL(api, key, location.origin + location.pathname + location.search, state);
	if (!url) return say('account.needapi');
	store(sessionStorage, OAUTH_KEY, JSON.stringify({ state, remember: el.remember.checked, api, key }));
	location.assign(url);
}
el.signin.addEventListener('click', signIn);

// takeSignIn takes the answer a sign-in came back with, if any, and the
// fragment off the address.
function takeSignIn() {
	const r = readAnswer(location.hash, stored(sessionStorage, OAUTH_KEY));
	if (!r) return;
	history.replaceState(null, '', location.pathname + location.search);
	store(sessionStorage, OAUTH_KEY, null);
	if (r.sent) {
		if (r.sent.api) el.api.value = r.sent.api;
		if (r.sent.key) el.key.value = r.sent.key;
	}
	if (r.error) return say(...r.error);
	el.remember.checked = !!r.sent.remember;
	setToken(r.token);
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
