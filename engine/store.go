package engine

import "time"

// Store is the durable record of a project: the bbolt adapter
// (engine/bbolt) implements it. The engine calls Load once when it opens,
// then Apply from a single committer goroutine, and History from any
// goroutine. Implementations must make each Apply atomic and durable:
// after it returns nil the batch survives a crash (kill -9 or power loss
// within the limits of fsync); after it returns an error none of it is
// applied.
type Store interface {
	// Load calls object for every stored object and value for every stored
	// current value. Objects come in any order.
	Load(object func(Object) error, value func(owner ID, name string, v Value) error) error
	// Apply writes ops in order, in one transaction.
	Apply(ops []Op) error
	// History returns up to limit of the newest stored history entries of
	// owner's value name, oldest first.
	History(owner ID, name string, limit int) ([]Value, error)
	// Close releases the store. The engine calls it last.
	Close() error
}

// RecentHistorian is an optional Store interface: the newest limit history
// entries of every stored value in one pass. The engine uses it at open to
// fill its in-memory history rings; without it, it calls History per value.
type RecentHistorian interface {
	RecentHistory(limit int, fn func(owner ID, name string, h []Value) error) error
}

// HistoryRanger is an optional Store interface: the history entries of
// one value within a time range. engine.HistoryRange uses it; without it,
// it filters History.
type HistoryRanger interface {
	// HistoryRange returns the stored history entries of owner's value
	// name with from <= Time <= to, oldest first. A zero from or to leaves
	// that end open. If limit > 0, only the newest limit entries of the
	// range are returned. Safe for concurrent use with Apply.
	HistoryRange(owner ID, name string, from, to time.Time, limit int) ([]Value, error)
}

// OpType says what an Op does.
type OpType uint8

// Op types.
const (
	// OpPut stores Obj, replacing any object of the same kind and key.
	OpPut OpType = iota + 1
	// OpDelete removes the object Kind/Key.
	OpDelete
	// OpValue sets owner Key's current value Name to Value and appends it
	// to that value's history.
	OpValue
	// OpDropValues removes every value and all history of owner Key.
	OpDropValues
)

// Op is one change in a batch handed to Store.Apply.
type Op struct {
	Type  OpType
	Obj   Object // OpPut
	Kind  Kind   // OpDelete
	Key   ID     // OpDelete, OpValue, OpDropValues: the object or owner
	Name  string // OpValue
	Value Value  // OpValue
	// Keep, if positive, bounds the history of an OpValue's value: the
	// store may drop its entries but the newest Keep (it must keep at
	// least those, within its own retention).
	Keep int
}

// BlobStore is an optional Store interface: named byte blobs kept in the
// project file beside the graph (the studio's saved simulation runs). The
// engine never calls it; applications reach it through their store.
// Implementations are safe for concurrent use, and each call is atomic
// and durable as Apply is. After Close every method fails with an error
// wrapping ErrClosed.
type BlobStore interface {
	// WriteBlobs stores every blob of put, replacing blobs of the same
	// names, and removes the blobs named in del (missing ones are no
	// error), all in one transaction: all of it or none is applied.
	WriteBlobs(put map[string][]byte, del []string) error
	// Blob returns the blob name, or an error wrapping ErrNotFound.
	Blob(name string) ([]byte, error)
	// BlobNames lists the names of the blobs that start with prefix, in
	// byte order.
	BlobNames(prefix string) ([]string, error)
}
