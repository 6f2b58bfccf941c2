// Command altiup is the uploader compiled to WebAssembly for the web page.
// Loaded by web/altiup.js, it fills in the page's one global, altiup, with
// create(options), which resolves to an uploader object (on, add, start,
// pause, resume, cancel, waitProcessed, task, startReconstruction,
// preStartReconstruction, dispose and version), and connect(options),
// which resolves to a connection object for the calls the page makes
// without an uploader (createProject, project). Events and results are
// plain JS objects (the core's structs as JSON); failures reject with
// {code, message}.
//
// The user token is an option (token), or comes from the page's
// getToken function, asked when there is none and again when the API
// refuses the one it has; getToken is taken from the options before they
// are read as JSON, and no token appears in an event, error or log.
//
// Unless create is given journal: false, the uploaders of a page keep a
// journal in IndexedDB (database altiup-journal): for each file, under a
// hash of the project id and the file's relative path (its name, unless
// it came in a folder), size and modification time, its SHA-1, its image
// id and, while a large file goes up in parts, the multipart upload id and
// the parts stored. It holds no token, credential or signed URL, so it is
// on without asking; it lets a reloaded page hash nothing again and send
// only what is missing when the same files are added.
//
// The files: options.go and events.go (portable, tested natively) check
// the options and shape the events; main_js.go installs the API and makes
// uploaders; objects_js.go ties JS objects to their Go side; instance_js.go
// holds an uploader and hands its events to the page, in batches, through
// the loader's deliver; add_js.go, control_js.go and processed_js.go are
// its methods; connect_js.go is the connection object and the token source.
//
// Built for any other platform, it is the command altiup, the same core for
// photos on a disk (main_other.go, cli_other.go: the commands, flags and
// exit codes): altiup upload (upload_other.go, output_other.go) sends
// folders of photos, altiup start (start_other.go) starts the
// reconstruction, and altiup check (check_other.go, summary_other.go) sums
// the photos up as the page's inspect() does, pricing them when the API is
// given and calling no service otherwise (noapi_other.go).
package main
