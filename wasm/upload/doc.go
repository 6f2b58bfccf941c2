// Package upload is the portable core of the uploader: it takes a batch of
// files through the Altizure upload flow — nearest bucket, SHA-1, hasImage,
// uploadImageOSS or uploadImageS3, startImageUpload, the object PUT,
// doneImageUpload (OSS only), waiting until each image is Ready or Invalid,
// and starting the reconstruction.
//
// It is plain Go, tested natively. The browser supplies Sources, a Hasher and
// a Putter (wasm/browser); the GraphQL client is wasm/altizure and the OSS
// signer wasm/ossstore.
//
// Before the upload, the check:
//   - Add only queues a file: its metadata (size, camera, time, position;
//     wasm/photometa, first bytes only) is read off the caller's goroutine,
//     MetaConcurrency reads at a time in the order of Add (each of a batch
//     of up to MetaBatch files whose heads Deps.Heads reads at once, when
//     set), and its events carry it (FileEvent.Meta) once read.
//   - Inspect waits for the metadata of the files added so far and sums the
//     batch up (wasm/inspect: counts, gigapixels, cameras, bounds, warnings
//     naming files by index). Duplicate candidates are hashed with the
//     Hasher to confirm them, and those checksums are kept: the upload does
//     not hash them again. It prices the batch for the signed-in user
//     (API.Account, API.CoinsToMoney); the cost is null when that fails.
//     Positions gives the batch's positions, for inspect.WriteCSV and
//     inspect.GeoJSON.
//   - Exclude leaves files out (state excluded): not sent, not counted in
//     the progress, the summary or Processed.Wanted; Include takes it back.
//
// How a batch runs:
//   - Each file's format is known from its metadata, or checked by its
//     first bytes while that is not read (JPEG, PNG or TIFF), and it is
//     hashed, HashConcurrency files at a time (1 by default; a run's
//     first file alone, so that its first byte goes out sooner), and
//     handed on in the order of Add, at most HashAhead files ahead of the
//     upload workers. Concurrency files are sent at once; RegisterAhead more
//     go through hasImage and registration meanwhile, so that the API
//     client can merge the calls of many files into one request (small
//     files are bound by API round trips, not bytes). Memory is a hashing
//     buffer per hashing slot plus what the Putter holds per PUT, whatever
//     the batch size.
//   - A file whose content came earlier in the batch is not sent again: it
//     ends skipped, with the image of the first, when the first ends.
//   - An image that is Invalid — hasImage says so, or it ended so in
//     WaitProcessed — is sent again when its file (the same, or a copy under
//     another name) is added again: such content is nobody's original, and
//     the new upload replaces the Invalid image (every file that has that
//     image then follows it).
//   - After WaitProcessed, Replace puts a corrected file in the place of
//     one whose image ended Invalid (or that failed), under the same index;
//     the next Start sends it. The same content registered again replaces
//     the Invalid image; a corrected file has another checksum and becomes a
//     new image, and the Invalid one stays so in the project. The batch is
//     complete when Processed.Ready equals Processed.Wanted (the files not
//     left out, not refused, and not a copy of another file of the batch).
//   - Every step is retried on network errors, timeouts, 5xx, 429 and expired
//     credentials, with exponential backoff and full jitter; other failures
//     fail that file only, in words. A step gives up after Retries + 1
//     failed tries: what a try calls on the way (a link renewal) is a single
//     try within it, never a retry of its own, and the failures of those API
//     calls are counted apart from the step's own, against Retries too (the
//     API and the storage fail independently). A try that failed only because
//     its credentials expired (a PUT that waited in the browser's queue or
//     on a slow link past a short-lived signature) is renewed and does not
//     count, up to 20 such tries per step. A server that answered a 429 or
//     503 with Retry-After (Error.RetryAfter) is not asked again sooner,
//     for up to 5 minutes. A refused token or a missing project fails the
//     whole batch at once, since it would fail every file.
//   - A bucket given in Options is checked once, at the start, against the
//     buckets the service offers (API.BucketNames): a wrong one fails the
//     batch before any file, naming the right ones.
//   - OSS uses one STS and one signer for every image until the STS nears its
//     expiry (RenewBefore, or a quarter of its life for short ones) or the
//     storage says it expired; it is then replaced by the STS of the next
//     registration or by uploadImageOSS with filename "", and callers that
//     need it meanwhile wait for that one renewal. Expiry is judged in the
//     server's time (OSSUpload.Issued, the answer's Date), so a local clock
//     that is off does not make every STS look expired.
//   - An S3 presigned URL that the storage calls expired is asked for again
//     by registering the file again, and the upload of the image that
//     registration names is started before the PUT.
//   - A PUT that sends nothing and gets no answer for StallTimeout is
//     aborted and tried again.
//   - OSS files of MultipartFrom (100 MiB) and more go up in parts (sized as
//     tusd's calcOptimalPartSize: 8 MiB, or more to stay within 10,000),
//     PartConcurrency at a time, each PUT through the Putter and retried on
//     its own; initiate, list and complete go through the OSSMultipart of
//     the signer. S3 offers one presigned PUT, so a large file is one PUT.
//   - With a Journal (IndexedDB in the browser), each file's checksum, image
//     id and, for a multipart upload, its id and the parts stored outlive a
//     reload: the same files added again are not hashed again, and the
//     parts the storage holds (asked with ListParts) are not sent again. The
//     journal holds no token, credential or signed URL. It is written from a
//     goroutine of its own, and only for files of JournalFrom (1 MiB) and
//     more, whose hashing costs more than its look-up.
//   - WaitProcessed asks only for the images still processing (API.Image,
//     several at once), so its cost follows the batch, not the project; its
//     pause doubles while nothing changes, up to PollMax. It is bounded: an
//     image the project does not have for MissingAfter, or not processed
//     within ProcessTimeout, fails its file with the reason in words.
//   - A refused reconstruction shows the service's message; no refusal code
//     is read. When a retried start is refused, project.task tells whether a
//     try whose answer was lost started it: a task still running is then
//     the result.
//   - Pause lets PUTs under way finish and starts nothing new until Resume;
//     a Pause before Start holds the batch from its start. Cancel aborts
//     requests under way and ends a pause too, so a Start after Pause and
//     Cancel runs at once.
//   - Files are told apart by their index (the order of Add) and image id;
//     a Source that knows its relative path (Pathed) has it in events and
//     reports, since names repeat across folders.
package upload
