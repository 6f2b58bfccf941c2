package sandbox

import (
	"context"
	"slices"
	"strings"

	"altiup/server/sandbox/internal/graph"
)

type ctxKey int

const requestKey ctxKey = 0

// request is what the HTTP layer tells the resolvers about a request.
type request struct {
	token     string
	sentToken bool
	remoteIP  string
	baseURL   string // scheme://host the request came to
}

func requestFrom(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey).(*request)
	if r == nil {
		r = &request{}
	}
	return r
}

// user returns the user whose token the request carries.
func (s *Sandbox) user(ctx context.Context) (*User, error) {
	r := requestFrom(ctx)
	if !r.sentToken || r.token == "" {
		return nil, errorf(CodeUnauthenticated, "this needs a user token: send it in the header altitoken (get one through /auth/start)")
	}
	u := s.users[r.token]
	if u == nil {
		return nil, errorf(CodeUnauthenticated, "the user token in the header altitoken is not known to this server")
	}
	return u, nil
}

type resolver struct{ s *Sandbox }

func (r resolver) Query() graph.QueryResolver       { return queryResolver(r) }
func (r resolver) Mutation() graph.MutationResolver { return mutationResolver(r) }
func (r resolver) Project() graph.ProjectResolver   { return projectResolver(r) }
func (r resolver) Search() graph.SearchResolver     { return searchResolver(r) }
func (r resolver) Support() graph.SupportResolver   { return supportResolver(r) }
func (r resolver) Bank() graph.BankResolver         { return bankResolver(r) }
func (r resolver) My() graph.MyResolver             { return myResolver(r) }
func (r resolver) Image() graph.ImageResolver       { return imageResolver(r) }

var _ graph.ResolverRoot = resolver{}

type queryResolver struct{ s *Sandbox }

func (q queryResolver) Project(ctx context.Context, id string) (*graph.Project, error) {
	u, err := q.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := q.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, id)
	if err != nil {
		return nil, nil // null, as the real service answers
	}
	now := s.clock.Now()
	s.refreshLocked(p, now)
	return s.projectView(p, now), nil
}

func (q queryResolver) My(ctx context.Context) (*graph.My, error) {
	if _, err := q.s.user(ctx); err != nil {
		return nil, err
	}
	return &graph.My{}, nil
}

func (q queryResolver) Search(ctx context.Context) (*graph.Search, error) {
	if _, err := q.s.user(ctx); err != nil {
		return nil, err
	}
	return &graph.Search{}, nil
}

type searchResolver struct{ s *Sandbox }

func (r searchResolver) ProjectID(ctx context.Context, _ *graph.Search, id *string, limit *int, _ *bool) ([]graph.Project, error) {
	u, err := r.s.user(ctx)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if id != nil {
		prefix = strings.ToLower(strings.TrimSpace(*id))
	}
	n := 10
	if limit != nil && *limit > 0 {
		n = min(*limit, 100)
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var found []*projectRec
	for _, p := range s.projects {
		if p.Owner == u.Username && strings.HasPrefix(p.ID, prefix) {
			found = append(found, p)
		}
	}
	slices.SortFunc(found, func(a, b *projectRec) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmpStr(b.ID, a.ID)
	})
	out := []graph.Project{}
	for _, p := range found[:min(n, len(found))] {
		s.refreshLocked(p, now)
		out = append(out, *s.projectView(p, now))
	}
	return out, nil
}

type projectResolver struct{ s *Sandbox }

func (r projectResolver) Image(ctx context.Context, obj *graph.Project, id string) (*graph.Image, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	img := s.images[id]
	if img == nil || img.PID != obj.ID {
		return nil, nil
	}
	return s.imageView(img), nil
}

func (r projectResolver) Task(ctx context.Context, obj *graph.Project) (*graph.Task, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[obj.ID]
	if p == nil {
		return nil, nil
	}
	t := s.latestTaskLocked(p)
	if t == nil {
		return nil, nil
	}
	return s.taskView(t, s.clock.Now()), nil
}

func (r projectResolver) AllImages(ctx context.Context, obj *graph.Project, filter *graph.ImageFilter, first *int, after *string, last *int, before *string) (*graph.ImageConnection, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[obj.ID]
	if p == nil {
		return nil, errorf(CodeNotFound, "project %s not found", quote(obj.ID))
	}
	keep := func(img *imageRec) bool {
		if filter == nil {
			return true
		}
		switch *filter {
		case graph.ImageFilterReady:
			return img.State == stateReady
		case graph.ImageFilterInvalid:
			return img.State == stateInvalid
		case graph.ImageFilterPending:
			return !isFinal(img.State)
		}
		return true
	}
	get := func(id string) *imageRec { return s.images[id] }
	all, a, b, err := page(p.Images, get, keep, first, last, after, before, "an image of this project")
	if err != nil {
		return nil, err
	}
	conn := &graph.ImageConnection{
		TotalCount: len(all),
		PageInfo:   pageInfo(a, b, len(all)),
		Edges:      []graph.ImageEdge{},
	}
	for _, img := range all[a:b] {
		conn.Edges = append(conn.Edges, graph.ImageEdge{Cursor: img.ID, Node: s.imageView(img)})
	}
	if a < b {
		conn.PageInfo.StartCursor = &all[a].ID
		conn.PageInfo.EndCursor = &all[b-1].ID
	}
	return conn, nil
}
