package sandbox

import (
	"time"

	"altiup/server/sandbox/internal/graph"
)

// Image states, as the schema spells them.
const (
	statePending    = string(graph.ImageStatePending)
	stateUploading  = string(graph.ImageStateUploading)
	stateUploaded   = string(graph.ImageStateUploaded)
	stateProcessing = string(graph.ImageStateProcessing)
	stateReady      = string(graph.ImageStateReady)
	stateInvalid    = string(graph.ImageStateInvalid)
)

// Task states (Task.state is a String in the schema).
const (
	taskPending    = "Pending"
	taskQueueing   = "Queueing"
	taskProcessing = "Processing"
	taskDone       = "Done"
	taskFailed     = "Failed"
	taskStopped    = "Stopped"
	taskIdle       = "Idle"
)

func isFinal(state string) bool { return state == stateReady || state == stateInvalid }

// inFlight reports whether an upload of the image has begun but its
// validation has not ended.
func inFlight(state string) bool {
	return state == stateUploading || state == stateUploaded || state == stateProcessing
}

type projectRec struct {
	ID         string `json:"id"`
	Owner      string `json:"owner"` // User.Username
	Name       string `json:"name"`
	Type       string `json:"type"`
	Visibility string `json:"visibility"`
	Imported   bool   `json:"imported,omitempty"`
	ModelType  string `json:"modelType,omitempty"`
	// ImportedState is Pending until doneModelUpload makes it Done.
	ImportedState string    `json:"importedState,omitempty"`
	Created       time.Time `json:"created"`
	Images        []string  `json:"images"` // oldest first
	Tasks         []string  `json:"tasks"`  // oldest first
}

type imageRec struct {
	ID       string `json:"id"`
	PID      string `json:"pid"`
	Name     string `json:"name"`
	Filename string `json:"filename"`
	// Checksum is "" until known; ChecksumGiven tells whether the client
	// gave it (then the object must match it).
	Checksum      string   `json:"checksum,omitempty"`
	ChecksumGiven bool     `json:"checksumGiven,omitempty"`
	Type          string   `json:"type,omitempty"` // IMAGE_TYPE value, "" when not given
	Cloud         Cloud    `json:"cloud"`
	Bucket        string   `json:"bucket"` // enum value
	State         string   `json:"state"`
	Errors        []string `json:"errors,omitempty"`
	Size          int64    `json:"size,omitempty"`
	Width         int      `json:"width,omitempty"`
	Height        int      `json:"height,omitempty"`
	// Stored tells that the object arrived (it may be empty).
	Stored bool `json:"stored,omitempty"`
	// GPS tells whether the image carries a GPS position.
	GPS     bool      `json:"gps,omitempty"`
	Created time.Time `json:"created"`
	// SourceURL is where uploadImageURL fetches the image from.
	SourceURL string `json:"sourceURL,omitempty"`
}

func (img *imageRec) key() string { return img.PID + "/" + img.Filename }

type taskRec struct {
	ID      string    `json:"id"`
	PID     string    `json:"pid"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	// Waiting is set while a preStartReconstruction task waits for images.
	Waiting bool `json:"waiting,omitempty"`
	// Start is when the task entered the queue.
	Start time.Time `json:"start,omitzero"`
	// Failure says why the task Failed; "" otherwise.
	Failure string `json:"failure,omitempty"`
	// Images is how many Ready images the task uses.
	Images int `json:"images,omitempty"`
	// Stopped is when stopReconstruction stopped the task.
	Stopped time.Time `json:"stopped,omitzero"`
}

// File kinds: a meta file of a project, or a model file of an imported one.
const (
	kindMeta  = "meta"
	kindModel = "model"
)

// File states (MetaFile.state and ImportedModel.state).
const (
	filePending = "Pending"
	fileReady   = "Ready"
	fileInvalid = "Invalid"
)

// fileRec is a meta file or an imported model file, stored in the S3
// storage under <pid>/<kind>/<filename>.
type fileRec struct {
	ID            string    `json:"id"`
	PID           string    `json:"pid"`
	Kind          string    `json:"kind"`
	Name          string    `json:"name"`
	Filename      string    `json:"filename"`
	Checksum      string    `json:"checksum,omitempty"`
	ChecksumGiven bool      `json:"checksumGiven,omitempty"`
	Cloud         Cloud     `json:"cloud"`
	Bucket        string    `json:"bucket"`
	State         string    `json:"state"`
	Errors        []string  `json:"errors,omitempty"`
	Size          int64     `json:"size,omitempty"`
	Created       time.Time `json:"created"`
	SourceURL     string    `json:"sourceURL,omitempty"`
}

func (f *fileRec) key() string { return f.PID + "/" + f.Kind + "/" + f.Filename }

// reportRec is a reportProject call.
type reportRec struct {
	PID         string    `json:"pid"`
	Reporter    string    `json:"reporter"` // User.Username
	Description string    `json:"description"`
	Date        time.Time `json:"date"`
}

// stateFile is what DataDir/sandbox.json holds.
type stateFile struct {
	Version  int           `json:"version"`
	Projects []*projectRec `json:"projects"`
	Images   []*imageRec   `json:"images"`
	Tasks    []*taskRec    `json:"tasks"`
	Files    []*fileRec    `json:"files,omitempty"`
	Reports  []reportRec   `json:"reports,omitempty"`
	// Balances are the users' coins by username.
	Balances map[string]float64 `json:"balances,omitempty"`
	// Faces are the SHA-1 of each user's profile picture, by username.
	Faces map[string]string `json:"faces,omitempty"`
}

const stateVersion = 1
