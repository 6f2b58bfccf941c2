package upload

import "testing"

func TestPartSizeFor(t *testing.T) {
	tests := []struct {
		name       string
		size, want int64
		wantSize   int64
	}{
		{"preferred", 200_000_000, 0, preferredPartSize},
		{"asked for and fits", 30 << 20, 1 << 20, 1 << 20},
		{"asked for, too many parts", 100 << 30, 1 << 20, 11 << 20},
		{"huge file: at most 10,000 parts", 200 << 30, 0, 21 << 20},
		{"never under 5 MiB unless asked", 1 << 20, 0, preferredPartSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := partSizeFor(tc.size, tc.want)
			if got != tc.wantSize {
				t.Fatalf("partSizeFor(%d, %d) = %d, want %d", tc.size, tc.want, got, tc.wantSize)
			}
			if n := (tc.size + got - 1) / got; n > maxParts {
				t.Fatalf("%d parts", n)
			}
			if got < minPartSize && tc.want == 0 {
				t.Fatalf("part size %d under 5 MiB", got)
			}
		})
	}
}
