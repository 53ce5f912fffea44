package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Create a bearer token for a principal and print it, once (only the token on stdout); --role and --path also assign a role."`
	List   tokenListCmd   `cmd:"" help:"List the tokens: name, principal, created, expires, revoked (never the secret)."`
	Revoke tokenRevokeCmd `cmd:"" help:"Revoke a token by name or id: it stops working at once and stays listed."`
}

type tokenCreateCmd struct {
	projectFlag
	Principal string `required:"" placeholder:"NAME" help:"Who the token acts for: a user's UPN, a device's hardwareId, a UDF's name, TYPE:VALUE (UserId, ServicePrincipalId, DeviceId, UserDefinedFunctionId), or any other name for a service principal."`
	Role      string `placeholder:"ROLE" help:"Also assign this role (SpaceAdministrator, User, DeviceAdministrator, a custom role's name, or an id) on --path."`
	Path      string `placeholder:"PATH" help:"With --role: the space the role covers, with everything under it: '/Quickstart Building/Floor 1', or '/' for the whole graph."`
	Expires   string `placeholder:"DURATION" help:"Expire after this long: 90m, 12h, 30d (default: never)."`
	Name      string `placeholder:"NAME" help:"The token's name (default: the principal's name and a short random suffix)."`
}

// parseExpiry reads a positive duration: Go's (90m, 12h) or days (30d).
func parseExpiry(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		n, nerr := strconv.ParseFloat(days, 64)
		d, err = time.Duration(n*24*float64(time.Hour)), nerr
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want a positive duration such as 90m, 12h or 30d", s)
	}
	return d, nil
}

func (c *tokenCreateCmd) Run(e *env) error {
	if (c.Role == "") != (c.Path == "") {
		return usageError{errors.New("--role and --path go together: the role is assigned on the path")}
	}
	var expires time.Time
	if c.Expires != "" {
		d, err := parseExpiry(c.Expires)
		if err != nil {
			return usageError{err}
		}
		expires = time.Now().Add(d)
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var (
		secret, assigned string
		tok              *engine.Token
	)
	err = a.Engine().Update(func(tx *engine.Tx) error {
		p, err := tx.ResolvePrincipal(c.Principal)
		if err != nil {
			return fmt.Errorf("--principal: %w", err)
		}
		if c.Role != "" {
			if assigned, err = c.assign(tx, p); err != nil {
				return err
			}
		}
		secret, tok, err = tx.CreateToken(p, c.Name, expires)
		if err != nil {
			return fmt.Errorf("--name: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	until := "never expires"
	if !tok.Expires.IsZero() {
		until = "expires " + tok.Expires.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(e.stderr, "token %s for %s %s%s, %s; it is shown only this once (send it as 'Authorization: Bearer TOKEN', or as the MQTT password of user 'token')\n",
		tok.Name, tok.Principal.Type, tok.Principal.Name(), assigned, until)
	return nil
}

// assign gives p the role --role on --path (an assignment that exists
// already is kept) and says so for the hint line.
func (c *tokenCreateCmd) assign(tx *engine.Tx, p engine.Principal) (string, error) {
	r, err := tx.FindRole(c.Role)
	if err != nil {
		return "", fmt.Errorf("--role: %w", err)
	}
	space, err := tx.ResolveSpace(c.Path)
	if err != nil {
		return "", fmt.Errorf("--path: %w", err)
	}
	path, where := "/", "/"
	if !space.IsZero() {
		path, where = tx.SpacePath(space), tx.FullName(space)
	}
	ra := &engine.RoleAssignment{RoleID: r.ID, ObjectID: p.ID, ObjectIDType: p.Type, Path: path}
	if err := tx.PutRoleAssignment(ra); err != nil && !errors.Is(err, engine.ErrDuplicate) {
		return "", fmt.Errorf("--role %s --path %s: %w", c.Role, c.Path, err)
	}
	return fmt.Sprintf(", role %s on %s", r.Name, where), nil
}

type tokenListCmd struct {
	projectFlag
	outputFlag
}

// tokenItem is one row of 'twin token list -o json': never the secret
// nor its hash.
type tokenItem struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Principal     string     `json:"principal"`
	PrincipalType string     `json:"principalType"`
	PrincipalID   string     `json:"principalId"`
	Created       time.Time  `json:"created"`
	Expires       *time.Time `json:"expires,omitempty"`
	Revoked       *time.Time `json:"revoked,omitempty"`
}

func (c *tokenListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var items []tokenItem
	a.Engine().View(func(v *engine.View) error {
		for _, t := range v.Tokens() {
			items = append(items, tokenItem{ID: t.ID.String(), Name: t.Name, Principal: t.Principal.Name(), PrincipalType: t.Principal.Type,
				PrincipalID: t.Principal.ID, Created: t.Created.UTC(), Expires: timeOrNil(t.Expires), Revoked: timeOrNil(t.Revoked)})
		}
		return nil
	})
	if items == nil {
		items = []tokenItem{}
	}
	if ok, err := c.structured(e.stdout, items); ok {
		return err
	}
	t := c.table(e.stdout, "NAME", "PRINCIPAL", "TYPE", "CREATED", "EXPIRES", "REVOKED")
	for _, it := range items {
		t.row(it.Name, it.Principal, it.PrincipalType, it.Created.Format(time.RFC3339), timeOrDash(it.Expires), timeOrDash(it.Revoked))
	}
	t.flush()
	e.trailer("%s", count(len(items), "token"))
	return nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

type tokenRevokeCmd struct {
	projectFlag
	Token string `arg:"" name:"NAME|ID" help:"The token's name or id (see 'twin token list')."`
}

func (c *tokenRevokeCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Engine().Update(func(tx *engine.Tx) error { return tx.RevokeToken(c.Token) }); err != nil {
		return err
	}
	if err := a.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %s revoked\n", c.Token)
	return nil
}
