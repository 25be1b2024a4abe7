package web_test

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestZZShot(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	eval[bool](t, b, `(document.querySelectorAll('.fs-samples button')[1].click(), true)`)
	before := eval[int](t, b, countResults)
	chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid=score]`)))
	waitResult(t, b, before)
	eval[bool](t, b, `(document.querySelectorAll('[data-testid=sentence]')[1].click(), true)`)
	time.Sleep(3 * time.Second)
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/shot.png", buf, 0o644)
}
