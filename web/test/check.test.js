// Unit tests of ui/check.js: the Check step's model (summary lines,
// warnings and the entries they name, leaving out, the debounced checker)
// and the session's part in it, with a fake uploader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checker, WARNINGS, cameraNames, editable, inspectLink, leave, leaveOut, lines, meters, positions, prepare, span, warnings } from '../ui/check.js';
import { Session } from '../ui/session.js';
import { totals, counts } from '../ui/entries.js';
import { fakeCreate, file, uploadAll } from './fake.js';
import { format } from '../ui/i18n.js';
import { readFileSync } from 'node:fs';

const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));

const summary = {
	files: 8, images: 7, bytes: 1000, gigapixels: 0.17998848,
	cameras: [
		{ make: 'DJI', model: 'FC6310', width: 5472, height: 3648, count: 5 },
		{ make: 'SONY', model: 'ILCE-7RM4', width: 9504, height: 6336, count: 1 },
		{ make: 'DJI', model: 'FC6310', width: 3648, height: 5472, count: 1 },
	],
	withGPS: 6, withoutGPS: 1, bounds: { minLat: 22.5427, minLon: 114.0568, maxLat: 22.5436, maxLon: 114.0573 }, spanMeters: 111.6,
	capturedFrom: '2024-05-01T10:00:00+08:00', capturedTo: '2024-05-01T10:05:00',
	warnings: [
		{ code: 'mixed_cameras', message: '…', files: [4] },
		{ code: 'no_gps', message: '…', files: [5] },
		{ code: 'not_image', message: '…', files: [7] },
		{ code: 'something_new', message: '…', files: [1] },
	],
	cost: null,
};

test('lines: the summary in words, the cost when known', () => {
	const said = lines(summary).map(([k, v]) => format(en, k, v));
	assert.deepEqual(said, [
		'Photos: 7, 0.180 GP, cameras: 2, with GPS: 6.',
		'Cameras: DJI FC6310 ×6, SONY ILCE-7RM4 ×1.',
		'GPS: 6 of 7 photos, spread over 112 m.',
		'Taken 2024-05-01 10:00–10:05.',
	]);
	const paid = lines({ ...summary, cost: { gigapixels: 1.5, coinPerGP: 10, coins: 5, freeGPQuota: 1, balance: 500, money: 0.7, currency: 'USD' } });
	assert.equal(format(en, ...paid.at(-1)), 'Cost: 5 coins after the free quota of 1 GP (0.70 USD); your balance: 500 coins.');
	const free = lines({ ...summary, cost: { gigapixels: 0.18, coinPerGP: 10, coins: 0, freeGPQuota: 1, balance: 500, money: 0, currency: 'USD' } });
	assert.equal(free.at(-1)[0], 'check.cost.free');
	// No GPS, no times, no cameras: those lines are left out.
	assert.deepEqual(lines({ images: 2, gigapixels: 0.004, cameras: [], withGPS: 0, bounds: null, capturedFrom: null, cost: null }).map((l) => l[0]), ['check.summary']);
});

test('meters, span, cameraNames', () => {
	assert.deepEqual([meters(0), meters(112.4), meters(999.6), meters(1234), meters(25000), meters(NaN)], ['0 m', '112 m', '1000 m', '1.23 km', '25.0 km', '–']);
	assert.equal(span('2024-05-01T10:00:00+08:00', '2024-05-02T09:00:00+08:00'), '2024-05-01 10:00 – 2024-05-02 09:00');
	assert.equal(span('2024-05-01T10:00:00', '2024-05-01T10:00:30'), '2024-05-01 10:00');
	assert.deepEqual(cameraNames(summary), [{ name: 'DJI FC6310', count: 6 }, { name: 'SONY ILCE-7RM4', count: 1 }]);
});

test('warnings: known codes in their order, each with its entries and words', () => {
	const entries = new Map([[4, { n: 4, path: 'sony-1.jpg' }], [5, { n: 5, path: 'dji-nogps.jpg' }]]);
	const ws = warnings(summary, (i) => entries.get(i) || null);
	assert.deepEqual(ws.map((w) => w.code), ['not_image', 'no_gps', 'mixed_cameras']);
	assert.deepEqual(ws.map((w) => w.entries.map((e) => e.path)), [[], ['dji-nogps.jpg'], ['sony-1.jpg']]);
	assert.equal(format(en, ws[2].key, ws[2].vars), 'From 2 cameras; not from the most common, DJI FC6310 (1):');
	// Every code has words in both languages.
	const zh = JSON.parse(readFileSync(new URL('../i18n/zh.json', import.meta.url), 'utf8'));
	for (const key of Object.values(WARNINGS)) assert.ok(key in en && key in zh, key);
});

test('positions reads the GeoJSON export', () => {
	const text = JSON.stringify({ type: 'FeatureCollection', features: [
		{ type: 'Feature', geometry: { type: 'Point', coordinates: [114.05, 22.54, 80] }, properties: { name: 'a/b.jpg', index: 3 } },
	] });
	assert.deepEqual(positions(text), [{ index: 3, name: 'a/b.jpg', lat: 22.54, lon: 114.05 }]);
	assert.deepEqual(positions('{"type":"FeatureCollection","features":[]}'), []);
});

test('Checker: debounced; an answer overtaken, or after reset, is dropped', async () => {
	const timers = { queue: [], setTimeout(fn) { this.queue.push(fn); return this.queue.length; }, clearTimeout(id) { this.queue[id - 1] = null; } };
	const shown = [];
	const waits = [];
	const c = new Checker({ run: () => new Promise((r) => waits.push(r)), show: (o) => shown.push(o), timers });
	c.schedule();
	c.schedule();
	c.schedule();
	assert.equal(timers.queue.filter(Boolean).length, 1, 'one run for three asks');
	timers.queue.filter(Boolean)[0]();
	const second = c.refresh();
	waits[1]('new');
	waits[0]('old');
	await second;
	await new Promise((r) => setTimeout(r));
	assert.deepEqual(shown, ['new']);
	const third = c.refresh();
	c.reset();
	waits[2]('late');
	await third;
	assert.deepEqual(shown, ['new']);
	const failing = new Checker({ run: async () => { throw { code: 'network' }; }, show: (o) => shown.push(o), timers });
	await failing.refresh();
	assert.deepEqual(shown.at(-1), { error: { code: 'network' } });
});

// session gives a session whose fake uploaders have inspect, exclude,
// include and exportPositions.
function session() {
	const { create, made } = fakeCreate();
	const s = new Session({
		create: async (o) => Object.assign(await create(o), {
			excluded: [], included: [],
			async exclude(idx) { this.excluded.push(...idx); for (const i of idx) this.emit('file', { index: i, state: 'excluded' }); },
			async include(idx) { this.included.push(...idx); for (const i of idx) this.emit('file', { index: i, state: 'queued' }); },
			async inspect() { return { files: this.files.length }; },
			async exportPositions() { return '{"type":"FeatureCollection","features":[]}'; },
		}),
		options: () => ({ api: 'a', key: 'k', project: 'p' }),
	});
	s.loaded = true;
	return { s, made };
}

test('prepare gives the waiting files once, and they stay waiting; start sends them', async () => {
	const { s, made } = session();
	s.add([file('a.jpg'), file('b.jpg')]);
	const [l1, l2] = await Promise.all([prepare(s), prepare(s)]);
	assert.equal(made.length, 1, 'one uploader for callers at once');
	assert.equal(l1, l2);
	assert.equal(made[0].files.length, 2, 'each file given once');
	made[0].emit('file', { index: 0, state: 'queued' });
	assert.deepEqual(s.entries.map((e) => e.state), ['waiting', 'waiting']);
	assert.deepEqual(await inspectLink(made[0]), { summary: { files: 2 }, positions: [] });
	s.add([file('c.jpg')]);
	await prepare(s);
	assert.equal(made[0].files.length, 3);
	let seen = null;
	made[0].run = (up) => {
		seen = s.entries.map((e) => e.state);
		return uploadAll()(up);
	};
	await s.start();
	assert.equal(made[0].files.length, 3, 'start gives nothing twice');
	assert.equal(made[0].started, 1);
	assert.deepEqual(seen, ['queued', 'queued', 'queued'], 'queued once started');
});

test('leave: left out and put back through the uploader; left out stays out with a new uploader', async () => {
	const { s, made } = session();
	let opts = { api: 'a', key: 'k', project: 'p' };
	s.options = () => opts;
	s.add([file('a.jpg'), file('b.jpg'), file('c.jpg')]);
	await prepare(s);
	const [a, b, c] = s.entries;
	assert.equal(leaveOut([a, b]), 'out');
	assert.equal(await leave(s, [a, b], true), 2);
	assert.deepEqual(made[0].excluded, [0, 1]);
	assert.deepEqual(s.entries.map((e) => e.state), ['excluded', 'excluded', 'waiting']);
	assert.equal(leaveOut([a, b]), 'back');
	assert.deepEqual([totals(s.entries).n, counts(s.entries).total], [1, 1], 'left out counts nowhere');
	assert.equal(await leave(s, [a], false), 1);
	assert.deepEqual(made[0].included, [0]);
	assert.equal(a.state, 'waiting');
	assert.equal(await leave(s, [c], false), 0, 'not left out: nothing to put back');
	// A change of options makes a new uploader: b is left out there too.
	opts = { api: 'a', key: 'k', project: 'q' };
	await prepare(s);
	assert.equal(made.length, 2);
	assert.deepEqual(made[1].excluded, [1]);
	assert.equal(b.state, 'excluded');
	// A file under way or sent cannot be left out.
	c.state = 'uploading';
	assert.equal(editable(c), false);
	assert.equal(leaveOut([c]), '');
});
