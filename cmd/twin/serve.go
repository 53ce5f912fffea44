package main

import (
	"context"
	"fmt"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

type serveCmd struct {
	projectFlag
	MQTT     string `name:"mqtt" default:"127.0.0.1:1883" placeholder:"ADDR" help:"MQTT listen address."`
	MQTTWS   string `name:"mqtt-ws" placeholder:"ADDR" help:"Also listen for MQTT over WebSocket on ADDR."`
	HTTP     string `name:"http" placeholder:"ADDR" help:"REST API listen address (not available yet)."`
	Simulate string `placeholder:"SCENARIO" help:"Run a simulation scenario (not available yet)."`
	Quiet    bool   `help:"Log warnings only."`
}

func (c *serveCmd) Run(e *env) error {
	if c.HTTP != "" {
		return usageError{fmt.Errorf("--http: the REST API is not available in this version")}
	}
	if c.Simulate != "" {
		return usageError{fmt.Errorf("--simulate: the simulator is not available in this version")}
	}
	level := slog.LevelInfo
	if c.Quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	a, err := c.open(true, app.Options{Logger: log, Broker: &mqtt.Options{Addr: c.MQTT, WSAddr: c.MQTTWS}})
	if err != nil {
		return err
	}
	st := a.Engine().Stats()
	log.Info("serving", "project", c.Project, "spaces", st.Spaces, "devices", st.Devices, "sensors", st.Sensors, "mqtt", a.Broker().Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("shutting down: draining the pipeline and committing")
	s := a.Pipeline().Stats()
	if err := a.Close(); err != nil {
		return err
	}
	log.Info("stopped", "accepted", s.Accepted, "rejected", s.Rejected, "dropped", s.Dropped)
	return nil
}
