// Unit tests of ui/i18n.js and of the translations (node --test web/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytes, duration, errorWords, format, langOf, pickLanguage } from '../ui/i18n.js';

const read = (rel) => readFileSync(new URL(rel, import.meta.url), 'utf8');
const en = JSON.parse(read('../i18n/en.json'));
const zh = JSON.parse(read('../i18n/zh.json'));

test('format fills placeholders and keeps unknown ones', () => {
	const s = { hi: 'Hello {name}, {n} {missing}' };
	assert.equal(format(s, 'hi', { name: 'Ann', n: 0 }), 'Hello Ann, 0 {missing}');
	assert.equal(format(s, 'nope'), 'nope');
	assert.equal(format({}, 'toString'), 'toString'); // not the prototype's
});

test('pickLanguage: the stored choice, then the browser, then English', () => {
	for (const [stored, langs, want] of [
		['zh', ['en-US'], 'zh'],
		[null, ['fr', 'zh-TW', 'en'], 'zh'],
		[null, ['en-GB', 'zh'], 'en'],
		['xx', ['de'], 'en'],
		[null, undefined, 'en'],
	]) assert.equal(pickLanguage(stored, langs), want, `${stored} ${langs}`);
	assert.equal(langOf('zh-CN'), 'zh');
	assert.equal(langOf('EN'), 'en');
	assert.equal(langOf(null), null);
});

test('errorWords: the message, behind the page\'s words on a Chinese page', () => {
	const e = { code: 'timeout', message: 'The request took too long.' };
	assert.equal(errorWords(en, e), 'The request took too long.');
	assert.equal(errorWords(zh, e), zh['code.timeout'] + ' (The request took too long.)');
	assert.equal(errorWords(zh, { code: 'no-such-code', message: 'm' }), 'm');
	assert.equal(errorWords(en, null), '');
});

test('bytes and duration', () => {
	assert.equal(bytes(0), '0 B');
	assert.equal(bytes(1536), '1.50 KiB');
	assert.equal(bytes(-1), '–');
	assert.equal(bytes(null), '–');
	assert.equal(bytes(undefined), '–');
	assert.equal(duration(en, 59.6), '1 min 0 s');
	assert.equal(duration(en, 3 * 3600 + 120), '3 h 2 min');
	assert.equal(duration(en, Infinity), '–');
});

test('both languages have the same keys', () => {
	assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});

// Every error code the uploader's core defines (wasm/upload/errors.go) has
// words in both languages.
test('every error code of the core has a text in en and zh', () => {
	const src = read('../../wasm/upload/errors.go');
	const codes = [...src.matchAll(/^\s*Code\w+\s*=\s*"([a-z_]+)"/gm)].map((m) => m[1]);
	assert.ok(codes.length >= 10, 'codes found in errors.go: ' + codes);
	for (const code of codes) {
		for (const [lang, s] of [['en', en], ['zh', zh]]) {
			assert.ok(typeof s['code.' + code] === 'string' && s['code.' + code] !== '', `code.${code} has no ${lang} text`);
		}
	}
});
