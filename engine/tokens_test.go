package engine_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestTokenSurvivesReopenSecretNotStored creates tokens in a real project
// file, reopens it and resolves them; the file holds the hash, never the
// secret.
func TestTokenSurvivesReopenSecretNotStored(t *testing.T) {
	e, path := openEngine(t)
	p := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "dashboard"}
	var secret string
	var tok *engine.Token
	must(t, e.Update(func(tx *engine.Tx) error {
		var err error
		secret, tok, err = tx.CreateToken(p, "", time.Time{})
		return err
	}))
	if !strings.HasPrefix(secret, "twn_") || len(secret) != 47 {
		t.Fatalf("secret %q: want twn_ and 43 characters", secret)
	}
	if !strings.HasPrefix(tok.Name, "dashboard-") {
		t.Errorf("default name %q, want dashboard-…", tok.Name)
	}
	must(t, e.Close())
	raw, err := os.ReadFile(path)
	must(t, err)
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(secret[4:])) {
		t.Fatal("the project file holds the token secret")
	}
	if !bytes.Contains(raw, []byte(tok.Hash)) {
		t.Fatal("the project file does not hold the token hash: the scan proves nothing")
	}
	e = reopen(t, path)
	got, err := e.ResolveToken(secret, time.Now())
	must(t, err)
	if got.Type != p.Type || got.ID != p.ID || got.Name() != "dashboard" {
		t.Errorf("resolved %+v, want %+v", got, p)
	}
	must(t, e.View(func(v *engine.View) error {
		list := v.Tokens()
		if len(list) != 1 || list[0].Name != tok.Name || list[0].Hash != tok.Hash || !list[0].Created.Equal(tok.Created) {
			t.Errorf("tokens after reopen: %+v, want %+v", list, tok)
		}
		return nil
	}))
}

// TestResolveTokenRefusals checks each reason a token is refused.
func TestResolveTokenRefusals(t *testing.T) {
	e, path := openEngine(t)
	now := time.Now()
	p := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "svc"}
	var live, short, revoked, deleted string
	must(t, e.Update(func(tx *engine.Tx) error {
		var err error
		if live, _, err = tx.CreateToken(p, "live", time.Time{}); err != nil {
			return err
		}
		if short, _, err = tx.CreateToken(p, "short", now.Add(time.Hour)); err != nil {
			return err
		}
		if revoked, _, err = tx.CreateToken(p, "revoked", time.Time{}); err != nil {
			return err
		}
		if deleted, _, err = tx.CreateToken(p, "deleted", time.Time{}); err != nil {
			return err
		}
		return nil
	}))
	must(t, e.Update(func(tx *engine.Tx) error {
		if err := tx.RevokeToken("revoked"); err != nil {
			return err
		}
		return tx.DeleteToken("deleted")
	}))
	must(t, e.Close())
	e = reopen(t, path)
	unknown := "twn_" + strings.Repeat("A", 43)
	tests := []struct {
		name, secret string
		at           time.Time
		reason       string // "" means accepted
	}{
		{"live", live, now, ""},
		{"before expiry", short, now.Add(59 * time.Minute), ""},
		{"expired", short, now.Add(time.Hour), "expired"},
		{"revoked", revoked, now, "revoked"},
		{"deleted", deleted, now, "unknown"},
		{"unknown", unknown, now, "unknown"},
		{"empty", "", now, "malformed"},
		{"no prefix", strings.TrimPrefix(live, "twn_"), now, "malformed"},
		{"short", live[:20], now, "malformed"},
		{"bad character", live[:46] + "!", now, "malformed"},
		{"padding", live[:46] + "=", now, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.ResolveToken(tc.secret, tc.at)
			if tc.reason == "" {
				if err != nil || got.ID != "svc" {
					t.Fatalf("got %+v, %v; want svc", got, err)
				}
				return
			}
			if !errors.Is(err, engine.ErrUnauthenticated) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("error %v, want ErrUnauthenticated saying %q", err, tc.reason)
			}
			if got != (engine.Principal{}) {
				t.Errorf("refused but returned principal %+v", got)
			}
		})
	}
	must(t, e.View(func(v *engine.View) error {
		var names []string
		for _, tk := range v.Tokens() {
			names = append(names, tk.Name)
			if tk.Name == "revoked" && tk.Revoked.IsZero() {
				t.Error("revoked token lost its revocation time")
			}
		}
		if strings.Join(names, ",") != "live,revoked,short" {
			t.Errorf("tokens %v, want live,revoked,short (by created, then name)", names)
		}
		return nil
	}))
}

// TestCreateTokenRefusals checks bad input and that a refused transaction
// leaves nothing behind.
func TestCreateTokenRefusals(t *testing.T) {
	e, _ := openEngine(t)
	sp := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "svc"}
	must(t, e.Update(func(tx *engine.Tx) error { _, _, err := tx.CreateToken(sp, "taken", time.Time{}); return err }))
	tests := []struct {
		name    string
		p       engine.Principal
		tname   string
		expires time.Time
		want    error
	}{
		{"owner", engine.Owner, "x", time.Time{}, engine.ErrInvalid},
		{"no id", engine.Principal{Type: engine.ObjectUserID}, "x", time.Time{}, engine.ErrInvalid},
		{"name taken", sp, "TAKEN", time.Time{}, engine.ErrDuplicate},
		{"name with space", sp, "a b", time.Time{}, engine.ErrInvalid},
		{"expired already", sp, "x", time.Now().Add(-time.Minute), engine.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.Update(func(tx *engine.Tx) error {
				_, _, err := tx.CreateToken(tc.p, tc.tname, tc.expires)
				return err
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	for _, ref := range []string{"nope", engine.NewID().String()} {
		if err := e.Update(func(tx *engine.Tx) error { return tx.RevokeToken(ref) }); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("revoke %q: %v, want ErrNotFound", ref, err)
		}
		if err := e.Update(func(tx *engine.Tx) error { return tx.DeleteToken(ref) }); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("delete %q: %v, want ErrNotFound", ref, err)
		}
	}
	// A rolled-back creation leaves no token and no index entry.
	var secret string
	boom := errors.New("boom")
	err := e.Update(func(tx *engine.Tx) error {
		secret, _, _ = tx.CreateToken(sp, "rolled", time.Time{})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := e.ResolveToken(secret, time.Now()); !errors.Is(err, engine.ErrUnauthenticated) {
		t.Errorf("a rolled-back token resolves: %v", err)
	}
	must(t, e.Update(func(tx *engine.Tx) error { _, _, err := tx.CreateToken(sp, "rolled", time.Time{}); return err }))
}

// TestResolvePrincipal names principals every way the CLI accepts.
func TestResolvePrincipal(t *testing.T) {
	e, _ := openEngine(t)
	_, err := e.Provision(quickstartPlan())
	must(t, err)
	var user *engine.User
	var dev *engine.Device
	var udf *engine.UDF
	must(t, e.View(func(v *engine.View) error {
		for _, s := range v.Roots() {
			_ = v.WalkSpaces(func(s *engine.Space) error {
				if us := v.SpaceUsers(s.ID); len(us) > 0 && user == nil {
					user = us[0]
				}
				if ds := v.SpaceDevices(s.ID); len(ds) > 0 && dev == nil {
					dev = ds[0]
				}
				return nil
			}, nil)
			_ = s
		}
		if us := v.UDFs(); len(us) > 0 {
			udf = us[0]
		}
		return nil
	}))
	if dev == nil || udf == nil {
		t.Fatal("the quickstart plan has no device or UDF")
	}
	type want struct{ typ, id, name string }
	tests := []struct {
		in   string
		want want
	}{
		{dev.HardwareID, want{engine.ObjectDeviceID, dev.ID.String(), dev.HardwareID}},
		{dev.ID.String(), want{engine.ObjectDeviceID, dev.ID.String(), dev.HardwareID}},
		{udf.Name, want{engine.ObjectUserDefinedFunctionID, udf.ID.String(), udf.Name}},
		{"DeviceId:" + dev.HardwareID, want{engine.ObjectDeviceID, dev.ID.String(), dev.HardwareID}},
		{"ServicePrincipalId:" + dev.HardwareID, want{engine.ObjectServicePrincipalID, dev.HardwareID, dev.HardwareID}},
		{"UserId:ghost@example.com", want{engine.ObjectUserID, "ghost@example.com", "ghost@example.com"}},
		{"grafana", want{engine.ObjectServicePrincipalID, "grafana", "grafana"}},
	}
	if user != nil {
		tests = append(tests, struct {
			in   string
			want want
		}{strings.ToUpper(user.UPN), want{engine.ObjectUserID, user.ID.String(), user.UPN}})
	}
	must(t, e.View(func(v *engine.View) error {
		for _, tc := range tests {
			p, err := v.ResolvePrincipal(tc.in)
			if err != nil {
				t.Errorf("%q: %v", tc.in, err)
				continue
			}
			if (want{p.Type, p.ID, p.Name()}) != tc.want {
				t.Errorf("%q: %s %s %q, want %+v", tc.in, p.Type, p.ID, p.Name(), tc.want)
			}
		}
		if _, err := v.ResolvePrincipal("  "); !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("empty name: %v, want ErrInvalid", err)
		}
		return nil
	}))
	// Principals lists graph principals and those only tokens name.
	must(t, e.Update(func(tx *engine.Tx) error {
		_, _, err := tx.CreateToken(engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "grafana"}, "", time.Time{})
		return err
	}))
	must(t, e.View(func(v *engine.View) error {
		found := map[string]bool{}
		for _, p := range v.Principals() {
			found[p.Type+" "+p.Name()] = true
		}
		for _, k := range []string{"ServicePrincipalId grafana", "DeviceId " + dev.HardwareID, "UserDefinedFunctionId " + udf.Name} {
			if !found[k] {
				t.Errorf("Principals lacks %s: %v", k, found)
			}
		}
		return nil
	}))
}
