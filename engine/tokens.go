package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Token is a bearer token of a principal. The project stores only the hex
// SHA-256 of its secret (Hash); the secret itself is shown once, by
// CreateToken.
type Token struct {
	ID        ID
	Name      string    // unique (case-insensitively); default: the principal's name + "-" + a short random
	Principal Principal // Type (UserId, ServicePrincipalId, DeviceId, UserDefinedFunctionId), ID, UPN
	Hash      string    // hex SHA-256 of the secret
	Created   time.Time
	Expires   time.Time // zero: never
	Revoked   time.Time // zero: not revoked
}

func (t *Token) Kind() Kind    { return KindToken }
func (t *Token) ObjectKey() ID { return t.ID }

// TokenPrefix starts every token secret.
const TokenPrefix = "twn_"

// tokenSecretLen is the length of a secret: the prefix and 32 random
// bytes in unpadded base64url (43 characters).
const tokenSecretLen = len(TokenPrefix) + 43

// principalTypes are the object id types a token's principal may have.
var principalTypes = []string{ObjectUserID, ObjectServicePrincipalID, ObjectDeviceID, ObjectUserDefinedFunctionID}

// hashSecret is the stored form of a secret: hex SHA-256.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newTokenSecret returns a new random secret.
func newTokenSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("engine: crypto/rand failed: " + err.Error())
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// wellFormedSecret reports whether s has the shape of a secret.
func wellFormedSecret(s string) bool {
	if len(s) != tokenSecretLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s[len(TokenPrefix):])
	return err == nil
}

// checkTokenName refuses an empty name, one longer than 128 bytes, or one
// with spaces or control characters.
func checkTokenName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: token name is empty", ErrInvalid)
	}
	if len(name) > 128 {
		return fmt.Errorf("%w: token name is longer than 128 characters", ErrInvalid)
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("%w: token name %q contains a space or control character", ErrInvalid, name)
	}
	return nil
}

// checkPrincipal refuses a principal a token cannot belong to.
func checkPrincipal(p Principal) error {
	if !slices.Contains(principalTypes, p.Type) {
		return fmt.Errorf("%w: principal type %q (want one of %s)", ErrInvalid, p.Type, strings.Join(principalTypes, ", "))
	}
	if strings.TrimSpace(p.ID) == "" {
		return fmt.Errorf("%w: principal id is empty", ErrInvalid)
	}
	return nil
}

// CreateToken makes a token for p and returns its secret ("twn_" and 43
// base64url characters), which is shown only here: the project keeps its
// SHA-256. An empty name becomes p's name, "-" and a short random; a
// name that is taken is ErrDuplicate. A zero expires means never; one not
// after the transaction's time is ErrInvalid. It does not check that p
// exists (a service principal exists only through its tokens and role
// assignments); see ResolvePrincipal.
func (tx *Tx) CreateToken(p Principal, name string, expires time.Time) (secret string, t *Token, err error) {
	if err := checkPrincipal(p); err != nil {
		return "", nil, err
	}
	if name == "" {
		name = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				return '_'
			}
			return r
		}, p.Name()) + "-" + strings.ToLower(randomHex(3))
	}
	if err := checkTokenName(name); err != nil {
		return "", nil, err
	}
	if tx.g.tokenByName(name) != nil {
		return "", nil, fmt.Errorf("%w: token %q already exists", ErrDuplicate, name)
	}
	if !expires.IsZero() && !expires.After(tx.now) {
		return "", nil, fmt.Errorf("%w: token expiry %s is not in the future", ErrInvalid, expires.UTC().Format(time.RFC3339))
	}
	secret = newTokenSecret()
	t = &Token{ID: NewID(), Name: name, Principal: p, Hash: hashSecret(secret), Created: tx.now, Expires: expires}
	tx.putToken(t)
	return secret, t, nil
}

// RevokeToken revokes the token named ref (its name or id) at the
// transaction's time; a revoked token stays listed and never resolves
// again. Revoking a revoked token changes nothing. An unknown ref is
// ErrNotFound.
func (tx *Tx) RevokeToken(ref string) error {
	t, err := tx.findToken(ref)
	if err != nil {
		return err
	}
	if !t.Revoked.IsZero() {
		return nil
	}
	c := *t
	c.Revoked = tx.now
	tx.putToken(&c)
	return nil
}

// DeleteToken removes the token named ref (its name or id); an unknown
// ref is ErrNotFound.
func (tx *Tx) DeleteToken(ref string) error {
	t, err := tx.findToken(ref)
	if err != nil {
		return err
	}
	g := tx.g
	g.unindexToken(t)
	delete(g.tokens, t.ID)
	tx.onUndo(func() { g.tokens[t.ID] = t; g.indexToken(t) })
	tx.del(KindToken, t.ID)
	return nil
}

// putToken stores t in the graph and the store, replacing the token with
// its id, undone on rollback.
func (tx *Tx) putToken(t *Token) {
	g := tx.g
	old := g.tokens[t.ID]
	if old != nil {
		g.unindexToken(old)
	}
	g.tokens[t.ID] = t
	g.indexToken(t)
	tx.onUndo(func() {
		g.unindexToken(t)
		delete(g.tokens, t.ID)
		if old != nil {
			g.tokens[t.ID] = old
			g.indexToken(old)
		}
	})
	tx.put(t)
}

func (g *graph) indexToken(t *Token) {
	g.tokenHashes[t.Hash] = t.ID
	g.tokenNames[foldKey(t.Name)] = t.ID
}

func (g *graph) unindexToken(t *Token) {
	delete(g.tokenHashes, t.Hash)
	delete(g.tokenNames, foldKey(t.Name))
}

func (g *graph) tokenByName(name string) *Token {
	if id, ok := g.tokenNames[foldKey(name)]; ok {
		return g.tokens[id]
	}
	return nil
}

// findToken returns the token named ref (its name or id), or ErrNotFound.
func (v *View) findToken(ref string) (*Token, error) {
	if t := v.g.tokenByName(ref); t != nil {
		return t, nil
	}
	if id, err := ParseID(ref); err == nil {
		if t := v.g.tokens[id]; t != nil {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w: token %q", ErrNotFound, ref)
}

// Token returns the token named ref (its name or id), or ErrNotFound.
func (v *View) Token(ref string) (*Token, error) { return v.findToken(ref) }

// Tokens returns every token, revoked and expired ones too, by Created
// then Name.
func (v *View) Tokens() []*Token {
	out := make([]*Token, 0, len(v.g.tokens))
	for _, t := range v.g.tokens {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Token) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// ResolveToken returns the principal of the token whose secret is secret,
// if it is valid at now. Otherwise it returns an error wrapping
// ErrUnauthenticated that says why: the secret is malformed, no token has
// it (unknown), or its token is expired or revoked. The stored hash is
// compared in constant time.
func (v *View) ResolveToken(secret string, now time.Time) (Principal, error) {
	if !wellFormedSecret(secret) {
		return Principal{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	h := hashSecret(secret)
	id, ok := v.g.tokenHashes[h]
	t := v.g.tokens[id]
	if !ok || t == nil || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(h)) != 1 {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if !t.Revoked.IsZero() {
		return Principal{}, fmt.Errorf("%w: token %q is revoked", ErrUnauthenticated, t.Name)
	}
	if !t.Expires.IsZero() && !now.Before(t.Expires) {
		return Principal{}, fmt.Errorf("%w: token %q is expired", ErrUnauthenticated, t.Name)
	}
	return v.freshPrincipal(t.Principal), nil
}

// ResolveToken is View.ResolveToken under the read lock. Safe for
// concurrent use.
func (e *Engine) ResolveToken(secret string, now time.Time) (Principal, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).ResolveToken(secret, now)
}
