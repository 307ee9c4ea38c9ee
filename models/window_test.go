package models_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"sessiongraph/models"
)

func TestDecodeRunsWindow(t *testing.T) {
	two := 2
	q := &models.RunsRequest{First: &two}
	for _, c := range []struct {
		name string
		raw  string
		want *models.RunsWindow
	}{
		{"runs keep their index and bytes, in stored order", `{"bad": 1, "type": "array", "items": [[0, {"run_id": "a"}], [3, {"run_id": "b"}]], "total": 7}`,
			&models.RunsWindow{For: q, Total: 7, Bad: 1, Runs: []models.WindowRun{
				{Index: 0, Data: json.RawMessage(`{"run_id": "a"}`)}, {Index: 3, Data: json.RawMessage(`{"run_id": "b"}`)}}}},
		{"JSON null holds no runs", `{"bad": 0, "type": "null", "items": [], "total": 0}`,
			&models.RunsWindow{For: q, Runs: []models.WindowRun{}}},
		{"a column that is not an array says so", `{"bad": 0, "type": "object", "items": [], "total": 0}`,
			&models.RunsWindow{For: q, NotArray: true, Runs: []models.WindowRun{}}},
		{"items of another shape are left out", `{"type": "array", "items": [[1], ["x", {}], [2, {"run_id": "c"}]], "total": 3}`,
			&models.RunsWindow{For: q, Total: 3, Runs: []models.WindowRun{{Index: 2, Data: json.RawMessage(`{"run_id": "c"}`)}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := models.DecodeRunsWindow(json.RawMessage(c.raw), q)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %s, %v; want %s", showWindow(got), err, showWindow(c.want))
			}
		})
	}
	t.Run("a document that is not an object is an error", func(t *testing.T) {
		if w, err := models.DecodeRunsWindow(json.RawMessage(`[1, 2]`), q); err == nil {
			t.Errorf("got %s, want an error", showWindow(w))
		}
	})
}

func showWindow(w *models.RunsWindow) string {
	if w == nil {
		return "nil"
	}
	s := fmt.Sprintf("{total %d, bad %d, not array %v, runs", w.Total, w.Bad, w.NotArray)
	for _, r := range w.Runs {
		s += fmt.Sprintf(" [%d %s]", r.Index, r.Data)
	}
	return s + "}"
}
