package db_test

import (
	"encoding/json"
	"slices"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// ourUpdate is UpdateSession setting session_state and metadata to {"by": arg}:
// nothing before its single UPDATE.
func ourUpdate(a agnoDB, id, arg string) (func() error, error) {
	doc := json.RawMessage(`{"by": "` + arg + `"}`)
	return func() error {
		_, err := a.s.UpdateSession(ctx, id, nil, models.SessionEdit{State: doc, Metadata: doc})
		return err
	}, nil
}

// TestUpdateAgainstAgnoSaveOfTheSameRow plays every interleaving of an
// UpdateSession with an Agno run (its read and its upsert) on one row, as
// TestRenameAgainstAgnoSaveOfTheSameRow does for renames: the run Agno saves
// is kept in every interleaving, since the update never writes runs; the
// update's state and metadata survive unless it commits between Agno's read
// and Agno's upsert, which writes back Agno's copy of both.
func TestUpdateAgainstAgnoSaveOfTheSameRow(t *testing.T) {
	type step int
	const (
		agnoReads step = iota
		agnoUpserts
		updateWrites
	)
	schedules := []struct {
		name     string
		steps    []step
		survives bool
	}{
		{"the update before Agno reads is carried forward by Agno", []step{updateWrites, agnoReads, agnoUpserts}, true},
		{"the update between Agno's read and upsert is overwritten by Agno's copy", []step{agnoReads, updateWrites, agnoUpserts}, false},
		{"the update after Agno's upsert is applied to Agno's row", []step{agnoReads, agnoUpserts, updateWrites}, true},
	}
	var rows []models.SessionRow
	for i := range schedules {
		rows = append(rows, raceSession(string(rune('a'+i))))
	}
	for _, b := range agnotest.Backends(t, rows) {
		a := agnoDBOf(b)
		t.Run(b.Name, func(t *testing.T) {
			for i, sc := range schedules {
				t.Run(sc.name, func(t *testing.T) {
					id := string(rune('a' + i))
					var agnoWrite func() error
					var err error
					for _, st := range sc.steps {
						switch st {
						case agnoReads:
							agnoWrite, err = agnoSavesRun(a, id, "run-new")
						case agnoUpserts:
							err = agnoWrite()
						case updateWrites:
							var write func() error
							if write, err = ourUpdate(a, id, "ours"); err == nil {
								err = write()
							}
						}
						if err != nil {
							t.Fatal(err)
						}
					}
					_, runs := stored(t, a.s, id)
					if want := []string{id + "-run-first", "run-new"}; !slices.Equal(runs, want) {
						t.Errorf("stored runs %v, want %v", runs, want)
					}
					row, err := a.s.GetSession(ctx, id, nil, models.AllColumns)
					if err != nil {
						t.Fatal(err)
					}
					var data struct {
						State       map[string]any `json:"session_state"`
						SessionName string         `json:"session_name"`
					}
					var metadata map[string]any
					if err := json.Unmarshal(row.SessionData, &data); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(row.Metadata, &metadata); err != nil {
						t.Fatal(err)
					}
					wantState, wantMetadata := map[string]any{"cart": []any{"tea"}}, map[string]any{"env": "test"}
					if sc.survives {
						wantState, wantMetadata = map[string]any{"by": "ours"}, map[string]any{"by": "ours"}
					}
					if got, _ := json.Marshal(data.State); string(got) != mustJSON(wantState) {
						t.Errorf("stored session_state %s, want %s", got, mustJSON(wantState))
					}
					if got, _ := json.Marshal(metadata); string(got) != mustJSON(wantMetadata) {
						t.Errorf("stored metadata %s, want %s", got, mustJSON(wantMetadata))
					}
					if data.SessionName != "Initial" {
						t.Errorf("stored name %q, want the name no one changed", data.SessionName)
					}
				})
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
