// Every text key the page and the interface name has words in both
// languages, and every text of the translations is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { STATES } from '../ui/entries.js';

const read = (rel) => readFileSync(new URL(rel, import.meta.url), 'utf8');
const en = JSON.parse(read('../i18n/en.json'));
const zh = JSON.parse(read('../i18n/zh.json'));
const sources = ['../app.js', '../index.html', '../embed.html', ...['page', 'ui', 'embed'].flatMap((d) => readdirSync(new URL('../' + d + '/', import.meta.url)).map((f) => '../' + d + '/' + f))].map(read).join('\n');

// Keys built at run time from a prefix and a value.
const built = [
	...STATES.map((s) => 'state.' + s),
	...['retry', 'replace'].flatMap((k) => ['btn.' + k, 'btn.' + k + '.label']),
	...['Pending', 'Queueing', 'Processing', 'Done', 'Failed', 'Stopped', 'Idle'].map((s) => 'task.' + s),
	...['done', 'validated', 'waiting'].flatMap((k) => ['summary.' + k, 'summary.' + k + '.unsupported']),
	...['none', 'origin', 'mismatch'].map((why) => 'embed.refused.' + why),
];

test('every key named has words in en and zh', () => {
	const named = new Set([...sources.matchAll(/(?:'|data-i18n(?:-\w+)?=")([a-z]+(?:\.[a-z_]+)+)(?:'|")/g)].map((m) => m[1]));
	named.delete('altiup.lang');
	named.delete('altiup.token');
	named.delete('altiup.oauth');
	for (const k of [...named, ...built]) {
		if (/^(i18n|config)\./.test(k)) continue;
		assert.ok(k in en, k + ' has no en text');
		assert.ok(k in zh, k + ' has no zh text');
	}
});

test('every text is used', () => {
	const unused = Object.keys(en).filter((k) => k !== 'lang' && !k.startsWith('code.') && !built.includes(k) && !sources.includes(k));
	assert.deepEqual(unused, []);
});
