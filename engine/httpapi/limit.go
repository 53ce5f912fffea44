package httpapi

import (
	"crypto/sha256"
	"sync"
	"time"
)

// limiter is a token bucket per bearer token. Buckets idle for a minute
// are forgotten, so the map stays small. Safe for concurrent use.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[[32]byte]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[[32]byte]*bucket{}}
}

// allow takes one request from the bucket of token key; when it is empty
// it returns how long until the next request is allowed.
func (l *limiter) allow(key string) (time.Duration, bool) {
	k := sha256.Sum256([]byte(key))
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for kk, b := range l.buckets {
			if now.Sub(b.last) > time.Minute {
				delete(l.buckets, kk)
			}
		}
		l.swept = now
	}
	b := l.buckets[k]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[k] = b
	}
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(l.burst, b.tokens+d*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}
