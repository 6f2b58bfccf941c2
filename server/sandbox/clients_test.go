package sandbox_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Queries exactly as the public Altizure clients send them.

// TestBrowserExampleInlineArguments replays the browser example's requests:
// no variables, arguments inline, enum values unquoted.
func TestBrowserExampleInlineArguments(t *testing.T) {
	e := newEnv(t)
	h := map[string]string{"key": appKey, "altitoken": demoToken, "Content-Type": "application/json"}
	send := func(q string) map[string]any {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": q})
		r := e.post(string(b), h)
		if len(r.Errors) > 0 || r.Status != 200 {
			t.Fatalf("%s\n→ %d %+v", q, r.Status, r.Errors)
		}
		return r.Data
	}
	get := func(m any, path ...string) any {
		for _, p := range path {
			m = m.(map[string]any)[p]
		}
		return m
	}

	// The Node S3 example creates its project inline.
	d := send(`
  mutation {
    createProject(name: "new_project_Thu May 01 2026") {
      id
      name
    }
  }
  `)
	pid := get(d, "createProject", "id").(string)

	d = send(`
  {
    getGeoIPInfo {
      id
      nearestBuckets {
        bucket
        display
        cloud
      }
    }
  }
`)
	bucket := get(d, "getGeoIPInfo", "nearestBuckets").([]any)[0].(map[string]any)["bucket"].(string)
	if bucket != "Hangzhou" {
		t.Fatalf("first bucket %q", bucket)
	}

	// getSts with its default filename '""' and type JPEG.
	d = send(fmt.Sprintf(`
  mutation {
    uploadImageOSS(pid: "%s", bucket: %s, filename: %s, type: %s) {
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
`, pid, bucket, `""`, "JPEG"))
	sts := get(d, "uploadImageOSS", "sts").(map[string]any)
	if sts["bucket"] != "altiup-oss-hangzhou" || sts["expire"] != "2030-01-02T03:04:05Z" {
		t.Errorf("sts %v", sts)
	}

	data := jpegBytes(t, 30, 20)
	checksum := sha(data)
	d = send(fmt.Sprintf(`
  mutation {
    hasImage(pid: "%s", checksum: "%s") {
      id,
      state
      name
      checksum
    }
  }
`, pid, checksum))
	if d["hasImage"] != nil {
		t.Errorf("hasImage = %v", d["hasImage"])
	}

	// registerUpload: type from the MIME subtype, upper-cased.
	d = send(fmt.Sprintf(`
    mutation {
      uploadImageOSS(pid: "%s", bucket: %s, filename: "%s", type: %s, checksum: "%s") {
        image {
          id
          filename
        }
      }
    }
  `, pid, bucket, "IMG_0001.jpg", strings.ToUpper(strings.Split("image/jpeg", "/")[1]), checksum))
	id := get(d, "uploadImageOSS", "image", "id").(string)
	filename := get(d, "uploadImageOSS", "image", "filename").(string)

	d = send(fmt.Sprintf(`
  mutation {
    startImageUpload(id: "%s") {
      id
      state
    }
  }
`, id))
	if get(d, "startImageUpload", "state") != "Uploading" {
		t.Errorf("startImageUpload %v", d)
	}
	e.oss.put("altiup-oss-hangzhou/"+pid+"/"+filename, data)
	d = send(fmt.Sprintf(`
  mutation {
    doneImageUpload(id: "%s") {
      id
    }
  }
`, id))
	if get(d, "doneImageUpload", "id") != id {
		t.Errorf("doneImageUpload %v", d)
	}
	e.waitFinal(pid, id)
	d = send(fmt.Sprintf(`
{
  project (id: "%s") {
    allImages(filter: All) {
      totalCount
      edges {
        node {
          name
          state
          error
          checksum
        }
      }
    }
  }
}
`, pid))
	node := get(d, "project", "allImages", "edges").([]any)[0].(map[string]any)["node"].(map[string]any)
	if node["state"] != "Ready" || node["checksum"] != checksum || node["name"] != "IMG_0001.jpg" {
		t.Errorf("allImages node %v", node)
	}

	// The Node S3 example's uploadImageS3, arguments in its order.
	s3data := jpegBytes(t, 31, 20)
	d = send(fmt.Sprintf(`
  mutation {
    uploadImageS3(pid: "%s", filename: "%s", bucket: %s, checksum: "%s",  type: %s) {
      url
      image {
        id
        state
      }
    }
  }
`, pid, "b.jpg", "Tokyo", sha(s3data), "JPEG"))
	if !strings.HasPrefix(get(d, "uploadImageS3", "url").(string), "http://") {
		t.Errorf("uploadImageS3 %v", d)
	}
	send(fmt.Sprintf(`mutation { startImageUpload(id: "%s") { id state } }`, get(d, "uploadImageS3", "image", "id")))
}

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
