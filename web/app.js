// app.js: the page around the uploader interface (ui.js): language, sign-in,
// project, storage settings. An ES module; altiup.js (a classic script,
// loaded first) defines the global altiup.
import { LANG_KEY, OAUTH_KEY, TOKEN_KEY, randomState, readAnswer, signInURL, store, stored } from './page/signin.js';
import { ProjectList, accountVars } from './page/projects.js';
import { renderProjects } from './page/picker.js';
import * as UI from './ui.js';

const $ = (id) => document.getElementById(id);
const el = {};
for (const id of ['status', 'lang', 'api', 'key', 'token', 'signin', 'remember', 'project', 'newproject', 'create',
	'cloud', 'bucket', 'concurrency', 'version', 'uploader', 'projsearch', 'projectlist', 'projectstatus', 'moreprojects',
	'balance']) el[id] = $(id);
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
	drawProjects();
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
el.token.addEventListener('input', () => {
	setToken(el.token.value.trim());
	soon(refresh);
});
for (const name of ['api', 'key']) el[name].addEventListener('change', () => refresh());
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
	refresh();
}

// ---- the connection, the account and the project list ----
let wasmReady = false;
let conn = null, connKey = '', asked = 0;

// connection is the API connection of the fields as they are, or null
// when one of them is empty.
async function connection() {
	const api = el.api.value.trim(), key = el.key.value.trim();
	if (!api || !key || !token) return null;
	const k = JSON.stringify([api, key, token]);
	if (!conn || k !== connKey) {
		conn = await altiup.connect({ api, key, token });
		connKey = k;
	}
	return conn;
}

const list = new ProjectList(async (q) => {
	const c = await connection();
	if (!c) throw { code: 'invalid_input', message: UI.format(strings, 'project.needauth') };
	return c.projects(q);
}, () => drawProjects());

function drawProjects() {
	renderProjects(el, strings, list, el.project.value.trim());
}

let timer = 0;
function soon(fn) {
	clearTimeout(timer);
	timer = setTimeout(fn, 300);
}

// refresh shows the signed-in user's account and projects again, for the
// fields as they are now.
async function refresh() {
	if (!wasmReady) return;
	const n = ++asked;
	let c = null;
	try {
		c = await connection();
	} catch (e) {
		c = null;
	}
	if (n !== asked) return;
	if (!c) {
		list.reset();
		drawProjects();
		UI.setText(el.balance, strings, '');
		return;
	}
	list.find(el.projsearch.value);
	try {
		const a = await c.account();
		if (n === asked) UI.setText(el.balance, strings, 'account.balance', accountVars(a));
	} catch (e) {
		if (n === asked) UI.setText(el.balance, strings, 'account.balance.failed', { why: e && e.message ? e.message : String(e) });
	}
}

el.projsearch.addEventListener('input', () => soon(() => wasmReady && list.find(el.projsearch.value)));
el.moreprojects.addEventListener('click', async () => {
	const from = list.items.length;
	await list.more();
	// The next page's first project takes the focus (the button may be gone).
	const first = el.projectlist.querySelectorAll('.pick')[from];
	if (first) first.focus();
});
el.projectlist.addEventListener('click', async (ev) => {
	const stop = ev.target.closest('.stop');
	if (stop) {
		const p = list.get(stop.dataset.id);
		stop.disabled = true;
		try {
			const c = await connection();
			await list.stop(stop.dataset.id, (id) => c.stopReconstruction(id));
			if (p) say('projects.stopped', { name: p.name });
		} catch (e) {
			stop.disabled = false;
			say('recon.stopfailed', { why: e && e.message ? e.message : String(e) });
		}
		return;
	}
	const b = ev.target.closest('.pick');
	if (!b) return;
	const p = list.get(b.dataset.id);
	el.project.value = b.dataset.id;
	drawProjects();
	if (p) say('project.chosen', { name: p.name, id: p.id });
});
el.project.addEventListener('input', () => drawProjects());

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
		list.find(el.projsearch.value);
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
		wasmReady = true;
		refresh();
	}, (e) => {
		el.status.dataset.state = 'failed';
		UI.setText(el.status, strings, 'status.failed');
		ui.fail(e);
	});
}
main().catch((e) => {
	el.status.textContent = 'failed to start: ' + (e && e.message ? e.message : e);
});
