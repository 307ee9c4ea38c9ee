package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"sessiongraph/config"
	"sessiongraph/internal/agnotest"
)

// libraryEnv are variables an image or manifest may set for the Go runtime or
// the PostgreSQL driver (pgx's libpq fallbacks) rather than for the server.
var libraryEnv = []string{"GOMEMLIMIT", "GOMAXPROCS", "GODEBUG", "GOGC",
	"PGPASSWORD", "PGPASSFILE", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY", "PGAPPNAME", "PGCONNECT_TIMEOUT"}

// TestDockerfileMatchesTheServer: the image listens on all interfaces at the
// port it exposes, runs as a numeric non-root user, builds a static binary
// and sets only variables the server reads.
func TestDockerfileMatchesTheServer(t *testing.T) {
	img := readDockerfile(t)
	read := envReadByServer(t)
	for name := range img.env {
		if !read[name] && !slices.Contains(libraryEnv, name) {
			t.Errorf("the Dockerfile sets %s, which the server does not read", name)
		}
	}
	cfg, err := config.Load(nil, env(img.env), io.Discard)
	if err != nil {
		t.Fatalf("the image's environment does not configure the server: %v", err)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || (host != "0.0.0.0" && host != "") || port != img.expose {
		t.Errorf("the image listens on %q (SESSIONGRAPH_ADDR) but exposes %q: want 0.0.0.0:<exposed port>", cfg.Addr, img.expose)
	}
	if img.uid == 0 {
		t.Errorf("the image's USER is %q: want a numeric non-root uid", img.user)
	}
	if !strings.Contains(img.final, "distroless/static") && img.final != "scratch" {
		t.Errorf("the final stage is %q: want distroless/static or scratch", img.final)
	}
	if !strings.Contains(img.text, "CGO_ENABLED=0") {
		t.Error("the build does not set CGO_ENABLED=0: the binary would need a C library distroless/static lacks")
	}
}

// TestKubernetesManifestMatchesTheServer parses deploy/kubernetes.yaml and
// checks it against the server and the image: the arguments and environment
// configure the server, the probes' paths answer on the server's routes, the
// ports, user and labels line up, and the connection budget holds.
func TestKubernetesManifestMatchesTheServer(t *testing.T) {
	docs := readManifest(t, "deploy/kubernetes.yaml")
	kinds := map[string]any{}
	for _, d := range docs {
		kinds[jsonStr(d, "kind")] = d
	}
	for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"} {
		if kinds[k] == nil {
			t.Fatalf("deploy/kubernetes.yaml has no %s", k)
		}
	}
	dep, svc, pdb, hpa := kinds["Deployment"], kinds["Service"], kinds["PodDisruptionBudget"], kinds["HorizontalPodAutoscaler"]
	pod := agnotest.At(dep, "spec", "template", "spec")
	containers := agnotest.List(agnotest.At(pod, "containers"))
	if len(containers) != 1 {
		t.Fatalf("want one container, got %d", len(containers))
	}
	c := containers[0]
	img := readDockerfile(t)

	t.Run("stateless replicas that survive a node drain", func(t *testing.T) {
		if n := jsonInt(agnotest.At(dep, "spec", "replicas")); n < 2 {
			t.Errorf("replicas = %d, want at least 2", n)
		}
		if n := jsonInt(agnotest.At(hpa, "spec", "minReplicas")); n < 2 {
			t.Errorf("the autoscaler's minReplicas = %d, want at least 2", n)
		}
		if jsonStr(hpa, "spec", "scaleTargetRef", "kind") != "Deployment" || jsonStr(hpa, "spec", "scaleTargetRef", "name") != jsonStr(dep, "metadata", "name") {
			t.Errorf("the autoscaler scales %v, not the Deployment", agnotest.At(hpa, "spec", "scaleTargetRef"))
		}
		labels := agnotest.At(dep, "spec", "template", "metadata", "labels")
		for what, sel := range map[string]any{
			"the Deployment's selector": agnotest.At(dep, "spec", "selector", "matchLabels"),
			"the Service's selector":    agnotest.At(svc, "spec", "selector"),
			"the budget's selector":     agnotest.At(pdb, "spec", "selector", "matchLabels"),
		} {
			if !selects(sel, labels) {
				t.Errorf("%s %v does not select the pods' labels %v", what, sel, labels)
			}
		}
		if agnotest.At(pod, "volumes") != nil {
			for _, v := range agnotest.List(agnotest.At(pod, "volumes")) {
				if agnotest.At(v, "emptyDir") == nil {
					t.Errorf("volume %s is not an emptyDir: the pods should keep no state", jsonStr(v, "name"))
				}
			}
		}
	})

	t.Run("non-root on a read-only root filesystem", func(t *testing.T) {
		if b, _ := agnotest.At(pod, "securityContext", "runAsNonRoot").(bool); !b {
			t.Error("the pod does not set runAsNonRoot: true")
		}
		if uid := jsonInt(agnotest.At(pod, "securityContext", "runAsUser")); uid != img.uid {
			t.Errorf("runAsUser = %d, the image's USER is %d", uid, img.uid)
		}
		if b, _ := agnotest.At(c, "securityContext", "readOnlyRootFilesystem").(bool); !b {
			t.Error("the container does not set readOnlyRootFilesystem: true")
		}
		if b, ok := agnotest.At(c, "securityContext", "allowPrivilegeEscalation").(bool); !ok || b {
			t.Error("the container does not set allowPrivilegeEscalation: false")
		}
		if !slices.Contains(agnotest.List(agnotest.At(c, "securityContext", "capabilities", "drop")), any("ALL")) {
			t.Error("the container does not drop all capabilities")
		}
		for _, r := range []string{"requests", "limits"} {
			if agnotest.At(c, "resources", r, "memory") == nil {
				t.Errorf("the container has no memory %s", r)
			}
		}
	})

	// The container's environment, with placeholders for the Secret's values.
	vars := map[string]string{}
	for _, e := range agnotest.List(agnotest.At(c, "env")) {
		name := jsonStr(e, "name")
		vars[name] = jsonStr(e, "value")
		if ref := agnotest.At(e, "valueFrom", "secretKeyRef"); ref != nil {
			vars[name] = map[string]string{
				"DATABASE_URL":    "postgresql://sessiongraph:secret@postgres.example.internal:5432/ai?sslmode=verify-full",
				"OS_SECURITY_KEY": "0123456789abcdef0123456789abcdef",
			}[name]
		}
	}
	var args []string
	for _, a := range agnotest.List(agnotest.At(c, "args")) {
		args = append(args, fmt.Sprint(a))
	}
	port := jsonInt(agnotest.At(agnotest.List(agnotest.At(c, "ports"))[0], "containerPort"))

	t.Run("arguments and environment configure the server", func(t *testing.T) {
		read := envReadByServer(t)
		for name := range vars {
			if !read[name] && !slices.Contains(libraryEnv, name) {
				t.Errorf("the manifest sets %s, which the server does not read", name)
			}
		}
		for _, name := range []string{"DATABASE_URL", "OS_SECURITY_KEY"} {
			if !slices.ContainsFunc(agnotest.List(agnotest.At(c, "env")), func(e any) bool {
				return jsonStr(e, "name") == name && jsonStr(e, "valueFrom", "secretKeyRef", "key") != ""
			}) {
				t.Errorf("%s does not come from a Secret", name)
			}
		}
		cfg, err := config.Load(args, env(vars), io.Discard)
		if err != nil {
			t.Fatalf("args %v with the manifest's environment: %v", args, err)
		}
		if a, _ := cfg.Authenticator(); a == nil {
			t.Error("the manifest's server requires no authentication")
		}
		if _, p, _ := net.SplitHostPort(cfg.Addr); p != strconv.Itoa(port) || p != img.expose {
			t.Errorf("the server listens on %s; the container port is %d and the image exposes %s", cfg.Addr, port, img.expose)
		}
		if svcPort := agnotest.At(agnotest.List(agnotest.At(svc, "spec", "ports"))[0], "targetPort"); svcPort != "http" && jsonInt(svcPort) != port {
			t.Errorf("the Service targets port %v, not the container's", svcPort)
		}
		// Agno's SQLAlchemy pool (5 + 10 overflow per process) and PostgreSQL's
		// 3 superuser slots must fit beside every replica's pool, in a rolling
		// update too, under the default max_connections of 100.
		surge := jsonInt(agnotest.At(dep, "spec", "strategy", "rollingUpdate", "maxSurge"))
		if peak := (jsonInt(agnotest.At(hpa, "spec", "maxReplicas")) + surge) * cfg.DBMaxConns; peak > 100-3-15 {
			t.Errorf("at most %d connections from sessiongraph: over the budget of 82 the manifest's comment states", peak)
		}
	})

	t.Run("probes answer on the server's routes", func(t *testing.T) {
		a, err := newApp(context.Background(), loadOptions(t, []string{"--demo"}, nil, io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for probe, wantPath := range map[string]string{"livenessProbe": "/livez", "readinessProbe": "/readyz"} {
			get := agnotest.At(c, probe, "httpGet")
			if get == nil {
				t.Errorf("no %s.httpGet", probe)
				continue
			}
			if p := agnotest.At(get, "port"); p != "http" && jsonInt(p) != port {
				t.Errorf("%s probes port %v, not the container's", probe, p)
			}
			path := jsonStr(get, "path")
			if path != wantPath {
				t.Errorf("%s probes %s, want %s", probe, path, wantPath)
			}
			rec := httptest.NewRecorder()
			a.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET %s answers %d", path, rec.Code)
			}
		}
	})
}

// envReadByServer is every environment variable the configuration looks up.
func envReadByServer(t *testing.T) map[string]bool {
	t.Helper()
	read := map[string]bool{}
	if _, err := config.Load(nil, func(k string) string { read[k] = true; return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	return read
}

// dockerfile is what the tests need from the Dockerfile.
type dockerfile struct {
	text   string
	final  string            // the last FROM's image
	env    map[string]string // ENV of the final stage
	expose string
	user   string
	uid    int
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := dockerfile{text: string(raw)}
	// Join continuation lines, drop comments.
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			d.final = fields[len(fields)-1]
			if len(fields) >= 3 && strings.EqualFold(fields[len(fields)-2], "AS") {
				d.final = fields[len(fields)-3]
			}
			d.env = map[string]string{}
		case "ENV":
			for _, kv := range fields[1:] {
				k, v, _ := strings.Cut(kv, "=")
				d.env[k] = strings.Trim(v, `"`)
			}
		case "EXPOSE":
			d.expose = strings.TrimSuffix(fields[1], "/tcp")
		case "USER":
			d.user = fields[1]
			uid, _, _ := strings.Cut(fields[1], ":")
			d.uid, _ = strconv.Atoi(uid)
		}
	}
	if !regexp.MustCompile(`^[0-9]+(:[0-9]+)?$`).MatchString(d.user) {
		t.Errorf("USER %q is not numeric", d.user)
	}
	return d
}

// readManifest decodes every YAML document of a file (duplicate keys are an
// error) into plain JSON values.
func readManifest(t *testing.T, path string) []any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var docs []any
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc == nil {
			continue
		}
		// Through JSON: maps become map[string]any, numbers float64.
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if jsonStr(v, "apiVersion") == "" || jsonStr(v, "kind") == "" || jsonStr(v, "metadata", "name") == "" {
			t.Errorf("%s: a document without apiVersion, kind or metadata.name: %s", path, b)
		}
		docs = append(docs, v)
	}
	return docs
}

// selects reports whether every label of sel is among labels.
func selects(sel, labels any) bool {
	s, _ := sel.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(s) == 0 {
		return false
	}
	for k, v := range s {
		if l[k] != v {
			return false
		}
	}
	return true
}

func jsonStr(v any, path ...any) string {
	s, _ := agnotest.At(v, path...).(string)
	return s
}

func jsonInt(v any) int {
	f, _ := v.(float64)
	return int(f)
}
