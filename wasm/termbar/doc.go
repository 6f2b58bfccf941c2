// Package termbar draws an upload's progress on a terminal: one bar of the
// bytes sent with the rate and the time left, the files done, and lines
// (failures, the summary) printed above it. It is the one place that uses
// github.com/schollz/progressbar: kept up, pure Go, it redraws one line in
// place at a bounded rate, fits the terminal's width, and prints buffered
// lines above the bar without tearing it.
package termbar
