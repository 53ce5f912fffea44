package bbolt

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/twinstudio/twinstudio/engine"
)

// FormatVersion is the layout version this package writes in meta/format.
const FormatVersion = 1

// Sentinel errors. Errors returned by this package wrap them (test with
// errors.Is); a closed store reports engine.ErrClosed.
var (
	// ErrLocked means another process has the project file open.
	ErrLocked = errors.New("bbolt: project file is in use by another process")
	// ErrNotProject means the file is not a bbolt file, is damaged beyond
	// bbolt's own checks, or is a bbolt file of some other program.
	ErrNotProject = errors.New("bbolt: not a Twin Studio project file")
	// ErrFormat means the project was written in a layout version this
	// build does not know.
	ErrFormat = errors.New("bbolt: unsupported project format")
	// ErrCorrupt means a record in the project file cannot be decoded or
	// bbolt met a damaged page.
	ErrCorrupt = errors.New("bbolt: project file is corrupt")
	// ErrInvalidOp means Apply was handed an op it cannot store; nothing of
	// that batch was written.
	ErrInvalidOp = errors.New("bbolt: invalid op")
)

// Options configure Open. The zero value is valid; see withDefaults for the
// defaults, which are also stated per field.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process before it fails with ErrLocked. Zero or negative: 1s.
	Timeout time.Duration
	// HistoryRetention is the most history entries kept per (owner, value
	// name); Apply prunes the oldest beyond it. Zero or negative: 10000.
	HistoryRetention int
	// NoSync skips fsync on commit: a crash may lose or corrupt the file.
	// For tests and benchmarks only.
	NoSync bool
}

// Defaults of Options.
const (
	DefaultTimeout          = time.Second
	DefaultHistoryRetention = 10000
)

// withDefaults returns o with zero fields set to their defaults. It is the
// one place defaults are filled in.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HistoryRetention <= 0 {
		o.HistoryRetention = DefaultHistoryRetention
	}
	return o
}

// Bucket names and the meta key.
var (
	bucketMeta    = []byte("meta")
	bucketObjects = []byte("objects")
	bucketValues  = []byte("values")
	bucketHistory = []byte("history")
	keyFormat     = []byte("format")
)

// Store is a project file: an engine.Store kept in one bbolt file. Its
// methods are safe for concurrent use by many goroutines; bbolt runs one
// writer (Apply) at a time alongside any number of readers (Load,
// History). After Close every method returns an error wrapping
// engine.ErrClosed.
type Store struct {
	db   *bolt.DB
	path string
	opts Options

	// The history retention (retention.go): keepCountV overrides
	// opts.HistoryRetention when positive; keepAge in nanoseconds, 0 none;
	// dropped counts the entries pruned since Open.
	keepCountV atomic.Int64
	keepAge    atomic.Int64
	dropped    atomic.Uint64
}

var _ engine.Store = (*Store)(nil)
var _ engine.HistoryRanger = (*Store)(nil)

// Open opens the project file at path, creating it (mode 0600) with an
// empty project if it does not exist. The file stays locked against other
// processes until Close.
//
// If another process (or another Store of this process) has the file
// open, Open gives up after opts.Timeout with an error wrapping ErrLocked. A file that is not a project gives
// ErrNotProject, a project of an unknown layout version ErrFormat. An
// existing file that is empty or not a regular file is refused with
// ErrNotProject (it is never made into a new project), one shorter than
// its own pages with ErrCorrupt. Every error message is one line that
// names the file.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if err := checkFile(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, opts: opts}
	if err := s.init(); err != nil {
		_ = db.Close()
		var fe *fileError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("open %s: %w", path, err) // I/O
		}
		return nil, err
	}
	return s, nil
}

// openBolt opens the bbolt file and translates bbolt's errors.
func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	// A fault on the memory map (a page beyond the end of a damaged file)
	// becomes a panic, recovered below, instead of killing the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		// bbolt may panic on some damaged files while it reads them.
		if r := recover(); r != nil {
			db, err = nil, &fileError{path: path, msg: "not a Twin Studio project file or the file is damaged (" + panicText(r) + ")", sentinel: ErrNotProject}
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{
		Timeout: opts.Timeout,
		NoSync:  opts.NoSync,
		// The free list is kept in a hash map (faster on big files). It is
		// written on every commit (NoFreelistSync false): without it bbolt
		// rebuilds the list on open by walking every page in a goroutine of
		// its own, where a damaged page is a panic nobody can recover.
		FreelistType: bolt.FreelistMapType,
	})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &fileError{path: path, msg: "project file is in use by another process (close the studio or twin serve that has it open)", sentinel: ErrLocked, cause: err}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, &fileError{path: path, msg: "not a Twin Studio project file or the file is damaged (" + err.Error() + ")", sentinel: ErrNotProject, cause: err}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, err // "open path: permission denied" and the like
	}
	return nil, &fileError{path: path, msg: "not a Twin Studio project file or the file is damaged (" + err.Error() + ")", sentinel: ErrNotProject, cause: err}
}

// init checks the layout of an existing project or creates it in a new (or
// never initialised) file.
func (s *Store) init() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &fileError{path: s.path, msg: "the project file is damaged (" + panicText(r) + ")", sentinel: ErrCorrupt}
		}
	}()
	empty := false
	err = s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta != nil {
			return s.checkLayout(tx, meta)
		}
		empty = true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error {
			empty = false
			return nil
		})
		if !empty {
			return &fileError{path: s.path, msg: "not a Twin Studio project file (a bbolt file without project metadata)", sentinel: ErrNotProject}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !empty {
		return nil
	}
	// A file without buckets: new, or created by a crash before the first
	// commit. Lay out an empty project.
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyFormat, []byte(strconv.Itoa(FormatVersion))); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketObjects, bucketValues, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) checkLayout(tx *bolt.Tx, meta *bolt.Bucket) error {
	raw := meta.Get(keyFormat)
	if raw == nil {
		return &fileError{path: s.path, msg: "not a Twin Studio project file (no format version)", sentinel: ErrNotProject}
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return &fileError{path: s.path, msg: fmt.Sprintf("not a Twin Studio project file (format version %q)", raw), sentinel: ErrNotProject}
	}
	if v != FormatVersion {
		return &fileError{path: s.path, msg: fmt.Sprintf("project format %d is not supported by this version of Twin Studio (it reads format %d)", v, FormatVersion), sentinel: ErrFormat}
	}
	for _, b := range [][]byte{bucketObjects, bucketValues, bucketHistory} {
		if tx.Bucket(b) == nil {
			return &fileError{path: s.path, msg: fmt.Sprintf("the project file is damaged (bucket %q is missing)", b), sentinel: ErrCorrupt}
		}
	}
	return nil
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// guard turns a panic of bbolt on a damaged page (and, with
// debug.SetPanicOnFault, a fault on the memory map) into an error wrapping
// ErrCorrupt. Use as
//
//	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
//	defer s.guard("op", &err)
func (s *Store) guard(op string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s %s: %w: the file is damaged (%s)", op, s.path, ErrCorrupt, panicText(r))
	}
}

// panicText says what a recovered panic of bbolt on a damaged file was:
// bbolt's own assertion text, or "a damaged page" for a runtime error
// (nil pointer, index out of range, memory fault), whose text would only
// confuse.
func panicText(r any) string {
	if _, ok := r.(runtime.Error); ok {
		return "a damaged page"
	}
	return oneLine(fmt.Sprint(r))
}

// oneLine folds s onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Close releases the file and its lock. It waits for running transactions
// to finish. Calls after the first do nothing and return nil.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return s.wrap("close", err)
	}
	return nil
}

// wrap prefixes err with operation op and the file: "apply x.twin: …".
// bbolt's "database not open" becomes engine.ErrClosed.
func (s *Store) wrap(op string, err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		err = engine.ErrClosed
	}
	return fmt.Errorf("%s %s: %w", op, s.path, err)
}

// fileError is an error about the project file as a whole. Its message is
// "open <path>: <msg>"; it wraps a sentinel and bbolt's cause.
type fileError struct {
	path     string
	msg      string
	sentinel error
	cause    error
}

func (e *fileError) Error() string { return "open " + e.path + ": " + e.msg }

func (e *fileError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.sentinel}
	}
	return []error{e.sentinel, e.cause}
}
