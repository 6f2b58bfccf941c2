package sandbox_test

import (
	"slices"
	"testing"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func TestGeoIPAndSupport(t *testing.T) {
	e := newEnv(t)
	geo, err := gqltest.GeoIP(ctx, e.anon)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range geo.GetGeoIPInfo.NearestBuckets {
		got = append(got, b.Cloud+":"+b.Bucket)
	}
	if want := []string{"OSS:Hangzhou", "S3:Tokyo", "MINIO:Local"}; !slices.Equal(got, want) {
		t.Errorf("nearestBuckets = %v, want %v", got, want)
	}
	if geo.GetGeoIPInfo.Id != "127.0.0.1" {
		t.Errorf("id = %q, want the caller's address", geo.GetGeoIPInfo.Id)
	}
	if len(geo.GetGeoIPInfo.NearestModelBuckets) == 0 || len(geo.GetGeoIPInfo.NearestMetaBuckets) == 0 {
		t.Error("model and meta buckets are empty")
	}

	sup, err := gqltest.Support(ctx, e.anon, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sup.Support.SystemMode != "Normal" {
		t.Errorf("systemMode = %q", sup.Support.SystemMode)
	}
	if want := []string{"OSS", "S3", "MINIO"}; !slices.Equal(sup.Support.SupportedCloud, want) {
		t.Errorf("supportedCloud = %v, want %v", sup.Support.SupportedCloud, want)
	}
	if sup.Support.Endpoints.Api != "http://api.test" || sup.Support.Endpoints.Web != "http://web.test" {
		t.Errorf("endpoints = %+v", sup.Support.Endpoints)
	}
	// Every kind lists the clouds of its nearest buckets, in their order.
	clouds := map[gqltest.UPLOAD_TYPE][]string{}
	for _, b := range geo.GetGeoIPInfo.NearestBuckets {
		clouds[gqltest.UPLOAD_TYPEImage] = append(clouds[gqltest.UPLOAD_TYPEImage], b.Cloud)
	}
	for _, b := range geo.GetGeoIPInfo.NearestModelBuckets {
		clouds[gqltest.UPLOAD_TYPEModel] = append(clouds[gqltest.UPLOAD_TYPEModel], b.Cloud)
	}
	for _, b := range geo.GetGeoIPInfo.NearestMetaBuckets {
		clouds[gqltest.UPLOAD_TYPEMeta] = append(clouds[gqltest.UPLOAD_TYPEMeta], b.Cloud)
	}
	for k, buckets := range clouds {
		sup, err := gqltest.Support(ctx, e.anon, &k)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range buckets {
			if !slices.Contains(want, c) {
				want = append(want, c)
			}
		}
		if len(want) == 0 || !slices.Equal(sup.Support.SupportedCloud, want) {
			t.Errorf("supportedCloud(%s) = %v, want %v", k, sup.Support.SupportedCloud, want)
		}
	}
}

func TestBucketOrderIsConfigurable(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) {
		c.Buckets = []sandbox.Bucket{
			{Cloud: sandbox.CloudS3, Name: "Paris", Display: "Paris"},
			{Cloud: sandbox.CloudOSS, Name: "Shanghai", Display: "Shanghai"},
		}
	})
	geo, err := gqltest.GeoIP(ctx, e.anon)
	if err != nil {
		t.Fatal(err)
	}
	b := geo.GetGeoIPInfo.NearestBuckets
	if len(b) != 2 || b[0].Bucket != "Paris" || b[0].Cloud != "S3" || b[1].Bucket != "Shanghai" {
		t.Errorf("nearestBuckets = %+v", b)
	}
	sup, err := gqltest.Support(ctx, e.anon, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"S3", "OSS"}; !slices.Equal(sup.Support.SupportedCloud, want) {
		t.Errorf("supportedCloud = %v, want %v", sup.Support.SupportedCloud, want)
	}

	_, err = sandbox.New(sandbox.Config{AppKey: "k", Users: []sandbox.User{{Token: "t", Username: "u"}},
		Buckets: []sandbox.Bucket{{Cloud: sandbox.CloudOSS, Name: "Tokyo"}}})
	if err == nil {
		t.Error("New accepted an OSS bucket named Tokyo, which is not a BucketOSS value")
	}
}

func TestOSSBucketNames(t *testing.T) {
	want := []string{"altiup-oss-hangzhou", "altiup-oss-shanghai", "altiup-oss-beijing", "altiup-oss-shenzhen", "altiup-oss-hongkong"}
	if got := sandbox.OSSBucketNames(); !slices.Equal(got, want) {
		t.Errorf("OSSBucketNames() = %v, want %v", got, want)
	}
}

func TestIntrospection(t *testing.T) {
	e := newEnv(t)
	for typ, want := range map[string][]string{
		"BucketOSS":   {"Hangzhou", "Shanghai", "Beijing", "Shenzhen", "HongKong"},
		"BucketMinio": {"Local"},
		"TASK_TYPE":   {"Native", "Dense", "Sparse"},
	} {
		r, err := gqltest.EnumValues(ctx, e.anon, typ)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range r.Type.EnumValues {
			got = append(got, v.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", typ, got, want)
		}
	}
	r, err := gqltest.EnumValues(ctx, e.anon, "BucketS3")
	if err != nil {
		t.Fatal(err)
	}
	var s3 []string
	for _, v := range r.Type.EnumValues {
		s3 = append(s3, v.Name)
	}
	for _, want := range []string{"Tokyo", "Paris", "Stockholm", "HongKong"} {
		if !slices.Contains(s3, want) {
			t.Errorf("BucketS3 lacks %s: %v", want, s3)
		}
	}
}
