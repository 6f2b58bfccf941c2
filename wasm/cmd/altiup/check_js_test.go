//go:build js && wasm

package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"altiup/wasm/photometa/phototest"
)

// surveyFiles adds the photos of phototest.Set named to up, in that order,
// and returns them by name.
func surveyFiles(t *testing.T, up js.Value, names ...string) map[string]phototest.Named {
	t.Helper()
	byName := map[string]phototest.Named{}
	for _, f := range phototest.Set() {
		byName[f.Name] = f
	}
	arr := js.Global().Get("Array").New()
	for _, n := range names {
		arr.Call("push", jsFile(n, byName[n].Bytes))
	}
	if _, err := await(t, up.Call("add", arr)); err != nil {
		t.Fatal(err)
	}
	return byName
}

// warningFiles returns the files a summary's warning of code names, or nil
// when there is no such warning.
func warningFiles(s js.Value, code string) []int {
	ws := s.Get("warnings")
	for i := range ws.Length() {
		if w := ws.Index(i); w.Get("code").String() == code {
			files := []int{}
			for j := range w.Get("files").Length() {
				files = append(files, w.Get("files").Index(j).Int())
			}
			return files
		}
	}
	return nil
}

// TestInspect: through the JS API, a survey of real JPEGs (two cameras, one
// without GPS, one exact copy) is summed up before start(), priced for the
// signed-in user, and a file left out drops from the counts.
func TestInspect(t *testing.T) {
	up := sandboxUploader(t)
	metas := object(map[string]any{"n": 0})
	up.Call("on", "file", js.Global().Get("Function").New("m", "return e => { if (e.meta && e.meta.make) m.n++; };").Invoke(metas))
	names := []string{"dji-1.jpg", "dji-2.jpg", "dji-3.jpg", "dji-4.jpg", "sony-1.jpg", "dji-nogps.jpg", "dji-1-copy.jpg"}
	set := surveyFiles(t, up, names...)
	s, err := await(t, up.Call("inspect"))
	if err != nil {
		t.Fatal(err)
	}
	var pixels, bytes int
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, n := range names {
		f := set[n]
		p := f.Photo
		if n == "dji-1-copy.jpg" {
			p = set["dji-1.jpg"].Photo
		}
		pixels += max(p.PixelX*p.PixelY, 2_073_600)
		bytes += len(f.Bytes)
		if p.GPS {
			minLat, maxLat, minLon, maxLon = min(minLat, p.Lat), max(maxLat, p.Lat), min(minLon, p.Lon), max(maxLon, p.Lon)
		}
	}
	b := s.Get("bounds")
	switch {
	case s.Get("files").Int() != 7 || s.Get("images").Int() != 7 || s.Get("bytes").Int() != bytes:
		t.Fatalf("counts: %s", stringify(s))
	case math.Abs(s.Get("gigapixels").Float()-float64(pixels)/1e9) > 1e-6:
		t.Fatalf("gigapixels %v, want %v", s.Get("gigapixels").Float(), float64(pixels)/1e9)
	case s.Get("withGPS").Int() != 6 || s.Get("withoutGPS").Int() != 1 || s.Get("cameras").Length() != 2:
		t.Fatalf("positions and cameras: %s", stringify(s))
	case math.Abs(b.Get("minLat").Float()-minLat) > 1e-6 || math.Abs(b.Get("maxLat").Float()-maxLat) > 1e-6 ||
		math.Abs(b.Get("minLon").Float()-minLon) > 1e-6 || math.Abs(b.Get("maxLon").Float()-maxLon) > 1e-6:
		t.Fatalf("bounds %s, want %v..%v, %v..%v", stringify(b), minLat, maxLat, minLon, maxLon)
	}
	for code, want := range map[string][]int{"no_gps": {5}, "mixed_cameras": {4}, "duplicate_content": {6}} {
		if got := warningFiles(s, code); !slices.Equal(got, want) {
			t.Errorf("warning %s names %v, want %v: %s", code, got, want, stringify(s.Get("warnings")))
		}
	}
	// The copy is sent once, so it costs nothing.
	copied := set["dji-1.jpg"].Photo
	cost := s.Get("cost")
	if cost.Type() != js.TypeObject || cost.Get("coinPerGP").Float() <= 0 || cost.Get("balance").Float() <= 0 || cost.Get("currency").String() == "" ||
		math.Abs(cost.Get("gigapixels").Float()-float64(pixels-copied.PixelX*copied.PixelY)/1e9) > 1e-6 {
		t.Fatalf("cost %s", stringify(cost))
	}
	if metas.Get("n").Int() < len(names) {
		t.Fatalf("%d file events carried the camera in meta, want %d", metas.Get("n").Int(), len(names))
	}

	// Left out, the copy drops from the counts and its warning goes; bad
	// indexes are refused.
	if _, err := await(t, up.Call("exclude", js.ValueOf([]any{6}))); err != nil {
		t.Fatal(err)
	}
	if s, err = await(t, up.Call("inspect")); err != nil || s.Get("files").Int() != 6 || warningFiles(s, "duplicate_content") != nil {
		t.Fatalf("after exclude: %s, %v", stringify(s), err)
	}
	if _, err := await(t, up.Call("include", 6)); err != nil {
		t.Fatal(err)
	}
	if s, err = await(t, up.Call("inspect")); err != nil || s.Get("files").Int() != 7 {
		t.Fatalf("after include: %s, %v", stringify(s), err)
	}
	for _, args := range [][]any{{}, {"1"}, {-1}, {1.5}, {[]any{[]any{1}}}, {99}} {
		_, err := await(t, up.Call("exclude", args...))
		wantCode(t, err, "invalid_input", "")
	}
}

// TestReplaceInvalid: a photo cut short ends Invalid; replaced by its whole
// version through replace(), it is sent again and ends Ready.
func TestReplaceInvalid(t *testing.T) {
	up := sandboxUploader(t)
	set := surveyFiles(t, up, "dji-1.jpg", "dji-2-truncated.jpg")
	if rep, err := await(t, up.Call("start")); err != nil || rep.Get("uploaded").Int() != 2 {
		t.Fatalf("first start: %v, %v", stringify(rep), err)
	}
	res, err := await(t, up.Call("waitProcessed"))
	if err != nil || res.Get("invalid").Int() != 1 || res.Get("invalidFiles").Index(0).Get("index").Int() != 1 {
		t.Fatalf("first wait: %v, %v", stringify(res), err)
	}
	_, err = await(t, up.Call("replace", 1, "dji-2.jpg"))
	wantCode(t, err, "invalid_input", "")
	if _, err := await(t, up.Call("replace", 1, jsFile("dji-2.jpg", set["dji-2.jpg"].Bytes))); err != nil {
		t.Fatal(err)
	}
	if rep, err := await(t, up.Call("start")); err != nil || rep.Get("uploaded").Int() < 1 {
		t.Fatalf("second start: %v, %v", stringify(rep), err)
	}
	res, err = await(t, up.Call("waitProcessed"))
	if err != nil || res.Get("ready").Int() != 2 || res.Get("invalid").Int() != 0 {
		t.Fatalf("after replace: %v, %v", stringify(res), err)
	}
}

// TestExportPositions: exportPositions gives the batch's positions as CSV
// and GeoJSON, named by their paths, without the photo that has no GPS nor
// the one left out; any other format is refused.
func TestExportPositions(t *testing.T) {
	up := sandboxUploader(t)
	byName := map[string]phototest.Named{}
	for _, f := range phototest.Set() {
		byName[f.Name] = f
	}
	names := []string{"dji-1.jpg", "dji-nogps.jpg", "sony-1.jpg", "dji-2.jpg"}
	files := js.Global().Get("Array").New()
	paths := js.Global().Get("Array").New()
	for _, n := range names {
		files.Call("push", jsFile(n, byName[n].Bytes))
		paths.Call("push", "flight/"+n)
	}
	if _, err := await(t, up.Call("add", files, object(map[string]any{"paths": paths}))); err != nil {
		t.Fatal(err)
	}
	if _, err := await(t, up.Call("exclude", 3)); err != nil {
		t.Fatal(err)
	}
	text, err := await(t, up.Call("exportPositions", "csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(text.String())).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != "index,name,lat,lon,alt" {
		t.Fatalf("csv %q, %v", text.String(), err)
	}
	for i, want := range []struct {
		index, name string
		photo       phototest.Named
	}{{"0", "flight/dji-1.jpg", byName["dji-1.jpg"]}, {"2", "flight/sony-1.jpg", byName["sony-1.jpg"]}} {
		r := rows[i+1]
		lat, _ := strconv.ParseFloat(r[2], 64)
		lon, _ := strconv.ParseFloat(r[3], 64)
		if r[0] != want.index || r[1] != want.name || math.Abs(lat-want.photo.Photo.Lat) > 1e-6 || math.Abs(lon-want.photo.Photo.Lon) > 1e-6 {
			t.Errorf("row %d: %q, want %s %s at %v, %v", i+1, r, want.index, want.name, want.photo.Photo.Lat, want.photo.Photo.Lon)
		}
	}

	text, err = await(t, up.Call("exportPositions", "geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties struct {
				Name  string
				Index int
			}
		}
	}
	if err := json.Unmarshal([]byte(text.String()), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("geojson %s, %v", text.String(), err)
	}
	if f := fc.Features[1]; f.Properties.Name != "flight/sony-1.jpg" || f.Properties.Index != 2 || f.Geometry.Type != "Point" ||
		math.Abs(f.Geometry.Coordinates[0]-byName["sony-1.jpg"].Photo.Lon) > 1e-6 || math.Abs(f.Geometry.Coordinates[1]-byName["sony-1.jpg"].Photo.Lat) > 1e-6 {
		t.Errorf("feature %+v", f)
	}

	for _, args := range [][]any{{}, {"kml"}, {1}} {
		_, err := await(t, up.Call("exportPositions", args...))
		wantCode(t, err, "invalid_input", "")
	}
}
