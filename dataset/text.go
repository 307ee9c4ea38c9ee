package dataset

// Canned conversation content. Placeholders in braces ({order}, {city}, ...) are
// filled per session from vars, so one session talks about one order or city
// throughout. Tool arguments are JSON object text.

// exchange is one user turn of an agent: the question, the tool calls the
// model makes, and its answer.
type exchange struct {
	title  string // session name when the user named the session
	ask    string
	calls  []toolStep
	answer string
	// output, when set, makes the run a structured output: content is the
	// object and content_type the schema's class name.
	output  func(v *vars) (className string, content object)
	summary string
	topics  []string
}

// toolStep is one tool call and its result.
type toolStep struct {
	name, args, result string
	failed             bool
	// parallel: issued in the same assistant message as the previous call.
	parallel bool
	// confirm: the tool requires a human confirmation, so the run pauses here.
	confirm bool
}

// teamExchange is one user turn of a team: delegations to members, then the leader's answer.
type teamExchange struct {
	title       string
	ask         string
	delegations []delegation
	answer      string
	summary     string
	topics      []string
}

// delegation is one delegate_task_to_member call and the member run it causes.
type delegation struct {
	member int // index into teamSpec.members
	task   string
	calls  []toolStep
	result string
}

// workflowTopic is one workflow input and what each step produced for it.
type workflowTopic struct {
	title string
	input string
	// inputObject is the same input given as a dict, as API callers often do.
	inputObject object
	// outputs holds one entry per step: a string, or an object for a structured step.
	outputs []any
}

var supportExchanges = []exchange{
	{
		title: "Order #{order} delivery",
		ask:   "Where is my order #{order}? It was supposed to arrive yesterday.",
		calls: []toolStep{{
			name: "order_status", args: `{"order_id": "{order}"}`,
			result: `{"order_id": "{order}", "status": "in_transit", "carrier": "DHL", "last_scan": "Leipzig hub", "eta": "{isodate}"}`,
		}},
		answer:  "Sorry for the wait! Order #{order} is in transit with DHL. It was last scanned at the Leipzig hub and the new estimated delivery date is **{date}**.\n\nIf it hasn't arrived by then, reply here and I'll send a replacement right away.",
		summary: "The customer asked about late order #{order}; it is in transit with DHL with a new ETA of {date}.",
		topics:  []string{"order status", "shipping delay"},
	},
	{
		title: "Return {product}",
		ask:   "Can I return the {product} I bought two weeks ago? It doesn't fit.",
		calls: []toolStep{{
			name: "search_knowledge_base", args: `{"query": "return policy {product}", "limit": 3}`,
			result: "Return policy (v3, updated 2025-06-01): Unused items can be returned within 30 days of delivery. Return shipping is free for EU and US customers. Refunds are issued to the original payment method within 5 business days after the item is received.",
		}},
		answer:  "Yes, you're still within the 30-day window, so the {product} can be returned for free:\n\n1. Go to **Orders → Return item** and pick order #{order}.\n2. Print the prepaid label.\n3. Drop the parcel at any DHL service point.\n\nYour refund goes back to the original payment method within 5 business days after we receive it.",
		summary: "The customer wants to return the {product}; explained the free 30-day return process.",
		topics:  []string{"returns", "refund policy"},
	},
	{
		title: "Double charge on {plan}",
		ask:   "I was charged twice for my {plan} subscription this month. Can you fix that?",
		calls: []toolStep{{
			name: "billing_lookup", args: `{"customer": "{customer}", "period": "{isomonth}"}`,
			result: `{"charges": [{"id": "ch_3Q{order}A", "amount": {amount}, "currency": "EUR", "date": "{isomonth}-03"}, {"id": "ch_3Q{order}B", "amount": {amount}, "currency": "EUR", "date": "{isomonth}-03"}], "duplicate_suspected": true}`,
		}},
		answer:  "You're right, I can see two charges of €{amount} for the {plan} on the 3rd. That's our mistake, sorry!\n\nI've flagged the second charge (ch_3Q{order}B) for a refund. It will show up on your statement within 3–5 business days.",
		summary: "Duplicate {plan} charge of €{amount} found and flagged for refund.",
		topics:  []string{"billing", "duplicate charge"},
	},
	{
		title:   "Change account email",
		ask:     "How do I change the email address on my account?",
		answer:  "You can change it in a minute:\n\n1. Open **Settings → Account**.\n2. Click **Edit** next to your email address.\n3. Enter the new address and confirm with your password.\n\nWe'll send a confirmation link to the new address; the change takes effect once you click it.",
		summary: "Explained how to change the account email address.",
		topics:  []string{"account settings"},
	},
	{
		title: "App logs me out on iPhone",
		ask:   "The app keeps logging me out on my iPhone since the latest update. Super annoying.",
		calls: []toolStep{{
			name: "search_knowledge_base", args: `{"query": "iOS app logs out after update", "limit": 3}`,
			result: "KB-1182 (known issue): App version 4.12.0 on iOS 18 clears the session token when Background App Refresh is disabled. Fixed in 4.12.1, rolling out since Monday. Workaround: enable Background App Refresh for the app in iOS Settings.",
		}},
		answer:  "Sorry about that, it's a known bug in version 4.12.0 on iOS 18. Two options:\n\n- **Update** to 4.12.1 from the App Store (it's rolling out this week), or\n- **Workaround:** Settings → General → Background App Refresh → turn it on for Northwind.\n\nEither one should keep you logged in.",
		summary: "iOS logout bug KB-1182; suggested updating to 4.12.1 or enabling Background App Refresh.",
		topics:  []string{"ios app", "login"},
	},
	{
		title: "Facture introuvable",
		ask:   "Bonjour, je n'arrive pas à télécharger ma facture du mois dernier. Le lien ne marche pas.",
		calls: []toolStep{{
			name: "get_invoice", args: `{"customer": "{customer}", "period": "{isomonth}"}`,
			result: `{"invoice_id": "INV-{year}-{order}", "status": "available", "url": "https://billing.northwind.example/invoices/INV-{year}-{order}.pdf"}`,
		}},
		answer:  "Bonjour {customer} ! Votre facture INV-{year}-{order} est bien disponible : https://billing.northwind.example/invoices/INV-{year}-{order}.pdf\n\nSi le lien ne s'ouvre toujours pas, déconnectez-vous puis reconnectez-vous : le téléchargement nécessite une session active. Bonne journée !",
		summary: "Customer could not download last month's invoice; sent the direct link to INV-{year}-{order}.",
		topics:  []string{"invoices", "français"},
	},
	{
		title: "Order #{order} arrived damaged",
		ask:   "My order #{order} arrived with a cracked buckle. What can I do?",
		calls: []toolStep{
			{name: "order_status", args: `{"order_id": "{order}"}`, result: `{"order_id": "{order}", "status": "delivered", "delivered_at": "{isodate}", "items": ["{product}"]}`},
			{name: "create_ticket", args: `{"order_id": "{order}", "type": "damaged_item", "priority": "normal"}`, result: `{"ticket_id": "T-{ticket}", "status": "open"}`, parallel: true},
		},
		answer:  "I'm sorry your {product} arrived damaged! I've opened ticket **T-{ticket}** for order #{order}. You don't need to send anything back: a replacement ships within 2 business days, and you'll get the tracking number by email.",
		summary: "Damaged {product} in order #{order}; opened ticket T-{ticket} and arranged a replacement.",
		topics:  []string{"damaged item", "replacement"},
	},
}

var supportRefund = exchange{
	title: "Refund for order #{order}",
	ask:   "Please just refund order #{order}, I don't want a replacement.",
	calls: []toolStep{{
		name: "issue_refund", args: `{"order_id": "{order}", "amount": {amount}, "reason": "customer_request"}`,
		confirm: true,
	}},
	summary: "Customer asked for a refund of order #{order}; waiting for a supervisor to confirm.",
	topics:  []string{"refund"},
}

var supportFollowups = []exchange{
	{ask: "Thanks, that helps!", answer: "You're welcome, {customer}! Is there anything else I can help you with today?"},
	{ask: "Can you send me that in writing by email?", answer: "Done! I've sent a summary of this conversation to the email address on your account. It should arrive within a few minutes; check your spam folder if you don't see it."},
	{
		ask: "Could you also check order #{order2}? It's from the same week.",
		calls: []toolStep{{
			name: "order_status", args: `{"order_id": "{order2}"}`,
			result: `{"order_id": "{order2}", "status": "delivered", "delivered_at": "{isodate}", "signed_by": "neighbour"}`,
		}},
		answer: "Order #{order2} was delivered on {date} and signed for by a neighbour. If you can't find it, let me know and I'll open an investigation with DHL.",
	},
	{ask: "Ok, and how long does the refund take exactly?", answer: "Refunds are processed as soon as the warehouse confirms the return (usually 1–2 days), and your bank then needs up to 5 business days to show it. So about a week in total."},
}

var researchExchanges = []exchange{
	{
		title: "JSONB vs MongoDB for analytics",
		ask:   "What are the main differences between PostgreSQL's JSONB and MongoDB documents for analytics workloads?",
		calls: []toolStep{{
			name: "duckduckgo_search", args: `{"query": "postgres jsonb vs mongodb analytics performance", "max_results": 5}`,
			result: `[{"title": "JSONB or MongoDB? A practical comparison", "href": "https://www.example.dev/blog/jsonb-vs-mongodb", "body": "GIN indexes make containment queries fast, but aggregations over large JSONB columns are slower than columnar stores..."}, {"title": "Aggregation pipeline performance tips", "href": "https://www.mongodb.com/docs/manual/core/aggregation-pipeline-optimization/", "body": "Place $match and $sort early in the pipeline to use indexes..."}]`,
		}},
		answer:  "**Short version:** both are fine for operational queries on semi-structured data; neither is a great analytics engine on its own.\n\n| | PostgreSQL JSONB | MongoDB |\n|---|---|---|\n| Indexing | GIN / expression indexes | Compound, multikey, wildcard indexes |\n| Aggregation | SQL (joins, window functions) | Aggregation pipeline |\n| Joins | Native | `$lookup`, slower |\n| Scale-out | Extensions (Citus) | Native sharding |\n\nFor heavy analytics, most teams replicate into a columnar store (ClickHouse, BigQuery, DuckDB) either way.\n\nSources: example.dev comparison; MongoDB aggregation docs.",
		summary: "Compared PostgreSQL JSONB and MongoDB for analytics; recommended a columnar store for heavy workloads.",
		topics:  []string{"databases", "postgresql", "mongodb"},
	},
	{
		title: "Sodium-ion batteries for grid storage",
		ask:   "Summarise the latest research on sodium-ion batteries for grid storage.",
		calls: []toolStep{{
			name: "duckduckgo_search", args: `{"query": "sodium-ion battery grid storage {year} research", "max_results": 5}`,
			result: `[{"title": "Sodium-ion cells enter grid pilots", "href": "https://www.example-energy.org/news/sodium-ion-pilots", "body": "Several utilities started pilots with 10-100 MWh sodium-ion systems, citing lower material costs and better cold-weather performance..."}, {"title": "Review: hard carbon anodes for Na-ion", "href": "https://doi.org/10.1000/example.2025.118", "body": "Energy density reached 160 Wh/kg at cell level..."}]`,
		}},
		answer:  "Sodium-ion is moving from lab to pilot projects:\n\n- **Cost:** no lithium, cobalt or nickel; cathode materials are cheap and abundant.\n- **Performance:** ~140–160 Wh/kg at cell level, lower than LFP, which matters little for stationary storage.\n- **Cold weather:** keeps most of its capacity at −20 °C.\n- **Maturity:** first 10–100 MWh utility pilots are running; long-term cycle-life data is still limited.\n\nThe evidence is promising but mostly from manufacturer data and short pilots.",
		summary: "Summarised sodium-ion battery research: cheap materials, lower density, early grid pilots.",
		topics:  []string{"energy storage", "batteries"},
	},
	{
		title:   "Why transformers mattered",
		ask:     "Who introduced the transformer architecture and why did it matter so much?",
		answer:  "The transformer was introduced by Vaswani et al. at Google in the 2017 paper *\"Attention Is All You Need\"*.\n\nIt mattered because it replaced recurrence with **self-attention**, which\n1. processes all tokens of a sequence in parallel, so training scales on GPUs/TPUs;\n2. captures long-range dependencies directly;\n3. turned out to scale predictably with data and compute.\n\nAlmost every large language model since (BERT, GPT, T5, Claude, Gemini) builds on it.",
		summary: "Explained the origin and impact of the transformer architecture.",
		topics:  []string{"machine learning", "history"},
	},
	{
		title: "Heat pump vs gas boiler in {city}",
		ask:   "Compare a heat pump and a gas boiler for a 1970s house in {city}. Is it worth switching?",
		calls: []toolStep{{
			name: "duckduckgo_search", args: `{"query": "heat pump vs gas boiler older house running costs {city}", "max_results": 5}`,
			result: `[{"title": "Heat pumps in older homes: what the field trials show", "href": "https://www.example-energy.org/heat-pumps-older-homes", "body": "Seasonal performance factors of 2.8-3.5 were measured in unrenovated houses from the 1960s-80s..."}]`,
		}},
		answer:  "For a typical 1970s house in {city}:\n\n- **Running costs:** with a seasonal efficiency of ~3, a heat pump costs roughly 20–35% less per year than gas at current prices.\n- **Upfront:** €12,000–20,000 before subsidies; a new gas boiler is €4,000–7,000.\n- **Insulation:** field trials show heat pumps work in unrenovated houses, but larger radiators in 1–2 rooms are often needed.\n\nIf your boiler is over 15 years old, switching usually pays off within 8–12 years.",
		summary: "Compared heat pumps and gas boilers for an older house in {city}.",
		topics:  []string{"heating", "energy"},
	},
	{
		title: "Wärmepumpen-Förderung",
		ask:   "Was ist der aktuelle Stand bei der Förderung von Wärmepumpen in Deutschland?",
		calls: []toolStep{{
			name: "duckduckgo_search", args: `{"query": "Wärmepumpe Förderung BEG {year}", "max_results": 5}`,
			result: `[{"title": "Bundesförderung für effiziente Gebäude (BEG): Heizungsförderung", "href": "https://www.example.de/beg-heizungsfoerderung", "body": "Grundförderung 30 %, Klimageschwindigkeitsbonus 20 %, Einkommensbonus 30 %, maximal 70 %..."}]`,
		}},
		answer:  "Kurz zusammengefasst (Stand {year}):\n\n- **Grundförderung:** 30 % der förderfähigen Kosten.\n- **Klimageschwindigkeitsbonus:** +20 % beim Austausch einer alten Öl- oder Gasheizung.\n- **Einkommensbonus:** +30 % bei einem Haushaltseinkommen unter 40.000 € pro Jahr.\n- **Obergrenze:** insgesamt höchstens 70 %, bezogen auf max. 30.000 € Kosten.\n\nDer Antrag muss **vor** der Beauftragung bei der KfW gestellt werden.",
		summary: "Überblick über die BEG-Förderung für Wärmepumpen.",
		topics:  []string{"Förderung", "Wärmepumpe"},
	},
	{
		title:   "少子化対策のまとめ",
		ask:     "日本の少子化対策について、最近の主な政策を簡単にまとめてください。",
		answer:  "最近の主な少子化対策は次のとおりです。\n\n1. **児童手当の拡充**：所得制限の撤廃と高校生までの支給延長。\n2. **出産費用の支援**：出産育児一時金を50万円に引き上げ。\n3. **育児休業の推進**：男性の育休取得率の目標を引き上げ、給付率も改善。\n4. **こども家庭庁**：2023年に発足し、政策を一元化。\n\n効果の評価にはまだ時間がかかる見込みです。",
		summary: "日本の少子化対策（児童手当、出産費用、育休、こども家庭庁）を要約した。",
		topics:  []string{"日本", "少子化"},
	},
}

var researchFollowups = []exchange{
	{ask: "Can you give me the sources as a plain list?", answer: "Sure:\n\n1. https://www.example.dev/blog/jsonb-vs-mongodb\n2. https://www.example-energy.org/news/sodium-ion-pilots\n3. https://doi.org/10.1000/example.2025.118\n\nLet me know if you need them in a citation format (APA, BibTeX)."},
	{ask: "Shorter please — three bullet points max.", answer: "- The main trade-off is cost versus maturity.\n- Early results are promising but come mostly from pilots.\n- Re-check in 12–18 months when long-term data is out."},
	{ask: "What's the strongest counter-argument?", answer: "The strongest counter-argument is that most of the evidence comes from vendors and short pilots; independent, multi-year data is still scarce, so the cost advantage may shrink once real-world degradation is measured."},
}

var sqlExchanges = []exchange{
	{
		title: "Churn by region {quarter}",
		ask:   "What was our churn rate by region in {quarter}?",
		calls: []toolStep{
			{name: "describe_table", args: `{"table": "subscriptions"}`, result: "subscriptions(id bigint, customer_id bigint, plan text, region text, started_at timestamptz, cancelled_at timestamptz, mrr_cents integer)"},
			{name: "run_sql_query", args: `{"query": "SELECT region, round(100.0 * count(*) FILTER (WHERE cancelled_at >= '{qstart}' AND cancelled_at < '{qend}') / count(*), 1) AS churn_pct FROM subscriptions WHERE started_at < '{qstart}' GROUP BY region ORDER BY churn_pct DESC LIMIT 10"}`, result: "region        | churn_pct\n--------------+----------\n{region}      | {pct}\nLATAM         | 4.9\nEMEA          | 3.8\nNorth America | 3.1\n(4 rows)"},
		},
		answer:  "Churn in {quarter} by region:\n\n| Region | Churn |\n|---|---|\n| {region} | {pct}% |\n| LATAM | 4.9% |\n| EMEA | 3.8% |\n| North America | 3.1% |\n\n{region} stands out; it is worth checking whether a price change or a competitor launch happened there this quarter.",
		summary: "Churn by region for {quarter}; {region} highest at {pct}%.",
		topics:  []string{"churn", "subscriptions"},
	},
	{
		title: "Top products by revenue",
		ask:   "Top 5 products by revenue last month?",
		calls: []toolStep{
			{name: "run_sql_query", args: `{"query": "SELECT product_name, sum(revenue) AS revenue FROM order_items WHERE ordered_at >= date_trunc('month', now()) - interval '1 month' GROUP BY 1 ORDER BY 2 DESC LIMIT 5"}`, result: "ERROR:  column \"revenue\" does not exist\nLINE 1: SELECT product_name, sum(revenue) AS revenue FROM order_items...\nHINT:  Perhaps you meant to reference the column \"order_items.revenue_cents\".", failed: true},
			{name: "run_sql_query", args: `{"query": "SELECT product_name, round(sum(revenue_cents) / 100.0, 2) AS revenue_eur FROM order_items WHERE ordered_at >= date_trunc('month', now()) - interval '1 month' AND ordered_at < date_trunc('month', now()) GROUP BY 1 ORDER BY 2 DESC LIMIT 5"}`, result: "product_name         | revenue_eur\n---------------------+------------\nTrailhead Jacket     | 48210.50\nSummit Backpack 30L  | 31877.00\nMerino Base Layer    | 22404.25\n{product}            | 18950.00\nRidge Trail Shoes    | 17322.80\n(5 rows)"},
		},
		answer:  "Top 5 products by revenue last month:\n\n| # | Product | Revenue |\n|---|---|---|\n| 1 | Trailhead Jacket | €48,210.50 |\n| 2 | Summit Backpack 30L | €31,877.00 |\n| 3 | Merino Base Layer | €22,404.25 |\n| 4 | {product} | €18,950.00 |\n| 5 | Ridge Trail Shoes | €17,322.80 |\n\n(Revenue is stored in cents as `revenue_cents`; I converted it to euros.)",
		summary: "Top 5 products by revenue last month; the Trailhead Jacket leads.",
		topics:  []string{"revenue", "products"},
	},
	{
		title: "Daily active users last week",
		ask:   "How many daily active users did we have over the last 7 days?",
		calls: []toolStep{{
			name: "run_sql_query", args: `{"query": "SELECT date_trunc('day', occurred_at)::date AS day, count(DISTINCT user_id) AS dau FROM events WHERE occurred_at >= now() - interval '7 days' GROUP BY 1 ORDER BY 1 LIMIT 7"}`,
			result: "day        | dau\n-----------+------\n(7 rows; min 3,842 on Sunday, max {n} on Tuesday, avg 4,410)",
		}},
		answer:  "Over the last 7 days DAU averaged **4,410**, peaking at {n} on Tuesday and dipping to 3,842 on Sunday, the usual weekend pattern.",
		summary: "DAU for the last 7 days averaged 4,410.",
		topics:  []string{"engagement", "dau"},
	},
	{
		title: "Overdue invoices",
		ask:   "Which customers have unpaid invoices older than 60 days?",
		calls: []toolStep{{
			name: "run_sql_query", args: `{"query": "SELECT c.name, count(*) AS invoices, sum(i.amount_cents) / 100.0 AS overdue_eur FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.paid_at IS NULL AND i.issued_at < now() - interval '60 days' GROUP BY 1 ORDER BY 3 DESC LIMIT 20"}`,
			result: "name                  | invoices | overdue_eur\n----------------------+----------+------------\nHotel Alpenblick GmbH |        3 |    4,870.00\n{customer}            |        2 |    1,240.00\nCafé Lumière          |        1 |      395.00\n(3 rows)",
		}},
		answer:  "Three customers have invoices unpaid for more than 60 days:\n\n| Customer | Invoices | Overdue |\n|---|---|---|\n| Hotel Alpenblick GmbH | 3 | €4,870.00 |\n| {customer} | 2 | €1,240.00 |\n| Café Lumière | 1 | €395.00 |\n\nTotal overdue: €6,505.00.",
		summary: "Listed customers with invoices overdue by more than 60 days (total €6,505).",
		topics:  []string{"invoices", "accounts receivable"},
	},
	{
		title: "Average order value by country {year}",
		ask:   "Show me average order value per country for {year}, top 5.",
		calls: []toolStep{{
			name: "run_sql_query", args: `{"query": "SELECT country, round(avg(total_cents) / 100.0, 2) AS aov_eur, count(*) AS orders FROM orders WHERE ordered_at >= '{year}-01-01' GROUP BY 1 HAVING count(*) > 100 ORDER BY 2 DESC LIMIT 5"}`,
			result: "country | aov_eur | orders\n--------+---------+-------\nCH      |  142.80 |   1,204\nNO      |  131.10 |     655\nDE      |  118.45 |   9,871\nAT      |  112.90 |   1,532\nNL      |  104.30 |   2,210\n(5 rows)",
		}},
		answer:  "Average order value in {year} (countries with >100 orders):\n\n| Country | AOV | Orders |\n|---|---|---|\n| 🇨🇭 Switzerland | €142.80 | 1,204 |\n| 🇳🇴 Norway | €131.10 | 655 |\n| 🇩🇪 Germany | €118.45 | 9,871 |\n| 🇦🇹 Austria | €112.90 | 1,532 |\n| 🇳🇱 Netherlands | €104.30 | 2,210 |",
		summary: "Average order value by country for {year}; Switzerland highest.",
		topics:  []string{"orders", "aov"},
	},
}

var sqlFollowups = []exchange{
	{ask: "Can you give me that as CSV so I can paste it into Sheets?", answer: "```csv\nregion,churn_pct\n{region},{pct}\nLATAM,4.9\nEMEA,3.8\nNorth America,3.1\n```"},
	{
		ask: "Why is {region} so much higher than the rest?",
		calls: []toolStep{{
			name: "run_sql_query", args: `{"query": "SELECT plan, count(*) AS cancellations FROM subscriptions WHERE region = '{region}' AND cancelled_at >= '{qstart}' GROUP BY 1 ORDER BY 2 DESC LIMIT 5"}`,
			result: "plan    | cancellations\n--------+--------------\nStarter |           212\nTeam    |            41\nPro     |            12\n(3 rows)",
		}},
		answer: "Most of the {region} cancellations (212 of 265) are on the **Starter** plan, so it looks like a low-end price-sensitivity issue rather than a product problem. The Team and Pro plans churn at normal rates.",
	},
	{ask: "Thanks. Can you save that query for next month?", answer: "I can't save queries myself, but here it is so you can add it to the shared Metabase collection:\n\n```sql\nSELECT region, count(*) FROM subscriptions GROUP BY region;\n```"},
}

var travelExchanges = []exchange{
	{
		title: "{days} days in {city}",
		ask:   "Plan a {days}-day trip to {city} in {month} for two people, budget around €{budget}.",
		calls: []toolStep{
			{name: "get_weather", args: `{"city": "{city}", "month": "{month}"}`, result: `{"city": "{city}", "month": "{month}", "avg_high_c": {high}, "avg_low_c": {low}, "rainy_days": {rain}}`},
			{name: "search_flights", args: `{"origin": "BER", "destination": "{city}", "date": "{isodate}", "passengers": 2}`, result: `[{"flight": "NW 2141", "departs": "09:40", "arrives": "13:05", "price_eur": {price1}}, {"flight": "NW 2147", "departs": "18:15", "arrives": "21:30", "price_eur": {price2}}]`, parallel: true},
		},
		output:  tripPlan,
		summary: "Planned a {days}-day trip for two to {city} in {month} within €{budget}.",
		topics:  []string{"trip planning", "{city}"},
	},
	{
		title: "Flights to {city}",
		ask:   "Find me flights from Berlin to {city} on {date}.",
		calls: []toolStep{{
			name: "search_flights", args: `{"origin": "BER", "destination": "{city}", "date": "{isodate}", "passengers": 1}`,
			result: `[{"flight": "NW 2141", "departs": "09:40", "arrives": "13:05", "price_eur": {price1}}, {"flight": "NW 2147", "departs": "18:15", "arrives": "21:30", "price_eur": {price2}}]`,
		}},
		answer:  "Two direct options from Berlin to {city} on {date}:\n\n| Flight | Departs | Arrives | Price |\n|---|---|---|---|\n| NW 2141 | 09:40 | 13:05 | €{price1} |\n| NW 2147 | 18:15 | 21:30 | €{price2} |\n\nThe morning flight gives you most of the first day there. Want me to book one?",
		summary: "Found two direct flights from Berlin to {city} on {date}.",
		topics:  []string{"flights"},
	},
	{
		title: "Weather in {city} in {month}",
		ask:   "What's the weather usually like in {city} in {month}?",
		calls: []toolStep{{
			name: "get_weather", args: `{"city": "{city}", "month": "{month}"}`,
			result: `{"city": "{city}", "month": "{month}", "avg_high_c": {high}, "avg_low_c": {low}, "rainy_days": {rain}}`,
		}},
		answer:  "In {month}, {city} typically has highs around **{high} °C** and lows around {low} °C, with about {rain} rainy days. Pack layers and a light rain jacket ☔.",
		summary: "Typical {month} weather in {city}: {high} °C highs, {rain} rainy days.",
		topics:  []string{"weather"},
	},
	{
		title:   "Getting around {city}",
		ask:     "Is it easy to get around {city} without a car?",
		answer:  "Yes, {city} is easy without a car. The centre is walkable, public transport covers the main sights, and a multi-day transit pass usually pays for itself after 4–5 rides. For day trips, regional trains are faster than driving and you skip the parking fees.",
		summary: "Explained getting around {city} without a car.",
		topics:  []string{"transport"},
	},
}

var travelBooking = exchange{
	title: "Book flight to {city}",
	ask:   "Great, please book the 09:40 flight for both of us.",
	calls: []toolStep{{
		name: "book_flight", args: `{"flight": "NW 2141", "date": "{isodate}", "passengers": 2, "max_price_eur": {price1}}`,
		confirm: true,
	}},
	summary: "User asked to book flight NW 2141 to {city}; waiting for confirmation.",
	topics:  []string{"booking"},
}

var travelFollowups = []exchange{
	{ask: "Can you add a day trip somewhere nearby?", answer: "Good idea! Swap day 3 for a day trip: take the morning regional train out of {city} (about an hour), spend the day on the coast or in the hills, and come back for a late dinner. Budget about €60 per person for transport and lunch."},
	{ask: "Make it cheaper, max €{budget2} in total.", answer: "To stay under €{budget2}: take the evening flight (€{price2} instead of €{price1}), pick a guesthouse outside the centre (about €70/night), and use the transit pass instead of taxis. That brings the estimate to roughly €{budget2}."},
	{ask: "Merci ! C'est parfait 🙏", answer: "Avec plaisir ! Bon voyage à {city} ✈️"},
}

var tripActivities = []string{
	"Walking tour of the old town",
	"Food market and cooking class",
	"Museum morning, café afternoon",
	"Sunset viewpoint and dinner",
	"Day at the beach or in the park",
	"Bike ride along the river",
	"Neighbourhood wander and vintage shops",
}

// tripPlan is the travel planner's structured output (output_schema=TripPlan).
func tripPlan(v *vars) (string, object) {
	days := make([]object, 0, v.days)
	for d := 1; d <= v.days; d++ {
		days = append(days, object{
			{"day", d},
			{"title", tripActivities[(d+v.pick)%len(tripActivities)]},
			{"estimated_cost_eur", 60 + (d*37+v.pick*11)%90},
		})
	}
	return "TripPlan", object{
		{"destination", v.city},
		{"travellers", 2},
		{"month", v.month},
		{"flight", object{{"number", "NW 2141"}, {"price_eur", v.price1}}},
		{"days", days},
		{"estimated_total_eur", v.budget - 40},
		{"packing_tips", []string{"Light rain jacket", "Comfortable walking shoes"}},
	}
}

var translatorExchanges = []exchange{
	{
		title:   "Shipping notice in Japanese",
		ask:     "Translate to Japanese: \"Your order has shipped and will arrive on Friday.\"",
		answer:  "ご注文の商品は発送済みで、金曜日に到着予定です。",
		summary: "Translated a shipping notice into Japanese.",
		topics:  []string{"japanese", "translation"},
	},
	{
		title:   "Formal German apology",
		ask:     "Translate into formal German: \"Thank you for your patience, we are looking into it.\"",
		answer:  "Vielen Dank für Ihre Geduld – wir kümmern uns bereits darum.",
		summary: "Translated a support apology into formal German.",
		topics:  []string{"german", "translation"},
	},
	{
		title:   "See you soon 👋",
		ask:     "How do you say \"See you soon! 👋\" in French and Spanish?",
		answer:  "- French: « À bientôt ! 👋 »\n- Spanish: «¡Hasta pronto! 👋»\n\nNote the space before the exclamation mark in French and the inverted ¡ in Spanish.",
		summary: "Translated a greeting into French and Spanish.",
		topics:  []string{"french", "spanish"},
	},
	{
		title:   "Straße vs Strasse",
		ask:     "Is \"Straße\" the same as \"Strasse\"?",
		answer:  "Yes, same word. \"ß\" (Eszett) is the standard spelling in Germany and Austria; Switzerland and Liechtenstein don't use ß and always write \"ss\". In all-caps text, Germany now also allows \"STRASSE\" or \"STRAẞE\".",
		summary: "Explained ß versus ss in German spelling.",
		topics:  []string{"german", "spelling"},
	},
	{
		title:   "Menu item translation",
		ask:     "Translate this menu item to English: \"Crème brûlée à la vanille de Madagascar, tuile aux amandes\"",
		answer:  "Madagascar vanilla crème brûlée with an almond tuile",
		summary: "Translated a dessert menu item from French to English.",
		topics:  []string{"french", "menu"},
	},
	{
		title:   "中文欢迎语",
		ask:     "Translate to Simplified Chinese: \"Welcome to Northwind! We're glad you're here.\"",
		answer:  "欢迎来到 Northwind！很高兴见到你。",
		summary: "Translated a welcome message into Simplified Chinese.",
		topics:  []string{"chinese", "translation"},
	},
}

var translatorFollowups = []exchange{
	{ask: "Make it a bit more casual.", answer: "Sure, a more casual version:\n\n次の金曜日に届くよ！発送したからね 📦"},
	{ask: "Thanks! Can you also give me the romanisation?", answer: "Go-chūmon no shōhin wa hassō-zumi de, kin'yōbi ni tōchaku yotei desu."},
}

var researchTeamExchanges = []teamExchange{
	{
		title: "EV charging in Europe",
		ask:   "Write a short brief on the state of EV charging infrastructure in Europe.",
		delegations: []delegation{
			{member: 0, task: "Find recent figures on public EV charge points in Europe: totals, fast chargers, and the leading countries.",
				calls:  []toolStep{{name: "duckduckgo_search", args: `{"query": "Europe public EV charging points {year} statistics", "max_results": 5}`, result: `[{"title": "European Alternative Fuels Observatory: charging points", "href": "https://alternative-fuels-observatory.example.eu/charging", "body": "More than 800,000 public charging points, of which about 15% are fast chargers (>22 kW)..."}]`}},
				result: "- ~800,000 public charge points in the EU, ~15% fast (>22 kW) [EAFO]\n- Netherlands, Germany and France hold over 60% of them\n- AFIR regulation requires fast chargers every 60 km on core motorways by 2025\n- Source: https://alternative-fuels-observatory.example.eu/charging"},
			{member: 1, task: "Write a 200-word brief for leadership from these notes: ~800k public charge points, 15% fast, NL/DE/FR hold 60%, AFIR requires fast chargers every 60 km on core motorways.",
				result: "**EV charging in Europe: where we stand**\n\nEurope now has roughly 800,000 public charge points, about 15% of them fast chargers. Coverage is uneven: the Netherlands, Germany and France host more than 60% of all points, while much of Eastern and Southern Europe lags behind.\n\nRegulation is closing the gap. The AFIR rules require fast chargers at least every 60 km along core motorways, which will shift investment toward highways and underserved regions.\n\n**What it means for us:** demand for fleet charging is moving from early adopters to the mainstream; partnerships in the lagging markets are the biggest opportunity."},
		},
		answer:  "**EV charging in Europe: where we stand**\n\nEurope now has roughly 800,000 public charge points, about 15% of them fast chargers. Coverage is uneven: the Netherlands, Germany and France host more than 60% of all points, while much of Eastern and Southern Europe lags behind.\n\nRegulation is closing the gap. The AFIR rules require fast chargers at least every 60 km along core motorways, which will shift investment toward highways and underserved regions.\n\n**What it means for us:** demand for fleet charging is moving from early adopters to the mainstream; partnerships in the lagging markets are the biggest opportunity.",
		summary: "Brief on European EV charging: ~800k points, uneven coverage, AFIR targets.",
		topics:  []string{"electric vehicles", "infrastructure"},
	},
	{
		title: "Four-day week trials",
		ask:   "What are the pros and cons of four-day work weeks, based on recent trials?",
		delegations: []delegation{
			{member: 0, task: "Summarise the results of recent four-day work week trials (UK, Iceland, Germany): productivity, wellbeing, how many companies kept it.",
				calls:  []toolStep{{name: "duckduckgo_search", args: `{"query": "four-day week trial results UK Iceland Germany", "max_results": 5}`, result: `[{"title": "The results are in: the UK's four-day week pilot", "href": "https://www.example-autonomy.org/4dw-uk-results", "body": "56 of 61 companies continued the four-day week; revenue broadly unchanged; 71% of employees reported reduced burnout..."}]`}},
				result: "- UK pilot: 56 of 61 companies kept it; revenue flat; 71% report less burnout\n- Iceland: productivity maintained or improved in most workplaces\n- Germany (2024): 45 firms, most continue in some form\n- Caveat: self-selected companies, mostly office work"},
			{member: 1, task: "Turn these findings into a balanced pros/cons summary of about 150 words.",
				result: "**Pros:** In the largest trials (UK, Iceland, Germany) most companies kept the four-day week, output held steady, and employees reported much less burnout: 71% in the UK pilot.\n\n**Cons:** The participating companies volunteered and were mostly office-based, so results may not carry over to shift work, customer support or manufacturing. Coordination with five-day partners and customers needs careful planning.\n\n**Bottom line:** promising for knowledge work; run a time-boxed pilot with clear metrics before committing."},
		},
		answer:  "**Pros:** In the largest trials (UK, Iceland, Germany) most companies kept the four-day week, output held steady, and employees reported much less burnout: 71% in the UK pilot.\n\n**Cons:** The participating companies volunteered and were mostly office-based, so results may not carry over to shift work, customer support or manufacturing. Coordination with five-day partners and customers needs careful planning.\n\n**Bottom line:** promising for knowledge work; run a time-boxed pilot with clear metrics before committing.",
		summary: "Pros and cons of the four-day week from the UK, Iceland and Germany trials.",
		topics:  []string{"future of work", "productivity"},
	},
	{
		title: "WebAssembly outside the browser",
		ask:   "Give me a one-page overview of WebAssembly outside the browser.",
		delegations: []delegation{
			{member: 0, task: "Collect the main use cases and runtimes for server-side / edge WebAssembly (WASI, component model).",
				calls:  []toolStep{{name: "duckduckgo_search", args: `{"query": "server-side WebAssembly WASI component model use cases", "max_results": 5}`, result: `[{"title": "WASI 0.2 and the component model explained", "href": "https://www.example.dev/wasi-preview-2", "body": "WASI 0.2 stabilises the component model, enabling language-agnostic interfaces..."}]`}},
				result: "- Runtimes: Wasmtime, WasmEdge, Wasmer\n- Use cases: edge functions, plugin systems, serverless with µs cold starts\n- WASI 0.2 stabilised the component model (language-agnostic interfaces)\n- Gaps: threads, debugging tooling"},
			{member: 1, task: "Write a one-page overview for engineers from these notes.",
				result: "**WebAssembly beyond the browser**\n\nWasm's sandboxing and tiny startup times (microseconds, not seconds) make it attractive for edge functions, plugin systems and multi-tenant serverless. Mature runtimes include Wasmtime, WasmEdge and Wasmer.\n\nThe big recent step is **WASI 0.2** and the component model: modules written in Rust, Go, Python or JS can call each other through typed interfaces.\n\n**Still rough:** threads, debugging and profiling tools.\n\n**Recommendation:** a good fit for plugins and edge logic today; wait for better tooling before moving core services."},
		},
		answer:  "**WebAssembly beyond the browser**\n\nWasm's sandboxing and tiny startup times (microseconds, not seconds) make it attractive for edge functions, plugin systems and multi-tenant serverless. Mature runtimes include Wasmtime, WasmEdge and Wasmer.\n\nThe big recent step is **WASI 0.2** and the component model: modules written in Rust, Go, Python or JS can call each other through typed interfaces.\n\n**Still rough:** threads, debugging and profiling tools.\n\n**Recommendation:** a good fit for plugins and edge logic today; wait for better tooling before moving core services.",
		summary: "Overview of server-side WebAssembly, WASI 0.2 and its current gaps.",
		topics:  []string{"webassembly", "infrastructure"},
	},
	{
		title: "Quick fact check",
		ask:   "Quick one: is it true that Zürich has the highest cost of living in Europe?",
		delegations: []delegation{
			{member: 0, task: "Check recent cost-of-living rankings for European cities: is Zürich first?",
				calls:  []toolStep{{name: "duckduckgo_search", args: `{"query": "most expensive cities Europe cost of living ranking {year}", "max_results": 5}`, result: `[{"title": "Worldwide Cost of Living {year}", "href": "https://www.example-eiu.com/wcol", "body": "Zürich and Geneva share the top spot in Europe; Singapore leads globally..."}]`}},
				result: "- Zürich and Geneva share first place in Europe in the latest EIU ranking; Singapore is #1 globally\n- Source: https://www.example-eiu.com/wcol"},
		},
		answer:  "Mostly true: in the latest EIU Worldwide Cost of Living ranking, **Zürich shares first place in Europe with Geneva** (Singapore leads globally).",
		summary: "Fact check: Zürich shares the top cost-of-living spot in Europe with Geneva.",
		topics:  []string{"fact check", "cost of living"},
	},
}

var escalationExchanges = []teamExchange{
	{
		title: "Charged after cancelling",
		ask:   "I cancelled my {plan} in {month} and you still charged me. Nobody has answered my emails for a week!",
		delegations: []delegation{
			{member: 0, task: "Customer {customer} says they cancelled the {plan} in {month} but was charged afterwards. Check the subscription and charges and refund if the cancellation was valid.",
				calls:  []toolStep{{name: "billing_lookup", args: `{"customer": "{customer}", "include": ["subscription", "charges"]}`, result: `{"subscription": {"plan": "{plan}", "status": "cancelled", "cancelled_at": "{isomonth}-12"}, "charges": [{"id": "ch_9K{order}", "amount": {amount}, "currency": "EUR", "date": "{isodate}"}]}`}},
				result: "Cancellation on {isomonth}-12 was valid; charge ch_9K{order} (€{amount}) was taken afterwards by mistake. Refund issued, 3–5 business days."},
		},
		answer:  "I'm really sorry, {customer}, both for the charge and for the silence. You did cancel the {plan} correctly, and the €{amount} charge afterwards was our error.\n\nOur billing specialist has already refunded it; you'll see it within 3–5 business days. I've also added a note to your account so this can't happen again.",
		summary: "Charge after a valid {plan} cancellation refunded (€{amount}).",
		topics:  []string{"billing", "cancellation", "escalation"},
	},
	{
		title: "Error 503 when syncing",
		ask:   "Our whole team gets 'Error 503' when syncing since this morning. We have a deadline today!!",
		delegations: []delegation{
			{member: 1, task: "Team account of {customer} gets HTTP 503 on sync since this morning. Check service status and the account's sync logs.",
				calls: []toolStep{
					{name: "check_service_status", args: `{"service": "sync", "region": "eu-central-1"}`, result: `{"service": "sync", "status": "degraded", "incident": "INC-{ticket}", "started_at": "{isodate}T07:42:00Z", "message": "Elevated error rates for workspaces on shard eu-7"}`},
					{name: "get_sync_logs", args: `{"customer": "{customer}", "last_minutes": 60}`, result: "07:58:12 POST /v2/sync 503 shard=eu-7\n08:03:40 POST /v2/sync 503 shard=eu-7\n08:11:05 POST /v2/sync 503 shard=eu-7"},
				},
				result: "Incident INC-{ticket}: sync degraded on shard eu-7 since 07:42 UTC, and the customer's workspace is on eu-7. Engineering is failing the shard over; ETA about 30 minutes. Local changes are kept and will sync afterwards."},
		},
		answer:  "Thanks for your patience, and sorry for the stress on a deadline day. This is on our side: incident **INC-{ticket}** is affecting one of our EU servers, including your workspace.\n\n- Your local changes are safe and will sync automatically once it's fixed.\n- Engineering expects the fix within about 30 minutes.\n\nI'll update you here as soon as it's resolved.",
		summary: "Sync 503s caused by incident INC-{ticket} on shard eu-7; fix expected within 30 minutes.",
		topics:  []string{"outage", "sync", "escalation"},
	},
	{
		title: "VAT invoice and API key",
		ask:   "Two things: I need our invoices re-issued with our VAT number DE{vat}, and the API suddenly rejects our key with 401.",
		delegations: []delegation{
			{member: 0, task: "Re-issue the invoices of {customer} for {year} with VAT number DE{vat}.",
				calls:  []toolStep{{name: "reissue_invoices", args: `{"customer": "{customer}", "year": {year}, "vat_id": "DE{vat}"}`, result: `{"reissued": 4, "invoice_ids": ["INV-{year}-0311", "INV-{year}-0412", "INV-{year}-0518", "INV-{year}-0620"]}`}},
				result: "Re-issued 4 invoices for {year} with VAT ID DE{vat}; sent to the billing contact."},
			{member: 1, task: "API key of {customer} gets 401 since today. Check the key status.",
				calls:  []toolStep{{name: "inspect_api_key", args: `{"customer": "{customer}"}`, result: `{"key_prefix": "nw_live_7Hq", "status": "revoked", "revoked_reason": "rotated by user", "newer_key_prefix": "nw_live_Z2c"}`}},
				result: "The key nw_live_7Hq… was rotated by a team member today; the new key starts with nw_live_Z2c. The customer needs to update their integration."},
		},
		answer:  "Both sorted:\n\n1. **Invoices:** all 4 invoices for {year} were re-issued with VAT number DE{vat} and sent to your billing contact.\n2. **API 401:** someone on your team rotated the API key today. The old key (`nw_live_7Hq…`) is revoked; please switch your integration to the new one starting with `nw_live_Z2c` (Settings → API).",
		summary: "Re-issued {year} invoices with VAT DE{vat}; API 401 caused by a key rotation.",
		topics:  []string{"invoices", "vat", "api keys"},
	},
}

var blogTopics = []workflowTopic{
	{
		title: "Postgres is enough",
		input: "Write a post arguing that Postgres is enough for most startups",
		inputObject: object{
			{"topic", "Postgres is enough for most startups"},
			{"audience", "early-stage CTOs"},
		},
		outputs: []any{
			"- Postgres covers OLTP, JSON documents (JSONB), full-text search, queues (SKIP LOCKED) and vectors (pgvector)\n- One database = one backup, one failover, one set of skills\n- Known limits: very high write throughput, heavy analytics at TB scale\n- Examples: many unicorns ran on a single Postgres primary well past Series B",
			"Every few months a startup asks which five databases it needs. Usually the answer is one: Postgres.\n\nPostgres stores your relational data, but it also handles JSON documents, full-text search, job queues and even vector embeddings. Each extra system you add means another backup strategy, another failover plan and another thing to learn at 3 a.m.\n\nThere are limits: extreme write volumes and terabyte-scale analytics. But most companies hit those much later than they think.",
			"# Postgres Is Enough (For Now, and Probably for Longer Than You Think)\n\n*One database can carry most startups well past product-market fit.*\n\nEvery few months a founder asks which five databases they need. Usually the answer is one: Postgres.\n\nIt stores relational data, JSON documents, full-text search indexes, job queues and vector embeddings. Every extra system adds a backup strategy, a failover plan and a 3 a.m. learning curve.\n\nPostgres has limits: extreme write volumes and terabyte-scale analytics. Most companies reach them much later than they fear. Start with one database; add a second when a measured bottleneck asks for it.",
		},
	},
	{
		title: "Beginner sourdough",
		input: "A beginner's guide to sourdough bread",
		inputObject: object{
			{"topic", "A beginner's guide to sourdough bread"},
			{"audience", "home bakers"},
			{"tone", "friendly"},
		},
		outputs: []any{
			"- Starter: flour + water, fed daily, ready in 5–7 days when it doubles in 4–6 h\n- Basic ratio: 500 g flour, 350 g water, 100 g starter, 10 g salt\n- Timeline: mix → 4 h bulk with folds → shape → overnight fridge → bake 250 °C in a Dutch oven\n- Common mistakes: underproofing, too little steam",
			"Sourdough sounds intimidating, but it's mostly waiting. Start by mixing flour and water and feeding the mixture every day; after about a week your starter will double within a few hours, and then it's ready.\n\nFor your first loaf, mix 500 g flour, 350 g water, 100 g starter and 10 g salt. Fold the dough every 30 minutes for two hours, let it rise, shape it, and leave it in the fridge overnight. Bake it in a very hot Dutch oven.",
			"# Your First Sourdough Loaf, Step by Step\n\n*Sourdough is mostly waiting. Here's how to wait well.*\n\n**1. Make a starter.** Mix flour and water, feed daily. After 5–7 days it doubles in 4–6 hours: it's ready.\n\n**2. Mix.** 500 g flour, 350 g water, 100 g starter, 10 g salt.\n\n**3. Fold and rise.** Fold every 30 minutes for two hours, then let it rise until airy.\n\n**4. Shape and chill.** Shape a tight ball and refrigerate overnight.\n\n**5. Bake.** 250 °C in a preheated Dutch oven: 20 minutes lid on, 25 lid off.\n\nBon appétit! 🍞",
		},
	},
	{
		title: "Go generics in practice",
		input: "Getting started with Go generics: when to use them and when not to",
		outputs: []any{
			"- Generics since Go 1.18: type parameters, constraints, the `comparable` and `any` constraints\n- Good fits: containers, slices/maps helpers (package slices, maps), numeric utilities\n- Poor fits: replacing small interfaces, one-off functions\n- Performance: GC shape stenciling; usually close to hand-written code",
			"Go waited a long time for generics, and now that they're here it's tempting to use them everywhere. Don't.\n\nGenerics shine for data structures and helpers that work across types: think `slices.Sort`, a typed cache, or a `Map` function. If a small interface already expresses what you need, keep the interface: it's easier to read and to mock.",
			"# Go Generics: Use Them Where They Shine\n\n*Type parameters are great for containers and helpers, and unnecessary almost everywhere else.*\n\nGenerics (since Go 1.18) shine for data structures and helpers that work across types: `slices.Sort`, a typed cache, a `Map` function.\n\nIf a small interface already says what you need, keep it: interfaces read better and are easier to fake in tests.\n\nRule of thumb: write the concrete version first, and reach for a type parameter when you're about to copy it for a second type.",
		},
	},
	{
		title: "Nachhaltig reisen",
		input: "Ein Leitfaden für nachhaltiges Reisen in Europa",
		inputObject: object{
			{"topic", "Nachhaltiges Reisen in Europa"},
			{"audience", "Familien"},
			{"language", "de"},
		},
		outputs: []any{
			"- Nachtzüge: Wien–Paris, Berlin–Zürich, Amsterdam–München wieder verfügbar\n- Bahn statt Flug spart bis zu 90 % CO₂ auf Strecken unter 800 km\n- Unterkünfte mit EU-Ecolabel\n- Nebensaison entlastet überlaufene Orte",
			"Nachhaltig reisen heißt nicht, auf Urlaub zu verzichten. Die Nachtzüge sind zurück: Von Wien nach Paris oder von Berlin nach Zürich schläft man einfach durch. Auf Strecken unter 800 km spart die Bahn bis zu 90 % CO₂ gegenüber dem Flugzeug.",
			"# Nachhaltig reisen mit der Familie\n\n*Weniger CO₂, mehr Erlebnis: so geht's.*\n\nDie Nachtzüge sind zurück: Wien–Paris, Berlin–Zürich, Amsterdam–München. Kinder lieben die Schlafabteile, Eltern sparen eine Hotelnacht.\n\nAuf Strecken unter 800 km spart die Bahn bis zu 90 % CO₂. Unterkünfte mit EU-Ecolabel und Reisen in der Nebensaison schonen Umwelt und Geldbeutel.\n\nGute Reise! 🚆",
		},
	},
	{
		title: "Calm notifications",
		input: "Designing calm notifications for productivity apps",
		outputs: []any{
			"- Average knowledge worker gets 60+ notifications/day\n- Batch non-urgent notifications into digests\n- Let users set quiet hours; respect OS focus modes\n- Measure 'notification regret' (dismissed without opening)",
			"Most apps notify too much, and users respond by turning everything off. Calm notifications start with a simple question: would the user be upset to miss this?\n\nBatch everything that isn't urgent into a daily digest, respect quiet hours and OS focus modes, and track how often notifications are dismissed without being opened.",
			"# Designing Calm Notifications\n\n*Notify less, and people will listen more.*\n\nBefore sending a notification, ask: would the user be upset to miss this? If not, it belongs in a digest.\n\n- **Batch** non-urgent updates into one daily summary.\n- **Respect** quiet hours and the OS focus modes.\n- **Measure** \"notification regret\": how often a notification is dismissed unopened.\n\nCalm apps keep their notification permission; noisy ones lose it.",
		},
	},
}

var tickets = []workflowTopic{
	{
		title: "Ticket: parcel missing",
		input: "Subject: Parcel never arrived\n\nHi, my order #{order} shows as delivered but there is nothing at my door or with my neighbours. Can you help? – {customer}",
		inputObject: object{
			{"ticket_id", "T-{ticket}"},
			{"subject", "Parcel never arrived"},
			{"body", "My order #{order} shows as delivered but there is nothing at my door."},
			{"customer", "{customer}"},
		},
		outputs: []any{
			object{{"category", "shipping"}, {"priority", "high"}, {"language", "en"}, {"summary", "Order #{order} marked delivered but not received."}},
			"Hi {customer},\n\nI'm sorry your parcel hasn't turned up. I've opened a trace with DHL for order #{order}, which usually takes 1–2 business days. If it isn't found, we'll send a replacement at no cost.\n\nBest regards,\nNorthwind Support",
			"Routed to the shipping queue (assignee: Farah Haddad, SLA 4 h).",
		},
	},
	{
		title: "Ticket: Rechnung falsch",
		input: "Betreff: Falscher Betrag auf der Rechnung\n\nGuten Tag, auf meiner letzten Rechnung steht €{amount} statt des vereinbarten Rabattpreises. Bitte korrigieren. Mit freundlichen Grüßen, {customer}",
		outputs: []any{
			object{{"category", "billing"}, {"priority", "normal"}, {"language", "de"}, {"summary", "Invoice shows €{amount} instead of the agreed discounted price."}},
			"Guten Tag {customer},\n\nvielen Dank für Ihre Nachricht. Sie haben recht: Der vereinbarte Rabatt wurde nicht berücksichtigt. Wir stellen Ihnen heute eine korrigierte Rechnung aus und erstatten die Differenz.\n\nMit freundlichen Grüßen\nIhr Northwind-Team",
			"Routed to the billing queue (assignee: Jonas Weiß, SLA 24 h).",
		},
	},
	{
		title: "Ticket: feature request dark mode",
		input: "Subject: Dark mode please 🌙\n\nLove the app, but my eyes hurt at night. Any plans for dark mode?",
		outputs: []any{
			object{{"category", "feature_request"}, {"priority", "low"}, {"language", "en"}, {"summary", "Asks for a dark mode."}},
			"Hi there,\n\nThanks for the kind words! Dark mode is one of our most requested features and it's on the roadmap for this quarter. I've added your vote; you'll get an email when it ships 🌙\n\nCheers,\nNorthwind Support",
			"Routed to the product feedback board (label: dark-mode, 212 votes).",
		},
	},
	{
		title: "Ticket: cannot log in",
		input: "Subject: Locked out\n\nI reset my password three times and still get 'invalid credentials'. I have a client call in an hour!",
		inputObject: object{
			{"ticket_id", "T-{ticket}"},
			{"subject", "Locked out"},
			{"body", "I reset my password three times and still get 'invalid credentials'."},
			{"plan", "{plan}"},
		},
		outputs: []any{
			object{{"category", "account_access"}, {"priority", "urgent"}, {"language", "en"}, {"summary", "User locked out after several password resets; time-critical."}},
			"Hi,\n\nSorry for the trouble, especially with a call coming up. After several resets in a row our system temporarily locks the account for safety. I've lifted the lock; please use the most recent reset link (older ones no longer work) and you should be in right away.\n\nBest,\nNorthwind Support",
			"Routed to the account security queue (assignee: on-call, SLA 1 h).",
		},
	},
}

// vars are the per-session values placed into the canned text.
type vars struct {
	order, order2, ticket, customer, product, plan, amount string
	city, month, date, isoDate, isoMonth                   string
	quarter, qStart, qEnd, year, region, pct, n, vat       string
	days, budget, budget2, high, low, rain, price1, price2 int
	pick                                                   int
}

var (
	customers = []string{"José Álvarez", "Zoë Müller", "Amélie Durand", "Ahmed Khan", "田中 裕子", "Priya Natarajan", "Lars Øberg", "Mia Chen", "Siobhán O'Neill", "Björn Svensson"}
	products  = []string{"Alpine Down Jacket", "Trekking Poles (pair)", "Summit Backpack 30L", "Merino Beanie", "Ridge Trail Shoes", "Storm Shell Jacket"}
	plans     = []string{"Pro plan", "Team plan", "Starter plan"}
	cities    = []string{"Lisbon", "Kyoto", "Reykjavík", "Mexico City", "Zürich", "Marrakesh", "Hanoi", "Copenhagen", "São Paulo", "Québec City", "Kraków", "Tbilisi"}
	regions   = []string{"APAC", "LATAM", "EMEA", "North America"}
)
