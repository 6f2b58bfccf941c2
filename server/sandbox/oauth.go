package sandbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The OAuth2 implicit flow: /auth/start?client_id=<app key>&response_type=token
// &redirect_uri=<uri>&state=<s> shows a consent page; its Allow button POSTs
// back here and the browser is sent to <uri>#access_token=<token>&state=<s>.
//
// Two checks keep another site from getting a token by submitting the form
// itself: redirect_uri must be under an origin the app key allows
// (Config.RedirectOrigins), and the POST must carry the consent token the
// form was shown with: an HMAC of the client_id, redirect_uri and state
// under a key of this process, valid for consentTTL. Another site cannot
// read the form (cross-origin, and it cannot be framed), and a form fetched
// for an allowed redirect_uri only ever sends the token there.

// consentTTL is how long a consent form can be answered.
const consentTTL = 10 * time.Minute

// consentKey signs consent tokens; a restart voids the forms shown before.
var consentKey = func() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}()

func consentMAC(exp int64, clientID, redirect, state string) []byte {
	m := hmac.New(sha256.New, consentKey)
	fmt.Fprintf(m, "%d\x00%s\x00%s\x00%s", exp, clientID, redirect, state)
	return m.Sum(nil)
}

// consentToken is "<expiry unix seconds>.<base64 HMAC>".
func consentToken(now time.Time, clientID, redirect, state string) string {
	exp := now.Add(consentTTL).Unix()
	return strconv.FormatInt(exp, 10) + "." + base64.RawURLEncoding.EncodeToString(consentMAC(exp, clientID, redirect, state))
}

// consentError says what is wrong with a consent token, or "" when it is
// good for these parameters at now.
func consentError(tok string, now time.Time, clientID, redirect, state string) string {
	expText, sig, ok := strings.Cut(tok, ".")
	exp, err := strconv.ParseInt(expText, 10, 64)
	mac, merr := base64.RawURLEncoding.DecodeString(sig)
	switch {
	case tok == "":
		return "The answer did not come from the consent form of this sandbox. Open the sign-in page again."
	case !ok || err != nil || merr != nil || !hmac.Equal(mac, consentMAC(exp, clientID, redirect, state)):
		return "The consent form's token does not match this request. Open the sign-in page again."
	case now.Unix() > exp:
		return "The consent form has expired. Open the sign-in page again."
	}
	return ""
}

// origin is "scheme://host" of an absolute URL, lower-cased.
func origin(u *url.URL) string {
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// redirectOrigins are the origins a redirect_uri may be under.
func (s *Sandbox) redirectOrigins() []string {
	list := s.cfg.RedirectOrigins
	if len(list) == 0 {
		list = []string{s.cfg.WebURL, s.cfg.APIURL}
	}
	var out []string
	for _, o := range list {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, origin(u))
		}
	}
	return out
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Allow access — altiup sandbox</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
.card { border: 1px solid #ccc; border-radius: 8px; padding: 1.5rem; }
button { font: inherit; padding: .5rem 1.25rem; margin-right: .5rem; border-radius: 4px; border: 1px solid #888; cursor: pointer; }
button[value=allow] { background: #1a73e8; color: #fff; border-color: #1a73e8; }
code { word-break: break-all; }
</style>
</head>
<body>
<div class="card">
<h1>Allow access?</h1>
<p>The page at <code>{{.Origin}}</code> asks to upload images and manage projects in this sandbox on your behalf.</p>
<form method="post" action="/auth/start">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="response_type" value="token">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="consent" value="{{.Consent}}">
{{if gt (len .Users) 1}}<p><label>Sign in as
<select name="user">{{range .Users}}<option value="{{.Username}}">{{.Name}} ({{.Username}})</option>{{end}}</select></label></p>
{{else}}{{range .Users}}<p>You are signed in as <strong>{{.Name}}</strong> ({{.Username}}).</p><input type="hidden" name="user" value="{{.Username}}">{{end}}{{end}}
<p><button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button></p>
</form>
</div>
</body>
</html>
`))

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign-in failed — altiup sandbox</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }</style>
</head>
<body><h1>Sign-in failed</h1><p>{{.}}</p></body>
</html>
`))

func authError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	errorPage.Execute(w, msg)
}

func (s *Sandbox) serveAuth(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("Referrer-Policy", "no-referrer")
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		h.Set("Allow", "GET, POST")
		authError(w, http.StatusMethodNotAllowed, "Open this page with GET; its form answers with POST.")
		return
	}
	if err := r.ParseForm(); err != nil {
		authError(w, http.StatusBadRequest, "The request's parameters cannot be read.")
		return
	}
	q := r.Form
	if subtle.ConstantTimeCompare([]byte(q.Get("client_id")), []byte(s.cfg.AppKey)) != 1 {
		authError(w, http.StatusBadRequest, "Unknown client_id: it must be this sandbox's app key.")
		return
	}
	if q.Get("response_type") != "token" {
		authError(w, http.StatusBadRequest, "response_type must be token: this server offers the implicit flow only.")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" {
		authError(w, http.StatusBadRequest, "redirect_uri must be an absolute http or https URL.")
		return
	}
	if allowed := s.redirectOrigins(); !slices.Contains(allowed, origin(redirect)) {
		authError(w, http.StatusBadRequest, fmt.Sprintf(
			"redirect_uri is under %s, which this app key does not allow; allowed origins: %s.",
			origin(redirect), strings.Join(allowed, ", ")))
		return
	}
	state := q.Get("state")
	now := s.cfg.Clock.Now()
	if r.Method != http.MethodPost {
		users := s.cfg.Users
		h.Set("Content-Type", "text/html; charset=utf-8")
		consentPage.Execute(w, map[string]any{
			"Origin":      redirect.Scheme + "://" + redirect.Host,
			"ClientID":    q.Get("client_id"),
			"RedirectURI": redirect.String(),
			"State":       state,
			"Consent":     consentToken(now, q.Get("client_id"), redirect.String(), state),
			"Users":       users,
		})
		return
	}
	if msg := consentError(q.Get("consent"), now, q.Get("client_id"), redirect.String(), state); msg != "" {
		authError(w, http.StatusForbidden, msg)
		return
	}
	var frag []string
	switch q.Get("decision") {
	case "allow":
		u := &s.cfg.Users[0]
		if name := q.Get("user"); name != "" {
			if u = s.usersByName[name]; u == nil {
				authError(w, http.StatusBadRequest, "There is no such user in this sandbox.")
				return
			}
		}
		frag = append(frag, "access_token="+url.QueryEscape(u.Token))
	case "deny":
		frag = append(frag, "error=access_denied")
	default:
		authError(w, http.StatusBadRequest, "Choose Allow or Deny.")
		return
	}
	if state != "" {
		frag = append(frag, "state="+url.QueryEscape(state))
	}
	target := *redirect
	target.Fragment = ""
	target.RawFragment = ""
	http.Redirect(w, r, target.String()+"#"+strings.Join(frag, "&"), http.StatusSeeOther)
}
