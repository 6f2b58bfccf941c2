package upload

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// resolveBucket picks the bucket once per Uploader: the one given, checked
// against the buckets the service offers, or the nearest of the wanted
// cloud.
func (u *Uploader) resolveBucket(ctx context.Context) error {
	u.mu.Lock()
	done := u.bucket != ""
	u.mu.Unlock()
	if done {
		return nil
	}
	bucket, cloud := u.opts.Bucket, u.opts.Cloud
	var err error
	if bucket != "" {
		err = u.checkBucket(ctx, bucket, cloud)
	} else {
		bucket, cloud, err = u.nearestBucket(ctx, cloud)
	}
	if err != nil {
		return err
	}
	if cloud == "oss" && u.deps.OSS == nil {
		return Errorf(CodeInvalidInput, "An OSS bucket was chosen but no OSS signer was given.")
	}
	u.mu.Lock()
	u.bucket, u.cloud = bucket, cloud
	if cloud == "oss" {
		u.creds = &stsCache{u: u}
	}
	u.mu.Unlock()
	return nil
}

// checkBucket makes sure the service knows a bucket that was given, so that
// a wrong one fails the batch once, before any file, instead of every file
// at its registration.
func (u *Uploader) checkBucket(ctx context.Context, bucket, cloud string) error {
	var names []string
	err := u.retryCall(ctx, func(ctx context.Context) error {
		var err error
		names, err = u.deps.API.BucketNames(ctx, cloud)
		return err
	})
	if e := AsError(err); e != nil {
		if e.Code == CodeAPI {
			// The service does not tell (its schema hidden): registration
			// will say whether the bucket is right.
			return nil
		}
		return stepError("Checking the bucket", err)
	}
	if len(names) == 0 || slices.Contains(names, bucket) {
		return nil
	}
	return Errorf(CodeNoBucket, "The service has no %s bucket %q; its %s buckets are %s.", cloudName(cloud), bucket, cloudName(cloud), strings.Join(names, ", "))
}

// nearestBucket picks the nearest bucket of the wanted cloud ("auto": any).
func (u *Uploader) nearestBucket(ctx context.Context, cloud string) (string, string, error) {
	var list []Bucket
	err := u.retryCall(ctx, func(ctx context.Context) error {
		var err error
		list, err = u.deps.API.NearestBuckets(ctx)
		return err
	})
	if err != nil {
		return "", "", stepError("Finding the nearest bucket", err)
	}
	for _, b := range list {
		c := strings.ToLower(b.Cloud)
		if (c == "oss" || c == "s3") && (cloud == "auto" || cloud == c) {
			return b.Bucket, c, nil
		}
	}
	offered := make([]string, 0, len(list))
	for _, b := range list {
		offered = append(offered, fmt.Sprintf("%s (%s)", b.Bucket, b.Cloud))
	}
	have := "none"
	if len(offered) > 0 {
		have = strings.Join(offered, ", ")
	}
	want := "an OSS or S3"
	if cloud != "auto" {
		want = "an " + cloudName(cloud)
	}
	return "", "", Errorf(CodeNoBucket, "The service offers no %s bucket; it offers %s.", want, have)
}

// cloudName is the name of a cloud ("oss" or "s3") for people.
func cloudName(cloud string) string {
	if cloud == "oss" {
		return "OSS"
	}
	return "S3"
}
