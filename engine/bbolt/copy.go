package bbolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/twinstudio/twinstudio/engine"
)

// ErrSameFile means CopyTo was asked to write a project onto itself.
var ErrSameFile = errors.New("bbolt: the copy would replace the open project file itself")

// CopyTo writes a consistent copy of the project to path: everything
// committed when it starts, in one read transaction, so Apply may run
// alongside (a commit that must grow the file waits until the copy is
// done). The copy goes to a temporary file in path's folder, is synced,
// then renamed to path, so path is either left as it was or replaced by a
// whole project; an existing file at path is replaced.
//
// It fails with an error wrapping ErrSameFile if path is the store's own
// file, ErrLocked if path is a project another Store (of this or another
// process) has open, and engine.ErrClosed after Close. Errors are one line
// naming both files. Safe for concurrent use.
func (s *Store) CopyTo(path string) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("copy %s to %s: %w", s.path, path, err)
		}
	}()
	if same, err := sameFile(s.path, path); err != nil {
		return err
	} else if same {
		return ErrSameFile
	}
	if inUse(path) {
		return fmt.Errorf("%w (close the studio or twin serve that has it open)", ErrLocked)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	err = s.db.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if err != nil {
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return engine.ErrClosed
		}
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename durable; not every platform can sync a folder.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// sameFile reports whether a and b are the same file; b need not exist.
func sameFile(a, b string) (bool, error) {
	sb, err := os.Stat(b)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// inUse reports whether path is a bbolt file that some Store holds open
// (its lock is taken). A missing file, or one that is not a bbolt file, is
// not in use.
func inUse(path string) (locked bool) {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	defer func() {
		if recover() != nil {
			locked = false // a damaged file: nobody can have it open
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		return errors.Is(err, berrors.ErrTimeout)
	}
	db.Close()
	return false
}
