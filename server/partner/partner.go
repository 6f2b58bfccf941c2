package partner

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
)

// Config is what the demo page shows and uses.
type Config struct {
	// Altiup is the origin serving altiup.js and /embed, e.g. http://127.0.0.1:8080.
	Altiup string
	// API is the GraphQL endpoint; Storage the bucket endpoint the in-page
	// mode uploads to (its connect-src must name it).
	API, Storage string
	// Key and Project are given to both elements.
	Key, Project string
	// Token is what the partner's own sign-in would hand the in-page
	// element (/token stands for that partner backend). The isolated
	// element signs in inside its frame instead.
	Token string
}

//go:embed page.html partner.js partner.css
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// Snippets are the two modes' copy-and-paste texts.
type snippets struct {
	InPage, Isolated       string
	InPageCSP, IsolatedCSP string
}

// CSP returns the Content-Security-Policy each mode needs on a partner page
// embedding altiup from altiup, with the API and storage origins given.
func CSP(altiup, api, storage string) (inPage, isolated string) {
	connect := []string{"'self'", altiup}
	for _, o := range []string{api, storage} {
		if o != "" && o != altiup {
			connect = append(connect, o)
		}
	}
	inPage = "script-src 'self' " + altiup + " 'wasm-unsafe-eval'; style-src 'self' " + altiup +
		"; connect-src " + strings.Join(connect, " ") + "; worker-src blob:"
	isolated = "script-src 'self' " + altiup + "; frame-src " + altiup + "; connect-src 'self'"
	return inPage, isolated
}

// New returns the demo partner site.
func New(c Config) http.Handler {
	inCSP, isoCSP := CSP(c.Altiup, origin(c.API), c.Storage)
	tag := `<script src="` + c.Altiup + `/altiup.js"></script>` + "\n"
	s := snippets{
		InPage: tag + `<altiup-uploader api="` + c.API + `" key="` + c.Key + `" project="` + c.Project + `"></altiup-uploader>` + "\n" +
			`<script>document.querySelector('altiup-uploader').getToken = async () => (await fetch('/token')).text();</script>`,
		Isolated:  tag + `<altiup-uploader isolated api="` + c.API + `" key="` + c.Key + `" project="` + c.Project + `"></altiup-uploader>`,
		InPageCSP: inCSP, IsolatedCSP: isoCSP,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The page holds both modes: it needs what the in-page one needs,
		// plus the frame.
		h.Set("Content-Security-Policy", "default-src 'self'; "+inCSP+"; frame-src "+c.Altiup+"; object-src 'none'; base-uri 'none'")
		_ = page.Execute(w, map[string]any{"C": c, "S": s})
	})
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		// Stands for the partner's own backend, which would know its user.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(c.Token))
	})
	mux.Handle("GET /partner.js", http.FileServerFS(files))
	mux.Handle("GET /partner.css", http.FileServerFS(files))
	return mux
}

// origin is the scheme://host of an absolute URL, or u itself.
func origin(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[:i+3+j]
		}
	}
	return u
}
