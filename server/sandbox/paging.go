package sandbox

import (
	"slices"

	"altiup/server/sandbox/internal/graph"
)

const (
	defaultPage = 50
	maxPage     = 500
)

// page selects a Relay-style page of ids (in their order) as first, last,
// after and before ask. Cursors are ids, so they keep their place as other
// entries change; keep filters the list. It returns the kept entries and the
// part [a, b) of them that is the page.
func page[T any](ids []string, get func(string) T, keep func(T) bool, first, last *int, after, before *string, what string) (all []T, a, b int, err error) {
	for _, n := range []*int{first, last} {
		if n != nil && *n < 0 {
			return nil, 0, 0, errorf(CodeBadInput, "first and last must not be negative")
		}
	}
	lo, hi := 0, len(ids)
	if after != nil && *after != "" {
		i := slices.Index(ids, *after)
		if i < 0 {
			return nil, 0, 0, errorf(CodeBadInput, "after: cursor %s is not %s", quote(*after), what)
		}
		lo = i + 1
	}
	if before != nil && *before != "" {
		i := slices.Index(ids, *before)
		if i < 0 {
			return nil, 0, 0, errorf(CodeBadInput, "before: cursor %s is not %s", quote(*before), what)
		}
		hi = i
	}
	a, b = -1, 0
	for i, id := range ids {
		v := get(id)
		if !keep(v) {
			continue
		}
		if i >= lo && a < 0 {
			a = len(all)
		}
		if i < hi {
			b = len(all) + 1
		}
		all = append(all, v)
	}
	if a < 0 {
		a = len(all)
	}
	b = max(a, b)
	if first == nil && last == nil {
		n := defaultPage
		first = &n
	}
	if first != nil && b-a > min(*first, maxPage) {
		b = a + min(*first, maxPage)
	}
	if last != nil && b-a > min(*last, maxPage) {
		a = b - min(*last, maxPage)
	}
	return all, a, b, nil
}

func pageInfo(a, b, n int) *graph.PageInfo {
	return &graph.PageInfo{HasPreviousPage: a > 0, HasNextPage: b < n}
}
