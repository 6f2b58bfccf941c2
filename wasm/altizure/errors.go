package altizure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"altiup/wasm/upload"
)

func notFound(what string) *upload.Error {
	if what == "project" {
		return &upload.Error{Code: upload.CodeNotFound, Message: "The project was not found, or it is not yours."}
	}
	return &upload.Error{Code: upload.CodeNotFound, Message: "The " + what + " was not found."}
}

// mapError turns what genqlient returns into an *upload.Error whose Err is
// the original (*graphql.HTTPError, gqlerror.List, a net error), so callers
// can match either. Context errors pass through unchanged.
func mapError(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var httpErr *graphql.HTTPError
	if errors.As(err, &httpErr) {
		msg := firstMessage(httpErr.Response.Errors)
		e := &upload.Error{Status: httpErr.StatusCode, Err: err}
		switch s := httpErr.StatusCode; {
		case s == http.StatusUnauthorized || s == http.StatusForbidden:
			e.Code, e.Message = upload.CodeUnauthorized, "The API refused the key or token"
		case s == http.StatusTooManyRequests:
			e.Code, e.Message = upload.CodeRateLimited, "The API asked to slow down"
		case s == http.StatusRequestTimeout || s == http.StatusGatewayTimeout:
			e.Code, e.Message = upload.CodeTimeout, "The API timed out"
		case s >= 500:
			e.Code, e.Message = upload.CodeServer, "The API failed"
		case s == http.StatusNotFound:
			e.Code, e.Message = upload.CodeNotFound, "The API endpoint was not found"
		default:
			e.Code, e.Message = upload.CodeAPI, "The API refused the request"
		}
		e.Message += fmt.Sprintf(" (status %d", httpErr.StatusCode)
		if msg != "" && !strings.HasPrefix(msg, "<") {
			e.Message += ": " + msg
		}
		e.Message += ")."
		return e
	}
	var list gqlerror.List
	if errors.As(err, &list) && len(list) > 0 {
		return &upload.Error{Code: gqlCode(list[0]), Message: sentence(firstMessage(list)), Err: err}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return &upload.Error{Code: upload.CodeAPI, Message: "The API answered with something other than GraphQL JSON.", Err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is the endpoint: harmless, but the message is clearer without it
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &upload.Error{Code: upload.CodeTimeout, Message: "The API did not answer in time.", Err: err}
	}
	if strings.Contains(err.Error(), "Failed to fetch") || strings.Contains(err.Error(), "NetworkError") {
		// A browser's fetch says no more: the server may be down or refuse
		// requests from this page's origin.
		return &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached; it may be down, or refuse requests from this page (CORS).", Err: err}
	}
	return &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached (" + err.Error() + ").", Err: err}
}

// firstMessage is the first GraphQL error's message, bounded in length.
func firstMessage(list gqlerror.List) string {
	if len(list) == 0 || list[0] == nil {
		return ""
	}
	m := strings.TrimSpace(list[0].Message)
	if len(m) > 300 {
		m = m[:300] + "…"
	}
	return m
}

// sentence starts msg with a capital and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return "The API reported an error without words."
	}
	r := []rune(msg)
	r[0] = unicode.ToUpper(r[0])
	msg = string(r)
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "!") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return msg
}

// gqlCode picks an error code from a GraphQL error: its extensions.code when
// the server sets one, else words in its message.
func gqlCode(e *gqlerror.Error) string {
	if e == nil {
		return upload.CodeAPI
	}
	if c, ok := e.Extensions["code"].(string); ok {
		switch strings.ToUpper(c) {
		case "UNAUTHENTICATED", "UNAUTHORIZED", "FORBIDDEN":
			return upload.CodeUnauthorized
		case "NOT_FOUND":
			return upload.CodeNotFound
		case "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "INVALID_INPUT":
			return upload.CodeInvalidInput
		case "RATE_LIMITED", "TOO_MANY_REQUESTS":
			return upload.CodeRateLimited
		case "INTERNAL_SERVER_ERROR", "UNAVAILABLE":
			return upload.CodeServer
		}
	}
	m := strings.ToLower(e.Message)
	switch {
	case strings.Contains(m, "unauthori"), strings.Contains(m, "token"), strings.Contains(m, "not logged"),
		strings.Contains(m, "login"), strings.Contains(m, "authenticat"), strings.Contains(m, "app key"), strings.Contains(m, "permission"):
		return upload.CodeUnauthorized
	case strings.Contains(m, "not found"), strings.Contains(m, "no such"), strings.Contains(m, "does not exist"):
		return upload.CodeNotFound
	case strings.Contains(m, "invalid"), strings.Contains(m, "must"), strings.Contains(m, "expected"):
		return upload.CodeInvalidInput
	}
	return upload.CodeAPI
}
