package web

import (
	"embed"
	"io/fs"
)

// dist holds the web app's build output (make web). A fresh checkout has only
// PLACEHOLDER.md in it, so the binary builds without Node.js.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the embedded build, rooted at the folder Vite wrote.
func Dist() fs.FS {
	// fs.Sub fails only on an invalid path name; "dist" is valid.
	sub, _ := fs.Sub(dist, "dist")
	return sub
}
