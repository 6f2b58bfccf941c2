// rows.js: the list's rows. Short lists show every row; a long one only
// the rows in view, between two spacer rows as tall as the rows left out,
// so that 10,000 files cost what a screenful does.
import { bytes, errorWords, format } from './i18n.js';
import { DONE_BYTES } from './entries.js';

const ICONS = {
	waiting: '○', queued: '○', hashing: '⟳', checking: '⟳', uploading: '↑', uploaded: '✓',
	skipped: '↷', ready: '✔', invalid: '⚠', failed: '✕', unsupported: '⊘',
};
export const ALL_ROWS = 200; // lists up to this long show every row
const SPARE = 10; // rows drawn above and below the view

// details says in words what became of an entry.
export function details(strings, e) {
	const T = (k, v) => format(strings, k, v);
	let d = '';
	if (e.state === 'unsupported') d = T('row.notuploaded', { why: e.why ? T(e.why) : errorWords(strings, e.error) });
	else if (e.reasons && e.reasons.length && e.state === 'invalid') d = e.reasons.join('; ');
	else if (e.state === 'invalid') d = T('detail.invalid');
	else if (e.error) d = errorWords(strings, e.error);
	else if (e.details) d = T(e.details[0], e.details[1]);
	return d;
}

// windowOf is the range of rows [from, to) to draw for n rows of height
// rowHeight in a view of height view scrolled to top.
export function windowOf(n, top, view, rowHeight) {
	return {
		from: Math.max(0, Math.floor(top / rowHeight) - SPARE),
		to: Math.min(n, Math.ceil((top + view) / rowHeight) + SPARE),
	};
}

export class Rows {
	// el: {table, listwrap, filelist, listcount}; thumbs draws thumbnails
	// (thumbs.js); act(kind, entry) runs a row's button ('retry',
	// 'replace').
	constructor(el, session, thumbs, act) {
		this.el = el;
		this.session = session;
		this.thumbs = thumbs;
		this.act = act;
		this.strings = {};
		this.shown = new Map(); // entry → tr
		this.rowHeight = 0;
		const pad = () => {
			const tr = document.createElement('tr');
			tr.className = 'pad';
			tr.setAttribute('aria-hidden', 'true');
			const td = document.createElement('td');
			td.colSpan = 6;
			tr.appendChild(td);
			return tr;
		};
		this.topPad = pad();
		this.bottomPad = pad();
	}

	rowFor(e) {
		const tr = document.createElement('tr');
		tr.setAttribute('part', 'row');
		for (const c of ['name', 'size', 'state', 'sent', 'details', 'actions']) {
			const td = document.createElement(c === 'name' ? 'th' : 'td');
			if (c === 'name') td.scope = 'row';
			td.className = c;
			tr.appendChild(td);
		}
		const label = document.createElement('span');
		label.className = 'label';
		if (e.file) {
			const c = this.thumbs.canvas(e);
			if (c) tr.children[0].appendChild(c);
		}
		tr.children[0].appendChild(label);
		const bar = document.createElement('progress');
		bar.setAttribute('part', 'progress');
		const span = document.createElement('span');
		span.className = 'sent-text';
		tr.children[3].append(bar, span);
		this.fill(tr, e);
		return tr;
	}

	fill(tr, e) {
		const T = (k, v) => format(this.strings, k, v);
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
		const d = details(this.strings, e);
		tr.children[4].textContent = e.replaced ? T('row.replaced') + (d ? ' · ' + d : '') : d;
		const act = tr.children[5];
		act.textContent = '';
		const kind = e.state === 'failed' && e.file ? 'retry' : e.state === 'invalid' && !e.replaced ? 'replace' : '';
		if (kind) {
			const b = document.createElement('button');
			b.type = 'button';
			b.className = kind;
			b.setAttribute('part', 'button');
			b.textContent = T('btn.' + kind);
			b.disabled = !this.session.can().row;
			b.setAttribute('aria-label', T('btn.' + kind + '.label', { name: e.path }));
			b.addEventListener('click', () => this.act(kind, e));
			act.appendChild(b);
		}
	}

	// render draws the rows in view: all again when all, else those of
	// dirty entries.
	render(all, dirty) {
		const { table, listwrap, filelist, listcount } = this.el;
		const entries = this.session.entries;
		const virtual = entries.length > ALL_ROWS;
		table.classList.toggle('virtual', virtual);
		listwrap.classList.toggle('long', virtual);
		let from = 0, to = entries.length;
		if (virtual) {
			if (!this.rowHeight) {
				const probe = this.rowFor(entries[0]);
				filelist.appendChild(probe);
				this.rowHeight = probe.getBoundingClientRect().height || 36;
				probe.remove();
			}
			const head = table.tHead ? table.tHead.getBoundingClientRect().height : 0;
			({ from, to } = windowOf(entries.length, Math.max(0, listwrap.scrollTop - head), listwrap.clientHeight || 480, this.rowHeight));
		}
		const want = new Set(entries.slice(from, to));
		let rebuilt = all;
		for (const [e, tr] of this.shown) {
			if (!want.has(e)) {
				tr.remove();
				this.shown.delete(e);
				rebuilt = true;
			}
		}
		if (rebuilt || this.shown.size !== want.size) {
			const frag = document.createDocumentFragment();
			if (virtual) {
				this.topPad.firstChild.style.height = from * this.rowHeight + 'px';
				frag.appendChild(this.topPad);
			}
			for (let i = from; i < to; i++) {
				const e = entries[i];
				let tr = this.shown.get(e);
				if (!tr) {
					tr = this.rowFor(e);
					this.shown.set(e, tr);
				} else if (all || dirty.has(e)) this.fill(tr, e);
				frag.appendChild(tr);
			}
			if (virtual) {
				this.bottomPad.firstChild.style.height = (entries.length - to) * this.rowHeight + 'px';
				frag.appendChild(this.bottomPad);
			}
			filelist.textContent = '';
			filelist.appendChild(frag);
		} else {
			for (const e of dirty) {
				const tr = this.shown.get(e);
				if (tr) this.fill(tr, e);
			}
		}
		listcount.textContent = virtual ? format(this.strings, 'list.window', { from: from + 1, to, n: entries.length }) : '';
	}
}
