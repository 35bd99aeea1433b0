package main

import (
	"bytes"
	"crypto/hpke"
	"encoding/binary"
	"errors"
	"fmt"

	"lucid/internal/record"
	"lucid/internal/wire"
	"lucid/tls"
)

// Encrypted Client Hello in the demo (--ech, RFC 9849). The seed's first
// step, the client saying hello and naming the site, is the one step TLS
// 1.3 still takes in clear: the server name (SNI) is in the ClientHello.
// With --ech the demo's server gets an ECH key whose config names a public
// name, and a certificate for that name from the demo's CA; the client
// gets the config list, as it would from DNS. The wiretap then relays an
// outer hello for the public name, with the real one sealed inside.
//
// The demo opens the outer hello with the server's ECH key, as the server
// does and as Wireshark does when given ECH keys: the key log's secrets
// belong to the inner hello's transcript, so the capture decodes only
// once the inner hello stands in for the outer one. The wiretap has no
// such key; the narration tells what it saw.

// demoPublicName is the public name of the demo server's ECH config: the
// one name the path sees.
const demoPublicName = "public.lucid.example"

// demoECHConfigID is the config_id of the demo server's only ECH key.
const demoECHConfigID = 7

// demoECH is the demo's ECH setup and what the two ends said of it.
type demoECH struct {
	key        tls.EncryptedClientHelloKey
	list       []byte // the ECHConfigList the client was given
	publicCert tls.Certificate

	// What the ends reported on the main connection: the "ech" decision
	// of each, and the server name of the inner hello the server read
	// from its ClientHelloInner event.
	serverDecision string
	clientDecision string
	serverInner    string
	accepted       bool
}

// newDemoECH makes the server's ECH key and the certificate for its
// public name, which the server shows to a client whose encrypted hello
// it cannot open (RFC 9849 §6.1.6).
func newDemoECH(issue func(names []string) (tls.Certificate, error)) (*demoECH, error) {
	key, err := tls.GenerateEncryptedClientHelloKey(demoPublicName, demoECHConfigID)
	if err != nil {
		return nil, err
	}
	list, err := tls.MarshalECHConfigList(key.Config)
	if err != nil {
		return nil, err
	}
	cert, err := issue([]string{demoPublicName})
	if err != nil {
		return nil, fmt.Errorf("issuing the public name's certificate: %w", err)
	}
	return &demoECH{key: key, list: list, publicCert: cert}, nil
}

// observe keeps what an end's events say about ECH.
func (e *demoECH) observe(server bool) func(tls.Event) {
	return func(ev tls.Event) {
		switch {
		case ev.Kind == tls.EventDecision && ev.Name == "ech":
			if server {
				e.serverDecision = ev.Detail
			} else {
				e.clientDecision = ev.Detail
			}
		case server && ev.Name == "ClientHelloInner":
			for _, f := range ev.Fields {
				if f.Key == "server_name" {
					e.serverInner, _ = f.Value.(string)
				}
			}
		}
	}
}

// echOpener opens a capture's outer ClientHellos with a server's ECH key:
// the first with the encapsulated key it carries, a second one (after a
// HelloRetryRequest) with the same HPKE context (RFC 9849 §6.1.5).
type echOpener struct {
	config    wire.ECHConfig
	priv      hpke.PrivateKey
	recipient *hpke.Recipient
}

func newECHOpener(k tls.EncryptedClientHelloKey) (*echOpener, error) {
	c, err := wire.ParseECHConfig(k.Config)
	if err != nil {
		return nil, err
	}
	kem, err := hpke.NewKEM(c.KEM)
	if err != nil {
		return nil, err
	}
	priv, err := kem.NewPrivateKey(k.PrivateKey)
	if err != nil {
		return nil, err
	}
	return &echOpener{config: c, priv: priv}, nil
}

// open returns the ClientHelloInner message that the outer hello body
// carries encrypted.
func (o *echOpener) open(outer *wire.ClientHello, body []byte) ([]byte, error) {
	e := outer.ECH
	if e == nil || e.Inner {
		return nil, errors.New("the hello carries no outer encrypted_client_hello")
	}
	if e.ConfigID != o.config.ConfigID {
		return nil, fmt.Errorf("the hello names config id %d, the key is %d", e.ConfigID, o.config.ConfigID)
	}
	kdf, err := hpke.NewKDF(e.Suite.KDF)
	if err != nil {
		return nil, err
	}
	aead, err := hpke.NewAEAD(e.Suite.AEAD)
	if err != nil {
		return nil, err
	}
	if len(e.Enc) > 0 {
		info := append([]byte("tls ech\x00"), o.config.Raw...)
		if o.recipient, err = hpke.NewRecipient(e.Enc, o.priv, kdf, aead, info); err != nil {
			return nil, err
		}
	}
	if o.recipient == nil {
		return nil, errors.New("a hello with an empty enc before any with one")
	}
	// The associated data is the outer hello with the payload zeroed
	// (ClientHelloOuterAAD, RFC 9849 §5.2).
	start, end, ok := wire.ECHPayloadSpan(body)
	if !ok {
		return nil, errors.New("the ECH payload cannot be found in the hello")
	}
	aad := bytes.Clone(body)
	clear(aad[start:end])
	encoded, err := o.recipient.Open(aad, e.Payload)
	if err != nil {
		return nil, fmt.Errorf("the inner hello does not decrypt: %w", err)
	}
	return wire.DecodeClientHelloInner(encoded, body)
}

// echHello is an outer ClientHello of the capture, and what was inside.
type echHello struct {
	record int
	outer  *wire.ClientHello
	// outerLen and innerLen are the handshake messages' lengths, header
	// included.
	outerLen, innerLen int
	inner              *wire.ClientHello
}

// openRecord swaps a capture record holding a whole outer ClientHello for
// one holding the inner hello it carries, so that the decoder follows the
// handshake the two ends had. It returns rec unchanged when rec holds no
// such hello or o is nil.
func (d *decoded) openRecord(o *echOpener, r *tapRecord) []byte {
	if !r.fromClient || r.typ != record.TypeHandshake {
		return r.raw
	}
	body, ok := wholeMessage(r.raw, wire.TypeClientHello)
	if !ok {
		return r.raw
	}
	outer, err := wire.ParseClientHello(body)
	if err != nil || outer.ECH == nil || outer.ECH.Inner {
		return r.raw
	}
	h := &echHello{record: r.n, outer: outer, outerLen: wire.HeaderLen + len(body)}
	d.ech = append(d.ech, h)
	if o == nil {
		return r.raw
	}
	msg, err := o.open(outer, body)
	if err != nil {
		d.problem("record %d: opening the encrypted ClientHello: %v", r.n, err)
		return r.raw
	}
	if len(msg) > record.MaxPlaintext {
		d.problem("record %d: the inner ClientHello (%d bytes) does not fit one record", r.n, len(msg))
		return r.raw
	}
	if h.inner, err = wire.ParseClientHello(msg[wire.HeaderLen:]); err != nil {
		d.problem("record %d: the inner ClientHello: %v", r.n, err)
		return r.raw
	}
	h.innerLen = len(msg)
	rec := make([]byte, 0, record.HeaderLen+len(msg))
	rec = append(rec, r.raw[:3]...)
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(msg)))
	return append(rec, msg...)
}

// echView is step 1's ECH, as the capture and the two ends tell it.
type echView struct {
	// grease is a GREASE extension: the client had no config.
	grease     bool
	publicName string // the outer hello's server name
	configID   uint8
	suite      string
	encLen     int
	payloadLen int
	outerLen   int
	innerLen   int
	// innerName is the server name the demo read in the inner hello,
	// opened with the server's key; serverInner the one the server's
	// own events report.
	innerName   string
	serverInner string
	accepted    bool
	serverSaid  string
	clientSaid  string
}

// echView returns the first hello's ECH, or nil when it carried none.
func (s *story) echView() *echView {
	if s.dec == nil || len(s.dec.ech) == 0 {
		return nil
	}
	h := s.dec.ech[0]
	e := h.outer.ECH
	v := &echView{
		grease: s.ech == nil, publicName: h.outer.ServerName, configID: e.ConfigID,
		suite: e.Suite.String(), encLen: len(e.Enc), payloadLen: len(e.Payload),
		outerLen: h.outerLen, innerLen: h.innerLen,
	}
	if h.inner != nil {
		v.innerName = h.inner.ServerName
	}
	if s.ech != nil {
		v.serverInner, v.accepted = s.ech.serverInner, s.ech.accepted
		v.serverSaid, v.clientSaid = s.ech.serverDecision, s.ech.clientDecision
	}
	return v
}

// checkECH holds the main connection to what --ech promises: the server
// answered the inner hello, for the real name, and the wiretap saw only
// the public name.
func (s *story) checkECH() error {
	v := s.echView()
	switch {
	case v == nil:
		return errors.New("the ClientHello carried no encrypted_client_hello")
	case !s.ech.accepted:
		return fmt.Errorf("the server did not accept ECH: %s", s.ech.clientDecision)
	case v.publicName != demoPublicName:
		return fmt.Errorf("the outer hello names %q, not the public name %q", v.publicName, demoPublicName)
	case v.innerName != demoHost || s.ech.serverInner != demoHost:
		return fmt.Errorf("the inner hello names %q (the server says %q), not %q", v.innerName, s.ech.serverInner, demoHost)
	}
	for _, r := range s.recs {
		if bytes.Contains(r.raw, []byte(demoHost)) {
			return fmt.Errorf("the wiretap saw %q in record %d", demoHost, r.n)
		}
	}
	return nil
}
