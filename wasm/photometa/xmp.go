package photometa

import (
	"bytes"
	"math"
	"strconv"
)

// readXMP takes DJI's gimbal pitch and relative altitude from an XMP packet,
// written either as attributes (drone-dji:Name="v") or as elements
// (<drone-dji:Name>v</drone-dji:Name>).
func readXMP(p []byte, m *Meta) {
	m.Pitch = xmpNumber(p, "drone-dji:GimbalPitchDegree")
	m.RelativeAlt = xmpNumber(p, "drone-dji:RelativeAltitude")
}

func xmpNumber(p []byte, name string) *float64 {
	i := bytes.Index(p, []byte(name))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(p[i+len(name):], " \t\r\n")
	var end byte
	switch {
	case len(rest) > 0 && rest[0] == '>':
		rest, end = rest[1:], '<'
	case len(rest) > 0 && rest[0] == '=':
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return nil
		}
		rest, end = rest[1:], rest[0]
	default:
		return nil
	}
	j := bytes.IndexByte(rest, end)
	if j < 0 || j > 64 {
		return nil
	}
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(rest[:j])), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
