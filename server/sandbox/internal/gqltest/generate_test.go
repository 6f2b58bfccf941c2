package gqltest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/Khan/genqlient/generate"
)

// TestGeneratedCodeIsCurrent regenerates the client in memory and compares
// it with the committed generated.go.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	cfg, err := generate.ReadAndValidateConfig("genqlient.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate.Generate(cfg)
	if err != nil {
		t.Fatalf("genqlient: %v", err)
	}
	var want []byte
	for name, b := range files {
		if filepath.Base(name) == "generated.go" {
			want = b
		}
	}
	if want == nil {
		t.Fatalf("genqlient generated no generated.go, only %d other files", len(files))
	}
	got, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("generated.go is stale: run `go generate ./server/sandbox/internal/gqltest`")
	}
}
