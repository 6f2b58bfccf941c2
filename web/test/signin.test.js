// Unit tests of page/signin.js: the OAuth implicit flow's address and the
// check of its answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomState, readAnswer, signInURL, store, stored } from '../page/signin.js';

test('signInURL', () => {
	const u = new URL(signInURL('https://api.example.com/graphql', 'KEY', 'https://page.example/?cloud=s3', 'st'));
	assert.equal(u.origin + u.pathname, 'https://api.example.com/auth/start');
	assert.deepEqual(Object.fromEntries(u.searchParams), { client_id: 'KEY', response_type: 'token', redirect_uri: 'https://page.example/?cloud=s3', state: 'st' });
	assert.equal(signInURL('javascript:alert(1)', 'KEY', 'x', 's'), null);
	assert.equal(signInURL('not a url', 'KEY', 'x', 's'), null);
	assert.equal(signInURL('https://api.example.com/', '', 'x', 's'), null);
	assert.match(randomState(), /^[0-9a-f]{32}$/);
	assert.notEqual(randomState(), randomState());
});

test('readAnswer takes only the answer to the request sent', () => {
	const sent = JSON.stringify({ state: 'abc', remember: true, api: 'https://api', key: 'K' });
	for (const [hash, stored, want] of [
		['', sent, null],
		['#section', sent, null],
		['#access_token=T&state=abc', sent, { sent: JSON.parse(sent), token: 'T' }],
		['#access_token=T&state=forged', sent, { sent: null, error: ['account.badstate'] }],
		['#access_token=T&state=abc', null, { sent: null, error: ['account.badstate'] }],
		['#access_token=T&state=abc', '{broken', { sent: null, error: ['account.badstate'] }],
		['#access_token=T', JSON.stringify({ remember: false }), { sent: null, error: ['account.badstate'] }],
		['#error=access_denied&state=abc', sent, { sent: JSON.parse(sent), error: ['account.denied', { why: 'access_denied' }] }],
	]) assert.deepEqual(readAnswer(hash, stored), want, hash);
});

test('store and stored survive blocked storage', () => {
	const blocked = { getItem() { throw new Error('blocked'); }, setItem() { throw new Error('blocked'); }, removeItem() { throw new Error('blocked'); } };
	assert.equal(stored(blocked, 'k'), null);
	store(blocked, 'k', 'v');
	const m = new Map();
	const mem = { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, v), removeItem: (k) => m.delete(k) };
	store(mem, 'k', 'v');
	assert.equal(stored(mem, 'k'), 'v');
	store(mem, 'k', null);
	assert.equal(stored(mem, 'k'), null);
});
