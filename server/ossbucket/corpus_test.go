package ossbucket

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type corpusEntry struct {
	name string
	raw  []byte
	now  int64
}

// readCorpus loads the committed FuzzVerify corpus ("go test fuzz v1"
// files of a []byte and an int64).
func readCorpus(t *testing.T) []corpusEntry {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusEntry
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 3 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a corpus file", e.Name())
		}
		raw, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		now, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(lines[2], "int64("), ")"), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out = append(out, corpusEntry{e.Name(), []byte(raw), now})
	}
	if len(out) < 10 {
		t.Fatalf("only %d corpus entries", len(out))
	}
	return out
}

// TestVerifyCorpus checks that every request the SDK signed in the corpus
// is accepted, both by the server and by the fuzz target's reference
// signer, and that small changes to each are refused.
func TestVerifyCorpus(t *testing.T) {
	var now time.Time
	s, err := New(Config{Buckets: []string{bucketA, bucketB}, Endpoint: "http://127.0.0.1:8081",
		Store: NewMemStore(), SigningKey: testKey, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(t *testing.T, raw []byte) *http.Request {
		t.Helper()
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	check := func(r *http.Request) (*principal, *Error) {
		b, k, e := s.target(r)
		if e != nil {
			return nil, e
		}
		return s.authenticate(r, b, k)
	}
	mutations := []struct {
		name string
		edit func(r *http.Request)
	}{
		{"method", func(r *http.Request) { r.Method = "DELETE" }},
		{"key", func(r *http.Request) { r.URL.Path = strings.Replace(r.URL.Path, "pid-1/", "pid-2/", 1) }},
		{"bucket", func(r *http.Request) {
			r.URL.Path = strings.Replace(r.URL.Path, bucketA, bucketB, 1)
			r.Host = strings.Replace(r.Host, bucketA, bucketB, 1)
		}},
		{"content type", func(r *http.Request) { r.Header.Set("Content-Type", "application/pdf") }},
		{"added x-oss header", func(r *http.Request) { r.Header.Set("X-Oss-Object-Acl", "public-read") }},
		{"sub-resource", func(r *http.Request) {
			q := r.URL.Query()
			q.Set("acl", "")
			r.URL.RawQuery = q.Encode()
		}},
		{"token dropped", func(r *http.Request) {
			r.Header.Del("X-Oss-Security-Token")
			q := r.URL.Query()
			q.Del("security-token")
			q.Del("x-oss-security-token")
			r.URL.RawQuery = q.Encode()
		}},
	}
	entries := readCorpus(t)
	t0 := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	for i, raw := range fuzzSeeds(t, t0) {
		entries = append(entries, corpusEntry{"seed-" + strconv.Itoa(i), raw, t0.Unix()})
	}
	for _, c := range entries {
		t.Run(c.name, func(t *testing.T) {
			now = time.Unix(c.now, 0)
			r := parse(t, c.raw)
			if _, e := check(r); e != nil {
				t.Fatalf("SDK request refused: %v", e)
			}
			b, k, _ := s.target(r)
			if _, _, ok := refVerify(r, b, k, s.keys.secretFor); !ok {
				t.Fatal("the reference signer disagrees with the SDK")
			}
			for _, m := range mutations {
				r := parse(t, c.raw)
				m.edit(r)
				if p, _ := check(r); p != nil {
					t.Errorf("accepted after changing the %s", m.name)
				}
			}
			now = time.Unix(c.now, 0).Add(2 * time.Hour)
			if p, _ := check(parse(t, c.raw)); p != nil {
				t.Error("accepted two hours later")
			}
		})
	}
}
