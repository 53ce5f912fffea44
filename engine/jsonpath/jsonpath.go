// Package jsonpath evaluates matcher condition paths with
// github.com/theory/jsonpath (RFC 9535). It implements
// engine.PathEvaluator; parsed paths are cached. Safe for concurrent use.
//
// RFC 9535 accepts the preview's filter form with parentheses, e.g.
// $.properties[?(@.name == 'Manufacturer')].value.
package jsonpath

import (
	"errors"
	"fmt"
	"sync"

	"github.com/theory/jsonpath"

	"github.com/twinstudio/twinstudio/engine"
)

// ErrPath wraps a path that does not parse.
var ErrPath = errors.New("jsonpath: bad path")

// Evaluator is an engine.PathEvaluator. The zero value is ready to use.
type Evaluator struct {
	cache sync.Map // string → *jsonpath.Path
}

var (
	_ engine.PathEvaluator = (*Evaluator)(nil)
	_ engine.PathChecker   = (*Evaluator)(nil)
)

// New returns an Evaluator.
func New() *Evaluator { return &Evaluator{} }

// Select parses path (once) and returns the nodes it selects in doc.
func (e *Evaluator) Select(path string, doc any) ([]any, error) {
	p, err := e.parse(path)
	if err != nil {
		return nil, err
	}
	return []any(p.Select(doc)), nil
}

// CheckPath parses path (once): an error wrapping ErrPath says why it does
// not parse.
func (e *Evaluator) CheckPath(path string) error {
	_, err := e.parse(path)
	return err
}

func (e *Evaluator) parse(path string) (*jsonpath.Path, error) {
	if x, ok := e.cache.Load(path); ok {
		return x.(*jsonpath.Path), nil
	}
	p, err := jsonpath.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrPath, path, err)
	}
	e.cache.Store(path, p)
	return p, nil
}
