package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/chromedp/cdproto"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp/remote"
)

// The browser tests fail when the page sends a request off its origin. A
// proxy cannot tell who sent a request: the browser makes calls of its own
// (Chromium 148 opens CONNECT www.google.com:443 through the context's
// proxy), and those are not the page's. So each request is attributed to
// the target that made it, from the DevTools protocol: a second connection
// to the browser attaches to every page and service worker, and from each
// to its dedicated workers and frames, each paused at its start until the
// network events of its session are on. A request that no target reports
// is the browser's own.

// netRequest is one request a target of the browser made.
type netRequest struct {
	Source  string // the target's type: page, iframe, worker, service_worker, shared_worker, ...
	Context string // the target's browser context
	Method  string
	URL     string
	Type    string // the resource type: Document, Script, Fetch, Image, ...
	Blocked string // why the browser stopped it before it left (csp, mixed-content, ...), or ""
}

func (r netRequest) String() string {
	s := fmt.Sprintf("%s: %s %s (%s)", r.Source, r.Method, r.URL, r.Type)
	if r.Blocked != "" {
		s += ", blocked: " + r.Blocked
	}
	return s
}

// leaves reports whether the request went to the network: an http(s) or
// ws(s) URL the browser did not block (data: and blob: URLs never leave).
func (r netRequest) leaves() bool {
	u, err := url.Parse(r.URL)
	return r.Blocked == "" && (err != nil || slices.Contains([]string{"http", "https", "ws", "wss"}, u.Scheme))
}

// netTarget is what the watch knows of an attached target.
type netTarget struct {
	ID      string `json:"targetId"`
	Type    string `json:"type"`
	URL     string `json:"url"`
	Context string `json:"browserContextId"`
}

// netWatch records the requests of every target of a browser.
type netWatch struct {
	conn *remote.Conn
	done chan struct{} // closed when the connection ends

	mu       sync.Mutex
	nextID   int64
	sessions map[target.SessionID]netTarget
	targets  map[string]bool // the targets with a session that records their requests
	log      []netRequest
	last     map[string]int                  // session and request id → index in log of its latest hop
	sent     map[int64]string                // commands awaiting an answer → what they were, for errors
	waiting  map[int64]chan *cdproto.Message // answers someone waits for
	problems []string                        // commands that failed: the record may be incomplete
}

// watchNetwork connects to the browser at wsURL and attaches, from now on,
// to each new target, paused until its network events are on.
func watchNetwork(ctx context.Context, wsURL string) (*netWatch, error) {
	conn, err := remote.DialContext(ctx, wsURL)
	if err != nil {
		return nil, err
	}
	w := &netWatch{
		conn: conn, done: make(chan struct{}),
		sessions: map[target.SessionID]netTarget{}, targets: map[string]bool{}, last: map[string]int{},
		sent: map[int64]string{}, waiting: map[int64]chan *cdproto.Message{},
	}
	go w.read()
	if err := w.call(ctx, "", "Target.setAutoAttach", autoAttach); err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

// autoAttach attaches to related targets, flat sessions, each paused until
// Runtime.runIfWaitingForDebugger.
var autoAttach = map[string]any{"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}

// close ends the connection.
func (w *netWatch) close() {
	w.conn.Close()
	<-w.done
}

// requests returns the requests recorded so far, in order.
func (w *netWatch) requests() []netRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.log)
}

// failures returns the commands to targets that failed (the record may
// then be incomplete).
func (w *netWatch) failures() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.problems)
}

// sync waits for a round trip to the browser, so that the events it sent
// before are recorded.
func (w *netWatch) sync(ctx context.Context) error {
	return w.call(ctx, "", "Target.getTargets", map[string]any{})
}

func (w *netWatch) read() {
	defer close(w.done)
	for {
		var msg cdproto.Message
		if err := w.conn.Read(context.Background(), &msg); err != nil {
			w.mu.Lock()
			for _, ch := range w.waiting {
				close(ch)
			}
			w.waiting = map[int64]chan *cdproto.Message{}
			w.mu.Unlock()
			return
		}
		if msg.ID != 0 {
			w.answer(&msg)
		} else {
			w.event(&msg)
		}
	}
}

func (w *netWatch) answer(msg *cdproto.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := w.waiting[msg.ID]; ok {
		delete(w.waiting, msg.ID)
		ch <- msg
		return
	}
	what := w.sent[msg.ID]
	delete(w.sent, msg.ID)
	if msg.Error != nil {
		w.problems = append(w.problems, fmt.Sprintf("%s: %s", what, msg.Error.Message))
	}
}

// send sends a command without waiting; a failure is noted in problems
// when the target is one whose requests count.
func (w *netWatch) send(session target.SessionID, method string, params any) {
	w.mu.Lock()
	w.nextID++
	id := w.nextID
	if t := w.sessions[session]; counts(t.Type) {
		w.sent[id] = fmt.Sprintf("%s on %s %s", method, t.Type, t.URL)
	}
	w.mu.Unlock()
	w.write(id, session, method, params)
}

// counts reports whether a target of this type acts for a page.
func counts(targetType string) bool {
	return slices.Contains([]string{"page", "iframe", "worker", "service_worker", "shared_worker"}, targetType)
}

// call sends a command and waits for its answer.
func (w *netWatch) call(ctx context.Context, session target.SessionID, method string, params any) error {
	ch := make(chan *cdproto.Message, 1)
	w.mu.Lock()
	w.nextID++
	id := w.nextID
	w.waiting[id] = ch
	w.mu.Unlock()
	if err := w.write(id, session, method, params); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case msg, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: the connection to the browser ended", method)
		}
		if msg.Error != nil {
			return fmt.Errorf("%s: %s", method, msg.Error.Message)
		}
		return nil
	}
}

func (w *netWatch) write(id int64, session target.SessionID, method string, params any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return w.conn.Write(context.Background(), &cdproto.Message{ID: id, SessionID: session, Method: cdproto.MethodType(method), Params: jsonv2.Value(p)})
}

func (w *netWatch) event(msg *cdproto.Message) {
	switch msg.Method {
	case "Target.attachedToTarget":
		var ev struct {
			SessionID  target.SessionID `json:"sessionId"`
			TargetInfo netTarget        `json:"targetInfo"`
		}
		if json.Unmarshal(msg.Params, &ev) != nil {
			return
		}
		w.mu.Lock()
		w.sessions[ev.SessionID] = ev.TargetInfo
		// A target can be attached twice (a service worker from the
		// browser and from its page); one session records it.
		first := !w.targets[ev.TargetInfo.ID]
		w.targets[ev.TargetInfo.ID] = true
		w.mu.Unlock()
		// In order, on the new session: its requests reported (with no
		// bodies kept for the protocol, which would slow every download),
		// its own workers and frames attached the same way, then it may
		// start.
		if first {
			w.send(ev.SessionID, "Network.enable", map[string]any{"maxTotalBufferSize": 0, "maxResourceBufferSize": 0, "maxPostDataSize": 0})
			if ev.TargetInfo.Type != "service_worker" { // no Target domain there
				w.send(ev.SessionID, "Target.setAutoAttach", autoAttach)
			}
		}
		w.send(ev.SessionID, "Runtime.runIfWaitingForDebugger", map[string]any{})

	case "Network.requestWillBeSent", "Network.webSocketCreated":
		var ev struct {
			RequestID string `json:"requestId"`
			URL       string `json:"url"` // webSocketCreated
			Request   struct {
				URL    string `json:"url"`
				Method string `json:"method"`
			} `json:"request"`
			Type string `json:"type"`
		}
		if json.Unmarshal(msg.Params, &ev) != nil {
			return
		}
		r := netRequest{Method: ev.Request.Method, URL: ev.Request.URL, Type: ev.Type}
		if msg.Method == "Network.webSocketCreated" {
			r = netRequest{Method: "GET", URL: ev.URL, Type: "WebSocket"}
		}
		w.mu.Lock()
		t := w.sessions[msg.SessionID]
		r.Source, r.Context = t.Type, t.Context
		w.last[string(msg.SessionID)+" "+ev.RequestID] = len(w.log)
		w.log = append(w.log, r)
		w.mu.Unlock()

	case "Network.loadingFailed":
		var ev struct {
			RequestID     string `json:"requestId"`
			BlockedReason string `json:"blockedReason"`
		}
		if json.Unmarshal(msg.Params, &ev) != nil || ev.BlockedReason == "" {
			return
		}
		w.mu.Lock()
		if i, ok := w.last[string(msg.SessionID)+" "+ev.RequestID]; ok {
			w.log[i].Blocked = ev.BlockedReason
		}
		w.mu.Unlock()
	}
}

// attributionSite is a page without a Content-Security-Policy whose page,
// dedicated worker and service worker each fetch from another origin.
var attributionSite = map[string]string{
	"/": `<!doctype html><title>requests</title><script>
window.done = Promise.allSettled([
  fetch('http://127.0.0.2:1/from-page'),
  new Promise((resolve) => { new Worker('/worker.js').onmessage = resolve; }),
  navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready),
]).then(() => true);
</script>`,
	"/worker.js": `fetch('http://127.0.0.2:1/from-worker').finally(() => postMessage('done'));`,
	"/sw.js":     `self.addEventListener('install', (e) => e.waitUntil(fetch('http://127.0.0.2:1/from-service-worker').catch(() => {})));`,
}
