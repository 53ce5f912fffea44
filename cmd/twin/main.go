// Command twin is Twin Studio's command line and headless server: it
// provisions, queries and serves project files.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
