// ui.js: the uploader's user interface, used by the page (in the light DOM)
// and by the <altiup-uploader> element (inside its shadow root).
//
//   const ui = AltiupUI.mount(container, {
//     strings,               // the texts of one language (i18n/<lang>.json)
//     options: () => ({api, key, token, project, cloud, bucket, concurrency}),
//     wait: () => true,      // wait for validation after an upload
//     onFile, onProgress, onDone, onError,   // optional listeners
//   });
//   ui.add(files); ui.start(); ui.pause(); ui.resume(); ui.cancel(); ui.retryFailed();
//   ui.setStrings(strings); ui.entries(); ui.setReady(version);
//
// Every text comes from the strings; nothing is evaluated and no inline style
// is written into markup (the page's CSP forbids both).
(function () {
	'use strict';
	if (globalThis.AltiupUI) return;

	// ---- texts ----
	function format(strings, key, vars) {
		let s = strings && Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
		if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
		return s;
	}

	// loadStrings fetches i18n/<lang>.json next to base.
	async function loadStrings(base, lang) {
		const r = await fetch(new URL('i18n/' + lang + '.json', base).href, { credentials: 'omit' });
		if (!r.ok) throw new Error('HTTP ' + r.status + ' for the ' + lang + ' texts');
		return r.json();
	}

	// pickLanguage: the stored choice, else the browser's languages.
	function pickLanguage(stored, languages) {
		if (stored === 'en' || stored === 'zh') return stored;
		for (const l of languages || []) {
			const low = String(l).toLowerCase();
			if (low.startsWith('zh')) return 'zh';
			if (low.startsWith('en')) return 'en';
		}
		return 'en';
	}

	// translate fills every [data-i18n*] element under root.
	function translate(root, strings) {
		for (const el of root.querySelectorAll('[data-i18n]')) {
			let vars = null;
			if (el.dataset.i18nVars) {
				try {
					vars = JSON.parse(el.dataset.i18nVars);
				} catch (e) {
					vars = null;
				}
			}
			el.textContent = format(strings, el.dataset.i18n, vars);
		}
		for (const [attr, name] of [['i18nLabel', 'aria-label'], ['i18nPlaceholder', 'placeholder'], ['i18nTitle', 'title']]) {
			for (const el of root.querySelectorAll('[data-' + attr.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()) + ']')) {
				el.setAttribute(name, format(strings, el.dataset[attr]));
			}
		}
	}

	// setText shows a translated text and remembers its key, so a change of
	// language shows it again in the new one.
	function setText(el, strings, key, vars) {
		if (!key) {
			delete el.dataset.i18n;
			delete el.dataset.i18nVars;
			el.textContent = '';
			return;
		}
		el.dataset.i18n = key;
		if (vars) el.dataset.i18nVars = JSON.stringify(vars);
		else delete el.dataset.i18nVars;
		el.textContent = format(strings, key, vars);
	}

	// ---- numbers ----
	function bytes(n) {
		if (!(n >= 0)) return '–';
		const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		let i = 0;
		while (n >= 1024 && i < units.length - 1) {
			n /= 1024;
			i++;
		}
		return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
	}
	function duration(strings, s) {
		if (!(s > 0) || !isFinite(s)) return '–';
		s = Math.round(s);
		if (s < 60) return format(strings, 'time.s', { s });
		const m = Math.floor(s / 60);
		if (m < 60) return format(strings, 'time.ms', { m, s: s % 60 });
		return format(strings, 'time.hm', { h: Math.floor(m / 60), m: m % 60 });
	}

	// ---- content sniffing ----
	// sniff tells an image the service takes (JPEG, PNG, TIFF) by its first
	// bytes; the name and the browser's MIME type are not trusted.
	async function sniff(file) {
		if (!file.size) return { ok: false, why: 'why.empty' };
		let head;
		try {
			head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
		} catch (e) {
			return { ok: false, why: 'why.unreadable' };
		}
		const is = (...b) => b.every((v, i) => head[i] === v);
		if (is(0xff, 0xd8, 0xff)) return { ok: true, kind: 'JPEG' };
		if (is(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { ok: true, kind: 'PNG' };
		if (is(0x49, 0x49, 0x2a, 0x00) || is(0x4d, 0x4d, 0x00, 0x2a)) return { ok: true, kind: 'TIFF' };
		return { ok: false, why: 'why.notimage' };
	}

	// ---- folders ----
	// entriesOf reads dropped items: files, and folders recursively through
	// the directory entries (webkitGetAsEntry). It must be called during the
	// drop event: the items are gone once it returns.
	function entriesOf(dataTransfer) {
		const roots = [];
		const loose = [];
		for (const item of Array.from(dataTransfer.items || [])) {
			if (item.kind !== 'file') continue;
			const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
			if (entry) roots.push(entry);
			else {
				const f = item.getAsFile();
				if (f) loose.push({ file: f, path: f.name });
			}
		}
		if (roots.length === 0 && loose.length === 0) {
			for (const f of Array.from(dataTransfer.files || [])) loose.push({ file: f, path: f.name });
		}
		return walk(roots).then((found) => loose.concat(found));
	}

	async function walk(roots) {
		const out = [];
		const stack = roots.slice().reverse();
		while (stack.length) {
			const e = stack.pop();
			if (e.isFile) {
				try {
					const f = await new Promise((resolve, reject) => e.file(resolve, reject));
					out.push({ file: f, path: e.fullPath ? e.fullPath.replace(/^\//, '') : f.name });
				} catch (err) {
					out.push({ file: null, path: e.fullPath || e.name, why: 'why.unreadable' });
				}
			} else if (e.isDirectory) {
				const reader = e.createReader();
				const children = [];
				// readEntries answers in batches until it gives an empty one.
				for (;;) {
					const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject)).catch(() => []);
					if (!batch.length) break;
					children.push(...batch);
				}
				children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
				for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
			}
		}
		return out;
	}

	// ---- the widget ----
	const FINAL = new Set(['uploaded', 'skipped', 'ready', 'invalid', 'failed', 'unsupported']);
	const DONE_BYTES = new Set(['uploaded', 'skipped', 'ready', 'invalid']);
	const ICONS = {
		sniffing: '⟳', waiting: '○', queued: '○', hashing: '⟳', checking: '⟳', uploading: '↑', uploaded: '✓',
		skipped: '↷', ready: '✔', invalid: '⚠', failed: '✕', unsupported: '⊘',
	};
	const ALL_ROWS = 200; // lists up to this long show every row
	const ANNOUNCE_EVERY = 5000; // ms between progress announcements

	const TEMPLATE = `
<div class="altiup">
	<div class="drop" id="drop" data-state="idle">
		<p class="drop-title" data-i18n="drop.title"></p>
		<p class="drop-hint" data-i18n="drop.hint"></p>
		<div class="pickers">
			<input id="files" class="sr-only" type="file" multiple>
			<label for="files" class="button" data-i18n="pick.files"></label>
			<input id="folder" class="sr-only" type="file" webkitdirectory multiple>
			<label for="folder" class="button" data-i18n="pick.folder"></label>
		</div>
	</div>
	<div class="buttons" role="group" data-i18n-label="controls">
		<button id="start" type="button" class="primary" disabled data-i18n="btn.start"></button>
		<button id="pause" type="button" disabled data-i18n="btn.pause"></button>
		<button id="resume" type="button" disabled data-i18n="btn.resume"></button>
		<button id="cancel" type="button" disabled data-i18n="btn.cancel"></button>
		<button id="retryall" type="button" disabled data-i18n="btn.retryall"></button>
		<button id="clear" type="button" disabled data-i18n="btn.clear"></button>
		<label class="check"><input id="wait" type="checkbox" checked> <span data-i18n="opt.wait"></span></label>
	</div>
	<section class="progress-area" aria-labelledby="progress-title">
		<h2 id="progress-title" data-i18n="progress.title"></h2>
		<progress id="total" max="1" value="0" data-i18n-label="progress.total"></progress>
		<p id="totals"></p>
		<p id="summary" aria-live="polite"></p>
		<p id="validation"></p>
		<p id="message" class="error" role="alert"></p>
		<div id="announce" class="sr-only" aria-live="polite" aria-atomic="true"></div>
		<div class="listwrap" id="listwrap" tabindex="0" role="region" data-i18n-label="list.label">
			<table id="table">
				<caption class="sr-only" data-i18n="list.caption"></caption>
				<thead>
					<tr><th scope="col" data-i18n="col.file"></th><th scope="col" data-i18n="col.size"></th><th scope="col" data-i18n="col.state"></th><th scope="col" data-i18n="col.sent"></th><th scope="col" data-i18n="col.details"></th><th scope="col"><span class="sr-only" data-i18n="col.actions"></span></th></tr>
				</thead>
				<tbody id="filelist"></tbody>
			</table>
		</div>
		<p id="listcount" class="muted"></p>
		<input id="replace" class="sr-only" type="file" tabindex="-1" aria-hidden="true">
	</section>
	<section class="recon" aria-labelledby="recon-title">
		<h2 id="recon-title" data-i18n="recon.title"></h2>
		<div class="recon-row">
			<label for="tasktype" data-i18n="recon.type"></label>
			<select id="tasktype">
				<option value="Native" selected data-i18n="recon.native"></option>
				<option value="Dense" data-i18n="recon.dense"></option>
			</select>
			<label class="check"><input id="prestart" type="checkbox"> <span data-i18n="recon.prestart"></span></label>
			<button id="reconstruct" type="button" class="primary" disabled data-i18n="recon.start"></button>
		</div>
		<p id="reconstruction" aria-live="polite"></p>
	</section>
</div>`;

	function mount(container, cfg) {
		let strings = cfg.strings || {};
		const tpl = document.createElement('template');
		tpl.innerHTML = TEMPLATE;
		container.appendChild(tpl.content.cloneNode(true));
		const root = container.querySelector('.altiup');
		const q = (id) => root.querySelector('#' + id);
		const el = {};
		for (const id of ['drop', 'files', 'folder', 'start', 'pause', 'resume', 'cancel', 'retryall', 'clear', 'wait',
			'total', 'totals', 'summary', 'validation', 'message', 'announce', 'listwrap', 'table', 'filelist',
			'listcount', 'replace', 'tasktype', 'prestart', 'reconstruct', 'reconstruction']) el[id] = q(id);
		translate(root, strings);
		const T = (key, vars) => format(strings, key, vars);

		// The model: one entry per file shown.
		const entries = [];
		const byCore = new Map(); // core index → entry
		let up = null, upKey = '';
		let active = null; // the uploader of a single-file retry, while it runs
		let loaded = false, running = false, paused = false, waiting = false;
		let rate = 0; // bytes/s from the core
		let ingest = Promise.resolve();
		let lastAnnounce = 0;
		let announceTimer = 0;
		let replacing = null;

		function emit(name, detail) {
			const fn = cfg[name];
			if (typeof fn === 'function') {
				try {
					fn(detail);
				} catch (e) {
					console.error('altiup:', e);
				}
			}
		}
		function message(key, vars, raw) {
			if (raw !== undefined) {
				delete el.message.dataset.i18n;
				el.message.textContent = raw;
			} else setText(el.message, strings, key, vars);
		}
		function errorWords(e) {
			if (!e) return '';
			if (typeof e === 'string') return e;
			const k = 'code.' + e.code;
			const own = e.message || String(e);
			// The service's words are English; a Chinese page puts its own first.
			if (strings.lang !== 'en' && Object.prototype.hasOwnProperty.call(strings, k)) return T(k) + ' (' + own + ')';
			return own;
		}
		function fail(e) {
			message(null, null, errorWords(e));
			emit('onError', { code: (e && e.code) || 'error', message: (e && e.message) || String(e) });
		}

		// ---- adding files ----
		function add(list) {
			const items = Array.from(list || []).map((f) =>
				f && f.file !== undefined ? f : { file: f, path: (f && (f.webkitRelativePath || f.name)) || '' });
			const p = ingest.then(() => addItems(items));
			ingest = p.catch(() => {});
			return p;
		}
		// addItems lists the files at once, then reads their first bytes a
		// batch at a time in the background (reading is the slow part with
		// thousands of files), handing the images to a running upload as
		// they are recognised.
		async function addItems(items) {
			const gen = generation;
			const mine = items.map((it) => {
				const e = {
					n: entries.length, file: it.file, path: it.path || (it.file && it.file.name) || '?',
					size: it.file ? it.file.size : 0, state: 'sniffing', why: '', sent: 0, core: -1, error: null, details: null,
					reasons: null, outcome: '',
				};
				entries.push(e);
				return e;
			});
			changed(true);
			buttons();
			let images = 0;
			for (let i = 0; i < mine.length; i += 64) {
				const chunk = mine.slice(i, i + 64);
				const looks = await Promise.all(chunk.map((e, j) => (e.file ? sniff(e.file) : Promise.resolve({ ok: false, why: items[i + j].why || 'why.unreadable' }))));
				if (gen !== generation) return images; // the list was cleared
				const fresh = [];
				chunk.forEach((e, j) => {
					e.state = looks[j].ok ? 'waiting' : 'unsupported';
					e.why = looks[j].ok ? '' : looks[j].why;
					if (looks[j].ok) fresh.push(e);
					dirty.add(e);
				});
				images += fresh.length;
				if (running && up) await giveToCore(up, fresh);
				changed(false);
				sniffed();
			}
			buttons();
			return images;
		}
		let generation = 0;
		let sniffWaiters = [];
		function sniffed() {
			const w = sniffWaiters;
			sniffWaiters = [];
			w.forEach((f) => f());
		}
		// nextSniff resolves when the next batch of files is recognised.
		function nextSniff() {
			return new Promise((resolve) => sniffWaiters.push(resolve));
		}
		const sniffing = () => entries.some((e) => e.state === 'sniffing');
		async function giveToCore(u, list) {
			if (!list.length) return;
			// The core numbers files in the order they are added.
			list.forEach((e, i) => {
				e.core = byCoreSize + i;
				e.state = 'queued';
				e.sent = 0;
				e.error = null;
				e.outcome = '';
				byCore.set(e.core, e);
			});
			byCoreSize += list.length;
			await u.add(list.map((e) => e.file));
		}
		let byCoreSize = 0;

		// ---- the uploader ----
		async function uploader() {
			const o = cfg.options();
			const k = JSON.stringify(o);
			if (up && k === upKey) return up;
			if (up) up.dispose();
			up = null;
			byCore.clear();
			byCoreSize = 0;
			for (const e of entries) {
				if (e.state !== 'unsupported') {
					e.core = -1;
					e.state = 'waiting';
					e.sent = 0;
					e.error = null;
				}
			}
			const u = await globalThis.altiup.create(o);
			u.on('file', onFile).on('progress', onProgress);
			up = u;
			upKey = k;
			return u;
		}

		function onFile(ev) {
			const e = byCore.get(ev.index);
			if (e) apply(e, ev);
		}
		function apply(e, ev) {
			e.state = ev.state;
			e.sent = ev.sent || 0;
			e.error = ev.error || null;
			if (ev.state === 'uploaded' || ev.state === 'skipped' || ev.state === 'failed') e.outcome = ev.state;
			if (ev.state === 'skipped') e.details = ev.duplicateOf ? ['detail.dup', { name: ev.duplicateOf }] : ['detail.there'];
			else if (ev.checksum && !ev.error) e.details = ['detail.sha1', { sum: ev.checksum }];
			dirty.add(e);
			changed(false);
			emit('onFile', Object.assign({ path: e.path }, ev));
		}
		function onProgress(p) {
			rate = p.bytesPerSecond || 0;
			changed(false);
			emit('onProgress', p);
		}

		function queuedInCore() {
			return entries.some((e) => e.core >= 0 && (e.state === 'queued' || e.state === 'hashing' || e.state === 'checking' || e.state === 'uploading'));
		}

		// start runs the uploader until nothing added is left, then waits for
		// the validation when asked to.
		async function start() {
			if (running) return null;
			message('');
			setText(el.summary, strings, '');
			setText(el.validation, strings, '');
			while (sniffing() && !entries.some((e) => e.state === 'waiting')) await nextSniff();
			const todo = entries.filter((e) => e.state === 'waiting' || (e.state === 'failed' && e.core >= 0));
			if (todo.length === 0 && !queuedInCore()) {
				message(entries.length ? 'msg.nothing' : 'msg.choose');
				return null;
			}
			let u;
			try {
				u = await uploader();
			} catch (e) {
				fail(e);
				return null;
			}
			running = true;
			paused = false;
			buttons();
			let report = null;
			try {
				do {
					await giveToCore(u, entries.filter((e) => e.state === 'waiting'));
					try {
						report = await u.start();
					} catch (e) {
						fail(e);
						report = e && e.report;
						break;
					}
					// Files still being recognised go into the next run.
					if (u === up && sniffing() && !entries.some((e) => e.state === 'waiting') && !queuedInCore()) await nextSniff();
				} while (u === up && (entries.some((e) => e.state === 'waiting') || sniffing() || queuedInCore()));
			} finally {
				running = false;
				paused = false;
				changed(true);
				buttons();
			}
			const counts = countOutcomes();
			summarize(counts, false);
			announce(true);
			const outcome = { report, counts };
			if (u === up && (cfg.wait ? cfg.wait() : el.wait.checked) && counts.uploaded + counts.skipped > 0) {
				outcome.processed = await waitValidation(u, counts);
			}
			emit('onDone', outcome);
			return outcome;
		}

		// countOutcomes counts what the latest run did with each file shown.
		function countOutcomes() {
			const c = { total: 0, uploaded: 0, skipped: 0, failed: 0, unsupported: 0, ready: 0, invalid: 0 };
			for (const e of entries) {
				if (e.state === 'unsupported') {
					c.unsupported++;
					continue;
				}
				if (e.core === -1) continue;
				c.total++;
				if (e.outcome === 'uploaded') c.uploaded++;
				if (e.outcome === 'skipped') c.skipped++;
				if (e.outcome === 'failed' || e.state === 'failed') c.failed++;
			}
			return c;
		}
		function summarize(c, validated, result) {
			// The rows show what the summary counts when it appears.
			if (frame) cancelAnimationFrame(frame);
			paint();
			let key = validated ? 'summary.validated' : 'summary.done';
			const vars = Object.assign({}, c);
			if (validated) {
				vars.ready = result.ready;
				vars.invalid = result.invalid;
			}
			if (c.unsupported) {
				key += '.unsupported';
			}
			setText(el.summary, strings, key, vars);
		}

		async function waitValidation(u, counts) {
			waiting = true;
			buttons();
			setText(el.summary, strings, counts.unsupported ? 'summary.waiting.unsupported' : 'summary.waiting', counts);
			let result = null;
			try {
				result = await u.waitProcessed();
				const reasons = new Map((result.invalidFiles || []).map((f) => [f.name, f.errors]));
				for (const e of entries) {
					if (e.state === 'invalid' && e.file && reasons.has(e.file.name)) {
						e.reasons = reasons.get(e.file.name);
						dirty.add(e);
					}
				}
				full = true;
				summarize(counts, true, result);
			} catch (e) {
				message('msg.waitstopped', { why: errorWords(e) });
				emit('onError', { code: (e && e.code) || 'error', message: (e && e.message) || String(e) });
			}
			waiting = false;
			buttons();
			changed(true); // the rows' buttons are usable again
			return result;
		}

		function pause() {
			const u = active || up;
			if (!u || !running) return;
			u.pause();
			paused = true;
			setText(el.summary, strings, 'summary.paused');
			buttons();
		}
		function resume() {
			const u = active || up;
			if (!u) return;
			u.resume();
			paused = false;
			setText(el.summary, strings, '');
			buttons();
		}
		function cancel() {
			const u = active || up;
			if (!u) return;
			u.resume();
			u.cancel();
			paused = false;
		}
		// retry tries failed files again. The uploader retries every failed
		// file when started again, so "retry all" is a new start; a single
		// file, while others stay failed, goes through an uploader of its own.
		async function retry(list) {
			list = list.filter((e) => e.state === 'failed' && e.file);
			if (!list.length || running || waiting) return null;
			const others = entries.some((e) => e.state === 'failed' && e.file && !list.includes(e));
			if (!others && list.every((e) => e.core >= 0 && byCore.get(e.core) === e)) return start();
			message('');
			let u;
			try {
				u = await globalThis.altiup.create(cfg.options());
			} catch (e) {
				fail(e);
				return null;
			}
			const mine = new Map();
			list.forEach((e, i) => {
				byCore.delete(e.core);
				e.core = -2;
				e.state = 'queued';
				e.error = null;
				e.sent = 0;
				e.details = null;
				e.outcome = '';
				mine.set(i, e);
				dirty.add(e);
			});
			u.on('file', (ev) => {
				const e = mine.get(ev.index);
				if (e) apply(e, ev);
			}).on('progress', onProgress);
			active = u;
			running = true;
			paused = false;
			changed(true);
			buttons();
			let report = null;
			try {
				await u.add(list.map((e) => e.file));
				report = await u.start();
			} catch (e) {
				fail(e);
			}
			running = false;
			paused = false;
			changed(true);
			buttons();
			const counts = countOutcomes();
			summarize(counts, false);
			const outcome = { report, counts };
			if (el.wait.checked && list.some((e) => e.outcome === 'uploaded' || e.outcome === 'skipped')) {
				outcome.processed = await waitValidation(u, counts);
			}
			active = null;
			u.dispose();
			emit('onDone', outcome);
			return outcome;
		}
		function retryFailed() {
			return retry(entries.slice());
		}
		// replace swaps an invalid image for another file the person picks.
		function replace(e) {
			replacing = e;
			el.replace.value = '';
			el.replace.click();
		}
		el.replace.addEventListener('change', async () => {
			const f = el.replace.files && el.replace.files[0];
			const old = replacing;
			replacing = null;
			if (!f || !old) return;
			old.replaced = true;
			dirty.add(old);
			await add([f]);
			message('msg.replaced', { old: old.path, name: f.name });
		});
		function clear() {
			if (running || waiting) return;
			generation++;
			entries.length = 0;
			sniffed();
			byCore.clear();
			if (up) up.dispose();
			up = null;
			upKey = '';
			byCoreSize = 0;
			setText(el.summary, strings, '');
			setText(el.validation, strings, '');
			setText(el.reconstruction, strings, '');
			clearTimeout(taskTimer);
			message('');
			changed(true);
			buttons();
		}

		async function reconstruct() {
			if (!up) return null;
			el.reconstruct.disabled = true;
			setText(el.reconstruction, strings, 'recon.asking');
			const pre = el.prestart.checked;
			const args = { taskType: el.tasktype.value };
			let r = null;
			try {
				r = pre ? await up.preStartReconstruction(args) : await up.startReconstruction(args);
				if (r.error) {
					const k = 'recon.err.' + r.error.code;
					if (Object.prototype.hasOwnProperty.call(strings, k)) setText(el.reconstruction, strings, 'recon.notstarted', { why: T(k) });
					else setText(el.reconstruction, strings, 'recon.notstarted', { why: r.error.message });
					el.reconstruction.dataset.code = r.error.code;
				} else if (r.task) {
					delete el.reconstruction.dataset.code;
					showTask(r.task);
					followTask(r.task);
				} else {
					setText(el.reconstruction, strings, pre ? 'recon.pre' : 'recon.notask');
				}
			} catch (e) {
				setText(el.reconstruction, strings, 'recon.failed', { why: errorWords(e) });
			}
			buttons();
			return r;
		}

		function showTask(t) {
			const words = T('task.' + t.state);
			el.reconstruction.dataset.state = t.state;
			setText(el.reconstruction, strings, t.queueing ? 'recon.task.queue' : 'recon.task', {
				id: t.id, type: t.taskType, state: words === 'task.' + t.state ? t.state : words, ahead: t.queueing,
			});
		}
		// followTask asks the API for the task's state every few seconds
		// until it is Done or Failed.
		let taskTimer = 0;
		function followTask(t) {
			clearTimeout(taskTimer);
			if (t.state === 'Done' || t.state === 'Failed') return;
			const o = cfg.options();
			let api;
			try {
				api = new URL(o.api);
			} catch (e) {
				return;
			}
			if (api.pathname === '' || api.pathname === '/') api.pathname = '/graphql';
			taskTimer = setTimeout(async () => {
				try {
					const r = await fetch(api.href, {
						method: 'POST',
						headers: { 'Content-Type': 'application/json', key: o.key, altitoken: o.token },
						body: JSON.stringify({ query: 'query($pid:ID!){project(id:$pid){task{id taskType state queueing error}}}', variables: { pid: o.project } }),
					});
					const body = await r.json();
					const now = body && body.data && body.data.project && body.data.project.task;
					if (!now || now.id !== t.id) return;
					showTask(now);
					followTask(now);
				} catch (e) {
					// The state shown stays; a new start asks again.
				}
			}, 2000);
		}

		// ---- showing ----
		function buttons() {
			el.start.disabled = !loaded || running;
			el.pause.disabled = !running || paused;
			el.resume.disabled = !running || !paused;
			el.cancel.disabled = !(running || waiting);
			el.retryall.disabled = running || waiting || !entries.some((e) => e.state === 'failed' && e.file);
			el.clear.disabled = running || waiting || entries.length === 0;
			el.reconstruct.disabled = !loaded || running || !up;
		}

		// Rows: every one for short lists; a window of them for long ones.
		const dirty = new Set();
		const shown = new Map(); // entry → tr
		let frame = 0, full = false, rowHeight = 0;
		function changed(all) {
			if (all) full = true;
			if (!frame) frame = requestAnimationFrame(paint);
		}
		function paint() {
			frame = 0;
			renderRows(full);
			full = false;
			dirty.clear();
			totals();
			buttons();
		}
		// Thumbnails: drawn small, only for rows in view, two at a time; a
		// row scrolled away takes its canvas with it, so memory stays bounded.
		const thumbQueue = [];
		let thumbBusy = 0;
		const seen = typeof IntersectionObserver === 'function'
			? new IntersectionObserver((list) => {
				for (const it of list) {
					if (it.isIntersecting) {
						seen.unobserve(it.target);
						thumbQueue.push(it.target);
					}
				}
				pumpThumbs();
			}, { root: el.listwrap, rootMargin: '100px' })
			: null;
		function pumpThumbs() {
			while (thumbBusy < 2 && thumbQueue.length) {
				const c = thumbQueue.shift();
				if (!c.isConnected || !c.entry) continue;
				thumbBusy++;
				drawThumb(c).finally(() => {
					thumbBusy--;
					pumpThumbs();
				});
			}
		}
		async function drawThumb(c) {
			const e = c.entry;
			let bmp = null;
			try {
				bmp = await createImageBitmap(e.file, { resizeHeight: 64, resizeQuality: 'low' });
				const g = c.getContext('2d');
				const side = Math.min(bmp.width, bmp.height);
				g.drawImage(bmp, (bmp.width - side) / 2, (bmp.height - side) / 2, side, side, 0, 0, c.width, c.height);
				c.dataset.drawn = '1';
			} catch (err) {
				c.dataset.drawn = '0'; // TIFF and damaged files have no thumbnail
			} finally {
				if (bmp) bmp.close();
			}
		}
		function rowFor(e) {
			const tr = document.createElement('tr');
			for (const c of ['name', 'size', 'state', 'sent', 'details', 'actions']) {
				const td = document.createElement(c === 'name' ? 'th' : 'td');
				if (c === 'name') td.scope = 'row';
				td.className = c;
				tr.appendChild(td);
			}
			const label = document.createElement('span');
			label.className = 'label';
			if (e.file && seen && typeof createImageBitmap === 'function') {
				const c = document.createElement('canvas');
				c.width = c.height = 32;
				c.className = 'thumb';
				c.setAttribute('aria-hidden', 'true');
				c.entry = e;
				tr.children[0].appendChild(c);
				seen.observe(c);
			}
			tr.children[0].appendChild(label);
			const bar = document.createElement('progress');
			tr.children[3].appendChild(bar);
			const span = document.createElement('span');
			span.className = 'sent-text';
			tr.children[3].appendChild(span);
			fill(tr, e);
			return tr;
		}
		function fill(tr, e) {
			tr.dataset.name = e.path;
			tr.dataset.state = e.state;
			tr.dataset.n = String(e.n);
			tr.children[0].lastChild.textContent = e.path;
			tr.children[0].title = e.path;
			tr.children[1].textContent = bytes(e.size);
			const st = tr.children[2];
			st.textContent = '';
			const icon = document.createElement('span');
			icon.className = 'icon';
			icon.setAttribute('aria-hidden', 'true');
			icon.textContent = ICONS[e.state] || '•';
			st.append(icon, ' ' + T('state.' + e.state));
			const sent = DONE_BYTES.has(e.state) ? e.size : Math.min(e.sent || 0, e.size);
			const bar = tr.children[3].firstChild;
			bar.max = Math.max(e.size, 1);
			bar.value = sent;
			bar.setAttribute('aria-label', T('row.sent', { name: e.path }));
			tr.children[3].lastChild.textContent = e.state === 'unsupported' ? '' : bytes(sent) + ' / ' + bytes(e.size);
			let d = '';
			if (e.state === 'unsupported') d = T('row.notuploaded', { why: T(e.why) });
			else if (e.reasons && e.state === 'invalid') d = e.reasons.join('; ');
			else if (e.state === 'invalid') d = T('detail.invalid');
			else if (e.error) d = errorWords(e.error);
			else if (e.details) d = T(e.details[0], e.details[1]);
			if (e.replaced) d = T('row.replaced') + (d ? ' · ' + d : '');
			tr.children[4].textContent = d;
			const act = tr.children[5];
			act.textContent = '';
			if (e.state === 'failed' && e.file) {
				const b = document.createElement('button');
				b.type = 'button';
				b.className = 'retry';
				b.textContent = T('btn.retry');
				b.disabled = running || waiting;
				b.setAttribute('aria-label', T('btn.retry.label', { name: e.path }));
				b.addEventListener('click', () => retry([e]));
				act.appendChild(b);
			} else if (e.state === 'invalid' && !e.replaced) {
				const b = document.createElement('button');
				b.type = 'button';
				b.className = 'replace';
				b.textContent = T('btn.replace');
				b.disabled = running || waiting;
				b.setAttribute('aria-label', T('btn.replace.label', { name: e.path }));
				b.addEventListener('click', () => replace(e));
				act.appendChild(b);
			}
		}
		const topPad = document.createElement('tr');
		const bottomPad = document.createElement('tr');
		topPad.className = bottomPad.className = 'pad';
		topPad.setAttribute('aria-hidden', 'true');
		bottomPad.setAttribute('aria-hidden', 'true');
		topPad.appendChild(document.createElement('td'));
		bottomPad.appendChild(document.createElement('td'));
		topPad.firstChild.colSpan = bottomPad.firstChild.colSpan = 6;

		function renderRows(all) {
			const virtual = entries.length > ALL_ROWS;
			el.table.classList.toggle('virtual', virtual);
			el.listwrap.classList.toggle('long', virtual);
			let from = 0, to = entries.length;
			if (virtual) {
				if (!rowHeight) {
					const probe = rowFor(entries[0]);
					el.filelist.appendChild(probe);
					rowHeight = probe.getBoundingClientRect().height || 36;
					probe.remove();
				}
				const view = el.listwrap.clientHeight || 480;
				const head = el.table.tHead ? el.table.tHead.getBoundingClientRect().height : 0;
				const top = Math.max(0, el.listwrap.scrollTop - head);
				from = Math.max(0, Math.floor(top / rowHeight) - 10);
				to = Math.min(entries.length, Math.ceil((top + view) / rowHeight) + 10);
			}
			const want = new Set(entries.slice(from, to));
			let rebuilt = all;
			for (const [e, tr] of shown) {
				if (!want.has(e)) {
					tr.remove();
					shown.delete(e);
					rebuilt = true;
				}
			}
			if (rebuilt || shown.size !== want.size) {
				const frag = document.createDocumentFragment();
				if (virtual) {
					topPad.firstChild.style.height = from * rowHeight + 'px';
					frag.appendChild(topPad);
				}
				for (let i = from; i < to; i++) {
					const e = entries[i];
					let tr = shown.get(e);
					if (!tr) {
						tr = rowFor(e);
						shown.set(e, tr);
					} else if (all || dirty.has(e)) fill(tr, e);
					frag.appendChild(tr);
				}
				if (virtual) {
					bottomPad.firstChild.style.height = (entries.length - to) * rowHeight + 'px';
					frag.appendChild(bottomPad);
				}
				el.filelist.textContent = '';
				el.filelist.appendChild(frag);
			} else {
				for (const e of dirty) {
					const tr = shown.get(e);
					if (tr) fill(tr, e);
				}
			}
			el.listcount.textContent = virtual ? T('list.window', { from: from + 1, to, n: entries.length }) : '';
		}
		el.listwrap.addEventListener('scroll', () => changed(true), { passive: true });

		function totals() {
			let total = 0, sent = 0, done = 0, n = 0, ready = 0, invalid = 0, pending = 0;
			for (const e of entries) {
				if (e.state === 'unsupported') continue;
				n++;
				total += e.size;
				if (DONE_BYTES.has(e.state)) sent += e.size;
				else sent += Math.min(e.sent || 0, e.size);
				if (FINAL.has(e.state)) done++;
				if (e.state === 'ready') ready++;
				if (e.state === 'invalid') invalid++;
				if (e.state === 'uploaded' || e.state === 'skipped') pending++;
			}
			el.total.max = Math.max(total, 1);
			el.total.value = Math.min(sent, el.total.max);
			const left = total - sent;
			const eta = running && rate > 0 && left > 0 ? duration(strings, left / rate) : '';
			setText(el.totals, strings, n === 0 ? '' : running ? (eta ? 'totals.eta' : 'totals.running') : 'totals.idle', {
				sent: bytes(sent), total: bytes(total), done, n, rate: rate > 0 ? bytes(rate) + '/s' : '–', eta,
			});
			if (ready + invalid > 0) {
				setText(el.validation, strings, 'validation.live', { ready, invalid, pending: waiting ? pending : 0 });
			}
			if (running) announce(false);
			lastTotals = { sent, total, done, n, eta };
		}
		let lastTotals = null;
		// announce says the progress in the live region at most every few
		// seconds, so screen readers are not flooded.
		function announce(now) {
			const say = () => {
				announceTimer = 0;
				lastAnnounce = Date.now();
				const t = lastTotals;
				if (!t) return;
				const pct = t.total ? Math.floor((100 * t.sent) / t.total) : 0;
				el.announce.textContent = running
					? T('announce.progress', { pct, done: t.done, n: t.n, eta: t.eta || '–' })
					: T('announce.done', { done: t.done, n: t.n });
			};
			if (now) {
				if (announceTimer) clearTimeout(announceTimer);
				announceTimer = 0;
				setTimeout(say, 50);
				return;
			}
			if (announceTimer) return;
			announceTimer = setTimeout(say, Math.max(0, ANNOUNCE_EVERY - (Date.now() - lastAnnounce)));
		}

		// ---- events ----
		function onDropTarget(ev) {
			if (!ev.dataTransfer || !Array.from(ev.dataTransfer.types || []).includes('Files')) return false;
			ev.preventDefault();
			return true;
		}
		el.drop.addEventListener('dragenter', (ev) => {
			if (onDropTarget(ev)) el.drop.dataset.state = 'over';
		});
		el.drop.addEventListener('dragover', (ev) => {
			if (onDropTarget(ev)) ev.dataTransfer.dropEffect = 'copy';
		});
		el.drop.addEventListener('dragleave', (ev) => {
			if (!el.drop.contains(ev.relatedTarget)) el.drop.dataset.state = 'idle';
		});
		el.drop.addEventListener('drop', (ev) => {
			ev.preventDefault();
			el.drop.dataset.state = 'idle';
			const found = entriesOf(ev.dataTransfer);
			const p = ingest.then(() => found).then((items) => addItems(items));
			ingest = p.catch(() => {});
		});
		el.files.addEventListener('change', () => {
			add(el.files.files);
			// The same files may be picked again later (after a clear).
			el.files.value = '';
		});
		el.folder.addEventListener('change', () => {
			add(el.folder.files);
			el.folder.value = '';
		});
		el.start.addEventListener('click', () => start());
		el.pause.addEventListener('click', pause);
		el.resume.addEventListener('click', resume);
		el.cancel.addEventListener('click', cancel);
		el.retryall.addEventListener('click', retryFailed);
		el.clear.addEventListener('click', clear);
		el.reconstruct.addEventListener('click', reconstruct);

		buttons();
		return {
			root,
			add,
			start,
			pause,
			resume,
			cancel,
			retryFailed,
			clear,
			reconstruct,
			uploader: () => up,
			// entries is the whole list's state (rows of long lists are not
			// all in the DOM).
			entries: () => entries.map((e) => ({
				name: e.path, state: e.state, size: e.size, sent: DONE_BYTES.has(e.state) ? e.size : e.sent,
				details: e.state === 'unsupported' ? T('row.notuploaded', { why: T(e.why) }) : e.reasons ? e.reasons.join('; ') : e.error ? errorWords(e.error) : '',
			})),
			setReady(ok) {
				loaded = ok;
				buttons();
			},
			setStrings(s) {
				strings = s || {};
				translate(root, strings);
				changed(true);
			},
			busy: () => running || waiting,
		};
	}

	globalThis.AltiupUI = { mount, loadStrings, pickLanguage, translate, setText, format, sniff, bytes };
})();
