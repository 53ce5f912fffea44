package ui

import (
	"fmt"
	"net"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
)

// brokerControl starts, stops and moves the project's MQTT broker: the
// toolbar's broker button and Run ▸ Start or Stop Broker and Broker
// Address….
type brokerControl struct {
	sh  *shell
	app *app.App
}

func newBrokerControl(sh *shell, a *app.App) *brokerControl { return &brokerControl{sh: sh, app: a} }

// addr is the broker's address, "" when it is off.
func (c *brokerControl) addr() string {
	if b := c.app.Broker(); b != nil {
		return b.Addr()
	}
	return ""
}

// onToggle stops the broker when it runs (its devices are disconnected),
// or starts it on its last address.
func (c *brokerControl) onToggle() {
	if c.app.Broker() != nil {
		c.sh.act(c.app.StopBroker())
	} else {
		c.sh.act(c.app.StartBroker(app.BrokerOptions{}))
	}
	c.sh.changed()
}

// setAddr sets the broker address of the project and moves the running
// broker there (its devices reconnect to the new address). An address that
// cannot be listened on is refused and nothing changes.
func (c *brokerControl) setAddr(addr string) error {
	addr = strings.TrimSpace(addr)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("broker address %q: want HOST:PORT, e.g. 127.0.0.1:1883 or 0.0.0.0:1883", addr)
	}
	old := c.addr()
	if old != "" {
		if err := c.app.StopBroker(); err != nil {
			return err
		}
	}
	if err := c.app.StartBroker(app.BrokerOptions{Addr: addr}); err != nil {
		if old != "" {
			_ = c.app.StartBroker(app.BrokerOptions{Addr: old})
		}
		return fmt.Errorf("broker address %s: %w", addr, err)
	}
	if a := fyne.CurrentApp(); a != nil {
		a.Preferences().SetString(brokerKey(c.app.Path()), addr)
	}
	c.sh.changed()
	return nil
}

// onAddress asks for the broker's address (Run ▸ Broker Address…).
func (c *brokerControl) onAddress() { newBrokerDialog(c).show() }

// brokerDialog asks for the broker's address.
type brokerDialog struct {
	c    *brokerControl
	addr *widget.Entry
}

func newBrokerDialog(c *brokerControl) *brokerDialog {
	d := &brokerDialog{c: c, addr: widget.NewEntry()}
	d.addr.SetText(brokerAddrFor(c.app.Path()))
	return d
}

func (d *brokerDialog) show() {
	help := widget.NewLabel("127.0.0.1:PORT accepts devices on this machine only; 0.0.0.0:PORT from the network too.")
	help.TextStyle.Italic = true
	help.Wrapping = fyne.TextWrapWord
	formDialog(d.c.sh.win, "Broker address of "+d.c.app.Name(), "Listen", []*widget.FormItem{
		widget.NewFormItem("Address", d.addr), widget.NewFormItem("", help),
	}, d.onListen)
}

// onListen moves the broker to the address typed.
func (d *brokerDialog) onListen() error { return d.c.setAddr(d.addr.Text) }
