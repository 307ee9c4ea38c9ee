// Package playground serves GraphiQL, with its explorer plugin and a bearer
// token field, for the /graphql endpoint. The page is built from npm packages
// into dist/ (see README.md) and embedded in the binary, so it works with no
// network and no node at run time.
package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed dist
var dist embed.FS

// AssetsPath is the URL path under which Handler serves the page's scripts,
// styles, font and Monaco workers, whose file names carry a content hash.
const AssetsPath = "/playground/assets/"

// ContentSecurityPolicy is sent with the page and its assets: everything from
// this origin only (connect-src 'self' takes in its ws: and wss:, as CSP3
// says, for subscriptions), and no inline script. Inline styles are allowed
// because Monaco and GraphiQL's dialogs insert <style> elements at run time
// and Monaco has no way to give them a nonce.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentTypes names the type of every kind of file the build writes, rather
// than asking the system's MIME tables, which differ between machines.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".ttf":  "font/ttf",
}

// file is one embedded file, gzipped on first demand.
type file struct {
	body        []byte
	contentType string
	etag        string // of body; the gzipped form's ends in -gzip

	gzipOnce sync.Once
	gzipped  []byte
}

func newFile(name string, body []byte) *file {
	sum := sha256.Sum256(body)
	return &file{body: body, contentType: contentTypes[path.Ext(name)], etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

func (f *file) gzip() []byte {
	f.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(f.body) // writes to a bytes.Buffer never fail
		_ = zw.Close()
		f.gzipped = buf.Bytes()
	})
	return f.gzipped
}

type handler struct {
	page   *file
	assets map[string]*file
}

// Handler serves the page for GET / and its assets for GET AssetsPath+name,
// and answers 404 to any other path. The page is revalidated on every load
// (Cache-Control: no-cache, with an ETag); assets may be cached for a year,
// since a new build gives them new names. Both are gzipped for clients that
// accept it.
func Handler() http.Handler { return embedded() }

// embedded hashes the files once per process, for every Handler.
var embedded = sync.OnceValue(func() *handler {
	h := &handler{assets: map[string]*file{}}
	// The build writes both; go:embed fails to compile without dist/.
	page, err := dist.ReadFile("dist/index.html")
	if err != nil {
		panic("playground: dist/ has no index.html: run playground/build.sh")
	}
	h.page = newFile("index.html", page)
	names, _ := fs.Glob(dist, "dist/assets/*")
	for _, name := range names {
		body, _ := dist.ReadFile(name)
		h.assets[path.Base(name)] = newFile(name, body)
	}
	return h
})

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, cacheControl := h.page, "no-cache"
	if name, ok := strings.CutPrefix(r.URL.Path, AssetsPath); ok {
		f, cacheControl = h.assets[name], "public, max-age=31536000, immutable"
	} else if r.URL.Path != "/" {
		f = nil
	}
	if f == nil || f.contentType == "" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.contentType)
	hd.Set("Cache-Control", cacheControl)
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Add("Vary", "Accept-Encoding")
	body, etag := f.body, f.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = f.gzip(), strings.TrimSuffix(f.etag, `"`)+`-gzip"`
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip with a
// quality above zero (RFC 9110 §12.5.3).
func acceptsGzip(acceptEncoding string) bool {
	for _, coding := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(coding, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
