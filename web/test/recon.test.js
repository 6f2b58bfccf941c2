// Unit tests of ui/recon.js: a running task is stopped through the
// connection, with the options it was started with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recon, isRunning } from '../ui/recon.js';

const node = () => ({ dataset: {}, textContent: '', hidden: false, disabled: false, checked: false, value: 'Native' });

function setup(stopped) {
	const el = { tasktype: node(), prestart: node(), reconstruct: node(), reconstruction: node(), stoprecon: node() };
	const up = {
		async startReconstruction() { return { task: { id: 't1', taskType: 'Native', state: 'Queueing', queueing: 0 } }; },
		async task() { return null; },
	};
	const opts = { api: 'https://api/graphql', key: 'K', token: 'T', project: 'p1', cloud: 'auto' };
	const session = { link: { up }, options: () => ({ ...opts }) };
	const calls = [];
	const connect = async (o) => {
		calls.push(['connect', o]);
		return {
			async stopReconstruction(id) {
				calls.push(['stop', id]);
				if (stopped instanceof Error) throw stopped;
				return stopped;
			},
		};
	};
	return { el, recon: new Recon(el, session, () => {}, connect), calls };
}

test('isRunning', () => {
	assert.deepEqual(['Pending', 'Queueing', 'Processing', 'Done', 'Failed', 'Stopped', 'Idle'].map(isRunning), [true, true, true, false, false, false, false]);
});

test('a running task shows Stop; Stop stops it and hides the button', async () => {
	const { el, recon, calls } = setup({ id: 't1', taskType: 'Native', state: 'Stopped', queueing: 0 });
	assert.equal(await recon.stopTask(), null, 'no task: nothing to stop');
	await recon.start();
	assert.equal(el.stoprecon.hidden, false);
	assert.equal(el.reconstruction.dataset.state, 'Queueing');
	const t = await recon.stopTask();
	recon.stop();
	assert.equal(t.state, 'Stopped');
	assert.equal(el.reconstruction.dataset.state, 'Stopped');
	assert.equal(el.stoprecon.hidden, true);
	assert.deepEqual(calls, [['connect', { api: 'https://api/graphql', key: 'K', token: 'T', getToken: undefined }], ['stop', 'p1']]);
	assert.equal(await recon.stopTask(), null, 'a stopped task is not stopped again');
});

test('a refused stop says why and leaves the button to try again', async () => {
	const { el, recon } = setup(Object.assign(new Error('the project has no reconstruction to stop'), { code: 'api' }));
	await recon.start();
	assert.equal(await recon.stopTask(), null);
	recon.stop();
	assert.equal(el.stoprecon.hidden, false);
	assert.equal(el.stoprecon.disabled, false);
	assert.equal(el.reconstruction.dataset.i18n, 'recon.stopfailed');
	recon.clear();
	assert.equal(el.stoprecon.hidden, true);
});
