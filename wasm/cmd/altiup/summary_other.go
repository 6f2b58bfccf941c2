//go:build !(js && wasm)

package main

import (
	"fmt"
	"io"
	"strings"

	"altiup/wasm/inspect"
	"altiup/wasm/localfile"
)

// printSummary writes the check of the photos for people: what the page's
// Check step shows, the files named by their paths. online tells whether
// the service was asked for the cost.
func printSummary(w io.Writer, s inspect.Summary, files []*localfile.File, skipped []localfile.Skipped, online bool) {
	path := func(idx int) string {
		if idx >= 0 && idx < len(files) {
			return files[idx].Path()
		}
		return fmt.Sprintf("file #%d", idx)
	}
	head := fmt.Sprintf("%s, %s gigapixels, %s", count(s.Images, "photo"), gigapixels(s.Gigapixels), bytesInWords(s.Bytes))
	if n := s.Files - s.Images; n > 0 {
		head += fmt.Sprintf("; %s not an image", are(n, "file"))
	}
	if len(skipped) > 0 {
		head += fmt.Sprintf("; %s ignored", count(len(skipped), "other file"))
	}
	fmt.Fprintln(w, head)

	if len(s.Cameras) > 0 {
		fmt.Fprintln(w, "Cameras:")
		for _, c := range s.Cameras {
			name := strings.TrimSpace(c.Make + " " + c.Model)
			if name == "" {
				name = "(no camera named)"
			}
			fmt.Fprintf(w, "  %s %d×%d ×%d\n", name, c.Width, c.Height, c.Count)
		}
	}
	fmt.Fprintf(w, "GPS: %d of %d photos\n", s.WithGPS, s.Images)
	if b := s.Bounds; b != nil {
		fmt.Fprintf(w, "Bounds: %.6f, %.6f to %.6f, %.6f (span %s)\n", b.MinLat, b.MinLon, b.MaxLat, b.MaxLon, meters(s.SpanMeters))
	}
	if s.CapturedFrom != nil && s.CapturedTo != nil {
		fmt.Fprintf(w, "Captured: %s to %s\n", *s.CapturedFrom, *s.CapturedTo)
	}

	if len(s.Warnings) == 0 {
		fmt.Fprintln(w, "No warnings.")
	} else {
		fmt.Fprintln(w, "Warnings:")
		for _, wa := range s.Warnings {
			fmt.Fprintf(w, "  %s: %s\n", wa.Code, wa.Message)
			for _, idx := range wa.Files {
				fmt.Fprintf(w, "    %s\n", path(idx))
			}
		}
	}

	switch c := s.Cost; {
	case c != nil:
		fmt.Fprintf(w, "Cost: %s GP at %g coins/GP after %g GP free: %g coins", gigapixels(c.Gigapixels), c.CoinPerGP, c.FreeGPQuota, round(c.Coins))
		if c.Coins > 0 {
			fmt.Fprintf(w, " (%.2f %s)", c.Money, c.Currency)
		}
		fmt.Fprintf(w, "; balance %g coins\n", c.Balance)
	case online:
		fmt.Fprintln(w, "Cost: unknown (the service did not give the account or the price)")
	}
}

// are is "1 file is" or "n files are".
func are(n int, what string) string {
	if n == 1 {
		return count(n, what) + " is"
	}
	return count(n, what) + " are"
}

// gigapixels is gp to the megapixel.
func gigapixels(gp float64) string { return fmt.Sprintf("%.3f", gp) }

// round is v to a hundredth.
func round(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// meters is a distance in m, or in km from 10 km.
func meters(m float64) string {
	if m >= 10_000 {
		return fmt.Sprintf("%.1f km", m/1000)
	}
	return fmt.Sprintf("%.0f m", m)
}
