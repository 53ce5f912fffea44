package httpapi

import "time"

// SetSSEKeepAlive sets how often streams send keep-alives and re-check
// their token, and returns a function restoring it.
func SetSSEKeepAlive(d time.Duration) func() {
	old := sseKeepAlive
	sseKeepAlive = d
	return func() { sseKeepAlive = old }
}
