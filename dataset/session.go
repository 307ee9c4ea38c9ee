package dataset

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"sessiongraph/models"
)

const (
	kindAgent    = "agent"
	kindTeam     = "team"
	kindWorkflow = "workflow"

	statusCompleted = "COMPLETED"
	statusError     = "ERROR"
	statusCancelled = "CANCELLED"
	statusPaused    = "PAUSED"
)

// jsonNull is what Agno writes for a Python None in a JSON column.
var jsonNull = json.RawMessage("null")

// sessionPlan holds the choices made for a session before its content is generated.
type sessionPlan struct {
	kind     string
	agent    *agentSpec
	team     *teamSpec
	workflow *workflowSpec
	userID   *string
	// turns is the number of user turns (agent and team) or workflow runs;
	// in an Exact session, the number of runs.
	turns int
	// neverRan: a session created through POST /sessions that never ran
	// (Realistic only, which has such sessions with no turns).
	neverRan    bool
	runsSQLNull bool // with neverRan: runs is SQL NULL rather than JSON null
	named       bool // session_data.session_name is set
	legacy      bool // an old row: updated_at, metadata and (agent, team) summary are SQL NULL
	pause       bool // the last run pauses for a tool confirmation
	noInput     bool // the first workflow run has no input
}

// sessionBuilder generates one session from its plan, drawing from the
// session's own random stream.
type sessionBuilder struct {
	r *rand.Rand
	p *sessionPlan
	// exact is the Exact profile building the session, nil for Realistic.
	exact *Exact
	id    string
	user  string // "" when the session has no user
	v     *vars
	// state is the component's session_state, nil when it keeps none.
	state object
	// stateJSON is state encoded once, for every run that repeats it.
	stateJSON json.RawMessage
	// clock is the current time in the session, in seconds.
	clock float64
	// gaps are the pauses before each turn after the first, drawn up front so the
	// session can be placed to end before now.
	gaps    []int64
	runs    *models.RunsBuilder
	metrics models.SessionMetricsDoc
	// history holds the user, assistant and tool messages of each completed
	// turn, for components that replay history.
	history [][]models.MessageDoc
	// titles are the session name candidates (exchange titles); summaries
	// and topics feed the session summary.
	titles    []string
	summaries []string
	topics    []string
}

// newSessionBuilder starts a session: its id is the stream's first draw.
func newSessionBuilder(r *rand.Rand, p *sessionPlan) *sessionBuilder {
	b := &sessionBuilder{r: r, p: p}
	b.id = b.uuid()
	return b
}

// start places the session's first turn at start (+frac seconds) and draws
// the values its text talks about.
func (b *sessionBuilder) start(start int64, frac float64) {
	b.clock = float64(start) + frac
	b.v = newVars(b.r, start)
}

// session generates the session's runs and columns.
func (b *sessionBuilder) session() Session {
	p := b.p
	if p.userID != nil {
		b.user = *p.userID
	}
	b.runs = models.NewRunsBuilder(p.userID)
	row := models.SessionRow{SessionID: b.id, SessionType: p.kind, UserID: p.userID, CreatedAt: int64(b.clock)}
	if b.r.Float64() < 0.7 {
		b.state = b.componentState()
		if b.state != nil {
			b.stateJSON = mustJSON(b.state)
		}
	}
	switch p.kind {
	case kindAgent:
		row.AgentID = ptr(p.agent.id)
		b.agentSession(p.agent)
	case kindTeam:
		row.TeamID = ptr(p.team.id)
		b.teamSession(p.team)
	case kindWorkflow:
		row.WorkflowID = ptr(p.workflow.id)
		b.workflowSession(p.workflow)
	}
	updated := int64(b.clock)
	row.UpdatedAt = &updated
	runs, runRows := b.runs.Finish()

	if p.neverRan {
		b.fillNeverRun(&row)
		return Session{Row: row}
	}
	row.Runs = runs
	row.SessionData = b.sessionData()
	row.Metadata = b.metadata()
	switch p.kind {
	case kindAgent:
		row.AgentData = (&models.ComponentDataDoc{Name: p.agent.name, AgentID: p.agent.id, Model: p.agent.model.doc()}).AppendJSON(nil)
		row.Summary = b.summary()
	case kindTeam:
		row.TeamData = (&models.ComponentDataDoc{Name: p.team.name, TeamID: p.team.id, Model: p.team.model.doc()}).AppendJSON(nil)
		row.Summary = b.summary()
	case kindWorkflow:
		row.WorkflowData = b.workflowData()
		row.Summary = jsonNull
	}
	if p.legacy {
		row.UpdatedAt = nil
		row.Metadata = nil
		if p.kind != kindWorkflow {
			row.Summary = nil
		}
	}
	return Session{Row: row, Runs: runRows}
}

// fillNeverRun fills a session created through POST /sessions that has no runs:
// session_data holds only the state and name the caller gave; agent and team
// data, session data and summary are JSON null otherwise, and workflow sessions
// get {} instead (WorkflowSession turns None into {}).
func (b *sessionBuilder) fillNeverRun(row *models.SessionRow) {
	p := b.p
	if p.runsSQLNull {
		row.Runs = nil
	} else {
		row.Runs = jsonNull
	}
	var data models.SessionDataDoc
	if b.state != nil && b.r.Float64() < 0.3 {
		data.State = b.stateJSON
	}
	if p.named {
		data.Name = ptr(pick(b.r, newSessionNames))
	}
	given := data.State != nil || data.Name != nil
	switch p.kind {
	case kindWorkflow:
		row.SessionData = data.AppendJSON(nil)
		row.WorkflowData = json.RawMessage("{}")
		row.Metadata = json.RawMessage("{}")
		row.Summary = jsonNull
	default:
		row.SessionData = jsonNull
		if given {
			row.SessionData = data.AppendJSON(nil)
		}
		if p.kind == kindAgent {
			row.AgentData = jsonNull
		} else {
			row.TeamData = jsonNull
		}
		row.Metadata = b.metadata()
		row.Summary = jsonNull
	}
}

var newSessionNames = []string{"New conversation", "Scratchpad", "Q&A for onboarding", "Draft — do not delete", "Kundenanfrage Müller"}

// sessionData is session_data after the runs: state, accumulated metrics and,
// when the user renamed the session, its name.
func (b *sessionBuilder) sessionData() json.RawMessage {
	data := models.SessionDataDoc{State: b.stateJSON, Metrics: &b.metrics}
	if b.p.named && len(b.titles) > 0 {
		data.Name = &b.titles[0]
	}
	return data.AppendJSON(nil)
}

func (b *sessionBuilder) componentState() object {
	var f func(*vars) object
	switch b.p.kind {
	case kindAgent:
		f = b.p.agent.state
	case kindTeam:
		f = b.p.team.state
	case kindWorkflow:
		f = b.p.workflow.state
	}
	if f == nil {
		return nil
	}
	return f(b.v)
}

// metadata is the app's session metadata: an object, or JSON null when the
// app attached none. Workflow sessions always get {}.
func (b *sessionBuilder) metadata() json.RawMessage {
	var options []object
	switch b.p.kind {
	case kindAgent:
		options = b.p.agent.metadata
	case kindTeam:
		options = b.p.team.metadata
	default:
		return json.RawMessage("{}")
	}
	if len(options) == 0 || b.r.Float64() < 0.4 {
		return jsonNull
	}
	return mustJSON(pick(b.r, options))
}

// summary is the session summary some agents and teams keep (JSON null otherwise).
func (b *sessionBuilder) summary() json.RawMessage {
	if len(b.summaries) == 0 || b.r.Float64() >= 0.35 {
		return jsonNull
	}
	text := b.summaries[0]
	if len(b.summaries) > 1 {
		text += " Later: " + b.summaries[len(b.summaries)-1]
	}
	// SessionSummary.updated_at is datetime.now().isoformat(): local and naive.
	at := time.Unix(int64(b.clock)+1, int64(b.r.IntN(1_000_000))*1000).UTC()
	return (&models.SessionSummaryDoc{Summary: text, Topics: b.topics, UpdatedAt: models.PythonNaiveISOFormat(at)}).AppendJSON(nil)
}

func (b *sessionBuilder) workflowData() json.RawMessage {
	w := b.p.workflow
	data := models.WorkflowDataDoc{WorkflowID: w.id, Name: w.name}
	for _, s := range w.steps {
		data.Steps = append(data.Steps, models.WorkflowStepDataDoc{Name: s.name, Description: s.description, Type: "Step"})
	}
	return data.AppendJSON(nil)
}

// advance moves the session clock to the start of the next turn.
func (b *sessionBuilder) advance(turn int) {
	if turn > 0 {
		b.clock = float64(int64(b.clock)+b.gaps[turn-1]) + b.r.Float64()*0.9
	}
}

// note records what a completed turn was about, for the session name and summary.
func (b *sessionBuilder) note(title, summary string, topics []string) {
	if title != "" {
		b.titles = append(b.titles, b.fill(title))
	}
	if summary != "" {
		b.summaries = append(b.summaries, b.fill(summary))
	}
	for _, t := range topics {
		t = b.fill(t)
		seen := false
		for _, have := range b.topics {
			seen = seen || have == t
		}
		if !seen {
			b.topics = append(b.topics, t)
		}
	}
}

// replay returns copies of the messages of the last completed turns, marked
// from_history the way Agno tags history added to the context.
func (b *sessionBuilder) replay() []models.MessageDoc {
	const historyRuns = 3
	from := max(0, len(b.history)-historyRuns)
	var out []models.MessageDoc
	for _, msgs := range b.history[from:] {
		for _, m := range msgs {
			m.FromHistory = true
			out = append(out, m)
		}
	}
	return out
}

// remember stores a completed turn's non-system messages for later replay.
func (b *sessionBuilder) remember(msgs []models.MessageDoc) {
	var keep []models.MessageDoc
	for _, m := range msgs {
		if m.Role != "system" && !m.FromHistory {
			keep = append(keep, m)
		}
	}
	b.history = append(b.history, keep)
}

func (b *sessionBuilder) fill(s string) string {
	return b.v.fill(s)
}

// fillValue fills placeholders in the strings of an object, recursively.
func (b *sessionBuilder) fillValue(v any) any {
	switch v := v.(type) {
	case string:
		return b.fill(v)
	case object:
		out := make(object, len(v))
		for i, f := range v {
			out[i] = field{f.key, b.fillValue(f.value)}
		}
		return out
	default:
		return v
	}
}

// uuid returns a random version 4 UUID from the session's stream.
func (b *sessionBuilder) uuid() string {
	return formatUUID(b.r.Uint64(), b.r.Uint64())
}

// toolCallID returns a provider-style tool call id ("call_…" or "toolu_01…").
func (b *sessionBuilder) toolCallID(m model) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var buf [24]byte
	for i := range buf {
		buf[i] = alphabet[b.r.IntN(len(alphabet))]
	}
	return m.toolCallPrefix + string(buf[:])
}

// newVars draws the values one session's text talks about.
func newVars(r *rand.Rand, start int64) *vars {
	t := time.Unix(start, 0).UTC()
	soon := t.AddDate(0, 0, 3+r.IntN(8))
	lastMonth := t.AddDate(0, -1, 0)
	q := (int(t.Month())-1)/3 - 1 // the previous quarter
	qYear := t.Year()
	if q < 0 {
		q, qYear = 3, qYear-1
	}
	qStart := time.Date(qYear, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	budget := 800 + 50*r.IntN(45)
	price1 := 89 + r.IntN(180)
	v := &vars{
		order:    strconv.Itoa(10000 + r.IntN(90000)),
		order2:   strconv.Itoa(10000 + r.IntN(90000)),
		ticket:   strconv.Itoa(1000 + r.IntN(9000)),
		customer: pick(r, customers),
		product:  pick(r, products),
		plan:     pick(r, plans),
		amount:   pick(r, []string{"9.90", "19.00", "29.00", "49.00", "119.00"}),
		city:     pick(r, cities),
		month:    soon.Month().String(),
		date:     soon.Format("Monday 2 January"),
		isoDate:  soon.Format("2006-01-02"),
		isoMonth: lastMonth.Format("2006-01"),
		quarter:  fmt.Sprintf("Q%d %d", q+1, qYear),
		qStart:   qStart.Format("2006-01-02"),
		qEnd:     qStart.AddDate(0, 3, 0).Format("2006-01-02"),
		year:     strconv.Itoa(t.Year()),
		region:   pick(r, regions),
		pct:      fmt.Sprintf("%.1f", 5+r.Float64()*9),
		n:        strconv.Itoa(4600 + r.IntN(900)),
		vat:      strconv.Itoa(100000000 + r.IntN(900000000)),
		days:     3 + r.IntN(5),
		budget:   budget,
		budget2:  budget - 200,
		high:     8 + r.IntN(24),
		rain:     2 + r.IntN(12),
		price1:   price1,
		price2:   price1 - 20 - r.IntN(40),
		pick:     r.IntN(100),
	}
	v.low = v.high - 6 - r.IntN(5)
	return v
}

// fill replaces the {placeholders} in s; unknown ones (and JSON braces) stay as they are.
func (v *vars) fill(s string) string {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s) + 32)
	for i >= 0 {
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		if value, ok := v.lookup(s[i+1 : i+end]); ok {
			out.WriteString(s[:i])
			out.WriteString(value)
			s = s[i+end+1:]
		} else {
			out.WriteString(s[:i+1])
			s = s[i+1:]
		}
		i = strings.IndexByte(s, '{')
	}
	out.WriteString(s)
	return out.String()
}

func (v *vars) lookup(name string) (string, bool) {
	itoa := strconv.Itoa
	switch name {
	case "order":
		return v.order, true
	case "order2":
		return v.order2, true
	case "ticket":
		return v.ticket, true
	case "customer":
		return v.customer, true
	case "product":
		return v.product, true
	case "plan":
		return v.plan, true
	case "amount":
		return v.amount, true
	case "city":
		return v.city, true
	case "month":
		return v.month, true
	case "date":
		return v.date, true
	case "isodate":
		return v.isoDate, true
	case "isomonth":
		return v.isoMonth, true
	case "quarter":
		return v.quarter, true
	case "qstart":
		return v.qStart, true
	case "qend":
		return v.qEnd, true
	case "year":
		return v.year, true
	case "region":
		return v.region, true
	case "pct":
		return v.pct, true
	case "n":
		return v.n, true
	case "vat":
		return v.vat, true
	case "days":
		return itoa(v.days), true
	case "budget":
		return itoa(v.budget), true
	case "budget2":
		return itoa(v.budget2), true
	case "high":
		return itoa(v.high), true
	case "low":
		return itoa(v.low), true
	case "rain":
		return itoa(v.rain), true
	case "price1":
		return itoa(v.price1), true
	case "price2":
		return itoa(v.price2), true
	}
	return "", false
}
