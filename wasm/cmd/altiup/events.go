package main

import (
	"encoding/json"
	"time"

	"altiup/wasm/upload"
)

// event is an event on its way to the listeners.
type event struct {
	kind string // "file" or "progress"
	v    any
}

// marshalEvents writes batch as one JSON array of [kind, value] pairs. Each
// value is marshalled on its own and the pairs put together here: a
// MarshalJSON method on event made encoding/json check and compact every
// pair's output again, a tenth of the page's main thread while 10,000
// files were added.
func marshalEvents(batch []event) ([]byte, error) {
	out := make([]byte, 0, 256*len(batch))
	out = append(out, '[')
	for i, e := range batch {
		kind, err := json.Marshal(e.kind)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '[')
		out = append(out, kind...)
		out = append(out, ',')
		out = append(out, v...)
		out = append(out, ']')
	}
	return append(out, ']'), nil
}

// eventBatch bounds the events handed to JS at once, so that a burst (10,000
// files added) is delivered over several tasks and the page keeps responding
// between them.
const eventBatch = 200

// eventGap is how long after a batch smaller than eventBatch the next one
// waits, so that the events of busy moments go in a few batches: a
// listener hears of a change at most about this much later, under a
// frame's time.
const eventGap = 8 * time.Millisecond

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
