package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// env is a project on a real bbolt file served by a Server over a real
// loopback listener (httptest).
type env struct {
	t    testing.TB
	p    *testkit.Project
	e    *engine.Engine
	s    *httpapi.Server
	ts   *httptest.Server
	base string
}

func newEnv(t testing.TB, opts httpapi.Options) *env {
	t.Helper()
	p := testkit.Open(t, "", testkit.Options{})
	s := httpapi.New(p.Engine(), opts)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { s.Close(); ts.Close() })
	return &env{t: t, p: p, e: p.Engine(), s: s, ts: ts, base: ts.URL + httpapi.Base}
}

// token makes a token for principal p (a service principal name, or an
// explicit "Type:ID") with role on path (no assignment when role is "").
func (v *env) token(name, role, path string) string {
	v.t.Helper()
	var secret string
	err := v.e.Update(func(tx *engine.Tx) error {
		p, err := tx.ResolvePrincipal(name)
		if err != nil {
			return err
		}
		if role != "" {
			r, err := tx.FindRole(role)
			if err != nil {
				return err
			}
			if err := tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: r.ID, ObjectID: p.ID, ObjectIDType: p.Type, Path: path}); err != nil {
				return err
			}
		}
		secret, _, err = tx.CreateToken(p, "", time.Time{})
		return err
	})
	if err != nil {
		v.t.Fatalf("token for %s: %v", name, err)
	}
	return secret
}

// admin is a token of a SpaceAdministrator on "/".
func (v *env) admin() string { return v.token("admin", "SpaceAdministrator", "/") }

// resp is a response read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, dst any) {
	t.Helper()
	if err := json.Unmarshal(r.body, dst); err != nil {
		t.Fatalf("response %d %q: %v", r.status, r.body, err)
	}
}

// errorShape checks the body is {"error": {"code", "message"}} with both set.
func (r resp) errorShape(t *testing.T) {
	t.Helper()
	var b struct {
		Error *struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Errorf("error body %q is not {error:{code,message}}", r.body)
	}
}

func (v *env) do(tok, method, path string, body any) resp {
	v.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	return v.raw(tok, method, path, ctype, rd)
}

func (v *env) raw(tok, method, path, ctype string, rd io.Reader) resp {
	v.t.Helper()
	req, err := http.NewRequest(method, v.base+path, rd)
	if err != nil {
		v.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := v.ts.Client().Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// must does a request and fails unless it answers want; it returns the
// response.
func (v *env) must(want int, tok, method, path string, body any) resp {
	v.t.Helper()
	r := v.do(tok, method, path, body)
	if r.status != want {
		v.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// created posts and returns the new id.
func (v *env) created(tok, path string, body any) string {
	v.t.Helper()
	var id string
	r := v.must(http.StatusCreated, tok, "POST", path, body)
	if err := json.Unmarshal(r.body, &id); err != nil {
		v.t.Fatalf("POST %s: %s: %v", path, r.body, err)
	}
	return id
}

// sse is an open event stream.
type sse struct {
	res    *http.Response
	events chan sseEvent
}

type sseEvent struct {
	Type string
	Data string
}

func (v *env) stream(tok, query string) *sse {
	v.t.Helper()
	req, _ := http.NewRequest("GET", v.base+"/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := v.ts.Client().Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		v.t.Fatalf("events%s: %d %s", query, res.StatusCode, b)
	}
	s := &sse{res: res, events: make(chan sseEvent, 1000)}
	ready := make(chan struct{})
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == ": connected":
				close(ready)
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case line == "" && ev.Type != "":
				s.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		v.t.Fatal("event stream: no ': connected' line")
	}
	v.t.Cleanup(func() { res.Body.Close() })
	return s
}

// next returns the next event within d, or false.
func (s *sse) next(d time.Duration) (sseEvent, bool) {
	select {
	case ev, ok := <-s.events:
		return ev, ok
	case <-time.After(d):
		return sseEvent{}, false
	}
}
