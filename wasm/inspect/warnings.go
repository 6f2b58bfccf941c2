package inspect

import (
	"fmt"
	"slices"
	"strings"
)

// Warning is something wrong with the batch, and the files (by Index) it
// concerns. Code is stable and is the key a page translates by; Message
// says it in English using only len(Files) and, for mixed_cameras and
// mixed_resolutions, the Summary's most common camera or size.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Files   []int  `json:"files"`
}

// Warning codes, in the order Summarize lists them.
const (
	NotImage           = "not_image"
	UnreadableMetadata = "unreadable_metadata"
	DuplicateContent   = "duplicate_content"
	TooFewImages       = "too_few_images"
	NoGPS              = "no_gps"
	ZeroGPS            = "zero_gps"
	FarOutlier         = "far_outlier"
	MixedCameras       = "mixed_cameras"
	MixedResolutions   = "mixed_resolutions"
)

// Thresholds of too_few_images and far_outlier.
const (
	MinImages     = 3
	OutlierMeters = 10_000
)

func warnings(files []File, sums map[int]string, images int) []Warning {
	var ws []Warning
	add := func(code string, idx []int, message string) {
		if len(idx) > 0 || code == TooFewImages {
			ws = append(ws, Warning{code, message, append([]int{}, idx...)})
		}
	}
	var notImage, unreadable, noGPS, zeroGPS []int
	for i := range files {
		f := &files[i]
		switch {
		case !f.image():
			notImage = append(notImage, f.Index)
		case !f.readable():
			unreadable = append(unreadable, f.Index)
		case f.zeroGPS():
			zeroGPS = append(zeroGPS, f.Index)
		case !f.Meta.HasGPS():
			noGPS = append(noGPS, f.Index)
		}
	}
	add(NotImage, notImage, fmt.Sprintf("%s not a JPEG, PNG or TIFF image and will not be sent.", are(len(notImage), "file")))
	add(UnreadableMetadata, unreadable, fmt.Sprintf("%s metadata that cannot be read: size, camera and position unknown.", have(len(unreadable), "photo")))
	dups := duplicates(files, sums)
	add(DuplicateContent, dups, fmt.Sprintf("%s the same content as another photo of the batch.", have(len(dups), "photo")))
	if images < MinImages {
		add(TooFewImages, nil, fmt.Sprintf("Only %s: a reconstruction needs at least %d.", count(images, "photo"), MinImages))
	}
	add(NoGPS, noGPS, fmt.Sprintf("%s no GPS position.", have(len(noGPS), "photo")))
	add(ZeroGPS, zeroGPS, fmt.Sprintf("%s the GPS position 0, 0, which is no real position.", have(len(zeroGPS), "photo")))
	far := outliers(files)
	add(FarOutlier, far, fmt.Sprintf("%s more than %d km from the middle of the others.", lie(len(far)), OutlierMeters/1000))
	if odd, n, common := minority(files, cameraKey); n > 1 {
		add(MixedCameras, odd, fmt.Sprintf("The photos come from %d cameras; %s not from the most common, %s.", n, are(len(odd), "photo"), common))
	}
	if odd, n, common := minority(files, sizeKey); n > 1 {
		add(MixedResolutions, odd, fmt.Sprintf("The photos come in %d sizes; %s not %s, the most common.", n, are(len(odd), "photo"), common))
	}
	return ws
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func are(n int, noun string) string  { return verb(n, noun, "is", "are") }
func have(n int, noun string) string { return verb(n, noun, "has", "have") }
func lie(n int) string               { return verb(n, "photo", "lies", "lie") }

func verb(n int, noun, one, many string) string {
	if n == 1 {
		return count(n, noun) + " " + one
	}
	return count(n, noun) + " " + many
}

// outliers are the located photos more than OutlierMeters from the median
// position of them all, when there are at least MinImages of them.
func outliers(files []File) []int {
	var lats, lons []float64
	for i := range files {
		if f := &files[i]; f.image() && f.located() {
			lats, lons = append(lats, *f.Meta.Lat), append(lons, *f.Meta.Lon)
		}
	}
	if len(lats) < MinImages {
		return nil
	}
	lat, lon := median(lats), median(lons)
	var out []int
	for i := range files {
		if f := &files[i]; f.image() && f.located() && distance(lat, lon, *f.Meta.Lat, *f.Meta.Lon) > OutlierMeters {
			out = append(out, f.Index)
		}
	}
	return out
}

// cameraKey names a readable photo's camera; "" when it gives none.
func cameraKey(f *File) string {
	return strings.TrimSpace(f.Meta.Make + " " + f.Meta.Model)
}

// sizeKey names a readable photo's size, the longer side first so that a
// photo turned upright is of the same size; "" when unknown.
func sizeKey(f *File) string {
	if f.Meta.Width <= 0 || f.Meta.Height <= 0 {
		return ""
	}
	return fmt.Sprintf("%d × %d", max(f.Meta.Width, f.Meta.Height), min(f.Meta.Width, f.Meta.Height))
}

// minority groups the readable photos by key (those with key "" aside) and
// returns those not of the largest group (on a tie, the one of the lowest
// Index), the number of groups and the largest group's key.
func minority(files []File, key func(*File) string) (odd []int, groups int, common string) {
	type group struct {
		n, first int
	}
	byKey := map[string]*group{}
	for i := range files {
		f := &files[i]
		if !f.readable() {
			continue
		}
		k := key(f)
		if k == "" {
			continue
		}
		if g, ok := byKey[k]; ok {
			g.n++
		} else {
			byKey[k] = &group{1, f.Index}
		}
	}
	var best *group
	for k, g := range byKey {
		if best == nil || g.n > best.n || g.n == best.n && g.first < best.first {
			best, common = g, k
		}
	}
	for i := range files {
		if f := &files[i]; f.readable() {
			if k := key(f); k != "" && k != common {
				odd = append(odd, f.Index)
			}
		}
	}
	slices.Sort(odd)
	return odd, len(byKey), common
}
