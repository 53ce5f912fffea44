package bbolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"runtime/debug"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// MaxValueNameLen is the longest value name (in bytes) Apply accepts: the
// history key holds the name's length in one byte.
const MaxValueNameLen = 255

// Apply writes ops in one bbolt transaction and returns after it is
// committed and, unless Options.NoSync, fsynced. The result is that of the
// ops applied in order (big batches are written in key order, keeping the
// order of ops on the same object or value owner; see applyOrder). On
// error nothing of the batch is written. An empty batch writes nothing
// and returns nil at once (no transaction, no fsync). The engine's
// committer is the intended caller; Apply is safe to call from any
// goroutine (bbolt serialises writers).
//
// Errors wrap ErrInvalidOp for an op that cannot be stored (unknown type or
// kind, nil object, value name longer than MaxValueNameLen), ErrCorrupt for
// a damaged page or an undecodable stored value record, engine.ErrClosed
// after Close, or else bbolt's I/O error; they name the file and the op.
func (s *Store) Apply(ops []engine.Op) (err error) {
	if len(ops) == 0 {
		return nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.guard("apply", &err)
	var dropped uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		w := writer{
			objects:   tx.Bucket(bucketObjects),
			values:    tx.Bucket(bucketValues),
			history:   tx.Bucket(bucketHistory),
			retention: uint64(s.keepCount()),
			keepAge:   time.Duration(s.keepAge.Load()),
		}
		// IDs are time-ordered, so new objects append to their kind's key
		// range: fill pages more than bbolt's default half.
		w.objects.FillPercent = 0.9
		for _, i := range applyOrder(ops) {
			if err := w.apply(&ops[i]); err != nil {
				return fmt.Errorf("op %d of %d: %w", i+1, len(ops), err)
			}
		}
		dropped = w.dropped
		return nil
	})
	if err != nil {
		return s.wrap("apply", err)
	}
	s.dropped.Add(dropped)
	return nil
}

// sortFrom is the batch size from which Apply writes ops in key order.
const sortFrom = 256

// applyOrder returns the order in which to write ops: as given for small
// batches; for big ones sorted by key, stably, so that ops on the same
// object (kind and key) or the same value owner keep their order. Every
// other pair of ops commutes, and the batch commits as a whole, so the
// result is that of writing ops in order.
//
// This matters for big batches: bbolt splits the nodes a transaction
// changes only at commit, so keys inserted in the middle of a growing
// node (a new space before the devices and sensors of the same batch)
// cost a copy of everything after them, quadratic in the batch size;
// keys inserted in order append.
func applyOrder(ops []engine.Op) []int {
	order := make([]int, len(ops))
	for i := range order {
		order[i] = i
	}
	if len(ops) < sortFrom {
		return order
	}
	keys := make([][17]byte, len(ops))
	for i := range ops {
		keys[i] = opSortKey(&ops[i])
	}
	slices.SortStableFunc(order, func(a, b int) int { return bytes.Compare(keys[a][:], keys[b][:]) })
	return order
}

// opSortKey is the key applyOrder sorts op by: objects-bucket ops by kind
// and key (kind 0 is never stored, so these sort apart from value ops),
// value ops by owner alone, so OpDropValues stays in place among the
// owner's OpValues.
func opSortKey(op *engine.Op) (k [17]byte) {
	switch op.Type {
	case engine.OpPut:
		if op.Obj != nil && !isNilObject(op.Obj) {
			k[0] = byte(op.Obj.Kind())
			id := op.Obj.ObjectKey()
			copy(k[1:], id[:])
		}
	case engine.OpDelete:
		k[0] = byte(op.Kind)
		copy(k[1:], op.Key[:])
	case engine.OpValue, engine.OpDropValues:
		k[0] = 0xff
		copy(k[1:], op.Key[:])
	}
	return k
}

// isNilObject reports whether o is a nil pointer of one of the model types
// (its ObjectKey would panic).
func isNilObject(o engine.Object) bool {
	v := reflect.ValueOf(o)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// writer applies ops inside one write transaction.
type writer struct {
	objects, values, history *bolt.Bucket
	retention                uint64
	keepAge                  time.Duration // 0: keep entries of any age
	dropped                  uint64        // entries the retention pruned
	arena                    arena
	vkey, hkey               []byte // scratch keys (bbolt copies keys)
}

// arena hands out byte slices for values that must stay valid until the
// transaction commits (bbolt keeps the value slices it is given; it copies
// keys).
type arena struct{ b []byte }

// next returns an empty slice to append one record to.
func (a *arena) next() []byte {
	if cap(a.b)-len(a.b) < 512 {
		a.b = make([]byte, 0, 64<<10)
	}
	return a.b[len(a.b):len(a.b)]
}

// keep marks rec, made by appending to next(), as used.
func (a *arena) keep(rec []byte) []byte {
	if len(rec) <= cap(a.b)-len(a.b) {
		a.b = a.b[:len(a.b)+len(rec)]
	}
	return rec
}

// validKind reports whether k is a kind of stored object.
func validKind(k engine.Kind) bool { return k != engine.KindNone && engine.Describe(k) != nil }

func (w *writer) apply(op *engine.Op) error {
	switch op.Type {
	case engine.OpPut:
		if op.Obj == nil {
			return fmt.Errorf("%w: put of a nil object", ErrInvalidOp)
		}
		k := op.Obj.Kind()
		if !validKind(k) {
			return fmt.Errorf("%w: put of kind %d", ErrInvalidOp, k)
		}
		rec, err := appendObject(w.arena.next(), op.Obj)
		if err != nil {
			return fmt.Errorf("%w: put %s: %v", ErrInvalidOp, k, err)
		}
		rec = w.arena.keep(rec)
		var key [17]byte
		return w.objects.Put(appendObjectKey(key[:0], k, op.Obj.ObjectKey()), rec)
	case engine.OpDelete:
		if !validKind(op.Kind) {
			return fmt.Errorf("%w: delete of kind %d", ErrInvalidOp, op.Kind)
		}
		var key [17]byte
		return w.objects.Delete(appendObjectKey(key[:0], op.Kind, op.Key))
	case engine.OpValue:
		return w.value(op.Key, op.Name, op.Value, op.Keep)
	case engine.OpDropValues:
		if err := deletePrefix(w.values, op.Key[:]); err != nil {
			return err
		}
		return deletePrefix(w.history, op.Key[:])
	}
	return fmt.Errorf("%w: op type %d", ErrInvalidOp, op.Type)
}

// value sets owner's current value name to v, appends v to its history
// and prunes the history to the retention, or to keep entries when keep
// is positive and smaller.
func (w *writer) value(owner engine.ID, name string, v engine.Value, keep int) error {
	if len(name) > MaxValueNameLen {
		return fmt.Errorf("%w: value name of %d bytes (at most %d)", ErrInvalidOp, len(name), MaxValueNameLen)
	}
	w.vkey = append(append(w.vkey[:0], owner[:]...), name...)
	vkey := w.vkey
	var seq uint32
	var count uint64
	if old := w.values.Get(vkey); old != nil {
		var err error
		if _, seq, count, err = decodeValue(string(old)); err != nil {
			return fmt.Errorf("%w: value %s %q: %w", ErrCorrupt, owner, clip(name), err)
		}
	}
	seq++ // wraps after 2^32 appends; with the timestamp in front that cannot collide in practice
	count++
	w.hkey = appendHistKey(w.hkey[:0], owner, name, v.Time, seq)
	hkey := w.hkey
	if err := w.history.Put(hkey, w.arena.keep(append(w.arena.next(), v.Value...))); err != nil {
		return err
	}
	retention := w.retention
	if keep > 0 && uint64(keep) < retention {
		retention = uint64(keep)
	}
	if count > retention {
		n, err := w.prune(hkey[:histPrefixLen(name)], count-retention)
		if err != nil {
			return err
		}
		count -= n
		w.dropped += n
	}
	if w.keepAge > 0 && count > 1 {
		n, err := w.pruneBefore(hkey[:histPrefixLen(name)], histTime(v.Time.Add(-w.keepAge)), count-1)
		if err != nil {
			return err
		}
		count -= n
		w.dropped += n
	}
	return w.values.Put(vkey, w.arena.keep(appendValue(w.arena.next(), v, seq, count)))
}

// prune deletes the n oldest history entries under prefix and returns how
// many it deleted.
func (w *writer) prune(prefix []byte, n uint64) (uint64, error) {
	var keys [][]byte
	c := w.history.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && uint64(len(keys)) < n; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := w.history.Delete(k); err != nil {
			return 0, err
		}
	}
	return uint64(len(keys)), nil
}

// pruneBefore deletes the entries under prefix older than the history
// time cutoff, at most n of them (the newest entry always stays), and
// returns how many it deleted. It costs one seek and the entries deleted.
func (w *writer) pruneBefore(prefix []byte, cutoff uint64, n uint64) (uint64, error) {
	var keys [][]byte
	c := w.history.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && uint64(len(keys)) < n; k, _ = c.Next() {
		if len(k) != len(prefix)+12 || binary.BigEndian.Uint64(k[len(prefix):]) >= cutoff {
			break
		}
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := w.history.Delete(k); err != nil {
			return 0, err
		}
	}
	return uint64(len(keys)), nil
}

// deletePrefix deletes every key of b that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ---- history keys ----

// histPrefixLen is the length of the (owner, name) prefix of a history key.
func histPrefixLen(name string) int { return 16 + 1 + len(name) }

// appendHistPrefix appends the history key prefix of (owner, name).
func appendHistPrefix(b []byte, owner engine.ID, name string) []byte {
	b = append(b, owner[:]...)
	b = append(b, byte(len(name)))
	return append(b, name...)
}

// appendHistKey appends the history key of an entry of (owner, name) at t
// with sequence number seq.
func appendHistKey(b []byte, owner engine.ID, name string, t time.Time, seq uint32) []byte {
	b = appendHistPrefix(b, owner, name)
	b = binary.BigEndian.AppendUint64(b, histTime(t))
	return binary.BigEndian.AppendUint32(b, seq)
}

const signBit = 1 << 63

// histTime maps t to a key part that sorts like t: Unix nanoseconds with the
// sign bit flipped. The zero time sorts first; other times outside the
// int64 nanosecond range (before 1678, after 2262) are clamped.
func histTime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	n, ok := unixNanos(t)
	if !ok {
		if t.Before(minNanoTime) {
			n = math.MinInt64
		} else {
			n = math.MaxInt64
		}
	}
	if n == math.MinInt64 {
		n++ // keep 0 for the zero time
	}
	return uint64(n) ^ signBit
}

// histTimeOf is the inverse of histTime (up to clamping); the result is in
// UTC.
func histTimeOf(u uint64) time.Time {
	if u == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(u^signBit)).UTC()
}
