// map.js: the photos' positions drawn as an SVG (geo.js projects them),
// with a scale bar, a north arrow and, when a tile URL template is given,
// tiles behind. The photo under the pointer, or the one the arrow keys
// reach (the map is one tab stop), is named in a live line; Enter shows
// it in the list.
import { format } from './i18n.js';
import { fit, nearest, place, scaleBar, metersPerPixel, step, tiles } from './geo.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 640, H = 360, PAD = 24;

function svgEl(name, attrs, parent) {
	const el = document.createElementNS(NS, name);
	for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
	if (parent) parent.appendChild(el);
	return el;
}

export class MapView {
	// box holds the map (focusable); line is where the photo is named;
	// pick(index) shows the photo of that index in the list.
	constructor(box, line, pick) {
		this.box = box;
		this.line = line;
		this.pick = pick;
		this.strings = {};
		this.points = []; // {index, name, lat, lon, far, x, y, dot}
		this.current = -1;
		box.addEventListener('keydown', (ev) => this.key(ev));
		box.addEventListener('pointermove', (ev) => this.pointer(ev));
		box.addEventListener('click', (ev) => {
			const i = this.hit(ev);
			if (i >= 0) this.pick(this.points[i].index);
		});
	}

	// draw shows positions ({index, name, lat, lon}), far naming the
	// indexes of far outliers, and template the tile URL template (or '').
	// vars fill the map's summary for screen readers.
	draw(positions, far, template, vars) {
		const T = (k, v) => format(this.strings, k, v);
		this.box.textContent = '';
		this.points = [];
		this.current = -1;
		this.name('');
		if (!positions.length) {
			this.box.removeAttribute('tabindex');
			this.box.removeAttribute('role');
			this.box.removeAttribute('aria-label');
			const p = document.createElement('p');
			p.className = 'check-nomap';
			p.textContent = T('check.map.none');
			this.box.appendChild(p);
			return;
		}
		this.box.tabIndex = 0;
		this.box.setAttribute('role', 'group');
		this.box.setAttribute('aria-label', T('check.map.keys'));
		const pts = positions.map((p) => Object.assign({}, p, { far: far.has(p.index) }));
		const view = fit(pts, W, H, PAD);
		const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': T('check.map.label', vars) }, this.box);
		const layer = svgEl('g', { class: 'tiles' }, svg);
		for (const t of tiles(view, template)) {
			svgEl('image', { href: t.href, x: t.x, y: t.y, width: t.size, height: t.size, preserveAspectRatio: 'none' }, layer);
		}
		const dots = svgEl('g', { class: 'points' }, svg);
		for (const p of pts) {
			const at = place(view, p.lat, p.lon);
			Object.assign(p, at);
			p.dot = p.far
				? svgEl('path', { class: 'far', d: `M${at.x} ${at.y - 7}L${at.x + 6} ${at.y + 5}L${at.x - 6} ${at.y + 5}Z` }, dots)
				: svgEl('circle', { cx: at.x, cy: at.y, r: 5 }, dots);
			p.dot.dataset.index = String(p.index);
		}
		this.points = pts;
		this.decorate(svg, view);
	}

	// decorate adds the scale bar (bottom left) and the north arrow (top right).
	decorate(svg, view) {
		const bar = scaleBar(metersPerPixel(view), W / 4);
		const g = svgEl('g', { class: 'scalebar', transform: `translate(${PAD / 2} ${H - PAD / 2})` }, svg);
		g.dataset.meters = String(bar.meters);
		svgEl('rect', { x: -4, y: -22, width: bar.px + 8, height: 26, class: 'backdrop' }, g);
		svgEl('path', { d: `M0 -6V0H${bar.px}V-6` }, g);
		svgEl('text', { x: bar.px / 2, y: -9, 'text-anchor': 'middle' }, g).textContent = bar.value + ' ' + bar.unit;
		const n = svgEl('g', { class: 'north', transform: `translate(${W - PAD} ${PAD + 8})` }, svg);
		svgEl('path', { d: 'M0 -14L7 6L0 2L-7 6Z' }, n);
		svgEl('text', { x: 0, y: 20, 'text-anchor': 'middle' }, n).textContent = format(this.strings, 'check.map.north');
	}

	hit(ev) {
		const svg = this.box.querySelector('svg');
		if (!svg || !this.points.length) return -1;
		const r = svg.getBoundingClientRect();
		if (!r.width) return -1;
		const k = W / r.width;
		return nearest(this.points, (ev.clientX - r.left) * k, (ev.clientY - r.top) * ((H / r.height) || k), 12 * k);
	}

	pointer(ev) {
		const i = this.hit(ev);
		if (i >= 0) this.mark(i);
	}

	key(ev) {
		if (!this.points.length) return;
		if (ev.key === 'Enter' || ev.key === ' ') {
			if (this.current >= 0) {
				ev.preventDefault();
				this.pick(this.points[this.current].index);
			}
			return;
		}
		if (!['ArrowRight', 'ArrowLeft', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(ev.key)) return;
		ev.preventDefault();
		this.mark(step(this.points, this.current, ev.key));
	}

	// mark makes point i the current one and names it.
	mark(i) {
		const old = this.points[this.current];
		if (old) old.dot.classList.remove('current');
		this.current = i;
		const p = this.points[i];
		if (!p) return;
		p.dot.classList.add('current');
		p.dot.parentNode.appendChild(p.dot); // drawn on top
		this.name(format(this.strings, p.far ? 'check.map.point.far' : 'check.map.point', {
			name: p.name, lat: p.lat.toFixed(6), lon: p.lon.toFixed(6),
		}));
	}

	name(text) {
		this.line.textContent = text;
	}
}
