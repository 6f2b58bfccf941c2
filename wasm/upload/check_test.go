package upload_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa/phototest"
	"altiup/wasm/upload"
)

// photos returns the survey of testdata/photos in the order of
// phototest.Set: dji-1..4 (0-3), sony-1 (4), dji-nogps (5), dji-1-copy (6),
// dji-2-truncated (7).
func photos(t *testing.T) []upload.Source {
	t.Helper()
	var out []upload.Source
	for _, n := range phototest.Set() {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "photos", n.Name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, src{name: n.Name, typ: "image/jpeg", data: b})
	}
	return out
}

// warned maps each warning code to the files it names.
func warned(s inspect.Summary) map[string][]int {
	out := map[string][]int{}
	for _, w := range s.Warnings {
		out[w.Code] = w.Files
	}
	return out
}

// TestInspectSurvey: the summary of the photos names the right files, the
// events carry their metadata, only the duplicate candidates are hashed
// before the upload, and the upload hashes nothing twice.
func TestInspectSurvey(t *testing.T) {
	w := newWorld(t)
	h := &countingHasher{}
	u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) { d.Hasher = h })
	var mu sync.Mutex
	metas := map[int]json.RawMessage{}
	u.OnFile(func(e upload.FileEvent) {
		if e.Meta != nil {
			b, _ := json.Marshal(e)
			var m struct{ Meta json.RawMessage }
			json.Unmarshal(b, &m)
			mu.Lock()
			metas[e.Index] = m.Meta
			mu.Unlock()
		}
	})
	ps := photos(t)
	u.Add(ps...)
	s, err := u.Inspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const dji, sony = 5472 * 3648, 9504 * 6336
	if s.Files != 8 || s.Images != 8 || s.WithGPS != 7 || s.WithoutGPS != 1 || math.Abs(s.Gigapixels-float64(7*dji+sony)/1e9) > 1e-9 {
		t.Errorf("summary %+v", s)
	}
	want := map[string][]int{inspect.DuplicateContent: {6}, inspect.NoGPS: {5}, inspect.MixedCameras: {4}, inspect.MixedResolutions: {4}}
	if got := warned(s); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
	if s.Cost != nil {
		t.Errorf("cost %+v with no one signed in", s.Cost)
	}
	if want := map[string]int{"dji-1.jpg": 1, "dji-1-copy.jpg": 1}; !reflect.DeepEqual(h.byName, want) {
		t.Errorf("hashed before the upload %v, want %v", h.byName, want)
	}

	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 7 || rep.Skipped != 1 || rep.Files[6].State != upload.StateSkipped {
		t.Fatalf("report %+v, %v", rep, err)
	}
	// Start returns once its events are delivered.
	mu.Lock()
	if len(metas) != 8 || string(metas[5]) != `{"width":5472,"height":3648,"make":"DJI","model":"FC6310","focalLength":8.8,"focalLength35":24,"time":"2024-05-01T10:01:00+08:00"}` {
		t.Errorf("%d events with meta; of dji-nogps: %s", len(metas), metas[5])
	}
	var m0 map[string]any
	json.Unmarshal(metas[0], &m0)
	if m0["lat"] == nil || m0["lon"] == nil || m0["alt"] == nil || m0["pitch"] != -90.0 {
		t.Errorf("meta of dji-1: %s", metas[0])
	}
	mu.Unlock()
	for _, p := range ps {
		if n := h.byName[p.Name()]; n != 1 {
			t.Errorf("%s hashed %d times", p.Name(), n)
		}
	}
	// The upload's checksums serve the next summary: nothing is hashed.
	if _, err := u.Inspect(context.Background()); err != nil || h.n != 8 {
		t.Errorf("%d hashes after a second summary, %v", h.n, err)
	}
}

// TestNotImageAfterInspect: a file whose metadata says it is no image fails
// as before, with invalid_input, without being hashed.
func TestNotImageAfterInspect(t *testing.T) {
	w := newWorld(t)
	h := &countingHasher{}
	u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) { d.Hasher = h })
	u.Add(src{name: "notes.txt", typ: "text/plain", data: []byte("not a photo at all")})
	s, err := u.Inspect(context.Background())
	if err != nil || !reflect.DeepEqual(warned(s)[inspect.NotImage], []int{0}) {
		t.Fatalf("summary %+v, %v", s, err)
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Failed != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if e := rep.Files[0].Error; e == nil || e.Code != upload.CodeInvalidInput || e.Message != `"notes.txt" is not a JPEG, PNG or TIFF image, judging by its content (though named as text/plain).` {
		t.Errorf("error %+v", e)
	}
	if h.n != 0 {
		t.Errorf("hashed %d times", h.n)
	}
}

func TestInspectCost(t *testing.T) {
	netErr := &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached."}
	gp := float64(6*5472*3648+9504*6336) / 1e9 // the copy of dji-1 is not sent
	tests := []struct {
		name    string
		account *upload.Account
		faults  map[string][]error
		want    *inspect.Cost
	}{
		{"no one signed in", nil, nil, nil},
		{"signed in", &upload.Account{Balance: 50, FreeGPQuota: 0.1, CoinPerGP: 20, Currency: "CNY"}, nil,
			&inspect.Cost{Gigapixels: gp, CoinPerGP: 20, Coins: (gp - 0.1) * 20, FreeGPQuota: 0.1, Balance: 50, Money: (gp - 0.1) * 20 * 0.5, Currency: "CNY"}},
		{"no currency given: USD", &upload.Account{Balance: 50, CoinPerGP: 20}, nil,
			&inspect.Cost{Gigapixels: gp, CoinPerGP: 20, Coins: gp * 20, Balance: 50, Money: gp * 20 * 0.5, Currency: "USD"}},
		{"within the free quota", &upload.Account{FreeGPQuota: 10, CoinPerGP: 20, Currency: "USD"}, nil,
			&inspect.Cost{Gigapixels: gp, CoinPerGP: 20, FreeGPQuota: 10, Currency: "USD"}},
		{"account fails", &upload.Account{CoinPerGP: 20}, map[string][]error{"account": {netErr}}, nil},
		{"price fails", &upload.Account{CoinPerGP: 20}, map[string][]error{"coinsToMoney": {netErr}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.account, w.coinRate = tt.account, 0.5
			for k, v := range tt.faults {
				w.apiFault[k] = v
			}
			u := w.uploader(upload.Options{Cloud: "s3"})
			u.Add(photos(t)...)
			s, err := u.Inspect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if (s.Cost == nil) != (tt.want == nil) || s.Cost != nil && !closeCost(*s.Cost, *tt.want) {
				t.Errorf("cost %+v, want %+v", s.Cost, tt.want)
			}
		})
	}
}

func closeCost(a, b inspect.Cost) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	return near(a.Gigapixels, b.Gigapixels) && near(a.Coins, b.Coins) && near(a.Money, b.Money) &&
		a.CoinPerGP == b.CoinPerGP && a.FreeGPQuota == b.FreeGPQuota && a.Balance == b.Balance && a.Currency == b.Currency
}

// blocking is a Source whose reads wait until release is closed; it records
// which files were read.
type blocking struct {
	src
	idx     int
	release chan struct{}
	entered *sync.Map
}

func (b blocking) ReadAt(p []byte, off int64) (int, error) {
	b.entered.Store(b.idx, true)
	<-b.release
	return b.src.ReadAt(p, off)
}

// TestAddDoesNotRead: adding 10,000 files reads none of them on the
// caller's goroutine (their reads block, yet Add returns), the reads start
// in the order of Add, MetaConcurrency at once, and Inspect then has them all.
func TestAddDoesNotRead(t *testing.T) {
	const n = 10_000
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3", MetaConcurrency: 2})
	release := make(chan struct{})
	var entered sync.Map
	base := jpeg("p.jpg", 64+n).data
	srcs := make([]upload.Source, n)
	for i := range srcs {
		// Sizes differ, so no file is a duplicate candidate.
		srcs[i] = blocking{src{name: "p.jpg", typ: "image/jpeg", data: base[:64+i]}, i, release, &entered}
	}
	added := make(chan struct{})
	go func() {
		u.Add(srcs...)
		close(added)
	}()
	<-added // a read on Add's goroutine would block here for ever
	// Two reads block; no third can start until they end.
	var reading []int
	for len(reading) < 2 {
		time.Sleep(time.Millisecond)
		reading = reading[:0]
		entered.Range(func(k, _ any) bool { reading = append(reading, k.(int)); return true })
	}
	slices.Sort(reading)
	if !slices.Equal(reading, []int{0, 1}) {
		t.Errorf("files %v read first, want [0 1]", reading)
	}
	close(release)
	s, err := u.Inspect(context.Background())
	if err != nil || s.Files != n {
		t.Fatalf("%d files, %v", s.Files, err)
	}
}

// TestPositions: the positions are those of the batch as it stands (no
// photo without GPS, none left out), named by path when the file has one.
func TestPositions(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3"})
	ps := photos(t)
	ps[0] = pathed{ps[0].(src), "flight/dji-1.jpg"}
	u.Add(ps...)
	if err := u.Exclude(2); err != nil {
		t.Fatal(err)
	}
	got, err := u.Positions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	var names []string
	for _, p := range got {
		idx = append(idx, p.Index)
		names = append(names, p.Name)
	}
	// dji-nogps (5) has no position; 2 is left out; the truncated copy (7)
	// keeps its EXIF.
	if want := []int{0, 1, 3, 4, 6, 7}; !slices.Equal(idx, want) {
		t.Errorf("positions of %v, want %v", idx, want)
	}
	if names[0] != "flight/dji-1.jpg" || names[1] != "dji-2.jpg" {
		t.Errorf("named %q", names)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u.Add(jpeg("late.jpg", 64))
	if _, err := u.Positions(ctx); err == nil {
		t.Error("no error once the context ended")
	}
}
