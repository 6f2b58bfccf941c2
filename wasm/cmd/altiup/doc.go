// Command altiup is the uploader compiled to WebAssembly for the web page.
// Loaded by web/altiup.js, it fills in the page's one global, altiup, with
// create(options), which resolves to an uploader object: on, add, start,
// pause, resume, cancel, waitProcessed, startReconstruction,
// preStartReconstruction, dispose and version. Events and results are plain
// JS objects (the core's structs as JSON); failures reject with
// {code, message}.
//
// options.go (portable, tested natively) checks the options; main_js.go is the
// JS side.
package main
