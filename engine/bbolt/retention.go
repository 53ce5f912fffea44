package bbolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// SetRetention changes the history retention from the next Apply on:
// keep at most keepCount entries per value (0 or less: Options'
// HistoryRetention) and, when keepAge > 0, drop the entries older than
// keepAge before the newest entry of the same value (the newest always
// stays). Like Options.HistoryRetention it takes effect for a value at its
// next append. Safe for concurrent use.
func (s *Store) SetRetention(keepCount int, keepAge time.Duration) {
	s.keepCountV.Store(int64(max(keepCount, 0)))
	s.keepAge.Store(int64(max(keepAge, 0)))
}

// Retention returns the retention in force: the count per value and the
// age (0: none).
func (s *Store) Retention() (keepCount int, keepAge time.Duration) {
	return s.keepCount(), time.Duration(s.keepAge.Load())
}

// keepCount is the most entries kept per value.
func (s *Store) keepCount() int {
	if n := s.keepCountV.Load(); n > 0 {
		return int(n)
	}
	return s.opts.HistoryRetention
}

// Dropped returns how many history entries the retention pruned since
// Open. Safe for concurrent use.
func (s *Store) Dropped() uint64 { return s.dropped.Load() }

// HistoryKept says what the retention left of owner's value name: the
// time of its oldest stored entry (ok false: it has none) and how many of
// its entries were pruned since it was first written (by the retention or
// an op's Keep). Safe for concurrent use.
func (s *Store) HistoryKept(owner engine.ID, name string) (oldest time.Time, dropped uint64, ok bool, err error) {
	if len(name) > MaxValueNameLen {
		return time.Time{}, 0, false, nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("history", &err)
	err = s.db.View(func(tx *bolt.Tx) error {
		vkey := append(append([]byte(nil), owner[:]...), name...)
		rec := tx.Bucket(bucketValues).Get(vkey)
		if rec == nil {
			return nil
		}
		_, seq, count, err := decodeValue(string(rec))
		if err != nil {
			return fmt.Errorf("%w: value %s %q: %w", ErrCorrupt, owner, clip(name), err)
		}
		if uint64(seq) > count {
			dropped = uint64(seq) - count
		}
		prefix := appendHistPrefix(nil, owner, name)
		k, _ := tx.Bucket(bucketHistory).Cursor().Seek(prefix)
		if k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+12 {
			oldest, ok = histTimeOf(binary.BigEndian.Uint64(k[len(prefix):])), true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, 0, false, s.wrap("history", err)
	}
	return oldest, dropped, ok, nil
}
