package inspect

import (
	"fmt"
	"slices"
	"strings"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/tls"
	"lucid/trace"
)

// ordinal writes 1 as "1st", 2 as "2nd" and so on.
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// position says where the client listed v: "1st of 3".
func position(list []string, v string) string {
	i := slices.Index(list, v)
	if i < 0 {
		return ""
	}
	return fmt.Sprintf("%s of %d", ordinal(i+1), len(list))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// isTLS13Suite tells TLS 1.3 suite names (no key exchange in the name)
// from TLS 1.2 ones.
func isTLS13Suite(name string) bool {
	return strings.HasPrefix(name, "TLS_") && !strings.Contains(name, "_WITH_") && !strings.HasSuffix(name, "_SCSV")
}

var cipherWords = map[string]string{
	"AES_128_GCM":       "AES-128 in GCM mode",
	"AES_256_GCM":       "AES-256 in GCM mode",
	"CHACHA20_POLY1305": "ChaCha20 with Poly1305",
	"AES_128_CBC":       "AES-128 in CBC mode",
	"AES_256_CBC":       "AES-256 in CBC mode",
}

// describeSuite says in words what a suite's name means.
func describeSuite(name string) string {
	if isTLS13Suite(name) {
		body := strings.TrimPrefix(name, "TLS_")
		i := strings.LastIndex(body, "_SHA")
		if i < 0 {
			return ""
		}
		cipher, hash := cipherWords[body[:i]], strings.ReplaceAll(body[i+1:], "SHA", "SHA-")
		if cipher == "" {
			return ""
		}
		return fmt.Sprintf("Records are encrypted and authenticated in one step with %s, an AEAD (the story's encryption and MAC together); %s drives the key schedule and the Finished MAC.", cipher, hash)
	}
	kx, rest, ok := strings.Cut(strings.TrimPrefix(name, "TLS_"), "_WITH_")
	if !ok {
		return ""
	}
	i := strings.LastIndex(rest, "_SHA")
	if i < 0 {
		return ""
	}
	cipher, hash := cipherWords[rest[:i]], rest[i+1:]
	var kxWords string
	switch kx {
	case "ECDHE_ECDSA":
		kxWords = "an ephemeral elliptic-curve Diffie-Hellman exchange (ECDHE) signed with the server's ECDSA key"
	case "ECDHE_RSA":
		kxWords = "an ephemeral elliptic-curve Diffie-Hellman exchange (ECDHE) signed with the server's RSA key"
	case "RSA":
		kxWords = "RSA key transport, the story's own step 5: the client encrypts the pre-master secret with the server's public key (no forward secrecy)"
	default:
		return ""
	}
	var rec string
	switch {
	case strings.HasSuffix(rest[:i], "_CBC") && hash == "SHA":
		rec = fmt.Sprintf("records use %s with HMAC-SHA-1 (MAC-then-encrypt, legacy)", cipher)
	case strings.HasSuffix(rest[:i], "_CBC"):
		rec = fmt.Sprintf("records use %s with HMAC-%s (MAC-then-encrypt, legacy)", cipher, strings.ReplaceAll(hash, "SHA", "SHA-"))
	case cipher != "":
		rec = fmt.Sprintf("records use %s, an AEAD (encryption and MAC in one step)", cipher)
	default:
		return ""
	}
	prf := strings.ReplaceAll(hash, "SHA", "SHA-")
	if hash == "SHA" {
		prf = "SHA-256"
	}
	return fmt.Sprintf("Keys come from %s; %s; the PRF uses %s.", kxWords, rec, prf)
}

// describeGroup says what a key exchange group is, by its IANA name.
func describeGroup(iana string) string {
	switch iana {
	case "X25519MLKEM768":
		return "X25519MLKEM768 is a hybrid of X25519 and ML-KEM-768, a post-quantum key encapsulation: the session keys stay secret unless both are broken, even by a future quantum computer."
	case "x25519":
		return "x25519 is elliptic-curve Diffie-Hellman on Curve25519."
	case "secp256r1", "secp384r1", "secp521r1":
		return fmt.Sprintf("%s is elliptic-curve Diffie-Hellman on the NIST curve P-%s.", iana, iana[4:7])
	}
	return ""
}

// groupIANA is the negotiated group's IANA name, as the ClientHello lists
// name groups.
func (b *builder) groupIANA() string {
	if ks := b.serverHello.str("key_share"); ks != "" {
		name, _, _ := strings.Cut(ks, " (")
		return name
	}
	if g := b.ske.str("group"); g != "" {
		return g
	}
	if b.cs.CurveID != 0 {
		return kex.Name(uint16(b.cs.CurveID))
	}
	return ""
}

func (b *builder) choices() []Choice {
	cs := b.cs
	ch := b.lastHello
	if ch == nil {
		ch = Fields{}
	}
	var out []Choice
	add := func(item, chosen, why string) { out = append(out, Choice{Item: item, Chosen: chosen, Why: why}) }

	// Version.
	ver := tls.VersionName(cs.Version)
	offered := withoutGREASE(ch.list("supported_versions"))
	switch {
	case b.hello == nil:
		add("version", ver, "The handshake's events were not recorded, so only the result is known.")
	case len(offered) == 0:
		add("version", ver, fmt.Sprintf("Your client sent no supported_versions extension, so its legacy_version field (%s) is the newest version it speaks; TLS 1.3 needs supported_versions.", ch.str("legacy_version")))
	case cs.Version == tls.VersionTLS13:
		add("version", ver, fmt.Sprintf("The newest version both sides speak. Your client listed %s in supported_versions; its legacy_version field says %s so that old middleboxes, which know nothing newer, let the hello through.", strings.Join(offered, ", "), ch.str("legacy_version")))
	case slices.Contains(offered, "TLS 1.3"):
		why := "Your client offered TLS 1.3 too, but this server chose TLS 1.2"
		if b.o.TLSConfig != nil && b.o.TLSConfig.MaxVersion == tls.VersionTLS12 {
			why = "Your client offered TLS 1.3 too, but this server is limited to TLS 1.2 (--tls-max 1.2)"
		}
		add("version", ver, why+".")
	default:
		add("version", ver, fmt.Sprintf("The newest version your client offered (%s).", strings.Join(offered, ", ")))
	}

	// Cipher suite.
	suite := tls.CipherSuiteName(cs.CipherSuite)
	var class []string
	for _, s := range withoutGREASE(nameSuites(ch.list("cipher_suites"))) {
		if isTLS13Suite(s) == (cs.Version == tls.VersionTLS13) {
			class = append(class, s)
		}
	}
	kind := "TLS 1.2"
	if cs.Version == tls.VersionTLS13 {
		kind = "TLS 1.3"
	}
	why := "The server's most preferred " + kind + " suite that your client also offered"
	if p := position(class, suite); p != "" {
		why += fmt.Sprintf("; your client listed it %s %s suites", p, kind)
	}
	why += ". " + describeSuite(suite)
	add("cipher suite", suite, strings.TrimSpace(why))

	// Key exchange group.
	iana := b.groupIANA()
	switch {
	case cs.CurveID == 0 && cs.DidResume:
		add("key exchange group", "none", "The session was resumed with its earlier key alone (psk_ke), without a new Diffie-Hellman exchange: no forward secrecy for this connection.")
	case cs.CurveID == 0:
		add("key exchange group", "none", "RSA key transport: your client encrypted the pre-master secret with the server's RSA public key, as in step 5 of the story. Whoever gets that private key later can decrypt a recording of this connection: no forward secrecy.")
	case cs.Version == tls.VersionTLS13 && cs.DidHelloRetryRequest:
		add("key exchange group", kex.Name(uint16(cs.CurveID)), fmt.Sprintf("Your client sent no key share for a group the server takes, so the server asked for %s with a HelloRetryRequest: one extra round trip. %s", iana, describeGroup(iana)))
	case cs.Version == tls.VersionTLS13:
		shares := withoutGREASE(nameGroups(greaseShares(ch.list("key_shares"))))
		add("key exchange group", kex.Name(uint16(cs.CurveID)), strings.TrimSpace(fmt.Sprintf("The server's most preferred group among those your client sent a key share for (%s), so the exchange fit in the first round trip. %s", strings.Join(shares, ", "), describeGroup(iana))))
	default:
		groups := withoutGREASE(nameGroups(ch.list("supported_groups")))
		add("key exchange group", kex.Name(uint16(cs.CurveID)), strings.TrimSpace(fmt.Sprintf("The server's most preferred group in your client's supported_groups (%s); the server sent its ephemeral public key for it in ServerKeyExchange, signed with its certificate's key. %s", strings.Join(groups, ", "), describeGroup(iana))))
	}

	// Signature scheme.
	switch {
	case b.sigScheme == "" && cs.DidResume:
		add("signature scheme", "none", "A resumed session needs no new signature: the certificate was checked in the connection that made the session.")
	case b.sigScheme == "" && b.hello != nil && cs.CurveID == 0:
		add("signature scheme", "none", "With RSA key transport the server proves it holds the private key by decrypting the pre-master secret, not by a signature.")
	case b.sigScheme != "":
		algs := withoutGREASE(ch.list("signature_algorithms"))
		key := "its certificate's key"
		if k := b.leafKey(); k != "" {
			key = "its certificate's key (" + k + ")"
		}
		why := fmt.Sprintf("The server's most preferred scheme that %s can make and your client accepts", key)
		if p := position(algs, b.sigScheme); p != "" {
			why += fmt.Sprintf("; your client listed it %s in signature_algorithms", p)
		}
		if cs.Version == tls.VersionTLS13 {
			why += ". The server signs the handshake so far with it (CertificateVerify), proving it holds the private key of the certificate."
		} else {
			why += ". The server signs its ECDHE public key and both randoms with it (ServerKeyExchange), proving it holds the private key of the certificate."
		}
		add("signature scheme", b.sigScheme, why)
	}

	// ALPN.
	alpn := withoutGREASE(ch.list("alpn"))
	switch {
	case cs.NegotiatedProtocol != "":
		add("application protocol (ALPN)", cs.NegotiatedProtocol, fmt.Sprintf("The server's most preferred protocol that your client also offered (%s): HTTP/2 or HTTP/1.1 was settled inside the handshake, with no extra round trip.", strings.Join(alpn, ", ")))
	case len(alpn) == 0:
		add("application protocol (ALPN)", "none", "Your client offered no ALPN protocols, so the connection speaks HTTP/1.1.")
	default:
		add("application protocol (ALPN)", "none", "The server agreed on no protocol, so the connection speaks HTTP/1.1.")
	}

	// Certificate.
	switch {
	case cs.DidResume:
		add("certificate", "none sent", "The session was resumed: its certificate was sent and checked in the connection that made the session.")
	case len(b.chainSent) > 0:
		why := "Your client sent no server name (SNI), so the server sent its default certificate"
		if sni := ch.str("server_name"); sni != "" {
			why = fmt.Sprintf("Your client asked for %q in server_name (SNI), and the server sent its certificate for that name", sni)
		}
		why += fmt.Sprintf(", a chain of %s.", plural(len(b.chainSent), "certificate", "certificates"))
		add("certificate", b.chainSent[0], why)
	}

	// Resumption.
	psks := ch.num("psk_identities")
	var res string
	switch {
	case cs.DidResume && cs.CurveID != 0:
		res = fmt.Sprintf("Your client offered a session from an earlier connection and the server accepted it; a fresh %s exchange was mixed in, so forward secrecy holds.", kex.Name(uint16(cs.CurveID)))
	case cs.DidResume:
		res = "Your client offered a session from an earlier connection and the server accepted it."
	case psks > 0:
		res = fmt.Sprintf("Full handshake: your client offered %s to resume, but the server did not accept it (expired, or sealed with keys the server no longer has, as after a restart).", plural(psks, "session ticket", "session tickets"))
	case b.hello != nil:
		res = "Full handshake: your client offered no earlier session to resume."
	}
	if res != "" {
		if b.ticketSent {
			res += " The server sent a NewSessionTicket, so the next connection can resume."
		}
		chosen := "full handshake"
		if cs.DidResume {
			chosen = "resumed"
		}
		add("resumption", chosen, res)
	}

	// Client certificate.
	asked := b.sent["CertificateRequest"] > 0
	switch c := b.rep.ClientCertificate; {
	case c != nil && c.Verified:
		add("client certificate", c.Subject, "The server asked for a certificate (CertificateRequest, mutual authentication); your client sent one, and it chains to a CA the server trusts.")
	case c != nil:
		add("client certificate", c.Subject, "The server asked for a certificate (CertificateRequest) without requiring a trusted one; your client sent one, which was not verified.")
	case asked:
		add("client certificate", "none", "The server asked for a certificate (CertificateRequest); your client sent none.")
	}
	return out
}

// steps ties the connection's events to the seed's eight steps.
func (b *builder) steps() []Step {
	rep := b.rep
	var out []Step
	for n := 1; n <= 8; n++ {
		s, ok := trace.SeedSteps[n]
		if !ok {
			continue
		}
		st := Step{Number: n, Title: s.Title, TitleZH: s.TitleZH, Explanation: s.Explanation, Events: []int{}}
		for i, e := range rep.Events {
			if e.SeedStep == n {
				st.Events = append(st.Events, i)
			}
		}
		st.Here = b.here(n)
		out = append(out, st)
	}
	return out
}

// here says what step n was in this connection.
func (b *builder) here(n int) string {
	cs, rep := b.cs, b.rep
	if b.hello == nil && n != 2 {
		return "The events of this connection were not recorded (the server runs without https.Server.Inspect)."
	}
	switch n {
	case 1:
		ch := rep.ClientHello
		shares := withoutGREASE(ch.KeyShares)
		s := fmt.Sprintf("Your client sent a ClientHello of %d bytes offering %s, %s, %s",
			ch.Length, plural(len(withoutGREASE(ch.SupportedVersions)), "version", "versions"),
			plural(len(withoutGREASE(ch.CipherSuites)), "cipher suite", "cipher suites"),
			plural(len(withoutGREASE(ch.SupportedGroups)), "group", "groups"))
		if len(shares) > 0 {
			s += " and key shares for " + strings.Join(shares, ", ")
		}
		s += fmt.Sprintf("; the server answered with a ServerHello choosing %s, %s", rep.Connection.TLSVersion, rep.Connection.CipherSuite)
		if rep.Connection.Group != "" {
			s += " and " + rep.Connection.Group
		}
		s += "."
		if cs.DidHelloRetryRequest {
			s += " First it sent a HelloRetryRequest asking for another key share, and your client sent a second ClientHello."
		}
		return s
	case 2:
		if len(rep.CertificateChain) > 0 {
			c := rep.CertificateChain[0]
			s := "This server holds a certificate and its private key: " + c.Summary
			if c.NotAfter != "" {
				s += ", valid until " + c.NotAfter[:10]
			}
			return s + "."
		}
		if cs.DidResume {
			return "This server holds a certificate, but a resumed session does not send it again."
		}
		return "This server holds a certificate and its private key (see step 3 for the chain it sends)."
	case 3:
		if len(b.chainSent) == 0 {
			if cs.DidResume {
				return "No certificate was sent: the session was resumed, and its certificate was checked when it was made."
			}
			return "No Certificate message was recorded."
		}
		s := fmt.Sprintf("The server sent a chain of %s: %s.", plural(len(b.chainSent), "certificate", "certificates"), strings.Join(b.chainSent, "; "))
		// The table, not the version, says whether the chain was encrypted.
		shape, _ := handshake.ShapeNamed(rep.Connection.Shape)
		if level, ok := shape.Protection(handshake.SideServer, "Certificate"); ok && level != handshake.LevelInitial {
			s += fmt.Sprintf(" In this handshake (%s) the chain already travels encrypted under the %s keys.", shape, level)
		}
		return s
	case 4:
		s := "Your client checks the chain where this server cannot watch. It went on with the handshake, so it accepted the chain: a client that refuses sends an alert, and this page would never have loaded."
		if c := rep.ClientCertificate; c != nil {
			if c.Verified {
				s += " The server in turn checked your client certificate (" + c.Subject + ") against the CAs it trusts."
			} else {
				s += " Your client certificate (" + c.Subject + ") was not checked against a CA: the server only asked for one."
			}
		}
		return s
	case 5:
		switch {
		case cs.CurveID == 0 && !cs.DidResume:
			return "Exactly the story's step: your client encrypted a random pre-master secret with the server's RSA public key (ClientKeyExchange), and only the server's private key could decrypt it."
		case cs.CurveID == 0:
			return "No new exchange: the resumed session's key was used as it was."
		case cs.Version == tls.VersionTLS13:
			s := fmt.Sprintf("Instead of encrypting a random with the server's public key, your client sent a %s key share and the server answered with its own (in ServerHello); each side combined the two into the same secret, which never crossed the network.", b.groupIANA())
			if b.sigScheme != "" {
				s += fmt.Sprintf(" The server then signed the handshake with %s (CertificateVerify) to prove it owns the certificate.", b.sigScheme)
			}
			return s
		default:
			return fmt.Sprintf("The server sent an ephemeral %s public key signed with %s (ServerKeyExchange), and your client answered with its own (ClientKeyExchange); each side combined the two into the same pre-master secret.", b.groupIANA(), b.sigScheme)
		}
	case 6:
		s := "Both sides derived the session keys"
		if len(b.keys) > 0 {
			s += fmt.Sprintf("; the server installed %s: %s", plural(len(b.keys), "key", "keys"), strings.Join(b.keys, ", "))
		}
		s += "."
		if len(b.checks) > 0 {
			s += " The server's checks: " + strings.Join(b.checks, "; ") + "."
		}
		return s
	case 7:
		var sent, recv int
		for _, e := range rep.Events {
			if e.Kind == "record_sent" && e.ContentType == "application_data" {
				sent++
			}
			if e.Kind == "record_received" && e.ContentType == "application_data" {
				recv++
			}
		}
		return fmt.Sprintf("So far the server has received %d and sent %d records of application data on this connection (this page's request among them), each protected under the application keys and numbered by its sequence number.", recv, sent)
	case 8:
		return "Every record the server received was decrypted and its authentication tag checked; one bad tag would have been a bad_record_mac alert and the end of the connection. Your browser does the same for every record of this page."
	}
	return ""
}
