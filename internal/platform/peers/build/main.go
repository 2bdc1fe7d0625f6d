// Command build builds the integration tests' protocol peers into their
// cache (package peers) and prints their paths; with no arguments, all:
// the Go peers built from tools/ and the npm peers installed at their pins.
//
//	go run ./internal/platform/peers/build [minio] [goaws] [azurite]
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/alexandria-platform/alexandria/internal/platform/peers"
)

func main() {
	list, npm := peers.All, peers.AllNPM
	if len(os.Args) > 1 {
		list, npm = nil, nil
		for _, name := range os.Args[1:] {
			p, err := peers.Find(name)
			if err == nil {
				list = append(list, p)
				continue
			}
			n, nerr := peers.FindNPM(name)
			if nerr != nil {
				fmt.Fprintln(os.Stderr, errors.Join(err, nerr))
				os.Exit(2)
			}
			npm = append(npm, n)
		}
	}
	for _, p := range list {
		bin, err := peers.Binary(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(bin)
	}
	for _, p := range npm {
		dir, err := peers.Install(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(dir)
	}
}
