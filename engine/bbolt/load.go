package bbolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

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
	defer func() {
		if r := recover(); r != nil {
			if inCallback {
				panic(r) // the caller's bug, not the file's
			}
			// bbolt panics on some damaged pages.
			err = fmt.Errorf("bbolt: load %s: %w (%v)", s.path, ErrCorrupt, r)
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
	c := tx.Bucket(bucketObjects).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		o, err := decodeRecord(k, v)
		if err != nil {
			return recordError(k, err)
		}
		if err := object(o); err != nil {
			return &callbackError{err}
		}
	}
	return nil
}

// recordError describes an undecodable objects-bucket entry.
func recordError(k []byte, err error) error {
	if len(k) != 17 {
		return fmt.Errorf("%w: object key %x: %w", ErrCorrupt, k, err)
	}
	kind, key := engine.Kind(k[0]), engine.ID(k[1:])
	switch kind {
	case engine.KindPropertyKey, engine.KindType, engine.KindOntology:
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
	c := tx.Bucket(bucketValues).Cursor()
	for k, raw := c.First(); k != nil; k, raw = c.Next() {
		if len(k) < 16 {
			return fmt.Errorf("%w: value key %x", ErrCorrupt, k)
		}
		owner := engine.ID(k[:16])
		name := string(k[16:])
		v, _, _, err := decodeValue(string(raw))
		if err != nil {
			return fmt.Errorf("%w: value %s %q: %w", ErrCorrupt, owner, name, err)
		}
		if err := value(owner, name, v); err != nil {
			return &callbackError{err}
		}
	}
	return nil
}

// History returns up to limit of the newest history entries of owner's
// value name (the empty name for a sensor), oldest first; nil if there
// are none or limit <= 0. Times are in UTC. Safe for concurrent use.
func (s *Store) History(owner engine.ID, name string, limit int) ([]engine.Value, error) {
	if limit <= 0 || len(name) > MaxValueNameLen {
		return nil, nil
	}
	prefix := appendHistPrefix(make([]byte, 0, histPrefixLen(name)), owner, name)
	var out []engine.Value
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		var k, v []byte
		if next, ok := successor(prefix); ok {
			if k, _ = c.Seek(next); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Prev() {
			if len(k) != len(prefix)+12 {
				return fmt.Errorf("%w: history key %x", ErrCorrupt, k)
			}
			out = append(out, engine.Value{Value: string(v), Time: histTimeOf(binary.BigEndian.Uint64(k[len(prefix):]))})
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("history", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
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
