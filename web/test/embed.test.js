// Unit tests of embed/protocol.js: calls and their answers between two
// peers, the frame's check of its host, and the scrub of what leaves the frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Peer, TAG, checkHost, isMessage, originOf, scrub, toError } from '../embed/protocol.js';

// pair links two peers as two windows would: each message is cloned and
// arrives in a later task.
function pair(aHandlers, bHandlers) {
	const sent = [];
	let a, b;
	const wire = (to) => (m) => {
		const copy = structuredClone(m);
		sent.push(copy);
		setTimeout(() => to().receive(copy), 0);
	};
	a = new Peer(wire(() => b), aHandlers);
	b = new Peer(wire(() => a), bHandlers);
	return { a, b, sent };
}

test('calls resolve to the value, or reject with {code, message}', async () => {
	const { a, sent } = pair({}, {
		add: (files, opts) => files.length + (opts ? opts.paths.length : 0),
		start: async () => ({ counts: { uploaded: 2 } }),
		failing: () => {
			throw { code: 'unauthorized', message: 'Sign in first.' };
		},
		thrown: () => {
			throw new TypeError('bad');
		},
	});
	const cases = [
		['add', [['x', 'y'], { paths: ['a'] }], { value: 3 }],
		['start', [], { value: { counts: { uploaded: 2 } } }],
		['failing', [], { error: { code: 'unauthorized', message: 'Sign in first.' } }],
		['thrown', [], { error: { code: 'error', message: 'bad' } }],
		['missing', [], { error: { code: 'invalid_input', message: 'The uploader has no method missing.' } }],
		['toString', [], { error: { code: 'invalid_input', message: 'The uploader has no method toString.' } }],
	];
	for (const [method, args, want] of cases) {
		await test(method, async () => {
			const got = await a.call(method, ...args).then((value) => ({ value }), (error) => ({ error }));
			assert.deepEqual(got, want);
		});
	}
	assert.ok(sent.every((m) => m.altiup === TAG), 'every message is tagged');
	// Answers to many calls at once find their own caller.
	const many = await Promise.all([1, 2, 3].map((n) => a.call('add', new Array(n))));
	assert.deepEqual(many, [1, 2, 3]);
});

test('notifications reach the handler and get no answer', async () => {
	const got = [];
	const { a, sent } = pair({}, { event: (name, detail) => got.push([name, detail]) });
	a.notify('event', 'file', { index: 0, state: 'ready' });
	await new Promise((r) => setTimeout(r, 10));
	assert.deepEqual(got, [['file', { index: 0, state: 'ready' }]]);
	assert.equal(sent.length, 1);
});

test('receive ignores what is not the protocol', () => {
	const p = new Peer(() => assert.fail('nothing is sent'), { start: () => assert.fail('nothing runs') });
	for (const m of [null, 'start', { kind: 'call', method: 'start' }, { altiup: 'other', kind: 'call', method: 'start' }, { altiup: TAG }]) {
		assert.equal(p.receive(m), false, JSON.stringify(m));
		assert.equal(isMessage(m), false);
	}
	// An answer to no call is dropped.
	assert.equal(p.receive({ altiup: TAG, kind: 'result', id: 99, value: 1 }), true);
});

test('close rejects waiting calls and later ones', async () => {
	const p = new Peer(() => {}, {});
	const waiting = p.call('start');
	p.close({ code: 'cancelled', message: 'The frame is gone.' });
	await assert.rejects(waiting, { code: 'cancelled', message: 'The frame is gone.' });
	await assert.rejects(p.call('start'), { code: 'cancelled' });
});

test('an answer that cannot be sent becomes an error', async () => {
	const { a } = pair({}, { bad: () => ({ fn() {} }) });
	await assert.rejects(a.call('bad'), { code: 'error' });
});

test('toError', () => {
	assert.deepEqual(toError({ code: 'x', message: 'm' }), { code: 'x', message: 'm' });
	assert.deepEqual(toError(new Error('boom')), { code: 'error', message: 'boom' });
	assert.deepEqual(toError('text'), { code: 'error', message: 'text' });
});

test('checkHost', () => {
	const allowed = ['https://partner.example', 'http://127.0.0.1:9000'];
	for (const [name, c, want] of [
		['allowed, by ancestorOrigins', { allowed, ancestor: 'https://partner.example', handshake: 'https://partner.example' }, { ok: true, origin: 'https://partner.example' }],
		['allowed, by referrer', { allowed, referrer: 'http://127.0.0.1:9000/shop?x=1', handshake: 'http://127.0.0.1:9000' }, { ok: true, origin: 'http://127.0.0.1:9000' }],
		['allowed, no referrer', { allowed, referrer: '', handshake: 'https://partner.example' }, { ok: true, origin: 'https://partner.example' }],
		['not allowed', { allowed, ancestor: 'https://evil.example', handshake: 'https://evil.example' }, { ok: false, why: 'origin', origin: 'https://evil.example' }],
		['hello from another origin', { allowed, ancestor: 'https://evil.example', handshake: 'https://partner.example' }, { ok: false, why: 'mismatch', origin: 'https://evil.example' }],
		['framed by an allowed page, hello from another', { allowed, ancestor: 'https://partner.example', handshake: 'http://127.0.0.1:9000' }, { ok: false, why: 'mismatch', origin: 'https://partner.example' }],
		['nothing allowed', { allowed: [], ancestor: 'https://partner.example', handshake: 'https://partner.example' }, { ok: false, why: 'none', origin: 'https://partner.example' }],
	]) assert.deepEqual(checkHost(c), want, name);
	assert.equal(originOf('https://a.example:8443/p?q'), 'https://a.example:8443');
	assert.equal(originOf(''), '');
	assert.equal(originOf('about:blank'), '');
});

test('scrub keeps data and takes secrets out', () => {
	const token = 'tok-1234567890';
	const file = new Blob(['x']);
	const ev = {
		index: 1, name: 'a.jpg', sent: 10, ok: true, none: null, file, fn() {},
		error: { code: 'failed', message: 'PUT https://b.example/k.jpg?OSSAccessKeyId=STS.x&Signature=abc&security-token=t failed' },
		list: ['https://s3.example/k?X-Amz-Signature=ff&X-Amz-Credential=c', 'plain'],
		told: 'the token ' + token + ' was refused',
		bare: 'security-token: abc',
	};
	const out = scrub(ev, [token, '']);
	assert.equal(out.file, file, 'a Blob stays itself');
	assert.equal('fn' in out, false);
	assert.deepEqual({ ...out, file: null }, {
		index: 1, name: 'a.jpg', sent: 10, ok: true, none: null, file: null,
		error: { code: 'failed', message: 'PUT https://b.example/k.jpg?[hidden] failed' },
		list: ['https://s3.example/k?[hidden]', 'plain'],
		told: 'the token [hidden] was refused',
		bare: '[hidden]',
	});
	assert.equal(ev.told.includes(token), true, 'the original is untouched');
	const loop = { a: 1 };
	loop.self = loop;
	assert.deepEqual(scrub(loop), { a: 1 });
	const shared = { x: 1 };
	assert.deepEqual(scrub({ p: shared, q: shared }), { p: { x: 1 }, q: { x: 1 } });
	structuredClone(out); // what leaves the frame can be posted
});

test('host.js links', async () => {
	const host = await import('../embed/host.js');
	assert.equal(typeof host.attach, 'function');
	assert.equal(typeof host.create, 'function');
});
