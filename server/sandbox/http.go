package sandbox

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"altiup/server/sandbox/internal/graph"
)

func (s *Sandbox) newHandler() http.Handler {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: resolver{s}})
	srv := handler.New(es)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(enumCase{schema: es.Schema(), vars: lru.New[ast.VariableDefinitionList](1000)})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		s.log.Error("sandbox: panic while answering", "panic", fmt.Sprint(v))
		return errors.New("internal server error")
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", s.graphqlHandler(srv))
	mux.HandleFunc("/auth/start", s.serveAuth)
	return mux
}

// presentError adds extensions.code to the errors clients can act on.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var e *Error
	if errors.As(err, &e) {
		gerr.Message = e.Message
		if gerr.Extensions == nil {
			gerr.Extensions = map[string]any{}
		}
		gerr.Extensions["code"] = string(e.Code)
	}
	return gerr
}

// writeError answers with a GraphQL error body; clients read
// errors[0].message whatever the status.
func writeError(w http.ResponseWriter, status int, code ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"data": nil,
		"errors": []any{map[string]any{
			"message":    msg,
			"extensions": map[string]any{"code": string(code)},
		}},
	})
}

func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "key, altitoken, content-type")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Access-Control-Expose-Headers", "Date, Retry-After")
}

// graphqlHandler checks what gqlgen cannot: CORS, the app key, the body's
// size and JSON shape. It hands the user token to the resolvers.
func (s *Sandbox) graphqlHandler(next http.Handler) http.Handler {
	key := []byte(s.cfg.AppKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w.Header())
		switch r.Method {
		case http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet, http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, CodeBadRequest, "use POST with a JSON body {query, variables} (or GET for queries)")
			return
		}
		got := r.Header.Get("key")
		switch {
		case got == "":
			writeError(w, http.StatusUnauthorized, CodeUnauthenticated, "missing app key: send it in the header key")
			return
		case subtle.ConstantTimeCompare([]byte(got), key) != 1:
			writeError(w, http.StatusUnauthorized, CodeUnauthenticated, "the app key in the header key is not known to this server")
			return
		}
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
			if err != nil {
				writeError(w, http.StatusBadRequest, CodeBadRequest, "could not read the request body")
				return
			}
			if int64(len(body)) > s.cfg.MaxBodyBytes {
				writeError(w, http.StatusRequestEntityTooLarge, CodeBadRequest, fmt.Sprintf("the request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes))
				return
			}
			if msg := checkBody(body); msg != "" {
				writeError(w, http.StatusBadRequest, CodeBadRequest, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			// Clients that send text/plain (to skip a CORS preflight) or
			// nothing still mean JSON.
			r.Header.Set("Content-Type", "application/json")
		}
		token, sent := r.Header["Altitoken"]
		req := &request{sentToken: sent && len(token) > 0, baseURL: baseURL(r)}
		if req.sentToken {
			req.token = token[0]
		}
		req.remoteIP, _, _ = net.SplitHostPort(r.RemoteAddr)
		if req.remoteIP == "" {
			req.remoteIP = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey, req)))
	})
}

// checkBody says in words what is wrong with a POST body; "" when nothing.
func checkBody(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return `the request body is empty: send JSON {"query": "...", "variables": {...}}`
	}
	var p struct {
		Query         *string         `json:"query"`
		OperationName *string         `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Sprintf("the request body is not valid JSON: %v (at byte %d)", se, se.Offset)
		case errors.As(err, &te) && te.Field == "":
			return `the request body must be a JSON object {"query": "...", "variables": {...}}`
		case errors.As(err, &te):
			return fmt.Sprintf("the request body's %q has the wrong type: %s", te.Field, te.Value)
		}
		return fmt.Sprintf("the request body is not valid JSON: %v", err)
	}
	if p.Query == nil || strings.TrimSpace(*p.Query) == "" {
		return `the request body has no "query"`
	}
	if v := bytes.TrimSpace(p.Variables); len(v) > 0 && v[0] != '{' && string(v) != "null" {
		return `the request body's "variables" must be a JSON object`
	}
	return ""
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// enumCase accepts an enum value in a variable that differs from a value of
// the enum only in letter case: the CLI sends supportedCloud(kind: "image")
// for UPLOAD_TYPE's Image.
type enumCase struct {
	schema *ast.Schema
	vars   *lru.LRU[ast.VariableDefinitionList] // by query text
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = enumCase{}

func (enumCase) ExtensionName() string                          { return "EnumCase" }
func (enumCase) Validate(schema graphql.ExecutableSchema) error { return nil }

func (e enumCase) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Variables) == 0 {
		return nil
	}
	defs, ok := e.vars.Get(ctx, p.Query)
	if !ok {
		doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
		if err != nil {
			return nil // the executor reports it
		}
		for _, op := range doc.Operations {
			defs = append(defs, op.VariableDefinitions...)
		}
		e.vars.Add(ctx, p.Query, defs)
	}
	for _, vd := range defs {
		if v, ok := p.Variables[vd.Variable]; ok {
			p.Variables[vd.Variable] = e.fix(vd.Type, v)
		}
	}
	return nil
}

func (e enumCase) fix(t *ast.Type, v any) any {
	if t.Elem != nil {
		if list, ok := v.([]any); ok {
			for i := range list {
				list[i] = e.fix(t.Elem, list[i])
			}
		}
		return v
	}
	def := e.schema.Types[t.NamedType]
	if def == nil {
		return v
	}
	switch def.Kind {
	case ast.Enum:
		str, ok := v.(string)
		if !ok || def.EnumValues.ForName(str) != nil {
			return v
		}
		match := ""
		for _, ev := range def.EnumValues {
			if strings.EqualFold(ev.Name, str) {
				if match != "" {
					return v // ambiguous
				}
				match = ev.Name
			}
		}
		if match != "" {
			return match
		}
	case ast.InputObject:
		if m, ok := v.(map[string]any); ok {
			for _, f := range def.Fields {
				if fv, ok := m[f.Name]; ok {
					m[f.Name] = e.fix(f.Type, fv)
				}
			}
		}
	}
	return v
}
