// i18n.js: the interface's texts. Every text the page shows comes from the
// strings of one language (i18n/<lang>.json), by key; nothing is evaluated.

const own = (o, k) => !!o && Object.prototype.hasOwnProperty.call(o, k);

// format gives the text of key with {name} placeholders filled from vars;
// an unknown key comes back as itself.
export function format(strings, key, vars) {
	let s = own(strings, key) ? strings[key] : key;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
	return s;
}

// loadStrings fetches i18n/<lang>.json next to base.
export async function loadStrings(base, lang) {
	const r = await fetch(new URL('i18n/' + lang + '.json', base).href, { credentials: 'omit' });
	if (!r.ok) throw new Error('HTTP ' + r.status + ' for the ' + lang + ' texts');
	return r.json();
}

// pickLanguage: the stored choice, else the browser's languages, else English.
export function pickLanguage(stored, languages) {
	if (stored === 'en' || stored === 'zh') return stored;
	for (const l of languages || []) {
		const low = String(l).toLowerCase();
		if (low.startsWith('zh')) return 'zh';
		if (low.startsWith('en')) return 'en';
	}
	return 'en';
}

// langOf reads a lang attribute ("zh-CN", "en-GB", …) as a choice, or null.
export function langOf(attr) {
	const l = String(attr || '').toLowerCase();
	return l.startsWith('zh') ? 'zh' : l.startsWith('en') ? 'en' : null;
}

// translate fills every [data-i18n*] element under root.
export function translate(root, strings) {
	for (const el of root.querySelectorAll('[data-i18n]')) {
		let vars = null;
		if (el.dataset.i18nVars) {
			try {
				vars = JSON.parse(el.dataset.i18nVars);
			} catch (e) {
				vars = null;
			}
		}
		el.textContent = format(strings, el.dataset.i18n, vars);
	}
	for (const [attr, name] of [['i18n-label', 'aria-label'], ['i18n-placeholder', 'placeholder'], ['i18n-title', 'title']]) {
		for (const el of root.querySelectorAll('[data-' + attr + ']')) {
			el.setAttribute(name, format(strings, el.getAttribute('data-' + attr)));
		}
	}
}

// setText shows a translated text and remembers its key, so a change of
// language shows it again in the new one. No key empties el.
export function setText(el, strings, key, vars) {
	if (!key) {
		delete el.dataset.i18n;
		delete el.dataset.i18nVars;
		el.textContent = '';
		return;
	}
	el.dataset.i18n = key;
	if (vars) el.dataset.i18nVars = JSON.stringify(vars);
	else delete el.dataset.i18nVars;
	el.textContent = format(strings, key, vars);
}

// errorWords says an error {code, message} in words: the service's message
// (in English), behind the page's own words for its code on a page in
// another language.
export function errorWords(strings, e) {
	if (!e) return '';
	if (typeof e === 'string') return e;
	const msg = e.message || String(e);
	const k = 'code.' + e.code;
	if (strings && strings.lang !== 'en' && own(strings, k)) return format(strings, k) + ' (' + msg + ')';
	return msg;
}

// bytes says a size in binary units.
export function bytes(n) {
	// null is a size not read yet (null >= 0 holds in JS).
	if (n === null || !(n >= 0)) return '–';
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
}

// duration says s seconds in the strings' words.
export function duration(strings, s) {
	if (!(s > 0) || !isFinite(s)) return '–';
	s = Math.round(s);
	if (s < 60) return format(strings, 'time.s', { s });
	const m = Math.floor(s / 60);
	if (m < 60) return format(strings, 'time.ms', { m, s: s % 60 });
	return format(strings, 'time.hm', { h: Math.floor(m / 60), m: m % 60 });
}
