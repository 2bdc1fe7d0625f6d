// Command build builds the integration tests' protocol peers into their
// cache (package peers) and prints their paths; with no arguments, all.
//
//	go run ./internal/platform/peers/build [minio] [goaws]
package main

import (
	"fmt"
	"os"

	"github.com/alexandria-platform/alexandria/internal/platform/peers"
)

func main() {
	list := peers.All
	if len(os.Args) > 1 {
		list = nil
		for _, name := range os.Args[1:] {
			p, err := peers.Find(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			list = append(list, p)
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
}
