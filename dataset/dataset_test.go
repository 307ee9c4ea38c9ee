package dataset

import (
	"reflect"
	"testing"

	"sessiongraph/models"
)

// checkRunRows checks that a session's runs-table rows are its runs
// array's elements with the columns Agno 3's migration copies out of them
// (run_index their position, user_id the session's owner), and that each
// was last saved when or after it started.
func checkRunRows(t *testing.T, s Session) {
	t.Helper()
	want, err := models.RunRowsOf(s.Row)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != len(want) {
		t.Fatalf("session %s: %d runs-table rows, %d runs in the array", s.Row.SessionID, len(s.Runs), len(want))
	}
	for i, got := range s.Runs {
		if got.UpdatedAt == nil || *got.UpdatedAt < got.CreatedAt {
			t.Errorf("session %s: run %s updated_at %v before created_at %d", s.Row.SessionID, got.RunID, got.UpdatedAt, got.CreatedAt)
		}
		got.UpdatedAt, want[i].UpdatedAt = nil, nil
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("session %s: run row %d\n got  %+v\n want %+v", s.Row.SessionID, i, got, want[i])
		}
	}
}
