package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// route is one entry of the route table: the mux registers it and the
// OpenAPI document describes it, so the two cannot drift.
type route struct {
	Method  string
	Path    string // below Base, e.g. "/spaces/{id}"
	Summary string
	Query   []string // query parameters documented
	Body    string   // "json", "multipart", "json|multipart" or ""
	Status  int      // success status
	Public  bool     // no token needed (the documents)
	Stream  bool     // text/event-stream
	h       func(c *call) (any, error)
}

func (r *route) pattern() string { return r.Method + " " + Base + r.Path }

// call is one authenticated request.
type call struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
	p engine.Principal
}

// id parses the path value name as a GUID; a malformed one is 404 (an
// unknown id in the route).
func (c *call) id(name string) (engine.ID, error) {
	s := c.r.PathValue(name)
	id, err := engine.ParseID(s)
	if err != nil {
		return engine.NilID, fmt.Errorf("%w: %s %q is not an id", engine.ErrNotFound, name, s)
	}
	return id, nil
}

// intID parses an integer path id; a malformed one is 404.
func (c *call) intID(name string) (int, error) {
	s := c.r.PathValue(name)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not an integer id", engine.ErrNotFound, name, s)
	}
	return n, nil
}

// decode reads the JSON body into dst: unknown fields are refused, and a
// body over the limit is errTooLarge.
func (c *call) decode(dst any) error {
	return decodeJSON(c.r.Body, dst)
}

func decodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the request body is empty (want a JSON object)", engine.ErrInvalid)
		}
		return fmt.Errorf("%w: request body: %v", engine.ErrInvalid, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: request body: more than one JSON value", engine.ErrInvalid)
	}
	return nil
}

var errTooLarge = errors.New("the request body is too large")

// errStatus is an error with its own HTTP status and code.
type errStatus struct {
	status int
	code   string
	msg    string
}

func (e *errStatus) Error() string { return e.msg }

// wrap makes the handler of route r: rate limit, authentication, body
// limit, the handler, and the response (JSON with r.Status, or an error).
func (s *Server) wrap(r *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if rid := req.Header.Get("X-Ms-Client-Request-Id"); rid != "" && len(rid) <= 64 {
			w.Header().Set("X-Ms-Request-Id", rid)
		} else {
			w.Header().Set("X-Ms-Request-Id", engine.NewID().String())
		}
		c := &call{s: s, w: w, r: req}
		if !r.Public {
			tok, ok := bearer(req)
			if ok {
				if wait, ok := s.lim.allow(tok); !ok {
					secs := int(wait.Seconds() + 0.999)
					w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
					writeError(w, http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded: retry after "+strconv.Itoa(max(secs, 1))+"s")
					return
				}
			}
			p, err := s.authenticate(tok, ok)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="twin"`)
				writeError(w, http.StatusUnauthorized, "Unauthorized", cleanMsg(err))
				return
			}
			c.p = p
		}
		if err := checkParams(r, req); err != nil {
			s.fail(w, err)
			return
		}
		if req.ContentLength > s.o.MaxBody {
			writeError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", fmt.Sprintf("the request body is larger than %d bytes", s.o.MaxBody))
			return
		}
		req.Body = http.MaxBytesReader(w, req.Body, s.o.MaxBody)
		out, err := r.h(c)
		if err != nil {
			s.fail(w, err)
			return
		}
		if r.Stream {
			return
		}
		respond(w, r, out)
	})
}

func respond(w http.ResponseWriter, r *route, out any) {
	switch r.Status {
	case http.StatusNoContent:
		w.WriteHeader(http.StatusNoContent)
	case http.StatusCreated:
		if id, ok := out.(string); ok && !strings.Contains(r.Path, "{") {
			w.Header().Set("Location", Base+r.Path+"/"+id)
		}
		writeJSON(w, http.StatusCreated, out)
	default:
		if raw, ok := out.(rawBody); ok {
			w.Header().Set("Content-Type", raw.contentType)
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(raw.data)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// rawBody is a handler result written as is.
type rawBody struct {
	contentType string
	data        []byte
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

func (s *Server) authenticate(tok string, ok bool) (engine.Principal, error) {
	if !ok {
		return engine.Principal{}, fmt.Errorf("%w: missing or malformed Authorization header (want \"Bearer TOKEN\")", errUnauthenticated)
	}
	return resolveToken(s.e, tok, s.o.Now())
}

// fail writes err with the status its sentinel maps to.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status, code := statusOf(err)
	if status == http.StatusInternalServerError {
		s.o.Logger.Error("http api: request failed", "err", err)
	}
	writeError(w, status, code, cleanMsg(err))
}

// statusOf maps an error to its HTTP status and error code.
func statusOf(err error) (int, string) {
	var es *errStatus
	var se *engine.ScriptError
	switch {
	case errors.As(err, &es):
		return es.status, es.code
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, "PayloadTooLarge"
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized, "Unauthorized"
	case errors.Is(err, engine.ErrNotFound):
		return http.StatusNotFound, "NotFound"
	case errors.Is(err, engine.ErrNotAuthorized):
		return http.StatusForbidden, "Forbidden"
	case errors.Is(err, engine.ErrDuplicate), errors.Is(err, engine.ErrConflict):
		return http.StatusConflict, "Conflict"
	case errors.Is(err, engine.ErrInvalid), errors.Is(err, engine.ErrUnknownType), errors.Is(err, engine.ErrUnknownKey), errors.As(err, &se):
		return http.StatusBadRequest, "BadRequest"
	case errors.Is(err, engine.ErrClosed):
		return http.StatusServiceUnavailable, "Unavailable"
	}
	return http.StatusInternalServerError, "InternalError"
}

// cleanMsg is err's message without the engine's package prefixes.
func cleanMsg(err error) string {
	return strings.ReplaceAll(err.Error(), "engine: ", "")
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"InternalError","message":"encoding the response failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// checkParams refuses a query parameter the route does not take, so that
// a misspelt filter is an error rather than a silently larger answer.
func checkParams(r *route, req *http.Request) error {
	for name := range req.URL.Query() {
		known := false
		for _, q := range r.Query {
			known = known || q == name
		}
		if !known {
			if len(r.Query) == 0 {
				return fmt.Errorf("%w: query parameter %q: this route takes none", engine.ErrInvalid, name)
			}
			return fmt.Errorf("%w: query parameter %q: this route takes %s", engine.ErrInvalid, name, strings.Join(r.Query, ", "))
		}
	}
	return nil
}
