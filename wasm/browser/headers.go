package browser

import (
	"net/http"
	"net/textproto"
	"strings"
)

// forbiddenHeader reports whether a browser refuses to let a page set the
// request header name (the Fetch standard's forbidden request headers). The
// browser would drop them silently; skipping them keeps that visible in code.
func forbiddenHeader(name string) bool {
	k := strings.ToLower(name)
	if strings.HasPrefix(k, "proxy-") || strings.HasPrefix(k, "sec-") {
		return true
	}
	switch k {
	case "accept-charset", "accept-encoding", "access-control-request-headers",
		"access-control-request-method", "access-control-request-private-network",
		"connection", "content-length", "cookie", "cookie2", "date", "dnt",
		"expect", "host", "keep-alive", "origin", "referer", "set-cookie", "te",
		"trailer", "transfer-encoding", "upgrade", "via":
		return true
	}
	return false
}

// requestHeaders is h as fetch's headers option: the values of a name
// joined as HTTP joins them, the headers a browser refuses left out.
func requestHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		if !forbiddenHeader(name) {
			out[name] = strings.Join(values, ", ")
		}
	}
	return out
}

// parseResponseHeaders turns XMLHttpRequest.getAllResponseHeaders() text
// ("name: value" lines separated by CRLF) into an http.Header.
func parseResponseHeaders(s string) http.Header {
	h := http.Header{}
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, "\r")
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h
}

// responseHeaders turns the name→value object of a fetch Response's
// headers (names lower-case, repeated ones already joined) into an
// http.Header.
func responseHeaders(m map[string]string) http.Header {
	h := make(http.Header, len(m))
	for name, value := range m {
		h.Set(name, value)
	}
	return h
}
