package upload

import "fmt"

// Exclude leaves files out of the batch, by index: they are not sent (their
// state is excluded), count neither in the progress nor as failed nor as
// wanted (Processed.Wanted), and are not in Inspect's summary, until
// Include. Files no run has taken may be left out: queued ones, ones that
// failed (which the next Start would try again) and ones whose image ended
// Invalid (the image stays so in the project). Nothing changes when an index
// is unknown or its file is under way, sent or Ready: the error
// (invalid_input) says which.
func (u *Uploader) Exclude(indexes ...int) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, i := range indexes {
		if err := u.knownLocked(i); err != nil {
			return err
		}
		if f := u.files[i]; !f.st.editable() {
			return Errorf(CodeInvalidInput, "File %d (%q) is %s and cannot be left out.", i, f.name, f.st.shown)
		}
	}
	for _, i := range indexes {
		f := u.files[i]
		ok, wasDone := f.st.exclude()
		if !ok {
			continue
		}
		u.prog.removeFile(f.size, wasDone)
		u.batch.Remove(i)
		u.events.file(f.event())
	}
	u.emitProgressLocked()
	return nil
}

// Include takes back Exclude: the files are queued again (the next Start,
// or the one running, sends them) and are in the summary again. Files not
// left out are as they were; an unknown index is an error (invalid_input)
// and changes nothing.
func (u *Uploader) Include(indexes ...int) error {
	u.mu.Lock()
	for _, i := range indexes {
		if err := u.knownLocked(i); err != nil {
			u.mu.Unlock()
			return err
		}
	}
	for _, i := range indexes {
		f := u.files[i]
		if !f.st.include() {
			continue
		}
		u.prog.addFile(f.size)
		if f.meta != nil {
			u.batch.Add(*f.meta)
		}
		u.cursor = min(u.cursor, i)
		u.events.file(f.event())
	}
	u.emitProgressLocked()
	u.mu.Unlock()
	u.signal()
	return nil
}

// Replace puts src in the place of the file of index: a corrected photo for
// one whose image ended Invalid, or for one that failed, was left out or is
// still queued. The new file has the same index in events, its metadata is
// read again, and the next Start (or the one running) sends it.
//
// What becomes of the Invalid image depends on the content: the service
// replaces an Invalid image when the same checksum is registered again, so
// the same file sent again makes that image start over; a corrected file has
// another checksum and becomes a new image, and the old one stays Invalid in
// the project (the service offers no call to remove it). Files skipped as a
// copy of the replaced one keep its image.
//
// A file under way, sent, or Ready cannot be replaced: the error
// (invalid_input) says so.
func (u *Uploader) Replace(index int, src Source) error {
	if src == nil {
		return Errorf(CodeInvalidInput, "No file was given to replace file %d.", index)
	}
	u.mu.Lock()
	if err := u.knownLocked(index); err != nil {
		u.mu.Unlock()
		return err
	}
	old := u.files[index]
	if !old.st.editable() {
		u.mu.Unlock()
		return Errorf(CodeInvalidInput, "File %d (%q) is %s and cannot be replaced.", index, old.name, old.st.shown)
	}
	if old.st.stage != stageExcluded {
		u.prog.removeFile(old.size, old.st.stage == stageDone)
	}
	f := newFile(index, src)
	u.files[index] = f
	u.batch.Remove(index)
	u.prog.addFile(f.size)
	u.cursor = min(u.cursor, index)
	u.events.file(f.event())
	u.queueMetaLocked(f)
	u.emitProgressLocked()
	u.mu.Unlock()
	u.signal()
	return nil
}

// knownLocked checks that index names an added file; u.mu is held.
func (u *Uploader) knownLocked(index int) error {
	if index < 0 || index >= len(u.files) {
		return &Error{Code: CodeInvalidInput, Message: fmt.Sprintf("There is no file %d: %d files were added.", index, len(u.files))}
	}
	return nil
}
