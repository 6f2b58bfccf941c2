package altizure

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// splitAnswer gives call i its part of a merged answer: its fields without
// the prefix, decoded into its own response, and the errors under its
// aliases, returned as MakeRequest returns them.
func splitAnswer(i int, c *batchCall, data map[string]json.RawMessage, all gqlerror.List, ext map[string]any) error {
	p := prefix(i)
	own := map[string]json.RawMessage{}
	for k, v := range data {
		if name, ok := strings.CutPrefix(k, p); ok {
			own[name] = v
		}
	}
	var list gqlerror.List
	for _, e := range all {
		if name, ok := e.Path[0].(ast.PathName); ok && strings.HasPrefix(string(name), p) {
			e := *e
			e.Path = slices.Clone(e.Path)
			e.Path[0] = ast.PathName(strings.TrimPrefix(string(name), p))
			list = append(list, &e)
		}
	}
	c.resp.Extensions = maps.Clone(ext)
	c.resp.Errors = list
	if len(own) > 0 && c.resp.Data != nil {
		if err := json.Unmarshal(object(own), c.resp.Data); err != nil {
			return err
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// object writes fields out as one JSON object, its values as decoded from
// the server's answer: json.Marshal of the map would only check and compact
// them once more, which cost a quarter of splitting a batch's answer
// (BenchmarkSplitAnswer). Its names are encoded one by one, whatever a
// server sent.
func object(fields map[string]json.RawMessage) []byte {
	n := 2
	for k, v := range fields {
		n += len(k) + len(v) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for k, v := range fields {
		if len(b) > 1 {
			b = append(b, ',')
		}
		q, _ := json.Marshal(k) // a string always encodes
		b = append(b, q...)
		b = append(append(b, ':'), v...)
	}
	return append(b, '}')
}
