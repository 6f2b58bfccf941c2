package sandbox_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
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
