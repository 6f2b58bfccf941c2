// Unit tests of ui/rows.js's pure parts: what a row says, and which rows a
// long list draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { details, windowOf } from '../ui/rows.js';

const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));

test('details', () => {
	for (const [e, want] of [
		[{ state: 'unsupported', why: 'why.unreadable' }, 'Not uploaded: the file could not be read.'],
		[{ state: 'unsupported', error: { code: 'invalid_input', message: 'not an image' } }, 'Not uploaded: not an image'],
		[{ state: 'invalid', reasons: ['blurred', 'dark'] }, 'blurred; dark'],
		[{ state: 'invalid', reasons: [] }, en['detail.invalid']],
		[{ state: 'failed', error: { code: 'cancelled', message: 'The upload was cancelled.' } }, 'The upload was cancelled.'],
		[{ state: 'skipped', details: ['detail.dup', { name: 'a.jpg' }] }, 'same content as a.jpg'],
		[{ state: 'waiting' }, ''],
	]) assert.equal(details(en, e), want);
});

test('windowOf draws the rows in view and a few more', () => {
	assert.deepEqual(windowOf(10000, 0, 480, 36), { from: 0, to: 24 });
	assert.deepEqual(windowOf(10000, 36 * 5000, 480, 36), { from: 4990, to: 5024 });
	assert.deepEqual(windowOf(100, 36 * 99, 480, 36), { from: 89, to: 100 });
});
