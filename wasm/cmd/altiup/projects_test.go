package main

import (
	"testing"

	"altiup/wasm/altizure"
	"altiup/wasm/upload"
)

func TestParseProjectQuery(t *testing.T) {
	tests := []struct {
		text string
		want altizure.ProjectQuery
		bad  bool
	}{
		{"", altizure.ProjectQuery{}, false},
		{"{}", altizure.ProjectQuery{}, false},
		{`{"search":"bridge","first":20,"after":"c1"}`, altizure.ProjectQuery{Search: "bridge", First: 20, After: "c1"}, false},
		{`{"search":null}`, altizure.ProjectQuery{}, false},
		{`{"first":"20"}`, altizure.ProjectQuery{}, true},
		{`{"first":2.5}`, altizure.ProjectQuery{}, true},
		{`{"serch":"x"}`, altizure.ProjectQuery{}, true},
		{`"bridge"`, altizure.ProjectQuery{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := parseProjectQuery(tt.text)
			if tt.bad {
				if e := upload.AsError(err); e == nil || e.Code != upload.CodeInvalidInput {
					t.Fatalf("error %v, want invalid input", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
