package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// sandbox is one altiup server process started for one measurement: a fresh
// process keeps every run's storage, state and CPU account apart.
type sandbox struct {
	page, api, storage, key, token, project string

	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan struct{}
	client *http.Client
}

// startSandbox runs the server binary on free loopback ports and reads the
// addresses and credentials it prints.
func startSandbox(ctx context.Context, bin string, args ...string) (*sandbox, error) {
	// Both ports free ones: the default storage port (the page's plus one)
	// may be taken.
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-storage-addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &sandbox{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	cmd.Stderr = &lockedWriter{w: s.stderr}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	fields := map[string]*string{"page": &s.page, "api": &s.api, "storage": &s.storage,
		"app key": &s.key, "user token": &s.token, "demo project": &s.project}
	lines := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			if f, ok := fields[k]; ok {
				*f = strings.TrimSpace(v)
			}
			if k == "open" {
				lines <- nil
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		lines <- fmt.Errorf("the server stopped before printing its addresses: %v", sc.Err())
	}()
	go func() { _ = cmd.Wait(); close(s.done) }()
	select {
	case err = <-lines:
	case <-time.After(30 * time.Second):
		err = errors.New("the server printed no addresses within 30s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil && (s.page == "" || s.storage == "" || s.project == "") {
		err = errors.New("the server did not print its page, storage and project")
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("%w; stderr: %s", err, s.stderrText())
	}
	s.page = strings.TrimSuffix(s.page, "/")
	return s, nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *sandbox) stderrText() string {
	lw := s.cmd.Stderr.(*lockedWriter)
	lw.mu.Lock()
	defer lw.mu.Unlock()
	t := s.stderr.String()
	if len(t) > 2000 {
		t = "…" + t[len(t)-2000:]
	}
	return t
}

// stop ends the process (SIGTERM, then SIGKILL after 5s) and returns the CPU
// time it used.
func (s *sandbox) stop() time.Duration {
	if s.cmd.Process == nil {
		return 0
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	if st := s.cmd.ProcessState; st != nil {
		return st.UserTime() + st.SystemTime()
	}
	return 0
}

// cpu is the CPU time the running server has used so far.
func (s *sandbox) cpu() time.Duration { return procCPU(s.cmd.Process.Pid) }

// gqlError is an error the API answered with.
type gqlError struct{ Message string }

func (e *gqlError) Error() string { return "API: " + e.Message }

// gql posts a query with the sandbox's key and token and decodes data into out.
func (s *sandbox) gql(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.api, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("key", s.key)
	req.Header.Set("altitoken", s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("API answer (HTTP %d) is not JSON: %w", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		return &gqlError{r.Errors[0].Message}
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// newProject makes an empty project, so that nothing of an earlier run is
// found by hasImage.
func (s *sandbox) newProject(ctx context.Context, name string) (string, error) {
	var r struct{ CreateProject struct{ ID string } }
	if err := s.gql(ctx, `mutation ($name: String!) { createProject(name: $name) { id } }`, map[string]any{"name": name}, &r); err != nil {
		return "", err
	}
	return r.CreateProject.ID, nil
}

type sts struct {
	ID       string `json:"id"`
	Secret   string `json:"secret"`
	Token    string `json:"token"`
	Bucket   string `json:"bucket"`
	Endpoint string `json:"endpoint"`
}

// ossSTS returns an STS for <pid>/ of the Hangzhou bucket without
// registering an image.
func (s *sandbox) ossSTS(ctx context.Context, pid string) (sts, error) {
	var r struct{ UploadImageOSS struct{ STS sts } }
	err := s.gql(ctx, `mutation ($pid: ID!) { uploadImageOSS(pid: $pid, bucket: Hangzhou, filename: "") { sts { id secret token bucket endpoint } } }`,
		map[string]any{"pid": pid}, &r)
	return r.UploadImageOSS.STS, err
}

// putItem is one request of the plain fetch baseline: the file at the same
// index goes to url with these headers.
type putItem struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// ossPuts signs one PUT URL per name under <pid>/ with an STS, as the
// uploader does, without registering images.
func (s *sandbox) ossPuts(ctx context.Context, pid string, names []string) ([]putItem, sts, error) {
	cred, err := s.ossSTS(ctx, pid)
	if err != nil {
		return nil, cred, err
	}
	client, err := oss.New(cred.Endpoint, cred.ID, cred.Secret, oss.SecurityToken(cred.Token))
	if err != nil {
		return nil, cred, err
	}
	b, err := client.Bucket(cred.Bucket)
	if err != nil {
		return nil, cred, err
	}
	items := make([]putItem, len(names))
	for i, n := range names {
		u, err := b.SignURL(pid+"/"+n, oss.HTTPPut, 3600, oss.ContentType("image/jpeg"))
		if err != nil {
			return nil, cred, err
		}
		items[i] = putItem{URL: u, Headers: map[string]string{"Content-Type": "image/jpeg"}}
	}
	return items, cred, nil
}

// s3Puts registers one image per name and returns their presigned URLs; 8
// registrations run at once.
func (s *sandbox) s3Puts(ctx context.Context, pid string, names []string) ([]putItem, error) {
	items := make([]putItem, len(names))
	errs := make(chan error, len(names))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var r struct{ UploadImageS3 struct{ URL string } }
			err := s.gql(ctx, `mutation ($pid: ID!, $f: String!) { uploadImageS3(pid: $pid, bucket: Tokyo, filename: $f, type: JPEG) { url } }`,
				map[string]any{"pid": pid, "f": n}, &r)
			if err != nil {
				errs <- err
				return
			}
			items[i] = putItem{URL: r.UploadImageS3.URL, Headers: map[string]string{"Content-Type": "image/jpeg"}}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return items, nil
}

// procCPU is the user+system CPU time of a process from /proc (0 when it
// cannot be read).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return parseStatCPU(string(b))
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// parseStatCPU reads utime and stime from a /proc/<pid>/stat line.
func parseStatCPU(stat string) time.Duration {
	f := statFields(stat)
	// From state (3): utime(14) and stime(15) are indexes 11 and 12.
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	if _, err := fmt.Sscan(f[11], &ut); err != nil {
		return 0
	}
	if _, err := fmt.Sscan(f[12], &st); err != nil {
		return 0
	}
	return time.Duration(ut+st) * time.Second / clockTicks
}

// statFields are the fields of a /proc/<pid>/stat line from the third
// (state) on: the command name, field 2, may hold spaces and ')', so they
// count from the last ')'.
func statFields(stat string) []string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(stat[i+1:])
}
