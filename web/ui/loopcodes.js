// loopcodes.js: the service's project error codes explained, as
// conn.errorCodes(lang) gives them ([{code, description, solution}]),
// asked for once per language. The service's ReconstructionError.code is a
// number nothing maps to a code's name, so a failure is explained by the
// whole list, never by one code.

export const LANGS = ['en', 'zh'];

// langFor is the language to ask the service in for the page's strings.
export const langFor = (strings) => (strings && LANGS.includes(strings.lang) ? strings.lang : 'en');

export class ErrorCodes {
	// connect is altiup.connect; options() gives {api, key, token, getToken}.
	constructor(connect, options) {
		this.connect = connect;
		this.options = options;
		this.byLang = new Map(); // api and lang → Promise of the list
	}

	// get resolves to the list in lang; a failed ask is not kept, so the
	// next one asks again.
	get(lang) {
		if (!LANGS.includes(lang)) lang = 'en';
		const { api, key, token, getToken } = this.options();
		const k = api + ' ' + lang;
		let p = this.byLang.get(k);
		if (!p) {
			p = Promise.resolve(this.connect({ api, key, token, getToken })).then((conn) => conn.errorCodes(lang));
			this.byLang.set(k, p);
			p.catch(() => this.byLang.delete(k));
		}
		return p;
	}
}
