package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// ---- extended properties: /{spaces|devices|sensors|users}/{id}/properties ----

func getProperties(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		var out []engine.PropertyDoc
		err = c.s.e.View(func(v *engine.View) error {
			o, err := c.see(v, k, id, id.String())
			if err != nil {
				return err
			}
			out = engine.PropertyDocs(*engine.PropertiesOf(o))
			if name := c.r.PathValue("name"); name != "" {
				for _, p := range out {
					if strings.EqualFold(p.Name, name) {
						out = []engine.PropertyDoc{p}
						return nil
					}
				}
				return fmt.Errorf("%w: property %q", engine.ErrNotFound, name)
			}
			return nil
		})
		if c.r.PathValue("name") != "" && err == nil {
			return out[0], nil
		}
		return out, err
	}
}

// changeProperties is POST (add one), PUT (upsert a list), DELETE (all,
// or the one named in the path) on an object's properties.
func changeProperties(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		var given []engine.PropertyDoc
		switch c.r.Method {
		case http.MethodPost:
			var p engine.PropertyDoc
			if err := c.decode(&p); err != nil {
				return nil, err
			}
			given = []engine.PropertyDoc{p}
		case http.MethodPut:
			if err := c.decode(&given); err != nil {
				return nil, err
			}
		}
		var out any
		err = c.s.update(func(tx *engine.Tx) error {
			old, err := c.see(&tx.View, k, id, id.String())
			if err != nil {
				return err
			}
			before := *engine.PropertiesOf(old)
			after, err := mergeProps(c, before, given)
			if err != nil {
				return err
			}
			if err := c.mayChangeProps(&tx.View, k, id, before, after); err != nil {
				return err
			}
			if len(given) == 1 {
				out = given[0].Name
			}
			return tx.UpdateObject(k, id, func(o engine.Object) { *engine.PropertiesOf(o) = after })
		})
		return out, err
	}
}

// mergeProps applies a properties request to before.
func mergeProps(c *call, before []engine.Property, given []engine.PropertyDoc) ([]engine.Property, error) {
	switch c.r.Method {
	case http.MethodDelete:
		name := c.r.PathValue("name")
		if name == "" {
			return nil, nil
		}
		after := engine.SetProperty(before, name, "")
		if len(after) == len(before) {
			return nil, fmt.Errorf("%w: property %q", engine.ErrNotFound, name)
		}
		return after, nil
	}
	after := before
	for i, p := range given {
		if strings.TrimSpace(p.Name) == "" {
			return nil, fmt.Errorf("%w: properties[%d].name is empty", engine.ErrInvalid, i)
		}
		if p.Value == "" {
			return nil, fmt.Errorf("%w: properties[%d].value is empty (DELETE removes a property)", engine.ErrInvalid, i)
		}
		after = engine.SetProperty(after, p.Name, p.Value)
	}
	return after, nil
}

// ---- values ----

// valueOut is a computed value.
type valueOut struct {
	Type      string    `json:"type"`
	Value     string    `json:"value"`
	Timestamp time.Time `json:"timestamp"`
}

func getSpaceValues(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	out := []valueOut{}
	err = c.s.e.View(func(v *engine.View) error {
		if _, err := c.see(v, engine.KindSpace, id, id.String()); err != nil {
			return err
		}
		for _, nv := range v.SpaceValues(id) {
			out = append(out, valueOut{nv.Name, nv.Value.Value, nv.Time.UTC()})
		}
		return nil
	})
	return out, err
}

func getSensorValue(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var out valueOut
	err = c.s.e.View(func(v *engine.View) error {
		o, err := c.see(v, engine.KindSensor, id, id.String())
		if err != nil {
			return err
		}
		val, ok := v.SensorValue(id)
		if !ok {
			return fmt.Errorf("%w: sensor %s has no value yet", engine.ErrNotFound, id)
		}
		out = valueOut{v.TypeName(o.(*engine.Sensor).DataTypeID), val.Value, val.Time.UTC()}
		return nil
	})
	return out, err
}

// setSpaceValue is PUT /spaces/{id}/values/{name} {"value": "…"}: within
// the value limits of the caller's roles.
func setSpaceValue(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	name := c.r.PathValue("name")
	var body struct {
		Value string `json:"value"`
	}
	if err := c.decode(&body); err != nil {
		return nil, err
	}
	return nil, c.s.update(func(tx *engine.Tx) error {
		if _, err := c.see(&tx.View, engine.KindSpace, id, id.String()); err != nil {
			return err
		}
		if err := authorizeValue(&tx.View, c.p, engine.ResSpace, id, name, body.Value); err != nil {
			return err
		}
		_, _, err := tx.SetSpaceValue(id, name, engine.Value{Value: body.Value, Time: tx.Now()})
		return err
	})
}

// history is GET /sensors/{id}/values and /spaces/{id}/values/{name}/history
// with from, to (RFC 3339) and limit.
func history(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		q := c.r.URL.Query()
		var from, to time.Time
		for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
			if s := q.Get(name); s != "" {
				if *dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
					return nil, fmt.Errorf("%w: %s=%q (want an RFC 3339 time)", engine.ErrInvalid, name, s)
				}
			}
		}
		top, _, err := paging(q)
		if err != nil {
			return nil, err
		}
		typ := c.r.PathValue("name")
		err = c.s.e.View(func(v *engine.View) error {
			o, err := c.see(v, k, id, id.String())
			if err == nil && k == engine.KindSensor {
				typ = v.TypeName(o.(*engine.Sensor).DataTypeID)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		vals, err := c.s.e.HistoryRange(id, c.r.PathValue("name"), from, to, top)
		if err != nil {
			return nil, err
		}
		out := make([]valueOut, 0, len(vals))
		for _, v := range vals {
			out = append(out, valueOut{typ, v.Value, v.Time.UTC()})
		}
		return out, nil
	}
}

// ---- user-defined functions ----

// udfBody reads a UDF create or update: multipart (a "metadata" JSON part
// and a "contents" script part, as the preview) or JSON with "script".
func (c *call) udfBody(d *udfDoc) error {
	mt, params, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return c.decode(d)
	}
	mr := multipart.NewReader(c.r.Body, params["boundary"])
	seenMeta := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return errTooLarge
			}
			return fmt.Errorf("%w: multipart body: %v", engine.ErrInvalid, err)
		}
		switch part.FormName() {
		case "metadata":
			if err := decodeJSON(part, d); err != nil {
				return fmt.Errorf("metadata part: %w", err)
			}
			seenMeta = true
		case "contents", "script":
			b, err := io.ReadAll(part)
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return errTooLarge
				}
				return fmt.Errorf("%w: contents part: %v", engine.ErrInvalid, err)
			}
			d.Script = string(b)
		default:
			return fmt.Errorf("%w: multipart part %q (want metadata and contents)", engine.ErrInvalid, part.FormName())
		}
	}
	if !seenMeta && c.r.Method == http.MethodPost {
		return fmt.Errorf("%w: the multipart body has no metadata part", engine.ErrInvalid)
	}
	return nil
}

func (c *call) checkScript(script string) error {
	if strings.TrimSpace(script) == "" {
		return fmt.Errorf("%w: the script is empty", engine.ErrInvalid)
	}
	if c.s.o.CompileUDF == nil {
		return nil
	}
	if err := c.s.o.CompileUDF(script); err != nil {
		return fmt.Errorf("%w: script: %v", engine.ErrInvalid, err)
	}
	return nil
}

func postUDF(c *call) (any, error) {
	d := &udfDoc{}
	if err := c.udfBody(d); err != nil {
		return nil, err
	}
	if err := c.checkScript(d.Script); err != nil {
		return nil, err
	}
	return c.create(engine.KindUDF, d)
}

func patchUDF(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var d *udfDoc
	err = c.s.e.View(func(v *engine.View) error {
		o, err := c.see(v, engine.KindUDF, id, id.String())
		if err == nil {
			d = udfDocOf(o.(*engine.UDF), true)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	old := d.Script
	if err := c.udfBody(d); err != nil {
		return nil, err
	}
	if d.Script != old {
		if err := c.checkScript(d.Script); err != nil {
			return nil, err
		}
	}
	return nil, c.s.update(func(tx *engine.Tx) error {
		o, err := c.see(&tx.View, engine.KindUDF, id, id.String())
		if err != nil {
			return err
		}
		return c.replace(tx, o, d)
	})
}

func getUDFContents(c *call) (any, error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var out rawBody
	err = c.s.e.View(func(v *engine.View) error {
		o, err := c.see(v, engine.KindUDF, id, id.String())
		if err == nil {
			out = rawBody{"text/javascript; charset=utf-8", []byte(o.(*engine.UDF).Script)}
		}
		return err
	})
	return out, err
}

// ---- ontologies, key stores, system ----

func patchOntology(c *call) (any, error) {
	n, err := c.intID("id")
	if err != nil {
		return nil, err
	}
	var body struct {
		Loaded *bool `json:"loaded"`
	}
	if err := c.decode(&body); err != nil {
		return nil, err
	}
	if body.Loaded == nil {
		return nil, fmt.Errorf("%w: only loaded may change on an ontology", engine.ErrInvalid)
	}
	return nil, c.s.update(func(tx *engine.Tx) error {
		if _, err := c.may(&tx.View, engine.KindOntology, engine.IntKey(n), fmt.Sprint(n), engine.ActionUpdate); err != nil {
			return err
		}
		return tx.SetOntologyLoaded(n, *body.Loaded)
	})
}

func getIntObject(k engine.Kind, known []string) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		inc, err := includes(c.r.URL.Query(), known...)
		if err != nil {
			return nil, err
		}
		key, label, err := c.key(k)
		if err != nil {
			return nil, err
		}
		var out any
		err = c.s.e.View(func(v *engine.View) error {
			o, err := c.see(v, k, key, label)
			if err == nil {
				out = c.render(v, o, inc)
			}
			return err
		})
		return out, err
	}
}

// keystores: the engine keeps no key stores (devices carry their own
// keys), so the collection is empty and every id is unknown.
func listKeyStores(c *call) (any, error) { return page(c, []any{}) }

func getKeyStore(c *call) (any, error) {
	return nil, fmt.Errorf("%w: key store %s (this server keeps no key stores; device keys are on the devices)", engine.ErrNotFound, c.r.PathValue("id"))
}

// roleDoc is a role definition.
type roleDoc struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	FriendlyName string          `json:"friendlyName,omitempty"`
	System       bool            `json:"system"`
	Permissions  []permissionDoc `json:"permissions"`
	Limits       []limitDoc      `json:"limits,omitempty"`
}

// limitDoc is a value limit of a role: the values it may write to a
// property or value name (nil bounds are open).
type limitDoc struct {
	Name string   `json:"name"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
}

type permissionDoc struct {
	NotActions       []string `json:"notActions"`
	Actions          []string `json:"actions"`
	Condition        string   `json:"condition,omitempty"`
	ResourceTypes    []string `json:"resourceTypes,omitempty"`
	NotResourceTypes []string `json:"notResourceTypes,omitempty"`
}

func getRoles(c *call) (any, error) {
	var out []roleDoc
	err := c.s.e.View(func(v *engine.View) error {
		for _, r := range roles(v) {
			d := roleDoc{ID: r.ID.String(), Name: r.Name, FriendlyName: r.FriendlyName, System: r.System, Permissions: []permissionDoc{}}
			for _, l := range r.Limits {
				d.Limits = append(d.Limits, limitDoc{l.Name, l.Min, l.Max})
			}
			for _, p := range r.Permissions {
				pd := permissionDoc{NotActions: []string{}, ResourceTypes: p.ResourceTypes, NotResourceTypes: p.NotResourceTypes}
				for _, a := range p.Actions {
					pd.Actions = append(pd.Actions, string(a))
				}
				d.Permissions = append(d.Permissions, pd)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// getStats is GET /system/stats: object counts, commits and event
// subscribers, and the app's extra fields. It covers the whole graph, so
// it needs Read on System at "/".
func getStats(c *call) (any, error) {
	err := c.s.e.View(func(v *engine.View) error {
		return v.Authorize(c.p, engine.ActionRead, engine.ResSystem, engine.NilID)
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"objects":          c.s.e.Stats(),
		"commits":          c.s.e.CommitStats(),
		"eventSubscribers": c.s.e.Events().Subscribers(),
	}
	if c.s.o.Stats != nil {
		out["app"] = c.s.o.Stats()
	}
	return out, nil
}
