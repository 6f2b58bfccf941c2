package upload_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
	"altiup/wasm/photometa/phototest"
	"altiup/wasm/upload"
)

// counted counts the reads the uploader makes of a Source itself.
type counted struct {
	upload.Source
	reads atomic.Int64
}

func (c *counted) ReadAt(p []byte, off int64) (int, error) {
	c.reads.Add(1)
	return c.Source.ReadAt(p, off)
}

// fakeHeads is a HeadReader that reads at most limit bytes of each file
// (n when 0) past the uploader's count, and none of the files skip names;
// it reads on past a head (ReadOn) unless noReadOn. Released heads are
// overwritten, as a reader that reuses their memory would: metadata read
// from a head after its release comes out wrong.
type fakeHeads struct {
	limit    int
	skip     func(name string) bool
	omit     func(name string) bool // files Heads leaves out (never hands to each)
	noReadOn bool

	mu      sync.Mutex
	batches []int
	sizes   []int          // n of each Heads call
	paces   int            // calls of Pace
	handed  int            // files handed to each
	readOn  map[string]int // ReadOn calls by file
}

func (h *fakeHeads) ReadOn(_ context.Context, src upload.Source, p []byte, off int64) (int, bool) {
	if h.noReadOn || h.skip != nil && h.skip(src.Name()) || h.omit != nil && h.omit(src.Name()) {
		return 0, false
	}
	h.mu.Lock()
	if h.readOn == nil {
		h.readOn = map[string]int{}
	}
	h.readOn[src.Name()]++
	h.mu.Unlock()
	n, _ := src.(*counted).Source.ReadAt(p, off)
	return n, true
}

func (h *fakeHeads) Pace() {
	h.mu.Lock()
	h.paces++
	h.mu.Unlock()
}

func (h *fakeHeads) Heads(_ context.Context, srcs []upload.Source, n int, each func(i int, head []byte)) {
	h.mu.Lock()
	h.batches = append(h.batches, len(srcs))
	h.sizes = append(h.sizes, n)
	h.mu.Unlock()
	if h.limit > 0 {
		n = h.limit
	}
	// One buffer for the batch, spoilt after each call: nothing may keep
	// a head past its call.
	buf := make([]byte, n)
	for i, s := range srcs {
		if h.omit != nil && h.omit(s.Name()) {
			continue
		}
		h.mu.Lock()
		h.handed++
		h.mu.Unlock()
		if h.skip != nil && h.skip(s.Name()) {
			each(i, nil)
			continue
		}
		c := s.(*counted)
		b := buf[:min(int64(n), c.Size())]
		got, _ := c.Source.ReadAt(b, 0)
		each(i, b[:got])
		for k := range buf {
			buf[k] = 0xFF
		}
	}
}

// deepEXIF is a photo whose EXIF comes after a 60 KB comment: beyond the
// first bytes a head holds.
func deepEXIF() []byte {
	return deepen(phototest.JPEG(phototest.Photo{
		Width: 32, Height: 24, PixelX: 4000, PixelY: 3000, Make: "DJI", Model: "FC6310",
		Time: "2024:05:01 09:00:00", GPS: true, Lat: phototest.NearLat, Lon: phototest.NearLon, Alt: 100,
	}))
}

// deepen puts a 60 KB comment before the segments of the JPEG p.
func deepen(p []byte) []byte {
	com := make([]byte, 60_000)
	seg := append([]byte{0xFF, 0xFE, byte((len(com) + 2) >> 8), byte(len(com) + 2)}, com...)
	return slices.Concat(p[:2], seg, p[2:])
}

// headsBatch is the survey, a photo with its EXIF far in, a file that is
// no photo, and a flight of photos, as counted Sources.
func headsBatch() []*counted {
	var out []*counted
	add := func(name string, b []byte, size int64) {
		out = append(out, &counted{Source: named{&phototest.File{B: b, FileSize: size}, name}})
	}
	for _, n := range phototest.Set() {
		add(n.Name, n.Bytes, 0)
	}
	add("deep.jpg", deepEXIF(), 0)
	add("notes.txt", []byte("not a photo at all"), 0)
	for i, f := range phototest.Flight(2*upload.MetaBatch + 5) {
		add(fmt.Sprintf("DJI_%04d.JPG", i), f.B, f.FileSize)
	}
	return out
}

// TestHeadsRead: with a HeadReader the summary is the one read file by
// file, whatever the heads hold (all, too short for the metadata, some
// missing) and whether it reads on past them or not; files are handed on
// in batches of at most MetaBatch, each once; a file whose metadata lies in
// its head is not read again, and one whose metadata lies further is read
// on by the HeadReader when it can.
func TestHeadsRead(t *testing.T) {
	inspectWith := func(t *testing.T, heads *fakeHeads) (inspect.Summary, []*counted) {
		w := newWorld(t)
		u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) {
			if heads != nil {
				d.Heads = heads
			}
		})
		files := headsBatch()
		for _, f := range files {
			u.Add(f)
		}
		s, err := u.Inspect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return s, files
	}
	want, _ := inspectWith(t, nil)
	if want.Files != len(headsBatch()) || want.WithGPS < 2*upload.MetaBatch {
		t.Fatalf("summary without heads: %d files, %d with GPS", want.Files, want.WithGPS)
	}
	// The duplicate candidates are read whole to hash them.
	hashed := map[string]bool{"dji-1.jpg": true, "dji-1-copy.jpg": true}
	for _, tc := range []struct {
		name       string
		heads      *fakeHeads
		readsAgain bool // files with a head are read again (by the uploader or by ReadOn)
	}{
		{"whole heads", &fakeHeads{}, false},
		{"whole heads, not read on", &fakeHeads{noReadOn: true}, false},
		{"heads too short", &fakeHeads{limit: 64}, true},
		{"heads too short, not read on", &fakeHeads{limit: 64, noReadOn: true}, true},
		{"some missing", &fakeHeads{skip: func(name string) bool { return strings.HasSuffix(name, "3.JPG") || strings.HasPrefix(name, "sony") }}, false},
		{"some left out", &fakeHeads{omit: func(name string) bool { return strings.HasSuffix(name, "3.JPG") || strings.HasPrefix(name, "sony") }}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, files := inspectWith(t, tc.heads)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("summary\n%+v\nwant\n%+v", got, want)
			}
			total := 0
			for _, n := range tc.heads.batches {
				if n < 1 || n > upload.MetaBatch {
					t.Errorf("a batch of %d files", n)
				}
				total += n
			}
			if total != len(files) {
				t.Errorf("%d files handed to the head reader, want %d", total, len(files))
			}
			// A pause between two files of a batch, none before a batch's first.
			tc.heads.mu.Lock()
			paces, handed := tc.heads.paces, tc.heads.handed
			tc.heads.mu.Unlock()
			if want := handed - len(tc.heads.batches); paces != want {
				t.Errorf("%d pauses for %d files handed over in %d batches, want %d", paces, handed, len(tc.heads.batches), want)
			}
			for _, f := range files {
				if hashed[f.Name()] {
					continue
				}
				headed := (tc.heads.skip == nil || !tc.heads.skip(f.Name())) && (tc.heads.omit == nil || !tc.heads.omit(f.Name()))
				further := tc.readsAgain && f.Name() != "notes.txt" || f.Name() == "deep.jpg"
				readOn := headed && further && !tc.heads.noReadOn
				if got := tc.heads.readOn[f.Name()] > 0; got != readOn {
					t.Errorf("%s read on by the head reader: %v, want %v", f.Name(), got, readOn)
				}
				if again, want := f.reads.Load() > 0, !headed || further && !readOn; again != want {
					t.Errorf("%s read again by the uploader: %v, want %v", f.Name(), again, want)
				}
			}
		})
	}
}

// gatedHeads reads heads at once, but holds every ReadOn until gate is
// closed, counting those under way.
type gatedHeads struct {
	fakeHeads
	gate          chan struct{}
	mu            sync.Mutex
	inflight, max int
}

func (h *gatedHeads) ReadOn(ctx context.Context, src upload.Source, p []byte, off int64) (int, bool) {
	h.mu.Lock()
	h.inflight++
	h.max = max(h.max, h.inflight)
	h.mu.Unlock()
	<-h.gate
	h.mu.Lock()
	h.inflight--
	h.mu.Unlock()
	return h.fakeHeads.ReadOn(ctx, src, p, off)
}

func (h *gatedHeads) under() (now, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inflight, h.max
}

// TestMetaReadsBounded: batches whose metadata lies past the heads are
// parsed MetaConcurrency at a time, each holding its slot until it is
// parsed, however many files wait: every batch read at once held the
// buffers of every file.
func TestMetaReadsBounded(t *testing.T) {
	const conc = 2
	h := &gatedHeads{gate: make(chan struct{})}
	w := newWorld(t)
	u := w.uploaderWith(upload.Options{Cloud: "s3", MetaConcurrency: conc}, func(d *upload.Deps) { d.Heads = h })
	for i := range 6 * upload.MetaBatch {
		// Larger than photometa.MaxRead: their heads are not the whole files.
		u.Add(&counted{Source: named{&phototest.File{B: deepEXIF(), FileSize: 8 << 20}, fmt.Sprintf("deep-%d.jpg", i)}})
	}
	done := make(chan error, 1)
	go func() {
		_, err := u.Inspect(context.Background())
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for now, _ := h.under(); now < conc; now, _ = h.under() {
		if time.Now().After(deadline) {
			t.Fatalf("%d reads past the heads under way, want %d", now, conc)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // time for more, were they let through
	if _, most := h.under(); most != conc {
		t.Fatalf("%d batches read past their heads at once, want %d", most, conc)
	}
	close(h.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSmallFilesReadWhole: files no larger than photometa.MaxRead are read
// whole in their heads, in parts of the batch of at most MetaBatch heads'
// bytes, so that metadata past the first bytes (deepen's) needs no read
// on; a batch with one larger file gets heads of photometa.FirstRead, and
// the small file is read on.
func TestSmallFilesReadWhole(t *testing.T) {
	flight := phototest.Flight(upload.MetaBatch)
	for _, tc := range []struct {
		name   string
		large  bool // the batch holds one file larger than MaxRead
		size   int  // heads asked for; 0: the largest file's size (every file whole)
		readOn bool // the deep photos are read on
	}{
		{"small files", false, 0, false},
		{"one large file among them", true, photometa.FirstRead, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHeads{}
			w := newWorld(t)
			u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) { d.Heads = h })
			const n = upload.MetaBatch
			var files []*counted
			for i := range n {
				// A flight's photos (no two alike), their size their own.
				f := &phototest.File{B: deepen(flight[i].B)}
				if tc.large && i == n/2 {
					f.FileSize = photometa.MaxRead + 1
				}
				files = append(files, &counted{Source: named{f, fmt.Sprintf("deep-%d.jpg", i)}})
			}
			srcs := make([]upload.Source, n)
			for i, f := range files {
				srcs[i] = f
			}
			u.Add(srcs...) // one batch
			s, err := u.Inspect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if s.Files != n || s.WithGPS != n {
				t.Errorf("summary: %d files, %d with GPS; want %d, %d", s.Files, s.WithGPS, n, n)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			total := 0
			largest := 0
			for _, f := range files {
				largest = max(largest, int(f.Size()))
			}
			for k, got := range h.sizes {
				if want := cmp.Or(tc.size, largest); tc.size != 0 && got != want || tc.size == 0 && got > want {
					t.Errorf("heads of %d bytes asked, want %d", got, want)
				}
				if bytes := got * h.batches[k]; bytes > upload.MetaBatch*photometa.FirstRead {
					t.Errorf("%d heads of %d bytes asked at once: %d bytes, more than a batch of first reads", h.batches[k], got, bytes)
				}
				total += h.batches[k]
			}
			if total != n {
				t.Errorf("%d files handed to the head reader, want %d", total, n)
			}
			for _, f := range files {
				if got := h.readOn[f.Name()] > 0; got != tc.readOn && f.Size() <= photometa.MaxRead {
					t.Errorf("%s read on: %v, want %v", f.Name(), got, tc.readOn)
				}
				if f.reads.Load() > 0 {
					t.Errorf("%s read again by the uploader", f.Name())
				}
			}
		})
	}
}
