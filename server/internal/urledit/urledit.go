// Package urledit changes a URL's parts in tests: the signed-URL tests of
// the OSS and S3 endpoints tamper with one query parameter at a time.
package urledit

import (
	"net/url"
	"testing"
)

// Edit returns rawURL changed by edit, which may change u and q; q is
// written back as the URL's query.
func Edit(t testing.TB, rawURL string, edit func(u *url.URL, q url.Values)) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	edit(u, q)
	u.RawQuery = q.Encode()
	return u.String()
}
