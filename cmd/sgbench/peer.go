package main

// The requests to PostGraphile 4 (the peer in the project's shared tools,
// run with --dynamic-json over schema ai) that match sessiongraph's
// scenarios, as the peer's README gives them. PostGraphile sends the stored
// JSON columns whole: it cannot derive Agno's names or type the runs, so
// its answers are larger than sessiongraph's.
const (
	// peerListSessions matches (a): the 20 newest agent sessions with a count.
	peerListSessions = `query ListSessions {
  allAgnoSessions(first: 20, orderBy: CREATED_AT_DESC, condition: {sessionType: "agent"}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { sessionId sessionType agentId teamId workflowId userId sessionData createdAt updatedAt }
  }
}`
	// peerGetSession matches (b) on Agno 3's layout: a session and its runs
	// through the runs table's foreign key; variable id.
	peerGetSession = `query GetSession($id: String!) {
  agnoSessionBySessionId(sessionId: $id) {
    sessionId sessionType agentId teamId workflowId userId sessionData createdAt updatedAt
    agnoRunsBySessionId(first: 100, orderBy: RUN_INDEX_ASC) { nodes { runId runIndex status runData createdAt } }
  }
}`
	// peerGetSession2 matches (b) on Agno 2's layout: the runs come inside
	// the session row; variable id.
	peerGetSession2 = `query GetSession2($id: String!) {
  agnoSessionBySessionId(sessionId: $id) { sessionId sessionType userId sessionData runs createdAt updatedAt }
}`
	// peerLastRuns matches (f) on Agno 3's layout: the last 5 runs of a session; variable id.
	peerLastRuns = `query LastRuns($id: String!) {
  agnoSessionBySessionId(sessionId: $id) {
    agnoRunsBySessionId(last: 5, orderBy: RUN_INDEX_ASC) { nodes { runId runIndex status runData createdAt } }
  }
}`
)
