// entries.js: a file's entry in the interface's list, without the DOM:
// the states it may be in, and the sums over the list that the progress
// bar, the counts and the summary show (see session.js for the entries).

export const STATES = ['waiting', 'queued', 'hashing', 'checking', 'uploading', 'uploaded', 'skipped', 'ready', 'invalid', 'failed', 'unsupported', 'excluded'];
export const FINAL = new Set(['uploaded', 'skipped', 'ready', 'invalid', 'failed', 'unsupported']);
// DONE_BYTES are the states whose whole file counts as sent.
export const DONE_BYTES = new Set(['uploaded', 'skipped', 'ready', 'invalid']);
// IN_CORE are the states of a file the uploader is working on.
export const IN_CORE = new Set(['queued', 'hashing', 'checking', 'uploading']);

// items makes {file, path} pairs of a FileList, an array of File objects or
// of {file, path} (a drop's files with their folder paths).
export function items(list) {
	return Array.from(list || []).map((f) =>
		f && f.file !== undefined ? f : { file: f, path: (f && (f.webkitRelativePath || f.name)) || '' });
}

// stateOf is the row state of a file event: the core refuses a file that
// is not an image (or empty, or unreadable) as invalid input, for good.
export function stateOf(ev) {
	return ev.state === 'failed' && ev.error && ev.error.code === 'invalid_input' ? 'unsupported' : ev.state;
}

// totals sums the list for the progress bar and the counts shown.
export function totals(entries) {
	const t = { total: 0, sent: 0, done: 0, n: 0, ready: 0, invalid: 0, pending: 0 };
	for (const e of entries) {
		if (e.state === 'unsupported' || e.state === 'excluded') continue;
		t.n++;
		t.total += e.size;
		t.sent += DONE_BYTES.has(e.state) ? e.size : Math.min(e.sent || 0, e.size);
		if (FINAL.has(e.state)) t.done++;
		if (e.state === 'ready') t.ready++;
		if (e.state === 'invalid') t.invalid++;
		if (e.state === 'uploaded' || e.state === 'skipped') t.pending++;
	}
	return t;
}

// counts counts what the latest runs did with each file of the list.
export function counts(entries) {
	const c = { total: 0, uploaded: 0, skipped: 0, failed: 0, unsupported: 0, ready: 0, invalid: 0 };
	for (const e of entries) {
		if (e.state === 'unsupported') {
			c.unsupported++;
			continue;
		}
		if (!e.link || e.state === 'excluded') continue;
		c.total++;
		if (e.outcome === 'uploaded') c.uploaded++;
		if (e.outcome === 'skipped') c.skipped++;
		if (e.outcome === 'failed' || e.state === 'failed') c.failed++;
	}
	return c;
}
