package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// setScript replaces the script of UDF id in its own transaction.
func setScript(t *testing.T, e *engine.Engine, id engine.ID, script string) {
	t.Helper()
	must(t, e.Update(func(tx *engine.Tx) error {
		u, _ := tx.View.UDF(id)
		c := *u
		c.Script = script
		return tx.PutUDF(&c)
	}))
}

// TestScriptVersionsPersist: every script change keeps the replaced script
// as a numbered version in the same transaction; the newest
// ScriptVersionsKept survive a reopen (the store drops the rest), a failed
// transaction keeps none, an unchanged script none, and deleting the UDF
// deletes them.
func TestScriptVersionsPersist(t *testing.T) {
	e, path := openEngine(t)
	var udf engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "Building"}
		must(t, tx.CreateSpace(s))
		u := &engine.UDF{Name: "f", SpaceID: s.ID, Script: "script 0"}
		must(t, tx.PutUDF(u))
		udf = u.ID
		return nil
	}))
	changes := engine.ScriptVersionsKept + 3
	for i := 1; i <= changes; i++ {
		setScript(t, e, udf, fmt.Sprint("script ", i))
	}
	setScript(t, e, udf, fmt.Sprint("script ", changes)) // the same: no version
	boom := errors.New("boom")
	if err := e.Update(func(tx *engine.Tx) error {
		u, _ := tx.View.UDF(udf)
		c := *u
		c.Script = "never saved"
		must(t, tx.PutUDF(&c))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	check := func(e *engine.Engine, when string) {
		t.Helper()
		vs, err := e.ScriptVersions(udf)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != engine.ScriptVersionsKept {
			t.Fatalf("%s: %d versions, want %d", when, len(vs), engine.ScriptVersionsKept)
		}
		first := changes - engine.ScriptVersionsKept + 1
		for i, v := range vs {
			n := first + i
			if v.N != n || v.Script != fmt.Sprint("script ", n-1) || v.Saved.IsZero() {
				t.Fatalf("%s: version %d is %+v, want N %d with script %d", when, i, v, n, n-1)
			}
		}
	}
	check(e, "open")
	must(t, e.Close())
	st := openStore(t, path)
	if h, err := st.History(udf, "$versions", 1000); err != nil || len(h) != engine.ScriptVersionsKept {
		t.Fatalf("the file keeps %d versions (%v), want %d", len(h), err, engine.ScriptVersionsKept)
	}
	must(t, st.Close())
	e = reopen(t, path)
	check(e, "reopened")
	setScript(t, e, udf, "after reopen")
	vs, _ := e.ScriptVersions(udf)
	if last := vs[len(vs)-1]; last.N != changes+1 || last.Script != fmt.Sprint("script ", changes) {
		t.Fatalf("the numbering goes on after a reopen: %+v", last)
	}
	must(t, e.Update(func(tx *engine.Tx) error { return tx.Delete(engine.KindUDF, udf) }))
	if _, err := e.ScriptVersions(udf); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("deleted UDF: %v", err)
	}
	must(t, e.Close())
	h, err := openStore(t, path).History(udf, "$versions", 1000)
	if err != nil || len(h) != 0 {
		t.Fatalf("the deleted UDF's versions are still stored: %d, %v", len(h), err)
	}
}
