package engine

// Generation is a counter bumped by every committed change to the graph's
// objects (not by telemetry values): a reader that caches what it derived
// from the graph (a tree's child lists, say) compares it with the
// generation it cached at and recomputes when it moved. Safe for
// concurrent use.
func (e *Engine) Generation() uint64 { return e.gen.Load() }

// ConnectionGeneration is a counter bumped every time a device connects or
// disconnects (SetDeviceConnection), which Generation does not count.
// Safe for concurrent use.
func (e *Engine) ConnectionGeneration() uint64 { return e.connGen.Load() }
