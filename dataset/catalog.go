package dataset

// The components (agents, teams, workflows) the generated sessions pretend
// to come from, with the models they use: one catalogue for both profiles.
// Canned conversation text lives in text.go.

import "sessiongraph/models"

// model is an LLM as Agno's Model.to_dict describes it, plus list prices used
// to report cost (zero prices: the provider reports no cost).
type model struct {
	id, name, provider string
	inputPerM          float64 // USD per million input tokens
	outputPerM         float64 // USD per million output tokens
	tokensPerSecond    float64
	toolCallPrefix     string // provider-native tool call id prefix
	failure            string // what a failed request's exception says (the ERROR run's content)
}

var (
	gpt4o = model{"gpt-4o", "OpenAIChat", "OpenAI", 2.5, 10, 85, "call_",
		"Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-nW7qXb on tokens per min (TPM): Limit 30000, Used 29412, Requested 1893. Please try again in 2.61s. Visit https://platform.openai.com/account/rate-limits to learn more.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}"}
	gpt4oMini = model{"gpt-4o-mini", "OpenAIChat", "OpenAI", 0.15, 0.6, 120, "call_",
		"Request timed out."}
	claude = model{"claude-sonnet-4-20250514", "Claude", "Anthropic", 0, 0, 70, "toolu_01",
		"Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}"}
	gemini = model{"gemini-2.0-flash", "Gemini", "Google", 0, 0, 150, "call_",
		"503 UNAVAILABLE. {'error': {'code': 503, 'message': 'The model is overloaded. Please try again later.', 'status': 'UNAVAILABLE'}}"}
)

func (m model) doc() *models.ModelDoc {
	return &models.ModelDoc{ID: m.id, Name: m.name, Provider: m.provider}
}

// agentSpec is a standalone agent, a team member or a workflow step agent.
type agentSpec struct {
	id, name     string
	model        model
	instructions string
	// history: add_history_to_context with store_history_messages, so later
	// runs carry replayed messages marked from_history.
	history bool
	// events: store_events, so runs keep their RunStarted/ToolCall*/RunCompleted events.
	events    bool
	exchanges []exchange
	followups []exchange
	// pause is the exchange whose tool needs a human confirmation (HITL).
	pause *exchange
	// tools are tools the agent has beyond those its conversations call;
	// Exact draws the tool calls it adds from both (see toolsOf).
	tools []toolStep
	// state builds the agent's session_state; nil when the agent has none.
	state func(v *vars) object
	// metadata is what the app attaches to sessions of this agent.
	metadata []object
	weight   int
}

// teamSpec is a team with a leader model that delegates to its members.
type teamSpec struct {
	id, name     string
	model        model
	instructions string
	members      []*agentSpec
	history      bool
	// storeMemberResponses repeats the member runs inside member_responses.
	storeMemberResponses bool
	exchanges            []teamExchange
	state                func(v *vars) object
	metadata             []object
	weight               int
}

// workflowSpec is a workflow of sequential steps.
type workflowSpec struct {
	id, name string
	steps    []workflowStep
	topics   []workflowTopic
	state    func(v *vars) object
	weight   int
}

// workflowStep runs an agent, or a plain function when agent is nil.
type workflowStep struct {
	name        string
	description *string
	agent       *agentSpec
	function    string
	// outputSchema is the class name of the agent's structured output, if any.
	outputSchema string
}

func strPtr(s string) *string { return &s }

var (
	supportAgent = &agentSpec{
		id: "support", name: "Support Agent", model: gpt4o, history: true, weight: 30,
		instructions: "You are the customer support agent for Northwind Outfitters.\n\n<instructions>\n- Always look up orders, invoices and policies with your tools before answering.\n- Be concise, warm and specific: quote order numbers, dates and amounts.\n- Never promise refunds without calling issue_refund.\n</instructions>\n\n<additional_information>\n- Use markdown to format your answers.\n</additional_information>",
		exchanges:    supportExchanges, followups: supportFollowups, pause: &supportRefund,
		state: func(v *vars) object {
			return object{{"customer_tier", "gold"}, {"open_tickets", []string{"T-" + v.ticket}}}
		},
		metadata: []object{
			{{"channel", "web"}, {"app_version", "4.12.1"}},
			{{"channel", "ios"}, {"app_version", "4.12.0"}, {"locale", "fr-FR"}},
			{{"channel", "email"}, {"zendesk_ticket", "ZD-88412"}},
		},
	}
	researchAgent = &agentSpec{
		id: "research", name: "Research Agent", model: claude, events: true, weight: 25,
		instructions: "You are a careful research assistant.\n\n<instructions>\n- Search the web before answering questions about recent events.\n- Cite your sources with links.\n- Say clearly when the evidence is thin or contested.\n</instructions>",
		exchanges:    researchExchanges, followups: researchFollowups,
		metadata: []object{
			{{"channel", "slack"}, {"workspace", "northwind"}},
			{{"channel", "web"}},
		},
	}
	sqlAgent = &agentSpec{
		id: "sql-analyst", name: "SQL Analyst", model: gpt4oMini, weight: 20,
		instructions: "You are a data analyst with read-only access to the analytics warehouse (PostgreSQL).\n\n<instructions>\n- Inspect table schemas with describe_table before writing a query.\n- Only run SELECT statements and always add a LIMIT.\n- Show results as a markdown table and explain them in one or two sentences.\n</instructions>",
		exchanges:    sqlExchanges, followups: sqlFollowups,
		state: func(v *vars) object {
			return object{{"database", "analytics_prod"}, {"row_limit", 500}, {"default_region", v.region}}
		},
		metadata: []object{
			{{"channel", "slack"}, {"workspace", "northwind"}, {"team", "growth"}},
			{{"channel", "notebook"}},
		},
	}
	travelAgent = &agentSpec{
		id: "travel-planner", name: "Travel Planner", model: claude, history: true, weight: 15,
		instructions: "You plan trips for Northwind Travel customers.\n\n<instructions>\n- Check the weather and flight options with your tools.\n- Stay within the stated budget and mention prices in euros.\n- Ask before booking anything.\n</instructions>",
		exchanges:    travelExchanges, followups: travelFollowups, pause: &travelBooking,
		state: func(v *vars) object {
			return object{{"destination", v.city}, {"travellers", 2}, {"budget_eur", v.budget}}
		},
		metadata: []object{
			{{"channel", "web"}, {"campaign", "autumn-getaways"}},
			{{"channel", "android"}, {"app_version", "2.3.0"}},
		},
	}
	translatorAgent = &agentSpec{
		id: "translator", name: "Translator", model: gemini, weight: 10,
		instructions: "You translate short texts for the Northwind support and marketing teams.\n\n<instructions>\n- Keep the tone of the original unless asked otherwise.\n- Keep emoji and punctuation conventions of the target language.\n</instructions>",
		tools: []toolStep{{
			name: "lookup_glossary", args: `{"term": "order", "target_language": "ja"}`,
			result: `{"term": "order", "translation": "ご注文", "note": "Use the honorific ご in customer-facing text."}`,
		}},
		exchanges: translatorExchanges, followups: translatorFollowups,
		state: func(v *vars) object {
			return object{{"target_language", "ja"}, {"formality", "polite"}}
		},
		metadata: []object{{{"channel", "web"}}},
	}

	agents = []*agentSpec{supportAgent, researchAgent, sqlAgent, travelAgent, translatorAgent}
)

var (
	webResearcher = &agentSpec{
		id: "web-researcher", name: "Web Researcher", model: gpt4oMini,
		instructions: "You search the web and return concise, sourced findings. Do not write prose; return bullet points with links.",
	}
	writer = &agentSpec{
		id: "writer", name: "Writer", model: claude,
		instructions: "You turn research notes into clear, well-structured briefs for a general business audience.",
		tools: []toolStep{{
			name: "get_style_guide", args: `{"section": "briefs"}`,
			result: "Briefs: lead with the conclusion, 150–250 words, bold section titles, at most one table, end with what it means for us.",
		}},
	}
	billingSpecialist = &agentSpec{
		id: "billing-specialist", name: "Billing Specialist", model: gpt4o,
		instructions: "You resolve billing problems: duplicate charges, refunds, invoices and VAT details. Use billing_lookup before answering.",
	}
	techSpecialist = &agentSpec{
		id: "tech-specialist", name: "Technical Specialist", model: gpt4o,
		instructions: "You diagnose technical problems with the Northwind app and API. Check the service status first.",
	}

	researchTeam = &teamSpec{
		id: "research-team", name: "Research Team", model: gpt4o, history: true, weight: 60,
		instructions: "You are the leader of a research team.\n\n<team_members>\n- Agent 1:\n  - ID: web-researcher\n  - Name: Web Researcher\n  - Role: Finds and summarises sources\n- Agent 2:\n  - ID: writer\n  - Name: Writer\n  - Role: Writes the final brief\n</team_members>\n\n<how_to_respond>\n- Delegate research to the Web Researcher first, then ask the Writer for the brief.\n- Return the Writer's brief to the user.\n</how_to_respond>",
		members:      []*agentSpec{webResearcher, writer},
		exchanges:    researchTeamExchanges,
		state: func(v *vars) object {
			return object{{"audience", "leadership"}, {"max_words", 400}}
		},
		metadata: []object{
			{{"channel", "web"}, {"project", "market-scan"}},
			{{"channel", "slack"}, {"workspace", "northwind"}},
		},
	}
	supportEscalation = &teamSpec{
		id: "support-escalation", name: "Support Escalation", model: claude, storeMemberResponses: true, weight: 40,
		instructions: "You handle escalated support cases.\n\n<team_members>\n- Agent 1:\n  - ID: billing-specialist\n  - Name: Billing Specialist\n  - Role: Billing, refunds and invoices\n- Agent 2:\n  - ID: tech-specialist\n  - Name: Technical Specialist\n  - Role: App and API problems\n</team_members>\n\n<how_to_respond>\n- Delegate to the right specialist, then answer the customer yourself with an apology and concrete next steps.\n</how_to_respond>",
		members:      []*agentSpec{billingSpecialist, techSpecialist},
		exchanges:    escalationExchanges,
		state: func(v *vars) object {
			return object{{"escalation_level", 2}, {"ticket", "T-" + v.ticket}}
		},
		metadata: []object{
			{{"channel", "email"}, {"zendesk_ticket", "ZD-90127"}, {"priority", "urgent"}},
			{{"channel", "phone"}},
		},
	}

	teams = []*teamSpec{researchTeam, supportEscalation}
)

var (
	blogResearcher = &agentSpec{
		id: "blog-researcher", name: "Blog Researcher", model: gpt4oMini,
		instructions: "Collect the key facts, numbers and angles for a blog post on the given topic. Return bullet points.",
		tools: []toolStep{
			{name: "duckduckgo_search", args: `{"query": "{year} developer survey databases", "max_results": 5}`,
				result: `[{"title": "Developer Survey {year}: databases", "href": "https://survey.example.dev/{year}/databases", "body": "PostgreSQL is the most used database for the third year in a row (49%)..."}]`},
			{name: "read_url", args: `{"url": "https://survey.example.dev/{year}/databases"}`,
				result: "Databases. PostgreSQL remains the most popular database among professional developers (49%), ahead of MySQL (40%) and SQLite (33%). Usage of vector extensions doubled since last year."},
		},
	}
	draftWriter = &agentSpec{
		id: "draft-writer", name: "Draft Writer", model: claude,
		instructions: "Write a first draft of a blog post from the research notes. Aim for 400-600 words and a friendly, practical tone.",
		tools: []toolStep{{
			name: "get_style_guide", args: `{"section": "blog"}`,
			result: "Blog posts: friendly and practical, 400–600 words, short paragraphs, one idea per section, a concrete example early.",
		}},
	}
	editor = &agentSpec{
		id: "editor", name: "Editor", model: gpt4o,
		instructions: "Edit the draft: tighten sentences, fix the structure, add a clear title and a one-line summary at the top.",
		tools: []toolStep{{
			name: "check_readability", args: `{"text_id": "draft-{ticket}"}`,
			result: `{"flesch_reading_ease": 61.2, "grade_level": 9.1, "long_sentences": 3, "passive_voice": 2}`,
		}},
	}
	ticketClassifier = &agentSpec{
		id: "ticket-classifier", name: "Ticket Classifier", model: gpt4oMini,
		instructions: "Classify the support ticket. Return the category, priority, language and a one-sentence summary.",
		tools: []toolStep{{
			name: "lookup_customer", args: `{"customer": "{customer}"}`,
			result: `{"customer": "{customer}", "plan": "{plan}", "open_tickets": 1, "language": "en", "vip": false}`,
		}},
	}
	replyDrafter = &agentSpec{
		id: "reply-drafter", name: "Reply Drafter", model: gpt4o,
		instructions: "Draft a reply to the customer in their language, for a human agent to review before sending.",
		tools: []toolStep{{
			name: "search_knowledge_base", args: `{"query": "parcel marked delivered not received", "limit": 3}`,
			result: "KB-2207: When a parcel shows as delivered but was not received, open a carrier trace (1–2 business days). If the trace finds nothing, send a replacement at no cost.",
		}},
	}

	blogWriter = &workflowSpec{
		id: "blog-writer", name: "Blog Writer", weight: 55,
		steps: []workflowStep{
			{name: "research", description: strPtr("Collect facts, numbers and sources on the topic"), agent: blogResearcher},
			{name: "draft", description: strPtr("Write a first draft from the research notes"), agent: draftWriter},
			{name: "edit", description: strPtr("Tighten the draft and add title and summary"), agent: editor},
		},
		topics: blogTopics,
		state: func(v *vars) object {
			return object{{"cms", "ghost"}, {"target_words", 600}, {"published", false}}
		},
	}
	ticketTriage = &workflowSpec{
		id: "ticket-triage", name: "Ticket Triage", weight: 45,
		steps: []workflowStep{
			{name: "classify", description: strPtr("Classify category, priority and language"), agent: ticketClassifier, outputSchema: "TicketClassification"},
			{name: "respond", description: strPtr("Draft a reply for a human to review"), agent: replyDrafter},
			{name: "route", function: "route_ticket"},
		},
		topics: tickets,
	}

	workflows = []*workflowSpec{blogWriter, ticketTriage}
)

// user is someone using the demo AgentOS; weight is how active they are.
type user struct {
	id     string
	weight int
}

// users are the people using the demo AgentOS, most active first.
var users = []user{
	{"ana@example.com", 22},
	{"ben.okafor@example.com", 17},
	{"chen.wei@example.com", 14},
	{"dmitri@example.com", 12},
	{"emma.schulz@example.com", 11},
	{"farah@example.com", 10},
	{"gus@example.com", 8},
	{"hiro.tanaka@example.com", 6},
}

// agentTools and teamTools hold, for every agent and team leader, the tool
// steps Exact draws from when a run needs more tool calls than its
// conversation makes: the agent's own tools and those its conversations
// and delegated tasks call (not the ones that need a confirmation, which
// would pause the run, nor the failing ones); a team leader's are its
// members'.
var agentTools, teamTools = collectTools()

func collectTools() (map[*agentSpec][]toolStep, map[*teamSpec][]toolStep) {
	agentTools, teamTools := map[*agentSpec][]toolStep{}, map[*teamSpec][]toolStep{}
	type key struct {
		owner      *agentSpec
		name, args string
	}
	seen := map[key]bool{}
	add := func(a *agentSpec, steps []toolStep) {
		for _, s := range steps {
			if k := (key{a, s.name, s.args}); !s.confirm && !s.failed && !seen[k] {
				seen[k] = true
				agentTools[a] = append(agentTools[a], s)
			}
		}
	}
	every := append([]*agentSpec(nil), agents...)
	for _, a := range agents {
		for _, ex := range a.exchanges {
			add(a, ex.calls)
		}
		for _, ex := range a.followups {
			add(a, ex.calls)
		}
	}
	for _, t := range teams {
		every = append(every, t.members...)
		for _, ex := range t.exchanges {
			for _, d := range ex.delegations {
				add(t.members[d.member], d.calls)
			}
		}
	}
	for _, w := range workflows {
		for _, s := range w.steps {
			if s.agent != nil {
				every = append(every, s.agent)
			}
		}
	}
	for _, a := range every {
		add(a, a.tools)
	}
	for _, t := range teams {
		for _, m := range t.members {
			teamTools[t] = append(teamTools[t], agentTools[m]...)
		}
	}
	return agentTools, teamTools
}
