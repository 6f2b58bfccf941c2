package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// stateFileName is the file in Config.DataDir that holds the state.
const stateFileName = "sandbox.json"

// Sandbox is the Altizure-compatible API. Create it with New, serve
// Handler, and Close it after the HTTP server has stopped.
type Sandbox struct {
	cfg   Config
	log   *slog.Logger
	clock Clock

	users       map[string]*User // by token
	usersByName map[string]*User

	mu         sync.Mutex
	projects   map[string]*projectRec
	images     map[string]*imageRec
	tasks      map[string]*taskRec
	byChecksum map[string]string // pid + "/" + checksum → image id
	queue      []string          // images waiting for validation
	fetching   map[string]bool   // images whose URL is being fetched
	files      map[string]*fileRec
	reports    []reportRec
	balances   map[string]float64   // by username
	faces      map[string]string    // by username
	loginCodes map[string]loginCode // by phone

	validateKick chan struct{}
	dirty        chan struct{}
	saveMu       sync.Mutex

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	handler http.Handler
}

// New checks cfg, loads the state from cfg.DataDir when there is one, and
// starts the background work.
func New(cfg Config) (*Sandbox, error) {
	cfg.setDefaults()
	if cfg.AppKey == "" {
		return nil, errors.New("sandbox: Config.AppKey is empty")
	}
	if len(cfg.Users) == 0 {
		return nil, errors.New("sandbox: Config.Users is empty")
	}
	s := &Sandbox{
		cfg:          cfg,
		log:          cfg.Logger,
		clock:        cfg.Clock,
		users:        map[string]*User{},
		usersByName:  map[string]*User{},
		projects:     map[string]*projectRec{},
		images:       map[string]*imageRec{},
		tasks:        map[string]*taskRec{},
		byChecksum:   map[string]string{},
		fetching:     map[string]bool{},
		files:        map[string]*fileRec{},
		balances:     map[string]float64{},
		faces:        map[string]string{},
		loginCodes:   map[string]loginCode{},
		validateKick: make(chan struct{}, 1),
		dirty:        make(chan struct{}, 1),
	}
	for i := range cfg.Users {
		u := &cfg.Users[i]
		switch {
		case u.Token == "":
			return nil, fmt.Errorf("sandbox: user %d has no token", i)
		case u.Username == "":
			return nil, fmt.Errorf("sandbox: user %d has no username", i)
		case s.users[u.Token] != nil:
			return nil, fmt.Errorf("sandbox: users %q and %q share a token", s.users[u.Token].Username, u.Username)
		case s.usersByName[u.Username] != nil:
			return nil, fmt.Errorf("sandbox: two users are named %q", u.Username)
		}
		if err := s.checkUnique(u); err != nil {
			return nil, err
		}
		s.users[u.Token] = u
		s.usersByName[u.Username] = u
	}
	for _, b := range cfg.Buckets {
		if !validBucket(b.Cloud, b.Name) {
			return nil, fmt.Errorf("sandbox: bucket %q is not a value of the %s bucket enum", b.Name, b.Cloud)
		}
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	for _, u := range s.usersByName {
		if _, ok := s.balances[u.Username]; !ok {
			s.balances[u.Username] = u.Account.Balance
		}
	}
	s.handler = s.newHandler()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.start()
	return s, nil
}

func validBucket(c Cloud, name string) bool {
	switch c {
	case CloudOSS:
		return graph.BucketOss(name).IsValid()
	case CloudS3:
		return graph.BucketS3(name).IsValid()
	case CloudMinIO:
		return graph.BucketMinio(name).IsValid()
	}
	return false
}

// Handler serves /graphql and /auth/start.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Close stops the background work, waits for it, and writes the state one
// last time. Stop the HTTP server first: changes made after Close are not
// saved.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.closeErr = s.save()
	})
	return s.closeErr
}

// CreateProject creates a project for the user with that token, as
// createProject does, and returns its id.
func (s *Sandbox) CreateProject(userToken, name string) (string, error) {
	u := s.users[userToken]
	if u == nil {
		return "", errorf(CodeUnauthenticated, "unknown user token")
	}
	p, err := s.createProject(u, name, "", false, "", "")
	if err != nil {
		return "", err
	}
	return p.ID, nil
}

// EnsureProject returns the user's oldest project with that name, creating
// it when there is none, so a sandbox restarted on the same data keeps one
// demo project instead of a new one each time.
func (s *Sandbox) EnsureProject(userToken, name string) (string, error) {
	u := s.users[userToken]
	if u == nil {
		return "", errorf(CodeUnauthenticated, "unknown user token")
	}
	s.mu.Lock()
	var found *projectRec
	for _, p := range s.projects {
		if p.Owner == u.Username && p.Name == name && (found == nil || p.Created.Before(found.Created)) {
			found = p
		}
	}
	s.mu.Unlock()
	if found != nil {
		return found.ID, nil
	}
	return s.CreateProject(userToken, name)
}

func (s *Sandbox) start() {
	s.mu.Lock()
	now := s.clock.Now()
	// Work cut short by a restart starts again.
	for _, img := range s.images {
		switch {
		case img.State == stateProcessing || img.State == stateUploaded:
			img.State = stateUploaded
			s.queue = append(s.queue, img.ID)
		case img.SourceURL != "" && (img.State == statePending || img.State == stateUploading):
			s.startFetchLocked(img, now)
		}
	}
	slices.Sort(s.queue)
	for _, f := range s.files {
		if f.State == filePending && f.SourceURL != "" {
			s.startFileFetchLocked(f)
		}
	}
	s.mu.Unlock()
	s.kickValidators()

	s.goLoop(s.watchLoop)
	s.goLoop(s.saveLoop)
	for range s.cfg.Validators {
		s.goLoop(s.validateLoop)
	}
}

func (s *Sandbox) goLoop(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// changed marks the state for saving.
func (s *Sandbox) changed() {
	select {
	case s.dirty <- struct{}{}:
	default:
	}
}

func (s *Sandbox) saveLoop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.dirty:
		}
		// Gather the changes that follow closely, then write once.
		select {
		case <-s.ctx.Done():
			return // Close saves.
		case <-time.After(s.cfg.SaveDelay):
		}
		if err := s.save(); err != nil {
			s.log.Error("sandbox: saving state", "err", err)
		}
	}
}

// save writes the state file atomically: a temporary file in the same
// directory, synced, then renamed over the old one.
func (s *Sandbox) save() error {
	if s.cfg.DataDir == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	st := stateFile{Version: stateVersion}
	for _, p := range s.projects {
		st.Projects = append(st.Projects, p)
	}
	for _, img := range s.images {
		st.Images = append(st.Images, img)
	}
	for _, t := range s.tasks {
		st.Tasks = append(st.Tasks, t)
	}
	for _, f := range s.files {
		st.Files = append(st.Files, f)
	}
	st.Reports = slices.Clone(s.reports)
	st.Balances = maps.Clone(s.balances)
	st.Faces = maps.Clone(s.faces)
	slices.SortFunc(st.Projects, func(a, b *projectRec) int { return cmpStr(a.ID, b.ID) })
	slices.SortFunc(st.Images, func(a, b *imageRec) int { return cmpStr(a.ID, b.ID) })
	slices.SortFunc(st.Tasks, func(a, b *taskRec) int { return cmpStr(a.ID, b.ID) })
	slices.SortFunc(st.Files, func(a, b *fileRec) int { return cmpStr(a.ID, b.ID) })
	b, err := json.MarshalIndent(st, "", "\t")
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("sandbox: encoding state: %w", err)
	}
	path := filepath.Join(s.cfg.DataDir, stateFileName)
	f, err := os.CreateTemp(s.cfg.DataDir, stateFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("sandbox: saving state: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("sandbox: saving state: %w", err)
	}
	return nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Sandbox) load() error {
	path := filepath.Join(s.cfg.DataDir, stateFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sandbox: loading state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("sandbox: %s is not a valid state file: %w", path, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("sandbox: %s has version %d; this sandbox reads version %d", path, st.Version, stateVersion)
	}
	for _, p := range st.Projects {
		s.projects[p.ID] = p
	}
	for _, img := range st.Images {
		if s.projects[img.PID] == nil {
			return fmt.Errorf("sandbox: %s: image %s belongs to no project", path, img.ID)
		}
		s.images[img.ID] = img
	}
	for _, t := range st.Tasks {
		s.tasks[t.ID] = t
	}
	for _, f := range st.Files {
		if s.projects[f.PID] == nil {
			return fmt.Errorf("sandbox: %s: file %s belongs to no project", path, f.ID)
		}
		s.files[f.ID] = f
	}
	s.reports = st.Reports
	maps.Copy(s.balances, st.Balances)
	maps.Copy(s.faces, st.Faces)
	// The checksum index follows the project's image order, so the oldest
	// image with a checksum wins, as it did before the restart.
	for _, p := range s.projects {
		for _, id := range p.Images {
			img := s.images[id]
			if img == nil {
				return fmt.Errorf("sandbox: %s: project %s lists a missing image %s", path, p.ID, id)
			}
			if img.Checksum != "" && img.State != stateInvalid {
				k := p.ID + "/" + img.Checksum
				if _, ok := s.byChecksum[k]; !ok {
					s.byChecksum[k] = id
				}
			}
		}
		for _, id := range p.Images {
			img := s.images[id]
			if img.Checksum != "" {
				k := p.ID + "/" + img.Checksum
				if _, ok := s.byChecksum[k]; !ok {
					s.byChecksum[k] = id
				}
			}
		}
	}
	return nil
}
