// session.js: the interface's model, without the DOM: the list of files
// (entries), the uploaders that send them, and start, retry, replace,
// pause, resume, cancel and clear. The mount module shows what it holds and
// hears of its changes through hooks:
//
//   const s = new Session({
//     create: (options) => altiup.create(options),   // an uploader (the JS API)
//     options: () => ({api, key, token, getToken, project, cloud, bucket, concurrency}),
//     wait: () => true,            // wait for validation after an upload
//     hooks: {changed(entry), status(), file(ev), progress(p), error(e), announce()},
//   });
//
// An entry is {n, file, path, size, state, sent, error, why, details,
// reasons, outcome, imageId, replaced, left}; its state is one of STATES.
// Given to the uploader before start (check.js), a file stays 'waiting'.

import { DONE_BYTES, IN_CORE, items, stateOf, counts } from './entries.js';

// Link is one uploader and the entries it was given, by the index its
// file events carry (the order of add calls).
class Link {
	constructor(up) {
		this.up = up;
		this.byIndex = new Map();
		this.next = 0;
	}
	give(list) {
		if (!list.length) return Promise.resolve(0);
		list.forEach((e, i) => {
			e.link = this;
			e.index = this.next + i;
			e.state = 'queued';
			e.sent = 0;
			e.error = null;
			e.outcome = '';
			this.byIndex.set(e.index, e);
		});
		this.next += list.length;
		const added = this.up.add(list.map((e) => e.file), { paths: list.map((e) => e.path) });
		const left = list.filter((e) => e.left).map((e) => e.index);
		return left.length ? added.then((n) => this.up.exclude(left).then(() => n)) : added;
	}
	// entryOf finds the entry of a waitProcessed file: by index, else by
	// image id (never by name: two folders may hold the same names).
	entryOf(f, entries) {
		if (typeof f.index === 'number' && this.byIndex.has(f.index)) return this.byIndex.get(f.index);
		if (f.imageId) return entries.find((e) => e.link === this && e.imageId === f.imageId) || null;
		return null;
	}
}

const noop = () => {};

export class Session {
	constructor(cfg) {
		this.create = cfg.create;
		this.options = cfg.options;
		this.wait = cfg.wait || (() => true);
		this.hooks = Object.assign({ changed: noop, status: noop, file: noop, progress: noop, error: noop, announce: noop }, cfg.hooks);
		this.entries = [];
		this.link = null; // the uploader of the list
		this.linkKey = '';
		this.active = null; // the uploader of a retry of some files, while it runs
		this.loaded = false; // the uploader can be created
		this.running = false;
		this.paused = false;
		this.waiting = false; // for validation
		this.rate = 0; // bytes/s, from the core
		// What the mount shows: [key, vars] pairs, an error in message.error.
		this.summary = null;
		this.message = null;
	}

	get busy() {
		return this.running || this.waiting;
	}

	// add lists files (see items) at the end; those added while an upload
	// runs join it. It returns how many were added. Their sizes are null
	// until the uploader's events give them: reading a picked file's size
	// waits on the browser, so 10,000 read here would hold the page for
	// seconds, and the uploader reads them anyway, a slice at a time.
	add(list) {
		const mine = items(list).map((it) => {
			const e = {
				n: this.entries.length, file: it.file, path: it.path || (it.file && it.file.name) || '?',
				size: null, state: it.file ? 'waiting' : 'unsupported', why: it.file ? '' : it.why || 'why.unreadable',
				sent: 0, error: null, details: null, reasons: null, outcome: '', imageId: '', link: null, index: -1, replaced: false, left: false,
			};
			this.entries.push(e);
			return e;
		});
		this.hooks.changed();
		if (this.running && this.link && !this.active) {
			this.link.give(mine.filter((e) => e.state === 'waiting')).catch((e) => this.fail(e));
		}
		return mine.length;
	}

	// replace puts file in e's place, to be sent at the next start (even
	// when its content is that of an invalid image): in the list's uploader
	// when e went to it (up.replace keeps e's index, so the file counts
	// once among the wanted), else as a new file of the list.
	async replace(e, file) {
		const old = e.path;
		if (e.link && e.link === this.link && !this.busy) {
			const path = file.webkitRelativePath || file.name;
			await e.link.up.replace(e.index, file, { path });
			Object.assign(e, { file, path, size: file.size, state: 'queued', sent: 0, error: null, reasons: null, details: null, outcome: '' });
			this.hooks.changed(e);
		} else {
			e.replaced = true;
			this.hooks.changed(e);
			this.add([file]);
		}
		this.say('msg.replaced', { old, name: file.name });
	}

	// uploader is the list's uploader for the current options: a change of
	// options makes a new one, and every file of the list is sent again.
	// Callers at once (the Check step and start) share one (relink).
	uploader() {
		const o = this.options();
		const k = JSON.stringify(o);
		if (this.link && k === this.linkKey) return Promise.resolve(this.link);
		if (!this.making || this.making.k !== k) {
			const m = (this.making = { k, p: this.relink(o, k) });
			m.p.finally(() => this.making === m && (this.making = null)).catch(() => {});
		}
		return this.making.p;
	}

	async relink(o, k) {
		this.drop();
		for (const e of this.entries) {
			if (e.state !== 'unsupported') Object.assign(e, { link: null, index: -1, state: 'waiting', sent: 0, error: null });
		}
		const link = this.listen(new Link(await this.create(o)));
		this.link = link;
		this.linkKey = k;
		return link;
	}

	listen(link) {
		link.up.on('file', (ev) => {
			const e = link.byIndex.get(ev.index);
			if (e) this.apply(e, ev);
		}).on('progress', (p) => {
			this.rate = p.bytesPerSecond || 0;
			this.hooks.changed(null);
			this.hooks.progress(p);
		});
		return link;
	}

	apply(e, ev) {
		// Given before start (check.js), a file waits until a run takes it.
		e.state = ev.state === 'queued' && !this.running ? 'waiting' : stateOf(ev);
		e.sent = ev.sent || 0;
		if (typeof ev.size === 'number') e.size = ev.size;
		e.error = ev.error || null;
		if (ev.imageId) e.imageId = ev.imageId;
		if (ev.state === 'uploaded' || ev.state === 'skipped' || ev.state === 'failed') e.outcome = ev.state;
		if (ev.state === 'skipped') e.details = ev.duplicateOf ? ['detail.dup', { name: ev.duplicateOf }] : ['detail.there'];
		else if (ev.checksum && !ev.error) e.details = ['detail.sha1', { sum: ev.checksum }];
		this.hooks.changed(e);
		this.hooks.file(Object.assign({ path: e.path }, ev));
	}

	drop() {
		if (this.link) this.gone(this.link);
		this.link = null;
		this.linkKey = '';
	}

	gone(link) {
		link.gone = true;
		link.up.dispose();
	}

	queuedInCore() {
		return this.entries.some((e) => e.link && (IN_CORE.has(e.state) || e.state === 'waiting'));
	}

	say(key, vars) {
		this.message = key ? [key, vars] : null;
		this.hooks.status();
	}

	fail(e) {
		this.message = { error: e };
		this.hooks.status();
		this.hooks.error({ code: (e && e.code) || 'error', message: (e && e.message) || String(e) });
	}

	setRunning(on, link) {
		this.running = on;
		this.paused = false;
		if (on) this.active = link === this.link ? null : link;
		this.hooks.changed();
		this.hooks.status();
	}

	// start sends every file waiting, and those that failed, until nothing
	// added is left; then it waits for the validation when asked to.
	async start() {
		if (this.running) return null;
		this.summary = null;
		this.say('');
		const waiting = () => this.entries.filter((e) => e.state === 'waiting' && !e.link);
		// Failed files go again with the uploader they failed in, or with a
		// new one when that was let go (every file is then sent again).
		const again = (e) => e.state === 'failed' && e.link && (e.link === this.link || (!this.link && e.link.gone));
		const todo = waiting().length + this.entries.filter(again).length;
		if (todo === 0 && !this.queuedInCore()) {
			this.say(this.entries.length ? 'msg.nothing' : 'msg.choose');
			return null;
		}
		let link;
		try {
			link = await this.uploader();
		} catch (e) {
			this.fail(e);
			return null;
		}
		this.setRunning(true, link);
		for (const e of this.entries) if (e.link === link && e.state === 'waiting') e.state = 'queued';
		let report = null;
		try {
			do {
				await link.give(waiting());
				try {
					report = await link.up.start();
				} catch (e) {
					this.fail(e);
					report = e && e.report;
					break;
				}
			} while (link === this.link && (waiting().length || this.queuedInCore()));
		} catch (e) {
			if (!link.gone) this.fail(e);
		} finally {
			if (!link.gone) this.setRunning(false);
		}
		if (link.gone) return null; // disposed of while it ran
		return this.finish(link, report, this.wait());
	}

	// finish sums a run up and waits for the validation when asked to.
	async finish(link, report, wait) {
		const c = counts(this.entries);
		this.summarize(c);
		this.hooks.announce();
		const outcome = { report, counts: c };
		if (wait && (link === this.link || link === this.active) && c.uploaded + c.skipped > 0) {
			outcome.processed = await this.waitValidation(link, c);
		}
		return outcome;
	}

	summarize(c, result) {
		const key = (result ? 'summary.validated' : 'summary.done') + (c.unsupported ? '.unsupported' : '');
		this.summary = [key, result ? Object.assign({}, c, { ready: result.ready, invalid: result.invalid }) : c];
		this.hooks.status();
	}

	async waitValidation(link, c) {
		this.waiting = true;
		this.summary = [c.unsupported ? 'summary.waiting.unsupported' : 'summary.waiting', c];
		this.hooks.status();
		let result = null;
		try {
			result = await link.up.waitProcessed();
			for (const f of result.invalidFiles || []) {
				const e = link.entryOf(f, this.entries);
				if (!e) continue;
				e.reasons = f.errors || [];
				this.hooks.changed(e);
			}
			this.summarize(c, result);
		} catch (e) {
			if (link.gone) return null; // disposed of meanwhile
			this.say('msg.waitstopped', { error: e });
			this.hooks.error({ code: (e && e.code) || 'error', message: (e && e.message) || String(e) });
		}
		this.waiting = false;
		this.hooks.changed(); // the rows' buttons are usable again
		this.hooks.status();
		return result;
	}

	current() {
		return this.active || this.link;
	}

	pause() {
		const l = this.current();
		if (!l || !this.running) return;
		l.up.pause();
		this.paused = true;
		this.summary = ['summary.paused'];
		this.hooks.status();
	}

	resume() {
		const l = this.current();
		if (!l) return;
		l.up.resume();
		this.paused = false;
		this.summary = null;
		this.hooks.status();
	}

	cancel() {
		const l = this.current();
		if (!l) return;
		l.up.cancel();
		this.paused = false;
		this.hooks.status();
	}

	// retry sends failed files again. The list's uploader sends every
	// failed file of its own when started again, so retrying them all is a
	// new start; some files, while others stay failed, go through an
	// uploader of their own.
	async retry(list) {
		list = list.filter((e) => e.state === 'failed' && e.file);
		if (!list.length || this.busy) return null;
		const others = this.entries.some((e) => e.state === 'failed' && e.file && !list.includes(e));
		if (!others && this.link && list.every((e) => e.link === this.link)) return this.start();
		this.say('');
		let link;
		try {
			link = this.listen(new Link(await this.create(this.options())));
		} catch (e) {
			this.fail(e);
			return null;
		}
		for (const e of list) {
			if (e.link) e.link.byIndex.delete(e.index);
			e.details = null;
		}
		this.setRunning(true, link);
		let report = null;
		try {
			await link.give(list);
			report = await link.up.start();
		} catch (e) {
			if (!link.gone) this.fail(e);
		}
		if (link.gone) return null;
		this.setRunning(false);
		const outcome = await this.finish(link, report, this.wait() && list.some((e) => e.outcome === 'uploaded' || e.outcome === 'skipped'));
		this.active = null;
		this.gone(link);
		return outcome;
	}

	retryFailed() {
		return this.retry(this.entries.slice());
	}

	// clear empties the list and lets the uploader go.
	clear() {
		if (this.busy) return false;
		this.entries.length = 0;
		this.drop();
		this.summary = this.message = null;
		this.hooks.changed();
		this.hooks.status();
		return true;
	}

	// dispose stops every upload and lets the uploaders go.
	dispose() {
		for (const l of [this.active, this.link]) {
			if (l) {
				l.up.cancel();
				this.gone(l);
			}
		}
		this.active = this.link = null;
		this.linkKey = '';
		this.running = this.waiting = this.paused = false;
		this.hooks.changed();
		this.hooks.status();
	}

	// can says which controls are usable now.
	can() {
		const idle = !this.busy;
		return {
			start: this.loaded && !this.running,
			pause: this.running && !this.paused,
			resume: this.running && this.paused,
			cancel: this.busy,
			retryall: idle && this.entries.some((e) => e.state === 'failed' && e.file),
			clear: idle && this.entries.length > 0,
			reconstruct: this.loaded && !this.running && !!this.link,
			row: idle,
		};
	}

	// view is the whole list's state in words a test or tool reads (rows of
	// long lists are not all in the DOM); words(e) gives an entry's details.
	view(words) {
		return this.entries.map((e) => ({
			name: e.path, state: e.state, size: e.size, sent: DONE_BYTES.has(e.state) ? e.size : e.sent, details: words(e),
		}));
	}
}
