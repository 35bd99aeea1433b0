package tls_test

import (
	"testing"

	"lucid/tls"
)

func TestZZECHResume(t *testing.T) {
	f := newECHFixture(t)
	key := echKey(t, 2, true)
	scfg := f.server(key)
	var events []string
	scfg.Observer = func(e tls.Event) {
		if e.Kind == tls.EventDecision || e.Kind == tls.EventCheck {
			events = append(events, e.Name+": "+e.Detail)
		}
	}
	ccfg := f.client(echList(t, key))
	ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	c, s, _ := echRun(t, lucidClient(ccfg), lucidServer(scfg))
	checkAccepted(t, c, s)
	events = nil
	c, s, _ = echRun(t, lucidClient(ccfg), lucidServer(scfg))
	checkAccepted(t, c, s)
	t.Logf("resumed %v %v", c.state.DidResume, s.state.DidResume)
	for _, e := range events {
		t.Log(e)
	}
}
