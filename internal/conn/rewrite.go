package conn

import (
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/wire"
)

// A test that plays a misbehaving peer needs it to say what a correct
// engine never would, while the record layer under it stays the real one:
// Config.RewriteHandshake changes a message after the engine has put it in
// its transcript and before the Core frames it. Framing each rewritten
// message on its own lets the test tell which record carries which
// message. The public tls API has no way to set the hook, and a Core
// without it pays one nil check per flight.

// sendHandshake seals data, one or more whole handshake messages, under
// the current protection, through the rewrite hook if there is one.
func (c *Core) sendHandshake(data []byte) error {
	if c.rewrite == nil {
		return c.seal(record.TypeHandshake, data)
	}
	for len(data) > 0 {
		_, n, ok := wire.Header(data)
		if !ok || len(data) < wire.HeaderLen+n {
			// Not whole messages: nothing a hook could make sense of.
			return c.seal(record.TypeHandshake, data)
		}
		end := wire.HeaderLen + n
		// Capped, so a hook that appends cannot overwrite what follows.
		msg := data[:end:end]
		data = data[end:]
		for _, m := range c.rewrite(msg) {
			if err := c.seal(record.TypeHandshake, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// Engine is the handshake engine the Core drives, for tests that check
// the engine's own state (which message it expects, that a failed engine
// stays failed). Feeding it directly bypasses the Core.
func (c *Core) Engine() *handshake.Engine { return c.engine }
