//go:build !linux

package app

import (
	"fmt"
	"net"
	"os"
)

// checkPeer accepts every peer: without SO_PEERCRED the socket's mode
// (0600) is the access control.
func checkPeer(c *net.UnixConn) error { return nil }

// checkOwner refuses a path that is not a socket.
func checkOwner(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s is not a socket", path)
	}
	return nil
}
