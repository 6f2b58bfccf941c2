// Unit tests of page/projects.js: the project list's search and paging,
// and the words for a project and an account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE, ProjectList, accountVars, gp, projectVars } from '../page/projects.js';

const project = (i, name = 'P' + i) => ({ id: 'p' + i, name, numImage: i, gigaPixel: i / 1000, taskState: 'Idle' });

// server answers conn.projects from a list of projects, a page at a time,
// and records what it was asked.
function server(all) {
	const asked = [];
	const fetch = async (q) => {
		asked.push(q);
		const found = all.filter((p) => !q.search || p.name.toLowerCase().includes(q.search.toLowerCase()));
		const from = q.after ? Number(q.after) : 0;
		const page = found.slice(from, from + q.first);
		const end = from + page.length;
		return { totalCount: found.length, hasNextPage: end < found.length, endCursor: String(end), projects: page };
	};
	return { fetch, asked };
}

test('pages through every project, then a search starts again', async () => {
	const all = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => project(i, i % 2 ? 'Bridge ' + i : 'Hall ' + i));
	const s = server(all);
	let changes = 0;
	const list = new ProjectList(s.fetch, () => changes++);
	await list.find('');
	assert.equal(list.items.length, PAGE_SIZE);
	assert.ok(list.hasMore);
	assert.deepEqual(list.status(), ['projects.count', { shown: PAGE_SIZE, total: all.length }]);
	assert.equal(await list.more(), true);
	assert.equal(list.items.length, all.length);
	assert.equal(list.hasMore, false);
	assert.equal(await list.more(), false, 'no page is left');
	assert.deepEqual(s.asked, [{ first: PAGE_SIZE }, { first: PAGE_SIZE, after: String(PAGE_SIZE) }]);
	assert.ok(changes >= 4);

	await list.find('  bridge ');
	assert.deepEqual(s.asked.at(-1), { first: PAGE_SIZE, search: 'bridge' });
	assert.ok(list.items.every((p) => p.name.startsWith('Bridge')));
	assert.equal(list.total, 12);
	await list.find('tower');
	assert.deepEqual(list.status(), ['projects.nomatch', { search: 'tower' }]);
});

test('an older answer does not overwrite a newer search', async () => {
	const waiting = [];
	const list = new ProjectList((q) => new Promise((resolve) => waiting.push([q, resolve])));
	const first = list.find('a');
	const second = list.find('b');
	assert.equal(list.status()[0], 'projects.loading');
	waiting[1][1]({ totalCount: 1, hasNextPage: false, endCursor: null, projects: [project(2, 'b')] });
	assert.equal(await second, true);
	waiting[0][1]({ totalCount: 1, hasNextPage: false, endCursor: null, projects: [project(1, 'a')] });
	assert.equal(await first, false);
	assert.deepEqual(list.items.map((p) => p.name), ['b']);
	assert.equal(list.search, 'b');
});

test('a refused list says why, and the next search clears it', async () => {
	let fail = true;
	const list = new ProjectList(async () => {
		if (fail) throw { code: 'unauthorized', message: 'The token was refused.' };
		return { totalCount: 0, hasNextPage: false, endCursor: null, projects: [] };
	});
	assert.equal(await list.find(''), false);
	assert.deepEqual(list.status(), ['projects.failed', { why: 'The token was refused.' }]);
	fail = false;
	await list.find('');
	assert.deepEqual(list.status(), ['projects.none', { search: '' }]);
});

test('a project listed twice across pages is shown once; update changes it', async () => {
	const pages = [
		{ totalCount: 3, hasNextPage: true, endCursor: 'c1', projects: [project(1), project(2)] },
		{ totalCount: 3, hasNextPage: false, endCursor: 'c2', projects: [project(2), project(3)] },
	];
	const list = new ProjectList(async () => pages.shift());
	await list.find('');
	await list.more();
	assert.deepEqual(list.items.map((p) => p.id), ['p1', 'p2', 'p3']);
	list.update('p2', { taskState: 'Stopped' });
	assert.equal(list.get('p2').taskState, 'Stopped');
	assert.equal(list.get('p9'), null);
});

test('words for a project and an account', () => {
	assert.deepEqual(gp(0), '0');
	assert.deepEqual(gp(0.0041472), '0.0041');
	assert.deepEqual(gp(1.5), '1.50');
	assert.deepEqual(gp(123.45), '123.5');
	assert.deepEqual(projectVars(project(12, 'Hall'), (s) => s.toLowerCase()), { name: 'Hall', images: 12, gp: '0.01', state: 'idle' });
	const a = { email: 'demo@example.com', name: 'Demo', balance: 120.456, freeGPQuota: 3, coinPerGP: 10, planName: 'Pro' };
	assert.deepEqual(accountVars(a), { who: 'Demo', email: 'demo@example.com', balance: '120.46', quota: '3.00', plan: 'Pro', rate: '10' });
	assert.equal(accountVars({ ...a, name: '' }).who, 'demo@example.com');
});

test('stop keeps the state the stopped task ends in', async () => {
	const list = new ProjectList(async () => ({ totalCount: 1, hasNextPage: false, endCursor: null, projects: [{ ...project(1), taskState: 'Processing' }] }));
	await list.find('');
	const asked = [];
	const t = await list.stop('p1', async (id) => {
		asked.push(id);
		return { id: 't1', state: 'Stopped' };
	});
	assert.equal(t.state, 'Stopped');
	assert.deepEqual(asked, ['p1']);
	assert.equal(list.get('p1').taskState, 'Stopped');
	await assert.rejects(list.stop('p1', async () => {
		throw { code: 'api', message: 'nothing to stop' };
	}));
	assert.equal(list.get('p1').taskState, 'Stopped');
});
