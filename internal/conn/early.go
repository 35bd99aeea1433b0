package conn

import (
	"errors"

	"lucid/internal/alert"
	"lucid/internal/record"
)

// 0-RTT data (RFC 8446 §2.3, §4.2.10) in the core. A client seals early
// data under its early key right after its first flight (WriteEarly); a
// server that accepted it reads it under the early key until
// EndOfEarlyData, before the handshake is done, and may write its own
// data (0.5-RTT) once its flight is out. The engine decides whether early
// data is offered or accepted and installs the keys; the core enforces
// the sizes.

// ErrNoEarlyData is WriteEarly's answer when no 0-RTT data may be sent:
// none was offered, or the early key is no longer in force.
var ErrNoEarlyData = errors.New("tls: no early data can be sent now")

// InEarlyData reports whether a server is between accepting 0-RTT data
// and the client's Finished: the data it reads may be a replay's until
// then, as far as the handshake can tell (RFC 8446 §8).
func (c *Core) InEarlyData() bool {
	return !c.in.client && c.engine.Result().EarlyData.Accepted && !c.engine.Done()
}

// ReadingEarlyData reports whether a server still reads under the
// client's early key, before EndOfEarlyData.
func (c *Core) ReadingEarlyData() bool { return c.in.early }

// EarlyDataRoom is how many more bytes of 0-RTT data a client may send
// now: what is left of the session's limit while the early key writes,
// 0 otherwise.
func (c *Core) EarlyDataRoom() int {
	if !c.in.client || !c.out.early || c.out.err != nil {
		return 0
	}
	return max(int(c.engine.Result().EarlyData.Limit)-int(c.out.earlySent), 0)
}

// WriteEarly seals b as 0-RTT data under the client's early key, as much
// of it as EarlyDataRoom allows, and reports how much it took.
func (c *Core) WriteEarly(b []byte) (int, error) {
	room := c.EarlyDataRoom()
	if room == 0 {
		if c.out.err != nil {
			return 0, c.out.err
		}
		return 0, ErrNoEarlyData
	}
	n := min(len(b), room)
	if n == 0 {
		return 0, nil
	}
	if err := c.seal(record.TypeApplicationData, b[:n]); err != nil {
		return 0, err
	}
	// n is within the room left under the 32-bit limit.
	c.out.earlySent += uint32(n)
	return n, nil
}

// earlyData counts n bytes of 0-RTT data a server read, and refuses more
// than the session allows: RFC 8446 §4.2.10 has the server end such a
// connection with unexpected_message.
func (c *Core) earlyData(n int) error {
	read := int(c.in.earlyRead) + n
	if limit := int(c.engine.Result().EarlyData.Limit); read > limit {
		return alert.New(alert.UnexpectedMessage, "%d bytes of 0-RTT data, more than the %d the ticket allows", read, limit)
	}
	c.in.earlyRead = uint32(read) // at most the limit, a uint32
	return nil
}

// earlySkipLimit is how many bytes of protected records a server skips as
// 0-RTT data it did not accept: RFC 8446 §4.2.10 bounds it by the
// configured max_early_data_size, which counts plaintext, so each full
// record of it may add the most protection adds (RFC 8446 §5.2: 256
// bytes); a server that allows none still skips maxEarlySkip, as before
// 0-RTT was configured.
func (c *Core) earlySkipLimit() int {
	m := int(c.out.maxEarly)
	return max(maxEarlySkip, m+(m/record.MaxPlaintext+1)*earlyRecordExpansion)
}
