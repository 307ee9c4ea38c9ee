package dataset

import (
	"time"
)

// Exact is the benchmark profile: Sessions sessions of exactly Runs entries
// in the runs array (a team session's pairs of a member run and the team
// run that delegated to it count as two) and Messages messages in each run
// (a workflow run's are in each of its agent steps' runs). Mostly agent
// sessions, some team and workflow sessions, 2% of runs ERROR (with their
// messages); no paused runs, replayed history or never-run sessions, so
// that the sizes hold. The same Exact gives the same sessions.
type Exact struct {
	Sessions int
	Runs     int
	Messages int
	Seed     int64
	// LongSession, when positive, makes one session (LongSessionIndex) an
	// agent session of that many runs instead of Runs: the long session a
	// runs(last: n) request reads the end of.
	LongSession int
}

// Shares of the session kinds, and of sessions with a stored name.
const (
	exactAgentShare = 0.7
	exactTeamShare  = 0.2 // the rest are workflow sessions
	exactNamedShare = 0.4
	exactTieShare   = 50 // one session in exactTieShare has the created_at of the one before
	exactErrorShare = 2  // percent of runs that end in ERROR
)

// exactEnd is when an Exact dataset ends: created_at spreads over the year
// before it (fixed, so that a seed gives the same rows whenever it runs).
var exactEnd = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC).Unix()

const yearSeconds = 365 * day

// Len is the number of sessions.
func (p Exact) Len() int { return max(p.Sessions, 0) }

// CreatedAt returns the created_at of session i: later sessions are newer,
// about one in fifty ties with the session before it.
func (p Exact) CreatedAt(i int) int64 {
	n := int64(max(p.Sessions, 1))
	for i > 0 && indexHash(p.Seed, i, 2)%exactTieShare == 0 {
		i--
	}
	gap := max(yearSeconds/n, 1)
	return exactEnd - yearSeconds + int64(i)*yearSeconds/n + int64(indexHash(p.Seed, i, 3)%uint64(gap))
}

// LongSessionIndex is the index of the long session (see LongSession), -1
// when there is none: the middle one, so that it is on neither the first
// nor the last page of sessions.
func (p Exact) LongSessionIndex() int {
	if p.LongSession <= 0 || p.Sessions <= 0 {
		return -1
	}
	return p.Sessions / 2
}

// Session returns session i.
func (p Exact) Session(i int) Session {
	r := sessionRand(p.Seed, i)
	long := i == p.LongSessionIndex()
	plan := &sessionPlan{turns: max(p.Runs, 0)}
	if long {
		plan.turns = p.LongSession
	}
	b := newSessionBuilder(r, plan)
	b.exact = &p
	switch x := r.Float64(); {
	case x < exactAgentShare || long:
		plan.kind = kindAgent
		plan.agent = pickWeighted(r, agents, func(a *agentSpec) int { return a.weight })
	case x < exactAgentShare+exactTeamShare:
		plan.kind = kindTeam
		plan.team = pickWeighted(r, teams, func(t *teamSpec) int { return t.weight })
	default:
		plan.kind = kindWorkflow
		plan.workflow = pickWeighted(r, workflows, func(w *workflowSpec) int { return w.weight })
	}
	if r.IntN(100) >= 3 {
		u := pickWeighted(r, users, func(u user) int { return u.weight }).id
		plan.userID = &u
	}
	plan.named = r.Float64() < exactNamedShare
	for range plan.turns {
		b.gaps = append(b.gaps, 20+r.Int64N(30*60)) // the next run starts 20 s to half an hour after the last ended
	}
	b.start(p.CreatedAt(i), 0)
	return b.session()
}

// messageLayout spreads n messages over a run: [system] user (assistant(tool_calls) tool…)* [assistant].
// With room for it the run has a system message; an odd slot goes to a
// round of two parallel tool calls.
func messageLayout(n int) (withSystem bool, rounds []int) {
	if n <= 2 {
		return false, nil
	}
	rest := n - 2 // beyond the user message and the answer
	if rest == 2 {
		return false, []int{1}
	}
	rest-- // the system message
	for rest >= 2 {
		if rest == 3 {
			return true, append(rounds, 2)
		}
		rounds = append(rounds, 1)
		rest -= 2
	}
	return true, rounds
}

// fit makes a conversation hold exactly the profile's messages: a system
// message only when the layout has room for it, the user message and the
// answer when there are one and two messages, and exactly the layout's
// tool calls: the conversation's own first (delegations included), then
// tools the component has, drawn from tools.
func (b *sessionBuilder) fit(c *conversationPlan, tools []toolStep) {
	n := b.exact.Messages
	withSystem, rounds := messageLayout(n)
	c.noSystem, c.noUser, c.noAnswer = !withSystem, n < 1, n < 2
	c.history = nil
	want := 0
	for _, k := range rounds {
		want += k
	}
	calls := c.calls[:min(len(c.calls), want)]
	if len(calls) < want {
		calls = append(calls, b.toolRuns(b.drawTools(tools, want-len(calls)))...)
	}
	next := 0
	for _, k := range rounds {
		for j := range k {
			calls[next].parallel = j > 0
			next++
		}
	}
	c.calls = calls
}

// drawTools draws n tool steps from tools (none when it is empty).
func (b *sessionBuilder) drawTools(tools []toolStep, n int) []toolStep {
	if len(tools) == 0 {
		return nil
	}
	out := make([]toolStep, n)
	for i := range out {
		out[i] = pick(b.r, tools)
	}
	return out
}

// exactStatus is an Exact run's status: 2% of runs end in ERROR, with their
// messages (so that the sizes hold).
func (b *sessionBuilder) exactStatus(conv *conversation) {
	if b.r.IntN(100) < exactErrorShare {
		conv.status = statusError
	}
}
