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

var _ engine.HistoryAter = (*Store)(nil)

// seekLast positions c on the last key that is not past every key
// starting with end (the last key <= end's range), and returns it.
func seekLast(c *bolt.Cursor, end []byte) (k, v []byte) {
	next, ok := successor(end)
	if !ok {
		return c.Last()
	}
	if k, _ = c.Seek(next); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// HistoryAt calls fn for each i whose value (owners[i], names[i]) has a
// stored history entry with time <= t, with the newest such entry (the
// last written of equal times). It seeks once per value, all in one read
// transaction. owners and names must have the same length. Times are in
// UTC. Safe for concurrent use (engine.HistoryAter).
func (s *Store) HistoryAt(owners []engine.ID, names []string, t time.Time, fn func(i int, v engine.Value)) (err error) {
	if len(owners) != len(names) {
		return fmt.Errorf("history at: %d owners for %d names", len(owners), len(names))
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("history", &err)
	ht := histTime(t)
	var key []byte
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketHistory).Cursor()
		for i, owner := range owners {
			if len(names[i]) > MaxValueNameLen {
				continue
			}
			key = appendHistPrefix(key[:0], owner, names[i])
			plen := len(key)
			key = binary.BigEndian.AppendUint64(key, ht)
			k, v := seekLast(c, key)
			if k == nil || !bytes.HasPrefix(k, key[:plen]) {
				continue
			}
			if len(k) != plen+12 {
				return fmt.Errorf("%w: history key %s", ErrCorrupt, clip(fmt.Sprintf("%x", k)))
			}
			fn(i, engine.Value{Value: string(v), Time: histTimeOf(binary.BigEndian.Uint64(k[plen:]))})
		}
		return nil
	})
	if err != nil {
		return s.wrap("history", err)
	}
	return nil
}

// HistorySpan returns the time of the oldest and of the newest history
// entry of all values of the project; ok is false when no value has any
// entry. It seeks twice per stored value (one read transaction), so it
// costs the number of values, not the history kept. Safe for concurrent
// use.
func (s *Store) HistorySpan() (from, to time.Time, ok bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("history span", &err)
	var lo, hi uint64
	err = s.db.View(func(tx *bolt.Tx) error {
		hc := tx.Bucket(bucketHistory).Cursor()
		vc := tx.Bucket(bucketValues).Cursor()
		var prefix []byte
		for k, _ := vc.First(); k != nil; k, _ = vc.Next() {
			if len(k) < 16 || len(k)-16 > MaxValueNameLen {
				return fmt.Errorf("%w: value key %s", ErrCorrupt, clip(fmt.Sprintf("%x", k)))
			}
			var owner engine.ID
			copy(owner[:], k)
			prefix = appendHistPrefix(prefix[:0], owner, string(k[16:]))
			first, _ := hc.Seek(prefix)
			if first == nil || !bytes.HasPrefix(first, prefix) || len(first) != len(prefix)+12 {
				continue
			}
			last, _ := seekLast(hc, prefix)
			if last == nil || len(last) != len(prefix)+12 {
				continue
			}
			f := binary.BigEndian.Uint64(first[len(prefix):])
			l := binary.BigEndian.Uint64(last[len(prefix):])
			if !ok || f < lo {
				lo = f
			}
			if !ok || l > hi {
				hi = l
			}
			ok = true
		}
		return nil
	})
	if err != nil {
		return time.Time{}, time.Time{}, false, s.wrap("history span", err)
	}
	return histTimeOf(lo), histTimeOf(hi), ok, nil
}
