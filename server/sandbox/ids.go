package sandbox

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// newID returns 24 hexadecimal characters laid out like a MongoDB ObjectID
// (4 bytes of seconds, 8 random bytes), as the real service's ids look.
func newID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	rand.Read(b[4:])
	return hex.EncodeToString(b[:])
}

// objectName derives an image's object name: a hash of the project, the
// checksum (or nothing) and random bytes, so that names never repeat within
// a project even when an Invalid image is replaced by one with the same
// checksum.
func objectName(pid, checksum, ext string) string {
	var salt [16]byte
	rand.Read(salt[:])
	h := sha1.New()
	h.Write([]byte(pid + "/" + checksum + "/"))
	h.Write(salt[:])
	return hex.EncodeToString(h.Sum(nil)) + ext
}

func isChecksum(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
