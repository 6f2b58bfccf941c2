// A fake uploader with the JS API's shape (altiup.create), for the unit
// tests: it records what it is given and lets the test raise its events.

export function fakeCreate() {
	const made = [];
	const create = async (options) => {
		const up = {
			options, files: [], paths: [], listeners: { file: [], progress: [] },
			started: 0, cancelled: 0, paused: 0, resumed: 0, disposed: false, replaced: [],
			processed: { ready: 0, invalid: 0, invalidFiles: [] },
			// run decides what start() does with the files given so far.
			run: null,
			on(kind, fn) {
				this.listeners[kind].push(fn);
				return this;
			},
			emit(kind, ev) {
				for (const fn of this.listeners[kind]) fn(ev);
			},
			async add(files, opts) {
				this.files.push(...files);
				this.paths.push(...((opts && opts.paths) || files.map((f) => f.name)));
				return files.length;
			},
			async replace(index, f, opts) {
				this.replaced.push([index, f.name, opts && opts.path]);
				this.files[index] = f;
			},
			async start() {
				this.started++;
				return this.run ? this.run(this) : {};
			},
			pause() { this.paused++; },
			resume() { this.resumed++; },
			cancel() { this.cancelled++; },
			dispose() { this.disposed = true; },
			async waitProcessed() { return this.processed; },
		};
		made.push(up);
		return up;
	};
	return { create, made };
}

// file stands for a File in Node.
export const file = (name, size = 10) => ({ name, size });

// uploadAll is a run that ends every file given in state (with sent bytes).
export const uploadAll = (state = 'uploaded') => (up) => {
	up.files.forEach((f, index) => up.emit('file', { index, name: f.name, size: f.size, state, sent: f.size, imageId: 'img' + index }));
	return { total: up.files.length };
};
