package bbolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// Load calls object for every stored object (grouped by kind, in key
// order) and then value for every stored current value, from one
// consistent read transaction. The objects and strings it hands out are
// fresh and owned by the callee. Callbacks are called from the calling
// goroutine, one at a time; if one returns an error Load stops and returns
// that error unchanged. A record that cannot be decoded gives an error
// wrapping ErrCorrupt that names its kind and key.
//
// Load is safe to call concurrently with Apply and History, but the
// engine calls it once, before anything else.
func (s *Store) Load(object func(engine.Object) error, value func(owner engine.ID, name string, v engine.Value) error) (err error) {
	inCallback := false
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if inCallback {
				panic(r) // the caller's bug, not the file's
			}
			// bbolt panics on damaged pages.
			err = fmt.Errorf("load %s: %w: the file is damaged (%s)", s.path, ErrCorrupt, panicText(r))
		}
	}()
	obj := func(o engine.Object) error {
		inCallback = true
		err := object(o)
		inCallback = false
		return err
	}
	val := func(owner engine.ID, name string, v engine.Value) error {
		inCallback = true
		err := value(owner, name, v)
		inCallback = false
		return err
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if err := s.loadObjects(tx, obj); err != nil {
			return err
		}
		return s.loadValues(tx, val)
	})
	var ce *callbackError
	if errors.As(err, &ce) {
		return ce.err
	}
	if err != nil {
		return s.wrap("load", err)
	}
	return nil
}

// callbackError carries a callback's error through bbolt unchanged.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

func (s *Store) loadObjects(tx *bolt.Tx, object func(engine.Object) error) error {
	// Records are copied out of the transaction a batch at a time into one
	// string, and decoded objects take their strings from it: one
	// allocation per batch instead of one per record. As with slabs, a
	// batch's string lives while any object of the batch does.
	const maxBatch, maxBatchBytes = 256, 64 << 10
	type rec struct {
		k, v []byte
	}
	var (
		al    slabs
		batch = make([]rec, 0, maxBatch)
	)
	flush := func() error {
		total := 0
		for _, r := range batch {
			total += len(r.v)
		}
		var sb strings.Builder
		sb.Grow(total)
		for _, r := range batch {
			sb.Write(r.v)
		}
		str, off := sb.String(), 0
		for _, r := range batch {
			if len(r.k) != 17 {
				return recordError(r.k, fmt.Errorf("%w: key of %d bytes", errDecode, len(r.k)))
			}
			o, err := decodeObject(engine.Kind(r.k[0]), engine.ID(r.k[1:]), str[off:off+len(r.v)], &al)
			if err != nil {
				return recordError(r.k, err)
			}
			off += len(r.v)
			if err := object(o); err != nil {
				return &callbackError{err}
			}
		}
		batch = batch[:0]
		return nil
	}
	c := tx.Bucket(bucketObjects).Cursor()
	size := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		batch = append(batch, rec{k, v})
		size += len(v)
		if len(batch) == maxBatch || size >= maxBatchBytes {
			if err := flush(); err != nil {
				return err
			}
			size = 0
		}
	}
	return flush()
}

// recordError describes an undecodable objects-bucket entry.
func recordError(k []byte, err error) error {
	if len(k) != 17 {
		return fmt.Errorf("%w: object key %s: %w", ErrCorrupt, clip(fmt.Sprintf("%x", k)), err)
	}
	kind, key := engine.Kind(k[0]), engine.ID(k[1:])
	if d := engine.Describe(kind); d != nil && d.IntKeyed() {
		if n, ok := intKey(key); ok {
			return fmt.Errorf("%w: %s %d: %w", ErrCorrupt, kind, n, err)
		}
	}
	if kind.String() == "kind?" || kind == engine.KindNone {
		return fmt.Errorf("%w: object of unknown kind %d, key %s: %w", ErrCorrupt, kind, key, err)
	}
	return fmt.Errorf("%w: %s %s: %w", ErrCorrupt, kind, key, err)
}

func (s *Store) loadValues(tx *bolt.Tx, value func(owner engine.ID, name string, v engine.Value) error) error {
	// Batched like loadObjects: names and value strings share one string
	// per batch.
	const maxBatch = 512
	type rec struct {
		k, v []byte
	}
	batch := make([]rec, 0, maxBatch)
	flush := func() error {
		total := 0
		for _, r := range batch {
			if len(r.k) < 16 {
				return fmt.Errorf("%w: value key %s", ErrCorrupt, clip(fmt.Sprintf("%x", r.k)))
			}
			total += len(r.k) - 16 + len(r.v)
		}
		var sb strings.Builder
		sb.Grow(total)
		for _, r := range batch {
			sb.Write(r.k[16:])
			sb.Write(r.v)
		}
		str, off := sb.String(), 0
		for _, r := range batch {
			var owner engine.ID
			copy(owner[:], r.k)
			var name string // the empty name must not keep the batch alive
			if n := len(r.k) - 16; n > 0 {
				name = str[off : off+n]
				off += n
			}
			raw := str[off : off+len(r.v)]
			off += len(r.v)
			v, _, _, err := decodeValue(raw)
			if err != nil {
				return fmt.Errorf("%w: value %s %q: %w", ErrCorrupt, owner, clip(name), err)
			}
			if err := value(owner, name, v); err != nil {
				return &callbackError{err}
			}
		}
		batch = batch[:0]
		return nil
	}
	c := tx.Bucket(bucketValues).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		batch = append(batch, rec{k, v})
		if len(batch) == maxBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// History returns up to limit of the newest history entries of owner's
// value name (the empty name for a sensor), oldest first; nil if there
// are none or limit <= 0. Times are in UTC. Safe for concurrent use.
func (s *Store) History(owner engine.ID, name string, limit int) ([]engine.Value, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.HistoryRange(owner, name, time.Time{}, time.Time{}, limit)
}

// successor returns the smallest key greater than every key starting with
// p, or false if there is none (p is all 0xff).
func successor(p []byte) ([]byte, bool) {
	s := bytes.Clone(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0xff {
			s[i]++
			return s[:i+1], true
		}
	}
	return nil, false
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// RecentHistory calls fn for every stored current value, in key order,
// with up to limit of its newest history entries, oldest first, all from
// one read transaction. It is History for every value at once, much
// cheaper than one History call per value: pages are visited in order and
// there is one transaction. fn owns h. If fn returns an error,
// RecentHistory stops and returns it unchanged.
func (s *Store) RecentHistory(limit int, fn func(owner engine.ID, name string, h []engine.Value) error) (err error) {
	if limit <= 0 {
		return nil
	}
	inCallback := false
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if inCallback {
				panic(r)
			}
			err = fmt.Errorf("history %s: %w: the file is damaged (%s)", s.path, ErrCorrupt, panicText(r))
		}
	}()
	err = s.db.View(func(tx *bolt.Tx) error {
		vc := tx.Bucket(bucketValues).Cursor()
		hc := tx.Bucket(bucketHistory).Cursor()
		var prefix, next []byte
		for k, _ := vc.First(); k != nil; k, _ = vc.Next() {
			if len(k) < 16 || len(k)-16 > MaxValueNameLen {
				return fmt.Errorf("%w: value key %s", ErrCorrupt, clip(fmt.Sprintf("%x", k)))
			}
			prefix = append(append(append(prefix[:0], k[:16]...), byte(len(k)-16)), k[16:]...)
			var hk, hv []byte
			var ok bool
			if next, ok = successorInto(next[:0], prefix); ok {
				if hk, _ = hc.Seek(next); hk == nil {
					hk, hv = hc.Last()
				} else {
					hk, hv = hc.Prev()
				}
			} else {
				hk, hv = hc.Last()
			}
			var h []engine.Value
			for ; hk != nil && bytes.HasPrefix(hk, prefix) && len(h) < limit; hk, hv = hc.Prev() {
				if len(hk) != len(prefix)+12 {
					return fmt.Errorf("%w: history key %s", ErrCorrupt, clip(fmt.Sprintf("%x", hk)))
				}
				h = append(h, engine.Value{Value: string(hv), Time: histTimeOf(binary.BigEndian.Uint64(hk[len(prefix):]))})
			}
			slices.Reverse(h)
			var owner engine.ID
			copy(owner[:], k)
			inCallback = true
			err := fn(owner, string(k[16:]), h)
			inCallback = false
			if err != nil {
				return &callbackError{err}
			}
		}
		return nil
	})
	var ce *callbackError
	if errors.As(err, &ce) {
		return ce.err
	}
	if err != nil {
		return s.wrap("history", err)
	}
	return nil
}

// successorInto is successor appending to dst.
func successorInto(dst, p []byte) ([]byte, bool) {
	dst = append(dst, p...)
	for i := len(dst) - 1; i >= 0; i-- {
		if dst[i] != 0xff {
			dst[i]++
			return dst[:i+1], true
		}
	}
	return dst[:0], false
}

// HistoryRange returns the history entries of owner's value name with
// from <= time <= to, oldest first; a zero from or to leaves that end
// open (entries stored with the zero time sort before every other time).
// If limit > 0 only the newest limit entries of the range are returned.
// It seeks to the end of the range in the time-ordered keys and walks
// back, so it costs the entries returned, not the history kept. Times
// are in UTC. Safe for concurrent use (engine.HistoryRanger).
func (s *Store) HistoryRange(owner engine.ID, name string, from, to time.Time, limit int) (_ []engine.Value, err error) {
	if len(name) > MaxValueNameLen {
		return nil, nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("history", &err)
	prefix := appendHistPrefix(make([]byte, 0, histPrefixLen(name)+12), owner, name)
	end := prefix // seek past every key of the range: past the prefix, or past to's time
	if !to.IsZero() {
		end = binary.BigEndian.AppendUint64(bytes.Clone(prefix), histTime(to))
	}
	var lo uint64
	if !from.IsZero() {
		lo = histTime(from)
	}
	var out []engine.Value
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		k, v := seekLast(c, end)
		for ; k != nil && bytes.HasPrefix(k, prefix) && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			if len(k) != len(prefix)+12 {
				return fmt.Errorf("%w: history key %s", ErrCorrupt, clip(fmt.Sprintf("%x", k)))
			}
			ht := binary.BigEndian.Uint64(k[len(prefix):])
			if ht < lo {
				break
			}
			out = append(out, engine.Value{Value: string(v), Time: histTimeOf(ht)})
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("history", err)
	}
	slices.Reverse(out)
	return out, nil
}
