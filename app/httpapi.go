package app

import (
	"errors"
	"fmt"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
)

// ErrHTTPRunning is returned by StartHTTP when the REST API is already
// served.
var ErrHTTPRunning = errors.New("the REST API is already running")

// StartHTTP serves the project's REST Management API (package
// engine/httpapi) with o: UDF scripts are checked as provisioning checks
// them (they must compile), and /system/stats adds the pipeline's and the
// broker's statistics. It returns the bind or certificate error. Close
// stops the server. It may be called once (a second call wraps
// ErrHTTPRunning); safe for concurrent use.
func (a *App) StartHTTP(o httpapi.Options) (*httpapi.Server, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, fmt.Errorf("start the REST API of %s: %w", a.path, engine.ErrClosed)
	}
	if s := a.http.Load(); s != nil {
		return nil, fmt.Errorf("start the REST API: %w on %s", ErrHTTPRunning, s.Addr())
	}
	if o.Logger == nil {
		o.Logger = a.log
	}
	if o.CompileUDF == nil {
		o.CompileUDF = func(script string) error { return checkUDFScript("script", script) }
	}
	if o.Stats == nil {
		o.Stats = a.httpStats
	}
	s := httpapi.New(a.engine, o)
	if err := s.Start(); err != nil {
		return nil, err
	}
	a.http.Store(s)
	return s, nil
}

// HTTP is the REST API server StartHTTP started, nil if none.
func (a *App) HTTP() *httpapi.Server { return a.http.Load() }

// httpStats are the app's fields of /system/stats.
func (a *App) httpStats() any {
	out := map[string]any{"ingress": a.pipeline.Stats()}
	if br := a.broker.Load(); br != nil {
		pub, dropped := br.EventStats()
		out["broker"] = map[string]any{"connected": br.Connected(), "eventsPublished": pub, "eventsDropped": dropped,
			"deliveriesDropped": br.DroppedDeliveries()}
	}
	return out
}

// closeHTTP stops the REST API, if it runs.
func (a *App) closeHTTP() error {
	if s := a.http.Swap(nil); s != nil {
		return s.Close()
	}
	return nil
}
