// Package localfile gives the native command its upload.Sources: files on
// disk, found by walking the folders and files named on the command line.
//
// A walked folder contributes the images in it, recognised by their first
// bytes (JPEG, PNG, TIFF), not their names; hidden files and folders are
// left out. Each File carries its path relative to what was named (the
// named folder's own name first, as a browser's webkitRelativePath), which
// is part of its journal identity with its size and modification time.
//
// Files are opened when first read and kept open, at most MaxOpen at once:
// a batch of 50,000 photos must not run out of file descriptors.
package localfile
