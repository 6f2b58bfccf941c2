package sandbox

import (
	"context"

	"altiup/server/sandbox/internal/graph"
)

type mutationResolver struct{ s *Sandbox }

// stsTimeFormat is how sts.expire is written: UTC with a Z, never an offset.
const stsTimeFormat = "2006-01-02T15:04:05Z"

func (m mutationResolver) HasImage(ctx context.Context, pid string, checksum string) (*graph.Image, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	img, err := m.s.hasImage(u, pid, checksum)
	if err != nil {
		return nil, err
	}
	return m.s.viewImage(img), nil
}

func (m mutationResolver) UploadImageOss(ctx context.Context, pid string, bucket graph.BucketOss, filename string, typ *graph.ImageType, checksum *string) (*graph.OSSUploadInfo, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	sts, real, img, err := m.s.uploadImageOSS(ctx, u, pid, string(bucket), filename, typ, checksum)
	if err != nil {
		return nil, err
	}
	return &graph.OSSUploadInfo{
		Sts: &graph.Sts{
			ID:       sts.AccessKeyID,
			Secret:   sts.AccessKeySecret,
			Token:    sts.SecurityToken,
			Bucket:   real,
			Endpoint: m.s.cfg.OSS.Endpoint(),
			Expire:   sts.Expiration.UTC().Format(stsTimeFormat),
		},
		Image: m.s.viewImage(img),
	}, nil
}

func (m mutationResolver) UploadImageS3(ctx context.Context, pid string, bucket graph.BucketS3, filename string, typ *graph.ImageType, checksum *string) (*graph.S3UploadInfo, error) {
	return m.uploadS3(ctx, CloudS3, pid, string(bucket), filename, typ, checksum)
}

func (m mutationResolver) UploadImageMinio(ctx context.Context, pid string, bucket graph.BucketMinio, filename string, typ *graph.ImageType, checksum *string) (*graph.S3UploadInfo, error) {
	return m.uploadS3(ctx, CloudMinIO, pid, string(bucket), filename, typ, checksum)
}

func (m mutationResolver) uploadS3(ctx context.Context, cloud Cloud, pid, bucket, filename string, typ *graph.ImageType, checksum *string) (*graph.S3UploadInfo, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	if filename == "" {
		return nil, errorf(CodeBadInput, "filename is empty: give the image's file name")
	}
	url, img, err := m.s.uploadImageS3(ctx, u, cloud, pid, bucket, filename, typ, checksum)
	if err != nil {
		return nil, err
	}
	return &graph.S3UploadInfo{URL: url, Image: m.s.viewImage(img)}, nil
}

func (m mutationResolver) UploadImageURL(ctx context.Context, pid string, url string, filename *string, checksum *string) (*graph.Image, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	img, err := m.s.uploadImageURL(u, pid, url, filename, checksum)
	if err != nil {
		return nil, err
	}
	return m.s.viewImage(img), nil
}

func (m mutationResolver) StartImageUpload(ctx context.Context, id string) (*graph.Image, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	img, err := m.s.startImageUpload(u, id)
	if err != nil {
		return nil, err
	}
	return m.s.viewImage(img), nil
}

func (m mutationResolver) DoneImageUpload(ctx context.Context, id string) (*graph.Image, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	img, err := m.s.doneImageUpload(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return m.s.viewImage(img), nil
}

func (m mutationResolver) StartReconstructionWithError(ctx context.Context, id string, options *graph.TaskOptionsInput, _ []string) (*graph.ReconstructionResult, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	return m.s.reconstruct(u, id, options, false), nil
}

func (m mutationResolver) PreStartReconstruction(ctx context.Context, id string, options *graph.TaskOptionsInput, _ []string) (*graph.ReconstructionResult, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	return m.s.reconstruct(u, id, options, true), nil
}

func (m mutationResolver) CreateProject(ctx context.Context, name string, typ *graph.ProjectType, imported *bool, modelType *graph.ImportedModelType, visibility *graph.ProjectVisibility) (*graph.Project, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	var t, mt, vis string
	if typ != nil {
		t = string(*typ)
	}
	if modelType != nil {
		mt = string(*modelType)
	}
	if visibility != nil {
		vis = string(*visibility)
	}
	p, err := m.s.createProject(u, name, t, imported != nil && *imported, mt, vis)
	if err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.s.projectView(p, m.s.clock.Now()), nil
}

func (m mutationResolver) StopReconstruction(ctx context.Context, id string) (*graph.Task, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	return m.s.stopReconstruction(u, id)
}
