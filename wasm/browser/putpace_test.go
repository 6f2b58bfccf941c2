package browser

import (
	"testing"
	"time"
)

func TestPutClock(t *testing.T) {
	const mib = 1 << 20
	type put struct {
		n  int64
		d  time.Duration
		ok bool
	}
	tests := []struct {
		name   string
		ended  []put
		n      int64
		expect time.Duration
	}{
		{"nothing ended: a slow link is assumed", nil, 4 * mib, 4 * time.Second},
		{"one PUT tells the rate", []put{{8 * mib, 250 * time.Millisecond, true}}, 8 * mib, 250 * time.Millisecond},
		{"small PUTs tell nothing", []put{{100 << 10, 50 * time.Second, true}}, mib, time.Second},
		{"later PUTs are smoothed in", []put{{8 * mib, time.Second, true}, {8 * mib, 500 * time.Millisecond, true}},
			// 8 and 16 MiB/s smoothed 0.7/0.3: 10.4 MiB/s.
			13 * mib, 1250 * time.Millisecond},
		{"a failure forgets the rate", []put{{8 * mib, 100 * time.Millisecond, true}, {8 * mib, time.Minute, false}}, 2 * mib, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c putClock
			for _, p := range tt.ended {
				c.ended(p.n, p.d, p.ok)
			}
			got := c.expect(tt.n)
			if d := got - tt.expect; d < -time.Millisecond || d > time.Millisecond {
				t.Fatalf("expect(%d) = %v, want %v", tt.n, got, tt.expect)
			}
		})
	}
}
