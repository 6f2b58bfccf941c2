// Unit tests of ui/session.js: the model, with a fake uploader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../ui/session.js';
import { counts, items, stateOf, totals } from '../ui/entries.js';
import { fakeCreate, file, uploadAll } from './fake.js';

function session(over = {}) {
	const { create, made } = fakeCreate();
	const seen = { done: [], errors: [], files: [] };
	let opts = { api: 'a', key: 'k', project: 'p' };
	const s = new Session(Object.assign({
		create,
		options: () => opts,
		wait: () => true,
		hooks: { error: (e) => seen.errors.push(e), file: (e) => seen.files.push(e) },
	}, over));
	s.loaded = true;
	return { s, made, seen, setOptions: (o) => (opts = o) };
}

test('items: files, folder picks and drops', () => {
	const a = file('a.jpg');
	const b = Object.assign(file('b.jpg'), { webkitRelativePath: 'dir/b.jpg' });
	assert.deepEqual(items([a, b, { file: a, path: 'x/a.jpg' }]).map((i) => i.path), ['a.jpg', 'dir/b.jpg', 'x/a.jpg']);
});

test('stateOf: a file the core refuses as input is unsupported, other failures failed', () => {
	assert.equal(stateOf({ state: 'failed', error: { code: 'invalid_input' } }), 'unsupported');
	assert.equal(stateOf({ state: 'failed', error: { code: 'network' } }), 'failed');
	assert.equal(stateOf({ state: 'uploaded' }), 'uploaded');
});

test('start gives the waiting files with their paths and follows their events', async () => {
	const { s, made, seen } = session();
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll() }))(s.create);
	s.add([{ file: file('DJI_0001.JPG'), path: 'a/DJI_0001.JPG' }, { file: file('DJI_0001.JPG'), path: 'b/DJI_0001.JPG' }, file('notes.txt')]);
	assert.deepEqual(s.can(), { start: true, pause: false, resume: false, cancel: false, retryall: false, clear: true, reconstruct: false, row: true });
	const out = await (async () => {
		const p = s.start();
		await new Promise((r) => setTimeout(r));
		const up = made[0];
		assert.deepEqual(up.paths, ['a/DJI_0001.JPG', 'b/DJI_0001.JPG', 'notes.txt']);
		return p;
	})();
	assert.equal(made[0].started, 1);
	assert.deepEqual(out.counts.uploaded, 3);
	assert.deepEqual(s.entries.map((e) => e.state), ['uploaded', 'uploaded', 'uploaded']);
	assert.deepEqual(seen.files.map((e) => e.path), ['a/DJI_0001.JPG', 'b/DJI_0001.JPG', 'notes.txt']);
});

test('rows follow file events by index; invalid reasons go to their own row', async () => {
	const { s, made } = session();
	s.add([{ file: file('DJI_0001.JPG'), path: 'a/DJI_0001.JPG' }, { file: file('DJI_0001.JPG'), path: 'b/DJI_0001.JPG' }, file('notes.txt', 5)]);
	s.create = ((create) => async (o) => {
		const up = await create(o);
		up.run = (u) => {
			uploadAll('uploaded')(u);
			u.emit('file', { index: 2, state: 'failed', error: { code: 'invalid_input', message: '"notes.txt" is not a JPEG, PNG or TIFF image.' } });
			u.emit('file', { index: 0, state: 'invalid' });
			u.emit('file', { index: 1, state: 'invalid' });
			u.processed = { ready: 0, invalid: 2, invalidFiles: [
				{ index: 1, path: 'b/DJI_0001.JPG', name: 'DJI_0001.JPG', imageId: 'img1', errors: ['too dark'] },
				{ index: 0, path: 'a/DJI_0001.JPG', name: 'DJI_0001.JPG', imageId: 'img0', errors: ['blurred'] },
			] };
			return {};
		};
		return up;
	})(s.create);
	const out = await s.start();
	assert.deepEqual(s.entries.map((e) => [e.path, e.state, e.reasons]), [
		['a/DJI_0001.JPG', 'invalid', ['blurred']],
		['b/DJI_0001.JPG', 'invalid', ['too dark']],
		['notes.txt', 'unsupported', null],
	]);
	assert.deepEqual(out.counts, { total: 2, uploaded: 2, skipped: 0, failed: 0, unsupported: 1, ready: 0, invalid: 0 });
	assert.deepEqual(out.processed.invalid, 2);
	assert.deepEqual(s.summary[0], 'summary.validated.unsupported');
	assert.equal(made.length, 1);
});

test('reasons found by image id when the index is not given; never by name', async () => {
	const { s, made } = session();
	s.add([{ file: file('x.jpg'), path: 'a/x.jpg' }, { file: file('x.jpg'), path: 'b/x.jpg' }]);
	s.create = ((create) => async (o) => Object.assign(await create(o), {
		run(up) {
			uploadAll('uploaded')(up);
			uploadAll('invalid')(up);
			up.processed = { ready: 0, invalid: 1, invalidFiles: [{ imageId: 'img1', errors: ['b only'] }, { name: 'x.jpg', errors: ['by name'] }] };
			return {};
		},
	}))(s.create);
	await s.start();
	assert.equal(made.length, 1);
	assert.deepEqual(s.entries.map((e) => e.reasons), [null, ['b only']]);
});

test('files added while an upload runs join it', async () => {
	const { s, made } = session();
	s.add([file('a.jpg')]);
	let release;
	s.create = ((create) => async (o) => {
		const up = await create(o);
		up.run = (u) => new Promise((r) => (release = () => {
			uploadAll()(u);
			r({});
		}));
		return up;
	})(s.create);
	const p = s.start();
	await new Promise((r) => setTimeout(r));
	s.add([file('b.jpg')]);
	await new Promise((r) => setTimeout(r));
	assert.deepEqual(made[0].files.map((f) => f.name), ['a.jpg', 'b.jpg']);
	release();
	const out = await p;
	assert.equal(out.counts.uploaded, 2);
});

test('nothing to start says so; a start failure is reported', async () => {
	const { s, seen } = session();
	assert.equal(await s.start(), null);
	assert.deepEqual(s.message, ['msg.choose', undefined]);
	s.add([file('a.jpg')]);
	s.create = async () => {
		throw { code: 'unauthorized', message: 'The token was refused.' };
	};
	assert.equal(await s.start(), null);
	assert.equal(s.message.error.code, 'unauthorized');
	assert.equal(seen.errors[0].code, 'unauthorized');
});

test('a change of options makes a new uploader and sends every file again', async () => {
	const { s, made, setOptions } = session();
	s.add([file('a.jpg')]);
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll() }))(s.create);
	await s.start();
	assert.equal(s.entries[0].state, 'uploaded');
	setOptions({ api: 'a', key: 'k', project: 'other' });
	await s.start(); // nothing waiting, nothing failed: nothing to do
	assert.equal(made.length, 1);
	s.add([file('b.jpg')]);
	await s.start();
	assert.equal(made.length, 2);
	assert.ok(made[0].disposed);
	assert.deepEqual(made[1].files.map((f) => f.name), ['a.jpg', 'b.jpg']);
});

test('retry of one failed file uses an uploader of its own; retry of all, the list\'s', async () => {
	const { s, made } = session({ wait: () => false });
	s.add([file('a.jpg'), file('b.jpg')]);
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll('failed') }))(s.create);
	await s.start();
	assert.deepEqual(s.entries.map((e) => e.state), ['failed', 'failed']);
	assert.ok(s.can().retryall);
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll('uploaded') }))(s.create);
	await s.retry([s.entries[1]]);
	assert.equal(made.length, 2);
	assert.deepEqual(made[1].files.map((f) => f.name), ['b.jpg']);
	assert.ok(made[1].disposed);
	assert.deepEqual(s.entries.map((e) => e.state), ['failed', 'uploaded']);
	made[0].run = uploadAll('uploaded');
	await s.retryFailed();
	assert.equal(made.length, 2);
	assert.equal(made[0].started, 2);
	assert.equal(s.entries[0].state, 'uploaded');
});

test('replace puts the new file in the uploader in place of the invalid one, which the next start sends', async () => {
	const { s, made } = session({ wait: () => false });
	const bad = file('x.jpg');
	s.add([bad]);
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll('invalid') }))(s.create);
	await s.start();
	const again = Object.assign(file('x.jpg', 20), { webkitRelativePath: 'fixed/x.jpg' });
	await s.replace(s.entries[0], again);
	assert.deepEqual(s.message[0], 'msg.replaced');
	assert.deepEqual(made[0].replaced, [[0, 'x.jpg', 'fixed/x.jpg']]);
	assert.equal(s.entries.length, 1, 'the file counts once');
	assert.deepEqual([s.entries[0].state, s.entries[0].path, s.entries[0].size], ['queued', 'fixed/x.jpg', 20]);
	await s.start();
	assert.equal(made[0].started, 2);
	assert.deepEqual(made[0].files, [again]);
});

test('replace of a file no uploader of the list has lists the new file', async () => {
	const { s } = session({ wait: () => false });
	s.add([file('x.jpg')]);
	await s.replace(s.entries[0], file('y.jpg'));
	assert.ok(s.entries[0].replaced);
	assert.deepEqual(s.entries.map((e) => e.state), ['waiting', 'waiting']);
});

test('pause, resume and cancel reach the running uploader; dispose stops and lets go', async () => {
	const { s, made } = session();
	s.add([file('a.jpg')]);
	let release;
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: () => new Promise((r) => (release = r)) }))(s.create);
	const p = s.start();
	await new Promise((r) => setTimeout(r));
	s.pause();
	assert.ok(s.paused && s.can().resume && !s.can().pause);
	s.resume();
	s.cancel();
	assert.deepEqual([made[0].paused, made[0].resumed, made[0].cancelled], [1, 1, 1]);
	assert.ok(!s.clear(), 'no clear while running');
	s.dispose();
	assert.ok(made[0].disposed);
	assert.ok(!s.busy, 'disposed: not running');
	made[0].emit('file', { index: 0, state: 'failed', error: { code: 'cancelled', message: 'The upload was cancelled.' } });
	release({});
	assert.equal(await p, null, 'the run disposed of ends without a word');
	// A new start works with a new uploader.
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll() }))(s.create);
	const out = await s.start();
	assert.equal(made.length, 2);
	assert.equal(out.counts.uploaded, 1);
	assert.ok(s.clear());
	assert.equal(s.entries.length, 0);
});

test('totals and counts', () => {
	const es = [
		{ state: 'uploading', size: 100, sent: 40, link: {}, outcome: '' },
		{ state: 'ready', size: 50, sent: 0, link: {}, outcome: 'uploaded' },
		{ state: 'unsupported', size: 7, sent: 0, link: {}, outcome: 'failed' },
		{ state: 'waiting', size: 10, sent: 0, link: null, outcome: '' },
	];
	assert.deepEqual(totals(es), { total: 160, sent: 90, done: 1, n: 3, ready: 1, invalid: 0, pending: 0 });
	assert.deepEqual(counts(es), { total: 2, uploaded: 1, skipped: 0, failed: 0, unsupported: 1, ready: 0, invalid: 0 });
});

test('add reads no size of the files: the uploader\'s events give them, and the totals count them then', async () => {
	const { s } = session();
	s.create = ((create) => async (o) => Object.assign(await create(o), { run: uploadAll() }))(s.create);
	let reads = 0;
	const counted = (name, size) => ({ name, get size() { reads++; return size; } });
	s.add([counted('a.jpg', 30), counted('b.jpg', 12)]);
	assert.equal(reads, 0, 'a size read when added');
	assert.deepEqual(s.entries.map((e) => e.size), [null, null]);
	assert.equal(totals(s.entries).total, 0);
	await s.start();
	assert.deepEqual(s.entries.map((e) => e.size), [30, 12]);
	assert.equal(totals(s.entries).total, 42);
});
