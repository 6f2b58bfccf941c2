package faults

import (
	"io"
	"net/http"
)

// API wraps the GraphQL API's handler with GraphQL faults and latency.
// Without either it returns next itself.
func (in *Injector) API(next http.Handler) http.Handler {
	if in.cfg.GraphQLRate == 0 && in.cfg.Latency == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wait(r, in.cfg.Latency) {
			return
		}
		if in.cfg.GraphQLRate > 0 {
			// One request per connection, so that a dropped call is an
			// error in the browser and not silently sent again (see
			// Storage).
			w.Header().Set("Connection", "close")
		}
		if r.Method == http.MethodPost && r.URL.Path == in.cfg.GraphQLPath {
			in.gqlCalls.Add(1)
			if in.cfg.GraphQLRate > 0 {
				u := in.draw("graphql", r.URL.Path)
				switch {
				case u < in.cfg.GraphQLRate/2:
					in.gqlBadGateways.Add(1)
					badGateway(w, r)
					return
				case u < in.cfg.GraphQLRate:
					in.gqlHeld.Add(1)
					// Held like an upstream that never answers, then
					// dropped as a proxy's idle timeout does. The body
					// is read first, as a proxy does, which also lets
					// the server notice a client that gives up.
					_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
					if wait(r, in.cfg.GraphQLHold) {
						cut(w)
					}
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// badGateway answers as a reverse proxy whose upstream failed: HTML, not
// JSON, with the CORS header so that the page can read the status.
func badGateway(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Type", "text/html")
	h.Set("Server", "nginx")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, badGatewayPage)
}
