// status.js: the texts above the list: totals and time left, the summary
// of the latest run, validation so far, the error message, and what the
// live region announces; and which buttons are usable.
import { bytes, duration, errorWords, format, setText } from './i18n.js';
import { totals } from './entries.js';

// show puts a session's [key, vars] (or {error}) into el.
function show(el, strings, said) {
	if (!said) return setText(el, strings, '');
	if (said.error !== undefined) {
		delete el.dataset.i18n;
		el.textContent = errorWords(strings, said.error);
		return;
	}
	const [key, vars] = said;
	const v = vars && vars.error !== undefined ? Object.assign({}, vars, { why: errorWords(strings, vars.error), error: undefined }) : vars;
	setText(el, strings, key, v);
}

// totalsOf sums the session's list with the figures shown.
export function totalsOf(strings, session) {
	const t = totals(session.entries);
	const left = t.total - t.sent;
	t.eta = session.running && session.rate > 0 && left > 0 ? duration(strings, left / session.rate) : '';
	return t;
}

export function renderTotals(el, strings, session) {
	const t = totalsOf(strings, session);
	el.total.max = Math.max(t.total, 1);
	el.total.value = Math.min(t.sent, el.total.max);
	setText(el.totals, strings, t.n === 0 ? '' : session.running ? (t.eta ? 'totals.eta' : 'totals.running') : 'totals.idle', {
		sent: bytes(t.sent), total: bytes(t.total), done: t.done, n: t.n, rate: session.rate > 0 ? bytes(session.rate) + '/s' : '–', eta: t.eta,
	});
	if (t.ready + t.invalid > 0) {
		setText(el.validation, strings, 'validation.live', { ready: t.ready, invalid: t.invalid, pending: session.waiting ? t.pending : 0 });
	} else setText(el.validation, strings, '');
}

export function renderStatus(el, strings, session) {
	show(el.summary, strings, session.summary);
	show(el.message, strings, session.message);
	const can = session.can();
	for (const id of ['start', 'pause', 'resume', 'cancel', 'retryall', 'clear', 'reconstruct']) el[id].disabled = !can[id];
}

// announcement is the live region's text for the session now.
export function announcement(strings, session) {
	const t = totalsOf(strings, session);
	if (!t.n) return '';
	const pct = t.total ? Math.floor((100 * t.sent) / t.total) : 0;
	return session.running
		? format(strings, 'announce.progress', { pct, done: t.done, n: t.n, eta: t.eta || '–' })
		: format(strings, 'announce.done', { done: t.done, n: t.n });
}
