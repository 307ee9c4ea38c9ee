package models

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// SessionFilter selects sessions; the filters combine with AND.
type SessionFilter struct {
	Type          *SessionType `json:"type"`
	ComponentID   *string      `json:"componentId"`
	UserID        *string      `json:"userId"`
	NameContains  *string      `json:"nameContains"`
	CreatedAfter  *time.Time   `json:"createdAfter"`
	CreatedBefore *time.Time   `json:"createdBefore"`
	UpdatedAfter  *time.Time   `json:"updatedAfter"`
	UpdatedBefore *time.Time   `json:"updatedBefore"`
	TextContains  *string      `json:"textContains"`
}

// SessionOrder orders sessions; ties break on session_id in the same direction.
type SessionOrder struct {
	Field     SessionOrderField `json:"field"`
	Direction OrderDirection    `json:"direction"`
}

// DefaultSessionOrder is newest first.
var DefaultSessionOrder = SessionOrder{Field: SessionOrderFieldCreatedAt, Direction: OrderDirectionDesc}

// RunFilter selects runs; the filters combine with AND.
type RunFilter struct {
	Status        []RunStatus `json:"status"`
	CreatedAfter  *time.Time  `json:"createdAfter"`
	CreatedBefore *time.Time  `json:"createdBefore"`
	TopLevel      *bool       `json:"topLevel"`
}

// Database describes one configured database.
type Database struct {
	ID           string `json:"id"`
	Dialect      string `json:"dialect"`
	SessionTable string `json:"sessionTable"`
	// RunsTable is Agno 3's runs table, nil when the database has none.
	RunsTable *string `json:"runsTable"`
	// LegacyRunsColumn says the sessions table still has Agno 2's runs column.
	LegacyRunsColumn bool `json:"legacyRunsColumn"`
}

// CreateSessionInput is the input of createSession: Agno's POST /sessions.
type CreateSessionInput struct {
	Type             *SessionType `json:"type"` // nil means AGENT
	SessionID        *string      `json:"sessionId"`
	SessionName      *string      `json:"sessionName"`
	SessionState     JSON         `json:"sessionState"`
	Metadata         JSON         `json:"metadata"`
	UserID           *string      `json:"userId"`
	AgentID          *string      `json:"agentId"`
	TeamID           *string      `json:"teamId"`
	WorkflowID       *string      `json:"workflowId"`
	DBID             *string      `json:"dbId"`
	ClientMutationID *string      `json:"clientMutationId"`
}

// CreateSessionPayload is the result of createSession.
type CreateSessionPayload struct {
	Session          Session `json:"session"`
	ClientMutationID *string `json:"clientMutationId"`
}

// UpdateSessionInput is the input of updateSession: Agno's PATCH
// /sessions/{id}. A field that is not set is left unchanged; one set to
// null (nil) is cleared.
type UpdateSessionInput struct {
	SessionID        string                                  `json:"sessionId"`
	SessionName      graphql.Omittable[*string]              `json:"sessionName"`
	SessionState     graphql.Omittable[JSON]                 `json:"sessionState"`
	Metadata         graphql.Omittable[JSON]                 `json:"metadata"`
	Summary          graphql.Omittable[*SessionSummaryInput] `json:"summary"`
	Type             *SessionType                            `json:"type"`
	UserID           *string                                 `json:"userId"`
	DBID             *string                                 `json:"dbId"`
	ClientMutationID *string                                 `json:"clientMutationId"`
}

// SessionSummaryInput is a session summary to store.
type SessionSummaryInput struct {
	Summary   string     `json:"summary"`
	Topics    []string   `json:"topics"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

// UpdateSessionPayload is the result of updateSession.
type UpdateSessionPayload struct {
	Session          Session `json:"session"`
	ClientMutationID *string `json:"clientMutationId"`
}

// RenameSessionInput is the input of renameSession.
type RenameSessionInput struct {
	SessionID        string       `json:"sessionId"`
	Name             string       `json:"name"`
	Type             *SessionType `json:"type"`
	UserID           *string      `json:"userId"`
	DBID             *string      `json:"dbId"`
	ClientMutationID *string      `json:"clientMutationId"`
}

// RenameSessionPayload is the result of renameSession.
type RenameSessionPayload struct {
	Session          Session `json:"session"`
	ClientMutationID *string `json:"clientMutationId"`
}

// DeleteSessionInput is the input of deleteSession.
type DeleteSessionInput struct {
	SessionID        string       `json:"sessionId"`
	Type             *SessionType `json:"type"`
	UserID           *string      `json:"userId"`
	DBID             *string      `json:"dbId"`
	ClientMutationID *string      `json:"clientMutationId"`
}

// DeleteSessionPayload is the result of deleteSession.
type DeleteSessionPayload struct {
	DeletedSessionID string  `json:"deletedSessionId"`
	ClientMutationID *string `json:"clientMutationId"`
}

// DeleteSessionsInput is the input of deleteSessions.
type DeleteSessionsInput struct {
	SessionIds       []string      `json:"sessionIds"`
	Types            []SessionType `json:"types"`
	UserID           *string       `json:"userId"`
	DBID             *string       `json:"dbId"`
	ClientMutationID *string       `json:"clientMutationId"`
}

// DeleteSessionsPayload is the result of deleteSessions.
type DeleteSessionsPayload struct {
	DeletedSessionIds  []string `json:"deletedSessionIds"`
	NotFoundSessionIds []string `json:"notFoundSessionIds"`
	ClientMutationID   *string  `json:"clientMutationId"`
}

// UnmarshalMap fills the filter from a GraphQL input value (as in a query's
// arguments), checking every value as the schema does.
func (f *RunFilter) UnmarshalMap(m map[string]any) error {
	for key, v := range m {
		if v == nil {
			continue
		}
		switch key {
		case "status":
			list, ok := v.([]any)
			if !ok {
				return Errorf(BadUserInput, "status must be a list")
			}
			f.Status = make([]RunStatus, len(list))
			for i, s := range list {
				if err := f.Status[i].UnmarshalGQL(s); err != nil {
					return err
				}
			}
		case "createdAfter", "createdBefore":
			t, err := UnmarshalDateTime(v)
			if err != nil {
				return err
			}
			if key == "createdAfter" {
				f.CreatedAfter = &t
			} else {
				f.CreatedBefore = &t
			}
		case "topLevel":
			b, ok := v.(bool)
			if !ok {
				return Errorf(BadUserInput, "topLevel must be a boolean")
			}
			f.TopLevel = &b
		default:
			return Errorf(BadUserInput, "unknown RunFilter field %q", key)
		}
	}
	return nil
}
