// Unit tests of ui/drop.js: folders read through directory entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemsOf, walk } from '../ui/drop.js';

const later = (f) => setTimeout(f, 0);
const file = (name, path, fail) => ({
	isFile: true, isDirectory: false, name, fullPath: path,
	file: (ok, bad) => later(() => (fail ? bad(new Error('gone')) : ok({ name }))),
});
// dir hands its children out in batches, as browsers do; failAt makes the
// readEntries call of that number fail.
const dir = (name, path, children, failAt = -1) => ({
	isFile: false, isDirectory: true, name, fullPath: path,
	createReader() {
		const batches = [children.slice(0, 1), children.slice(1), []];
		let call = 0;
		return { readEntries: (ok, bad) => later(() => (call++ === failAt ? bad(new Error('NotReadableError')) : ok(batches.shift() || []))) };
	},
});

test('folders are read whole, depth first, in name order', async () => {
	const tree = dir('drop', '/drop', [file('b.jpg', '/drop/b.jpg'), dir('sub', '/drop/sub', [file('c.jpg', '/drop/sub/c.jpg')]), file('a.jpg', '/drop/a.jpg')]);
	const got = await walk([tree]);
	assert.deepEqual(got.map((i) => i.path), ['drop/a.jpg', 'drop/b.jpg', 'drop/sub/c.jpg']);
	assert.ok(got.every((i) => i.file && !i.why));
});

test('a folder whose listing fails keeps what was read and says so', async () => {
	const tree = dir('drop', '/drop', [file('a.jpg', '/drop/a.jpg'), file('b.jpg', '/drop/b.jpg')], 1);
	const got = await walk([tree]);
	assert.deepEqual(got.map((i) => [i.path, i.why || '']), [['drop/', 'why.folder'], ['drop/a.jpg', '']]);
	assert.equal(got[0].file, null);
});

test('a file that cannot be read is listed with why', async () => {
	const got = await walk([file('x.jpg', '/x.jpg', true)]);
	assert.deepEqual(got, [{ file: null, path: 'x.jpg', why: 'why.unreadable' }]);
});

test('loose files of a drop without entries', async () => {
	const f = { name: 'a.jpg' };
	const got = await itemsOf({ items: [{ kind: 'file', getAsFile: () => f }, { kind: 'string' }] });
	assert.deepEqual(got, [{ file: f, path: 'a.jpg' }]);
	const g = await itemsOf({ items: [], files: [f] });
	assert.deepEqual(g, [{ file: f, path: 'a.jpg' }]);
});
