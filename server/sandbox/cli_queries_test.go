package sandbox_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// Queries exactly as the service's command-line client sends them.

// cliQueries are the query texts of the Altizure CLI (alti-cli gql/*.go),
// with the variables it sends.
func cliQueries(pid, iid, checksum string) []struct {
	name string
	q    string
	vars map[string]any
	key  bool // sent with the key only
} {
	return []struct {
		name string
		q    string
		vars map[string]any
		key  bool
	}{
		{"system-mode", `
		{
			support {
				systemMode
			}
		}
	`, nil, true},
		{"supported-cloud", `
		query ($kind: UPLOAD_TYPE) {
			support {
				supportedCloud(kind: $kind)
			}
		}
	`, map[string]any{"kind": "image"}, true},
		{"endpoints", `
		{
			support {
				endpoints {
					api
					web
				}
			}
		}
	`, nil, true},
		{"checkDirectNetwork", `
		query ($url: String!) {
			support {
				networkTest(url: $url)
			}
		}
	`, map[string]any{"url": "http://127.0.0.1:1/"}, true},
		{"nearest-buckets", `
		{
			getGeoIPInfo {
				nearestBuckets {
					cloud
					bucket
				}
			}
		}
	`, nil, true},
		{"helper EnumValues", `
		query ($type: String!) {
			__type(name: $type) {
				enumValues {
					name
				}
			}
		}
	`, map[string]any{"type": "BucketOSS"}, true},
		{"task-type-list", `
		query ($type: String!) {
			__type(name: $type) {
				enumValues {
					name
				}
			}
		}
	`, map[string]any{"type": "TASK_TYPE"}, true},
		{"bank", `
		query ($coins: Float, $currency: CURRENCY) {
			bank {
				coinsToMoney(coins: $coins, currency: $currency)
			}
		}
	`, map[string]any{"coins": 12.5, "currency": "USD"}, true},
		{"myself", `
		query {
		  my {
		    self {
		      email
		      name
					username
				}
	    }
		}
	`, nil, false},
		{"project", `
		query ($id: ID!) {
			project(id: $id) {
				id
				name
				isImported
				importedState
				projectType
				numImage
				gigaPixel
				taskState
				date
				cloudPath {
					key
				}
			}
		}
	`, map[string]any{"id": pid}, false},
		{"search-project-id", `
		query ($id: String, $limit:Int, $myProj: Boolean) {
			search {
				projectID(id: $id, limit: $limit, myProject: $myProj) {
					id
					name
					isImported
					projectType
					numImage
					gigaPixel
					taskState
					date
					cloudPath {
						key
					}
				}
			}
		}
	`, map[string]any{"id": pid[:8], "limit": 1, "myProj": true}, false},
		{"all-project-images", `
		query ($id: ID!, $first: Int, $last: Int, $before: String, $after: String) {
			project(id: $id) {
				allImages(first: $first, last: $last, before: $before, after: $after) {
					totalCount
					pageInfo {
						hasPreviousPage
						hasNextPage
						startCursor
						endCursor
					}
					edges {
						node {
							id
							name
							filename
							state
							grounded
							url
						}
					}
				}
			}
		}
	`, map[string]any{"id": pid, "first": 50, "before": "", "after": ""}, false},
		{"project-image", `
		query ($pid: ID!, $iid: ID!) {
			project(id: $pid) {
				image(id: $iid) {
					id
					state
					name
					filename
					error
				}
			}
		}
	`, map[string]any{"pid": pid, "iid": iid}, false},
		{"has-image", `
		mutation hasImage($pid: ID!, $checksum: String!) {
			hasImage(pid: $pid, checksum: $checksum) {
				id
				state
			}
		}
	`, map[string]any{"pid": pid, "checksum": checksum}, false},
		{"GetSTS", `
		mutation ($pid: ID!, $bucket: BucketOSS!, $filename: String!) {
			uploadImageOSS(pid: $pid, bucket: $bucket, filename: $filename) {
				sts {
					id
					secret
					token
					bucket
					endpoint
					expire
				}
			}
		}
	`, map[string]any{"pid": pid, "bucket": "Hangzhou", "filename": "b3a1f0c2d4e5"}, false},
		{"register-image-oss", `
		mutation ($pid: ID!, $bucket: BucketOSS!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
			uploadImageOSS(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) {
				image {
					id
					state
					name
					filename
				}
			}
		}
	`, map[string]any{"pid": pid, "bucket": "Shanghai", "filename": "DJI_0002.JPG", "type": "JPEG", "checksum": sha([]byte("oss"))}, false},
		{"register-image-s3", `
		mutation ($pid: ID!, $bucket: BucketS3!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
			uploadImageS3(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) {
				url
				image {
					id
					state
					name
					filename
				}
			}
		}
	`, map[string]any{"pid": pid, "bucket": "Paris", "filename": "DJI_0003.JPG", "type": "JPEG", "checksum": sha([]byte("s3"))}, false},
		{"register-image-minio", `
		mutation ($pid: ID!, $bucket: BucketMinio!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
			uploadImageMinio(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) {
				url
				image {
					id
					state
					name
					filename
				}
			}
		}
	`, map[string]any{"pid": pid, "bucket": "Local", "filename": "DJI_0004.JPG", "type": "JPEG", "checksum": sha([]byte("minio"))}, false},
		{"register-image-url", `
		mutation ($pid: ID!, $url: String!, $filename: String, $checksum: String) {
			uploadImageURL(pid: $pid, url: $url, filename: $filename, checksum: $checksum) {
				id
				state
				name
				filename
			}
		}
	`, map[string]any{"pid": pid, "url": "http://127.0.0.1:1/DJI_0005.JPG", "filename": "DJI_0005.JPG", "checksum": sha([]byte("url"))}, false},
		{"start-image-upload", `
		mutation ($iid: ID!) {
			startImageUpload(id: $iid) {
				id
				state
			}
		}
	`, map[string]any{"iid": iid}, false},
		{"done-image-upload", `
		mutation ($iid: ID!) {
			doneImageUpload(id: $iid) {
				id
				state
			}
		}
	`, map[string]any{"iid": iid}, false},
		{"start-reconstruction", `
		mutation ($id: ID!) {
			startReconstructionWithError(id: $id) {
				error {
					code
					message
				}
				task {
					id
					taskType
					state
					startDate
					queueing
				}
			}
		}
	`, map[string]any{"id": pid}, false},
		{"create-project", `
		mutation ($name: String!, $type: PROJECT_TYPE, $imported: Boolean, $modelType: IMPORTED_MODEL_TYPE, $visibility: PROJECT_VISIBILITY) {
			createProject(name: $name, type: $type, imported: $imported, modelType: $modelType, visibility: $visibility) {
				id
			}
		}
	`, map[string]any{"name": "cli project", "type": "free", "visibility": "public"}, false},
	}
}

func TestCLIQueries(t *testing.T) {
	e := newEnv(t)
	pid := e.project("cli")
	data := jpegBytes(t, 12, 12)
	img := e.uploadOSS(pid, "DJI_0001.JPG", "JPEG", data, ptr(sha(data)))
	e.waitFinal(pid, img.Id)
	for _, c := range cliQueries(pid, img.Id, sha(data)) {
		t.Run(c.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]any{"query": c.q, "variables": c.vars})
			h := map[string]string{"key": appKey, "Content-Type": "application/json; charset=utf-8"}
			if !c.key {
				h["altitoken"] = demoToken
			}
			r := e.post(string(b), h)
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("%d %+v", r.Status, r.Errors)
			}
			out, _ := json.Marshal(r.Data)
			t.Logf("%s", out)
			if len(r.Data) != 1 {
				t.Fatalf("data %s", out)
			}
			for _, v := range r.Data {
				if v == nil {
					t.Errorf("null answer: %s", out)
				}
			}
		})
	}
	// What the CLI looks at in the answers.
	r := e.query(`{ support { systemMode } }`, nil)
	if r.Data["support"].(map[string]any)["systemMode"] != "Normal" {
		t.Errorf("systemMode %v", r.Data)
	}
	r = e.query(cliQueries(pid, img.Id, "")[1].q, map[string]any{"kind": "image"})
	if fmt.Sprint(r.Data["support"].(map[string]any)["supportedCloud"]) != "[OSS S3 MINIO]" {
		t.Errorf("supportedCloud %v", r.Data)
	}
	r = e.query(cliQueries(pid, img.Id, "")[9].q, map[string]any{"id": pid})
	p := r.Data["project"].(map[string]any)
	if _, err := time.Parse(time.RFC3339, p["date"].(string)); err != nil || p["id"] != pid {
		t.Errorf("project %v: %v", p, err)
	}
}
