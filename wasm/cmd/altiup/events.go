package main

import "encoding/json"

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

// mergeProgress folds a progress event into a progress event still waiting
// right before it: listeners see the latest figures.
func mergeProgress(waiting []event, e event) bool {
	last := &waiting[len(waiting)-1]
	if e.kind != "progress" || last.kind != "progress" {
		return false
	}
	last.v = e.v
	return true
}
