package sandbox

import (
	"context"
	"slices"

	"altiup/server/sandbox/internal/graph"
)

// APIVersion is what versions { api } answers.
const APIVersion = "1.9.4-altiup-sandbox"

func (q queryResolver) Versions(ctx context.Context) (*graph.Versions, error) {
	return &graph.Versions{API: APIVersion}, nil
}

func (q queryResolver) Support(ctx context.Context) (*graph.Support, error) {
	api, web := q.s.cfg.APIURL, q.s.cfg.WebURL
	base := requestFrom(ctx).baseURL
	if api == "" {
		api = base
	}
	if web == "" {
		web = base
	}
	return &graph.Support{SystemMode: "Normal", Endpoints: &graph.Endpoints{API: api, Web: web}}, nil
}

// buckets lists the buckets nearest first for a kind of upload, as
// getGeoIPInfo names them and supportedCloud sums them up.
func (s *Sandbox) buckets(kind graph.UploadType) []Bucket {
	switch kind {
	case graph.UploadTypeMeta:
		s3 := string(graph.BucketS3Tokyo)
		for _, b := range s.cfg.Buckets {
			if b.Cloud == CloudS3 {
				s3 = b.Name
				break
			}
		}
		return []Bucket{
			{Cloud: CloudS3, Name: s3, Display: s3 + " (AWS S3)"},
			{Cloud: CloudMinIO, Name: string(graph.BucketMinioMetaLocal), Display: "Local (MinIO)"},
		}
	case graph.UploadTypeModel:
		return []Bucket{
			{Cloud: CloudS3, Name: string(graph.BucketS3ModelTokyo), Display: "Tokyo (AWS S3)"},
			{Cloud: CloudMinIO, Name: string(graph.BucketMinioModelLocal), Display: "Local (MinIO)"},
		}
	}
	return s.cfg.Buckets
}

func bucketInfos(bs []Bucket) []graph.BucketInfo {
	out := []graph.BucketInfo{}
	for _, b := range bs {
		out = append(out, graph.BucketInfo{Bucket: b.Name, Display: b.Display, Cloud: string(b.Cloud)})
	}
	return out
}

func (q queryResolver) GetGeoIPInfo(ctx context.Context) (*graph.GeoIPInfo, error) {
	ip := requestFrom(ctx).remoteIP
	return &graph.GeoIPInfo{
		ID:                  ip,
		IP:                  strPtr(ip),
		NearestBuckets:      bucketInfos(q.s.buckets(graph.UploadTypeImage)),
		NearestMetaBuckets:  bucketInfos(q.s.buckets(graph.UploadTypeMeta)),
		NearestModelBuckets: bucketInfos(q.s.buckets(graph.UploadTypeModel)),
	}, nil
}

type supportResolver struct{ s *Sandbox }

func (r supportResolver) SupportedCloud(ctx context.Context, _ *graph.Support, kind *graph.UploadType) ([]string, error) {
	k := graph.UploadTypeImage
	if kind != nil {
		k = *kind
	}
	out := []string{}
	for _, b := range r.s.buckets(k) {
		if !slices.Contains(out, string(b.Cloud)) {
			out = append(out, string(b.Cloud))
		}
	}
	return out, nil
}

func (r supportResolver) NetworkTest(ctx context.Context, _ *graph.Support, url string) (string, error) {
	return r.s.networkTest(ctx, url), nil
}

func (r supportResolver) ErrorCodeInfo(ctx context.Context, _ *graph.Support, code *graph.ProjectErrorCode, lang *graph.LocaleType) (*graph.ErrorCodeInfo, error) {
	if code == nil {
		return nil, nil
	}
	l := graph.LocaleTypeEn
	if lang != nil {
		l = *lang
	}
	for _, e := range projectErrors {
		if e.name == *code {
			t := e.text[string(l)]
			return &graph.ErrorCodeInfo{Code: e.name, Description: t[0], Solution: t[1]}, nil
		}
	}
	return nil, errorf(CodeBadInput, "no text for the code %s", *code)
}
