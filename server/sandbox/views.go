package sandbox

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// Views copy records into the generated models; call them with s.mu held.

func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func intPtr(i int) *int {
	if i == 0 {
		return nil
	}
	return &i
}

// minPixels is the fewest pixels an image counts for: the service counts
// every image as at least 1920 x 1080.
const minPixels = 1920 * 1080

// gigapixels is what an image counts for, as the service counts it; 0 for
// an image not yet measured.
func gigapixels(w, h int) float64 {
	if w <= 0 || h <= 0 {
		return 0
	}
	return float64(max(int64(w)*int64(h), minPixels)) / 1e9
}

func (s *Sandbox) imageView(img *imageRec) *graph.Image {
	v := &graph.Image{
		ID:        img.ID,
		State:     graph.ImageState(img.State),
		Name:      img.Name,
		Filename:  img.Filename,
		Checksum:  strPtr(img.Checksum),
		Error:     append([]string{}, img.Errors...),
		Size:      float64(img.Size),
		Width:     intPtr(img.Width),
		Height:    intPtr(img.Height),
		GigaPixel: gigapixels(img.Width, img.Height),
		Grounded:  img.GPS,
		Cloud:     strPtr(string(img.Cloud)),
		Bucket:    strPtr(img.Bucket),
		Date:      utc(img.Created),
	}
	if img.Type != "" {
		t := graph.ImageType(img.Type)
		v.Type = &t
	}
	return v
}

// viewImage makes a view of an image, locking.
func (s *Sandbox) viewImage(img *imageRec) *graph.Image {
	if img == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imageView(img)
}

func (s *Sandbox) taskView(t *taskRec, now time.Time) *graph.Task {
	st, q := s.taskState(t, now)
	return &graph.Task{
		ID:        t.ID,
		TaskType:  graph.TaskType(t.Type),
		State:     st,
		StartDate: utc(t.Start),
		EndDate:   utc(s.taskEnd(t, now)),
		Queueing:  q,
		Error:     strPtr(t.Failure),
	}
}

func (s *Sandbox) projectView(p *projectRec, now time.Time) *graph.Project {
	v := &graph.Project{
		ID:          p.ID,
		Name:        p.Name,
		IsImported:  p.Imported,
		ProjectType: graph.ProjectType(p.Type),
		Visibility:  graph.ProjectVisibility(p.Visibility),
		NumImage:    len(p.Images),
		TaskState:   taskIdle,
		Date:        utc(p.Created),
		CloudPath:   []graph.CloudPath{},
		Downloads:   &graph.DownloadConnection{Edges: []graph.DownloadEdge{}},
	}
	if p.Imported {
		v.ImportedState = strPtr(cmp.Or(p.ImportedState, "Pending"))
	}
	var paths []string
	for _, id := range p.Images {
		img := s.images[id]
		if img.State == stateReady {
			v.GigaPixel += gigapixels(img.Width, img.Height)
		}
		var bucket string
		if img.Cloud == CloudOSS {
			bucket = ossBucketName(img.Bucket)
		} else {
			bucket = strings.ToLower(string(img.Cloud)) + "-" + strings.ToLower(img.Bucket)
		}
		if k := bucket + "/" + p.ID + "/"; !slices.Contains(paths, k) {
			paths = append(paths, k)
		}
	}
	for _, k := range paths {
		v.CloudPath = append(v.CloudPath, graph.CloudPath{Key: k})
	}
	if t := s.latestTaskLocked(p); t != nil {
		v.TaskState, _ = s.taskState(t, now)
	}
	return v
}
