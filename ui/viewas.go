package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// "View as": the studio can show the project as one principal sees it.
// The view model keeps whose view it is; every node it hands out (tree
// children, labels, details, documents, search hits) is one that principal
// may read, and the controller checks each edit against the principal's
// roles before it applies it. The owner (the default) sees and may do
// everything, exactly as without this file.

// ownerText is how the studio names the owner's view.
const ownerText = "Owner (everything)"

// principal is whose view the model shows: engine.Owner unless
// setPrincipal chose another. Safe for concurrent use.
func (m *viewModel) principal() engine.Principal {
	if p := m.who.Load(); p != nil {
		return *p
	}
	return engine.Owner
}

// setPrincipal shows the graph as p sees it from now on (engine.Owner:
// everything) and empties the caches filled for the previous principal.
func (m *viewModel) setPrincipal(p engine.Principal) {
	m.who.Store(&p)
	m.mu.Lock()
	m.children = nil
	m.mu.Unlock()
}

// isOwner reports whether the model shows the owner's view.
func (m *viewModel) isOwner() bool { return m.principal().Type == engine.Owner.Type }

// sees reports whether who may read object id of kind k.
func (m *viewModel) sees(v *engine.View, who engine.Principal, k engine.Kind, id engine.ID) bool {
	return v.CanRead(who, k, id)
}

// lookup is the package's lookup limited to the objects the model's
// principal may read.
func (m *viewModel) lookup(v *engine.View, uid string) (engine.Object, *kindUI, bool) {
	o, k, ok := lookup(v, uid)
	if !ok {
		return nil, nil, false
	}
	if _, id, _ := parseNode(uid); !m.sees(v, m.principal(), k.kind, id) {
		return nil, nil, false
	}
	return o, k, true
}

// viewRoots are the tree's top nodes for who: the root spaces for the
// owner; else the topmost spaces who may read (the spaces of its
// assignments), in tree order.
func viewRoots(v *engine.View, who engine.Principal) []string {
	var out []string
	var walk func(spaces []*engine.Space)
	walk = func(spaces []*engine.Space) {
		for _, s := range spaces {
			if v.CanRead(who, engine.KindSpace, s.ID) {
				out = append(out, spaceNode(s.ID))
			} else {
				walk(v.ChildSpaces(s.ID))
			}
		}
	}
	walk(v.Roots())
	return out
}

// visibleNodes keeps the nodes who may read.
func visibleNodes(v *engine.View, who engine.Principal, nodes []string) []string {
	if who.Type == engine.Owner.Type {
		return nodes
	}
	kept := nodes[:0:0]
	for _, n := range nodes {
		if k, id, ok := parseNode(n); ok && v.CanRead(who, k.kind, id) {
			kept = append(kept, n)
		}
	}
	return kept
}

// principalText names p for the View-as list and the Access tab:
// "Owner (everything)", "UserId alice@contoso.com", "DeviceId SO-F1-R05",
// "ServicePrincipalId tenant-a-app".
func principalText(p engine.Principal) string {
	if p.Type == engine.Owner.Type {
		return ownerText
	}
	return p.Type + " " + p.Name()
}

// principalOrder is the order the studio lists principals in: people
// and programs first, then functions, then the (many) devices.
var principalOrder = []string{engine.ObjectUserID, engine.ObjectServicePrincipalID, engine.ObjectUserDefinedFunctionID, engine.ObjectDeviceID}

// sortPrincipals orders ps by principalOrder, keeping the engine's order
// (by name) within a type.
func sortPrincipals(ps []engine.Principal) []engine.Principal {
	slices.SortStableFunc(ps, func(a, b engine.Principal) int {
		return slices.Index(principalOrder, a.Type) - slices.Index(principalOrder, b.Type)
	})
	return ps
}

// principalRef is how the Access tab's dialogs offer p:
// "ServicePrincipalId:tenant-a-app", which App.ResolvePrincipal reads back.
func principalRef(p engine.Principal) string { return p.Type + ":" + p.Name() }

// may reports nil when the model's principal may do action on resource
// type res for object id (NilID: the whole graph), else the engine's
// refusal, reworded to name the principal as the studio does.
func (m *viewModel) may(action engine.Action, res string, id engine.ID) error {
	who := m.principal()
	if who.Type == engine.Owner.Type {
		return nil
	}
	var err error
	m.view(func(v *engine.View) { err = v.Authorize(who, action, res, id) })
	if err != nil {
		return fmt.Errorf("%w: viewing as %s, who may not %s this %s", engine.ErrNotAuthorized,
			principalText(who), strings.ToLower(string(action)), res)
	}
	return nil
}

// visibleLog keeps the log entries of the sensors or devices who may
// read (a rejection from an unknown device shows only to the owner).
func visibleLog(e *engine.Engine, who engine.Principal, log []logEntry) []logEntry {
	return keepVisible(e, who, log, func(v *engine.View, l logEntry) bool {
		if n, ok := v.SensorByHardwareID(l.Sensor); ok && v.CanRead(who, engine.KindSensor, n.ID) {
			return true
		}
		d, ok := v.DeviceByHardwareID(l.Device)
		return ok && v.CanRead(who, engine.KindDevice, d.ID)
	})
}

// visibleDevices keeps the devices who may read.
func visibleDevices(e *engine.Engine, who engine.Principal, ds []deviceState) []deviceState {
	return keepVisible(e, who, ds, func(v *engine.View, d deviceState) bool {
		dev, ok := v.DeviceByHardwareID(d.HardwareID)
		return ok && v.CanRead(who, engine.KindDevice, dev.ID)
	})
}

// keepVisible returns the items that sees keeps, read in one view of e;
// all of them for the owner.
func keepVisible[T any](e *engine.Engine, who engine.Principal, items []T, sees func(v *engine.View, x T) bool) []T {
	if who.Type == engine.Owner.Type {
		return items
	}
	kept := items[:0:0]
	_ = e.View(func(v *engine.View) error {
		for _, x := range items {
			if sees(v, x) {
				kept = append(kept, x)
			}
		}
		return nil
	})
	return kept
}

// refuseDevice says why the principal viewed as may not act as device hw
// (it may not read it), "" when it may: the owner may act as any device,
// including one the project does not hold (the pipeline rejects it).
func (m *viewModel) refuseDevice(hw string) string {
	who := m.principal()
	if who.Type == engine.Owner.Type {
		return ""
	}
	seen := false
	m.view(func(v *engine.View) {
		d, ok := v.DeviceByHardwareID(hw)
		seen = ok && v.CanRead(who, engine.KindDevice, d.ID)
	})
	if seen {
		return ""
	}
	return "viewing as " + principalText(who) + ", who may not see device " + hw
}

// mayWrite reports nil when the model's principal may set property or
// value name of object id to value: a role with Update on res covers the
// object, and the role's value limits, if any, allow value. A refusal
// names the role and its limit ("role Occupant may set
// TemperatureSetpoint only between 20 and 24 (not 30)").
func (m *viewModel) mayWrite(res string, id engine.ID, name, value string) error {
	who := m.principal()
	if who.Type == engine.Owner.Type {
		return nil
	}
	var err error
	m.view(func(v *engine.View) { err = v.AuthorizeValue(who, res, id, name, value) })
	if err != nil {
		return fmt.Errorf("viewing as %s: %w", principalText(who), err)
	}
	return nil
}
