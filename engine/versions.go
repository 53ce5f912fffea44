package engine

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// ScriptVersionsKept is how many previous scripts (versions) each UDF
// keeps; a change past it drops the oldest.
const ScriptVersionsKept = 50

// versionsName is the value name under which a UDF's previous scripts are
// persisted: one history entry per version, whose time key is N seconds
// after the Unix epoch (so that the store keeps them in the order of N,
// whatever the engine's clock does) and whose value is a storedVersion.
const versionsName = "$versions"

// ScriptVersion is a previous script of a user-defined function: the
// script it had before a change, numbered from 1 per UDF in the order the
// versions were kept.
type ScriptVersion struct {
	N      int
	Script string
	// Saved is when this script was saved (the UDF's Updated while it
	// was current).
	Saved time.Time
}

// storedVersion is the JSON of one "$versions" history entry.
type storedVersion struct {
	N      int       `json:"n"`
	Script string    `json:"script"`
	Saved  time.Time `json:"saved"`
}

// keepScriptVersion stages old's script as the UDF's next version, in the
// transaction that replaces it (the store applies both or neither).
func (tx *Tx) keepScriptVersion(old *UDF) {
	g := tx.g
	n, had := g.scriptVersions[old.ID]
	g.scriptVersions[old.ID] = n + 1
	tx.onUndo(func() {
		if had {
			g.scriptVersions[old.ID] = n
		} else {
			delete(g.scriptVersions, old.ID)
		}
	})
	saved := old.Updated
	if saved.IsZero() {
		saved = tx.now
	}
	b, err := json.Marshal(storedVersion{N: n + 1, Script: old.Script, Saved: saved})
	if err != nil {
		return // a string and a time always marshal
	}
	tx.ops = append(tx.ops, Op{Type: OpValue, Key: old.ID, Name: versionsName,
		Value: Value{Value: string(b), Time: time.Unix(int64(n+1), 0).UTC()}, Keep: ScriptVersionsKept})
}

// forgetScriptVersions drops the version count of UDF id, which is being
// deleted with its values.
func (tx *Tx) forgetScriptVersions(id ID) {
	g := tx.g
	n, had := g.scriptVersions[id]
	if !had {
		return
	}
	delete(g.scriptVersions, id)
	tx.onUndo(func() { g.scriptVersions[id] = n })
}

// loadScriptVersion notes the number of a UDF's newest stored version (its
// "$versions" current value) while the graph loads.
func (g *graph) loadScriptVersion(owner ID, v Value) {
	var sv storedVersion
	if json.Unmarshal([]byte(v.Value), &sv) == nil && sv.N > g.scriptVersions[owner] {
		g.scriptVersions[owner] = sv.N
	}
}

// ScriptVersions returns the previous scripts of UDF udf, oldest first (at
// most ScriptVersionsKept; its current script is UDF.Script). Every change
// of a UDF's script (Tx.PutUDF with another script: the studio, `twin udf
// set`, provisioning, an undo) keeps the script it replaces as a version,
// in the same transaction; deleting the UDF deletes its versions. A
// change still being committed may not be listed yet. Errors wrap
// ErrNotFound (no such UDF) or are the store's. Safe for concurrent use.
func (e *Engine) ScriptVersions(udf ID) ([]ScriptVersion, error) {
	e.mu.RLock()
	_, ok := e.g.udfs[udf]
	e.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: user-defined function %s", ErrNotFound, udf)
	}
	h, err := e.store.History(udf, versionsName, ScriptVersionsKept)
	if err != nil {
		return nil, fmt.Errorf("engine: script versions of %s: %w", udf, err)
	}
	out := make([]ScriptVersion, 0, len(h))
	for _, v := range h {
		var sv storedVersion
		if json.Unmarshal([]byte(v.Value), &sv) != nil || sv.N <= 0 {
			continue
		}
		out = append(out, ScriptVersion{N: sv.N, Script: sv.Script, Saved: sv.Saved})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].N < out[j].N })
	return out, nil
}
