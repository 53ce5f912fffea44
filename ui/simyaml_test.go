package ui

import (
	"testing"
	"time"
)

func TestSetYAMLField(t *testing.T) {
	const doc = "# a week\nname: W\nseed: 42\nduration: 168h  # a week\nspaces:\n- path: /A\nvariants:\n  half:\n    scale: {ventilation: 0.5}\n"
	tests := []struct {
		name, text, path, value, want string
	}{
		{"top-level keeps its comment", doc, "duration", "2h", "# a week\nname: W\nseed: 42\nduration: 2h  # a week\nspaces:\n- path: /A\nvariants:\n  half:\n    scale: {ventilation: 0.5}\n"},
		{"a missing key goes after the header", doc, "step", "30s", "# a week\nname: W\nseed: 42\nduration: 168h  # a week\nstep: 30s\nspaces:\n- path: /A\nvariants:\n  half:\n    scale: {ventilation: 0.5}\n"},
		{"a missing mapping is added, not the variant's", doc, "scale.people", "1.3", "# a week\nname: W\nseed: 42\nduration: 168h  # a week\nscale:\n  people: 1.3\nspaces:\n- path: /A\nvariants:\n  half:\n    scale: {ventilation: 0.5}\n"},
		{"block mapping", "scale:\n  people: 1.3  # more\n  ventilation: 0.8\n", "scale.ventilation", "1", "scale:\n  people: 1.3  # more\n  ventilation: 1\n"},
		{"block mapping, new key", "scale:\n    people: 1.3\nseed: 1\n", "scale.ventilation", "2", "scale:\n    ventilation: 2\n    people: 1.3\nseed: 1\n"},
		{"flow mapping", "scale: {people: 1.3} # x\n", "scale.ventilation", "0.8", "scale: {people: 1.3, ventilation: 0.8} # x\n"},
		{"flow mapping, replace", "scale: {people: 1.3, ventilation: 0.8}\n", "scale.people", "2", "scale: {people: 2, ventilation: 0.8}\n"},
		{"empty text", "", "seed", "7", "seed: 7\n"},
		{"a key prefix is another key", "seedling: 1\n", "seed", "7", "seed: 7\nseedling: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := setYAMLField(tt.text, tt.path, tt.value); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{168 * time.Hour: "168h", 90 * time.Minute: "1h30m", 5 * time.Minute: "5m", 30 * time.Second: "30s", 0: "0s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
