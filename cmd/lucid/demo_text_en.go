package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"lucid/pki"
	"lucid/tls"
)

// The English narration. demo_text_zh.go tells the same story in the
// seed's language; both read the same story and facts.

func titlesEN(s *story) titles {
	t := titles{
		steps: []string{
			"The client starts an HTTPS request",
			"The server has a certificate signed by a CA",
			"The server chooses, sends its certificate and signs",
			"The client checks the certificate",
			"The key exchange: a secret that never crosses the wire",
			"Both sides derive the session keys; Finished MACs",
			"The client sends the HTTP request, encrypted",
			"The server answers; the client decrypts",
		},
		attacks: map[string]string{
			"tamper":    "Tampering: the wiretap flips one bit of the request",
			"replay":    "Replay: the wiretap delivers the request twice",
			"impostor":  "Impostor: the wiretap answers with its own certificate",
			"downgrade": "Downgrade: the wiretap rewrites the ClientHello to TLS 1.2",
		},
	}
	if s.opts.RSA {
		t.steps[2] = "The server chooses and sends its certificate"
		t.steps[4] = "The client sends a random, encrypted with the public key"
	}
	return t
}

func narrateEN(w io.Writer, s *story) error {
	p := newPrinter(w, 13)
	t := titlesEN(s)
	d := s.dec
	v := tls.VersionName(s.cs.Version)

	p.line("Lucid demo: one HTTPS request, step by step, live on 127.0.0.1.")
	p.line("%s, key exchange %s. Steps 1-8 follow the seed's flow;", v, s.kxName())
	p.line("after them the wiretap attacks.")

	// 1. ClientHello.
	p.step("1", t.steps[0])
	p.line("   A browser would connect to port 443. Here all three parties run")
	p.line("   in this process, on loopback ports:")
	p.line("     server   %-16s a Lucid TLS server", s.o.serverAddr)
	p.line("     wiretap  %-16s a relay in the middle: it passes every", s.o.tapAddr)
	p.line("     %-25s byte on and writes down what it saw", "")
	p.line("     client   connects to the wiretap, asks for https://%s%s", demoHost, demoPath)
	off := helloOffer(d.hello)
	p.line("   The client's first message, ClientHello, travels in clear, so the")
	p.line("   wiretap reads what the client offers:")
	p.list("versions", off.versions)
	p.list("cipher suites", off.suites)
	p.list("groups", off.groups)
	if len(off.shares) > 0 {
		p.list("key shares", off.shares)
	}
	p.list("signatures", off.schemes)
	p.kv("server name", off.serverName+" (SNI)")
	p.list("ALPN", off.alpn)
	p.kv("random", "32 bytes, fresh for this connection")
	if !s.is13() {
		p.line("   --tls 1.2 caps both ends at TLS 1.2, so the client offers no")
		p.line("   TLS 1.3 and sends no key shares: TLS 1.2 exchanges keys later.")
	}
	if s.opts.RSA {
		p.line("   The one TLS 1.2 suite is the seed's: RSA key transport. Lucid")
		p.line("   offers it only when Config.CipherSuites names it, as here.")
	}

	// 2. The certificate.
	leaf := s.cert.Leaf
	p.step("2", t.steps[1])
	p.line("   Made a moment ago, in memory only, gone when the demo exits:")
	p.kv("CA", fmt.Sprintf("%s (%s, self-signed)", s.caCert.Subject, pki.KeyName(s.caCert.PublicKey)))
	p.kv("server", fmt.Sprintf("%s (%s, signed by the CA)", leaf.Subject, pki.KeyName(leaf.PublicKey)))
	p.line("   The server keeps the private key; the certificate carries the")
	p.line("   public key and the name, and the CA's signature binds the two.")
	p.line("   The client trusts this CA and no other (Config.RootCAs).")
	if s.opts.RSA {
		p.line("   An RSA key this time: RSA key transport needs a key that can")
		p.line("   decrypt, not only sign.")
	}

	// 3. ServerHello, certificate, signature.
	p.step("3", t.steps[2])
	p.line("   ServerHello picks one of each from the client's offer:")
	p.kv("version", v)
	p.kv("cipher suite", tls.CipherSuiteName(s.cs.CipherSuite))
	p.kv("key exchange", s.kxName())
	p.kv("ALPN", s.cs.NegotiatedProtocol)
	if s.is13() {
		hrr := "no, the client's key share was accepted"
		if s.cs.DidHelloRetryRequest {
			hrr = "yes, the server asked for another key share"
		}
		p.kv("hello retry", hrr)
	}
	p.kv("random", "32 bytes of the server's own")
	switch {
	case s.is13():
		p.line("   From here on everything the server sends is encrypted under")
		p.line("   handshake keys (step 6), even its certificate:")
		p.line("   EncryptedExtensions, Certificate (%d certificate), CertificateVerify,", d.chain)
		p.line("   Finished. CertificateVerify is the seed's \"hash, then encrypt")
		p.line("   with the private key\": a signature over the whole handshake so")
		p.line("   far, which only the holder of the certificate's key can make:")
	case s.opts.RSA:
		p.line("   In TLS 1.2 the rest of the server's flight is in clear:")
		p.line("   Certificate (%d certificate) and ServerHelloDone.", d.chain)
		p.line("   With RSA key transport the server signs nothing: the only")
		p.line("   signature is the CA's, on the certificate. The server proves it")
		p.line("   holds the private key later, by decrypting what the client")
		p.line("   sends (steps 5 and 6).")
	default:
		p.line("   In TLS 1.2 the rest of the server's flight is in clear:")
		p.line("   Certificate (%d certificate), ServerKeyExchange (an ephemeral", d.chain)
		p.line("   %s public key) and ServerHelloDone. The public key", tls.CurveID(d.kxGroup))
		p.line("   is signed: the seed's \"hash, then encrypt with the private key\":")
	}
	if sig := d.sig; sig != nil {
		p.kv("signature", fmt.Sprintf("%s, %s, %d bytes", sig.message, sig.scheme, sig.sigLen))
		p.wrapped(pad("signed", 13)+" ", sig.signed)
	}

	// 4. Certificate checks.
	peer := s.cs.PeerCertificates[0]
	p.step("4", t.steps[3])
	p.kv("subject", peer.Subject.String())
	p.kv("names", certNames(peer))
	p.kv("issuer", peer.Issuer.String())
	p.kv("valid", fmt.Sprintf("%s to %s", fmtTime(peer.NotBefore), fmtTime(peer.NotAfter)))
	p.kv("public key", pki.KeyName(peer.PublicKey))
	p.line("   Lucid's client checked each of these before going on; the demo")
	p.line("   re-checks them from the captured bytes:")
	for _, c := range s.checks {
		mark := "ok  "
		if !c.ok {
			mark = "BAD "
		}
		p.wrapped(mark+pad(c.id, 6)+" ", c.detail)
	}
	p.line("   Any failure here ends the handshake with an alert, not with a")
	p.line("   warning to click through (see the impostor attack).")

	// 5. Key exchange.
	p.step("5", t.steps[4])
	switch {
	case s.opts.RSA:
		p.line("   This is the seed's step 5, literally. The client made a random")
		p.line("   48-byte pre-master secret, encrypted it under the RSA public key")
		p.line("   from the certificate (PKCS #1 v1.5), and sent it in")
		p.line("   ClientKeyExchange. The wiretap saw all %d bytes of it:", len(d.encPreMaster))
		for _, l := range hexLines(d.encPreMaster, 16, 4) {
			p.line("     %s", l)
		}
		p.line("   Only the server's private key opens it. That is also the flaw:")
		p.line("   there is no forward secrecy. Whoever records this conversation")
		p.line("   and one day gets the server's private key (a breach, a court")
		p.line("   order, an old disk) decrypts the pre-master secret, and with it")
		p.line("   every key of step 6 and every byte of steps 7 and 8. TLS 1.3")
		p.line("   removed RSA key transport for this, and for the padding oracles")
		p.line("   it invited (Lucid's server treats a bad decryption like a good")
		p.line("   one, RFC 5246 §7.4.7.1).")
	case s.is13():
		p.line("   The seed's client encrypts a random with the server's public")
		p.line("   key. TLS 1.3 does what the seed's DH remark suggests instead:")
		p.line("   each side sent a key share for %s, client %d bytes,", s.kxName(), d.clientShareLen)
		p.line("   server %d, and combined the other's with its own private part.", d.serverShareLen)
		if s.cs.CurveID == tls.X25519MLKEM768 {
			p.line("   (%s is a hybrid: X25519 plus ML-KEM-768, which", s.kxName())
			p.line("   resists a future quantum computer.)")
		}
		p.line("   Both got the same shared secret; the wiretap saw both shares and")
		p.line("   still cannot compute it. The private parts are thrown away, so")
		p.line("   even a stolen server key cannot decrypt this recording later:")
		p.line("   forward secrecy. The server's key only signs (step 3).")
	default:
		p.line("   The seed's client encrypts a random with the server's public")
		p.line("   key. This suite does what the seed's DH remark suggests instead:")
		p.line("   the server's ephemeral %s key came in ServerKeyExchange", tls.CurveID(d.kxGroup))
		p.line("   (%d bytes, signed), the client's in ClientKeyExchange (%d bytes).", d.serverShareLen, d.clientShareLen)
		p.line("   Each side combined the other's public key with its own private")
		p.line("   one into the same pre-master secret; the wiretap saw both public")
		p.line("   keys and still cannot compute it. The private parts are thrown")
		p.line("   away, so a stolen server key cannot decrypt this recording")
		p.line("   later: forward secrecy.")
	}

	// 6. Keys and Finished.
	p.step("6", t.steps[5])
	if s.is13() {
		p.line("   HKDF-%s mixes the shared secret with hashes of the handshake", s.prfName())
		p.line("   (which hold both randoms) into one secret per direction and")
		p.line("   phase. The client's Config.KeyLogWriter logged them (NSS format):")
	} else {
		p.line("   The TLS 1.2 PRF (HMAC-%s) turns the pre-master secret into a", s.prfName())
		if d.ems {
			p.line("   48-byte master secret, over a hash of the handshake that holds")
			p.line("   both randoms (extended master secret, RFC 7627), then expands")
		} else {
			p.line("   48-byte master secret, with both randoms, then expands")
		}
		p.line("   it into the record keys. The key log holds the master secret")
		p.line("   under the label CLIENT_RANDOM (the client's random names it):")
	}
	for _, k := range d.secrets {
		p.line("     %-32s %2d bytes", k.label, len(k.value))
		for _, v := range chunks(s.secretValue(k.value), 64) {
			p.line("       %s", v)
		}
	}
	if s.is13() {
		p.line("   Each direction's record key and IV come from its secret:")
	} else {
		p.line("   The key block (the IVs are the implicit half of each nonce):")
	}
	for _, k := range d.keys {
		p.line("     %-32s %2d bytes", k.label, len(k.value))
		for _, v := range chunks(s.secretValue(k.value), 64) {
			p.line("       %s", v)
		}
	}
	if !s.opts.ShowSecrets {
		p.line("   Values hidden: they decrypt this traffic (--show-secrets).")
	}
	if s.is13() {
		p.line("   Finished is the seed's \"MAC of all handshake messages\": an HMAC")
		p.line("   over the transcript hash, keyed from the sender's handshake")
		p.line("   secret. The demo recomputed both from the capture:")
	} else {
		p.line("   After ChangeCipherSpec each side switches to these keys and")
		p.line("   sends Finished, the seed's \"MAC of all handshake messages\": 12")
		p.line("   bytes of PRF(master secret, \"client finished\" or \"server")
		p.line("   finished\", hash of the transcript). Recomputed from the capture:")
	}
	for _, f := range d.finished {
		who := "server"
		if f.fromClient {
			who = "client"
		}
		verdict := "the same"
		if !f.ok() {
			verdict = "DIFFERENT"
		}
		p.line("     %s Finished, record %d: %d bytes; recomputed: %s", who, f.record, len(f.got), verdict)
		p.line("       over %s..%s (%d messages)", f.over[0], f.over[len(f.over)-1], len(f.over))
		for _, l := range hexLines(f.got, 16, 0) {
			p.line("       %s", l)
		}
	}
	p.line("   A handshake someone meddled with gives different MACs, and the")
	p.line("   connection ends right there. Client and server also derived the")
	p.line("   same exporter value (RFC 8446 §7.5, RFC 5705; not printed).")

	// 7. The request.
	p.step("7", t.steps[6])
	p.line("   Every record the wiretap saw. It reads type, version and length;")
	p.line("   the last column is what the key log lets the demo see inside:")
	p.records(s.recs, [6]string{"#", "dir", "type", "version", "bytes", "inside"}, s.inner)
	if s.is13() {
		p.line("   Only the hellos cross in clear: after ServerHello everything,")
		p.line("   even the certificate, is application_data of some length. The")
		p.line("   header says TLS 1.2 (1.0 in the first ClientHello) on purpose:")
		p.line("   TLS 1.3 keeps the old header for middleboxes (RFC 8446 §5.1).")
	} else {
		p.line("   TLS 1.2 shows more: the handshake is in clear up to each")
		p.line("   ChangeCipherSpec, which switches that direction to the new keys.")
	}
	l := s.layout(s.target)
	p.line("   Record %d is the request: the wiretap's bytes beside the server's.", s.target.n)
	p.sideBySide(fmt.Sprintf("wiretap sees (%d bytes)", len(s.target.raw)), hexLines(s.target.raw, 10, 0),
		"server reads", httpLines(s.o.request))
	parts := fmt.Sprintf("%d bytes of header, ", l.header)
	if l.nonce > 0 {
		parts += fmt.Sprintf("%d of explicit nonce (%s: Lucid sends its sequence number there), ", l.nonce, spacedHex(s.nonceOf(s.target)))
	}
	parts += fmt.Sprintf("%d of ciphertext (%d of HTTP", l.ciphertext, len(s.o.request))
	if l.innerType > 0 {
		parts += " + 1 of hidden content type"
	}
	parts += fmt.Sprintf("), %d of tag: the MAC that guards the record. %s under the client's key.", l.tag, s.aeadName())
	p.para(parts)

	// 8. The response.
	p.step("8", t.steps[7])
	p.line("   The response, record %d, crossed the wiretap encrypted the same", s.reply.n)
	p.line("   way; the client checked its tag and decrypted it:")
	p.sideBySide(fmt.Sprintf("wiretap sees (%d bytes)", len(s.reply.raw)), hexLines(s.reply.raw, 10, 8),
		"client reads", httpLines(s.o.response))

	// The attacks.
	if len(s.attacks) > 0 {
		p.line("")
		p.line("Attacks: the wiretap stops being polite.")
	}
	for i, a := range s.attacks {
		p.step(string(rune('A'+i)), t.attacks[a.name])
		narrateAttackEN(p, s, a)
		outcome := "stopped"
		if !a.stopped {
			outcome = "NOT STOPPED: " + a.problem.Error()
		}
		p.wrapped("outcome    ", outcome)
		if a.alert != "" {
			p.wrapped("alert      ", a.alert)
		}
		p.wrapped("stopped by ", a.stoppedBy)
	}

	stopped := 0
	for _, a := range s.attacks {
		if a.stopped {
			stopped++
		}
	}
	p.line("")
	p.line("Done in %v: %d attacks, %d stopped. Nothing was written to disk;", s.elapsed.Round(time.Millisecond), len(s.attacks), stopped)
	p.line("the CAs and keys die with this process.")
	return p.err
}

func narrateAttackEN(p *printer, s *story, a *attack) {
	o := a.o
	switch a.name {
	case "tamper":
		if a.target == nil {
			return
		}
		where := "right after the header"
		if a.explicitNonce > 0 {
			where = fmt.Sprintf("right after the %d-byte explicit nonce", a.explicitNonce)
		}
		p.para(fmt.Sprintf("It flips the lowest bit of byte %d of record %d (%02x -> %02x), "+
			"the first byte of ciphertext, %s. The cipher encrypts by XOR with a keystream, "+
			"so the server would decrypt \"FET %s\" instead of \"GET %s\", but the tag "+
			"no longer matches, and the server refuses the record:",
			a.offset, a.target.n, a.before, a.after, where, demoPath, demoPath))
		p.wrapped("server  ", errString(o.serverErr))
		p.wrapped("client  ", errString(o.exchangeErr))
		p.line("   The server read %d bytes of the altered request.", len(o.request))
	case "replay":
		p.line("   The copy is byte for byte the record the client sealed. But")
		if s.opts.Version == tls.VersionTLS13 {
			p.line("   each record's nonce mixes in a 64-bit sequence number that both")
			p.line("   ends count and never send: the copy is opened as the next")
			p.line("   record, under the wrong nonce, and fails like a forgery:")
		} else {
			p.line("   what its tag covers starts with a 64-bit sequence number that")
			p.line("   both ends count and never send (the explicit nonce on the wire")
			p.line("   is the sender's business). The copy is checked as the next")
			p.line("   record, against the wrong number, and fails like a forgery:")
		}
		p.wrapped("copy 1  ", fmt.Sprintf("opened in turn: served %q", a.servedOriginal))
		p.wrapped("copy 2  ", "opened as the next record: "+errString(o.serverAfter))
		if s.opts.Version == tls.VersionTLS13 {
			p.line("   The seed's \"SSL uses sequence numbers against replay\", which")
			p.line("   here cost not a byte on the wire.")
		} else {
			p.line("   The seed's \"SSL uses sequence numbers against replay\".")
		}
	case "impostor":
		p.line("   The wiretap stops relaying and answers the client itself, with")
		p.line("   a Lucid TLS server of its own and a certificate for localhost")
		p.line("   too, from a CA it made a moment ago:")
		if a.fake != nil {
			p.kv("subject", a.fake.Subject.String())
			p.kv("names", certNames(a.fake))
			p.kv("issuer", a.fake.Issuer.String())
		}
		p.line("   The client trusts only %s, so it refuses:", s.caCert.Subject.CommonName)
		p.wrapped("client  ", errString(o.clientErr))
		p.wrapped("relay   ", errString(a.relayErr))
		p.line("   Had the client gone on, the relay would have read the request")
		p.line("   in clear and passed it to the real server over a TLS connection")
		p.line("   of its own. It read %d bytes. The seed's browser would warn and", len(a.stolen))
		p.line("   let the user go on (\"a security hole\", it says); Lucid's")
		p.line("   client just stops.")
	case "downgrade":
		if a.helloBefore == nil {
			return
		}
		p.line("   The wiretap parses the ClientHello and rewrites it:")
		p.kv("versions", strings.Join(mapNames(a.helloBefore.SupportedVersions, tls.VersionName), ", ")+
			" -> "+strings.Join(mapNames(a.helloAfter.SupportedVersions, tls.VersionName), ", "))
		p.list("suites gone", removedSuites(a))
		var shares []string
		for _, ks := range a.helloBefore.KeyShares {
			shares = append(shares, tls.CurveID(ks.Group).String())
		}
		p.list("shares gone", shares)
		p.kv("length", fmt.Sprintf("%d -> %d bytes, record header fixed", a.lenBefore-recordHeaderLen, a.lenAfter-recordHeaderLen))
		if s.opts.Version != tls.VersionTLS13 {
			p.line("   (For this attack both ends may speak TLS 1.3, whatever --tls")
			p.line("   says: a downgrade robs two ends that could do better.)")
		}
		p.line("   The server sees only TLS 1.2 and answers TLS 1.2. But a server")
		p.line("   that can do TLS 1.3 must end its ServerHello.random with a")
		p.line("   sentinel (RFC 8446 §4.1.3), and the wiretap saw it:")
		if len(a.serverRandom) == 32 {
			p.kv("random", spacedHex(a.serverRandom[:16]))
			p.kv("", spacedHex(a.serverRandom[16:]))
			p.kv("", strings.Repeat(" ", 24)+"D  O  W  N  G  R  D  \\x01")
		}
		p.line("   The wiretap cannot strip it: the random is in the transcript")
		p.line("   that both Finished MACs cover, so any change fails the handshake")
		p.line("   anyway. The client offered TLS 1.3, sees the sentinel, and")
		p.line("   aborts before sending anything:")
		p.wrapped("client  ", errString(o.clientErr))
		p.wrapped("server  ", errString(o.serverErr))
	}
}
