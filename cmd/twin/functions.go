package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// scopeFlag is the --space flag of the list commands.
type scopeFlag struct {
	Space string `placeholder:"ID|PATH" help:"Only those of this space and its ancestors (what can act on its sensors); default: all."`
}

// openScoped opens project p and resolves the space (zero for all).
func (s scopeFlag) openScoped(e *env, p projectFlag) (*project, engine.ID, error) {
	a, err := p.open(e, false)
	if err != nil {
		return nil, engine.NilID, err
	}
	var id engine.ID
	if s.Space != "" {
		err = a.Engine().View(func(v *engine.View) error {
			id, err = v.ResolveSpace(s.Space)
			return err
		})
	}
	if err != nil {
		a.Close()
		return nil, engine.NilID, err
	}
	return a, id, nil
}

// openUDF opens project p and finds UDF ref (app.FindUDF), returning it
// with its space's path.
func openUDF(e *env, p projectFlag, ref string) (*project, *engine.UDF, string, error) {
	a, err := p.open(e, false)
	if err != nil {
		return nil, nil, "", err
	}
	var udf *engine.UDF
	var where string
	err = a.Engine().View(func(v *engine.View) error {
		udf, err = app.FindUDF(v, ref)
		if err == nil {
			where = v.FullName(udf.SpaceID)
		}
		return err
	})
	if err != nil {
		a.Close()
		return nil, nil, "", err
	}
	return a, udf, where, nil
}

type udfListCmd struct {
	projectFlag
	scopeFlag
	outputFlag
}

// udfListItem is one row of 'twin udf list -o json'.
type udfListItem struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Space       string     `json:"space"`
	State       string     `json:"state"`
	LastOutcome string     `json:"lastOutcome,omitempty"`
	LastRun     *time.Time `json:"lastRun,omitempty"`
	Failures    int        `json:"failuresLastHour"`
	Matchers    []string   `json:"matchers"`
}

func (c *udfListCmd) Run(e *env) error {
	a, space, err := c.openScoped(e, c.projectFlag)
	if err != nil {
		return err
	}
	defer a.Close()
	list := a.UDFs(space)
	items := make([]udfListItem, len(list))
	for i, s := range list {
		items[i] = udfListItem{ID: s.UDF.ID.String(), Name: s.UDF.Name, Space: s.Space, State: s.State, Failures: s.Failures, Matchers: s.Matchers}
		if s.Last != nil {
			t := s.Last.Start.UTC()
			items[i].LastOutcome, items[i].LastRun = s.Last.Outcome, &t
		}
		if items[i].Matchers == nil {
			items[i].Matchers = []string{}
		}
	}
	if ok, err := c.structured(e.stdout, items); ok {
		return err
	}
	t := c.table(e.stdout, "SPACE", "NAME", "STATE", "LAST", "LAST RUN", "FAILED 1H", "MATCHERS")
	for _, it := range items {
		last, at := "-", "-"
		if it.LastRun != nil {
			last, at = it.LastOutcome, it.LastRun.Format(time.RFC3339)
		}
		t.row(it.Space, it.Name, it.State, last, at, fmt.Sprint(it.Failures), orDash(strings.Join(it.Matchers, ", ")))
	}
	t.flush()
	e.trailer("%s", count(len(items), "user-defined function"))
	return nil
}

// count is "1 thing" or "n things".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// lines is the number of lines of a script.
func lines(script string) int { return strings.Count(strings.TrimRight(script, "\n"), "\n") + 1 }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type udfRecordsCmd struct {
	projectFlag
	Name   string `arg:"" name:"NAME" help:"The UDF: its name, its name after its space's path ('/Building/Availability') or its id."`
	Failed bool   `help:"Only executions that did not succeed."`
	Limit  int    `short:"n" default:"0" placeholder:"N" help:"At most N records (0: all kept, up to 200)."`
	outputFlag
}

func (c *udfRecordsCmd) Run(e *env) error {
	a, udf, where, err := openUDF(e, c.projectFlag, c.Name)
	if err != nil {
		return err
	}
	defer a.Close()
	all := a.Engine().Records(udf.ID)
	recs := make([]*engine.ExecutionRecord, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if c.Failed && all[i].Outcome == engine.OutcomeOK {
			continue
		}
		if c.Limit > 0 && len(recs) == c.Limit {
			break
		}
		recs = append(recs, all[i])
	}
	if ok, err := c.structured(e.stdout, recs); ok {
		return err
	}
	c.writeRecordLines(e.stdout, recs)
	what := "record"
	if c.Failed {
		what = "failed record"
	}
	e.trailer("%s of %s in %s; %d kept", count(len(recs), what), udf.Name, where, len(all))
	return nil
}

// writeRecordLines prints records one line each, with an indented error
// line under those that did not succeed.
func (c *udfRecordsCmd) writeRecordLines(w io.Writer, recs []*engine.ExecutionRecord) {
	t := c.table(w, "TIME", "OUTCOME", "SENSOR", "DURATION", "MESSAGE")
	for _, r := range recs {
		outcome := r.Outcome
		if r.DryRun {
			outcome += " (dry run)"
		}
		msg := app.OneLine(r.Message)
		if len(msg) > 60 {
			msg = msg[:57] + "..."
		}
		t.row(r.Start.UTC().Format(time.RFC3339Nano), outcome, orDash(r.SensorHW), r.Duration.Round(time.Microsecond).String(), msg)
		if r.Outcome != engine.OutcomeOK {
			// Not a tabbed row: the error line keeps its own width.
			t.flush()
			fmt.Fprintf(w, "  ✗ %s\n", failure(r))
		}
	}
	t.flush()
}

type udfSetCmd struct {
	projectFlag
	Name string `arg:"" name:"NAME" help:"The UDF: its name, its name after its space's path ('/Building/Availability') or its id."`
	File string `arg:"" name:"FILE" help:"The JavaScript file with the new script."`
}

// forwardArgs makes the script's file name absolute for the server,
// which has its own working directory.
func (c *udfSetCmd) forwardArgs(args []string) []string { return absArg(args, c.File) }

func (c *udfSetCmd) Run(e *env) error {
	b, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	a, udf, _, err := openUDF(e, c.projectFlag, c.Name)
	if err != nil {
		return err
	}
	defer a.Close()
	if udf.Script == string(b) {
		fmt.Fprintf(e.stdout, "udf %s: the script is already %s's; nothing changed\n", udf.Name, c.File)
		return nil
	}
	u, err := a.SetUDFScript(udf.ID, c.File, string(b))
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "udf %s: script replaced with %s (%d lines)\n", u.Name, c.File, lines(u.Script))
	return nil
}

type udfVersionsCmd struct {
	projectFlag
	Name string `arg:"" name:"NAME" help:"The UDF: its name, its name after its space's path ('/Building/Availability') or its id."`
	Diff int    `placeholder:"N" help:"Print the unified diff from version N to the current script instead of the list."`
	outputFlag
}

// udfVersionItem is one row of 'twin udf versions -o json'.
type udfVersionItem struct {
	Version int       `json:"version"`
	Current bool      `json:"current"`
	Saved   time.Time `json:"saved"`
	Lines   int       `json:"lines"`
	Script  string    `json:"script"`
}

func (c *udfVersionsCmd) Run(e *env) error {
	a, udf, where, err := openUDF(e, c.projectFlag, c.Name)
	if err != nil {
		return err
	}
	defer a.Close()
	vs, err := a.UDFVersions(udf.ID)
	if err != nil {
		return err
	}
	if c.Diff != 0 {
		for _, v := range vs[1:] {
			if v.N == c.Diff {
				fmt.Fprint(e.stdout, app.UDFDiff(fmt.Sprintf("version %d", v.N), fmt.Sprintf("version %d (current)", vs[0].N), v.Script, vs[0].Script))
				return nil
			}
		}
		return fmt.Errorf("%w: user-defined function %q has no version %d", engine.ErrNotFound, udf.Name, c.Diff)
	}
	items := make([]udfVersionItem, len(vs))
	for i, v := range vs {
		items[i] = udfVersionItem{Version: v.N, Current: v.Current, Saved: v.Saved.UTC(), Lines: lines(v.Script), Script: v.Script}
	}
	if ok, err := c.structured(e.stdout, items); ok {
		return err
	}
	t := c.table(e.stdout, "VERSION", "SAVED", "LINES")
	for _, it := range items {
		n := fmt.Sprint(it.Version)
		if it.Current {
			n += " (current)"
		}
		t.row(n, it.Saved.Format(time.RFC3339), fmt.Sprint(it.Lines))
	}
	t.flush()
	e.trailer("%s of %s in %s; at most %d previous ones are kept", count(len(vs), "version"), udf.Name, where, engine.ScriptVersionsKept)
	return nil
}

type udfRestoreCmd struct {
	projectFlag
	Name    string `arg:"" name:"NAME" help:"The UDF: its name, its name after its space's path ('/Building/Availability') or its id."`
	Version int    `arg:"" name:"N" help:"The version to restore (see 'twin udf versions')."`
}

func (c *udfRestoreCmd) Run(e *env) error {
	a, udf, _, err := openUDF(e, c.projectFlag, c.Name)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.RestoreUDFVersion(udf.ID, c.Version); err != nil {
		return err
	}
	vs, err := a.UDFVersions(udf.ID)
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "udf %s: version %d restored as version %d\n", udf.Name, c.Version, vs[0].N)
	return nil
}

type matcherListCmd struct {
	projectFlag
	scopeFlag
	outputFlag
}

// matcherListItem is one row of 'twin matcher list -o json'.
type matcherListItem struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Space      string          `json:"space"`
	Conditions []conditionItem `json:"conditions"`
	UDFs       []string        `json:"udfs"`
}

type conditionItem struct {
	Target     string `json:"target"`
	Path       string `json:"path"`
	Comparison string `json:"comparison"`
	Value      string `json:"value"`
}

func (c *matcherListCmd) Run(e *env) error {
	a, space, err := c.openScoped(e, c.projectFlag)
	if err != nil {
		return err
	}
	defer a.Close()
	list := a.Matchers(space)
	items := make([]matcherListItem, len(list))
	for i, s := range list {
		items[i] = matcherListItem{ID: s.Matcher.ID.String(), Name: s.Matcher.Name, Space: s.Space, UDFs: s.UDFs, Conditions: []conditionItem{}}
		if items[i].UDFs == nil {
			items[i].UDFs = []string{}
		}
		for _, cd := range s.Matcher.Conditions {
			items[i].Conditions = append(items[i].Conditions, conditionItem{cd.Target, cd.Path, cd.Comparison, cd.Value})
		}
	}
	if ok, err := c.structured(e.stdout, items); ok {
		return err
	}
	t := c.table(e.stdout, "SPACE", "NAME", "CONDITIONS", "UDFS")
	for _, it := range items {
		conds := make([]string, len(it.Conditions))
		for i, cd := range it.Conditions {
			conds[i] = fmt.Sprintf("%s %s %s %s", cd.Target, cd.Path, cd.Comparison, cd.Value)
		}
		t.row(it.Space, it.Name, orDash(strings.Join(conds, " and ")), orDash(strings.Join(it.UDFs, ", ")))
	}
	t.flush()
	e.trailer("%s", count(len(items), "matcher"))
	return nil
}
