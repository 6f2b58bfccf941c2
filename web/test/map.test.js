// Unit tests of ui/geo.js: the map's projection, view, scale bar, pointer
// and keyboard, and tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, mercator, metersPerPixel, nearest, place, scaleBar, step, tileTemplate, tiles } from '../ui/geo.js';

const close = (a, b, eps, what) => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a}, want ${b} ± ${eps}`);

test('mercator: the world is the unit square, north up', () => {
	for (const [lat, lon, x, y] of [[0, 0, 0.5, 0.5], [0, -180, 0, 0.5], [0, 180, 1, 0.5], [85.05112878, 0, 0.5, 0], [-85.05112878, 0, 0.5, 1]]) {
		const m = mercator(lat, lon);
		close(m.x, x, 1e-9, `x of ${lat}, ${lon}`);
		close(m.y, y, 1e-9, `y of ${lat}, ${lon}`);
	}
	assert.ok(mercator(23, 114).y < mercator(22, 114).y, 'north is up');
});

test('fit: the points fill the box, distances come out in meters', () => {
	// Two points 0.001° of latitude apart (111.2 m) on one meridian.
	const pts = [{ lat: 22.543, lon: 114.057 }, { lat: 22.544, lon: 114.057 }];
	const v = fit(pts, 640, 360, 24);
	const a = place(v, pts[0].lat, pts[0].lon), b = place(v, pts[1].lat, pts[1].lon);
	close(a.y - b.y, 360 - 48, 1e-6, 'the span fills the height');
	close(a.x, 320, 1e-6, 'centred');
	close((a.y - b.y) * metersPerPixel(v), 111.2, 0.5, 'meters along the span');
	assert.equal(a.pinned || b.pinned, false);
});

test('fit: one spot gets a view 50 m across; a far outlier is pinned to the edge, not fitted', () => {
	const one = fit([{ lat: 10, lon: 10 }], 600, 300, 20);
	close(metersPerPixel(one) * (300 - 40), 50, 0.5, 'one point');
	const pts = [{ lat: 22.543, lon: 114.057 }, { lat: 22.544, lon: 114.058 }, { lat: 23.5, lon: 114.057, far: true }];
	const v = fit(pts, 640, 360, 24);
	const far = place(v, 23.5, 114.057);
	assert.equal(far.pinned, true);
	assert.equal(far.y, 12, 'on the top edge');
	const near = place(v, 22.543, 114.057);
	assert.equal(near.pinned, false);
	// Only outliers: they are the view.
	assert.equal(place(fit([pts[2]], 640, 360, 24), 23.5, 114.057).pinned, false);
});

test('scaleBar: the longest 1, 2 or 5 × 10ⁿ that fits', () => {
	for (const [mPerPx, maxPx, meters, label] of [
		[1, 160, 100, '100 m'], [1, 199, 100, '100 m'], [1, 200, 200, '200 m'], [1, 499, 200, '200 m'], [1, 500, 500, '500 m'],
		[10, 160, 1000, '1 km'], [25, 160, 2000, '2 km'], [0.01, 160, 1, '1 m'], [0.001, 160, 0.1, '0.1 m'], [400, 160, 50000, '50 km'],
	]) {
		const b = scaleBar(mPerPx, maxPx);
		close(b.meters, meters, 1e-9, `meters at ${mPerPx} m/px in ${maxPx} px`);
		assert.equal(b.value + ' ' + b.unit, label);
		assert.ok(b.px <= maxPx + 1e-9 && b.px > maxPx / 2.5, `${b.px} px in ${maxPx}`);
	}
});

test('nearest: the point within reach, or none', () => {
	const pts = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 100, y: 100 }];
	assert.equal(nearest(pts, 7, 1, 12), 1);
	assert.equal(nearest(pts, 2, 0, 12), 0);
	assert.equal(nearest(pts, 50, 50, 12), -1);
	assert.equal(nearest([], 0, 0, 12), -1);
});

test('step: arrows go to the nearest point their way; Home, End; nothing that way stays', () => {
	// 0 at the top left, 1 to its right, 2 between them a little lower, 3 below 0.
	const pts = [{ x: 0, y: 0 }, { x: 30, y: 0 }, { x: 15, y: 5 }, { x: 0, y: 30 }];
	for (const [from, key, to] of [
		[-1, 'ArrowRight', 0], [0, 'ArrowRight', 2], [2, 'ArrowRight', 1], [1, 'ArrowRight', 1], [1, 'ArrowLeft', 2],
		[0, 'ArrowDown', 3], [3, 'ArrowUp', 2], [2, 'ArrowUp', 2], [2, 'ArrowDown', 3], [2, 'Home', 0], [0, 'End', 3], [1, 'x', 1],
	]) {
		assert.equal(step(pts, from, key), to, `${key} from ${from}`);
	}
	assert.equal(step([], -1, 'ArrowRight'), -1);
});

test('tiles: a template is http(s) or a path, with {z}, {x} and {y}', () => {
	assert.equal(tileTemplate('https://tile.example/{z}/{x}/{y}.png'), 'https://tile.example/{z}/{x}/{y}.png');
	assert.equal(tileTemplate('/tiles/{z}/{x}/{y}.png'), '/tiles/{z}/{x}/{y}.png');
	for (const bad of ['', 'javascript:{z}{x}{y}', 'https://tile.example/{z}/{x}.png', 'data:{z}{x}{y}', null]) assert.equal(tileTemplate(bad), '');
});

test('tiles: the view is covered by tiles of the zoom nearest its scale', () => {
	const v = fit([{ lat: 22.543, lon: 114.057 }, { lat: 22.544, lon: 114.058 }], 640, 360, 24);
	const ts = tiles(v, 'https://t.example/{z}/{x}/{y}.png');
	assert.deepEqual(tiles(v, ''), []);
	assert.ok(ts.length > 0);
	const z = Number(/\/(\d+)\//.exec(ts[0].href)[1]);
	close(Math.log2(v.scale / 256), z, 0.5, 'zoom');
	// They cover the box without gaps.
	const minX = Math.min(...ts.map((t) => t.x)), minY = Math.min(...ts.map((t) => t.y));
	const maxX = Math.max(...ts.map((t) => t.x + t.size)), maxY = Math.max(...ts.map((t) => t.y + t.size));
	assert.ok(minX <= 0 && minY <= 0 && maxX >= 640 && maxY >= 360, `tiles cover ${minX},${minY} to ${maxX},${maxY}`);
	// Each tile's place is its number at that zoom.
	const t = ts[0], n = 2 ** z;
	const [, , x, y] = /\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(t.href).map(Number);
	const left = v.cx - 320 / v.scale, top = v.cy - 180 / v.scale;
	close(t.x, (x / n - left) * v.scale, 1e-6, 'x');
	close(t.y, (y / n - top) * v.scale, 1e-6, 'y');
});
