// frame.js: the uploader in a frame of altiup's origin (/embed), for a
// partner's page (embed/host.js). It answers only the page that framed it,
// when the server allows that page's origin for the app key, and mounts
// the same interface as the element (ui/mount.js), or for create() the
// uploader alone. Sign-in happens here, in a popup this frame opens: the
// token stays in this frame.
import { Peer, TAG, checkHost, scrub, toError } from './protocol.js';
import { randomState, readAnswer, signInURL } from '../page/signin.js';
import * as UI from '../ui.js';

const params = new URLSearchParams(location.search);
const mode = params.get('mode') === 'api' ? 'api' : 'ui';
const $ = (id) => document.getElementById(id);
const base = new URL('.', document.baseURI).href;

let strings = {};
let lang = params.get('lang') || '';
let opts = {}; // the host's options, without token
let given = ''; // a token the host handed in
let signed = ''; // the token of a sign-in made here
let hostGetToken = false;
let host = null; // the peer, once the host passed the checks
let hostOrigin = '';
let ui = null, up = null;

// What leaves the frame holds neither token.
const secrets = () => [given, signed];

async function setLanguage(l) {
	if (l) lang = l;
	const chosen = UI.pickLanguage(UI.langOf(lang), navigator.languages || [navigator.language]);
	strings = await UI.loadStrings(base, chosen);
	document.documentElement.lang = chosen === 'zh' ? 'zh-CN' : 'en';
	document.title = UI.format(strings, 'embed.title');
	UI.translate(document.body, strings);
	if (ui) ui.setStrings(strings);
}
const stringsLoaded = setLanguage(lang).catch(() => {});

function say(key, vars) {
	UI.setText($('embed-message'), strings, key, vars);
}

// ---- the handshake ----
const policy = fetch('embed/policy.json?key=' + encodeURIComponent(params.get('key') || ''), { cache: 'no-store' })
	.then((r) => (r.ok ? r.json() : {}))
	.then((p) => (p && Array.isArray(p.frameAncestors) ? p.frameAncestors : []), () => []);

let checking = false;
async function handshake(ev) {
	if (checking || host) return;
	checking = true;
	const r = checkHost({
		allowed: await policy,
		ancestor: (location.ancestorOrigins && location.ancestorOrigins[0]) || '',
		referrer: document.referrer,
		handshake: ev.origin,
	});
	if (!r.ok) {
		await stringsLoaded;
		const box = $('embed-refused');
		UI.setText(box, strings, 'embed.refused.' + r.why, { origin: r.origin });
		box.hidden = false;
		// Words only, to the page that asked: it shows them as an error.
		window.parent.postMessage({ altiup: TAG, kind: 'notify', method: 'refused', args: [{ message: box.textContent }] }, ev.origin);
		return;
	}
	hostOrigin = r.origin;
	host = new Peer((m) => window.parent.postMessage(scrub(m, secrets()), hostOrigin), mode === 'api' ? apiMethods : uiMethods);
	host.notify('ready', { mode });
	if (mode === 'ui') watchHeight();
}
window.addEventListener('message', (ev) => {
	if (ev.source && ev.source === popup) return signInAnswer(ev);
	if (window.parent === window || ev.source !== window.parent) return;
	if (!host) {
		if (ev.data && ev.data.kind === 'notify' && ev.data.method === 'hello') handshake(ev);
		return;
	}
	if (ev.origin !== hostOrigin) return; // another origin navigated the parent: not ours
	host.receive(ev.data);
});
if (window.parent === window) {
	stringsLoaded.then(() => {
		UI.setText($('embed-refused'), strings, 'embed.notframed');
		$('embed-refused').hidden = false;
	});
}

// watchHeight tells the host the height the interface needs.
function watchHeight() {
	let last = 0;
	new ResizeObserver(() => {
		const h = document.documentElement.scrollHeight;
		if (h !== last) host.notify('resize', (last = h));
	}).observe(document.body);
}

// ---- options and the token ----
function setOptions(o) {
	o = o || {};
	opts = {};
	for (const k of ['api', 'key', 'project', 'cloud', 'bucket', 'concurrency']) {
		if (o[k] !== undefined && o[k] !== '') opts[k] = o[k];
	}
	given = typeof o.token === 'string' ? o.token : '';
	hostGetToken = !!o.getToken;
	showAccount();
	if ((o.lang || '') !== lang) return setLanguage(o.lang);
}

// options are the uploader's, as the element's: a token handed in first,
// else this frame's sign-in; the host's getToken asked when there is none
// or the API refuses it.
function options() {
	const o = { ...opts };
	const t = given || signed;
	if (t) o.token = t;
	if (hostGetToken) o.getToken = () => host.call('getToken');
	return o;
}

// ---- sign-in, in a popup of this frame ----
let popup = null, sent = null;

function showAccount() {
	$('embed-account').hidden = mode !== 'ui' || !!given || hostGetToken;
	if (!signed) say('embed.needsignin');
}

$('embed-signin').addEventListener('click', () => {
	const state = randomState();
	const url = signInURL(opts.api || '', opts.key || '', new URL('embed/signin.html', base).href, state);
	if (!url) return say('embed.needapi');
	sent = { state, api: opts.api, key: opts.key };
	popup = window.open(url, 'altiup-signin', 'popup,width=520,height=640');
	if (!popup) say('embed.popup');
});

// signInAnswer takes the fragment the popup came back with (embed/signin.js).
function signInAnswer(ev) {
	if (ev.origin !== location.origin || !ev.data || ev.data.kind !== 'signin') return;
	const r = readAnswer(String(ev.data.hash || ''), JSON.stringify(sent));
	popup = null;
	sent = null;
	if (!r) return;
	if (r.error) return say(...r.error);
	signed = r.token;
	say('embed.signedin');
}

// ---- the methods the host calls ----
const nothingYet = () => ({ code: 'invalid_input', message: 'Nothing was uploaded yet: call start() first.' });

const uiMethods = {
	async init(o) {
		await stringsLoaded;
		await setOptions(o);
		if (ui) return true;
		ui = UI.mount($('uploader'), {
			strings,
			options,
			onFile: (e) => host.notify('event', 'file', e),
			onProgress: (e) => host.notify('event', 'progress', e),
			onDone: (e) => host.notify('event', 'done', e),
			onError: (e) => host.notify('event', 'error', toError(e)),
		});
		// Ready, as the in-page element, once the uploader has loaded.
		await altiup.ready.then(() => ui.setReady(true), (e) => {
			ui.fail(e);
			throw e;
		});
		return true;
	},
	setOptions,
	add: (files) => ui.add(files),
	start: () => ui.start(),
	retryFailed: () => ui.retryFailed(),
	pause: () => ui.pause(),
	resume: () => ui.resume(),
	cancel: () => ui.cancel(),
	clear: () => ui.clear(),
	entries: () => ui.entries(),
	dispose: () => ui.dispose(),
	waitProcessed: () => withUploader((u) => u.waitProcessed()),
	startReconstruction: (o) => withUploader((u) => u.startReconstruction(o)),
	preStartReconstruction: (o) => withUploader((u) => u.preStartReconstruction(o)),
};

function withUploader(fn) {
	const u = ui && ui.uploader();
	if (!u) throw nothingYet();
	return fn(u);
}

const apiMethods = {
	async init(o) {
		await setOptions(o);
		up = await altiup.create(options());
		up.on('file', (e) => host.notify('event', 'file', e));
		up.on('progress', (e) => host.notify('event', 'progress', e));
		return true;
	},
	dispose() {
		if (up) up.dispose();
		up = null;
	},
};
for (const m of ['add', 'inspect', 'exportPositions', 'exclude', 'include', 'replace', 'start', 'pause', 'resume', 'cancel', 'waitProcessed', 'task', 'startReconstruction', 'preStartReconstruction']) {
	apiMethods[m] = (...args) => {
		if (!up) throw { code: 'invalid_input', message: 'This uploader was disposed; make a new one with altiup.create.' };
		return up[m](...args);
	};
}
