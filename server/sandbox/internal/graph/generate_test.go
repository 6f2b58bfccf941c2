package graph

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

// TestGeneratedCodeIsCurrent regenerates the executor and models from the
// schema and compares them with the committed files, so a schema change
// without `go generate` fails the tests. gqlgen writes package paths into
// the code, so it runs in a scratch copy of the module (go.mod, go.sum, the
// schema and gqlgen.yml at their usual places) rather than a bare temp dir.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(here, "..", "..", "..", "..")
	const pkg = "server/sandbox/internal/graph"
	scratch := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "server/sandbox/schema.graphql", pkg + "/gqlgen.yml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(scratch, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(scratch, pkg))
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	// Type-checking the output would need the rest of the module.
	cfg.SkipValidation = true
	if err := api.Generate(cfg); err != nil {
		t.Fatalf("gqlgen: %v", err)
	}
	for _, name := range []string{"generated.go", "models_gen.go"} {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(scratch, pkg, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(here, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run `go generate ./%s`", name, pkg)
			}
		})
	}
}
