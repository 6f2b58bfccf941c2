// Unit tests of ui/announce.js, on a clock of the test's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Announcer, EVERY } from '../ui/announce.js';

function clock() {
	const c = { t: 0, timers: new Map(), id: 0 };
	c.now = () => c.t;
	c.set = (f, ms) => (c.timers.set(++c.id, { f, at: c.t + ms }), c.id);
	c.clear = (id) => c.timers.delete(id);
	c.advance = (ms) => {
		c.t += ms;
		for (const [id, tm] of [...c.timers]) {
			if (tm.at <= c.t) {
				c.timers.delete(id);
				tm.f();
			}
		}
	};
	return c;
}

test('progress is announced at most every few seconds; the end at once', () => {
	const c = clock();
	const said = [];
	let n = 0;
	const a = new Announcer(() => 'text ' + ++n, (t) => said.push(t), c);
	a.soon();
	c.advance(0);
	assert.deepEqual(said, ['text 1']);
	a.soon();
	a.soon(); // one timer, not two
	c.advance(EVERY - 1);
	assert.deepEqual(said, ['text 1']);
	c.advance(1);
	assert.deepEqual(said, ['text 1', 'text 2']);
	a.soon();
	a.now(); // replaces the pending one
	c.advance(50);
	assert.deepEqual(said, ['text 1', 'text 2', 'text 3']);
	c.advance(EVERY);
	assert.equal(said.length, 3);
});
