// Package ossbackend is the seam between the sandbox's API and the
// OSS-compatible endpoint: the two packages share nothing but this.
package ossbackend

import (
	"time"

	"altiup/server/ossbucket"
	"altiup/server/sandbox"
)

// Backend is an *ossbucket.Server as the sandbox's OSSBackend: only the
// credentials it issues change type.
type Backend struct{ *ossbucket.Server }

var _ sandbox.OSSBackend = Backend{}

// New gives the sandbox the OSS endpoint s.
func New(s *ossbucket.Server) Backend { return Backend{s} }

// IssueSTS issues temporary credentials that may write under prefix of
// bucket, in the sandbox's type.
func (b Backend) IssueSTS(bucket, prefix string, ttl time.Duration) (sandbox.STS, error) {
	cr, err := b.Server.IssueSTS(bucket, prefix, ttl)
	if err != nil {
		return sandbox.STS{}, err
	}
	return sandbox.STS{AccessKeyID: cr.AccessKeyID, AccessKeySecret: cr.AccessKeySecret, SecurityToken: cr.SecurityToken, Expiration: cr.Expiration}, nil
}
