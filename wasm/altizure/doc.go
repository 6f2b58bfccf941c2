// Package altizure is the GraphQL client of the Altizure API for the
// uploader: the operations in operations.graphql, compiled by genqlient
// against the sandbox's schema into generated.go, behind a Client that
// implements upload.API and turns GraphQL and HTTP failures into coded
// upload.Errors.
//
// Calls of the upload flow's mutations made at the same time (hasImage,
// registration, start and done of many files) are merged into one GraphQL
// document under aliases (batch.go), so that a batch of small files costs a
// few requests instead of four per file; each caller still gets exactly
// its own answer and errors.
package altizure

//go:generate go run github.com/Khan/genqlient genqlient.yaml
