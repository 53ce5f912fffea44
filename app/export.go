package app

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// ErrFileExists: an export would overwrite a file and was not told to.
var ErrFileExists = errors.New("file exists (overwrite it with --force)")

// ExportYAML writes the project's graph as one provisioning YAML file
// (yaml.Export with Inline: scripts as `source: |`, floor plan
// backgrounds left out with a comment) from one consistent view.
// Provisioned into an empty project it gives the same graph. The only
// errors are w's and an inconsistent graph's. Safe for concurrent use.
func (a *App) ExportYAML(w io.Writer) error {
	x, err := a.exportYAML(yaml.ExportOptions{Inline: true})
	if err != nil {
		return err
	}
	_, err = w.Write(x.YAML)
	return err
}

func (a *App) exportYAML(opts yaml.ExportOptions) (*yaml.Exported, error) {
	var x *yaml.Exported
	err := a.engine.View(func(v *engine.View) error {
		var err error
		x, err = yaml.Export(v, opts)
		return err
	})
	return x, err
}

// ExportYAMLFile writes the project's graph as the provisioning file path
// with the files it names beside it: each UDF's script as
// udfs/<name>.js and each floor plan's background drawing as
// plans/<floor>/<name> (yaml.Export). Provisioning path into an empty
// project gives the same graph. Unless force, it writes nothing if path
// or any of those files exists (an error wrapping ErrFileExists that
// names the first). Files are written under temporary names and renamed
// once all are written, so a failure leaves no half-written file. Safe
// for concurrent use.
func (a *App) ExportYAMLFile(path string, force bool) error {
	x, err := a.exportYAML(yaml.ExportOptions{})
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	type out struct {
		path string
		data []byte
	}
	files := []out{{path, x.YAML}}
	for _, f := range x.Files {
		data := f.Data
		if f.Background != "" {
			if data, err = a.backgroundBytes(f.Floor, f.Background); err != nil {
				return fmt.Errorf("background %q of the plan of %s: %w", f.Background, f.Floor, err)
			}
		}
		files = append(files, out{filepath.Join(dir, filepath.FromSlash(f.Path)), data})
	}
	if !force {
		for _, f := range files {
			if err := checkFree(f.path); err != nil {
				return err
			}
		}
	}
	var temps []string
	defer func() {
		for _, t := range temps {
			os.Remove(t) // left only after a failure
		}
	}()
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return err
		}
		t, err := writeTemp(f.path, func(w io.Writer) error { _, err := w.Write(f.data); return err })
		if err != nil {
			return err
		}
		temps = append(temps, t)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.path); err != nil {
			return err
		}
	}
	temps = nil
	return nil
}

// WriteFile writes path with write under a temporary name beside it,
// renamed to path once complete, so a failure leaves no half-written
// file. Unless force, an existing path is an error wrapping
// ErrFileExists and nothing is written.
func WriteFile(path string, force bool, write func(w io.Writer) error) error {
	if !force {
		if err := checkFree(path); err != nil {
			return err
		}
	}
	t, err := writeTemp(path, write)
	if err != nil {
		return err
	}
	if err := os.Rename(t, path); err != nil {
		os.Remove(t)
		return err
	}
	return nil
}

// checkFree is nil when nothing is at path, else an error wrapping
// ErrFileExists (or the error finding out).
func checkFree(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrFileExists)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// writeTemp writes a new temporary file (mode 0644) beside path with
// write and returns its name; on failure it leaves nothing and the error
// names path.
func writeTemp(path string, write func(w io.Writer) error) (name string, err error) {
	t, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			t.Close()
			os.Remove(t.Name())
		}
	}()
	if err := write(t); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := t.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(t.Name(), 0o644); err != nil {
		return "", err
	}
	return t.Name(), nil
}

// CSVHeader is the header line of ExportCSV.
const CSVHeader = "time,kind,path,hardwareId,dataType,name,value"

// ExportCSV writes the project's value history as CSV: the header
// CSVHeader, then one row per recorded value of every sensor (kind
// sensor: the sensor's space path, hardwareId and data type, an empty
// name) and of every value the spaces hold now (kind space: the space's
// path and the value's name), with time in RFC 3339 UTC (nanoseconds as
// recorded), sorted by time, then path, hardwareId and name (values of
// equal keys in the order they were written). It reads the store's
// history (engine.HistoryRange) as far back as its retention. Safe for
// concurrent use.
func (a *App) ExportCSV(w io.Writer) error {
	type series struct {
		owner                          engine.ID
		kind, path, hw, dataType, name string
	}
	var all []series
	_ = a.engine.View(func(v *engine.View) error {
		return v.WalkSpaces(func(s *engine.Space) error {
			path := v.FullName(s.ID)
			for _, sn := range v.SpaceSensors(s.ID) {
				all = append(all, series{owner: sn.ID, kind: "sensor", path: path, hw: sn.HardwareID, dataType: v.TypeName(sn.DataTypeID)})
			}
			for _, nv := range v.SpaceValues(s.ID) {
				all = append(all, series{owner: s.ID, kind: "space", path: path, name: nv.Name})
			}
			return nil
		}, nil)
	})
	type row struct {
		s *series
		v engine.Value
	}
	var rows []row
	for i := range all {
		s := &all[i]
		vals, err := a.engine.HistoryRange(s.owner, s.name, time.Time{}, time.Time{}, 0)
		if errors.Is(err, engine.ErrNotFound) {
			continue // deleted since
		}
		if err != nil {
			return err
		}
		for _, v := range vals {
			rows = append(rows, row{s, v})
		}
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		return cmp.Or(x.v.Time.Compare(y.v.Time), cmp.Compare(x.s.path, y.s.path), cmp.Compare(x.s.hw, y.s.hw), cmp.Compare(x.s.name, y.s.name))
	})
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if _, err := bw.WriteString(CSVHeader + "\n"); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.v.Time.UTC().Format(time.RFC3339Nano), r.s.kind, r.s.path, r.s.hw, r.s.dataType, r.s.name, r.v.Value}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
