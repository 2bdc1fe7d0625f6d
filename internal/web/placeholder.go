package web

import "net/http"

// placeholderPage is what / shows in a binary built without the app (make
// build on a machine without Node.js). It has no script.
const placeholderPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alexandria</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1f; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #e8e8ee; background: #16161a; } a { color: #9ecbff; } }
code, pre { font-family: ui-monospace, monospace; background: rgba(127,127,127,.15); padding: .1rem .3rem; border-radius: 4px; }
pre { padding: .75rem; overflow-x: auto; }
</style>
</head>
<body>
<main>
<h1>Alexandria is running</h1>
<p>This binary was built without the web app. The API works: see the <a href="/docs">API documentation</a>.</p>
<p>To build the app into the binary you need Node.js (20.19 or newer) and npm. From the source folder run:</p>
<pre>make web    # npm ci and npm run build, into internal/web/dist
make run    # does the same when the build is missing or stale, then starts Alexandria</pre>
</main>
</body>
</html>
`

func (h *Handler) servePlaceholder(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Security-Policy", placeholderCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(placeholderPage))
	}
}
