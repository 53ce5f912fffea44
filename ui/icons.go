package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/twinstudio/twinstudio/assets"
	"github.com/twinstudio/twinstudio/engine"
)

// iconName is the name of the icon the tree shows for node uid: one of
// the names of package assets (building, floor, room, device, temperature…),
// chosen by the object's kind and type; "" for an unknown node.
func (m *viewModel) iconName(uid string) string {
	name := ""
	m.view(func(v *engine.View) {
		if o, k, ok := m.lookup(v, uid); ok {
			name = k.icon(v, o)
		}
	})
	return name
}

var (
	iconMu    sync.Mutex
	iconCache = map[string]fyne.Resource{}
)

// iconResource is the themed resource of icon name (recoloured for the
// light and dark themes), or a stock icon when assets has none by that
// name.
func iconResource(name string) fyne.Resource {
	iconMu.Lock()
	defer iconMu.Unlock()
	if r, ok := iconCache[name]; ok {
		return r
	}
	r := assetIcon(name)
	if r == nil {
		r = stockIcon(name)
	}
	iconCache[name] = r
	return r
}

func stockIcon(name string) fyne.Resource {
	switch name {
	case "building", "tenant":
		return theme.HomeIcon()
	case "device", "gateway":
		return theme.ComputerIcon()
	case "sensor", "motion", "temperature", "co2", "humidity", "light", "power", "sound", "occupancy":
		return theme.MediaRecordIcon()
	case "":
		return theme.QuestionIcon()
	}
	return theme.GridIcon()
}

// assetIcon is icon name of package assets as a themed resource, or nil.
func assetIcon(name string) fyne.Resource {
	b := assets.Icon(name)
	if b == nil {
		return nil
	}
	return theme.NewThemedResource(fyne.NewStaticResource(name+".svg", b))
}
