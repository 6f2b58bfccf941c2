// Unit tests of ui/loop.js (the re-upload loop's model), ui/loopcodes.js
// (the error codes asked for once per language) and the reconstruction's
// word to them when a start is refused or a task fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopOf, matchFiles, pathOf, startWords } from '../ui/loop.js';
import { ErrorCodes, langFor } from '../ui/loopcodes.js';
import { Recon } from '../ui/recon.js';
import { format } from '../ui/i18n.js';
import { readFileSync } from 'node:fs';

const strings = (lang) => JSON.parse(readFileSync(new URL('../i18n/' + lang + '.json', import.meta.url), 'utf8'));
const link = {};
const entry = (path, state, more = {}) => Object.assign({ path, state, link, file: { name: path.split('/').pop() } }, more);

test('loopOf: the line, the lists and what is offered', () => {
	const tests = [
		{
			name: 'all ready', result: { wanted: 3, ready: 3 }, states: ['ready', 'ready', 'ready'],
			want: { line: [3, 3], invalid: 0, failed: 0, offer: { replace: false, resend: false, start: 'all' } },
		},
		{
			name: 'one invalid', result: { wanted: 4, ready: 3 }, states: ['ready', 'invalid', 'ready', 'ready'],
			want: { line: [3, 4], invalid: 1, failed: 0, offer: { replace: true, resend: false, start: 'some' } },
		},
		{
			name: 'one failed, one invalid', result: { wanted: 4, ready: 2 }, states: ['ready', 'invalid', 'failed', 'ready'],
			want: { line: [2, 4], invalid: 1, failed: 1, offer: { replace: true, resend: true, start: 'some' } },
		},
		{
			name: 'nothing ready', result: { wanted: 2, ready: 0 }, states: ['invalid', 'invalid'],
			want: { line: [0, 2], invalid: 2, failed: 0, offer: { replace: true, resend: false, start: '' } },
		},
		{
			name: 'no counts: from the rows', result: {}, states: ['ready', 'failed', 'unsupported'],
			want: { line: [1, 2], invalid: 0, failed: 1, offer: { replace: false, resend: true, start: 'some' } },
		},
	];
	for (const tt of tests) {
		const entries = tt.states.map((s, i) => entry('p' + i + '.jpg', s, s === 'unsupported' ? { link: null, file: null } : {}));
		const l = loopOf(tt.result, entries);
		assert.deepEqual(l.line, ['loop.line', { ready: tt.want.line[0], wanted: tt.want.line[1] }], tt.name);
		assert.equal(l.invalid.length, tt.want.invalid, tt.name);
		assert.equal(l.failed.length, tt.want.failed, tt.name);
		assert.deepEqual(l.offer, tt.want.offer, tt.name);
	}
	const replaced = entry('old.jpg', 'invalid', { replaced: true });
	assert.equal(loopOf({ wanted: 1, ready: 0 }, [replaced]).invalid.length, 0, 'an entry replaced by a new one is not offered again');
});

test('the line and the start in words, in both languages', () => {
	const l = loopOf({ wanted: 4, ready: 3 }, [entry('a.jpg', 'invalid')]);
	const w = startWords(l);
	const en = strings('en'), zh = strings('zh');
	assert.equal(format(en, ...l.line), '3 of 4 Ready');
	assert.equal(format(en, ...w.button), 'Start with 3 of 4…');
	assert.match(format(en, ...w.confirm), /Only 3 of the 4 photos are Ready/);
	assert.match(format(zh, ...w.confirm), /4 张照片中只有 3 张/);
	const all = startWords(loopOf({ wanted: 4, ready: 4 }, []));
	assert.deepEqual([all.button[0], all.confirm], ['loop.start', null]);
	assert.deepEqual(startWords(loopOf({ wanted: 1, ready: 0 }, [])), { button: null, confirm: null });
});

test('matchFiles: by relative path, then by a name one Invalid photo has', () => {
	const invalid = [entry('a/DJI_1.JPG', 'invalid'), entry('b/DJI_1.JPG', 'invalid'), entry('b/DJI_2.JPG', 'invalid'), entry('c/x.jpg', 'invalid')];
	const f = (name, rel = '') => ({ name, webkitRelativePath: rel });
	const picked = [f('DJI_1.JPG', 'b/DJI_1.JPG'), f('DJI_2.JPG'), f('DJI_1.JPG'), f('other.jpg'), f('x.jpg', 'c/x.jpg'), f('x.jpg')];
	const { pairs, unmatched } = matchFiles(invalid, picked);
	assert.deepEqual(pairs.map((p) => [p.entry.path, pathOf(p.file)]), [
		['b/DJI_1.JPG', 'b/DJI_1.JPG'], ['c/x.jpg', 'c/x.jpg'], ['b/DJI_2.JPG', 'DJI_2.JPG'],
	]);
	// DJI_1.JPG alone names two Invalid photos: it matches neither; the
	// second x.jpg finds its photo taken.
	assert.deepEqual(unmatched.map(pathOf), ['DJI_1.JPG', 'other.jpg', 'x.jpg']);
});

test('ErrorCodes: asked once per language, again after a failure', async () => {
	const asked = [];
	let fail = true;
	const connect = async (o) => ({
		async errorCodes(lang) {
			asked.push([o.api, lang]);
			if (fail && lang === 'zh') throw Object.assign(new Error('offline'), { code: 'network' });
			return [{ code: 'TOO_FEW_IMAGES', description: lang + ' words', solution: 'more photos' }];
		},
	});
	const codes = new ErrorCodes(connect, () => ({ api: 'A', key: 'K', token: 'T', project: 'p' }));
	assert.equal((await codes.get('en'))[0].description, 'en words');
	await codes.get('en');
	await assert.rejects(codes.get('zh'));
	fail = false;
	assert.equal((await codes.get('zh'))[0].description, 'zh words');
	await codes.get('zh');
	await codes.get('fr');
	assert.deepEqual(asked, [['A', 'en'], ['A', 'zh'], ['A', 'zh']]);
	assert.deepEqual([langFor(strings('zh')), langFor(strings('en')), langFor({}), langFor(null)], ['zh', 'en', 'en', 'en']);
});

test('the reconstruction says when to explain the codes: a refused start, a failed task; not a task under way', async () => {
	const node = () => ({ dataset: {}, textContent: '', hidden: false, disabled: false, checked: false, value: 'Native' });
	const el = { tasktype: node(), prestart: node(), reconstruct: node(), reconstruction: node(), stoprecon: node() };
	let answer = { error: { code: 1005, message: 'The project has fewer than 3 Ready images.' } };
	const up = { async startReconstruction() { return answer; }, async task() { return null; } };
	const heard = [];
	const recon = new Recon(el, { link: { up }, options: () => ({}) }, () => {}, null, (on) => heard.push(on));
	recon.setStrings(strings('en'));
	await recon.start();
	assert.equal(el.reconstruction.textContent, 'Not started: The project has fewer than 3 Ready images.');
	assert.deepEqual(heard, [false, true]);
	answer = { task: { id: 't1', taskType: 'Native', state: 'Queueing', queueing: 1 } };
	await recon.start();
	recon.stop();
	assert.deepEqual(heard, [false, true, false]);
	recon.task({ id: 't1', taskType: 'Native', state: 'Failed', queueing: 0, error: 'Not enough overlap between the photos.' });
	assert.equal(el.reconstruction.textContent, 'Task t1 (Native) failed: Not enough overlap between the photos.');
	assert.deepEqual(heard, [false, true, false, true]);
	recon.clear();
	assert.deepEqual(heard.at(-1), false);
});
