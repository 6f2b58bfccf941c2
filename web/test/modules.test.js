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
