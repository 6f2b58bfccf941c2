package main

import (
	"errors"
	"strings"
	"testing"

	"altiup/wasm/upload"
)

func TestParseOptions(t *testing.T) {
	good := `{"api":"http://127.0.0.1:8080/graphql","key":"k","token":"secret-token","project":"p1"}`
	tests := []struct {
		name     string
		in       string
		want     config
		getToken bool   // a getToken function came with the options
		wantErr  string // a part of the message; "" for success
	}{
		{
			name: "minimal",
			in:   good,
			want: config{connection: connection{Endpoint: "http://127.0.0.1:8080/graphql", Key: "k", Token: "secret-token"}, Journal: true, Upload: upload.Options{Project: "p1"}},
		},
		{
			name: "all options, bare server address, spaces",
			in:   `{"api":" http://localhost:8080 ","key":" k ","token":"t","project":" p2 ","cloud":"s3","bucket":"Paris","concurrency":8}`,
			want: config{connection: connection{Endpoint: "http://localhost:8080/graphql", Key: "k", Token: "t"}, Journal: true, Upload: upload.Options{Project: "p2", Cloud: "s3", Bucket: "Paris", Concurrency: 8}},
		},
		{
			name: "journal off",
			in:   `{"api":"http://h","key":"k","token":"t","project":"p","journal":false}`,
			want: config{connection: connection{Endpoint: "http://h/graphql", Key: "k", Token: "t"}, Upload: upload.Options{Project: "p"}},
		},
		{
			name: "null and undefined options are absent",
			in:   `{"api":"https://api.altizure.com/graphql","key":"k","token":"t","project":"p","cloud":null,"bucket":null}`,
			want: config{connection: connection{Endpoint: "https://api.altizure.com/graphql", Key: "k", Token: "t"}, Journal: true, Upload: upload.Options{Project: "p"}},
		},
		{
			name:     "no token, getToken instead",
			in:       `{"api":"http://h","key":"k","project":"p"}`,
			getToken: true,
			want:     config{connection: connection{Endpoint: "http://h/graphql", Key: "k"}, Journal: true, Upload: upload.Options{Project: "p"}},
		},
		{name: "getToken not a function", in: `{"api":"http://h","key":"k","token":"t","project":"p","getToken":"t2"}`, wantErr: "getToken must be a function"},
		{name: "not an object", in: `"x"`, wantErr: "must be an object"},
		{name: "journal not a boolean", in: `{"api":"http://h","key":"k","token":"t","project":"p","journal":"yes"}`, wantErr: "journal must be true or false"},
		{name: "nothing", in: `null`, wantErr: "must be an object"},
		{name: "unknown option", in: `{"api":"http://h","key":"k","token":"t","project":"p","concurency":3}`, wantErr: "Unknown option concurency"},
		{name: "no api", in: `{"key":"k","token":"t","project":"p"}`, wantErr: "(api) is missing"},
		{name: "api not http", in: `{"api":"ftp://h/graphql","key":"k","token":"t","project":"p"}`, wantErr: "must be an http or https URL"},
		{name: "api relative", in: `{"api":"/graphql","key":"k","token":"t","project":"p"}`, wantErr: "must be an http or https URL"},
		{name: "api with password", in: `{"api":"http://u:pw@h/graphql","key":"k","token":"t","project":"p"}`, wantErr: "user name or password"},
		{name: "no key", in: `{"api":"http://h","token":"t","project":"p"}`, wantErr: "(key) is missing"},
		{name: "no token", in: `{"api":"http://h","key":"k","token":" ","project":"p"}`, wantErr: "(token) is missing"},
		{name: "no project", in: `{"api":"http://h","key":"k","token":"t"}`, wantErr: "(project) is missing"},
		{name: "project a number", in: `{"api":"http://h","key":"k","token":"t","project":5}`, wantErr: "project must be text"},
		{name: "concurrency text", in: `{"api":"http://h","key":"k","token":"t","project":"p","concurrency":"4"}`, wantErr: "concurrency must be a whole number"},
		{name: "concurrency fraction", in: `{"api":"http://h","key":"k","token":"t","project":"p","concurrency":1.5}`, wantErr: "concurrency must be a whole number"},
		{name: "concurrency negative", in: `{"api":"http://h","key":"k","token":"t","project":"p","concurrency":-1}`, wantErr: "between 1 and 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOptions(tt.in, tt.getToken)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput {
				t.Fatalf("err = %v, want an invalid_input error", err)
			}
			if !strings.Contains(e.Message, tt.wantErr) {
				t.Fatalf("message %q does not say %q", e.Message, tt.wantErr)
			}
			if strings.Contains(e.Message, "secret-token") || strings.Contains(e.Message, "pw") {
				t.Fatalf("message %q shows a secret", e.Message)
			}
		})
	}
}

func TestParseConnectOptions(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		getToken bool
		want     connection
		wantErr  string
	}{
		{name: "token", in: `{"api":"http://h","key":"k","token":"secret-token"}`, want: connection{Endpoint: "http://h/graphql", Key: "k", Token: "secret-token"}},
		{name: "getToken", in: `{"api":"http://h","key":"k"}`, getToken: true, want: connection{Endpoint: "http://h/graphql", Key: "k"}},
		{name: "neither", in: `{"api":"http://h","key":"k"}`, wantErr: "getToken"},
		{name: "a project is no option", in: `{"api":"http://h","key":"k","token":"secret-token","project":"p"}`, wantErr: "Unknown option project"},
		{name: "no key", in: `{"api":"http://h","token":"secret-token"}`, wantErr: "(key) is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConnectOptions(tt.in, tt.getToken)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			e := upload.AsError(err)
			if e == nil || e.Code != upload.CodeInvalidInput || !strings.Contains(e.Message, tt.wantErr) || strings.Contains(e.Message, "secret-token") {
				t.Fatalf("err = %v, want invalid_input saying %q", err, tt.wantErr)
			}
		})
	}
}
