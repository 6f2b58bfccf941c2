package sandbox

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"

	"altiup/server/sandbox/internal/graph"
)

func (r myResolver) AllProjects(ctx context.Context, _ *graph.My, first, last *int, before, after, search *string) (*graph.ProjectConnection, error) {
	u, err := r.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	ids := s.projectsOfLocked(u)
	q := ""
	if search != nil {
		q = strings.ToLower(strings.TrimSpace(*search))
	}
	keep := func(p *projectRec) bool {
		return q == "" || strings.Contains(strings.ToLower(p.Name), q) || strings.HasPrefix(p.ID, q)
	}
	get := func(id string) *projectRec { return s.projects[id] }
	all, a, b, err := page(ids, get, keep, first, last, after, before, "a project of yours")
	if err != nil {
		return nil, err
	}
	conn := &graph.ProjectConnection{TotalCount: len(all), PageInfo: pageInfo(a, b, len(all)), Edges: []graph.ProjectEdge{}}
	for _, p := range all[a:b] {
		s.refreshLocked(p, now)
		conn.Edges = append(conn.Edges, graph.ProjectEdge{Cursor: p.ID, Node: s.projectView(p, now)})
	}
	if a < b {
		conn.PageInfo.StartCursor = &all[a].ID
		conn.PageInfo.EndCursor = &all[b-1].ID
	}
	return conn, nil
}

// projectsOfLocked lists the ids of the user's projects, newest first.
func (s *Sandbox) projectsOfLocked(u *User) []string {
	var found []*projectRec
	for _, p := range s.projects {
		if p.Owner == u.Username {
			found = append(found, p)
		}
	}
	slices.SortFunc(found, func(a, b *projectRec) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmpStr(b.ID, a.ID)
	})
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID
	}
	return ids
}

// Optional methods of the storage backends: when a backend has them,
// removeProject deletes the project's objects through them.
type (
	ossDeleter interface {
		Delete(ctx context.Context, bucket, key string) error
	}
	s3Deleter interface {
		Delete(ctx context.Context, key string) error
	}
)

func (m mutationResolver) RemoveProject(ctx context.Context, id string) (*graph.Project, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := m.s
	s.mu.Lock()
	p, err := s.projectFor(u, id)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	now := s.clock.Now()
	view := s.projectView(p, now)
	var oss, s3 []string // object keys; OSS ones as bucket + "\n" + key
	for _, iid := range p.Images {
		img := s.images[iid]
		if img.Cloud == CloudOSS {
			oss = append(oss, ossBucketName(img.Bucket)+"\n"+img.key())
		} else {
			s3 = append(s3, img.key())
		}
		delete(s.images, iid)
		delete(s.fetching, iid)
		if img.Checksum != "" {
			delete(s.byChecksum, p.ID+"/"+img.Checksum)
		}
	}
	s.queue = slices.DeleteFunc(s.queue, func(iid string) bool { return s.images[iid] == nil })
	for fid, f := range s.files {
		if f.PID == p.ID {
			s3 = append(s3, f.key())
			delete(s.files, fid)
			delete(s.fetching, fid)
		}
	}
	for _, tid := range p.Tasks {
		delete(s.tasks, tid)
	}
	delete(s.projects, p.ID)
	s.changed()
	s.mu.Unlock()

	s.deleteObjects(ctx, oss, s3)
	return view, nil
}

// deleteObjects deletes objects of a removed project; absent ones are fine.
func (s *Sandbox) deleteObjects(ctx context.Context, oss, s3 []string) {
	if d, ok := s.cfg.OSS.(ossDeleter); ok {
		for _, bk := range oss {
			bucket, key, _ := strings.Cut(bk, "\n")
			if err := d.Delete(ctx, bucket, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.log.Warn("sandbox: deleting an object of a removed project", "bucket", bucket, "key", key, "err", err)
			}
		}
	}
	if d, ok := s.cfg.S3.(s3Deleter); ok {
		for _, key := range s3 {
			if err := d.Delete(ctx, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.log.Warn("sandbox: deleting an object of a removed project", "key", key, "err", err)
			}
		}
	}
}

func (m mutationResolver) TransferProject(ctx context.Context, id string, options graph.TransferInput) (*graph.OperationResult, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := m.s
	to := s.userByEmail(options.Email)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, id)
	switch {
	case err != nil:
		return opFail(opNotFound, "%s", err.Error()), nil
	case to == nil:
		return opFail(opNotFound, "no user has the e-mail %s", quote(options.Email)), nil
	case to == u:
		return opFail(opSameUser, "the project is yours already"), nil
	}
	p.Owner = to.Username
	s.changed()
	return opSuccess(), nil
}

// maxReport bounds a report's description.
const maxReport = 4096

func (m mutationResolver) ReportProject(ctx context.Context, id, description string) (*graph.Project, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	description = strings.TrimSpace(description)
	switch {
	case description == "":
		return nil, errorf(CodeBadInput, "the description is empty: say what is wrong with the project")
	case len(description) > maxReport:
		return nil, errorf(CodeBadInput, "the description is longer than %d bytes", maxReport)
	}
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[id]
	if p == nil || (p.Owner != u.Username && p.Visibility == string(graph.ProjectVisibilityPrivate)) {
		return nil, errorf(CodeNotFound, "project %s not found", quote(id))
	}
	now := s.clock.Now()
	s.reports = append(s.reports, reportRec{PID: p.ID, Reporter: u.Username, Description: description, Date: now})
	s.changed()
	return s.projectView(p, now), nil
}
