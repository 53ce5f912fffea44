// Package httpapi serves the engine as the preview's REST Management API
// (/api/v1.0/…) over net/http: JSON routes for the graph, Server-Sent
// Events for the event bus, an OpenAPI 3 document generated from the same
// route table the mux uses, bearer-token authentication, per-token rate
// limits, a body size limit and optional TLS.
//
// It depends on the engine only; the app wires it (app.StartHTTP).
package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Base is the path prefix of every route.
const Base = "/api/v1.0"

// Options configure a Server. The zero value serves plain HTTP on
// 127.0.0.1:8080 with the default limits.
type Options struct {
	Addr            string // default "127.0.0.1:8080"; "127.0.0.1:0" for tests
	TLSCert, TLSKey string // PEM files: serve HTTPS
	// SelfSigned, if set, is a directory where a self-signed certificate
	// and key for the project are made once and reused (HTTPS).
	SelfSigned string
	MaxBody    int64   // request body limit in bytes (default 1 MiB) → 413
	Rate       float64 // per-token requests per second (default 50) → 429
	Burst      int     // per-token burst (default 100)
	Logger     *slog.Logger
	Now        func() time.Time // wall clock for token expiry; default time.Now
	// CompileUDF checks that a UDF script compiles; nil: no check.
	CompileUDF func(script string) error
	// Stats returns extra fields for /system/stats; nil: engine stats only.
	Stats func() any
}

func (o *Options) defaults() {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8080"
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Rate <= 0 {
		o.Rate = 50
	}
	if o.Burst <= 0 {
		o.Burst = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Server is the REST API of one engine. Its methods are safe for
// concurrent use; Start and Close are meant to be called once each.
type Server struct {
	e      *engine.Engine
	o      Options
	routes []route
	mux    *http.ServeMux
	h      http.Handler
	lim    *limiter
	ed     *engine.Editor // writes go through it: it publishes their TopologyOperation events

	ctx    context.Context // cancelled by Close: ends SSE streams
	cancel context.CancelFunc

	mu   sync.Mutex
	ln   net.Listener
	srv  *http.Server
	cert *tls.Certificate
	fp   string
}

// New makes a server for e. It does not listen until Start; Handler is
// usable at once (with httptest).
func New(e *engine.Engine, opts Options) *Server {
	opts.defaults()
	s := &Server{e: e, o: opts, lim: newLimiter(opts.Rate, opts.Burst, opts.Now), ed: engine.NewEditor(e, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes = s.table()
	s.mux = http.NewServeMux()
	for i := range s.routes {
		r := &s.routes[i]
		s.mux.Handle(r.pattern(), s.wrap(r))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "no route "+r.Method+" "+r.URL.Path)
	})
	s.h = s.mux
	return s
}

// Handler is the API's handler (for httptest or another server).
func (s *Server) Handler() http.Handler { return s.h }

// Start binds Options.Addr (returning the bind or certificate error) and
// serves in the background until Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("httpapi: already started")
	}
	cert, err := s.loadCert()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.o.Addr, err)
	}
	s.srv = &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return s.ctx },
		ErrorLog:    slog.NewLogLogger(s.o.Logger.Handler(), slog.LevelWarn)}
	if cert != nil {
		s.cert = cert
		s.fp = fingerprint(cert.Certificate[0])
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	s.ln = ln
	srv := s.srv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.o.Logger.Error("http api stopped", "err", err)
		}
	}()
	s.o.Logger.Info("http api listening", "url", s.url())
	if w := s.warning(); w != "" {
		s.o.Logger.Warn(w)
	}
	return nil
}

// Addr is the bound address ("" before Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is http(s)://addr ("" before Start).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url()
}

func (s *Server) url() string {
	if s.ln == nil {
		return ""
	}
	if s.cert != nil {
		return "https://" + s.ln.Addr().String()
	}
	return "http://" + s.ln.Addr().String()
}

// Fingerprint is the SHA-256 fingerprint of the TLS certificate served
// (hex pairs joined by ':'), "" without TLS.
func (s *Server) Fingerprint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fp
}

// Warning is non-empty when the server is bound to an address other than
// loopback without TLS.
func (s *Server) Warning() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warning()
}

func (s *Server) warning() string {
	if s.ln == nil || s.cert != nil {
		return ""
	}
	if ta, ok := s.ln.Addr().(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return ""
	}
	return "the REST API at " + s.ln.Addr().String() + " is reachable from other machines without TLS: bearer tokens travel in clear text (use --tls-cert/--tls-key or --tls-self-signed)"
}

// Close stops the server: SSE streams end, requests in progress get up to
// five seconds. Safe to call more than once and without Start.
func (s *Server) Close() error {
	s.cancel()
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// update runs fn as one write transaction; once committed, a
// TopologyOperation event for each object it changed goes out on the
// bus, as for an edit in the studio.
func (s *Server) update(fn func(tx *engine.Tx) error) error {
	return s.ed.Do("REST API", fn)
}
