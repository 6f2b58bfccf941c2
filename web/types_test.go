package web

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The types (altiup.d.ts, altiup-element.d.ts) are written by hand beside what they describe:
// these tests hold them to the methods the Go side gives its objects, the
// element's methods and attributes, and the error codes, both ways, so the
// two cannot drift apart. tsc checks the types themselves (./build.sh test).

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// all gives the first group of every match of re in s, sorted, once each.
func all(re string, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// block is the text of the braces that follow head in s.
func block(t *testing.T, s, head string) string {
	t.Helper()
	i := strings.Index(s, head)
	if i < 0 {
		t.Fatalf("no %q", head)
	}
	depth := 0
	for j := i + len(head); j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[i+len(head) : j]
			}
		}
	}
	t.Fatalf("%q is not closed", head)
	return ""
}

// members are the methods declared at the top level of an interface body
// (one tab in), and its properties.
func members(body string) []string {
	return all(`(?m)^\t(?:readonly )?([a-zA-Z]\w*)\??[(<:]`, body)
}

func TestTypesMatch(t *testing.T) {
	main, elem := read(t, "altiup.d.ts"), read(t, "altiup-element.d.ts")
	dts := main + elem
	loader := read(t, "altiup.js")
	element := block(t, loader, "class AltiupUploader extends HTMLElement ")
	ns := block(t, main, "declare namespace Altiup ") + block(t, elem, "declare namespace Altiup ")
	inner := func(name string) string {
		return strings.ReplaceAll(block(t, ns, "interface "+name+" "), "\n\t\t", "\n\t")
	}
	for _, tc := range []struct {
		name       string
		have, want []string
	}{
		{"uploader methods (wasm/cmd/altiup/main_js.go)",
			members(inner("Uploader")),
			append(all(`"(\w+)":\s*uploaderMethod\(`, read(t, "../wasm/cmd/altiup/main_js.go")), "version")},
		{"connection methods (wasm/cmd/altiup/connect_js.go)",
			members(inner("Connection")),
			append(all(`"(\w+)":\s*connMethod\(`, read(t, "../wasm/cmd/altiup/connect_js.go")), "version")},
		{"loader (altiup.js)",
			members(inner("Loader")),
			all(`(?m)^\t\t(?:get )?([a-z]\w*)(?:\(|: )`, block(t, loader, "const altiup = "))},
		{"element methods (altiup.js)",
			slices.DeleteFunc(members(block(t, dts, "interface AltiupUploaderElement extends HTMLElement ")), func(m string) bool {
				return m == "addEventListener" || m == "removeEventListener"
			}),
			slices.DeleteFunc(all(`(?m)^\t\t(?:(?:get|set|static get) )?([a-zA-Z]\w*)\(`, element), func(m string) bool {
				return strings.HasSuffix(m, "Callback") || m == "constructor" || m == "observedAttributes"
			})},
		{"element events (altiup.js)",
			all(`'altiup-(\w+)'`, block(t, ns, "interface UploaderElementEventMap ")),
			all(`fire\('altiup-(\w+)'\)`, element)},
		{"element attributes (altiup.js, ui.css)",
			members(block(t, dts, "interface AltiupUploaderAttributes ")),
			slices.Concat(
				all(`'(\w+)'`, regexp.MustCompile(`const ATTRS = \[[^\]]*\]`).FindString(loader)),
				all(`'(\w+)'`, regexp.MustCompile(`observedAttributes\(\) \{[^}]*\}`).FindString(loader)),
				all(`(?:get|has)Attribute\('(\w+)'\)`, element),
				all(`:host\(\[(\w+)=`, read(t, "ui.css")),
				[]string{"isolated"})},
		{"error codes (wasm/upload/errors.go, i18n code.* texts)",
			all(`'(\w+)'`, block(t, ns, "type ErrorCode =")+"}"),
			append(all(`Code\w+\s*=\s*"(\w+)"`, read(t, "../wasm/upload/errors.go")), all(`"code\.(\w+)"`, read(t, "i18n/en.json"))...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.Compact(slices.Sorted(slices.Values(tc.want)))
			if len(want) == 0 {
				t.Fatal("found nothing to compare with")
			}
			for _, m := range want {
				if !slices.Contains(tc.have, m) {
					t.Errorf("%s is missing from altiup.d.ts", m)
				}
			}
			for _, m := range tc.have {
				if !slices.Contains(want, m) {
					t.Errorf("altiup.d.ts has %s, which the code does not", m)
				}
			}
		})
	}
}
