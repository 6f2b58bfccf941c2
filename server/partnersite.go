package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"altiup/server/partner"
)

// partnerSite is the demo partner page's listener (-partner-addr): another
// origin than the page's, as a partner's site is.
type partnerSite struct {
	ln  net.Listener
	url string
}

// listenPartner opens -partner-addr, when given, and makes its origin the
// default -frame-ancestors, so the demo's isolated element may frame /embed.
func listenPartner(c *config) (*partnerSite, error) {
	if c.partnerAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", c.partnerAddr)
	if err != nil {
		return nil, fmt.Errorf("partner site: %w", err)
	}
	p := &partnerSite{ln: ln, url: "http://" + ln.Addr().String()}
	if len(c.frameAncestors) == 0 {
		// Under both loopback names, as the page's own sign-in.
		c.frameAncestors[""] = redirectOrigins(nil, p.url)
	}
	return p, nil
}

// start serves the demo page; a nil site does nothing.
func (p *partnerSite) start(servers *[]*http.Server, pageURL, storageURL string, c *config, project string, stdout, stderr io.Writer) {
	if p == nil {
		return
	}
	api, token := c.api, ""
	if api == "" {
		api, token = pageURL+"/graphql", c.userToken
	}
	s := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: partner.New(partner.Config{
		Altiup: pageURL, API: api, Storage: storageURL, Key: c.appKey, Project: project, Token: token,
	})}
	*servers = append(*servers, s)
	go serve(s, p.ln, stderr)
	fmt.Fprintf(stdout, "partner:      %s/\n", p.url)
}
