// Command sri prints the <script> tag partner pages include the loader
// with, its integrity (SRI) hash being that of the bytes the server sends
// for the files of DIR:
//
//	go run ./server/static/sri web [https://uploads.example.com/]
//
// The hash changes with every build that changes any served file, since
// the loader carries the version of them all.
package main

import (
	"fmt"
	"net/url"
	"os"

	"altiup/server/static"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: sri DIR [BASE_URL]")
		os.Exit(2)
	}
	base := "https://uploads.example.com/"
	if len(os.Args) == 3 {
		base = os.Args[2]
	}
	b, err := url.Parse(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sri:", err)
		os.Exit(2)
	}
	h := static.New(os.DirFS(os.Args[1]), static.Options{})
	sri, err := h.Integrity(static.LoaderName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sri:", err)
		os.Exit(1)
	}
	for _, name := range []string{static.LoaderName, h.AssetURL(static.LoaderName)} {
		fmt.Printf("<script src=%q integrity=%q crossorigin=\"anonymous\"></script>\n", b.JoinPath(name).String(), sri)
	}
}
