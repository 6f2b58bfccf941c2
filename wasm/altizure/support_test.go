package altizure

import (
	"context"
	"net/http/httptest"
	"testing"

	"altiup/server/sandbox"
	"altiup/wasm/upload"
)

// TestErrorCodesSandbox explains the sandbox's project error codes in each
// language, all of them in the enum's order, and refuses another language.
func TestErrorCodesSandbox(t *testing.T) {
	const key, token = "k", "user-token"
	sb, err := sandbox.New(sandbox.Config{AppKey: key, OSS: stubOSS{}, Users: []sandbox.User{{Token: token, Username: "u", Email: "u@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c := New(srv.URL+"/graphql", key, token, srv.Client())
	ctx := context.Background()

	codes := []string{"PROJECT_NOT_FOUND", "TASK_RUNNING", "IMAGES_NOT_VALIDATED", "NO_READY_IMAGE", "TOO_FEW_IMAGES"}
	said := map[string]string{}
	for _, tt := range []struct{ lang, tooFew string }{
		{"en", "The project has fewer than 3 Ready images; a reconstruction needs at least 3."},
		{"zh", "项目中的 Ready 照片少于 3 张；重建至少需要 3 张。"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			got, err := c.ErrorCodes(ctx, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(codes) {
				t.Fatalf("%d codes explained, want %d: %+v", len(got), len(codes), got)
			}
			for i, e := range got {
				if e.Code != codes[i] || e.Description == "" || e.Solution == "" {
					t.Errorf("code %d: %+v, want %s explained", i, e, codes[i])
				}
				if prev, ok := said[e.Code]; ok && prev == e.Description {
					t.Errorf("%s is said alike in both languages: %q", e.Code, prev)
				}
				said[e.Code] = e.Description
			}
			if got[4].Description != tt.tooFew {
				t.Errorf("TOO_FEW_IMAGES: %q, want %q", got[4].Description, tt.tooFew)
			}
		})
	}

	for _, bad := range []string{"", "fr", "EN"} {
		if _, err := c.ErrorCodes(ctx, bad); upload.AsError(err) == nil || upload.AsError(err).Code != upload.CodeInvalidInput {
			t.Errorf("language %q: %v, want invalid_input", bad, err)
		}
	}
	wrongKey := New(srv.URL+"/graphql", "not-the-key", token, srv.Client())
	if _, err := wrongKey.ErrorCodes(ctx, "en"); upload.AsError(err) == nil {
		t.Error("a wrong app key was not refused")
	}
}
