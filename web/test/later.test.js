// later.js: a part imported when first needed, its calls kept in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { later } from '../ui/later.js';

// part is a made-up part that notes its calls.
function part() {
	const calls = [];
	return {
		calls,
		show(x) {
			calls.push(['show', x]);
			return 'shown ' + x;
		},
		draw() {
			calls.push(['draw']);
			return 'drawn';
		},
	};
}

test('later', async (t) => {
	const cases = [
		{
			name: 'a quiet call before the part is there makes nothing',
			run: async (p, made) => {
				assert.equal(p.draw(), undefined);
				assert.equal(made(), 0);
			},
			calls: null,
		},
		{
			name: 'calls before the part is there are made on it in order',
			run: async (p, made) => {
				const a = p.show(1), b = p.show(2);
				assert.equal(made(), 1);
				assert.deepEqual(await Promise.all([a, b]), ['shown 1', 'shown 2']);
			},
			calls: [['show', 1], ['show', 2]],
		},
		{
			name: 'once the part is there every call goes straight to it',
			run: async (p, made) => {
				await p.load();
				assert.equal(p.draw(), 'drawn');
				assert.equal(p.show(3), 'shown 3');
				assert.equal(made(), 1);
			},
			calls: [['draw'], ['show', 3]],
		},
		{
			name: 'quiet is asked with the arguments',
			run: async (p) => {
				assert.equal(p.show(0), undefined);
				await p.show(4);
			},
			calls: [['show', 4]],
		},
	];
	for (const c of cases) {
		await t.test(c.name, async () => {
			let n = 0, made = null;
			const p = later(async () => {
				n++;
				return (made = part());
			}, (name, args) => name === 'draw' || (name === 'show' && args[0] === 0));
			await c.run(p, () => n);
			assert.deepEqual(made ? made.calls : null, c.calls);
		});
	}
	await t.test('a part that cannot be loaded fails its calls, not the quiet ones', async () => {
		const err = console.error;
		console.error = () => {};
		try {
			const p = later(() => Promise.reject(new Error('gone')), (name) => name === 'draw');
			assert.equal(p.draw(), undefined);
			await assert.rejects(p.show(1), /gone/);
		} finally {
			console.error = err;
		}
	});
});
