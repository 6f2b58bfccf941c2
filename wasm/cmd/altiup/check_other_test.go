//go:build !(js && wasm)

package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// surveyDir is the small survey of testdata/photos (see its gen.go): two
// cameras, one photo without GPS, an exact copy, a copy cut short.
func surveyDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "testdata", "photos"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckText: the summary names the files of each warning by their paths,
// and the exit code tells whether there are warnings.
func TestCheckText(t *testing.T) {
	dir := surveyDir(t)
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		want  []string
		never []string
	}{
		{"survey", []string{dir}, exitFailed, []string{
			"8 photos, 0.200 gigapixels, 33.4 KiB; 1 other file ignored\n",
			"  DJI FC6310 5472×3648 ×7\n  SONY ILCE-7RM4 9504×6336 ×1\n",
			"GPS: 7 of 8 photos\n",
			"Bounds: 22.542700, 114.056800 to 22.543600, 114.057300 (span 112 m)\n",
			"Captured: 2024-05-01T10:00:00+08:00 to 2024-05-01T10:05:00\n",
			"  duplicate_content: 1 photo has the same content as another photo of the batch.\n    photos/dji-1.jpg\n",
			"  no_gps: 1 photo has no GPS position.\n    photos/dji-nogps.jpg\n",
			"  mixed_cameras: The photos come from 2 cameras; 1 photo is not from the most common, DJI FC6310.\n    photos/sony-1.jpg\n",
		}, []string{"Cost:", "No warnings."}},
		{"clean", []string{filepath.Join(dir, "dji-2.jpg"), filepath.Join(dir, "dji-3.jpg"), filepath.Join(dir, "dji-4.jpg")}, exitOK,
			[]string{"3 photos, 0.060 gigapixels", "GPS: 3 of 3 photos\n", "No warnings.\n"}, []string{"Warnings:", "Cost:"}},
		{"one photo", []string{filepath.Join(dir, "dji-nogps.jpg")}, exitFailed,
			[]string{"GPS: 0 of 1 photos\n", "too_few_images: Only 1 photo", "no_gps: 1 photo has no GPS position.\n    dji-nogps.jpg\n"},
			[]string{"Bounds:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"check"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, never := range tc.never {
				if strings.Contains(out, never) {
					t.Errorf("output has %q:\n%s", never, out)
				}
			}
		})
	}
}

// checkJSON is the part of inspect()'s JSON the tests look at.
type checkJSON struct {
	Files      int     `json:"files"`
	Images     int     `json:"images"`
	Gigapixels float64 `json:"gigapixels"`
	Cameras    []struct {
		Model string `json:"model"`
		Count int    `json:"count"`
	} `json:"cameras"`
	WithGPS    int `json:"withGPS"`
	WithoutGPS int `json:"withoutGPS"`
	Warnings   []struct {
		Code  string `json:"code"`
		Files []int  `json:"files"`
	} `json:"warnings"`
	Cost *struct {
		Gigapixels  float64 `json:"gigapixels"`
		CoinPerGP   float64 `json:"coinPerGP"`
		FreeGPQuota float64 `json:"freeGPQuota"`
		Balance     float64 `json:"balance"`
		Currency    string  `json:"currency"`
	} `json:"cost"`
}

// TestCheckJSON: -json prints inspect()'s summary, one object and nothing
// else; the sandbox's demo user prices it when the API is given.
func TestCheckJSON(t *testing.T) {
	dir := surveyDir(t)
	// Files by their place in the walk: lexical order.
	const copyOfDJI1, noGPS, sony = 1, 6, 7
	for _, tc := range []struct {
		name    string
		sandbox bool
	}{{"no API", false}, {"sandbox", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var ts *testSandbox
			if tc.sandbox {
				ts = startSandbox(t, sandboxOptions{})
			}
			code, out, errOut := runCLI(t, ts, "check", "-json", dir)
			if code != exitFailed || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var s checkJSON
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, out)
			}
			// 7 photos of 5472 × 3648 and one of 9504 × 6336.
			wantGP := (7*5472*3648 + 9504*6336) / 1e9
			if s.Files != 8 || s.Images != 8 || s.WithGPS != 7 || s.WithoutGPS != 1 || math.Abs(s.Gigapixels-wantGP) > 1e-6 || len(s.Cameras) != 2 {
				t.Errorf("counts: %+v", s)
			}
			named := map[string][]int{}
			for _, w := range s.Warnings {
				named[w.Code] = w.Files
			}
			for code, want := range map[string]int{"duplicate_content": copyOfDJI1, "no_gps": noGPS, "mixed_cameras": sony} {
				if got := named[code]; len(got) != 1 || got[0] != want {
					t.Errorf("%s names %v, want [%d]", code, got, want)
				}
			}
			switch {
			case !tc.sandbox && s.Cost != nil:
				t.Errorf("a cost without an API: %+v", s.Cost)
			case tc.sandbox && s.Cost == nil:
				t.Errorf("no cost for the demo user:\n%s", out)
			case tc.sandbox:
				// The copy is not sent, so it is not priced.
				c := s.Cost
				if math.Abs(c.Gigapixels-(wantGP-5472*3648/1e9)) > 1e-6 || c.CoinPerGP != 8 || c.FreeGPQuota != 1 || c.Balance != 500 || c.Currency == "" {
					t.Errorf("cost %+v", *c)
				}
			}
		})
	}
}

// TestCheckCostText: with the API, the text ends with the cost.
func TestCheckCostText(t *testing.T) {
	ts := startSandbox(t, sandboxOptions{})
	code, out, errOut := runCLI(t, ts, "check", surveyDir(t))
	if code != exitFailed {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if want := "Cost: 0.180 GP at 8 coins/GP after 1 GP free: 0 coins; balance 500 coins\n"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// TestCheckExports: -csv and -geojson write the positions of the photos
// with GPS.
func TestCheckExports(t *testing.T) {
	dir := surveyDir(t)
	outDir := t.TempDir()
	csvPath, geoPath := filepath.Join(outDir, "positions.csv"), filepath.Join(outDir, "positions.geojson")
	code, out, errOut := runCLI(t, nil, "check", "-csv", csvPath, dir, "-geojson", geoPath)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}

	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || strings.Join(rows[0], ",") != "index,name,lat,lon,alt" {
		t.Fatalf("CSV: %v", rows)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[1])
	}
	if strings.Contains(strings.Join(names, " "), "nogps") || names[6] != "photos/sony-1.jpg" {
		t.Errorf("CSV names %v", names)
	}

	b, err := os.ReadFile(geoPath)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 7 {
		t.Fatalf("GeoJSON: %s", b)
	}
	last := fc.Features[6]
	if c := last.Geometry.Coordinates; last.Properties.Name != "photos/sony-1.jpg" || len(c) != 3 || math.Abs(c[1]-22.5427) > 1e-9 || math.Abs(c[0]-114.0568) > 1e-9 {
		t.Errorf("sony-1: %+v", last)
	}
}
