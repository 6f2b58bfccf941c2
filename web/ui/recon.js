// recon.js: the reconstruction section: start (or pre-start) a task for the
// project, then follow its state through the uploader's task() until it is
// done or failed.
import { errorWords, format, setText } from './i18n.js';

const FOLLOW_EVERY = 2000; // ms between two looks at the task

// RUNNING are the task states a reconstruction can still be stopped in.
export const RUNNING = ['Pending', 'Queueing', 'Processing'];

export const isRunning = (state) => RUNNING.includes(state);

export class Recon {
	// el: {tasktype, prestart, reconstruct, reconstruction, stoprecon};
	// session gives the uploader (session.js); connect is altiup.connect,
	// for the stop; failed(on) hears whether a start was refused or the
	// task failed (to explain the service's error codes).
	constructor(el, session, buttons, connect, failed = () => {}) {
		this.el = el;
		this.failed = failed;
		this.session = session;
		this.buttons = buttons;
		this.connect = connect;
		this.opts = null; // the options the task was started with
		this.current = null; // the task shown
		this.strings = {};
		this.timer = 0;
		this.shown = null; // [key, vars], kept to show again in another language
	}

	show(key, vars) {
		this.shown = key ? [key, vars] : null;
		setText(this.el.reconstruction, this.strings, key, vars);
	}

	setStrings(strings) {
		this.strings = strings;
		if (this.shown) setText(this.el.reconstruction, strings, this.shown[0], this.shown[1]);
	}

	async start() {
		const link = this.session.link;
		if (!link) return null;
		const up = link.up;
		this.el.reconstruct.disabled = true;
		this.failed(false);
		this.show('recon.asking');
		this.opts = this.session.options();
		const pre = this.el.prestart.checked;
		const args = { taskType: this.el.tasktype.value };
		let r = null;
		try {
			r = pre ? await up.preStartReconstruction(args) : await up.startReconstruction(args);
			const rec = this.el.reconstruction;
			if (r.error) {
				// The service's words say why (its codes are no words to show).
				this.show('recon.notstarted', { why: errorWords(this.strings, r.error) });
				rec.dataset.code = r.error.code;
				this.failed(true);
			} else if (r.task) {
				delete rec.dataset.code;
				this.task(r.task);
				this.follow(up, r.task);
			} else {
				this.show(pre ? 'recon.pre' : 'recon.notask');
			}
		} catch (e) {
			this.show('recon.failed', { why: errorWords(this.strings, e) });
			this.failed(true);
		}
		this.buttons();
		return r;
	}

	task(t) {
		this.current = t;
		this.el.stoprecon.hidden = !isRunning(t.state);
		this.el.stoprecon.disabled = false;
		const words = format(this.strings, 'task.' + t.state);
		this.el.reconstruction.dataset.state = t.state;
		if (t.state === 'Failed' && t.error) {
			// The service's words say why, the codes below what can cause it.
			this.show('errors.taskfailed', { id: t.id, type: t.taskType, why: t.error });
			this.failed(true);
			return;
		}
		this.show(t.queueing ? 'recon.task.queue' : 'recon.task', {
			id: t.id, type: t.taskType, state: words === 'task.' + t.state ? t.state : words, ahead: t.queueing,
		});
	}

	// follow asks for the task's state every few seconds until it is Done
	// or Failed, or another task took its place.
	follow(up, t) {
		this.stop();
		if (!isRunning(t.state)) return;
		this.timer = setTimeout(async () => {
			let now = null;
			try {
				now = await up.task();
			} catch (e) {
				return; // the state shown stays; a new start asks again
			}
			if (!now || now.id !== t.id) return;
			this.task(now);
			this.follow(up, now);
		}, FOLLOW_EVERY);
	}

	// stopTask stops the task shown (conn.stopReconstruction) and shows it
	// as the service now has it.
	async stopTask() {
		const t = this.current;
		if (!t || !this.opts || !isRunning(t.state)) return null;
		this.el.stoprecon.disabled = true;
		const { api, key, token, getToken, project } = this.opts;
		try {
			const conn = await this.connect({ api, key, token, getToken });
			const now = await conn.stopReconstruction(project);
			this.stop();
			this.task(now);
			return now;
		} catch (e) {
			this.el.stoprecon.disabled = false;
			this.show('recon.stopfailed', { why: errorWords(this.strings, e) });
			return null;
		}
	}

	stop() {
		clearTimeout(this.timer);
		this.timer = 0;
	}

	clear() {
		this.stop();
		this.current = null;
		this.el.stoprecon.hidden = true;
		this.show('');
		this.failed(false);
	}
}
