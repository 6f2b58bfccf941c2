// Package coalesce is a queue that hands what is pushed into it to one
// consumer, in order, in batches, from a goroutine of its own, so that the
// producer never waits for the consumer. Items still waiting may be merged
// with a new one (a newer progress figure replaces the older, a newer journal
// entry of the same file replaces the older), so that the queue stays small
// however slow the consumer is. New merges with what waits through a
// function that sees the waiting items; NewKeyed finds the waiting item of
// the same key (a file's index, a journal key) wherever it waits.
//
// The uploader's events, its journal writes and the JS edge's delivery of
// events to the page's listeners all go through it.
package coalesce
