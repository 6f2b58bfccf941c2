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

var _ graph.ResolverRoot = resolver{}

type queryResolver struct{ s *Sandbox }

func (q queryResolver) GetGeoIPInfo(ctx context.Context) (*graph.GeoIPInfo, error) {
	ip := requestFrom(ctx).remoteIP
	info := &graph.GeoIPInfo{ID: ip, IP: strPtr(ip), NearestBuckets: []graph.BucketInfo{}}
	for _, b := range q.s.cfg.Buckets {
		info.NearestBuckets = append(info.NearestBuckets, graph.BucketInfo{Bucket: b.Name, Display: b.Display, Cloud: string(b.Cloud)})
	}
	s3 := string(graph.BucketS3Tokyo)
	for _, b := range q.s.cfg.Buckets {
		if b.Cloud == CloudS3 {
			s3 = b.Name
			break
		}
	}
	info.NearestMetaBuckets = []graph.BucketInfo{
		{Bucket: s3, Display: s3 + " (AWS S3)", Cloud: string(CloudS3)},
		{Bucket: string(graph.BucketMinioMetaLocal), Display: "Local (MinIO)", Cloud: string(CloudMinIO)},
	}
	info.NearestModelBuckets = []graph.BucketInfo{
		{Bucket: string(graph.BucketS3ModelTokyo), Display: "Tokyo (AWS S3)", Cloud: string(CloudS3)},
		{Bucket: string(graph.BucketMinioModelLocal), Display: "Local (MinIO)", Cloud: string(CloudMinIO)},
	}
	return info, nil
}

func (q queryResolver) Support(ctx context.Context) (*graph.Support, error) {
	api, web := q.s.cfg.APIURL, q.s.cfg.WebURL
	base := requestFrom(ctx).baseURL
	if api == "" {
		api = base
	}
	if web == "" {
		web = base
	}
	return &graph.Support{SystemMode: "Normal", Endpoints: &graph.Endpoints{API: api, Web: web}}, nil
}

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
	u, err := q.s.user(ctx)
	if err != nil {
		return nil, err
	}
	return &graph.My{Self: &graph.User{Email: u.Email, Name: u.Name, Username: u.Username}}, nil
}

func (q queryResolver) Search(ctx context.Context) (*graph.Search, error) {
	if _, err := q.s.user(ctx); err != nil {
		return nil, err
	}
	return &graph.Search{}, nil
}

func (q queryResolver) Bank(ctx context.Context) (*graph.Bank, error) {
	return &graph.Bank{}, nil
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

type supportResolver struct{ s *Sandbox }

func (r supportResolver) SupportedCloud(ctx context.Context, _ *graph.Support, kind *graph.UploadType) ([]string, error) {
	out := []string{}
	if kind != nil && *kind != graph.UploadTypeImage {
		return out, nil
	}
	for _, b := range r.s.cfg.Buckets {
		if !slices.Contains(out, string(b.Cloud)) {
			out = append(out, string(b.Cloud))
		}
	}
	return out, nil
}

func (r supportResolver) NetworkTest(ctx context.Context, _ *graph.Support, url string) (string, error) {
	return r.s.networkTest(ctx, url), nil
}

type bankResolver struct{ s *Sandbox }

// coinPrices is what one coin costs in each currency.
var coinPrices = map[graph.Currency]float64{
	graph.CurrencyUsd: 0.10,
	graph.CurrencyCny: 0.70,
	graph.CurrencyHkd: 0.78,
	graph.CurrencyEur: 0.09,
}

func (bankResolver) CoinsToMoney(ctx context.Context, _ *graph.Bank, coins *float64, currency *graph.Currency) (float64, error) {
	c := graph.CurrencyUsd
	if currency != nil {
		c = *currency
	}
	if coins == nil {
		return 0, nil
	}
	if *coins < 0 {
		return 0, errorf(CodeBadInput, "coins must not be negative")
	}
	return *coins * coinPrices[c], nil
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

const (
	defaultPage = 50
	maxPage     = 500
)

func (r projectResolver) AllImages(ctx context.Context, obj *graph.Project, filter *graph.ImageFilter, first *int, after *string, last *int, before *string) (*graph.ImageConnection, error) {
	for _, n := range []*int{first, last} {
		if n != nil && *n < 0 {
			return nil, errorf(CodeBadInput, "first and last must not be negative")
		}
	}
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
	// Cursors are image ids; they keep their place as other images change.
	lo, hi := 0, len(p.Images)
	if after != nil && *after != "" {
		i := slices.Index(p.Images, *after)
		if i < 0 {
			return nil, errorf(CodeBadInput, "after: cursor %s is not an image of this project", quote(*after))
		}
		lo = i + 1
	}
	if before != nil && *before != "" {
		i := slices.Index(p.Images, *before)
		if i < 0 {
			return nil, errorf(CodeBadInput, "before: cursor %s is not an image of this project", quote(*before))
		}
		hi = i
	}
	// all holds the kept images; [a, b) is the part between the cursors.
	var all []*imageRec
	a, b := -1, 0
	for i, id := range p.Images {
		img := s.images[id]
		if !keep(img) {
			continue
		}
		if i >= lo && a < 0 {
			a = len(all)
		}
		if i < hi {
			b = len(all) + 1
		}
		all = append(all, img)
	}
	if a < 0 {
		a = len(all)
	}
	b = max(a, b)
	if first == nil && last == nil {
		n := defaultPage
		first = &n
	}
	if first != nil && b-a > min(*first, maxPage) {
		b = a + min(*first, maxPage)
	}
	if last != nil && b-a > min(*last, maxPage) {
		a = b - min(*last, maxPage)
	}
	conn := &graph.ImageConnection{
		TotalCount: len(all),
		PageInfo:   &graph.PageInfo{HasPreviousPage: a > 0, HasNextPage: b < len(all)},
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
