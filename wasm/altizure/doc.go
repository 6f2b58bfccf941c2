// Package altizure is the GraphQL client of the Altizure API for the
// uploader: the operations in operations.graphql, compiled by genqlient
// against the sandbox's schema into generated.go, behind a Client that
// implements upload.API and turns GraphQL and HTTP failures into coded
// upload.Errors.
package altizure

//go:generate go run github.com/Khan/genqlient genqlient.yaml
