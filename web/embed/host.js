// host.js: the isolated mode on a partner's page. <altiup-uploader
// isolated> and altiup.create({isolated: true}) put a frame of altiup's
// origin (/embed, frame.js) in the page and forward their methods and
// events through postMessage (protocol.js): the wasm, the user's token,
// the storage credentials and signed URLs stay in the frame. Loaded by
// altiup.js only when the isolated mode is asked for.
import { Peer, toError } from './protocol.js';

// ATTRS are the element's attributes the frame is given (as in altiup.js).
const ATTRS = ['api', 'key', 'project', 'cloud', 'bucket', 'concurrency', 'lang'];

// ANSWER_MS is how long the host waits, once the frame has loaded, for its
// first word: a frame the server refused to show (frame-ancestors) says
// nothing at all.
const ANSWER_MS = 10000;

const refused = (why) => ({ code: 'frame_refused', message: why });

// Frame is the iframe and the conversation with it. Every load of the
// frame (the element put back in the page reloads it) is a new handshake,
// followed by init(); calls wait for it.
class Frame {
	constructor(base, params, handlers, init) {
		this.origin = new URL(base).origin;
		this.init = init;
		const u = new URL('embed', base);
		u.search = new URLSearchParams(params).toString();
		const f = (this.iframe = document.createElement('iframe'));
		f.src = u.href;
		f.title = 'altiup';
		f.allow = 'clipboard-write';
		Object.assign(f.style, { border: '0', width: '100%', display: 'block', colorScheme: 'normal' });
		this.handlers = handlers;
		this.peer = null;
		this.loaded();
		this.listen = (ev) => {
			// Only the frame, from altiup's origin: not another window of
			// the page, nor a page that navigated the frame elsewhere.
			if (!this.peer || ev.source !== f.contentWindow || ev.origin !== this.origin) return;
			this.peer.receive(ev.data);
		};
		window.addEventListener('message', this.listen);
		f.addEventListener('load', () => this.hello());
	}

	// loaded starts a new conversation, whose ready settles at the frame's answer.
	loaded() {
		if (this.peer) this.peer.close({ code: 'cancelled', message: 'The uploader frame was reloaded.' });
		let ok, fail;
		this.ready = new Promise((resolve, reject) => ((ok = resolve), (fail = reject)));
		this.ready.catch(() => {});
		const f = this.iframe;
		const peer = new Peer((m) => {
			if (!f.contentWindow) throw { code: 'cancelled', message: 'The uploader frame is not in the page.' };
			f.contentWindow.postMessage(m, this.origin);
		}, {
			...this.handlers,
			ready: () => {
				clearTimeout(this.timer);
				peer.call('init', this.init()).then(() => ok(), fail);
			},
			refused: (o) => {
				clearTimeout(this.timer);
				fail(refused(String((o && o.message) || 'The uploader refused this page.')));
			},
		});
		this.peer = peer;
		this.fail = fail;
	}

	hello() {
		if (this.said) this.loaded();
		this.said = true;
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.fail(refused(
			"altiup's uploader did not answer: its server may not allow this site to show it (-frame-ancestors), or it could not be loaded.")), ANSWER_MS);
		this.peer.notify('hello');
	}

	call(method, ...args) {
		return this.ready.then(() => this.peer.call(method, ...args));
	}

	close() {
		clearTimeout(this.timer);
		window.removeEventListener('message', this.listen);
		this.peer.close({ code: 'cancelled', message: 'The uploader was disposed.' });
		this.iframe.remove();
	}
}

// frameOptions is what crosses into the frame: the options, without
// functions (getToken becomes a flag: the frame asks through a call).
function frameOptions(o) {
	const out = {};
	for (const [k, v] of Object.entries(o || {})) {
		if (k === 'getToken') out.getToken = typeof v === 'function';
		else if (k !== 'isolated' && k !== 'container' && typeof v !== 'function' && v !== undefined) out[k] = v;
	}
	return out;
}

// askToken answers the frame's getToken call from the host's token or getToken.
async function askToken(o) {
	if (typeof o.getToken === 'function') return String((await o.getToken()) || '');
	return o.token || '';
}

// attach runs the element's interface in a frame inside its shadow root.
// options() are the element's options (its attributes, token, getToken).
// The result stands for the interface of the in-page element (ui/mount.js).
export function attach(el, shadow, base, options) {
	const opts = () => ({ ...options(), lang: el.getAttribute('lang') || '' });
	const frame = new Frame(base, { key: el.getAttribute('key') || '', lang: el.getAttribute('lang') || '', mode: 'ui' }, {
		event: (name, detail) => el.dispatchEvent(new CustomEvent('altiup-' + name, { detail, bubbles: true, composed: true })),
		getToken: () => askToken(options()),
		resize: (h) => {
			if (h > 0) frame.iframe.style.height = Math.ceil(h) + 'px';
		},
	}, () => frameOptions(opts()));
	shadow.append(frame.iframe);
	const send = (m, ...a) => frame.call(m, ...a);
	const quiet = (m) => () => void send(m).catch(() => {});
	const refresh = () => void send('setOptions', frameOptions(opts())).catch(() => {});
	new MutationObserver(refresh).observe(el, { attributes: true, attributeFilter: ATTRS });
	frame.ready.catch((e) => el.dispatchEvent(new CustomEvent('altiup-error', { detail: toError(e), bubbles: true, composed: true })));
	return {
		ready: frame.ready,
		frame: frame.iframe,
		refresh,
		add: (files) => send('add', Array.from(files || [])),
		start: () => send('start'),
		retryFailed: () => send('retryFailed'),
		pause: quiet('pause'),
		resume: quiet('resume'),
		cancel: quiet('cancel'),
		clear: quiet('clear'),
		dispose: quiet('dispose'),
		// entries is a promise here: the list lives in the frame.
		entries: () => send('entries'),
		uploader: () => ({
			waitProcessed: () => send('waitProcessed'),
			startReconstruction: (o) => send('startReconstruction', o),
			preStartReconstruction: (o) => send('preStartReconstruction', o),
		}),
	};
}

// METHODS are the uploader's methods the frame runs for create().
const METHODS = ['add', 'inspect', 'exportPositions', 'exclude', 'include', 'replace', 'start', 'pause', 'resume', 'cancel', 'waitProcessed', 'task', 'startReconstruction', 'preStartReconstruction'];

// create is altiup.create({isolated: true, ...}): the uploader runs in a
// frame, put in options.container when given (else hidden at the end of the
// body). Its methods answer with promises; on(kind, fn) as in-page.
export async function create(base, options) {
	const o = { ...(options || {}) };
	const listeners = { file: [], progress: [] };
	const frame = new Frame(base, { key: o.key || '', mode: 'api' }, {
		event: (name, detail) => {
			for (const fn of (listeners[name] || []).slice()) {
				try {
					fn(detail);
				} catch (e) {
					console.error("altiup: a '" + name + "' listener failed:", e);
				}
			}
		},
		getToken: () => askToken(o),
	}, () => frameOptions(o));
	if (o.container && typeof o.container.append === 'function') {
		o.container.append(frame.iframe);
	} else {
		Object.assign(frame.iframe.style, { position: 'absolute', width: '1px', height: '1px', opacity: '0', pointerEvents: 'none' });
		frame.iframe.setAttribute('aria-hidden', 'true');
		frame.iframe.tabIndex = -1;
		document.body.append(frame.iframe);
	}
	try {
		await frame.ready;
	} catch (e) {
		frame.close();
		throw toError(e);
	}
	const cloneable = (x) => (typeof FileList === 'function' && x instanceof FileList ? Array.from(x) : x);
	const up = {
		frame: frame.iframe,
		on(kind, fn) {
			if (!listeners[kind]) console.error("altiup: on(event, fn): the event must be 'file' or 'progress'.");
			else if (typeof fn !== 'function') console.error('altiup: on(event, fn): fn must be a function.');
			else listeners[kind].push(fn);
			return up;
		},
		dispose() {
			frame.call('dispose').catch(() => {}).finally(() => frame.close());
		},
	};
	for (const m of METHODS) up[m] = (...args) => frame.call(m, ...args.map(cloneable));
	return up;
}
