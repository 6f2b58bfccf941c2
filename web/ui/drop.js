// drop.js: files and whole folders dropped on the drop zone. Folders are
// read recursively through the directory entries (webkitGetAsEntry); a
// file or folder that cannot be read is listed with why, never left out
// without a word.

// pathOf is an entry's path inside the drop, without the leading slash.
const pathOf = (e, fallback) => (e.fullPath ? e.fullPath.replace(/^\//, '') : fallback);

// itemsOf reads a drop's items as [{file, path}] ({file: null, path, why}
// for what could not be read). It must be called during the drop event:
// the items are gone once that returns; the promise settles later.
export function itemsOf(dataTransfer) {
	const roots = [];
	const loose = [];
	for (const item of Array.from(dataTransfer.items || [])) {
		if (item.kind !== 'file') continue;
		const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
		if (entry) roots.push(entry);
		else {
			const f = item.getAsFile();
			if (f) loose.push({ file: f, path: f.name });
		}
	}
	if (roots.length === 0 && loose.length === 0) {
		for (const f of Array.from(dataTransfer.files || [])) loose.push({ file: f, path: f.name });
	}
	return walk(roots).then((found) => loose.concat(found));
}

// walk reads entries depth first, each folder's children in name order.
// A folder whose listing fails (readEntries calls its error callback) keeps
// what was read of it and is listed itself with why 'why.folder'.
export async function walk(roots) {
	const out = [];
	const stack = roots.slice().reverse();
	while (stack.length) {
		const e = stack.pop();
		if (e.isFile) {
			try {
				const f = await new Promise((resolve, reject) => e.file(resolve, reject));
				out.push({ file: f, path: pathOf(e, f.name) });
			} catch (err) {
				out.push({ file: null, path: pathOf(e, e.name), why: 'why.unreadable' });
			}
		} else if (e.isDirectory) {
			const { children, ok } = await list(e);
			if (!ok) out.push({ file: null, path: pathOf(e, e.name) + '/', why: 'why.folder' });
			children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
			for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
		}
	}
	return out;
}

// list reads a folder's entries: readEntries answers in batches until it
// gives an empty one.
async function list(dir) {
	const reader = dir.createReader();
	const children = [];
	for (;;) {
		let batch;
		try {
			batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
		} catch (err) {
			return { children, ok: false };
		}
		if (!batch.length) return { children, ok: true };
		children.push(...batch);
	}
}

// bindDrop makes zone take drops of files: take(promise of items) gets them.
export function bindDrop(zone, take) {
	const files = (ev) => {
		if (!ev.dataTransfer || !Array.from(ev.dataTransfer.types || []).includes('Files')) return false;
		ev.preventDefault();
		return true;
	};
	zone.addEventListener('dragenter', (ev) => {
		if (files(ev)) zone.dataset.state = 'over';
	});
	zone.addEventListener('dragover', (ev) => {
		if (files(ev)) ev.dataTransfer.dropEffect = 'copy';
	});
	zone.addEventListener('dragleave', (ev) => {
		if (!zone.contains(ev.relatedTarget)) zone.dataset.state = 'idle';
	});
	zone.addEventListener('drop', (ev) => {
		ev.preventDefault();
		zone.dataset.state = 'idle';
		take(itemsOf(ev.dataTransfer));
	});
}
