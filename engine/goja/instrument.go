package goja

// Instrument rewrites a script so that each executed statement reports its
// line and the local variables in scope to __trace. (Line tracing is not
// implemented yet: the source is returned unchanged.)
func Instrument(src string) (string, error) { return src, nil }
