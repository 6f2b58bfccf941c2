// The interface's module graph links: every import names an export that
// exists (a browser would refuse the whole page otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('ui.js and its parts link', async () => {
	const ui = await import('../ui.js');
	for (const name of ['mount', 'format', 'langOf', 'loadStrings', 'pickLanguage', 'setText', 'translate']) {
		assert.equal(typeof ui[name], 'function', name);
	}
});

// The parts mount.js imports later (later.js) link too, and have the
// methods it calls on them.
test('the parts imported later link', async () => {
	for (const [file, cls, methods] of [
		['../ui/checkview.js', 'CheckView', ['schedule', 'visible', 'reset', 'setStrings']],
		['../ui/loopview.js', 'LoopView', ['show', 'pick', 'sync', 'hide', 'setStrings']],
		['../ui/loopview.js', 'Explain', ['show', 'setStrings']],
		['../ui/loopcodes.js', 'ErrorCodes', ['get']],
	]) {
		const m = await import(file);
		assert.equal(typeof m[cls], 'function', cls);
		for (const name of methods) assert.equal(typeof m[cls].prototype[name], 'function', cls + '.' + name);
	}
});
