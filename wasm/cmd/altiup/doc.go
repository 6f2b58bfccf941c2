// Command altiup is the uploader compiled to WebAssembly for the web page.
// Loaded by web/altiup.js, it fills in the page's one global, altiup, with
// create(options), which resolves to an uploader object: on, add, start,
// pause, resume, cancel, waitProcessed, startReconstruction,
// preStartReconstruction, dispose and version. Events and results are plain
// JS objects (the core's structs as JSON); failures reject with
// {code, message}.
//
// Unless create is given journal: false, the uploaders of a page keep a
// journal in IndexedDB (database altiup-journal): for each file, under a
// hash of the project id and the file's name, size and modification time,
// its SHA-1, its image id and, while a large file goes up in parts, the
// multipart upload id and the parts stored. It holds no token, credential or
// signed URL, so it is on without asking; it lets a reloaded page hash
// nothing again and send only what is missing when the same files are added.
//
// options.go (portable, tested natively) checks the options; main_js.go is the
// JS side.
package main
