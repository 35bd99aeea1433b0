package handshake

import (
	"crypto"
	"fmt"

	"lucid/internal/wire"
)

// The RFC 8448 replay (rfc8448_replay_test.go) drives a client engine
// through a trace whose ClientHello Lucid cannot produce byte for byte (the
// trace's client offers extensions Lucid does not implement) and whose
// EncryptedExtensions Lucid's client would refuse for the same reason. To
// check everything after those messages against the trace, the replay
// swaps them in where the engine keeps them: its record of the hello it
// sent and its transcript. These hooks exist only in the test binary.

// replayClient finds the client state behind a client engine's current
// step, for the steps the replay splices at.
func replayClient(e *Engine) (*client, error) {
	switch s := e.cur.(type) {
	case *expectServerHello:
		return s.c, nil
	case *expectCertificate:
		return s.c, nil
	case *expectServerFinished:
		return s.keys.c, nil
	}
	return nil, fmt.Errorf("replay: cannot splice a client waiting in %T", e.cur)
}

// SpliceClientHello makes a client engine that has sent a ClientHello
// (Start, or a HelloRetryRequest answered) hold hello as the one it sent:
// the server's answer is then checked against hello's offer. The
// transcript is left to SpliceTranscript.
func SpliceClientHello(e *Engine, hello []byte) error {
	c, err := replayClient(e)
	if err != nil {
		return err
	}
	if len(hello) < wire.HeaderLen || hello[0] != wire.TypeClientHello {
		return fmt.Errorf("replay: not a ClientHello")
	}
	ch, err := wire.ParseClientHello(hello[wire.HeaderLen:])
	if err != nil {
		return err
	}
	c.hello = ch
	c.result.ClientRandom = ch.Random
	return nil
}

// SpliceTranscript replaces a client engine's transcript with msgs, hashed
// with SHA-256 (every suite the replay runs uses it). Before ServerHello
// the messages are kept unhashed, as the engine itself keeps them.
func SpliceTranscript(e *Engine, msgs ...[]byte) error {
	c, err := replayClient(e)
	if err != nil {
		return err
	}
	hashed := c.tr.h != nil
	c.tr = transcript{}
	for _, m := range msgs {
		c.tr.add(m)
	}
	if hashed {
		c.tr.setHash(crypto.SHA256)
	}
	return nil
}
