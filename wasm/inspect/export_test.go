package inspect_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
)

func exportFiles() []inspect.File {
	alt := 120.5
	m := at(22.5, 114.25)
	m.Alt = &alt
	return []inspect.File{
		{Index: 3, Name: `b, "quoted".jpg`, Meta: at(-33.75, -70.5)},
		{Index: 1, Name: "a.jpg", Meta: m},
		{Index: 2, Name: "none.jpg", Meta: photometa.Meta{Make: "DJI"}},
		{Index: 4, Name: "zero.jpg", Meta: at(0, 0)},
		{Index: 5, Name: "x.txt", Err: photometa.ErrNotImage},
	}
}

func TestWriteCSV(t *testing.T) {
	var b strings.Builder
	if err := inspect.WriteCSV(&b, inspect.Positions(exportFiles())); err != nil {
		t.Fatal(err)
	}
	want := "index,name,lat,lon,alt\n1,a.jpg,22.5,114.25,120.5\n3,\"b, \"\"quoted\"\".jpg\",-33.75,-70.5,\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestGeoJSON(t *testing.T) {
	b, err := inspect.GeoJSON(inspect.Positions(exportFiles()))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []any{114.25, 22.5, 120.5}},
			"properties": map[string]any{"name": "a.jpg", "index": 1.0}},
		map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []any{-70.5, -33.75}},
			"properties": map[string]any{"name": `b, "quoted".jpg`, "index": 3.0}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s", b)
	}
	if b, _ := inspect.GeoJSON(nil); string(b) != `{"type":"FeatureCollection","features":[]}` {
		t.Errorf("empty: %s", b)
	}
}
