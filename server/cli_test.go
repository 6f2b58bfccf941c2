package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"

	"altiup/server/s3bucket/versitytest"
)

// The query texts below are those the official Altizure CLI sends when it
// imports a folder of images: the sandbox must answer them unchanged.
const (
	qSystemMode = `{ support { systemMode } }`
	qSearch     = `query ($id: String, $limit:Int, $myProj: Boolean) {
			search {
				projectID(id: $id, limit: $limit, myProject: $myProj) {
					id name isImported projectType numImage gigaPixel taskState date
					cloudPath { key }
				}
			}
		}`
	qBuckets   = `{ getGeoIPInfo { nearestBuckets { cloud bucket } } }`
	qSupported = `query ($kind: UPLOAD_TYPE) { support { supportedCloud(kind: $kind) } }`
	qEnum      = `query ($type: String!) { __type(name: $type) { enumValues { name } } }`
	qGetSTS    = `mutation ($pid: ID!, $bucket: BucketOSS!, $filename: String!) {
			uploadImageOSS(pid: $pid, bucket: $bucket, filename: $filename) {
				sts { id secret token bucket endpoint expire }
			}
		}`
	qHasImage = `mutation ($pid: ID!, $checksum: String!) { hasImage(pid: $pid, checksum: $checksum) { id state name checksum } }`
	qRegOSS   = `mutation ($pid: ID!, $bucket: BucketOSS!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
			uploadImageOSS(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) {
				image { id state name filename }
			}
		}`
	qRegS3 = `mutation ($pid: ID!, $bucket: BucketS3!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
			uploadImageS3(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) {
				url
				image { id state name filename }
			}
		}`
	qStart = `mutation ($id: ID!) { startImageUpload(id: $id) { id state } }`
	qDone  = `mutation ($id: ID!) { doneImageUpload(id: $id) { id state } }`
	qRecon = `mutation ($id: ID!) {
			startReconstructionWithError(id: $id) {
				error { code message }
				task { id taskType state startDate queueing }
			}
		}`
)

type img struct{ ID, State, Name, Filename string }

// importFolder is the CLI's image import: OSS through the aliyun SDK with the
// issued STS, S3 by a plain PUT of the presigned URL with the sniffed type.
func importFolder(t *testing.T, p *sandboxProc, cloud string, files []string) map[string]string {
	t.Helper()
	var sm struct{ Support struct{ SystemMode string } }
	mustGQL(t, p, qSystemMode, nil, &sm)
	if sm.Support.SystemMode != "Normal" {
		t.Fatalf("systemMode %q", sm.Support.SystemMode)
	}
	var sr struct {
		Search struct{ ProjectID []struct{ ID string } }
	}
	mustGQL(t, p, qSearch, map[string]any{"id": p.project[:6], "limit": 1, "myProj": true}, &sr)
	if len(sr.Search.ProjectID) != 1 || sr.Search.ProjectID[0].ID != p.project {
		t.Fatalf("search by prefix: %+v", sr)
	}
	pid := p.project

	var sc struct {
		Support struct{ SupportedCloud []string }
	}
	mustGQL(t, p, qSupported, map[string]any{"kind": "image"}, &sc)
	if !strings.Contains(strings.ToUpper(strings.Join(sc.Support.SupportedCloud, ",")), strings.ToUpper(cloud)) {
		t.Fatalf("supportedCloud %v lacks %s", sc.Support.SupportedCloud, cloud)
	}
	var nb struct {
		GetGeoIPInfo struct {
			NearestBuckets []struct{ Cloud, Bucket string }
		}
	}
	mustGQL(t, p, qBuckets, nil, &nb)
	bucket := ""
	for _, b := range nb.GetGeoIPInfo.NearestBuckets {
		if strings.EqualFold(b.Cloud, cloud) {
			bucket = b.Bucket
			break
		}
	}
	var en struct {
		Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
	}
	enumName := map[string]string{"oss": "BucketOSS", "s3": "BucketS3"}[cloud]
	mustGQL(t, p, qEnum, map[string]any{"type": enumName}, &en)
	found := false
	for _, v := range en.Type.EnumValues {
		found = found || v.Name == bucket
	}
	if bucket == "" || !found {
		t.Fatalf("bucket %q not among %s values %+v", bucket, enumName, en)
	}

	var ossBucket *alioss.Bucket
	if cloud == "oss" {
		var st struct {
			UploadImageOSS struct {
				STS struct{ ID, Secret, Token, Bucket, Endpoint, Expire string }
			}
		}
		mustGQL(t, p, qGetSTS, map[string]any{"pid": pid, "bucket": bucket, "filename": "sts-only"}, &st)
		s := st.UploadImageOSS.STS
		if !strings.HasSuffix(s.Expire, "Z") {
			t.Errorf("expire %q is not UTC with Z", s.Expire)
		}
		client, err := alioss.New(s.Endpoint, s.ID, s.Secret, alioss.SecurityToken(s.Token))
		if err != nil {
			t.Fatal(err)
		}
		ossBucket, err = client.Bucket(s.Bucket)
		if err != nil {
			t.Fatal(err)
		}
	}

	ids := map[string]string{}
	for _, name := range files {
		body, sum := readImage(t, name)
		var has struct{ HasImage *img }
		mustGQL(t, p, qHasImage, map[string]any{"pid": pid, "checksum": sum}, &has)
		if has.HasImage != nil && has.HasImage.ID != "" {
			ids[name] = has.HasImage.ID
			continue
		}
		ctype := http.DetectContentType(body)
		typ := strings.ToUpper(strings.TrimPrefix(ctype, "image/"))
		if typ != "PNG" && typ != "TIFF" {
			typ = "JPEG"
		}
		var im img
		switch cloud {
		case "oss":
			var r struct{ UploadImageOSS struct{ Image img } }
			mustGQL(t, p, qRegOSS, map[string]any{"pid": pid, "bucket": bucket, "filename": name, "type": typ, "checksum": sum}, &r)
			im = r.UploadImageOSS.Image
			mustGQL(t, p, qStart, map[string]any{"id": im.ID}, nil)
			if err := ossBucket.PutObjectFromFile(pid+"/"+im.Filename, filepath.Join("..", "testdata", "images", name)); err != nil {
				t.Fatalf("PutObjectFromFile: %v", err)
			}
			mustGQL(t, p, qDone, map[string]any{"id": im.ID}, nil)
		case "s3":
			var r struct {
				UploadImageS3 struct {
					URL   string
					Image img
				}
			}
			mustGQL(t, p, qRegS3, map[string]any{"pid": pid, "bucket": bucket, "filename": name, "type": typ, "checksum": sum}, &r)
			im = r.UploadImageS3.Image
			mustGQL(t, p, qStart, map[string]any{"id": im.ID}, nil)
			req, _ := http.NewRequest("PUT", r.UploadImageS3.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", map[string]string{"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff"}[typ])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("PUT %s: %s", name, resp.Status)
			}
		}
		if im.Name != name {
			t.Errorf("image name %q, want %q", im.Name, name)
		}
		ids[name] = im.ID
	}
	return ids
}

func TestAltizureCLIImport(t *testing.T) {
	vgw := func(t *testing.T) []string {
		ep, ak, sk := versitytest.Start(t)
		return []string{"-s3-endpoint", ep, "-s3-access-key", ak, "-s3-secret-key", sk, "-s3-bucket", "altiup-test"}
	}
	for _, tc := range []struct {
		name, cloud string
		args        func(*testing.T) []string
	}{
		{"oss", "oss", nil},
		{"s3-in-process", "s3", nil},
		{"s3-versitygw", "s3", vgw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.args != nil {
				args = tc.args(t)
			}
			p := startServer(t, args...)
			files := []string{"street.jpg", "tower.jpg", "bridge.jpg", "roof.png", "wall.tif", "truncated.jpg", "report.jpg"}
			ids := importFolder(t, p, tc.cloud, files)
			for _, name := range files {
				state, errs := waitFinal(t, p, p.project, ids[name])
				want := "Ready"
				if name == "truncated.jpg" || name == "report.jpg" {
					want = "Invalid"
				}
				if state != want {
					t.Errorf("%s: %s %v, want %s", name, state, errs, want)
				}
				if want == "Invalid" && len(errs) == 0 {
					t.Errorf("%s: Invalid without a reason", name)
				}
			}
			// A second import finds every image already there.
			again := importFolder(t, p, tc.cloud, files)
			for _, name := range files[:5] {
				if again[name] != ids[name] {
					t.Errorf("%s: second import gave image %s, first %s", name, again[name], ids[name])
				}
			}
			var rr struct {
				StartReconstructionWithError struct {
					Error *struct {
						Code    int // an int in the CLI's types
						Message string
					}
					Task *struct{ ID, TaskType, State string }
				}
			}
			mustGQL(t, p, qRecon, map[string]any{"id": p.project}, &rr)
			if rr.StartReconstructionWithError.Task == nil || rr.StartReconstructionWithError.Error != nil {
				t.Fatalf("reconstruction: %+v", rr.StartReconstructionWithError)
			}
		})
	}
}
