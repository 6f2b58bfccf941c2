package browser

import (
	"net/http"
	"reflect"
	"testing"
)

func TestForbiddenHeader(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Content-Type", false},
		{"x-oss-security-token", false},
		{"Content-MD5", false},
		{"Content-Length", true},
		{"date", true},
		{"Host", true},
		{"Proxy-Authorization", true},
		{"Sec-Fetch-Mode", true},
		{"Authorization", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := forbiddenHeader(tt.name); got != tt.want {
				t.Errorf("forbiddenHeader(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestParseResponseHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want http.Header
	}{
		{"empty", "", http.Header{}},
		{
			"crlf lines, lower-case names, repeated name",
			"content-type: application/xml\r\netag: \"abc\"\r\nx-oss-request-id: 1\r\nx-oss-request-id: 2\r\n",
			http.Header{
				"Content-Type":     {"application/xml"},
				"Etag":             {`"abc"`},
				"X-Oss-Request-Id": {"1", "2"},
			},
		},
		{
			"colon inside the value, junk line",
			"location: http://h:9000/a\r\nnot a header\r\n: no name\r\n",
			http.Header{"Location": {"http://h:9000/a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseResponseHeaders(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	got := requestHeaders(http.Header{
		"Content-Type":   {"image/jpeg"},
		"X-Oss-Meta-A":   {"1", "2"},
		"Content-Length": {"9"},
		"Host":           {"h"},
	})
	want := map[string]string{"Content-Type": "image/jpeg", "X-Oss-Meta-A": "1, 2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestResponseHeaders(t *testing.T) {
	got := responseHeaders(map[string]string{"etag": `"abc"`, "retry-after": "7", "x-oss-request-id": "1, 2"})
	want := http.Header{"Etag": {`"abc"`}, "Retry-After": {"7"}, "X-Oss-Request-Id": {"1, 2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got.Get("ETag") != `"abc"` {
		t.Errorf("ETag = %q", got.Get("ETag"))
	}
}
