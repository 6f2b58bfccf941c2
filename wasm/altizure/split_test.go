package altizure

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"
)

// BenchmarkSplitAnswer hands 24 callers their parts of a merged answer of
// uploadImageOSS registrations, the largest the upload flow gets.
func BenchmarkSplitAnswer(b *testing.B) {
	parts := make([]string, 24)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"b%d_uploadImageOSS":{"sts":{"AccessKeyId":"STS.NU%020d","AccessKeySecret":"%040d","Expiration":"2026-12-08T00:00:00Z","SecurityToken":"CAIS%0300d"},"image":{"id":"img%021d","name":"p%05d.jpg","state":"Pending","checksum":"%040d","imageType":"JPEG","error":[]}}`, i, i, i, i, i, i, i)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal([]byte("{"+strings.Join(parts, ",")+"}"), &data); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for i := range parts {
			var out UploadImageOSSResponse
			if err := splitAnswer(i, &batchCall{resp: &graphql.Response{Data: &out}}, data, nil, nil); err != nil || out.UploadImageOSS == nil || out.UploadImageOSS.Image.Id != fmt.Sprintf("img%021d", i) {
				b.Fatalf("call %d: %+v, %v", i, out.UploadImageOSS, err)
			}
		}
	}
}

// TestObject writes merged answers' parts back out as JSON: any name a
// server sends stays one valid key.
func TestObject(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fields map[string]json.RawMessage
	}{
		{"none", map[string]json.RawMessage{}},
		{"aliases", map[string]json.RawMessage{"hasImage": []byte(`{"id":"i1","state":"Ready"}`), "x_2": []byte(`null`)}},
		{"odd names", map[string]json.RawMessage{`a"b`: []byte(`1`), "tab\there": []byte(`[1, 2]`), "ünï": []byte(` "x" `), "": []byte(`true`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var back map[string]json.RawMessage
			if err := json.Unmarshal(object(tc.fields), &back); err != nil {
				t.Fatalf("%s: %v", object(tc.fields), err)
			}
			if len(back) != len(tc.fields) {
				t.Fatalf("%d fields back, want %d", len(back), len(tc.fields))
			}
			for k, v := range tc.fields {
				if strings.TrimSpace(string(back[k])) != strings.TrimSpace(string(v)) {
					t.Errorf("%q: %s, want %s", k, back[k], v)
				}
			}
		})
	}
}
