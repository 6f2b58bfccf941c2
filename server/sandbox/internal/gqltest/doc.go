// Package gqltest is a genqlient client of the sandbox's schema, used only
// by the sandbox's tests: every operation of the API is in operations.graphql.
package gqltest

//go:generate go run github.com/Khan/genqlient genqlient.yaml
