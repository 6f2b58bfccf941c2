// loopview.js: the re-upload loop drawn (its model is loop.js), and the
// disclosure under a failed reconstruction that explains the service's
// error codes (loopcodes.js).
import { errorWords, format, setText } from './i18n.js';
import { langFor } from './loopcodes.js';
import { loopOf, matchFiles, startWords } from './loop.js';

const PANEL = `
<h2 id="loop-title" data-i18n="loop.title"></h2>
<p id="loopline" class="loop-line" aria-live="polite"></p>
<div id="loopinvalidbox" hidden>
	<h3 data-i18n="loop.invalid"></h3>
	<ul id="loopinvalid" class="loop-list"></ul>
</div>
<div id="loopfailedbox" hidden>
	<h3 data-i18n="loop.failed"></h3>
	<ul id="loopfailed" class="loop-list"></ul>
</div>
<div class="buttons" role="group" data-i18n-label="loop.actions">
	<input id="loopall" class="sr-only" type="file" multiple tabindex="-1" aria-hidden="true">
	<button id="loopreplaceall" type="button" hidden data-i18n="loop.replaceall"></button>
	<button id="loopresend" type="button" hidden data-i18n="loop.resend"></button>
	<button id="loopstart" type="button" class="primary" hidden></button>
</div>
<p id="loopnote" role="status"></p>
<div id="loopconfirm" class="loop-confirm" role="group" aria-labelledby="loopconfirmtext" hidden>
	<p id="loopconfirmtext"></p>
	<button id="loopyes" type="button" class="primary"></button>
	<button id="loopno" type="button" data-i18n="loop.back"></button>
</div>`;

export class LoopView {
	// section is the panel's element; picker the one-file input of the
	// rows' Replace; session the model (session.js); run(promise) hands
	// an outcome of the session to the page (and back to show);
	// reconstruct() starts the reconstruction.
	constructor(section, picker, session, run, reconstruct) {
		this.section = section;
		this.picker = picker;
		this.session = session;
		this.run = run;
		this.reconstruct = reconstruct;
		this.strings = {};
		this.result = null; // the latest validation; null: the panel is hidden
		this.loop = null;
		this.replacing = null;
		section.innerHTML = PANEL;
		const el = (this.el = {});
		for (const id of ['loopline', 'loopinvalidbox', 'loopinvalid', 'loopfailedbox', 'loopfailed', 'loopall', 'loopreplaceall', 'loopresend', 'loopstart', 'loopnote', 'loopconfirm', 'loopconfirmtext', 'loopyes', 'loopno']) {
			el[id] = section.querySelector('#' + id);
		}
		picker.addEventListener('change', () => {
			const f = picker.files && picker.files[0];
			const e = this.replacing;
			this.replacing = null;
			if (f && e) this.replace([{ entry: e, file: f }]);
		});
		el.loopall.addEventListener('change', () => {
			const files = Array.from(el.loopall.files || []);
			el.loopall.value = '';
			if (files.length && this.loop) this.replaceAll(files);
		});
		el.loopreplaceall.addEventListener('click', () => el.loopall.click());
		el.loopresend.addEventListener('click', () => this.run(session.retryFailed()));
		el.loopstart.addEventListener('click', () => {
			if (this.loop.offer.start === 'all') return this.start();
			el.loopconfirm.hidden = false;
			el.loopyes.focus();
		});
		el.loopyes.addEventListener('click', () => this.start());
		el.loopno.addEventListener('click', () => {
			el.loopconfirm.hidden = true;
			el.loopstart.focus();
		});
	}

	// show draws the loop after a validation (waitProcessed's result).
	show(result) {
		this.result = result;
		this.draw();
	}

	hide() {
		this.result = this.loop = null;
		this.section.hidden = true;
		this.note('');
	}

	setStrings(strings) {
		this.strings = strings;
		if (this.result) this.draw();
	}

	// pick asks for the file to put in the place of the Invalid entry e.
	pick(e) {
		this.replacing = e;
		this.picker.value = '';
		this.picker.click();
	}

	note(key, vars) {
		setText(this.el.loopnote, this.strings, key, vars);
	}

	async replaceAll(files) {
		const { pairs, unmatched } = matchFiles(this.loop.invalid, files);
		if (unmatched.length) this.note('loop.unmatched', { n: unmatched.length, names: unmatched.map((f) => f.name).join(', ') });
		else this.note('');
		if (pairs.length) await this.replace(pairs, !unmatched.length);
	}

	// replace puts each pair's file in its entry's place, sends them, and
	// waits for their validation again (the session's start does both).
	async replace(pairs, clearNote = true) {
		try {
			for (const { entry, file } of pairs) await this.session.replace(entry, file);
		} catch (e) {
			this.session.fail(e);
			return;
		}
		if (clearNote) this.note('');
		await this.run(this.session.start());
	}

	start() {
		this.el.loopconfirm.hidden = true;
		return this.reconstruct();
	}

	// sync makes the buttons usable when nothing runs.
	sync() {
		if (!this.loop) return;
		const idle = this.session.can().row;
		for (const id of ['loopreplaceall', 'loopresend', 'loopstart', 'loopyes']) this.el[id].disabled = !idle;
		for (const b of this.el.loopinvalid.querySelectorAll('button')) b.disabled = !idle;
	}

	draw() {
		const T = (k, v) => format(this.strings, k, v);
		const el = this.el;
		const loop = (this.loop = loopOf(this.result, this.session.entries));
		this.section.hidden = false;
		this.section.dataset.ready = String(loop.ready);
		this.section.dataset.wanted = String(loop.wanted);
		setText(el.loopline, this.strings, loop.line[0], loop.line[1]);
		el.loopinvalidbox.hidden = !loop.invalid.length;
		el.loopinvalid.textContent = '';
		for (const e of loop.invalid) {
			const li = item(e.path, (e.reasons && e.reasons.length ? e.reasons : [T('detail.invalid')]).join('; '));
			const b = document.createElement('button');
			b.type = 'button';
			b.className = 'replace';
			b.textContent = T('btn.replace');
			b.setAttribute('aria-label', T('btn.replace.label', { name: e.path }));
			b.addEventListener('click', () => this.pick(e));
			li.appendChild(b);
			el.loopinvalid.appendChild(li);
		}
		el.loopfailedbox.hidden = !loop.failed.length;
		el.loopfailed.textContent = '';
		for (const e of loop.failed) el.loopfailed.appendChild(item(e.path, errorWords(this.strings, e.error)));
		el.loopreplaceall.hidden = !loop.offer.replace;
		el.loopresend.hidden = !loop.offer.resend;
		const words = startWords(loop);
		el.loopstart.hidden = !words.button;
		if (words.button) setText(el.loopstart, this.strings, words.button[0], words.button[1]);
		if (words.confirm) {
			setText(el.loopconfirmtext, this.strings, words.confirm[0], words.confirm[1]);
			setText(el.loopyes, this.strings, words.button[0], words.button[1]);
		} else el.loopconfirm.hidden = true;
		this.sync();
	}
}

// item is a list item naming a photo and saying what became of it.
function item(path, words) {
	const li = document.createElement('li');
	const name = document.createElement('span');
	name.className = 'name';
	name.textContent = path;
	const why = document.createElement('span');
	why.className = 'why';
	why.textContent = words;
	li.append(name, ' ', why, ' ');
	return li;
}

// Explain is the disclosure "What can cause this" under a failed
// reconstruction: every error code of the service, explained in the
// page's language.
export class Explain {
	// box is a <details> with a <summary>, list a <dl> in it; codes an
	// ErrorCodes (loopcodes.js).
	constructor(box, list, codes) {
		this.box = box;
		this.list = list;
		this.codes = codes;
		this.strings = {};
		this.on = false;
		this.asked = 0; // the latest ask; older answers are dropped
	}

	setStrings(strings) {
		this.strings = strings;
		if (this.on) this.show(true);
	}

	// show shows the disclosure (closed) with the codes in the page's
	// language, or hides it.
	async show(on) {
		this.on = on;
		this.box.hidden = !on;
		const n = ++this.asked;
		if (!on) {
			this.box.open = false;
			this.list.textContent = '';
			return;
		}
		const lang = langFor(this.strings);
		let list;
		try {
			list = await this.codes.get(lang);
		} catch (e) {
			list = null;
		}
		if (n !== this.asked) return;
		this.list.textContent = '';
		this.list.lang = lang;
		if (!list || !list.length) {
			const dd = document.createElement('dd');
			dd.textContent = format(this.strings, list ? 'errors.none' : 'errors.unavailable');
			this.list.appendChild(dd);
			return;
		}
		for (const c of list) {
			const dt = document.createElement('dt');
			dt.dataset.code = c.code;
			dt.textContent = c.description;
			const dd = document.createElement('dd');
			dd.textContent = c.solution;
			this.list.append(dt, dd);
		}
	}
}
