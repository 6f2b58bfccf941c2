package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// postTyped sends a query and returns its data decoded with json.Number, so
// that an int and a float can be told apart; any GraphQL error fails.
func (e *env) postTyped(t *testing.T, q string, vars map[string]any, h map[string]string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 || out.Data == nil {
		t.Fatalf("errors: %v", out.Errors)
	}
	return out.Data
}

// checkTypes checks each path of want in data.
func checkTypes(t *testing.T, data map[string]any, want jsonTypes) {
	t.Helper()
	for path, typ := range want {
		vals := valuesAt(data, strings.Split(path, "."))
		if len(vals) == 0 && !strings.Contains(path, "[]") {
			t.Errorf("%s: absent", path)
		}
		for _, v := range vals {
			if !hasType(v, typ) {
				t.Errorf("%s = %#v (%T), want %s", path, v, v, typ)
			}
		}
	}
}

// valuesAt returns the values at a path; a null on the way ends it there.
func valuesAt(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	switch x := v.(type) {
	case map[string]any:
		if path[0] == "[]" {
			return nil
		}
		child, ok := x[path[0]]
		if !ok {
			return nil
		}
		if child == nil && len(path) > 1 {
			return []any{nil}
		}
		return valuesAt(child, path[1:])
	case []any:
		if path[0] != "[]" {
			return nil
		}
		var out []any
		for _, el := range x {
			out = append(out, valuesAt(el, path[1:])...)
		}
		return out
	}
	return nil
}

func hasType(v any, typ string) bool {
	typ, nullable := strings.CutSuffix(typ, "?")
	if v == nil {
		return nullable
	}
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "time":
		s, ok := v.(string)
		_, err := time.Parse(time.RFC3339, s)
		return ok && err == nil
	case "bool":
		_, ok := v.(bool)
		return ok
	case "int":
		n, ok := v.(json.Number)
		_, err := n.Int64()
		return ok && err == nil
	case "float":
		n, ok := v.(json.Number)
		_, err := n.Float64()
		return ok && err == nil
	case "list":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	if values, ok := strings.CutPrefix(typ, "enum:"); ok {
		s, isString := v.(string)
		for _, e := range strings.Split(values, "|") {
			if isString && s == e {
				return true
			}
		}
	}
	return false
}
