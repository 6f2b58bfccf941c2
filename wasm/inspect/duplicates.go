package inspect

import "slices"

// Candidates returns the Index of each file that may share its content with
// another: files of the same size and, as the same content gives the same
// metadata, the same capture time and camera. Only these need hashing to
// confirm duplicate_content; files that are not images are left out.
func Candidates(files []File) []int {
	var out []int
	for _, group := range candidateGroups(files) {
		for _, f := range group {
			out = append(out, f.Index)
		}
	}
	slices.Sort(out)
	return out
}

type contentKey struct {
	size              int64
	time, make, model string
}

func candidateGroups(files []File) map[contentKey][]*File {
	groups := map[contentKey][]*File{}
	for i := range files {
		f := &files[i]
		if !f.image() || f.Size == 0 {
			continue
		}
		k := contentKey{f.Size, f.Meta.Time, f.Meta.Make, f.Meta.Model}
		groups[k] = append(groups[k], f)
	}
	for k, g := range groups {
		if len(g) < 2 {
			delete(groups, k)
		}
	}
	return groups
}

// duplicates returns the files whose checksum an earlier file (lower Index)
// of the same candidate group has: the copies to leave out.
func duplicates(files []File, sums map[int]string) []int {
	var out []int
	for _, group := range candidateGroups(files) {
		sortByIndex(group, func(f *File) int { return f.Index })
		seen := map[string]bool{}
		for _, f := range group {
			sum, ok := sums[f.Index]
			if !ok {
				continue
			}
			if seen[sum] {
				out = append(out, f.Index)
			}
			seen[sum] = true
		}
	}
	slices.Sort(out)
	return out
}
