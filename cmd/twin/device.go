package main

import (
	"fmt"

	"github.com/twinstudio/twinstudio/engine"
)

type deviceCmd struct {
	Key deviceKeyCmd `cmd:"" help:"Print a device's MQTT password (username = its hardwareId)."`
}

type deviceKeyCmd struct {
	projectFlag
	HardwareID string `arg:"" name:"HARDWAREID" help:"The device's hardwareId."`
	Rotate     bool   `help:"Give the device a new key first (the old one stops working)."`
}

func (c *deviceKeyCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if c.Rotate {
		key, err := a.Engine().RotateDeviceKey(c.HardwareID)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, key)
		return a.Close()
	}
	return a.Engine().View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(c.HardwareID)
		if !ok {
			return fmt.Errorf("%w: no device has hardwareId %q", engine.ErrNotFound, c.HardwareID)
		}
		fmt.Fprintln(e.stdout, d.Key)
		return nil
	})
}
