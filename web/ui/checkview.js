// checkview.js: the Check step drawn: the summary's lines, each warning
// with the photos it names (each a button that shows its row, and one to
// leave it out or put it back), the photos left out, the map, and the
// exports of the positions as files. The model is check.js; the map is
// map.js.
import { format, setText, errorWords } from './i18n.js';
import { Checker, editable, inspectLink, leave, leaveOut, lines, meters, prepare, warnings } from './check.js';
import { MapView } from './map.js';

// LISTED is how many photos a warning lists by name (the rest are counted):
// a batch of thousands without GPS would otherwise draw thousands of buttons.
const LISTED = 50;

export class CheckView {
	// el: {check, checkstatus, checksummary, checkwarnings, checkleft,
	// checkmap, checkpoint, exportcsv, exportgeojson}; reveal(entry) shows
	// an entry's row; tiles() is the tile URL template, or ''.
	constructor(el, session, { reveal, tiles, changed }) {
		this.el = el;
		this.session = session;
		this.reveal = reveal;
		this.tiles = tiles;
		this.changed = changed;
		this.strings = {};
		this.last = null; // the latest answer: {link, summary, positions} or {error}
		this.checker = new Checker({
			run: async () => {
				const link = await prepare(session);
				return Object.assign({ link }, await inspectLink(link.up));
			},
			show: (out) => {
				this.last = out;
				this.render();
			},
		});
		this.map = new MapView(el.checkmap, el.checkpoint, (index) => {
			const e = this.entryOf(index);
			if (e) this.reveal(e);
		});
		el.exportcsv.addEventListener('click', () => this.download('csv'));
		el.exportgeojson.addEventListener('click', () => this.download('geojson'));
	}

	setStrings(s) {
		this.strings = s;
		this.map.strings = s;
		this.render();
	}

	// schedule asks for a new summary soon (photos added, left out, put back).
	schedule() {
		if (!this.session.loaded || !this.visible()) return;
		if (!this.last) setText(this.el.checkstatus, this.strings, 'check.checking');
		this.checker.schedule();
	}

	reset() {
		this.checker.reset();
		this.last = null;
		this.render();
	}

	// visible: the step shows while photos wait to be sent.
	visible() {
		const s = this.session;
		const show = !s.running && s.entries.some((e) => e.state === 'waiting' || e.state === 'excluded');
		this.el.check.hidden = !show;
		return show;
	}

	entryOf(index) {
		const link = this.last && this.last.link;
		return (link && link === this.session.link && link.byIndex.get(index)) || null;
	}

	render() {
		const T = (k, v) => format(this.strings, k, v);
		const el = this.el;
		if (!this.visible() || !this.last) {
			if (!this.last) {
				el.checksummary.textContent = el.checkwarnings.textContent = el.checkleft.textContent = '';
				el.checkmap.textContent = '';
			}
			return;
		}
		if (this.last.error) {
			setText(el.checkstatus, this.strings, 'check.failed', { why: errorWords(this.strings, this.last.error) });
			return;
		}
		setText(el.checkstatus, this.strings, '');
		const s = this.last.summary;
		el.checksummary.textContent = '';
		for (const [key, vars] of lines(s)) {
			const p = document.createElement('p');
			p.className = key.replace(/\./g, '-');
			p.textContent = T(key, vars);
			el.checksummary.appendChild(p);
		}
		const ws = warnings(s, (i) => this.entryOf(i));
		el.checkwarnings.textContent = '';
		if (!ws.length) {
			const li = document.createElement('li');
			li.textContent = T('check.ok');
			el.checkwarnings.appendChild(li);
		}
		for (const w of ws) el.checkwarnings.appendChild(this.warning(w));
		this.renderLeft();
		const far = new Set(((s.warnings || []).find((w) => w.code === 'far_outlier') || { files: [] }).files);
		this.map.draw(this.last.positions, far, this.tiles(), {
			gps: s.withGPS, span: meters(s.spanMeters), none: s.withoutGPS, far: far.size,
		});
		el.exportcsv.disabled = el.exportgeojson.disabled = !this.last.positions.length;
	}

	// warning is a warning's item: its words, the leave-out-all button, and
	// its photos.
	warning(w) {
		const T = (k, v) => format(this.strings, k, v);
		const li = document.createElement('li');
		li.dataset.code = w.code;
		const head = document.createElement('p');
		head.className = 'check-warning';
		head.textContent = T(w.key, w.vars);
		li.appendChild(head);
		const what = leaveOut(w.entries);
		if (what) {
			const n = w.entries.filter(editable).length;
			li.appendChild(this.button('leaveall', T(what === 'out' ? 'check.leaveall' : 'check.backall', { n }),
				T(what === 'out' ? 'check.leaveall.label' : 'check.backall.label', { n, what: head.textContent }),
				() => this.leave(w.entries, what === 'out')));
		}
		if (w.entries.length) li.appendChild(this.photos(w.entries));
		return li;
	}

	// photos lists entries: a button that shows each one's row, and one to
	// leave it out or put it back.
	photos(entries) {
		const T = (k, v) => format(this.strings, k, v);
		const ul = document.createElement('ul');
		ul.className = 'check-photos';
		for (const e of entries.slice(0, LISTED)) {
			const li = document.createElement('li');
			li.dataset.n = String(e.n);
			li.appendChild(this.button('show', e.path, T('check.show.label', { name: e.path }), () => this.reveal(e)));
			if (editable(e)) {
				const out = e.state !== 'excluded';
				li.appendChild(this.button(out ? 'leave' : 'back', T(out ? 'check.leave' : 'check.back'),
					T(out ? 'check.leave.label' : 'check.back.label', { name: e.path }), () => this.leave([e], out)));
			}
			ul.appendChild(li);
		}
		if (entries.length > LISTED) {
			const li = document.createElement('li');
			li.textContent = T('check.more', { n: entries.length - LISTED });
			ul.appendChild(li);
		}
		return ul;
	}

	renderLeft() {
		const el = this.el.checkleft;
		el.textContent = '';
		const left = this.session.entries.filter((e) => e.state === 'excluded');
		if (!left.length) return;
		const h = document.createElement('h3');
		h.textContent = format(this.strings, 'check.left', { n: left.length });
		el.append(h, this.photos(left));
	}

	button(kind, text, label, fn) {
		const b = document.createElement('button');
		b.type = 'button';
		b.className = kind;
		b.textContent = text;
		b.setAttribute('aria-label', label);
		b.disabled = kind !== 'show' && this.session.busy;
		b.addEventListener('click', fn);
		return b;
	}

	async leave(entries, out) {
		try {
			if (await leave(this.session, entries, out)) {
				for (const e of entries) this.changed(e);
				this.schedule();
			}
		} catch (e) {
			this.session.fail(e);
		}
	}

	// download saves the positions as a file: a Blob behind a link with
	// download, clicked.
	async download(kind) {
		const link = this.last && this.last.link;
		if (!link) return;
		try {
			const text = await link.up.exportPositions(kind);
			const type = kind === 'csv' ? 'text/csv' : 'application/geo+json';
			const url = URL.createObjectURL(new Blob([text], { type }));
			const a = document.createElement('a');
			a.href = url;
			a.download = 'positions.' + kind;
			a.hidden = true;
			this.el.check.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 60000);
		} catch (e) {
			this.session.fail(e);
		}
	}
}
