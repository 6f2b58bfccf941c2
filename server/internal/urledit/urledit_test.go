package urledit

import (
	"net/url"
	"testing"
)

func TestEdit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		edit func(u *url.URL, q url.Values)
		want string
	}{
		{"set a parameter", "http://h/b/k?a=1&b=2", func(_ *url.URL, q url.Values) { q.Set("a", "9") }, "http://h/b/k?a=9&b=2"},
		{"drop a parameter", "http://h/b/k?a=1&b=2", func(_ *url.URL, q url.Values) { q.Del("b") }, "http://h/b/k?a=1"},
		{"change the path", "http://h/b/k?a=1", func(u *url.URL, _ url.Values) { u.Path = "/b/other" }, "http://h/b/other?a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Edit(t, tt.in, tt.edit); got != tt.want {
				t.Errorf("Edit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
