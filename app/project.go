package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// InstallExample installs a bundled example (examples.SmartOffice) into
// dir, the studio's first start: it copies every file of fsys into dir
// (creating dir and its folders), never overwriting a file that exists, so
// the user's edits survive. Then, unless dir holds the project already, it
// provisions dir/provision.yaml into a new temporary project file in dir
// and renames that to the project, so a failed provisioning leaves no half
// project behind.
//
// The project is named after the folder: dir/smart-office.twin for
// …/smart-office. It returns the project's path. InstallExample is
// idempotent: once installed, it only restores files that were deleted.
// It must not run while the project is open. Errors are one line naming
// the file; a provisioning error is the YAML reader's or the engine's
// (file, line, field).
func InstallExample(fsys fs.FS, dir string) (projectPath string, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("install example: %w", err)
	}
	if err := copyFS(fsys, dir); err != nil {
		return "", err
	}
	project := filepath.Join(dir, filepath.Base(dir)+".twin")
	if _, err := os.Lstat(project); err == nil {
		return project, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := provisionNew(project, filepath.Join(dir, "provision.yaml")); err != nil {
		return "", err
	}
	return project, nil
}

// copyFS copies fsys into dir without overwriting existing files.
func copyFS(fsys fs.FS, dir string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("install example: %w", err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err // names dst
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyNew(fsys, p, dst)
	})
}

// copyNew copies file p of fsys to dst unless dst exists.
func copyNew(fsys fs.FS, p, dst string) (err error) {
	src, err := fsys.Open(p)
	if err != nil {
		return fmt.Errorf("install example: %w", err)
	}
	defer src.Close()
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
			err = fmt.Errorf("install example: %w", err)
		}
	}()
	if _, err := io.Copy(f, src); err != nil {
		return &fs.PathError{Op: "write", Path: dst, Err: err}
	}
	return nil
}

// provisionNew provisions plan into a new project file at project: into a
// temporary file first, linked (or renamed) to project once complete.
func provisionNew(project, plan string) (err error) {
	// A new project file in a temporary folder beside project (an empty
	// file would be refused as a damaged project).
	d, err := os.MkdirTemp(filepath.Dir(project), "."+path.Base(filepath.ToSlash(project))+".tmp-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(d)
	tmp := filepath.Join(d, filepath.Base(project))
	a, err := Open(tmp, Options{})
	if err != nil {
		return err
	}
	if _, err := a.ProvisionFile(plan); err != nil {
		a.Close()
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	// Link, not rename: if another studio installed the project meanwhile,
	// keep theirs (it may be open already).
	if err := os.Link(tmp, project); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		// A file system without hard links.
		if err := os.Rename(tmp, project); err != nil {
			return err
		}
	}
	return nil
}

// SaveAs writes a consistent copy of the open project to dst, like "Save
// As" in an editor: it commits everything the engine holds pending, then
// copies the file in one read transaction while telemetry goes on, to a
// temporary file beside dst renamed to dst once complete (dst is replaced
// if it exists). The app keeps working on its own file; opening the copy
// is the caller's business.
//
// It fails with an error wrapping bbolt.ErrSameFile if dst is the open
// file, bbolt.ErrLocked if dst is a project open elsewhere, and
// engine.ErrClosed after Close. Errors are one line naming both files.
// Safe for concurrent use.
func (a *App) SaveAs(dst string) error {
	if err := a.engine.SyncCommit(); err != nil {
		return fmt.Errorf("save %s as %s: %w", a.path, dst, err)
	}
	return a.store.CopyTo(dst)
}
