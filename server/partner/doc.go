// Package partner serves the demo partner page: a site on another origin
// than altiup's that embeds <altiup-uploader> both ways, in its own page
// and isolated in a frame of altiup's origin, each beside the snippet (the
// script tag and the Content-Security-Policy) a partner copies.
package partner
