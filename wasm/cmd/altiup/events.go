package main

import (
	"encoding/json"

	"altiup/wasm/upload"
)

// event is an event on its way to the listeners.
type event struct {
	kind string // "file" or "progress"
	v    any
}

// MarshalJSON makes it [kind, value].
func (e event) MarshalJSON() ([]byte, error) { return json.Marshal([2]any{e.kind, e.v}) }

// eventBatch bounds the events handed to JS at once, so that a burst (10,000
// files added) is delivered over several tasks and the page keeps responding
// between them.
const eventBatch = 200

// progressKey is the queue key of progress events; a file's events are
// keyed by its index.
type progressKey struct{}

// eventKey keys the events that a later one may replace while they wait.
func eventKey(e event) (any, bool) {
	switch v := e.v.(type) {
	case upload.Progress:
		return progressKey{}, true
	case upload.FileEvent:
		return v.Index, true
	}
	return nil, false
}

// foldEvent lets a waiting event take the figures of a later one of its
// key: listeners see the latest progress, and a file's latest figures in
// each of its states (a file's change of state is never folded away).
func foldEvent(waiting *event, e event) bool {
	switch v := e.v.(type) {
	case upload.Progress:
		waiting.v = v
		return true
	case upload.FileEvent:
		if w, ok := waiting.v.(upload.FileEvent); ok && v.Replaces(w) {
			waiting.v = v
			return true
		}
	}
	return false
}
