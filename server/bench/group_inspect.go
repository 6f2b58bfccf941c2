package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/chromedp/cdproto/profiler"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa/phototest"
)

// The inspect group's batch is a survey's worth of real photos, never
// scaled: its target is about 1,000 files.
const (
	inspectFiles = 1000
	inspectSize  = 8 * mib
)

// makePhotos writes n real JPEG photos of size bytes each into dir: a
// drone's header (EXIF with its own capture time and a position around one
// spot, XMP, a little image data), then a hole up to size, so that the set
// takes almost no disk while the page sees files of full size.
func makePhotos(dir string, n int, size int64) (*imageSet, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &imageSet{dir: dir, size: size}
	for i, f := range phototest.Flight(n) {
		if int64(len(f.B)) > size {
			return nil, fmt.Errorf("a photo's header takes %d bytes, more than %d", len(f.B), size)
		}
		p := filepath.Join(dir, fmt.Sprintf("photo-%04d.jpg", i))
		if err := writeSparse(p, f.B, size); err != nil {
			return nil, err
		}
		s.paths = append(s.paths, p)
	}
	return s, nil
}

// writeSparse writes head and extends the file to size with a hole.
func writeSparse(path string, head []byte, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(head)
	if err == nil {
		err = f.Truncate(size)
	}
	return errors.Join(err, f.Close())
}

// inspectResult is what bench.inspect resolves to.
type inspectResult struct {
	Added   float64         `json:"added"`   // ms from add() to its resolution
	Inspect float64         `json:"inspect"` // ms from there to inspect()'s answer
	Longest float64         `json:"longest"` // the main thread's longest task, ms
	Read    float64         `json:"read"`    // bytes read from the files
	Reads   int             `json:"reads"`   // reads of the files
	Slices  int             `json:"slices"`  // slices made of them
	Bytes   float64         `json:"bytes"`   // the files' bytes
	Summary inspect.Summary `json:"summary"`
	Floor   float64         `json:"-"` // ms the plain-JS baseline took in a page of its own
}

// checkSummary is an error unless the summary is right for n flight photos:
// all counted, all with GPS, none a duplicate candidate.
func checkSummary(s inspect.Summary, n int) error {
	var bad []string
	if s.Files != n {
		bad = append(bad, fmt.Sprintf("%d files, not %d", s.Files, n))
	}
	if s.WithGPS != n {
		bad = append(bad, fmt.Sprintf("%d with GPS, not %d", s.WithGPS, n))
	}
	if i := slices.IndexFunc(s.Warnings, func(w inspect.Warning) bool { return w.Code == inspect.DuplicateContent }); i >= 0 {
		bad = append(bad, fmt.Sprintf("%s on %d files", inspect.DuplicateContent, len(s.Warnings[i].Files)))
	}
	if len(bad) > 0 {
		return fmt.Errorf("wrong summary: %v", bad)
	}
	return nil
}

func (b *bench) groupInspect(ctx context.Context) {
	photos, err := makePhotos(filepath.Join(b.workDir, "photos"), inspectFiles, inspectSize)
	var total, added, inspected, longest, share samples
	var reads, read, floor samples
	for rep := range b.o.repeats {
		if err != nil {
			break
		}
		b.logf("inspect, run %d", rep+1)
		r, rerr := b.inspectRun(ctx, photos.paths)
		if rerr == nil {
			rerr = checkSummary(r.Summary, len(photos.paths))
		}
		if rerr == nil && r.Bytes == 0 {
			rerr = errors.New("the page saw no bytes in the files")
		}
		if rerr != nil {
			b.logf("  %v", rerr)
			total.add(0, rerr)
			share.add(0, rerr)
			continue
		}
		b.logf("  add %s, inspect %s, longest task %s, %d bytes read in %d reads of %d slices", fmtSeconds(r.Added), fmtSeconds(r.Inspect), fmtMS(r.Longest), int64(r.Read), r.Reads, r.Slices)
		total.add(r.Added+r.Inspect, nil)
		floor.add(r.Floor, nil)
		added.add(r.Added, nil)
		inspected.add(r.Inspect, nil)
		longest.add(r.Longest, nil)
		share.add(100*r.Read/r.Bytes, nil)
		reads.add(float64(r.Reads), nil)
		read.add(r.Read, nil)
	}
	if err != nil {
		total.add(0, fmt.Errorf("write the photos: %w", err))
		share.add(0, fmt.Errorf("write the photos: %w", err))
	}
	what := fmt.Sprintf("%s × %d MiB photos", thousands(inspectFiles), inspectSize/mib)
	tr := row{figure: "inspect: " + what + ", time from add to the summary vs plain JS reading each photo's first 32 KiB (4 at a time)", measured: total.spread(fmtSeconds), baseline: floor.spread(fmtSeconds), target: "< 2 s"}
	sr := row{figure: "inspect: share of the photos' bytes read", measured: share.spread(fmtPercent), target: "≤ 1%"}
	if total.ok() {
		tr.verdict = verdict(total.median(), target{limit: 2000})
		if floor.ok() && floor.median() > 0 {
			tr.ratio = fmt.Sprintf("%.2f×", total.median()/floor.median())
		}
		sr.verdict = verdict(share.median(), target{limit: 1})
		b.note("Inspect, %s: add() took %s, inspect() %s after it; the main thread's longest task %s; %s read of the files in %s reads. Every run's summary was checked: %s files, %s with GPS, no %s.",
			what, added.spread(fmtSeconds), inspected.spread(fmtSeconds), longTaskText(longest.median()), read.spread(fmtMiB), reads.spread(fmtCount),
			thousands(inspectFiles), thousands(inspectFiles), inspect.DuplicateContent)
		if len(total.errs) > 0 {
			b.note("Inspect: %s", total.firstErr())
		}
	} else {
		tr.verdict = "not measured: " + total.firstErr()
		sr.verdict = "not measured: " + share.firstErr()
	}
	b.addRow(tr)
	b.addRow(sr)
	if err == nil && b.o.profile {
		b.logf("inspect, profiled")
		var p *profiler.Profile
		if _, perr := b.inspectAltiup(ctx, photos.paths, &p); perr != nil {
			b.note("The profiled inspect run failed: %v.", perr)
		} else {
			b.note("Inspect, the page's main thread from add to the summary (V8's sampling profiler, an extra run): %s; its longest busy stretches: %s.", summarizeProfile(p), longestStretches(p, 3))
			if err := keepProfile(b.o.profileDir, "inspect", p); err != nil {
				b.logf("keeping the profile of inspect: %v", err)
			}
		}
	}
}

// inspectRun measures altiup's inspect and the plain-JS baseline, each in a
// fresh page.
func (b *bench) inspectRun(ctx context.Context, files []string) (*inspectResult, error) {
	r, err := b.inspectAltiup(ctx, files, nil)
	if err != nil {
		return nil, err
	}
	// The baseline in a page of its own, with Files of its own: the browser
	// asks for a chosen file's size once per File, and in altiup's page
	// the sizes are known by then, which made the baseline 0.5 s shorter
	// than plain JS reading files just chosen.
	s, err := b.open(ctx, false, nil, files, 0)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer s.end()
	if err := call(s.ctx, jsCall("benchInspectFloor", nil), &r.Floor); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return r, nil
}

// inspectAltiup adds the files to a new uploader in a fresh page and
// inspects them; with prof, under V8's sampling profiler, whose profile it
// sets there.
func (b *bench) inspectAltiup(ctx context.Context, files []string, prof **profiler.Profile) (*inspectResult, error) {
	s, err := b.open(ctx, true, pageScripts["altiup"], files, 0)
	if err != nil {
		return nil, err
	}
	defer s.end()
	pid, err := s.sb.newProject(ctx, "bench inspect")
	if err != nil {
		return nil, err
	}
	if prof != nil {
		if err := startProfile(s.ctx); err != nil {
			return nil, fmt.Errorf("start the profiler: %w", err)
		}
	}
	r := &inspectResult{}
	err = call(s.ctx, jsCall("benchInspect", map[string]any{"api": s.sb.api, "key": s.sb.key, "token": s.sb.token, "project": pid}), r)
	if err != nil {
		return nil, err
	}
	if prof != nil {
		if *prof, err = stopProfile(s.ctx); err != nil {
			return nil, fmt.Errorf("stop the profiler: %w", err)
		}
	}
	return r, nil
}

func fmtPercent(v float64) string { return fmt.Sprintf("%.3f%%", v) }

func fmtCount(v float64) string { return fmt.Sprintf("%.0f", v) }

// thousands writes n with a comma between thousands, as the table does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
