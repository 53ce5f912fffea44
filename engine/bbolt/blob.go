package bbolt

import (
	"bytes"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// bucketBlobs holds the named blobs (engine.BlobStore); it is created by
// the first WriteBlobs, so older files open unchanged.
var bucketBlobs = []byte("blobs")

var _ engine.BlobStore = (*Store)(nil)

// WriteBlobs stores every blob of put, replacing blobs of the same names,
// and removes the blobs named in del, in one durable transaction: all of
// it or none. An empty name is an error wrapping engine.ErrInvalid and
// nothing is written. Safe for concurrent use.
func (s *Store) WriteBlobs(put map[string][]byte, del []string) error {
	if _, ok := put[""]; ok {
		return fmt.Errorf("write blobs to %s: %w: a blob without a name", s.path, engine.ErrInvalid)
	}
	names := make([]string, 0, len(put))
	for n := range put {
		names = append(names, n)
	}
	sort.Strings(names)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBlobs)
		if err != nil {
			return err
		}
		for _, n := range del {
			if err := b.Delete([]byte(n)); err != nil {
				return err
			}
		}
		for _, n := range names {
			if err := b.Put([]byte(n), put[n]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap("write blobs to", err)
	}
	return nil
}

// Blob returns a copy of the blob name, or an error wrapping
// engine.ErrNotFound. Safe for concurrent use.
func (s *Store) Blob(name string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketBlobs); b != nil {
			if v := b.Get([]byte(name)); v != nil {
				out = bytes.Clone(v)
				return nil
			}
		}
		return fmt.Errorf("%w: no blob %q", engine.ErrNotFound, name)
	})
	if err != nil {
		return nil, s.wrap("read blob from", err)
	}
	return out, nil
}

// BlobNames lists the names of the blobs starting with prefix, in byte
// order. Safe for concurrent use.
func (s *Store) BlobNames(prefix string) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			out = append(out, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, s.wrap("list blobs of", err)
	}
	return out, nil
}
