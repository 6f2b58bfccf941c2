// loop.js: the re-upload loop's model, without the DOM. After validation
// the page says "N of M Ready", lists the Invalid photos (with the
// service's reasons) and those that failed or went missing, and offers what
// brings N to M: replace each Invalid photo, replace them all from one pick,
// send the failed ones again, and start the reconstruction (with all, or
// explicitly with N of M). loopview.js draws it.

// loopOf is the loop after a validation: result is waitProcessed()'s
// answer ({wanted, ready, …}), whose counts leave out copies and files
// left out, and entries the session's list, whose states the file events
// keep up to date and which name the photos to act on.
export function loopOf(result, entries) {
	const invalid = entries.filter((e) => e.state === 'invalid' && e.link && !e.replaced);
	const failed = entries.filter((e) => e.state === 'failed' && e.file);
	const has = (k) => result && typeof result[k] === 'number';
	const ready = has('ready') ? result.ready : entries.filter((e) => e.state === 'ready' && e.link).length;
	const wanted = has('wanted') ? result.wanted : ready + invalid.length + failed.length;
	const all = wanted > 0 && ready >= wanted;
	return {
		ready, wanted, invalid, failed,
		line: ['loop.line', { ready, wanted }],
		offer: {
			replace: invalid.length > 0,
			resend: failed.length > 0,
			start: all ? 'all' : ready > 0 ? 'some' : '',
		},
	};
}

// startWords are the start button's words and, for a start with fewer
// photos than wanted, the confirmation that says so.
export function startWords(loop) {
	const v = { ready: loop.ready, wanted: loop.wanted };
	if (loop.offer.start === 'all') return { button: ['loop.start', v], confirm: null };
	if (loop.offer.start === 'some') return { button: ['loop.start.some', v], confirm: ['loop.confirm', v] };
	return { button: null, confirm: null };
}

// base is the last part of a path.
const base = (p) => String(p || '').split('/').pop();

// pathOf is a picked file's relative path (a folder pick's) or its name.
export const pathOf = (f) => (f && (f.webkitRelativePath || f.name)) || '';

// matchFiles pairs picked files with Invalid entries: by relative path
// first, then by name where one Invalid photo has it (two folders of a rig
// hold the same names: such a name matches nothing). It returns the pairs
// and the files that matched no Invalid photo.
export function matchFiles(invalid, files) {
	const pairs = [];
	const taken = new Set();
	const left = [];
	const byPath = new Map(invalid.map((e) => [e.path, e]));
	for (const f of files) {
		const e = byPath.get(pathOf(f));
		if (e && !taken.has(e)) {
			taken.add(e);
			pairs.push({ entry: e, file: f });
		} else left.push(f);
	}
	const unmatched = [];
	for (const f of left) {
		const same = invalid.filter((e) => base(e.path) === f.name);
		const e = same.length === 1 ? same[0] : null;
		if (e && !taken.has(e)) {
			taken.add(e);
			pairs.push({ entry: e, file: f });
		} else unmatched.push(f);
	}
	return { pairs, unmatched };
}
