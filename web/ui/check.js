// check.js: the Check step's model, without the DOM: the batch summary
// (the uploader's inspect()) in lines of words, its warnings with the
// entries they name, which entries may be left out, and the checker that
// asks again (debounced) as photos are added, left out or put back,
// keeping only the latest answer.

// WARNINGS are the codes inspect() may give, in the order they are
// shown, with their texts' keys.
export const WARNINGS = {
	too_few_images: 'check.w.too_few_images', not_image: 'check.w.not_image', unreadable_metadata: 'check.w.unreadable_metadata',
	no_gps: 'check.w.no_gps', zero_gps: 'check.w.zero_gps', far_outlier: 'check.w.far_outlier',
	duplicate_content: 'check.w.duplicate_content', mixed_cameras: 'check.w.mixed_cameras', mixed_resolutions: 'check.w.mixed_resolutions',
};
const ORDER = Object.keys(WARNINGS);

// EDITABLE are the entry states a file may be left out in (the core's
// Exclude: not under way, sent or Ready).
const EDITABLE = new Set(['waiting', 'queued', 'failed', 'invalid']);

// editable says whether e can be left out (or, left out, put back).
export function editable(e) {
	return !!e && !!e.link && !e.link.gone && (EDITABLE.has(e.state) || e.state === 'excluded');
}

// meters says a distance in m or km.
export function meters(m) {
	if (!(m >= 0)) return '–';
	return m < 1000 ? Math.round(m) + ' m' : (m / 1000).toFixed(m < 10000 ? 2 : 1) + ' km';
}

// when shows an RFC 3339 capture time as "YYYY-MM-DD HH:MM" (the camera's
// own clock; its zone, when given, is not converted).
export function when(t) {
	const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)/.exec(String(t || ''));
	return m ? m[1] + ' ' + m[2] : String(t || '');
}

// span shows the capture times from and to, the day once when both fall
// on it.
export function span(from, to) {
	const a = when(from), b = when(to);
	if (a === b) return a;
	return a.slice(0, 10) === b.slice(0, 10) ? a + '–' + b.slice(11) : a + ' – ' + b;
}

// cameraNames groups a summary's cameras by make and model (sizes added
// up), the most common first: [{name, count}].
export function cameraNames(s) {
	const by = new Map();
	for (const c of s.cameras || []) {
		const name = [c.make, c.model].filter(Boolean).join(' ') || '?';
		by.set(name, (by.get(name) || 0) + c.count);
	}
	return [...by].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

// lines are the summary's texts as [key, vars]: the counts, the cameras,
// the positions and times, and the cost when it is known.
export function lines(s) {
	const cams = cameraNames(s);
	const out = [['check.summary', {
		n: s.images, gp: (s.gigapixels || 0).toFixed(3), cameras: cams.length, gps: s.withGPS,
	}]];
	if (cams.length) {
		out.push(['check.cameras', { list: cams.map((c) => c.name + ' ×' + c.count).join(', ') }]);
	}
	if (s.withGPS && s.bounds) out.push(['check.gps', { gps: s.withGPS, n: s.images, span: meters(s.spanMeters) }]);
	if (s.capturedFrom && s.capturedTo) out.push(['check.time', { span: span(s.capturedFrom, s.capturedTo) }]);
	const c = s.cost;
	if (c) {
		const vars = {
			gp: (c.gigapixels || 0).toFixed(3), free: fixed(c.freeGPQuota), coins: fixed(c.coins),
			money: (c.money || 0).toFixed(2), currency: c.currency || '', balance: fixed(c.balance),
		};
		out.push([c.coins > 0 ? 'check.cost' : 'check.cost.free', vars]);
	}
	return out;
}

// fixed shows a figure with at most two decimals.
function fixed(v) {
	return String(Math.round((v || 0) * 100) / 100);
}

// warnings are the summary's warnings as {code, key, vars, entries},
// entries being the listed files (entryOf(index) → entry or null) and
// vars what the words need: n (files named), images, and for mixed
// cameras the most common one.
export function warnings(s, entryOf) {
	const cams = cameraNames(s);
	const ws = (s.warnings || []).filter((w) => ORDER.includes(w.code));
	ws.sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
	return ws.map((w) => {
		const entries = (w.files || []).map((i) => entryOf(i)).filter(Boolean);
		return {
			code: w.code, key: WARNINGS[w.code], entries,
			vars: { n: (w.files || []).length, images: s.images, common: cams.length ? cams[0].name : '', cameras: cams.length },
		};
	});
}

// leaveOut says what the button of a warning does with its entries:
// 'out' (leave out those that may be), 'back' (all are out: put them
// back) or '' (none may be).
export function leaveOut(entries) {
	const can = entries.filter(editable);
	if (!can.length) return '';
	return can.every((e) => e.state === 'excluded') ? 'back' : 'out';
}

// positions reads exportPositions('geojson')'s text as [{index, name, lat, lon}].
export function positions(text) {
	const fc = typeof text === 'string' ? JSON.parse(text) : text;
	return ((fc && fc.features) || []).map((f) => ({
		index: f.properties.index, name: f.properties.name, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1],
	}));
}

// prepare gives the session's waiting files to its uploader without
// starting it (they stay 'waiting'), and returns the uploader's link.
export async function prepare(session) {
	const link = await session.uploader();
	if (session.running) return link;
	const list = session.entries.filter((e) => e.state === 'waiting' && !e.link);
	const given = link.give(list);
	for (const e of list) e.state = 'waiting'; // until a run takes them
	await given;
	return link;
}

// leave leaves entries out of the upload (out) or puts them back; only
// those the session's uploader holds change.
export async function leave(session, list, out) {
	const link = session.link;
	const mine = list.filter((e) => link && e.link === link && editable(e) && (out ? e.state !== 'excluded' : e.left));
	if (!mine.length) return 0;
	for (const e of mine) e.left = out;
	const idx = mine.map((e) => e.index);
	try {
		await (out ? link.up.exclude(idx) : link.up.include(idx));
	} catch (err) {
		for (const e of mine) e.left = !out;
		throw err;
	}
	return mine.length;
}

// inspectLink asks an uploader for the summary and the positions together.
export async function inspectLink(up) {
	const [summary, geo] = await Promise.all([up.inspect(), up.exportPositions('geojson')]);
	return { summary, positions: positions(geo) };
}

// Checker runs run() (debounced by delay ms) and hands its answer, or
// {error}, to show; an answer that a newer ask overtook, or that came
// after reset, is dropped.
export class Checker {
	constructor({ run, show, delay = 300, timers = globalThis }) {
		this.run = run;
		this.show = show;
		this.delay = delay;
		this.timers = timers;
		this.timer = 0;
		this.gen = 0;
	}

	schedule() {
		if (this.timer) this.timers.clearTimeout(this.timer);
		this.timer = this.timers.setTimeout(() => {
			this.timer = 0;
			this.refresh();
		}, this.delay);
	}

	async refresh() {
		const gen = ++this.gen;
		let out;
		try {
			out = await this.run();
		} catch (e) {
			out = { error: e };
		}
		if (gen === this.gen) this.show(out);
		return out;
	}

	reset() {
		if (this.timer) this.timers.clearTimeout(this.timer);
		this.timer = 0;
		this.gen++;
	}
}
