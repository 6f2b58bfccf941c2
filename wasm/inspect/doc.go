// Package inspect sums up a batch of photos before it is sent: how many, how
// many gigapixels, which cameras, where and when they were taken, and what
// is wrong with the set (warnings with the files they name), and what the
// batch will cost. It works on per-file facts (File: name, size, and the
// photometa.Meta read from the file's first bytes), so it is plain Go and
// reads no file itself, except through the hash function a Batch is given
// to confirm duplicates.
//
// The rules: an image counts max(width × height, 2,073,600) pixels toward
// the gigapixels, as the service counts them (an image of unknown size counts
// the minimum). A position 0, 0 is no position (zero_gps). Duplicate
// candidates are files of the same size, capture time and camera; only they
// are hashed, and duplicate_content names the later copies (by Index), the
// first of each content staying unnamed. far_outlier names the photos over
// 10 km from the median latitude and longitude, when at least 3 have a
// position. Cost: coins = max(0, gigapixels − freeGPQuota) × coinPerGP.
//
// Summarize is the pure function; Batch accumulates files as they are added
// (and left out), keeps the checksums it computed so that nothing is hashed
// twice, and is safe for concurrent use. Price fills the cost, Positions,
// WriteCSV and GeoJSON export the photos' positions.
package inspect
