package db_test

import (
	"context"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

func TestToolResultsAreReadAsAgnoStoresThem(t *testing.T) {
	rows := agnotest.LoadRows(t, "media.json")
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			t.Run("without Agno's tables there is no result", func(t *testing.T) {
				r, err := b.Store.ToolResult(ctx, "s-media", "res_9e9a2b01e7")
				if r != nil || err != nil {
					t.Errorf("ToolResult = %+v, %v", r, err)
				}
				c, err := b.Store.ToolResultContent(ctx, &models.StoredToolResult{Namespace: "tool-results/s-media-6ab4294a", Path: "results/r-media-1/res_9e9a2b01e7.txt"})
				if c != nil || err != nil {
					t.Errorf("ToolResultContent = %v, %v", c, err)
				}
			})
			results := agnotest.AddToolResults(t, b.Store, "media-tool-results.json")
			s := b.Store
			t.Run("tables Agno creates are seen once the Store's answer is older than its TTL", func(t *testing.T) {
				if r, err := s.ToolResult(ctx, "s-media", "res_9e9a2b01e7"); r != nil || err != nil {
					t.Errorf("ToolResult right after the tables were made = %+v, %v; want the remembered answer", r, err)
				}
				db.AgeOptionalTables(db.OptionalTableTTL)
				if r, err := s.ToolResult(ctx, "s-media", "res_9e9a2b01e7"); r == nil || err != nil {
					t.Fatalf("ToolResult after the TTL = %+v, %v", r, err)
				}
			})
			for _, tc := range []struct {
				name      string
				ctx       context.Context
				sessionID string
				resultID  string
				found     bool
			}{
				{"a stored result is found", ctx, "s-media", "res_9e9a2b01e7", true},
				{"its session's owner finds it", db.WithOwner(ctx, "u-media"), "s-media", "res_9e9a2b01e7", true},
				{"another user does not", db.WithOwner(ctx, "u-other"), "s-media", "res_9e9a2b01e7", false},
				{"a userId of another user does not", db.WithUser(ctx, "u-other"), "s-media", "res_9e9a2b01e7", false},
				{"another session does not", ctx, "s-media-corrupt", "res_9e9a2b01e7", false},
				{"a result whose row is gone is not found", ctx, "s-media", "res_625893dfc3", false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r, err := s.ToolResult(tc.ctx, tc.sessionID, tc.resultID)
					if err != nil || (r != nil) != tc.found {
						t.Fatalf("ToolResult = %+v, %v; want found: %v", r, err, tc.found)
					}
				})
			}
			t.Run("the row and its payload are Agno's", func(t *testing.T) {
				r, err := s.ToolResult(ctx, "s-media", "res_9e9a2b01e7")
				if err != nil || r == nil {
					t.Fatalf("ToolResult = %+v, %v", r, err)
				}
				want := results[0].Row
				if r.ResultID != want["result_id"] || r.RunID != "r-media-1" || r.ToolCallID != "call_fetch" || r.ToolName != "fetch_inventory" ||
					r.ContentType != "text" || r.SizeBytes != 30390 || r.LineCount != 450 || r.UserID == nil || *r.UserID != "u-media" ||
					r.Created != 1757500005 || r.Expires != nil || r.Namespace != want["namespace"] || r.Path != want["path"] {
					t.Errorf("row %+v", r)
				}
				c, err := s.ToolResultContent(ctx, r)
				if err != nil || c == nil || *c != *results[0].Content {
					t.Errorf("ToolResultContent = %v, %v", c != nil, err)
				}
			})
			t.Run("a payload outside the database is not there", func(t *testing.T) {
				r, err := s.ToolResult(ctx, "s-media", "res_8fce8c6474")
				if err != nil || r == nil {
					t.Fatalf("ToolResult = %+v, %v", r, err)
				}
				if c, err := s.ToolResultContent(ctx, r); c != nil || err != nil {
					t.Errorf("ToolResultContent = %v, %v", c, err)
				}
			})
		})
	}
}
