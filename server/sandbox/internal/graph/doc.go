// Package graph holds the GraphQL executor and models that gqlgen generates
// from the sandbox's schema (../../schema.graphql). The resolvers live in
// package sandbox.
package graph

//go:generate go run github.com/99designs/gqlgen generate --config gqlgen.yml
