package ossbackend

import (
	"testing"
	"time"

	"altiup/server/ossbucket"
)

func TestIssueSTS(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	oss, err := ossbucket.New(ossbucket.Config{Buckets: []string{"b-oss"}, Endpoint: "http://oss.test", Store: ossbucket.NewMemStore(),
		SigningKey: []byte("0123456789abcdef0123"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := New(oss)
	tests := []struct {
		name, bucket string
		wantErr      bool
	}{
		{"a served bucket", "b-oss", false},
		{"a bucket not served", "elsewhere", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, werr := oss.IssueSTS(tt.bucket, "p1/", time.Hour)
			got, err := b.IssueSTS(tt.bucket, "p1/", time.Hour)
			if (err != nil) != tt.wantErr || (werr != nil) != tt.wantErr {
				t.Fatalf("IssueSTS error = %v (endpoint's own: %v), want an error: %v", err, werr, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.AccessKeyID == "" || got.AccessKeySecret == "" || got.SecurityToken == "" || !got.Expiration.Equal(want.Expiration) {
				t.Errorf("IssueSTS = %+v, want every field of %+v", got, want)
			}
			if b.Endpoint() != "http://oss.test" {
				t.Errorf("Endpoint() = %q", b.Endpoint())
			}
		})
	}
}
