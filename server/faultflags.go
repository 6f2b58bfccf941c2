package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"altiup/server/faults"
)

// faultFlags registers the flags that make the sandbox misbehave on
// purpose (all off by default); check the result with Validate after
// parsing.
func faultFlags(fs *flag.FlagSet) *faults.Config {
	c := &faults.Config{}
	fs.Float64Var(&c.PutRate, "fault-put", 0, "share (0..1) of object PUTs that fail: half answer 500/503, half are cut mid-body")
	fs.Float64Var(&c.GraphQLRate, "fault-graphql", 0, "share (0..1) of GraphQL calls that fail: half answer 502, half time out")
	fs.DurationVar(&c.GraphQLHold, "fault-graphql-hold", 30*time.Second, "how long a timed-out GraphQL call is held before its connection is dropped")
	fs.Uint64Var(&c.Seed, "fault-seed", 0, "seed of the fault draws, to repeat a run (0: random, printed at start)")
	fs.DurationVar(&c.Latency, "latency", 0, "delay added before every storage and API response")
	fs.Int64Var(&c.Bandwidth, "bandwidth", 0, "cap in bytes/s on the storage endpoint's uploads and downloads, shared by all connections (0: none)")
	return c
}

// faultFlagNames maps the fields of faults.Config to their flags, for
// messages in the words the person typed.
var faultFlagNames = map[string]string{
	"PutRate": "-fault-put", "GraphQLRate": "-fault-graphql", "GraphQLHold": "-fault-graphql-hold",
	"Latency": "-latency", "Bandwidth": "-bandwidth",
}

// checkFaultFlags reports a fault flag out of range by its name.
func checkFaultFlags(c *faults.Config) error {
	var ce *faults.ConfigError
	if err := c.Validate(); errors.As(err, &ce) {
		return fmt.Errorf("%s %s", faultFlagNames[ce.Field], ce.Reason)
	} else if err != nil {
		return err
	}
	return nil
}

// wrapFaults puts the fault injector in front of the sandbox's API and
// storage handlers and prints its settings on stdout. done prints the counts
// of injected faults on stderr; call it at shutdown. With no fault asked for
// the handlers come back unchanged and done does nothing.
func wrapFaults(c *faults.Config, api, storage http.Handler, stdout, stderr io.Writer) (http.Handler, http.Handler, func(), error) {
	if !c.Enabled() {
		return api, storage, func() {}, nil
	}
	in, err := faults.New(*c)
	if err != nil {
		return nil, nil, nil, err
	}
	fmt.Fprintf(stdout, "faults:       %s\n", in)
	return in.API(api), in.Storage(storage), func() { fmt.Fprintln(stderr, "altiup:", in.Counts()) }, nil
}
