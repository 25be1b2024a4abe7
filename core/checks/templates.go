package checks

// The templates, written by the finscore team for these tests, in the
// styles users paste: earnings releases, analyst notes, filings, headlines
// and client e-mails. Slots are listed at filler.fill. Expected labels
// follow weights/LABELLING.md; the rule a label rests on is cited where it
// is not obvious.

// template is one sentence with slots and its expected sentiment ("" = not
// checked).
type template struct {
	sentiment, text string
}

// all gives every text the same expected sentiment.
func all(sentiment string, texts ...string) []template {
	out := make([]template, len(texts))
	for i, t := range texts {
		out[i] = template{sentiment, t}
	}
	return out
}

// mftTest is a minimum-functionality test: templates that all probe one
// capability, and the risk every filled template must (categories) or must
// not (noRisk) show.
type mftTest struct {
	name       string
	categories []string
	noRisk     bool
	templates  []template
}

// riskTest is the MFT for one risk category: every sentence is negative for
// the company named and must flag the category (it may flag others too).
func riskTest(id string, texts ...string) mftTest {
	return mftTest{name: "MFT risk " + id, categories: []string{id}, templates: all("negative", texts...)}
}

var mftTests = []mftTest{
	{name: "MFT positive results", templates: all("positive",
		"{co}'s net sales rose to {hi} from {lo} a year earlier.", // rule 1: factual growth
		"{co} raised its full-year {year} operating profit forecast after a strong {period-adj} performance.",
		"Operating profit at {co} climbed {pct}% in {period}, beating analysts' estimates.",
		"{co} reported record order intake of {hi} for {period}, up {pct}% year on year.",
		"{co}'s operating loss narrowed to {lo} in {period} from {hi} a year earlier.", // rule 2
		"We upgrade {co} to buy from hold and raise our price target by {pct}% on stronger margins.",
		"{co} won a {amt} contract to modernise the signalling system of a national rail operator.",
		"Earnings per share at {co} came in at {cur} 1.42, well ahead of the consensus of {cur} 1.18.",
		"{co} cut net debt by {pct}% in {year} and lifted its dividend for the fifth year running.",
		"Shares in {co} jumped {pct}% after the group lifted its medium-term margin target.",
		"Hi Tom, quick one: {co} just beat on both revenue and margins in {period}, and guidance went up.",
		"{co} expects revenue growth to accelerate in {year} on the back of a record order backlog.", // rule 5
		"Gross margin at {co} improved by 240 basis points to 41.3% in {period}.",
		"{co} will use the {amt} proceeds from the disposal of its packaging arm to repay bank debt, bringing leverage below 1.5 times.",
	)},
	{name: "MFT negative results", templates: all("negative",
		"{co}'s operating profit fell to {lo} from {hi} in {period}.", // rule 1: factual decline
		"{co} cut its {year} revenue guidance, citing weaker demand in Europe.",
		"{co} issued a profit warning, saying full-year EBIT will come in well below last year's level.",
		"Quarterly earnings at {co} missed consensus by {pct}% as volumes dropped.",
		"{co}'s net loss widened to {hi} in {period} from {lo} a year earlier.",
		"We downgrade {co} to sell and cut our price target by {pct}% after a weak {period-adj} print.",
		"Net sales at {co} declined {pct}% in {period} as key customers ran down their inventories.",
		"{co} lost a {amt} supply contract with its largest customer to a competitor.",
		"{co} booked a {amt} impairment on its retail division in {period}.",
		"Shares in {co} dropped {pct}% after the group withdrew its outlook for {year}.",
		"Hi Sarah, bad news on {co}: {period-adj} margins came in far below our numbers and they cut the dividend.",
		"Order intake at {co} shrank {pct}% year on year in {period}, the third decline in a row.",
		"{co} now expects {year} operating profit of {lo}, down from its earlier forecast of {hi}.", // rule 3
		"Higher freight and energy costs cut {co}'s gross margin by 150 basis points in {period}.",
	)},
	{name: "MFT neutral announcements", templates: all("neutral",
		"{co} will hold its annual general meeting on {date} in {city}.",
		"{co} will publish its {period-adj} results on {date}.", // rule 9: preview
		"{co} has appointed {person} as chief financial officer, succeeding {person2}, who retires at the end of {year} as planned.",
		"{co} will move its head office to a new building in {city} during {year}.",
		"{co} will host a conference call for analysts and investors at 10:00 CET on {date}.",
		"{co} designs and manufactures industrial pumps for customers in more than 40 countries.",
		"The board of {co} has called an extraordinary general meeting for {date} to vote on updated articles of association.",
		"Hi Mark, I've attached {co}'s investor presentation ahead of our call on {date}.",
		"Will {co} beat estimates when it reports on {date}?", // rule 9: question
		"{co} has issued {amt} of seven-year senior notes under its existing debt programme.",
		"{co} has opened a sales office in {city} to serve existing customers in the region.",
		"The annual report of {co} for {year} is now available on the company's website.",
		"{co} will change its ticker symbol on {date} following the name change approved by shareholders.",
		"{co}'s capital markets day will take place in {city}, with presentations by {person} and {person2}.",
	)},
	// Changes stated without adjectives (rules 1 and 2): direction decides,
	// unless the change is nil or exactly as planned.
	{name: "MFT factual changes", templates: []template{
		{"positive", "{co}'s revenue was {hi} in {period}, compared with {lo} a year earlier."},
		{"negative", "{co}'s revenue was {lo} in {period}, compared with {hi} a year earlier."},
		{"positive", "The pre-tax loss of {co} was {lo} in {period}, against {hi} in the same period last year."},
		{"negative", "The pre-tax loss of {co} was {hi} in {period}, against {lo} in the same period last year."},
		{"negative", "{co}'s operating expenses rose {pct}% in {period}."},
		{"positive", "{co}'s net interest income increased to {hi} from {lo}."},
		{"negative", "{co}'s EBITDA decreased to {lo} in {period} from {hi}."},
		{"positive", "Operating cash flow at {co} totalled {hi} in {year}, up from {lo}."},
		{"negative", "{co} shipped {pct}% fewer units in {period} than a year earlier."},
		{"neutral", "{co}'s net sales were {amt} in {period}, unchanged from a year earlier."},
		{"neutral", "{co}'s {period-adj} operating profit of {amt} was exactly in line with the plan the company had set out."},
		{"positive", "{co}'s order backlog stood at {hi} at the end of {period}, against {lo} a year before."},
	}},
	riskTest("credit",
		"{co} failed to pay the {amt} coupon due on its bonds maturing in {year}.",
		"Moody's downgraded {co} to Ba2 from Baa3, pushing the issuer into junk territory.",
		"{co} filed for Chapter 11 bankruptcy protection in Delaware on {date}.",
		"{co} has asked its lenders to waive the leverage covenant test after EBITDA fell short.",
		"S&P placed {co}'s BBB- rating on CreditWatch with negative implications.",
		"Administrators were appointed to {co} on {date}, leaving bondholders facing heavy losses.",
		"{co} is in default after missing an interest payment on its {amt} term loan.",
		"Bad loans at {co} rose to 7.8% of the loan book in {period}, forcing a sharp increase in provisions.",
		"{co} proposed a debt restructuring under which bondholders would take a 40% haircut.",
		"{co} breached the net leverage covenant in its {amt} loan agreement at the end of {period}.",
		"Fitch cut {co} to CCC, citing a high risk of default on the notes that mature in {year}.",
		"Creditors of {co} rejected the proposed standstill, and the company said insolvency proceedings are likely.",
		"{co} will skip the interest payment on its subordinated notes, starting a 30-day grace period.",
	),
	riskTest("liquidity",
		"In its {year} report, {co}'s auditor flagged a material uncertainty over whether the group can continue as a going concern.",
		"{co} has drawn the full {amt} of its revolving credit facility to bolster its cash position.",
		"{co} burned through {amt} of cash in {period} and has funding left for about five months.",
		"{co} has stopped paying dividends to conserve cash while its bank lines come up for renewal.",
		"{co} launched a rights issue at a 45% discount after its lenders demanded new equity.",
		"Deposit outflows at {co} reached {amt} in a single week.",
		"{co} faces {amt} of bond maturities in {year} and has not yet secured refinancing.",
		"{co} has asked its main shareholder for an emergency loan so that it can pay its suppliers.",
		"Suppliers have shortened {co}'s payment terms, putting its working capital under severe strain.",
		"{co} had to post {amt} of extra collateral on its hedges, draining most of its available cash.",
		"{co} froze redemptions in its flagship property fund after a wave of withdrawal requests.",
		"{co} halved its dividend, saying it needs the cash to meet debt repayments.",
		"{co} warned it could run out of cash before the end of {year} unless a buyer is found.",
	),
	riskTest("market",
		"Shares in {co} plunged {pct}% in early trading on {date}.",
		"{co}'s stock tumbled to a record low after a short seller published its report.",
		"The exchange suspended trading in {co} after its shares dropped {pct}% in the first ten minutes.",
		"{co}'s bonds slumped to 62 cents on the dollar.",
		"{co} is now worth half what it was at the start of {year} after a relentless slide in its shares.",
		"{co}'s shares sank {pct}% this week, their worst run since the pandemic sell-off.",
		"{co}'s American depositary receipts tanked {pct}% in New York overnight.",
		"Investors dumped {co} shares, sending them down {pct}% on five times the usual volume.",
		"Implied volatility on {co} options spiked to a two-year high as the shares slid {pct}%.",
		"{co} shares crashed {pct}% at the open in {city}.",
		"A sell-off in mining stocks dragged {co} down {pct}% to a three-year low.",
		"{co}'s shares have entered a bear market, down more than 20% from their peak.",
		"{co} shares extended their losses for a sixth day, falling another {pct}%.",
	),
	riskTest("legal",
		"Shareholders filed a class action against {co} in New York, alleging it misled investors about its {period-adj} sales.",
		"Jurors found {co} liable for breach of contract and awarded the plaintiff {amt}.",
		"{co} agreed to pay {amt} to settle a lawsuit brought by its former distributors.",
		"Judges found that {co}'s best-selling device copies technology patented by {rival} and ordered it off the market.",
		"More than 3,000 patients have filed product-liability claims against {co} over its hip implant.",
		"{co} lost its appeal against the {amt} verdict.",
		"{rival} has sued {co} for {amt}, claiming it poached engineers and took trade secrets.",
		"{co} set aside {amt} for legal claims over its discontinued mortgage products.",
		"A judge denied {co}'s motion to dismiss the securities lawsuit, sending the case to trial.",
		"The High Court in London ordered {co} to pay {amt} plus costs to a former joint-venture partner.",
		"{co} is the defendant in a {amt} arbitration claim brought by a customer over a delayed project.",
		"Legal costs from the dispute with {rival} cut {co}'s profit in {period}.",
		"Former franchisees are suing {co} for {amt}, alleging it broke their contracts.",
	),
	riskTest("regulatory",
		"The SEC has subpoenaed {co} over how it reported customer growth.",
		"The European Commission fined {co} {amt} for abusing its dominant position.",
		"The financial regulator revoked the operating licence of {co}'s payments subsidiary.",
		"Antitrust officials have started formal proceedings against {co} over its exclusive distribution agreements.",
		"{co} was fined {amt} by the data-protection authority for mishandling customer data.",
		"The FDA rejected {co}'s application for its lead drug and asked for an additional trial.",
		"The banking supervisor has frozen {co}'s onboarding of new clients until it fixes its anti-money-laundering controls.",
		"New rules capping card fees will cut {co}'s payments revenue by about {pct}%.",
		"{co} is under investigation by the Treasury for possible breaches of sanctions on shipments to Russia.",
		"A new windfall levy on power generators will cost {co} about {amt} a year.",
		"The telecoms regulator ordered {co} to cut its wholesale prices by {pct}% from {year}.",
		"The prudential regulator ordered {co} to hold an extra {amt} of capital after finding serious control failings.",
		"The environmental agency suspended {co}'s permit to operate its smelter near {city}.",
	),
	riskTest("fraud_governance",
		"{co} will restate its accounts for {year} after finding irregularities in revenue booked by a subsidiary.",
		"{co}'s auditor has quit after a disagreement with management over how inventories were valued.",
		"{co}'s chief executive, {person}, stepped down with immediate effect; no successor has been named.",
		"A short-seller report claims {co} overstated its cash balances by routing money through related parties.",
		"{co} postponed publication of its annual report after its auditors found accounting irregularities.",
		"{co}'s former finance director is in custody, suspected of diverting company funds to private accounts.",
		"The auditor qualified its opinion on {co}'s {year} accounts, citing missing documentation for {amt} of receivables.",
		"Prosecutors charged two {co} directors with insider dealing ahead of the merger announcement.",
		"An internal probe found that managers at {co} had booked fictitious sales worth {amt}.",
		"{co}'s chairman resigned abruptly after a dispute with the board over related-party deals.",
		"{co} said its controls over financial reporting were not effective at year-end.",
		"Whistleblowers allege that {co}'s management backdated contracts to hit quarterly targets.",
		"{co}'s chief financial officer, {person}, left unexpectedly days before the {period-adj} results.",
	),
	riskTest("operational",
		"Hackers encrypted {co}'s order-processing systems, halting deliveries for four days.",
		"{co} is recalling 180,000 e-bikes because their battery packs can overheat.",
		"Production at {co}'s main plant near {city} will be suspended for at least a month after a blaze gutted the paint shop.",
		"Workers at {co}'s three largest warehouses began an indefinite strike on {date}.",
		"{co} disclosed a data breach affecting the personal details of 2.3 million customers.",
		"A shortage of semiconductors forced {co} to idle two assembly lines in {period}.",
		"An IT outage at {co} left online banking customers unable to make payments for two days.",
		"One worker died and the site was shut after a blast in a processing unit at {co}'s refinery.",
		"{co} halted shipments after contamination was found at its largest dairy plant.",
		"Flooding at a key supplier's factory has disrupted {co}'s component deliveries for weeks.",
		"A faulty software update left thousands of {co}'s devices unusable, and customers are asking for refunds.",
		"The collapse of its sole battery-cell supplier has left {co} unable to complete vehicles at its plant.",
		"Port congestion has delayed {co}'s shipments by up to six weeks, and customers are cancelling orders.",
	),
	riskTest("macro",
		"{co} warned that new US tariffs of 25% on its exports could wipe out its margin in the region.",
		"The war has forced {co} to suspend operations at its two plants in the region.",
		"The recession in Germany, {co}'s largest market, is hitting demand for its machines.",
		"{co} said soaring inflation is eroding its customers' purchasing power.",
		"The central bank's surprise 150-basis-point rate hike has sharply raised {co}'s financing costs.",
		"The collapse of the Turkish lira is hurting {co}, which makes a third of its sales in Turkey.",
		"Sanctions on Russia have cut {co} off from suppliers that provided 30% of its nickel.",
		"Political turmoil ahead of a snap election has frozen {co}'s infrastructure orders in Brazil.",
		"Economists expect the economy to contract in {year}, which would weigh on {co}'s loan growth.",
		"Emergency capital controls imposed during the currency crisis have trapped {amt} of {co}'s cash in the country.",
		"Rising unemployment is expected to weaken demand at {co}'s stores through {year}.",
		"Escalating trade tensions between Washington and Beijing threaten {co}'s supply chain in China.",
		"An energy price shock has tripled {co}'s gas bill in {period}.",
	),
	riskTest("earnings",
		"{co} cut its full-year earnings-per-share guidance by {pct}%.",
		"{co}'s {period-adj} EBIT came in {pct}% below the consensus.",
		"{co} issued its second profit warning this year.",
		"Like-for-like sales at {co} fell {pct}% in {period}.",
		"{co} booked a {amt} goodwill impairment on its US business.",
		"{co}'s net loss widened to {hi} from {lo} in {period}.",
		"Price cuts squeezed {co}'s operating margin to 4.2% from 7.9%.",
		"Analysts cut their {year} earnings estimates for {co} by an average of {pct}%.",
		"{co} no longer gives an outlook for {year}, saying visibility on orders is too poor.",
		"Pre-tax profit at {co} halved in {period}.",
		"{co}'s revenue guidance for {period} came in well below what analysts had expected.",
		"{co} expects second-half profit to fall sharply as input costs climb.",
		"Order cancellations will cut {co}'s {year} sales by about {amt}.",
	),
	riskTest("esg",
		"Crude leaking from a ruptured {co} pipeline has fouled 40 kilometres of beaches.",
		"Independent testing showed {co}'s diesel engines emit up to ten times the legal limit of nitrogen oxides on the road.",
		"A report documented forced labour at factories supplying {co}, prompting calls for a boycott.",
		"{co} faces a consumer boycott after its chief executive's remarks went viral.",
		"The tailings dam collapse at {co}'s mine buried a village and poisoned the river.",
		"Dozens of employees say managers at {co} tolerated harassment for years and punished those who complained.",
		"Toxic waste from {co}'s chemical plant contaminated local drinking water.",
		"Two large pension funds sold their {co} shares over its human-rights record.",
		"{co} is under fire from campaigners for financing new coal mines.",
		"A newspaper investigation revealed child labour on cocoa farms supplying {co}.",
		"Revelations that {co} sold customers' data without consent have triggered a wave of account closures.",
		"Safety inspectors say {co} ignored repeated warnings before the factory collapse.",
		"Satellite images show {co}'s suppliers clearing protected rainforest, and retailers are dropping its products.",
	),
	// Risk words without an adverse event for the holder ("When a risk word
	// carries no risk"). Sentiment is left unchecked where the guide allows
	// both neutral and positive.
	{name: "MFT no risk hard negatives", noRisk: true, templates: []template{
		{"positive", "Credit card lending at {co} rose {pct}% as more customers moved their everyday spending to its cards."},
		{"", "Moody's confirmed {co} at A2 with a stable outlook after its annual review."},
		{"positive", "A federal judge threw out the shareholder class action against {co}, finding no evidence that investors were misled."},
		{"positive", "{co} said it was not in breach of any financial covenant at the end of {period}."}, // rule 6
		{"", "{co} ended {period} with {amt} of cash and undrawn credit lines, well above its needs."},
		{"neutral", "{co}'s ESG committee met four times in {year}."},
		{"neutral", "{co} published its {year} sustainability report, covering emissions across its supply chain."},
		{"neutral", "{co} issued a {amt} green bond to finance solar parks."},
		{"positive", "The regulator closed its inquiry into {co} without taking any action."}, // rule 6: a live risk removed
		{"positive", "{co} won its patent case against {rival}, and the court awarded it {amt} in damages."},
		{"", "{co} filed a lawsuit against a former supplier to recover {amt} in overpayments."}, // rule 8
		{"neutral", "{co}'s money-market fund invests only in highly liquid short-term government paper."},
		{"", "{co} completed the planned maintenance shutdown of its refinery near {city} on schedule."},
		{"neutral", "{co} named {person} as its next chief executive, taking over from {person2} at the AGM as planned."},
		{"positive", "{co} repaid its {amt} bridge loan in full, ahead of schedule."},
		{"positive", "{co}'s market share in Nordic retail banking rose to 18% in {year}."},
		{"", "Inflation in {co}'s home market eased to 2.1% in {period}, close to the central bank's target."},
		{"", "The competition authority cleared {co}'s acquisition of {rival} without conditions."},
		{"positive", "An independent investigation found no evidence of fraud at {co}."},
		{"", "{co} said its systems were not affected by the cyberattack on its cloud provider."},
		{"neutral", "{co} sells hedging products that protect clients against market volatility."},
		{"positive", "Fees at {co}'s restructuring and insolvency advisory team rose {pct}% in {year}."},
	}},
}

// pair is a DIR case before filling: the text and its perturbation, and for
// a negated risk the category that must disappear.
type pair struct {
	text, other, category string
}

// dirTest is a directional test: pairs whose second text must move the
// stated score the stated way.
type dirTest struct {
	name      string
	direction string
	margin    float64
	pairs     []pair
}

var dirTests = []dirTest{
	{name: "DIR intensifier negative", direction: SignalDown, margin: intensifierMargin, pairs: []pair{
		{text: "{co}'s {period-adj} results were worse than expected.", other: "{co}'s {period-adj} results were far worse than expected."},
		{text: "Revenue at {co} fell in {period}.", other: "Revenue at {co} fell sharply in {period}."},
		{text: "{co} lowered its {year} profit forecast.", other: "{co} slashed its {year} profit forecast."},
		{text: "Demand for {co}'s products weakened in {period}.", other: "Demand for {co}'s products collapsed in {period}."},
		{text: "{co}'s margins came under pressure in {period}.", other: "{co}'s margins came under severe pressure in {period}."},
		{text: "{co} reported a loss for {period}.", other: "{co} reported a heavy loss for {period}."},
		{text: "Analysts are concerned about {co}'s debt levels.", other: "Analysts are deeply concerned about {co}'s debt levels."},
		{text: "{co}'s order book shrank in {period}.", other: "{co}'s order book shrank dramatically in {period}."},
		{text: "The outlook for {co}'s core market has deteriorated.", other: "The outlook for {co}'s core market has deteriorated significantly."},
		{text: "{co} missed analysts' estimates for {period}.", other: "{co} missed analysts' estimates for {period} by a wide margin."},
		{text: "Shares in {co} declined after the results.", other: "Shares in {co} tumbled after the results."},
		{text: "Hi Ben, {co}'s numbers were disappointing.", other: "Hi Ben, {co}'s numbers were deeply disappointing."},
	}},
	{name: "DIR intensifier positive", direction: SignalUp, margin: intensifierMargin, pairs: []pair{
		{text: "{co}'s {period-adj} results were better than expected.", other: "{co}'s {period-adj} results were far better than expected."},
		{text: "Revenue at {co} rose in {period}.", other: "Revenue at {co} rose strongly in {period}."},
		{text: "{co} raised its {year} profit forecast.", other: "{co} raised its {year} profit forecast substantially."},
		{text: "Demand for {co}'s products improved in {period}.", other: "Demand for {co}'s products improved markedly in {period}."},
		{text: "{co}'s margins widened in {period}.", other: "{co}'s margins widened significantly in {period}."},
		{text: "{co} returned to profit in {period}.", other: "{co} returned to profit in {period}, far sooner than expected."},
		{text: "Analysts are positive about {co}'s growth prospects.", other: "Analysts are very positive about {co}'s growth prospects."},
		{text: "{co}'s order book grew in {period}.", other: "{co}'s order book grew strongly in {period}."},
		{text: "{co} beat analysts' estimates for {period}.", other: "{co} beat analysts' estimates for {period} by a wide margin."},
		{text: "Shares in {co} gained after the results.", other: "Shares in {co} soared after the results."},
		{text: "{co}'s cash flow improved in {year}.", other: "{co}'s cash flow improved dramatically in {year}."},
		{text: "Hi Ben, {co}'s numbers were encouraging.", other: "Hi Ben, {co}'s numbers were extremely encouraging."},
	}},
	{name: "DIR negated risk", direction: RiskDown, margin: riskMargin, pairs: []pair{
		{"{co} missed the interest payment on its notes due {year}.", "{co} did not miss the interest payment on its notes due {year}, contrary to market rumours.", "credit"},
		{"{co} is in breach of the leverage covenant on its term loan.", "{co} is not in breach of the leverage covenant on its term loan and has ample headroom.", "credit"},
		{"S&P downgraded {co} to junk.", "S&P kept {co}'s investment-grade rating unchanged.", "credit"},
		{"The auditor raised substantial doubt about {co}'s ability to continue as a going concern.", "The auditor found no material uncertainty about {co}'s ability to continue as a going concern.", "liquidity"},
		{"{co} has tapped the full amount of its revolving credit facility.", "{co} has not drawn on its revolving credit facility, which remains fully available.", "liquidity"},
		{"Former customers have filed a class action against {co}.", "A judge dismissed the class action filed against {co} by former customers.", "legal"},
		{"The competition authority opened an antitrust investigation into {co}.", "The competition authority closed its investigation into {co} without finding any infringement.", "regulatory"},
		{"{co}'s auditor refused to sign off the {year} accounts.", "{co}'s auditor signed off the {year} accounts without qualification.", "fraud_governance"},
		{"{co}'s chief financial officer resigned without explanation.", "{co}'s chief financial officer will retire at the end of {year} as planned, with {person} named as successor.", "fraud_governance"},
		{"{co} is recalling its best-selling model over a steering fault.", "{co} said no recall of its best-selling model is needed after tests found no steering fault.", "operational"},
		{"A strike has halted production at {co}'s plant near {city}.", "Unions called off the planned strike at {co}'s plant near {city}, and production continues as normal.", "operational"},
		{"Shares in {co} plunged {pct}% on {date}.", "Shares in {co} were little changed on {date}.", "market"},
		{"{co} cut its {year} profit guidance.", "{co} confirmed its {year} profit guidance.", "earnings"},
		{"Inspectors found that {co} dumped toxic waste into the river near its plant.", "Inspectors found no evidence that {co} dumped toxic waste into the river near its plant.", "esg"},
		{"New US tariffs will hit {co}'s exports.", "{co}'s exports are exempt from the new US tariffs.", "macro"},
	}},
	{name: "DIR added risk clause", direction: RiskUp, margin: riskMargin, pairs: []pair{
		{text: "{co} will hold its annual general meeting on {date}.", other: "{co} will hold its annual general meeting on {date}, a week after missing a bond payment."},
		{text: "{co} will publish its {period-adj} results on {date}.", other: "{co} will publish its {period-adj} results on {date}, later than planned because its auditor raised accounting concerns."},
		{text: "{co} has moved its head office to {city}.", other: "{co} has moved its head office to {city} after a fire destroyed its previous headquarters."},
		{text: "{co} has appointed {person} as head of investor relations.", other: "{co} has appointed {person} as head of investor relations, days after its chief financial officer quit without explanation."},
		{text: "{co} makes packaging for food and drinks companies.", other: "{co}, which makes packaging for food and drinks companies, is being sued by customers over contaminated containers."},
		{text: "{co} will host a capital markets day in {city} on {date}.", other: "{co} will host a capital markets day in {city} on {date}, as regulators investigate its sales practices."},
		{text: "{co} operates 240 stores across Scandinavia.", other: "{co} operates 240 stores across Scandinavia and has warned it may not be able to refinance its debt."},
		{text: "{co} has issued {amt} of five-year notes.", other: "{co} has issued {amt} of five-year notes at a 14% coupon to repay a loan that is in default."},
		{text: "The board of {co} met on {date}.", other: "The board of {co} met on {date} to discuss a rescue plan after the group breached its loan covenants."},
		{text: "{co} is headquartered in {city}.", other: "{co}, headquartered in {city}, halted production after its workers went on strike."},
		{text: "{co} sells its software to mid-sized banks.", other: "{co}, which sells its software to mid-sized banks, disclosed a data breach affecting client records."},
		{text: "{co}'s shares are listed in {city}.", other: "{co}'s shares, listed in {city}, were suspended after plunging {pct}%."},
	}},
}
