package main

import (
	"fmt"
)

var clouds = []string{"oss", "s3"}

var cloudName = map[string]string{"oss": "OSS", "s3": "S3"}

// timeCell formats upload times with the throughput of the median.
func timeCell(s *samples, bytes float64) string {
	if !s.ok() {
		return "—"
	}
	return fmt.Sprintf("%s · %.0f MB/s", s.spread(fmtSeconds), bytes/1e6/(s.median()/1000))
}

// ratioRow adds a row comparing m with base; t applies to the ratio of their
// medians.
func (b *bench) ratioRow(figure string, m, base *samples, cell func(*samples) string, t target) {
	r := row{figure: figure, measured: cell(m), baseline: cell(base), target: t.text}
	switch {
	case !m.ok():
		r.verdict = "not measured: " + m.firstErr()
	case !base.ok():
		r.verdict = "no baseline: " + base.firstErr()
	default:
		ratio := m.median() / base.median()
		r.ratio = fmt.Sprintf("%.2f×", ratio)
		r.verdict = verdict(ratio, t)
	}
	for _, s := range []*samples{m, base} {
		if s.ok() && len(s.errs) > 0 {
			b.note("%s: %s", figure, s.firstErr())
		}
	}
	b.addRow(r)
}
