package inspect

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// Position is where a photo was taken.
type Position struct {
	Index    int
	Name     string
	Lat, Lon float64
	Alt      *float64 // meters above sea level, when known
}

// Positions returns the positions of the photos that carry a real one
// (0, 0 aside), by Index.
func Positions(files []File) []Position {
	var out []Position
	for i := range files {
		if f := &files[i]; f.image() && f.located() {
			out = append(out, Position{f.Index, f.Name, *f.Meta.Lat, *f.Meta.Lon, f.Meta.Alt})
		}
	}
	sortByIndex(out, func(p Position) int { return p.Index })
	return out
}

// WriteCSV writes ps as CSV with the header index,name,lat,lon,alt (alt
// empty when unknown).
func WriteCSV(w io.Writer, ps []Position) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"index", "name", "lat", "lon", "alt"})
	for _, p := range ps {
		alt := ""
		if p.Alt != nil {
			alt = number(*p.Alt)
		}
		cw.Write([]string{strconv.Itoa(p.Index), p.Name, number(p.Lat), number(p.Lon), alt})
	}
	cw.Flush()
	return cw.Error()
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// GeoJSON returns ps as a GeoJSON FeatureCollection of Points
// ([lon, lat] or [lon, lat, alt]) with the properties name and index.
func GeoJSON(ps []Position) ([]byte, error) {
	type geometry struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	}
	type properties struct {
		Name  string `json:"name"`
		Index int    `json:"index"`
	}
	type feature struct {
		Type       string     `json:"type"`
		Geometry   geometry   `json:"geometry"`
		Properties properties `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{"FeatureCollection", make([]feature, 0, len(ps))}
	for _, p := range ps {
		c := []float64{p.Lon, p.Lat}
		if p.Alt != nil {
			c = append(c, *p.Alt)
		}
		fc.Features = append(fc.Features, feature{"Feature", geometry{"Point", c}, properties{p.Name, p.Index}})
	}
	return json.Marshal(fc)
}
