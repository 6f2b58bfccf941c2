// projects.js: the list of the signed-in user's projects to pick one from
// (search and "more" paging), and the words for a project and an account.
// No DOM: the page (app.js, page/picker.js) shows what these hold.

export const PAGE_SIZE = 20;

// ProjectList holds the projects of one search, page after page. fetch is
// conn.projects ({search, first, after} → {totalCount, hasNextPage,
// endCursor, projects}); changed is called after every change.
export class ProjectList {
	constructor(fetch, changed = () => {}) {
		this.fetch = fetch;
		this.changed = changed;
		this.reset();
	}

	reset() {
		this.search = '';
		this.items = [];
		this.total = 0;
		this.cursor = '';
		this.hasMore = false;
		this.loading = false;
		this.error = null;
		this.asked = 0; // the number of the latest request: older answers are dropped
	}

	// find starts the list again for a search text ('' for all projects).
	find(search) {
		this.search = String(search || '').trim();
		this.items = [];
		this.total = 0;
		this.cursor = '';
		this.hasMore = false;
		return this.load();
	}

	// more adds the next page, if there is one and none is coming.
	more() {
		if (!this.hasMore || this.loading) return Promise.resolve(false);
		return this.load();
	}

	async load() {
		const n = ++this.asked;
		const q = { first: PAGE_SIZE };
		if (this.search) q.search = this.search;
		if (this.cursor) q.after = this.cursor;
		this.loading = true;
		this.error = null;
		this.changed();
		let page;
		try {
			page = await this.fetch(q);
		} catch (e) {
			if (n !== this.asked) return false;
			this.loading = false;
			this.error = e;
			this.changed();
			return false;
		}
		if (n !== this.asked) return false; // a newer search took its place
		this.loading = false;
		const seen = new Set(this.items.map((p) => p.id));
		this.items.push(...page.projects.filter((p) => !seen.has(p.id)));
		this.total = page.totalCount;
		this.hasMore = !!page.hasNextPage && !!page.endCursor;
		this.cursor = page.endCursor || '';
		this.changed();
		return true;
	}

	// get is the listed project of that id, or null.
	get(id) {
		return this.items.find((p) => p.id === id) || null;
	}

	// update puts what is known now of a project (a task stopped, …) in.
	update(id, fields) {
		const p = this.get(id);
		if (!p) return;
		Object.assign(p, fields);
		this.changed();
	}

	// stop stops the reconstruction of a listed project through stopTask
	// (conn.stopReconstruction) and keeps the state the task ends in.
	async stop(id, stopTask) {
		const t = await stopTask(id);
		this.update(id, { taskState: t.state });
		return t;
	}

	// status is the text key and vars that say where the list stands.
	status() {
		if (this.error) return ['projects.failed', { why: this.error.message || String(this.error) }];
		if (this.loading && !this.items.length) return ['projects.loading', null];
		if (!this.items.length) return [this.search ? 'projects.nomatch' : 'projects.none', { search: this.search }];
		return ['projects.count', { shown: this.items.length, total: this.total }];
	}
}

// gp says gigapixels with as many decimals as small sets need.
export function gp(n) {
	const v = Number(n) || 0;
	return v === 0 ? '0' : v < 0.01 ? v.toFixed(4) : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

// coins says an amount of coins, with at most two decimals.
export function coins(n) {
	return String(Math.round((Number(n) || 0) * 100) / 100);
}

// projectVars are the vars of the text that describes a listed project;
// stateWords says a task state in the page's language.
export function projectVars(p, stateWords) {
	return { name: p.name, images: p.numImage, gp: gp(p.gigaPixel), state: stateWords(p.taskState) };
}

// accountVars are the vars of the text that describes the signed-in user
// (never a token: the account holds none).
export function accountVars(a) {
	return {
		who: a.name || a.email || '',
		email: a.email || '',
		balance: coins(a.balance),
		quota: gp(a.freeGPQuota),
		plan: a.planName || '',
		rate: coins(a.coinPerGP),
	};
}
