package app

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
)

// MaxSavedRuns is how many runs a project keeps: SaveRun drops the oldest
// beyond it.
const MaxSavedRuns = 20

// Blob names of a saved run: its RunInfo (JSON) and its files (tar.gz).
const (
	runInfoPrefix = "runs/info/"
	runDataPrefix = "runs/data/"
)

// RunInfo describes a run saved in the project (SaveRun).
type RunInfo struct {
	ID      string    // unique in the project; IDs sort by Saved
	Name    string    // given to SaveRun
	Compare bool      // a comparison (base and variant) rather than one run
	Base    string    // the (base) scenario's name
	Variant string    // the variant scenario's name; "" for one run
	Seed    uint64    // the seed of the run(s)
	Start   time.Time // simulated start
	// Duration is the simulated time.
	Duration time.Duration
	Saved    time.Time // wall time it was saved
	Size     int       // bytes stored (compressed)
}

// RunOutputs is a finished run SaveRun can keep: a *SimReport or a
// *Comparison.
type RunOutputs interface {
	outputs() map[string][]byte
	chartRuns() []savedChart
	info() RunInfo
}

// savedChart is what a run's charts need: its chart.Run without the
// series, which is kept as the run's file SeriesFile.
type savedChart struct {
	SeriesFile string
	Run        chart.Run
}

func chartOf(r *SimReport, file string) savedChart {
	cr := r.ChartRun()
	cr.Series = nil // in the run's files
	return savedChart{SeriesFile: file, Run: cr}
}

func (r *SimReport) chartRuns() []savedChart { return []savedChart{chartOf(r, "series.csv")} }

func (r *SimReport) info() RunInfo {
	return RunInfo{Base: r.Result.Scenario, Seed: r.Result.Seed, Start: r.Result.Start, Duration: r.Result.Duration}
}

func (c *Comparison) chartRuns() []savedChart {
	return []savedChart{chartOf(c.Base, "series.csv"), chartOf(c.Variant, "series_variant.csv")}
}

func (c *Comparison) info() RunInfo {
	i := c.Base.info()
	i.Compare, i.Variant = true, c.Variant.Result.Scenario
	return i
}

// SavedRun is a run read back from the project (OpenRun): its files, KPIs
// and charts. It is immutable and safe for concurrent use.
type SavedRun struct {
	Info RunInfo
	// Rows are its KPIs: one run's (Base only) or a comparison's.
	Rows   []KPIRow
	files  map[string][]byte
	charts []savedChart
}

// FileNames are the run's files (kpis.csv, series.csv, …), sorted.
func (s *SavedRun) FileNames() []string {
	names := make([]string, 0, len(s.files))
	for n := range s.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// File is the content of the run's file name, nil if it has none.
func (s *SavedRun) File(name string) []byte { return s.files[name] }

// Figures are the run's charts, as when it finished.
func (s *SavedRun) Figures() []chart.Figure {
	runs := make([]chart.Run, 0, len(s.charts))
	for _, c := range s.charts {
		cr := c.Run
		cr.Series = s.files[c.SeriesFile]
		runs = append(runs, cr)
	}
	return chart.RunFigures(runs)
}

// WriteOutputs writes the run's folder into dir (created if absent): the
// files and charts `twin simulate --out` (with --compare for a
// comparison) writes. It returns the paths written, charts last.
func (s *SavedRun) WriteOutputs(dir string) ([]string, error) {
	return writeWithCharts(dir, s.files, s.Figures(), nil)
}

// blobs is the project's blob store.
func (a *App) blobs() engine.BlobStore { return a.store }

// SaveRun keeps the finished run r (a *SimReport recorded with
// SimOptions.Record, or a *Comparison) in the project file under name,
// with its files compressed, and drops the oldest saved runs beyond
// MaxSavedRuns in the same transaction. An empty name is replaced by the
// scenario's. It fails with an error wrapping engine.ErrInvalid for a nil
// run or one without its series, and engine.ErrClosed after Close; then
// nothing is saved. Safe for concurrent use.
func (a *App) SaveRun(name string, r RunOutputs) (RunInfo, error) {
	if r == nil || (r == (*SimReport)(nil)) || (r == (*Comparison)(nil)) {
		return RunInfo{}, fmt.Errorf("save run: %w: no run", engine.ErrInvalid)
	}
	files := r.outputs()
	if len(files["series.csv"]) == 0 {
		return RunInfo{}, fmt.Errorf("save run: %w: the run was not recorded (no series)", engine.ErrInvalid)
	}
	info := r.info()
	info.Name = strings.TrimSpace(name)
	if info.Name == "" {
		info.Name = info.Base
		if info.Compare {
			info.Name += " vs " + info.Variant
		}
	}
	meta, err := json.Marshal(r.chartRuns())
	if err != nil {
		return RunInfo{}, fmt.Errorf("save run: %w", err)
	}
	data, err := packRun(files, meta)
	if err != nil {
		return RunInfo{}, fmt.Errorf("save run: %w", err)
	}
	a.runsMu.Lock()
	defer a.runsMu.Unlock()
	ids, err := a.runIDs()
	if err != nil {
		return RunInfo{}, err
	}
	info.Saved = time.Now().UTC()
	info.ID = newRunID(info.Saved, ids)
	info.Size = len(data)
	ij, _ := json.Marshal(info) // plain data
	var drop []string
	for len(ids) >= MaxSavedRuns {
		drop = append(drop, runInfoPrefix+ids[0], runDataPrefix+ids[0])
		ids = ids[1:]
	}
	put := map[string][]byte{runInfoPrefix + info.ID: ij, runDataPrefix + info.ID: data}
	if err := a.blobs().WriteBlobs(put, drop); err != nil {
		return RunInfo{}, fmt.Errorf("save run %s: %w", info.Name, err)
	}
	return info, nil
}

// newRunID is an ID for a run saved at t, after and unlike those of ids.
func newRunID(t time.Time, ids []string) string {
	id := t.Format("20060102T150405.000000000Z")
	for len(ids) > 0 && id <= ids[len(ids)-1] {
		t = t.Add(time.Nanosecond)
		id = t.Format("20060102T150405.000000000Z")
	}
	return id
}

// runIDs are the saved runs' IDs, oldest first.
func (a *App) runIDs() ([]string, error) {
	names, err := a.blobs().BlobNames(runInfoPrefix)
	if err != nil {
		return nil, fmt.Errorf("saved runs: %w", err)
	}
	for i := range names {
		names[i] = strings.TrimPrefix(names[i], runInfoPrefix)
	}
	return names, nil
}

// Runs lists the runs saved in the project, newest first; nil after
// Close or if the file cannot be read. Safe for concurrent use.
func (a *App) Runs() []RunInfo {
	ids, err := a.runIDs()
	if err != nil {
		return nil
	}
	out := make([]RunInfo, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		if info, err := a.runInfo(ids[i]); err == nil {
			out = append(out, info)
		}
	}
	return out
}

func (a *App) runInfo(id string) (RunInfo, error) {
	var info RunInfo
	raw, err := a.blobs().Blob(runInfoPrefix + id)
	if err != nil {
		return info, fmt.Errorf("saved run %s: %w", id, err)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return info, fmt.Errorf("saved run %s: %w: %v", id, engine.ErrInvalid, err)
	}
	return info, nil
}

// OpenRun reads the saved run id back: its KPIs, files and charts. An
// unknown id fails with an error wrapping engine.ErrNotFound, a damaged
// record with engine.ErrInvalid. Safe for concurrent use.
func (a *App) OpenRun(id string) (*SavedRun, error) {
	info, err := a.runInfo(id)
	if err != nil {
		return nil, err
	}
	raw, err := a.blobs().Blob(runDataPrefix + id)
	if err != nil {
		return nil, fmt.Errorf("saved run %s: %w", info.Name, err)
	}
	files, meta, err := unpackRun(raw)
	if err != nil {
		return nil, fmt.Errorf("saved run %s: %w: %v", info.Name, engine.ErrInvalid, err)
	}
	s := &SavedRun{Info: info, files: files}
	if err := json.Unmarshal(meta, &s.charts); err != nil {
		return nil, fmt.Errorf("saved run %s: %w: %v", info.Name, engine.ErrInvalid, err)
	}
	if info.Compare {
		s.Rows = parseCompareCSV(files["kpis.csv"])
	} else {
		s.Rows = runRows(files["kpis.csv"])
	}
	return s, nil
}

// ExportRun writes the saved run id into dir as OpenRun(id).WriteOutputs
// does, and returns the paths written.
func (a *App) ExportRun(id, dir string) ([]string, error) {
	s, err := a.OpenRun(id)
	if err != nil {
		return nil, err
	}
	return s.WriteOutputs(dir)
}

// DeleteRun removes the saved run id; an unknown id fails with an error
// wrapping engine.ErrNotFound. Safe for concurrent use.
func (a *App) DeleteRun(id string) error {
	a.runsMu.Lock()
	defer a.runsMu.Unlock()
	if _, err := a.runInfo(id); err != nil {
		return err
	}
	return a.blobs().WriteBlobs(nil, []string{runInfoPrefix + id, runDataPrefix + id})
}

// runMeta is the tar member holding the charts' metadata.
const runMeta = ".charts.json"

// packRun is files and meta as a gzip-compressed tar, in name order.
func packRun(files map[string][]byte, meta []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files)+1)
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	all := map[string][]byte{runMeta: meta}
	for _, n := range names {
		all[n] = files[n]
	}
	for _, n := range append([]string{runMeta}, names...) {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(all[n])), Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(all[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxRunFile bounds a saved run's file when read back.
const maxRunFile = 1 << 30

// unpackRun reads packRun's output back.
func unpackRun(data []byte) (files map[string][]byte, meta []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	tr := tar.NewReader(zr)
	files = map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if h.Size > maxRunFile || strings.ContainsAny(h.Name, `/\`) {
			return nil, nil, fmt.Errorf("bad member %q", h.Name)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, nil, err
		}
		if h.Name == runMeta {
			meta = b
		} else {
			files[h.Name] = b
		}
	}
	if meta == nil {
		return nil, nil, errors.New("no chart metadata")
	}
	return files, meta, nil
}
