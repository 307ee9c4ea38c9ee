package playground_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"sessiongraph/playground"
)

// get sends a GET to the handler with the given headers.
func get(h http.Handler, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

var assetRef = regexp.MustCompile(`(?:src|href)="(playground/assets/[^"]+)"`)

func TestPageAndAssets(t *testing.T) {
	h := playground.Handler()
	page := get(h, "/")
	if page.Code != http.StatusOK {
		t.Fatalf("GET / = %d", page.Code)
	}
	body := page.Body.String()
	refs := assetRef.FindAllStringSubmatch(body, -1)

	t.Run("the page is HTML that browsers revalidate, under a CSP that allows only this origin's scripts", func(t *testing.T) {
		for header, want := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Cache-Control":           "no-cache",
			"Content-Security-Policy": playground.ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
		} {
			if got := page.Header().Get(header); got != want {
				t.Errorf("%s = %q, want %q", header, got, want)
			}
		}
		if !strings.Contains(playground.ContentSecurityPolicy, "script-src 'self';") {
			t.Errorf("the CSP allows scripts from elsewhere: %s", playground.ContentSecurityPolicy)
		}
	})

	t.Run("the page has no inline script and loads its script and style from the embedded assets", func(t *testing.T) {
		if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|\son[a-z]+=`).MatchString(body) {
			t.Errorf("inline script in the page:\n%s", body)
		}
		if len(refs) != 2 {
			t.Fatalf("want one script and one style sheet in the page, got %q", refs)
		}
		for _, ref := range refs {
			if w := get(h, "/"+ref[1]); w.Code != http.StatusOK {
				t.Errorf("the page refers to /%s, which answers %d", ref[1], w.Code)
			}
		}
	})

	t.Run("every built asset is served with its type and cached for a year", func(t *testing.T) {
		names, err := fs.Glob(os.DirFS("dist/assets"), "*")
		if err != nil || len(names) == 0 {
			t.Fatalf("no assets in dist/assets: %v", err)
		}
		want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".ttf": "font/ttf"}
		for _, name := range names {
			w := get(h, playground.AssetsPath+name)
			if w.Code != http.StatusOK {
				t.Errorf("%s: %d (a file type the handler does not know?)", name, w.Code)
				continue
			}
			if got := w.Header().Get("Content-Type"); got != want[path.Ext(name)] {
				t.Errorf("%s: Content-Type %q", name, got)
			}
			if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", name, got)
			}
			if !regexp.MustCompile(`-[A-Z0-9]{8}\.[a-z]+$`).MatchString(name) {
				t.Errorf("%s has no content hash in its name, so it must not be cached for a year", name)
			}
		}
	})

	t.Run("other paths are 404", func(t *testing.T) {
		for _, target := range []string{"/index.html", "/playground/assets/", "/playground/assets/nope.js", "/playground/assets/../index.html", "/graphiql"} {
			if w := get(h, target); w.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", target, w.Code)
			}
		}
	})

	t.Run("a revalidation with the ETag answers 304", func(t *testing.T) {
		w := get(h, "/", "If-None-Match", page.Header().Get("ETag"))
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("revalidation = %d with %d bytes", w.Code, w.Body.Len())
		}
	})

	t.Run("a client that accepts gzip gets the same bytes gzipped, under another ETag", func(t *testing.T) {
		script := "/" + refs[len(refs)-1][1]
		plain := get(h, script)
		for _, accept := range []string{"gzip", "br, gzip;q=0.5", "GZIP"} {
			w := get(h, script, "Accept-Encoding", accept)
			if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("ETag") == plain.Header().Get("ETag") {
				t.Errorf("Accept-Encoding %q: Content-Encoding %q, ETag %q", accept, w.Header().Get("Content-Encoding"), w.Header().Get("ETag"))
				continue
			}
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(unzipped, plain.Body.Bytes()) {
				t.Errorf("Accept-Encoding %q: the gzipped body differs (%v)", accept, err)
			}
			if w.Body.Len() >= plain.Body.Len() {
				t.Errorf("gzip made %s no smaller", script)
			}
		}
		for _, accept := range []string{"", "identity", "gzip;q=0", "br", "x-gzip-not"} {
			if w := get(h, script, "Accept-Encoding", accept); w.Header().Get("Content-Encoding") != "" {
				t.Errorf("Accept-Encoding %q got Content-Encoding %q", accept, w.Header().Get("Content-Encoding"))
			}
		}
	})
}
