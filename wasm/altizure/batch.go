package altizure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// batchable are the operations of the upload flow that a batcher may send
// together, and their kind: mutations called once or twice per file, the
// query of one image that the wait for validation makes for each image
// still processing, and that of one error code's explanation (support.go);
// results that do not depend on one another. Only calls of one kind go
// together.
var batchable = map[string]ast.Operation{
	"HasImage":         ast.Mutation,
	"UploadImageOSS":   ast.Mutation,
	"UploadImageS3":    ast.Mutation,
	"StartImageUpload": ast.Mutation,
	"DoneImageUpload":  ast.Mutation,
	"Image":            ast.Query,
	"ErrorCodeInfo":    ast.Query,
}

// Batching limits: requests of merged calls in flight at once, and calls
// per request. Calls made while that many requests are out wait and go
// together in the next one, so a lone call goes out at once, as is, and
// many files in flight cost a few requests instead of one per call. One
// request at a time merges the most: uploading 2,000 small files from the
// page took 0.71 requests a file with one, 1.1 to 1.2 with two, and went
// no slower for it (the page's main thread, which makes each request, is
// what limits such an upload).
const (
	batchInflight = 1
	batchMax      = 24
)

// batcher is a graphql.Client that merges concurrent calls of batchable
// operations into one GraphQL document, each call's root field under an
// alias of its own and its variables renamed to match (standard GraphQL,
// which any server executes field by field). Each caller gets its own
// part of the answer and the errors whose path is in it, exactly as if it
// had sent its operation alone; a failure of the whole request is every
// caller's. A server that refuses merged documents (an error naming no
// field) turns merging off: the calls are sent again one by one.
type batcher struct {
	next graphql.Client

	mu       sync.Mutex
	queue    []*batchCall
	inflight int
	off      bool // the server refused a merged document
}

var _ graphql.Client = (*batcher)(nil)

type batchCall struct {
	ctx  context.Context
	req  *graphql.Request
	resp *graphql.Response
	done chan error // buffered: the sender never blocks
}

func newBatcher(next graphql.Client) *batcher { return &batcher{next: next} }

// MakeRequest sends req, merged with others when some are waiting.
func (b *batcher) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	if _, ok := batchable[req.OpName]; !ok {
		return b.next.MakeRequest(ctx, req, resp)
	}
	c := &batchCall{ctx: ctx, req: req, resp: resp, done: make(chan error, 1)}
	b.mu.Lock()
	if b.off {
		b.mu.Unlock()
		return b.next.MakeRequest(ctx, req, resp)
	}
	b.queue = append(b.queue, c)
	b.dispatchLocked()
	b.mu.Unlock()
	select {
	case err := <-c.done:
		return err
	case <-ctx.Done():
		// A call still queued is dropped when its batch is formed; one
		// already sent is not waited for.
		return ctx.Err()
	}
}

// dispatchLocked sends what is queued while fewer than batchInflight
// requests are out: up to batchMax calls of the kind of the first in line.
func (b *batcher) dispatchLocked() {
	for b.inflight < batchInflight && len(b.queue) > 0 {
		kind := batchable[b.queue[0].req.OpName]
		var calls []*batchCall
		rest := b.queue[:0]
		for _, c := range b.queue {
			switch {
			case c.ctx.Err() != nil:
				// its caller has gone
			case len(calls) < batchMax && batchable[c.req.OpName] == kind:
				calls = append(calls, c)
			default:
				rest = append(rest, c)
			}
		}
		clear(b.queue[len(rest):])
		b.queue = rest
		if len(calls) == 0 {
			continue
		}
		b.inflight++
		go func() {
			b.send(calls)
			// The callers answered run before the next request goes: a
			// call one makes as soon as its answer comes (the
			// registration after hasImage, the start after the
			// registration) then rides in it instead of the one after. Go
			// runs on one thread in the browser, where uploading 2,000
			// small files took 0.39 requests a file with this pause
			// against 0.56 without.
			runtime.Gosched()
			b.mu.Lock()
			b.inflight--
			b.dispatchLocked()
			b.mu.Unlock()
		}()
	}
}

// send makes one request for calls and hands each its answer.
func (b *batcher) send(calls []*batchCall) {
	if len(calls) == 1 {
		c := calls[0]
		c.done <- b.next.MakeRequest(c.ctx, c.req, c.resp)
		return
	}
	// The request lives while any of its callers waits. What its answer's
	// headers say goes to each call.
	ctx, cancel := context.WithCancel(context.WithoutCancel(calls[0].ctx))
	defer cancel()
	ans := &answer{}
	ctx = context.WithValue(ctx, answerKey{}, ans)
	var waiting sync.WaitGroup
	waiting.Add(len(calls))
	for _, c := range calls {
		stop := context.AfterFunc(c.ctx, waiting.Done)
		defer func() {
			if stop() {
				waiting.Done()
			}
		}()
	}
	go func() { waiting.Wait(); cancel() }()

	req, err := mergeRequests(calls)
	if err != nil {
		// Not expected for the operations listed as batchable; each goes
		// alone rather than fail.
		b.sendAlone(calls, false)
		return
	}
	var data map[string]json.RawMessage
	resp := &graphql.Response{Data: &data}
	err = b.next.MakeRequest(ctx, req, resp)
	for _, c := range calls {
		if a := answerOf(c.ctx); a != nil {
			ans.copyTo(a)
		}
	}
	var list gqlerror.List
	if err != nil && !errors.As(err, &list) {
		// The request itself failed (HTTP status, network): so did every call.
		for _, c := range calls {
			c.done <- err
		}
		return
	}
	// An error of the document as a whole (no path) sends each call
	// alone: one that is not about merging (a bad key or token, say) then
	// reaches every call alike; if the calls succeed alone, the server does
	// not take merged documents and merging stops.
	for _, e := range list {
		if len(e.Path) == 0 {
			b.sendAlone(calls, true)
			return
		}
	}
	for i, c := range calls {
		c.done <- splitAnswer(i, c, data, list, resp.Extensions)
	}
}

// sendAlone sends each call by itself, and hands the answers on once all
// are in and merging was turned off if offIfAnyOK and one succeeded.
func (b *batcher) sendAlone(calls []*batchCall, offIfAnyOK bool) {
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { errs[i] = b.next.MakeRequest(c.ctx, c.req, c.resp) })
	}
	wg.Wait()
	if offIfAnyOK && slices.Contains(errs, nil) {
		b.mu.Lock()
		b.off = true
		b.mu.Unlock()
	}
	for i, c := range calls {
		c.done <- errs[i]
	}
}

// prefix is the alias and variable prefix of the i-th call of a batch.
func prefix(i int) string { return "b" + strconv.Itoa(i) + "_" }

// placeholder stands for a call's prefix in an opTemplate; it cannot occur
// in GraphQL text.
const placeholder = "@@"

// opTemplate is a batchable operation taken apart once: its kind, its
// variable definitions and root fields with placeholder before every
// variable and alias, and its fragments, so that merging a call is string
// work.
type opTemplate struct {
	kind      ast.Operation
	vars      []string // "$@@pid: ID!"
	fields    string   // the root fields, one per line or more
	fragments []fragment
}

type fragment struct{ name, text string }

// templates holds an opTemplate (or its error) per operation text.
var templates sync.Map

func templateOf(query string) (*opTemplate, error) {
	if t, ok := templates.Load(query); ok {
		return t.(*opTemplate), nil
	}
	t, err := newTemplate(query)
	if err != nil {
		return nil, err
	}
	templates.Store(query, t)
	return t, nil
}

func newTemplate(query string) (*opTemplate, error) {
	parsed, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, err
	}
	if len(parsed.Operations) != 1 || parsed.Operations[0].Operation == ast.Subscription {
		return nil, errors.New("not a single query or mutation")
	}
	op := parsed.Operations[0]
	t := &opTemplate{kind: op.Operation}
	for _, v := range op.VariableDefinitions {
		d := "$" + placeholder + v.Variable + ": " + v.Type.String()
		if v.DefaultValue != nil {
			d += " = " + v.DefaultValue.String()
		}
		t.vars = append(t.vars, d)
	}
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			return nil, errors.New("a root selection that is not a field")
		}
		if f.Alias == "" {
			f.Alias = f.Name
		}
		f.Alias = placeholder + f.Alias
		renameVars(f.SelectionSet, f.Arguments, f.Directives, placeholder)
	}
	// The fields as the formatter writes them inside "mutation {" (or
	// "query {") and "}".
	body := format(&ast.QueryDocument{Operations: ast.OperationList{{Operation: op.Operation, SelectionSet: op.SelectionSet}}})
	open, closing := strings.Index(body, "{\n"), strings.LastIndex(body, "}")
	if open < 0 || closing < open {
		return nil, errors.New("unexpected formatting")
	}
	t.fields = body[open+2 : closing]
	for _, fr := range parsed.Fragments {
		t.fragments = append(t.fragments, fragment{fr.Name, format(&ast.QueryDocument{Fragments: ast.FragmentDefinitionList{fr}})})
	}
	return t, nil
}

func format(doc *ast.QueryDocument) string {
	var sb strings.Builder
	formatter.NewFormatter(&sb).FormatQueryDocument(doc)
	return sb.String()
}

// mergeRequests makes one operation of the calls' operations, all of one
// kind: the root fields of call i under aliases prefixed "b<i>_", its
// variables renamed the same way, the fragments once each.
func mergeRequests(calls []*batchCall) (*graphql.Request, error) {
	var kind ast.Operation
	var vars []string
	var fields, fragments strings.Builder
	seen := map[string]bool{}
	values := map[string]json.RawMessage{}
	for i, c := range calls {
		t, err := templateOf(c.req.Query)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.req.OpName, err)
		}
		if i == 0 {
			kind = t.kind
		} else if t.kind != kind {
			return nil, fmt.Errorf("%s is a %s among %ss", c.req.OpName, t.kind, kind)
		}
		p := prefix(i)
		for _, v := range t.vars {
			vars = append(vars, strings.Replace(v, placeholder, p, 1))
		}
		fields.WriteString(strings.ReplaceAll(t.fields, placeholder, p))
		for _, fr := range t.fragments {
			if !seen[fr.name] {
				seen[fr.name] = true
				fragments.WriteString(fr.text)
			}
		}
		// Variables as genqlient marshals them (omitempty included).
		raw, err := json.Marshal(c.req.Variables)
		if err != nil {
			return nil, err
		}
		var own map[string]json.RawMessage
		if err := json.Unmarshal(raw, &own); err != nil {
			return nil, err
		}
		for k, v := range own {
			values[p+k] = v
		}
	}
	name := "UploadBatch"
	if kind == ast.Query {
		name = "QueryBatch"
	}
	query := string(kind) + " " + name + " (" + strings.Join(vars, ", ") + ") {\n" + fields.String() + "}\n" + fragments.String()
	return &graphql.Request{Query: query, Variables: values, OpName: name}, nil
}

// renameVars prefixes every variable used in a field's arguments and
// directives and those of the fields below it.
func renameVars(sel ast.SelectionSet, args ast.ArgumentList, dirs ast.DirectiveList, p string) {
	for _, a := range args {
		renameValue(a.Value, p)
	}
	for _, d := range dirs {
		for _, a := range d.Arguments {
			renameValue(a.Value, p)
		}
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			renameVars(s.SelectionSet, s.Arguments, s.Directives, p)
		case *ast.InlineFragment:
			renameVars(s.SelectionSet, nil, s.Directives, p)
		case *ast.FragmentSpread:
			renameVars(nil, nil, s.Directives, p)
		}
	}
}

func renameValue(v *ast.Value, p string) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		v.Raw = p + v.Raw
	}
	for _, c := range v.Children {
		renameValue(c.Value, p)
	}
}
