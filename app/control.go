package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// The control channel lets command-line programs reach a project that a
// server holds open (the project file is locked while it runs): the
// server listens on a Unix socket beside the project (ControlPath), a
// client sends its command line and the server runs it against its open
// App, streaming the output back.
//
// Wire format. The client sends one JSON object on one line:
// {"args": ["get", "--project", "q.twin", "/B"]}. The server answers with
// frames: one byte, the stream (1 stdout, 2 stderr, 0 the exit status),
// then a big-endian uint32: the length of the data that follows, or for
// stream 0 the exit status, which ends the answer.

// maxControlRequest bounds a request line (a command line).
const maxControlRequest = 1 << 20

// maxSocketPath is the longest Unix socket path used beside the project
// (sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, with
// the terminating NUL).
const maxSocketPath = 103

const (
	streamExit   byte = 0
	streamStdout byte = 1
	streamStderr byte = 2
)

// ErrNoControl is returned by DialControl when no server answers on the
// path: no socket, or a stale one (its server is gone). The caller then
// opens the project file itself.
var ErrNoControl = errors.New("no server is listening for the project")

// ControlRun runs one command line against a served App, writing to
// stdout and stderr, and returns its exit status.
type ControlRun func(ctx context.Context, a *App, args []string, stdout, stderr io.Writer) int

type controlRequest struct {
	Args []string `json:"args"`
}

// ControlPath is the control socket of the project file at project: the
// file's folder, "." + its name + ".sock" (/p/.q.twin.sock for
// /p/q.twin). If that path is too long for a Unix socket, it is
// os.TempDir()/twin-HASH.sock, HASH a hash of the project's absolute path
// with symbolic links resolved, so that every client computes the same
// path as the server. It never fails: an unresolvable path is used as
// given.
func ControlPath(project string) string {
	abs, err := filepath.Abs(project)
	if err != nil {
		abs = project
	}
	p := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".sock")
	if len(p) <= maxSocketPath {
		return p
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "twin-"+hex.EncodeToString(sum[:10])+".sock")
}

// ServeControl listens on the Unix socket path (mode 0600; a file left
// there by a server that is gone is replaced) and runs each connection's
// command line with run, against a, one goroutine per connection. Only
// peers of this process's user are served (checked with SO_PEERCRED where
// the system has it; elsewhere the socket's mode is the access control).
// The caller must hold the project (a open), so a socket file found at
// path is stale.
//
// stop closes the listener, cancels the context of the commands running,
// waits for them to return and removes the socket file; it is safe to
// call more than once. ServeControl fails if it cannot listen (a folder
// that is not writable, say).
func (a *App) ServeControl(path string, run ControlRun) (stop func(), err error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path) // stale: we hold the project, so its server is gone
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln.SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.AcceptUnix()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				a.serveControlConn(ctx, c, run)
			}()
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			ln.Close()
			wg.Wait()
		})
	}, nil
}

// serveControlConn runs one connection's command.
func (a *App) serveControlConn(ctx context.Context, c *net.UnixConn, run ControlRun) {
	defer c.Close()
	if err := checkPeer(c); err != nil {
		a.log.Warn("control socket: refused a connection", "error", err)
		return
	}
	line, err := bufio.NewReaderSize(io.LimitReader(c, maxControlRequest), 4096).ReadBytes('\n')
	if err != nil {
		return // a probe, or a client that gave up
	}
	var req controlRequest
	if err := json.Unmarshal(line, &req); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fw := &frameWriter{w: c}
	code := run(ctx, a, req.Args, fw.stream(streamStdout), fw.stream(streamStderr))
	fw.frame(streamExit, nil, uint32(code))
}

// frameWriter writes the answer's frames; its streams may be written
// from several goroutines.
type frameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (f *frameWriter) frame(stream byte, data []byte, n uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	var hdr [5]byte
	hdr[0] = stream
	binary.BigEndian.PutUint32(hdr[1:], n)
	if _, f.err = f.w.Write(hdr[:]); f.err == nil && len(data) > 0 {
		_, f.err = f.w.Write(data)
	}
	return f.err
}

func (f *frameWriter) stream(s byte) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		for rest := p; len(rest) > 0; {
			n := min(len(rest), 1<<16)
			if err := f.frame(s, rest[:n], uint32(n)); err != nil {
				return len(p) - len(rest), err
			}
			rest = rest[n:]
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// ControlListening reports whether a server answers on the control
// socket path (a probe: it connects and sends nothing).
func ControlListening(path string) bool {
	if checkOwner(path) != nil {
		return false
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// DialControl sends the command line args to the server listening on the
// control socket path and copies the command's output to stdout and
// stderr as it comes; it returns the command's exit status. It fails with
// an error wrapping ErrNoControl when nobody listens there (no socket, a
// stale one, or one owned by another user, which is not trusted); other
// errors mean the connection broke after the command was sent, and the
// command may have run. Safe for concurrent use.
func DialControl(path string, args []string, stdout, stderr io.Writer) (code int, err error) {
	if err := checkOwner(path); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoControl, err)
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoControl, err)
	}
	defer c.Close()
	req, err := json.Marshal(controlRequest{Args: args})
	if err != nil {
		return 0, err
	}
	if _, err := c.Write(append(req, '\n')); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoControl, err)
	}
	return readAnswer(bufio.NewReader(c), stdout, stderr)
}

// readAnswer copies the answer's frames to stdout and stderr until the
// exit status.
func readAnswer(r io.Reader, stdout, stderr io.Writer) (int, error) {
	var hdr [5]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return 0, fmt.Errorf("the server closed the connection before the command finished: %w", err)
		}
		n := binary.BigEndian.Uint32(hdr[1:])
		var w io.Writer
		switch hdr[0] {
		case streamExit:
			return int(int32(n)), nil
		case streamStdout:
			w = stdout
		case streamStderr:
			w = stderr
		default:
			return 0, fmt.Errorf("the server sent an unknown stream %d", hdr[0])
		}
		if _, err := io.CopyN(w, r, int64(n)); err != nil {
			return 0, fmt.Errorf("reading the server's answer: %w", err)
		}
	}
}
