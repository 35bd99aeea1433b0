package conn

import (
	"lucid/internal/handshake"
	"lucid/internal/record"
)

// Rest lets the connection's record protection rest while the caller waits
// for the network (record/rest.go): a collection meanwhile may free the
// ciphers, and the next record rebuilds them from the traffic secrets.
// Only TLS 1.3 protection after the handshake rests, since only there the
// Core holds the secret each cipher is rebuilt from.
func (c *Core) Rest() {
	if !c.engine.Done() {
		return
	}
	if a, ok := c.in.opener.(*record.AEAD13); ok && c.in.traffic.Suite != nil {
		a.Rest()
	}
	if a, ok := c.out.sealer.(*record.AEAD13); ok && c.out.traffic.Suite != nil {
		a.Rest()
	}
}

// wake makes p ready for a record after Rest, rebuilding its cipher from t
// if the collector took it.
func wake(p any, t handshake.Traffic) error {
	a, ok := p.(*record.AEAD13)
	if !ok || a.Wake() {
		return nil
	}
	fresh, err := t.Protection()
	if err != nil {
		return err
	}
	return a.Adopt(fresh)
}
