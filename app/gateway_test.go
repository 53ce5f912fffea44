package app_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// TestGatewayDevice: a device holding the Gateway Device role on a space
// publishes, under its own topics, for sensors of other devices in that
// space; a device without the role is refused.
func TestGatewayDevice(t *testing.T) {
	a, err := app.Open(filepath.Join(t.TempDir(), "gw.twin"), app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.ProvisionFile("testdata/gateway.yaml"); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	var tag engine.ID
	a.Engine().View(func(v *engine.View) error {
		for _, hw := range []string{"GW-01", "TAG-02"} {
			d, _ := v.DeviceByHardwareID(hw)
			keys[hw] = d.Key
		}
		s, _ := v.SensorByHardwareID("TAG-01-TEMP")
		tag = s.ID
		return nil
	})
	gw, err := connect3(t, a.Broker().Addr(), "gw", "GW-01", keys["GW-01"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Disconnect(0)
	if err := publish3(t, gw, "devices/GW-01/sensors/TAG-01-TEMP", 1, "21.5"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, func() bool {
		var ok bool
		a.Engine().View(func(v *engine.View) error {
			val, _ := v.SensorValue(tag)
			ok = val.Value == "21.5"
			return nil
		})
		return ok
	}, func() string { return "the gateway's message did not set the tag's sensor" })

	before := a.Pipeline().Stats().ByReason["not allowed"]
	other, err := connect3(t, a.Broker().Addr(), "tag2", "TAG-02", keys["TAG-02"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Disconnect(0)
	publish3(t, other, "devices/TAG-02/sensors/TAG-01-TEMP", 1, "99") // refused: 3.1.1 clients are disconnected
	eventually(t, 3*time.Second, func() bool { return a.Pipeline().Stats().ByReason["not allowed"] > before },
		func() string { return "TAG-02's message for another device's sensor was not refused" })
	a.Engine().View(func(v *engine.View) error {
		if val, _ := v.SensorValue(tag); val.Value != "21.5" {
			t.Errorf("refused message changed the sensor to %q", val.Value)
		}
		return nil
	})
}
