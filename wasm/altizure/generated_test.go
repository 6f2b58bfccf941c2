package altizure

import (
	"bytes"
	"os"
	"testing"

	"github.com/Khan/genqlient/generate"
)

// TestGeneratedIsCurrent regenerates the client from genqlient.yaml (the
// schema and operations as they are now) and fails when generated.go differs:
// run `go generate ./wasm/altizure` after changing either.
func TestGeneratedIsCurrent(t *testing.T) {
	cfg, err := generate.ReadAndValidateConfig("genqlient.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := generate.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fresh, ok := out[cfg.Generated]
	if !ok || len(out) != 1 {
		t.Fatalf("the generator wrote %d files, not %s alone", len(out), cfg.Generated)
	}
	committed, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Fatal("generated.go is stale: run go generate ./wasm/altizure")
	}
}
