package engine

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with %w and context; test with
// errors.Is.
var (
	ErrNotFound      = errors.New("engine: not found")
	ErrInvalid       = errors.New("engine: invalid")
	ErrUnknownType   = errors.New("engine: unknown type")
	ErrUnknownKey    = errors.New("engine: unknown key")
	ErrDuplicate     = errors.New("engine: duplicate")
	ErrConflict      = errors.New("engine: conflict")
	ErrNotAuthorized = errors.New("Not Authorized")
	ErrClosed        = errors.New("engine: closed")
	// ErrUnauthenticated: a bearer token that is missing, malformed,
	// unknown, expired or revoked (REST 401).
	ErrUnauthenticated = errors.New("unauthenticated")
)

// Pos is a place in a source file: a provisioning YAML, a DTDL file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return ""
	case p.Line == 0:
		return p.File
	default:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
}

// PosError is an error at a position in a source file, about one field.
// Its message is one line: "file:line: field: what went wrong".
type PosError struct {
	Pos   Pos
	Field string
	Err   error
}

func (e *PosError) Error() string {
	msg := e.Err.Error()
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if p := e.Pos.String(); p != "" {
		msg = p + ": " + msg
	}
	return msg
}

func (e *PosError) Unwrap() error { return e.Err }

// At wraps err with a position and field. A nil err gives nil.
func At(pos Pos, field string, err error) error {
	if err == nil {
		return nil
	}
	var pe *PosError
	if errors.As(err, &pe) && pe.Pos.Line != 0 {
		return err
	}
	return &PosError{Pos: pos, Field: field, Err: err}
}
