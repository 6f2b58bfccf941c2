package main

import (
	"bytes"
	"encoding/json"

	"altiup/wasm/altizure"
)

// parseProjectQuery checks the JSON text of projects({search, first,
// after}); "" (no argument) asks for the first page of all projects.
func parseProjectQuery(text string) (altizure.ProjectQuery, error) {
	var q altizure.ProjectQuery
	if text == "" || text == "null" {
		return q, nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(text)))
	d.DisallowUnknownFields()
	if err := d.Decode(&q); err != nil {
		return q, invalid("projects takes an object such as {search: \"bridge\", first: 20, after: cursor}: search and after are text, first a whole number.")
	}
	return q, nil
}
