package web_test

import (
	"strings"
	"testing"
	"time"
)

// TestChoosingAnotherSentenceCancelsTheExplanation checks that an
// explanation still running (a sentence of 500 words: seconds of work even
// capped) is cancelled when another sentence is chosen: its worker is
// stopped, its row is cleared, and the sentence chosen last is explained.
func TestChoosingAnotherSentenceCancelsTheExplanation(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	words := strings.Fields("the company said revenue rose in the quarter while margins narrowed and management expected demand to stay firm across its main markets, with costs rising for freight and labour")
	long := make([]string, 500)
	for i := range long {
		long[i] = words[i%len(words)]
	}
	text := strings.Join(long, " ") + ".\nShares fell 12% after the profit warning."
	if got := scoreInPage(t, b, text); len(got.Texts) != 2 {
		t.Fatalf("the page shows %+v, want two sentences", got)
	}
	// Count the workers the page stops.
	eval[bool](t, b, `(window.__terminated = 0, Worker.prototype.terminate = ((stop) => function () { window.__terminated++; return stop.call(this); })(Worker.prototype.terminate), true)`)
	const rows = `document.querySelectorAll('[data-testid=sentence]')`
	eval[bool](t, b, `(`+rows+`[0].click(), true)`)
	waitFor(t, b, "the long sentence's explanation to start", rows+`[0].querySelector('.fs-drivers').textContent.includes('Finding')`, 10*time.Second)
	eval[bool](t, b, `(`+rows+`[1].click(), true)`)
	waitFor(t, b, "the short sentence's driving words", rows+`[1].querySelector('.fs-driver-list li, .fs-drivers .fs-muted:not(:empty)') !== null && !`+rows+`[1].querySelector('.fs-drivers').textContent.includes('Finding')`, time.Minute)
	if n := eval[int](t, b, `window.__terminated`); n != 1 {
		t.Errorf("%d workers stopped, want the one explaining the long sentence", n)
	}
	if got := eval[string](t, b, rows+`[0].querySelector('.fs-drivers').textContent`); got != "" {
		t.Errorf("the long sentence's row still shows %q", got)
	}
	if got := eval[string](t, b, rows+`[0].getAttribute('aria-pressed') + ' ' + `+rows+`[1].getAttribute('aria-pressed')`); got != "false true" {
		t.Errorf("rows pressed: %s, want false true", got)
	}

	// Let the long one finish: its row says how many words were not tried.
	eval[bool](t, b, `(`+rows+`[0].click(), true)`)
	waitFor(t, b, "the long sentence's driving words", rows+`[0].querySelector('[data-testid=unexplained]') !== null`, 3*time.Minute)
	note := eval[string](t, b, rows+`[0].querySelector('[data-testid=unexplained]').textContent`)
	if !strings.Contains(note, "words were not tried") {
		t.Errorf("the long sentence's note: %q", note)
	}
	t.Logf("long sentence: %q", note)
}
