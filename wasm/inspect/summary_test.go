package inspect_test

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
	"altiup/wasm/photometa/phototest"
)

// TestSurvey sums up phototest.Set: dji-1..4 (0-3), sony-1 (4), dji-nogps
// (5), dji-1-copy (6), dji-2-truncated (7).
func TestSurvey(t *testing.T) {
	files, srcs := survey(t)
	h := newHasher(srcs)
	b := inspect.NewBatch(h.hash)
	for _, f := range files {
		b.Add(f)
	}
	s, err := b.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var bytes int64
	for _, src := range srcs {
		bytes += src.Size()
	}
	const dji, sony = 5472 * 3648, 9504 * 6336
	if s.Files != 8 || s.Images != 8 || s.Bytes != bytes || s.WithGPS != 7 || s.WithoutGPS != 1 {
		t.Errorf("counts: %+v", s)
	}
	if want := float64(7*dji+sony) / 1e9; math.Abs(s.Gigapixels-want) > 1e-9 {
		t.Errorf("gigapixels %v, want %v", s.Gigapixels, want)
	}
	wantCameras := []inspect.Camera{{"DJI", "FC6310", 5472, 3648, 7}, {"SONY", "ILCE-7RM4", 9504, 6336, 1}}
	if !reflect.DeepEqual(s.Cameras, wantCameras) {
		t.Errorf("cameras %+v", s.Cameras)
	}
	lat, lon := phototest.NearLat, phototest.NearLon
	wb := inspect.Bounds{MinLat: lat - 0.0003, MinLon: lon - 0.0002, MaxLat: lat + 0.0006, MaxLon: lon + 0.0003}
	if s.Bounds == nil || math.Abs(s.Bounds.MinLat-wb.MinLat)+math.Abs(s.Bounds.MinLon-wb.MinLon)+math.Abs(s.Bounds.MaxLat-wb.MaxLat)+math.Abs(s.Bounds.MaxLon-wb.MaxLon) > 1e-6 {
		t.Errorf("bounds %+v, want %+v", s.Bounds, wb)
	}
	if s.SpanMeters < 100 || s.SpanMeters > 130 { // 0.0009° of latitude and 0.0005° of longitude at 22.5°N: 114 m
		t.Errorf("span %v m", s.SpanMeters)
	}
	if s.CapturedFrom == nil || *s.CapturedFrom != "2024-05-01T10:00:00+08:00" || s.CapturedTo == nil || *s.CapturedTo != "2024-05-01T10:05:00" {
		t.Errorf("captured %v to %v", s.CapturedFrom, s.CapturedTo)
	}
	want := map[string][]int{inspect.DuplicateContent: {6}, inspect.NoGPS: {5}, inspect.MixedCameras: {4}, inspect.MixedResolutions: {4}}
	if got := codes(s.Warnings); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
	if want := map[int]int{0: 1, 6: 1}; !reflect.DeepEqual(h.calls, want) {
		t.Errorf("hashed %v, want only the candidates %v", h.calls, want)
	}
	if sum, ok := b.Checksum(6); !ok || len(sum) != 40 {
		t.Errorf("checksum of 6: %q %v", sum, ok)
	}
	if _, ok := b.Checksum(1); ok {
		t.Error("a file that is no candidate was hashed")
	}
}

func codes(ws []inspect.Warning) map[string][]int {
	out := map[string][]int{}
	for _, w := range ws {
		out[w.Code] = w.Files
		if w.Message == "" {
			out[w.Code+" without message"] = nil
		}
	}
	return out
}

func at(lat, lon float64) photometa.Meta {
	return photometa.Meta{Width: 4000, Height: 3000, Make: "DJI", Model: "FC6310", Lat: &lat, Lon: &lon}
}

func TestWarnings(t *testing.T) {
	here := func(i int, dLat float64) inspect.File {
		return inspect.File{Index: i, Size: int64(1000 + i), Meta: at(45+dLat, 7)}
	}
	noGPS := inspect.File{Index: 9, Size: 5, Meta: photometa.Meta{Width: 3000, Height: 4000, Make: "DJI", Model: "FC6310"}}
	tests := []struct {
		name  string
		files []inspect.File
		sums  map[int]string
		want  map[string][]int
	}{
		{"a good set", []inspect.File{here(0, 0), here(1, 0.001), here(2, 0.002)}, nil, map[string][]int{}},
		{"too few", []inspect.File{here(0, 0), here(1, 0)}, nil, map[string][]int{inspect.TooFewImages: {}}},
		{"not images and unreadable", []inspect.File{here(0, 0), here(1, 0), here(2, 0),
			{Index: 3, Err: photometa.ErrNotImage}, {Index: 4, Err: photometa.ErrUnreadable}}, nil,
			map[string][]int{inspect.NotImage: {3}, inspect.UnreadableMetadata: {4}}},
		{"zero position", []inspect.File{here(0, 0), here(1, 0), {Index: 2, Meta: at(0, 0)}}, nil, map[string][]int{inspect.ZeroGPS: {2}}},
		{"far outlier", []inspect.File{here(0, 0), here(1, 0.01), here(2, 0.2), here(3, -0.01)}, nil, map[string][]int{inspect.FarOutlier: {2}}},
		{"upright photos are of the same size; no position", []inspect.File{here(0, 0), here(1, 0), noGPS}, nil, map[string][]int{inspect.NoGPS: {9}}},
		{"same size, time and camera but other content", []inspect.File{
			{Index: 0, Size: 7, Meta: at(45, 7)}, {Index: 1, Size: 7, Meta: at(45, 7)}, {Index: 2, Size: 7, Meta: at(45, 7)}},
			map[int]string{0: "a", 1: "b", 2: "a"}, map[string][]int{inspect.DuplicateContent: {2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := inspect.Summarize(tt.files, tt.sums)
			if got := codes(s.Warnings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	f := func(i int, size int64, time, model string) inspect.File {
		return inspect.File{Index: i, Size: size, Meta: photometa.Meta{Time: time, Model: model}}
	}
	files := []inspect.File{
		f(0, 10, "t1", "A"), f(1, 10, "t1", "A"), // candidates
		f(2, 10, "t2", "A"), f(3, 10, "t1", "B"), f(4, 11, "t1", "A"), // one differs from 0 in each
		f(5, 20, "", ""), f(6, 20, "", ""), // no metadata: by size alone
		{Index: 7, Size: 20, Err: photometa.ErrNotImage},
	}
	if got, want := inspect.Candidates(files), []int{0, 1, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSummaryJSON checks the names and the nulls of the summary's JSON.
func TestSummaryJSON(t *testing.T) {
	b, err := json.Marshal(inspect.Summarize(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"files":0,"images":0,"bytes":0,"gigapixels":0,"cameras":[],"withGPS":0,"withoutGPS":0,"bounds":null,"spanMeters":0,` +
		`"capturedFrom":null,"capturedTo":null,"warnings":[{"code":"too_few_images","message":"Only 0 photos: a reconstruction needs at least 3.","files":[]}],"cost":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	s := inspect.Summarize([]inspect.File{{Index: 0, Meta: at(1, 2)}}, nil)
	s.Cost = &inspect.Cost{}
	b, _ = json.Marshal(s)
	var m map[string]any
	json.Unmarshal(b, &m)
	if !reflect.DeepEqual(m["bounds"], map[string]any{"minLat": 1.0, "minLon": 2.0, "maxLat": 1.0, "maxLon": 2.0}) {
		t.Errorf("bounds %v", m["bounds"])
	}
	if !reflect.DeepEqual(m["cost"], map[string]any{"gigapixels": 0.0, "coinPerGP": 0.0, "coins": 0.0, "freeGPQuota": 0.0, "balance": 0.0, "money": 0.0, "currency": ""}) {
		t.Errorf("cost %v", m["cost"])
	}
}
