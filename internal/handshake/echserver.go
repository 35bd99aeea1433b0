package handshake

import (
	"bytes"
	"crypto/hpke"
	"fmt"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// echServer is what a server decided about a hello's encrypted_client_hello
// (RFC 9849 §7.1): whether it opened the inner hello, and if so the HPKE
// context a second hello after a HelloRetryRequest is opened with.
type echServer struct {
	accepted  bool
	suite     wire.ECHSuite
	configID  uint8
	recipient *hpke.Recipient
	// retry is the ECHConfigList of the keys marked SendAsRetry, sent in
	// EncryptedExtensions when the server goes on with the outer hello.
	retry []byte
}

// openECH looks at a first ClientHello's encrypted_client_hello. It returns
// the inner hello and its message when a key opens it; nil, nil when the
// server goes on with the outer hello, as RFC 9849 §7.1 has it for a hello
// no key opens; an error when the hello breaks a rule.
//
// Candidate keys are those whose config_id matches the hello's: §7.1 makes
// that the default, and a server that tried every key would let anyone
// make it run one HPKE decapsulation per configured key per hello.
func (s *server) openECH(outer *wire.ClientHello, msg []byte) (*wire.ClientHello, []byte, error) {
	cfg := s.cfg
	e := outer.ECH
	// RFC 9849 §7: a shared-mode server never sees an inner hello directly.
	if e.Inner {
		return nil, nil, alert.New(alert.IllegalParameter, "ClientHello carries the inner encrypted_client_hello, which only an encrypted hello may")
	}
	if _, ok := outer.Unknown[wire.ExtECHOuterExtensions]; ok {
		return nil, nil, alert.New(alert.IllegalParameter, "ClientHello carries ech_outer_extensions, which only an encoded inner hello may (RFC 9849 §5.1)")
	}
	var list []ECHKey
	if cfg.ECHKeys != nil {
		var err error
		if list, err = cfg.ECHKeys(helloInfo(outer, version.TLS13)); err != nil {
			return nil, nil, err
		}
	}
	st := &s.mem.ech
	s.ech = st
	var retry [][]byte
	for _, k := range list {
		if k.SendAsRetry {
			retry = append(retry, k.Config.Raw)
		}
	}
	if len(retry) > 0 {
		var err error
		if st.retry, err = wire.MarshalECHConfigList(retry...); err != nil {
			return nil, nil, alert.New(alert.InternalError, "retry configs: %v", err)
		}
	}
	// reason is why the last key with the hello's config id did not
	// open it; "" when none has that id.
	var reason string
	body := msg[wire.HeaderLen:]
	for _, k := range list {
		if k.Config.ConfigID != e.ConfigID {
			continue
		}
		encoded, r, why := openECHWith(k, e, body)
		if encoded == nil {
			reason = why
			continue
		}
		inner, innerMsg, err := s.checkInner(encoded, body)
		if err != nil {
			return nil, nil, err
		}
		st.accepted, st.suite, st.configID, st.recipient = true, e.Suite, e.ConfigID, r
		s.result.ECHAccepted = true
		cfg.decide(DecisionECH, fmt.Sprintf("accepted: the outer hello named %s (config id %d, %s); the server answers the inner hello, which names %s",
			nameOrNone(outer.ServerName), e.ConfigID, e.Suite.String(), nameOrNone(inner.ServerName)))
		cfg.emitInner(MessageReceived, len(innerMsg), inner)
		return inner, innerMsg, nil
	}
	if cfg.Observe != nil { // the detail is built only for an observer
		switch {
		case len(list) == 0:
			reason = "the server has no ECH keys"
		case reason == "":
			reason = fmt.Sprintf("no key has config id %d", e.ConfigID)
		}
		detail := "rejected: " + reason + "; the server answers the outer hello, for " + nameOrNone(outer.ServerName)
		if st.retry != nil {
			detail += ", and sends retry configs"
		}
		cfg.decide(DecisionECH, detail)
	}
	return nil, nil, nil
}

// openECHWith tries one key on the outer extension e of the hello body,
// returning the EncodedClientHelloInner and the context that opened it, or
// nil and why not.
func openECHWith(k ECHKey, e *wire.ECHClientHello, body []byte) ([]byte, *hpke.Recipient, string) {
	offered := false
	for _, s := range k.Config.Suites {
		offered = offered || s == e.Suite
	}
	kdf, aead, ok := echSuite(e.Suite)
	if !offered || !ok {
		return nil, nil, fmt.Sprintf("config id %d does not offer %s", e.ConfigID, e.Suite.String())
	}
	r, err := hpke.NewRecipient(e.Enc, k.Key, kdf, aead, echInfo(k.Config.Raw))
	if err != nil {
		return nil, nil, "the encapsulated key is not valid: " + err.Error()
	}
	encoded, err := r.Open(outerAAD(body), e.Payload)
	if err != nil {
		return nil, nil, fmt.Sprintf("decryption with config id %d failed", e.ConfigID)
	}
	return encoded, r, ""
}

// outerAAD is ClientHelloOuterAAD (RFC 9849 §5.2): the outer hello's body
// with the ECH payload zeroed.
func outerAAD(body []byte) []byte {
	aad := bytes.Clone(body)
	if start, end, ok := wire.ECHPayloadSpan(aad); ok {
		clear(aad[start:end])
	}
	return aad
}

// checkInner rebuilds the inner hello from its encoding and the outer
// hello, parses it and applies RFC 9849 §7.1: it carries the inner
// encrypted_client_hello and offers nothing below TLS 1.3.
func (s *server) checkInner(encoded, outerBody []byte) (inner *wire.ClientHello, innerMsg []byte, err error) {
	if innerMsg, err = wire.DecodeClientHelloInner(encoded, outerBody); err != nil {
		return nil, nil, err
	}
	if inner, err = wire.ParseClientHelloOwned(innerMsg[wire.HeaderLen:]); err != nil {
		return nil, nil, err
	}
	if inner.ECH == nil || !inner.ECH.Inner {
		return nil, nil, alert.New(alert.IllegalParameter, "the inner ClientHello lacks the inner encrypted_client_hello extension")
	}
	if len(inner.SupportedVersions) == 0 {
		return nil, nil, alert.New(alert.IllegalParameter, "the inner ClientHello offers no supported_versions, so TLS 1.2 at most")
	}
	for _, v := range inner.SupportedVersions {
		if !wire.IsGREASE(v) && v < version.TLS13 {
			return nil, nil, alert.New(alert.IllegalParameter, "the inner ClientHello offers %s; ECH requires TLS 1.3", version.Name(v))
		}
	}
	return inner, innerMsg, nil
}

// openSecondECH opens the hello that follows a HelloRetryRequest after the
// server accepted ECH, with the first hello's context (RFC 9849 §7.1.1).
func (s *server) openSecondECH(outer *wire.ClientHello, msg []byte) (*wire.ClientHello, []byte, error) {
	st := s.ech
	e := outer.ECH
	switch {
	case e == nil:
		return nil, nil, alert.New(alert.MissingExtension, "second ClientHello lacks encrypted_client_hello after the server accepted ECH")
	case e.Inner:
		return nil, nil, alert.New(alert.IllegalParameter, "second ClientHello carries the inner encrypted_client_hello")
	case e.Suite != st.suite || e.ConfigID != st.configID:
		return nil, nil, alert.New(alert.IllegalParameter, "second ClientHello changes the ECH config or cipher suite")
	case len(e.Enc) != 0:
		return nil, nil, alert.New(alert.IllegalParameter, "second ClientHello's encrypted_client_hello has a non-empty enc")
	}
	if _, ok := outer.Unknown[wire.ExtECHOuterExtensions]; ok {
		return nil, nil, alert.New(alert.IllegalParameter, "ClientHello carries ech_outer_extensions, which only an encoded inner hello may (RFC 9849 §5.1)")
	}
	body := msg[wire.HeaderLen:]
	encoded, err := st.recipient.Open(outerAAD(body), e.Payload)
	if err != nil {
		return nil, nil, alert.New(alert.DecryptError, "second ClientHello's inner hello does not decrypt")
	}
	inner, innerMsg, err := s.checkInner(encoded, body)
	if err != nil {
		return nil, nil, err
	}
	s.cfg.emitInner(MessageReceived, len(innerMsg), inner)
	return inner, innerMsg, nil
}

// echAccepted reports whether the server is answering an inner hello.
func (s *server) echAccepted() bool { return s.ech != nil && s.ech.accepted }

// confirmECH writes the acceptance confirmation into the last 8 bytes of
// sh.Random (RFC 9849 §7.2), over the inner transcript so far.
func (s *server) confirmECH(sh *wire.ServerHello, innerRandom [32]byte) {
	const at = len(sh.Random) - wire.ECHConfirmationLen
	clear(sh.Random[at:])
	th := s.tr.sumWith(sh.Marshal())
	copy(sh.Random[at:], keys.ECHConfirmation(s.tr.alg, innerRandom[:], keys.LabelECHAccept, th))
}

// confirmECHRetry puts the confirmation into a HelloRetryRequest's
// encrypted_client_hello (RFC 9849 §7.2.1); the transcript already holds
// the first inner hello as a message_hash.
func (s *server) confirmECHRetry(hrr *wire.ServerHello, innerRandom [32]byte) {
	hrr.ECHConfirmation = make([]byte, wire.ECHConfirmationLen)
	th := s.tr.sumWith(hrr.Marshal())
	hrr.ECHConfirmation = keys.ECHConfirmation(s.tr.alg, innerRandom[:], keys.LabelECHAcceptHRR, th)
}

func nameOrNone(n string) string {
	if n == "" {
		return "no server name"
	}
	return n
}
