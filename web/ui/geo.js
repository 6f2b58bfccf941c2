// geo.js: the map's arithmetic, without the DOM: the projection, the view
// that fits the photos, the scale bar's round distance, the point under
// the pointer, the keyboard's moves between points, and the tiles behind.
//
// The projection is Web Mercator, not an equirectangular one around the
// batch's centre: the optional tile layer's tiles are Web Mercator, so the
// points sit on them exactly, and over a photo set's extent (a few km) its
// scale changes by less than 0.1 %, so one scale bar at the centre's
// latitude holds for the whole map (north is up in both).

const EARTH = 40075016.686; // the equator's length in meters (WGS 84)
const TILE = 256; // a tile's side in pixels
export const MAX_ZOOM = 19;

// mercator gives a position's Web Mercator coordinates, the world being
// the square [0, 1] × [0, 1] (x east, y south).
export function mercator(lat, lon) {
	const phi = (Math.max(-85.05112878, Math.min(85.05112878, lat)) * Math.PI) / 180;
	return { x: (lon + 180) / 360, y: (1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2 };
}

// fit is the view {cx, cy, scale, lat} that shows points ({lat, lon, far})
// in a width × height box with pad pixels around: its centre, pixels per
// world unit, and the latitude its scale holds at. Far outliers do not
// stretch the view when other points are left: they are pinned to its edge
// (see place). A single point, or points in one spot, get a view 50 m across.
export function fit(points, width, height, pad) {
	const near = points.filter((p) => !p.far);
	const use = near.length ? near : points;
	let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
	for (const p of use) {
		const m = mercator(p.lat, p.lon);
		minX = Math.min(minX, m.x);
		maxX = Math.max(maxX, m.x);
		minY = Math.min(minY, m.y);
		maxY = Math.max(maxY, m.y);
	}
	const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
	const lat = latOf(cy);
	const least = 50 / (EARTH * Math.cos((lat * Math.PI) / 180)); // 50 m in world units
	const w = Math.max(maxX - minX, least), h = Math.max(maxY - minY, least);
	const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
	return { cx, cy, scale, lat, width, height, pad };
}

// latOf is the latitude of a Web Mercator y.
function latOf(y) {
	return (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
}

// place gives a point's pixel position in view, and whether it was pinned
// to the edge (a far outlier outside the view).
export function place(view, lat, lon) {
	const m = mercator(lat, lon);
	let x = (m.x - view.cx) * view.scale + view.width / 2;
	let y = (m.y - view.cy) * view.scale + view.height / 2;
	const lo = view.pad / 2, hiX = view.width - view.pad / 2, hiY = view.height - view.pad / 2;
	const pinned = x < lo || x > hiX || y < lo || y > hiY;
	if (pinned) {
		x = Math.max(lo, Math.min(hiX, x));
		y = Math.max(lo, Math.min(hiY, y));
	}
	return { x, y, pinned };
}

// metersPerPixel is the ground distance of a pixel of view at its centre.
export function metersPerPixel(view) {
	return (EARTH * Math.cos((view.lat * Math.PI) / 180)) / view.scale;
}

// scaleBar chooses the longest round distance (1, 2 or 5 × 10ⁿ m) that
// fits in maxPx pixels: {meters, px, value, unit} (unit 'm' or 'km').
export function scaleBar(mPerPx, maxPx) {
	const most = mPerPx * maxPx;
	let n = Math.pow(10, Math.floor(Math.log10(most)));
	let meters = n;
	for (const k of [5, 2, 1]) {
		if (k * n <= most) {
			meters = k * n;
			break;
		}
	}
	const km = meters >= 1000;
	return { meters, px: meters / mPerPx, value: km ? meters / 1000 : meters, unit: km ? 'km' : 'm' };
}

// nearest is the index in pts ({x, y}) of the point closest to (x, y),
// within max pixels, or -1.
export function nearest(pts, x, y, max) {
	let best = -1, bestD = max * max;
	pts.forEach((p, i) => {
		const d = (p.x - x) ** 2 + (p.y - y) ** 2;
		if (d <= bestD) {
			best = i;
			bestD = d;
		}
	});
	return best;
}

const DIRS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

// step is where a key moves the keyboard's point from index from among pts
// ({x, y}, on screen): an arrow goes to the nearest point in its direction
// (within 45° of it), Home and End to the first and last; from -1 any key
// goes to the first. It stays when nothing lies that way.
export function step(pts, from, key) {
	if (!pts.length) return -1;
	if (from < 0 || from >= pts.length || key === 'Home') return 0;
	if (key === 'End') return pts.length - 1;
	const d = DIRS[key];
	if (!d) return from;
	const o = pts[from];
	let best = from, bestD = Infinity;
	pts.forEach((p, i) => {
		const dx = p.x - o.x, dy = p.y - o.y;
		const along = dx * d[0] + dy * d[1];
		const across = Math.abs(dx * d[1] - dy * d[0]);
		if (i === from || along <= 0 || across > along) return;
		const dist = dx * dx + dy * dy;
		if (dist < bestD) {
			best = i;
			bestD = dist;
		}
	});
	return best;
}

// tileTemplate accepts a tile URL template with {z}, {x} and {y} that is
// an http(s) URL or a path on the page's origin; anything else is ''.
export function tileTemplate(t) {
	t = String(t || '').trim();
	if (!/\{z\}/.test(t) || !/\{x\}/.test(t) || !/\{y\}/.test(t)) return '';
	return /^(https?:\/\/|\/)/i.test(t) ? t : '';
}

// tiles lists the tiles {href, x, y, size} that cover view, at the zoom
// whose tiles are closest to the view's scale (at most MAX_ZOOM).
export function tiles(view, template) {
	template = tileTemplate(template);
	if (!template) return [];
	const z = Math.max(0, Math.min(MAX_ZOOM, Math.round(Math.log2(view.scale / TILE))));
	const n = 2 ** z;
	const size = view.scale / n; // a tile's side in the view's pixels
	const left = view.cx - view.width / 2 / view.scale, top = view.cy - view.height / 2 / view.scale;
	const x0 = Math.floor(left * n), y0 = Math.max(0, Math.floor(top * n));
	const x1 = Math.floor((left + view.width / view.scale) * n), y1 = Math.min(n - 1, Math.floor((top + view.height / view.scale) * n));
	const out = [];
	for (let ty = y0; ty <= y1; ty++) {
		for (let tx = x0; tx <= x1; tx++) {
			const wx = ((tx % n) + n) % n; // the world wraps east and west
			out.push({
				href: template.replace('{z}', z).replace('{x}', wx).replace('{y}', ty),
				x: (tx / n - left) * view.scale,
				y: (ty / n - top) * view.scale,
				size,
			});
		}
	}
	return out;
}
