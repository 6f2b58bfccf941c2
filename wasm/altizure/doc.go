// Package altizure is the GraphQL client of the Altizure API for the
// uploader: the operations in operations.graphql, compiled by genqlient
// against the sandbox's schema into generated.go, behind a Client that
// implements upload.API (and the page's own calls: CreateProject, Project,
// Task) and turns GraphQL and HTTP failures into coded upload.Errors.
//
// Every call goes through a session (session.go): it sends the user token,
// and with a token source (GetToken, tokens.go) asks for a new token once
// when the API refuses the one it has, for all the calls it refused at
// once, and tries each of them again. What the answer's headers say is
// kept for the call: the server's Date (OSSUpload.Issued, so that an STS's
// expiry is judged in server time) and Retry-After (upload.Error.RetryAfter
// on a 429 or 503).
//
// Calls of the upload flow's mutations made at the same time (hasImage,
// registration, start and done of many files) are merged into one GraphQL
// document under aliases (batch.go), and so are the queries of one image
// each made while waiting for validation, so that a batch of small files
// costs a few requests instead of four per file; each caller still gets
// exactly its own answer and errors.
package altizure

//go:generate go run github.com/Khan/genqlient genqlient.yaml
