// Package bench holds the Go benchmarks of the Store and of the HTTP
// handler, over data of the dataset package's Exact profile, and the
// GraphQL documents of the dashboard requests they and sgbench measure.
package bench

// The GraphQL documents of the dashboard requests the benchmarks measure
// (the scenarios a–g); sgbench and the Go benchmarks share them.
const (
	// QueryNewest is scenario a: the 20 newest sessions with names and a count for the pager.
	QueryNewest = `{ sessions(first: 20) { totalCount nodes { sessionId name createdAt } } }`
	// QueryTree is scenario b: one session with its full run and message tree; variable id.
	QueryTree = `query($id: String!) { session(sessionId: $id) { name runs(first: 100) { nodes { ` + runFields + ` } } } }`
	// QueryPage is scenario c: a page of 20 sessions after a cursor; variable after (null for page 1).
	QueryPage = `query($after: String) { sessions(first: 20, after: $after) { nodes { sessionId name createdAt } } }`
	// QueryNested is scenario d: 20 sessions with their first 5 runs and those runs' messages.
	QueryNested = `{ sessions(first: 20) { nodes { sessionId name runs(first: 5) { nodes { runId status messages { role content } } } } } }`
	// QueryRunStatuses is scenario k: 20 sessions with the status of their
	// last 3 runs, as a dashboard's session list shows them.
	QueryRunStatuses = `{ sessions(first: 20) { nodes { sessionId name runs(last: 3) { nodes { runId status createdAt } } } } }`
	// QueryErrorRuns is scenario e: the 20 newest failed runs across sessions.
	QueryErrorRuns = `{ allRuns(first: 20, filter: {status: [ERROR]}) { nodes { runId sessionId status createdAt input content } } }`
	// QueryLastRuns is scenario f: the last 5 runs of a session, with the
	// fields of the tree's runs; variable id (a session with 10,000 runs).
	QueryLastRuns = `query($id: String!) { session(sessionId: $id) { runs(last: 5) { nodes { ` + runFields + ` } } } }`
	// QueryRunsPage is scenario g: a page of 20 runs across sessions after a
	// cursor, newest first; variable after (null for page 1).
	QueryRunsPage = `query($after: String) { allRuns(first: 20, after: $after) { nodes { runId sessionId status createdAt } } }`
	// QueryTextSearch is scenarios h and i: the 20 newest sessions whose
	// messages hold a text, with a count for the pager; variable text.
	QueryTextSearch = `query($text: String) { sessions(first: 20, filter: {textContains: $text}) { totalCount nodes { sessionId name createdAt } } }`
	// QueryFacets is scenario j: every facet of every session, for a
	// dashboard's filter drop-downs.
	QueryFacets = `{ facets { users { value count } components { value sessionType count } models { value count } } }`
	// QueryUsageDaily is scenario u: a usage dashboard's chart, tokens, cost,
	// runs, failures and sessions per day and component since a time;
	// variable since (30 days before the newest run).
	QueryUsageDaily = `query($since: DateTime!) { usage(groupBy: [DAY, COMPONENT], runFilter: {createdAfter: $since}, first: 1000) { totalCount nodes { key { period componentId } sessions runs errorRuns inputTokens outputTokens totalTokens cost } } }`
)

// runFields are the fields of a run a session's page shows.
const runFields = `runId status input content metrics { totalTokens } messages { role content toolCalls { name arguments } } tools { toolName result }`
