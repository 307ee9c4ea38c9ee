package bench

// The components the generated sessions pretend to come from, and the canned
// text their conversations are assembled from. "{n}" in a text is replaced by
// a number drawn per run (an order number, a year, a ticket).

// model is an LLM as Agno's Model.to_dict describes it.
type model struct{ id, name, provider string }

var (
	gpt4o     = model{"gpt-4o", "OpenAIChat", "OpenAI"}
	gpt4oMini = model{"gpt-4o-mini", "OpenAIChat", "OpenAI"}
	claude    = model{"claude-sonnet-4-20250514", "Claude", "Anthropic"}
	gemini    = model{"gemini-2.0-flash", "Gemini", "Google"}
)

// tool is a function a model may call, with argument and result templates
// (arguments are JSON object text).
type tool struct {
	name, args, result string
}

// domain is what a component talks about.
type domain struct {
	titles  []string // stored session names
	asks    []string // user messages
	answers []string // sentences of assistant answers
	tools   []tool
	topics  []string // session summary topics
}

// agent is an agent: standalone, a team member or a workflow step's executor.
type agent struct {
	id, name string
	model    model
	system   string
	domain   *domain
}

// team is a team whose leader delegates to its members.
type team struct {
	id, name string
	model    model
	system   string
	members  []*agent
	domain   *domain
}

// workflow runs an agent step, then a function step.
type workflow struct {
	id, name          string
	research          *agent // executor of the first step
	stepNames         [2]string
	functionName      string
	stepDescriptions  [2]string
	inputs, summaries []string
}

var support = &domain{
	titles: []string{"Order #{n} delivery", "Refund for order #{n}", "Damaged blender, order #{n}",
		"Invoice copy for #{n}", "New address for order #{n}", "Double charge on #{n}"},
	asks: []string{
		"Where is my order #{n}? It was supposed to arrive yesterday and the tracking page hasn't changed since Monday. I need it before the weekend because it's a birthday present.",
		"I was charged twice for order #{n}. Can you refund the duplicate payment? My bank statement shows two identical charges of 129.90 EUR on the same day.",
		"The blender from order #{n} arrived with a cracked jar. I'd like a replacement rather than a refund if that's possible — photos attached in my previous email.",
		"Could you send me a copy of the invoice for order #{n}? I need it with our company VAT number (BE0412.345.678) for our accounting team before the quarter closes.",
		"Please change the delivery address of order #{n} to Rue de la Loi 42, 1040 Brussels. I'm moving this week and won't be at the old address anymore.",
		"Hi, ich habe die Bestellung #{n} storniert, aber noch keine Rückerstattung erhalten. Können Sie nachsehen, was los ist?",
	},
	answers: []string{
		"Sorry for the trouble with order #{n}.",
		"I checked with the carrier: the parcel was scanned at the Leipzig hub this morning and the new estimated delivery date is Friday.",
		"I've issued a refund of 129.90 EUR for the duplicate charge; it goes back to your original payment method within 5 business days.",
		"A replacement jar is on its way with express shipping at no cost to you, and you don't need to send the damaged one back.",
		"I've attached the invoice as a PDF with your company's VAT number; you can also download it any time under **Account → Orders → Invoices**.",
		"The delivery address is updated. Because the parcel had not left the warehouse yet, there is no change to the delivery date.",
		"If anything else looks off, just reply to this message and it will come straight back to me.",
		"For your records, the reference of this request is CS-{n}-B.",
	},
	tools: []tool{
		{"order_status", `{"order_id": "{n}"}`,
			`{"order_id": "{n}", "status": "in_transit", "carrier": "DHL", "tracking": "JJD00{n}", "last_scan": {"location": "Leipzig hub", "at": "2025-09-10T06:42:00Z"}, "eta": "2025-09-12", "items": [{"sku": "BL-600", "qty": 1}]}`},
		{"search_knowledge_base", `{"query": "refund duplicate charge policy", "limit": 3}`,
			`Refund policy (v3, updated 2025-06-01): Duplicate charges are refunded automatically once confirmed by the payments team. Refunds are issued to the original payment method within 5 business days. Damaged items may be replaced or refunded at the customer's choice; no return is required for items under 150 EUR.`},
		{"issue_refund", `{"order_id": "{n}", "amount": 129.9, "currency": "EUR", "reason": "duplicate_charge"}`,
			`{"refund_id": "rf_{n}", "status": "pending", "amount": 129.9, "currency": "EUR", "expected_by": "2025-09-17"}`},
		{"update_order", `{"order_id": "{n}", "shipping_address": {"street": "Rue de la Loi 42", "postcode": "1040", "city": "Brussels", "country": "BE"}}`,
			`{"order_id": "{n}", "updated": true, "warehouse_status": "picking"}`},
	},
	topics: []string{"order status", "refunds", "shipping", "invoices", "replacements"},
}

var research = &domain{
	titles: []string{"Go 1.{n} release notes", "Vector databases compared", "EU AI Act timeline",
		"Postgres 17 features", "LLM evaluation methods", "Battery recycling market"},
	asks: []string{
		"Summarize what changed in Go 1.{n} that matters for a team running large HTTP services — GC, the runtime, net/http and the toolchain. Keep it under 300 words with links.",
		"Compare pgvector, Qdrant and Weaviate for about 20 million 768-dimensional embeddings with metadata filtering. Which one would you pick and why?",
		"What are the key dates of the EU AI Act for a company that deploys a general-purpose model in a customer-facing chatbot? Include the obligations per date.",
		"Find the three most cited 2024 papers on evaluating LLM agents with tool use, and give me one paragraph on each with the benchmark they propose.",
		"How big is the lithium-ion battery recycling market in Europe right now and who are the main players? I need numbers with sources for a slide.",
	},
	answers: []string{
		"Here is a short overview based on the official release notes and two well-regarded write-ups.",
		"The headline change is a new garbage collector mode that cuts tail latency for heap-heavy services by 10–40% in the published benchmarks.",
		"pgvector is the simplest choice if you already run PostgreSQL: HNSW indexes handle 20M vectors well, and filtering composes with ordinary SQL.",
		"Qdrant wins on filtered search at high recall thanks to payload indexes, at the cost of running one more stateful service.",
		"The obligations for general-purpose AI models apply from 2 August 2025; transparency duties for chatbots follow on 2 August 2026.",
		"Sources: the official documentation, the project's changelog, and the benchmark repository linked below (accessed 2025-09-10).",
		"Caveat: the market estimates differ by a factor of two between analysts, mostly because of how they count black mass exports.",
		"Let me know if you want this as a table or with more detail on any of the points.",
	},
	tools: []tool{
		{"duckduckgo_search", `{"query": "Go 1.{n} release notes net/http runtime", "max_results": 5}`,
			`[{"title": "Go 1.{n} Release Notes - The Go Programming Language", "href": "https://go.dev/doc/go1.{n}", "body": "The latest Go release, version 1.{n}, arrives six months after its predecessor. Most of its changes are in the implementation of the toolchain, runtime, and libraries."}, {"title": "What's new in Go 1.{n}", "href": "https://example.dev/blog/go-1-{n}", "body": "A tour of the runtime and standard library changes, with benchmarks."}]`},
		{"read_url", `{"url": "https://go.dev/doc/go1.{n}"}`,
			`Go 1.{n} Release Notes. Introduction to Go 1.{n}: The latest Go release arrives six months after Go 1.24. Most of its changes are in the implementation of the toolchain, runtime, and libraries. As always, the release maintains the Go 1 promise of compatibility. Runtime: The garbage collector now ...`},
		{"arxiv_search", `{"query": "LLM agent tool use evaluation benchmark", "max_results": 3}`,
			`[{"id": "2404.0{n}", "title": "Evaluating Tool-Augmented Agents", "authors": ["A. Rao", "M. Chen"], "published": "2024-04-11"}, {"id": "2406.1{n}", "title": "A Benchmark for Multi-Step Tool Use", "authors": ["L. Novak"], "published": "2024-06-02"}]`},
	},
	topics: []string{"go", "databases", "regulation", "evaluation", "market research"},
}

var analytics = &domain{
	titles: []string{"Weekly revenue by region", "Churn in cohort {n}", "Top 10 SKUs last month",
		"Signups funnel drop-off", "Refund rate trend"},
	asks: []string{
		"What was our revenue per region for week {n}, compared with the same week last year? Break it down by channel too.",
		"Which customers from the January cohort churned in the last 30 days, and what did they have in common? Limit it to accounts above 500 EUR MRR.",
		"List the top 10 SKUs by units sold last month with their return rate, and flag anything with a return rate above 8%.",
		"Where do most signups drop off in the onboarding funnel this quarter? Give me conversion between each step.",
	},
	answers: []string{
		"I ran the query against the `analytics.orders` table, excluding test accounts and internal orders.",
		"Revenue grew 12.4% year over year, driven mostly by EMEA (+18%) while APAC was flat.",
		"| region | revenue | yoy |\n|---|---|---|\n| EMEA | 1,284,100 | +18.0% |\n| NA | 2,013,550 | +9.1% |\n| APAC | 611,920 | +0.4% |",
		"Three SKUs exceed the 8% return threshold; all three are apparel with a single size chart.",
		"The biggest drop-off is between email verification and the first project: only 41% of verified users create one within a day.",
		"Note that week {n} had a public holiday in Germany, which explains part of the dip in the DACH numbers.",
	},
	tools: []tool{
		{"run_sql_query", `{"query": "SELECT region, channel, sum(amount) AS revenue FROM analytics.orders WHERE week = {n} GROUP BY 1, 2 ORDER BY 3 DESC"}`,
			`region,channel,revenue\nEMEA,web,812300.10\nEMEA,app,471800.00\nNA,web,1502000.50\nNA,app,511550.00\nAPAC,web,402100.00\nAPAC,app,209820.00`},
		{"list_tables", `{"schema": "analytics"}`,
			`["analytics.orders", "analytics.order_items", "analytics.customers", "analytics.signups", "analytics.events", "analytics.refunds"]`},
		{"describe_table", `{"table": "analytics.orders"}`,
			`[{"column": "order_id", "type": "bigint"}, {"column": "customer_id", "type": "bigint"}, {"column": "region", "type": "text"}, {"column": "channel", "type": "text"}, {"column": "amount", "type": "numeric(12,2)"}, {"column": "week", "type": "integer"}, {"column": "created_at", "type": "timestamptz"}]`},
	},
	topics: []string{"revenue", "churn", "products", "funnel"},
}

var travel = &domain{
	titles: []string{"Lisbon weekend in May", "Flights BER → NRT", "Rome with kids", "Ski trip {n}"},
	asks: []string{
		"Plan a long weekend in Lisbon for two in May: direct flights from Berlin, a boutique hotel in Alfama under 180 EUR a night, and two dinner spots locals like.",
		"Find me the cheapest flight from Berlin to Tokyo in the first week of October with at most one stop, and check the weather forecast for that week.",
		"We're going to Rome with two kids (6 and 9) for five days. What should we see, and how do we avoid the worst queues at the Vatican?",
	},
	answers: []string{
		"Here's a plan that keeps travel time short and leaves room to wander.",
		"The best direct option is TAP TP 539 on Friday at 07:05, back on Monday at 19:40, for 214 EUR per person including a cabin bag.",
		"Memmo Alfama fits the budget at 172 EUR a night and has a terrace with a view over the river.",
		"For dinner, try Taberna da Rua das Flores (no reservations, go at 19:00) and O Velho Eurico for petiscos.",
		"Book the Vatican Museums for the first slot at 08:00 on a weekday; the queue outside is much shorter than at 10:00.",
		"The forecast shows 21–24 °C with a small chance of rain on Sunday, so pack a light jacket.",
	},
	tools: []tool{
		{"search_flights", `{"origin": "BER", "destination": "LIS", "date": "2026-05-{n}", "max_stops": 0}`,
			`[{"flight": "TP539", "depart": "07:05", "arrive": "09:35", "price_eur": 214, "stops": 0}, {"flight": "FR1432", "depart": "13:20", "arrive": "15:55", "price_eur": 96, "stops": 0, "bags": "extra"}]`},
		{"get_weather", `{"city": "Lisbon", "days": 4}`,
			`{"city": "Lisbon", "daily": [{"date": "2026-05-{n}", "max_c": 24, "min_c": 15, "rain_mm": 0}, {"date": "2026-05-{n}", "max_c": 22, "min_c": 14, "rain_mm": 1.2}]}`},
		{"search_hotels", `{"city": "Lisbon", "area": "Alfama", "max_price_eur": 180, "guests": 2}`,
			`[{"name": "Memmo Alfama", "price_eur": 172, "rating": 9.1}, {"name": "Santiago de Alfama", "price_eur": 179, "rating": 9.3}]`},
	},
	topics: []string{"flights", "hotels", "itinerary", "weather"},
}

const systemPreamble = "\n\n<additional_information>\n- Use markdown to format your answers.\n- The current time is 2025-09-10 14:02:11.\n</additional_information>"

var agents = []*agent{
	{"support-agent", "Support Agent", gpt4o, "You are the customer support agent of an online home-appliance shop. Be concise and friendly. Always look up the order before answering a question about it, never promise a date the carrier has not confirmed, and offer a replacement before a refund when an item arrived damaged." + systemPreamble, support},
	{"research-agent", "Research Agent", claude, "You are a careful research assistant. Search the web for primary sources, read them before you cite them, and say so when sources disagree. Answer with short paragraphs and end with a list of sources." + systemPreamble, research},
	{"sql-agent", "SQL Analyst", gpt4oMini, "You answer business questions by querying the analytics warehouse (PostgreSQL). Inspect the schema before writing a query, never modify data, and show the numbers as a markdown table with one sentence of interpretation." + systemPreamble, analytics},
	{"travel-agent", "Travel Planner", gemini, "You plan trips. Prefer direct flights and central hotels, respect the budget the user gives, and check the weather for the travel dates before recommending activities." + systemPreamble, travel},
}

var (
	billingAgent  = &agent{"billing-agent", "Billing Specialist", gpt4oMini, "You handle payments, refunds and invoices for the support team." + systemPreamble, support}
	shippingAgent = &agent{"shipping-agent", "Shipping Specialist", gpt4oMini, "You track parcels and change deliveries for the support team." + systemPreamble, support}
	webResearcher = &agent{"web-researcher", "Web Researcher", claude, "You search the web and summarize what you find with sources." + systemPreamble, research}
	dataAnalyst   = &agent{"data-analyst", "Data Analyst", gpt4oMini, "You query the analytics warehouse and report numbers precisely." + systemPreamble, analytics}
)

var teams = []*team{
	{"customer-care-team", "Customer Care Team", gpt4o, "You lead a customer care team. Delegate billing questions to the Billing Specialist and delivery questions to the Shipping Specialist, then answer the customer yourself in one message." + systemPreamble, []*agent{billingAgent, shippingAgent}, support},
	{"research-team", "Research Team", claude, "You coordinate research: delegate searches to the Web Researcher and number crunching to the Data Analyst, then write the final answer with sources." + systemPreamble, []*agent{webResearcher, dataAnalyst}, research},
}

var workflows = []*workflow{
	{
		id: "blog-post-workflow", name: "Blog Post Generator", research: webResearcher,
		stepNames: [2]string{"Research", "Draft"}, functionName: "draft_post",
		stepDescriptions: [2]string{"Collect sources on the topic", "Write the post from the research notes"},
		inputs: []string{"Write a blog post about what changed in Go 1.{n} for HTTP services",
			"Blog post: a practical introduction to pgvector with {n} million embeddings",
			"Write a post on the EU AI Act obligations that apply from August 2026"},
		summaries: []string{"# What changed in Go 1.{n}\n\nGo 1.{n} is a quiet release on the surface and a busy one underneath. ",
			"# pgvector in practice\n\nIf you already run PostgreSQL, you may not need another database for embeddings. "},
	},
	{
		id: "weekly-report-workflow", name: "Weekly Data Report", research: dataAnalyst,
		stepNames: [2]string{"Query", "Format"}, functionName: "format_report",
		stepDescriptions: [2]string{"Run the weekly revenue queries", "Format the numbers as a report"},
		inputs:           []string{"Weekly revenue report for week {n}", "Churn report for the cohort of week {n}"},
		summaries: []string{"# Weekly report, week {n}\n\nRevenue grew 12.4% year over year. ",
			"# Churn report\n\nChurn in the cohort stayed below the 3% target. "},
	},
}

// users are the user ids sessions belong to.
var users = func() []string {
	names := []string{"ana", "ben", "chloe", "dmitri", "eva", "farid", "greta", "hiro", "ines", "jonas",
		"kemal", "lena", "mateo", "nora", "olu", "priya", "quentin", "rosa", "sven", "tamar"}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "@example.com"
	}
	return out
}()

// commonSentences pad answers so messages reach a few hundred bytes.
var commonSentences = []string{
	"Let me know if you'd like me to go into more detail on any of this.",
	"I double-checked the figures against the source before replying.",
	"Everything above reflects the state as of this morning; I'll update you if something changes.",
	"If you prefer, I can also send this summary by email.",
}
