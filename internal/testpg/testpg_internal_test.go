package testpg

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoPostgres checks, in child processes that see no PostgreSQL at all,
// that NewDatabase skips the test, and fails it under CI=true.
func TestNoPostgres(t *testing.T) {
	if os.Getenv("TESTPG_CHILD") == "nopg" {
		binGlob = "/nonexistent/testpg/*/bin"
		lookPath = func(string) (string, error) { return "", exec.ErrNotFound }
		NewDatabase(t)
		t.Error("NewDatabase returned without PostgreSQL")
		return
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "TEST_DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	for _, tc := range []struct {
		ci      string
		wantErr bool
		want    string
	}{
		{"", false, "--- SKIP: TestNoPostgres"},
		{"false", false, "--- SKIP: TestNoPostgres"},
		{"true", true, "--- FAIL: TestNoPostgres"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoPostgres$", "-test.count=1", "-test.v")
		cmd.Env = append(env, "TESTPG_CHILD=nopg", "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.wantErr || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "apt-get install -y postgresql") {
			t.Errorf("CI=%q: err = %v, want error %v and output with %q and the install hint; output:\n%s", tc.ci, err, tc.wantErr, tc.want, out)
		}
	}
}
