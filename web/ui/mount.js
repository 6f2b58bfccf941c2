// mount.js: the uploader's interface, used by the page (in the light DOM)
// and by the <altiup-uploader> element (inside its shadow root). It wires
// the model (session.js) to the rows, drop zone, thumbnails, texts and
// reconstruction section; each lives in a module of its own.
//
//   const ui = mount(container, {
//     strings,               // the texts of one language (i18n/<lang>.json)
//     options: () => ({api, key, token, getToken, project, cloud, bucket, concurrency}),
//     create: (options) => altiup.create(options),   // default
//     connect: (options) => altiup.connect(options), // default; to stop a task
//     wait: () => true,      // wait for validation after an upload (default: the checkbox)
//     onFile, onProgress, onDone, onError,   // optional listeners
//     tiles,                 // the map's tile URL template ({z}/{x}/{y}); default: data-tiles on the container or the element
//   });
//   ui.add(files); ui.start(); ui.pause(); ui.resume(); ui.cancel(); ui.retryFailed();
//   ui.setStrings(strings); ui.entries(); ui.setReady(ok); ui.dispose();
//
// The Check step (checkview.js) and the re-upload loop (loopview.js) are
// not on the first screen: they are imported once the uploader is ready,
// or when first needed (later.js).
import { bindDrop } from './drop.js';
import { translate } from './i18n.js';
import { Announcer } from './announce.js';
import { later } from './later.js';
import { Recon } from './recon.js';
import { Rows, details } from './rows.js';
import { Session } from './session.js';
import { announcement, renderStatus, renderTotals } from './status.js';
import { TEMPLATE } from './template.js';
import { Thumbs } from './thumbs.js';

const IDS = ['drop', 'files', 'folder', 'start', 'pause', 'resume', 'cancel', 'retryall', 'clear', 'wait', 'total', 'totals', 'summary',
	'validation', 'message', 'announce', 'listwrap', 'table', 'filelist', 'listcount', 'replace', 'tasktype', 'prestart', 'reconstruct', 'reconstruction', 'stoprecon',
	'loop', 'reconwhy', 'reconcodes',
	'check', 'checkstatus', 'checksummary', 'checkwarnings', 'checkleft', 'checkmap', 'checkpoint', 'exportcsv', 'exportgeojson'];

export function mount(container, cfg) {
	let strings = cfg.strings || {};
	const tpl = document.createElement('template');
	tpl.innerHTML = TEMPLATE;
	container.appendChild(tpl.content.cloneNode(true));
	const root = container.querySelector('.altiup');
	const el = {};
	for (const id of IDS) el[id] = root.querySelector('#' + id);

	const emit = (name) => (detail) => {
		if (typeof cfg[name] !== 'function') return;
		try {
			cfg[name](detail);
		} catch (e) {
			console.error('altiup:', e);
		}
	};
	const dirty = new Set();
	let frame = 0, full = false;
	const paint = () => {
		if (frame) cancelAnimationFrame(frame);
		frame = 0;
		rows.render(full, dirty);
		full = false;
		dirty.clear();
		renderTotals(el, strings, session);
		renderStatus(el, strings, session);
		loop.sync();
		check.visible();
		if (session.running) announcer.soon();
	};
	const changed = (e) => {
		if (e === undefined) full = true;
		else if (e) dirty.add(e);
		if (!frame) frame = requestAnimationFrame(paint);
	};
	const session = new Session({
		create: cfg.create || ((o) => globalThis.altiup.create(o)),
		options: cfg.options,
		wait: cfg.wait || (() => el.wait.checked),
		hooks: {
			changed, status: paint, announce: () => announcer.now(),
			file: emit('onFile'), progress: emit('onProgress'), error: emit('onError'),
		},
	});
	const announcer = new Announcer(() => announcement(strings, session), (text) => (el.announce.textContent = text));
	const thumbs = new Thumbs(el.listwrap);
	const done = (p) => p.then((outcome) => {
		if (outcome && outcome.processed) loop.show(outcome.processed);
		if (outcome) emit('onDone')(outcome);
		return outcome;
	});
	const rows = new Rows(el, session, thumbs, (kind, e) => (kind === 'retry' ? done(session.retry([e])) : loop.pick(e)));
	const connect = cfg.connect || ((o) => globalThis.altiup.connect(o));
	// made gives a part imported later the texts as they are now (its
	// markup's too), and has the interface drawn again with it.
	const made = (part) => {
		part.setStrings(strings);
		translate(root, strings);
		changed();
		return part;
	};
	const loopview = () => import('./loopview.js');
	const explain = later(() => Promise.all([loopview(), import('./loopcodes.js')])
		.then(([{ Explain }, { ErrorCodes }]) => made(new Explain(el.reconwhy, el.reconcodes, new ErrorCodes(connect, () => session.options())))),
	(name, [on]) => name === 'setStrings' || (name === 'show' && !on));
	const recon = new Recon(el, session, paint, connect, (on) => explain.show(on));
	// The re-upload loop after validation (loop.js, loopview.js).
	const loop = later(() => loopview().then(({ LoopView }) => made(new LoopView(el.loop, el.replace, session, done, () => recon.start()))),
		(name) => ['setStrings', 'sync', 'hide'].includes(name));
	// The Check step: a selected photo's row is drawn (a long list scrolls
	// to it) and focused.
	const reveal = (e) => {
		if (!rows.shown.has(e)) {
			el.listwrap.scrollTop = e.n * (rows.rowHeight || 36);
			paint();
		}
		const tr = rows.shown.get(e);
		if (!tr) return;
		tr.tabIndex = -1;
		tr.scrollIntoView({ block: 'nearest' });
		tr.focus();
	};
	const tiles = () => {
		const at = (container.getRootNode().host || container).closest('[data-tiles]');
		return cfg.tiles || (at ? at.dataset.tiles : '');
	};
	const check = later(() => import('./checkview.js').then(({ CheckView }) => made(new CheckView(el, session, { reveal, tiles, changed }))),
		(name) => ['setStrings', 'visible', 'reset'].includes(name));

	// Adds keep their order, a drop's too (its folders are read first).
	let ingest = Promise.resolve();
	const take = (p) => {
		const r = ingest.then(() => p).then((list) => session.add(list)).then((n) => (check.schedule(), n));
		ingest = r.catch((e) => session.fail(e));
		return r;
	};
	bindDrop(el.drop, take);
	for (const input of [el.files, el.folder]) {
		input.addEventListener('change', () => {
			take(Array.from(input.files));
			input.value = ''; // the same files may be picked again later
		});
	}
	const controls = {
		start: () => done(session.start()),
		pause: () => session.pause(),
		resume: () => session.resume(),
		cancel: () => session.cancel(),
		retryFailed: () => done(session.retryFailed()),
		clear: () => session.clear() && (check.reset(), recon.clear(), loop.hide()),
		reconstruct: () => recon.start(),
		stopReconstruction: () => recon.stopTask(),
	};
	for (const [name, fn] of Object.entries(controls)) el[{ retryFailed: 'retryall', stopReconstruction: 'stoprecon' }[name] || name].addEventListener('click', () => fn());
	el.listwrap.addEventListener('scroll', () => changed(), { passive: true });

	const setStrings = (s) => {
		strings = s || {};
		rows.strings = strings;
		recon.setStrings(strings);
		loop.setStrings(strings);
		explain.setStrings(strings);
		check.setStrings(strings);
		translate(root, strings);
		changed();
		paint();
	};
	setStrings(strings);
	return {
		...controls,
		root,
		setStrings,
		add: (list) => take(list),
		uploader: () => session.link && session.link.up,
		// entries is the whole list's state (rows of long lists are not all in the DOM).
		entries: () => session.view((e) => details(strings, e)),
		setReady(ok) {
			session.loaded = ok;
			if (ok) {
				check.schedule();
				loop.load().catch(() => {}); // said by load
			}
			paint();
		},
		fail: (e) => session.fail(e),
		busy: () => session.busy,
		// dispose stops every upload and lets the uploaders go; the
		// interface stays, and works again with a new start.
		dispose() {
			recon.stop();
			loop.hide();
			check.reset();
			announcer.stop();
			session.dispose();
			paint();
		},
	};
}
