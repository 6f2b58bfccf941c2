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
