// samples.js: sample texts for the page, written by the finscore team for
// this purpose (not taken from any data set). Fictional companies.

export const SAMPLES = Object.freeze([
  {
    title: 'Earnings beat',
    text: 'Northwind Traders reported third-quarter revenue of $2.4 billion, up 14% from a year earlier, ' +
      'ahead of analyst estimates. Operating margin widened to 18.2% as freight costs eased. ' +
      'The company raised its full-year guidance and announced a $500 million share buyback.',
  },
  {
    title: 'Credit warning',
    text: 'Contoso Lending warned that loan delinquencies rose sharply in the quarter and set aside an additional ' +
      '$310 million for credit losses. Moody\'s placed the bank\'s rating on review for downgrade. ' +
      'Shares fell 11% in early trading. Management said liquidity remains adequate but suspended the dividend.',
  },
  {
    title: 'Client e-mail',
    text: 'Hi Anna, following our call: the fund\'s exposure to regional property developers is now about 9% of assets. ' +
      'Two of the issuers breached covenants last month and the regulator has opened an inquiry into one of them. ' +
      'I suggest we discuss reducing the position at Thursday\'s review. Best, Marc',
  },
  {
    title: 'Research note',
    text: 'We maintain our Neutral rating on Fabrikam with a price target of EUR 42. ' +
      'Order intake was in line with expectations, while the backlog remained stable at 1.1x sales. ' +
      'Currency headwinds should fade in the second half. Net debt stands at 1.3x EBITDA.',
  },
]);
