package main

// The English narration: the words demo_narrate.go tells the story in.
// Prose is laid out by hand, line by line (lines), except where the
// values inside decide the breaks (para). --json takes its few words
// from here too.

var enCatalog = &catalog{keyWidth: 13, checkWidth: 6, texts: map[msg]text{
	msgHeader: lines(`Lucid demo: one HTTPS request, step by step, live on 127.0.0.1.
%s, key exchange %s. Steps 1-8 follow the seed's flow
(in English: docs/story.md); after them the wiretap attacks.`),

	msgStep1:            words("The client starts an HTTPS request"),
	msgStep2:            words("The server has a certificate signed by a CA"),
	msgStep3:            words("The server chooses, sends its certificate and signs"),
	msgStep3RSA:         words("The server chooses and sends its certificate"),
	msgStep4:            words("The client checks the certificate"),
	msgStep5:            words("The key exchange: a secret that never crosses the wire"),
	msgStep5RSA:         words("The client sends a random, encrypted with the public key"),
	msgStep6:            words("Both sides derive the session keys; Finished MACs"),
	msgStep7:            words("The client sends the HTTP request, encrypted"),
	msgStep8:            words("The server answers; the client decrypts"),
	msgAttackTamper:     words("Tampering: the wiretap flips one bit of the request"),
	msgAttackReplay:     words("Replay: the wiretap delivers the request twice"),
	msgAttackImpostor:   words("Impostor: the wiretap answers with its own certificate"),
	msgAttackDowngrade:  words("Downgrade: the wiretap rewrites the ClientHello to TLS 1.2"),
	msgAttackReplay0RTT: words("0-RTT replay: the wiretap resends the client's early request"),

	msgLabelVersions:    words("versions"),
	msgLabelSuites:      words("cipher suites"),
	msgLabelGroups:      words("groups"),
	msgLabelShares:      words("key shares"),
	msgLabelSchemes:     words("signatures"),
	msgLabelServerName:  words("server name"),
	msgLabelALPN:        words("ALPN"),
	msgLabelRandom:      words("random"),
	msgLabelCA:          words("CA"),
	msgLabelServerCert:  words("server"),
	msgLabelVersion:     words("version"),
	msgLabelSuite:       words("cipher suite"),
	msgLabelKeyExchange: words("key exchange"),
	msgLabelHRR:         words("hello retry"),
	msgLabelSignature:   words("signature"),
	msgLabelSigned:      words("signed"),
	msgLabelSubject:     words("subject"),
	msgLabelNames:       words("names"),
	msgLabelIssuer:      words("issuer"),
	msgLabelValid:       words("valid"),
	msgLabelPublicKey:   words("public key"),
	msgLabelSuitesGone:  words("suites gone"),
	msgLabelSharesGone:  words("shares gone"),
	msgLabelLength:      words("length"),
	msgLabelServerSaid:  words("server  "),
	msgLabelClientSaid:  words("client  "),
	msgLabelRelaySaid:   words("relay   "),
	msgLabelCopy1:       words("copy 1  "),
	msgLabelCopy2:       words("copy 2  "),
	msgLabelOutcome:     words("outcome    "),
	msgLabelAlert:       words("alert      "),
	msgLabelStoppedBy:   words("stopped by "),
	msgLabelHandlerRuns: words("handler runs"),

	msgPorts: lines(`   A browser would connect to port 443. Here all three parties run
   in this process, on loopback ports:`),
	msgParties: lines(`     server   %-16s a Lucid TLS server
     wiretap  %-16s a relay in the middle: it passes every
                               byte on and writes down what it saw
     client   connects to the wiretap, asks for https://%s%s`),
	msgHelloInClear: lines(`   The client's first message, ClientHello, travels in clear, so the
   wiretap reads what the client offers:`),
	msgServerNameValue: words("%s (SNI)"),
	msgClientRandom:    words("32 bytes, fresh for this connection"),
	msgNo13Offered: lines(`   --tls 1.2 caps both ends at TLS 1.2, so the client offers no
   TLS 1.3 and sends no key shares: TLS 1.2 exchanges keys later.`),
	msgRSAOffered: lines(`   The one TLS 1.2 suite is the seed's: RSA key transport. Lucid
   offers it only when Config.CipherSuites names it, as here.`),

	msgMadeInMemory: lines(`   Made a moment ago, in memory only, gone when the demo exits:`),
	msgCAValue:      words("%s (%s, self-signed)"),
	msgServerValue:  words("%s (%s, signed by the CA)"),
	msgCertBinds: lines(`   The server keeps the private key; the certificate carries the
   public key and the name, and the CA's signature binds the two.
   The client trusts this CA and no other (Config.RootCAs).`),
	msgRSAKey: lines(`   An RSA key this time: RSA key transport needs a key that can
   decrypt, not only sign.`),

	msgServerPicks:  lines(`   ServerHello picks one of each from the client's offer:`),
	msgHRRNo:        words("no, the client's key share was accepted"),
	msgHRRYes:       words("yes, the server asked for another key share"),
	msgServerRandom: words("32 bytes of the server's own"),
	msgFlight13: lines(`   From here on everything the server sends is encrypted under
   handshake keys (step 6), even its certificate:
   EncryptedExtensions, Certificate (%d certificate), CertificateVerify,
   Finished. CertificateVerify is the seed's "hash, then encrypt
   with the private key": a signature over the whole handshake so
   far, which only the holder of the certificate's key can make:`),
	msgFlightRSA: lines(`   In TLS 1.2 the rest of the server's flight is in clear:
   Certificate (%d certificate) and ServerHelloDone.
   With RSA key transport the server signs nothing: the only
   signature is the CA's, on the certificate. The server proves it
   holds the private key later, by decrypting what the client
   sends (steps 5 and 6).`),
	msgFlight12: lines(`   In TLS 1.2 the rest of the server's flight is in clear:
   Certificate (%d certificate), ServerKeyExchange (an ephemeral
   %s public key) and ServerHelloDone. The public key
   is signed: the seed's "hash, then encrypt with the private key":`),
	msgSignatureValue: words("%s, %s, %d bytes"),
	msgSigned13:       words("%s"),
	msgSigned12:       words("%s"),
	msgCertCompUsed: para(`The client offered certificate compression (RFC 8879: %s), so the ` +
		`server sent its certificate as a CompressedCertificate, compressed with %s: ` +
		`%d bytes instead of %d, %d bytes (%d%%) saved.`),
	msgCertCompNotOffered: para(`The client offered no certificate compression (RFC 8879), so the certificate went uncompressed: %d bytes.`),
	msgCertCompNoCommon: para(`The certificate went uncompressed, %d bytes: the server has none of ` +
		`the compression algorithms the client offered (RFC 8879: %s).`),
	msgCertComp12: para(`TLS 1.2 has no certificate compression (RFC 8879 is for TLS 1.3), so the certificate went as it is: %d bytes.`),

	msgValidValue: words("%s to %s"),
	msgRechecked: lines(`   Lucid's client checked each of these before going on; the demo
   re-checks them from the captured bytes:`),
	msgCheckOK:         words("ok  %s "),
	msgCheckBad:        words("BAD %s "),
	msgCheckChain:      words("chain"),
	msgCheckDates:      words("dates"),
	msgCheckName:       words("name"),
	msgCheckUsage:      words("usage"),
	msgCheckKey:        words("key"),
	msgChainDetail:     words("%s (%s signature by the CA's key; the CA is in RootCAs)"),
	msgDatesDetail:     words("%s is within %s .. %s"),
	msgNameDetail:      words("%q is among %s"),
	msgUsageSignDetail: words("extended key usage serverAuth, key usage digitalSignature"),
	msgUsageRSADetail:  words("extended key usage serverAuth, key usage keyEncipherment"),
	msgKeySigDetail:    words("%s signature (%s, %d bytes) verifies with the certificate's public key"),
	msgKeyRSADetail:    words("no signature in RSA key transport: the server proves its key by decrypting the pre-master secret, which its Finished MAC shows"),
	msgAlertNotWarning: lines(`   Any failure here ends the handshake with an alert, not with a
   warning to click through (see the impostor attack).`),

	msgKxRSA: words("RSA key transport"),
	msgRSASent: lines(`   This is the seed's step 5, literally. The client made a random
   48-byte pre-master secret, encrypted it under the RSA public key
   from the certificate (PKCS #1 v1.5), and sent it in
   ClientKeyExchange. The wiretap saw all %d bytes of it:`),
	msgRSANoForwardSecrecy: lines(`   Only the server's private key opens it. That is also the flaw:
   there is no forward secrecy. Whoever records this conversation
   and one day gets the server's private key (a breach, a court
   order, an old disk) decrypts the pre-master secret, and with it
   every key of step 6 and every byte of steps 7 and 8. TLS 1.3
   removed RSA key transport for this, and for the padding oracles
   it invited (Lucid's server treats a bad decryption like a good
   one, RFC 5246 §7.4.7.1).`),
	msgShares13: lines(`   The seed's client encrypts a random with the server's public
   key. TLS 1.3 does what the seed's DH remark suggests instead:
   each side sent a key share for %s, client %d bytes,
   server %d, and combined the other's with its own private part.`),
	msgHybrid: lines(`   (%s is a hybrid: X25519 plus ML-KEM-768, which
   resists a future quantum computer.)`),
	msgForwardSecrecy13: lines(`   Both got the same shared secret; the wiretap saw both shares and
   still cannot compute it. The private parts are thrown away, so
   even a stolen server key cannot decrypt this recording later:
   forward secrecy. The server's key only signs (step 3).`),
	msgECDHE12: lines(`   The seed's client encrypts a random with the server's public
   key. This suite does what the seed's DH remark suggests instead:
   the server's ephemeral %s key came in ServerKeyExchange
   (%d bytes, signed), the client's in ClientKeyExchange (%d bytes).
   Each side combined the other's public key with its own private
   one into the same pre-master secret; the wiretap saw both public
   keys and still cannot compute it. The private parts are thrown
   away, so a stolen server key cannot decrypt this recording
   later: forward secrecy.`),

	msgSecrets13: lines(`   HKDF-%s mixes the shared secret with hashes of the handshake
   (which hold both randoms) into one secret per direction and
   phase. The client's Config.KeyLogWriter logged them (NSS format):`),
	msgSecrets12: lines(`   The TLS 1.2 PRF (HMAC-%s) turns the pre-master secret into a
   48-byte master secret, %s, then expands
   it into the record keys. The key log holds the master secret
   under the label CLIENT_RANDOM (the client's random names it):`),
	msgEMS: words(`over a hash of the handshake that holds
   both randoms (extended master secret, RFC 7627)`),
	msgNoEMS:        words("with both randoms"),
	msgSecretLine:   lines("     %-32s %2d bytes"),
	msgRecordKeys13: lines(`   Each direction's record key and IV come from its secret:`),
	msgKeyBlock12:   lines(`   The key block (the IVs are the implicit half of each nonce):`),
	msgHidden:       lines(`   Values hidden: they decrypt this traffic (--show-secrets).`),
	msgFinished13: lines(`   Finished is the seed's "MAC of all handshake messages": an HMAC
   over the transcript hash, keyed from the sender's handshake
   secret. The demo recomputed both from the capture:`),
	msgFinished12: lines(`   After ChangeCipherSpec each side switches to these keys and
   sends Finished, the seed's "MAC of all handshake messages": 12
   bytes of PRF(master secret, "client finished" or "server
   finished", hash of the transcript). Recomputed from the capture:`),
	msgFinishedLine: lines("     %s Finished, record %d: %d bytes; recomputed: %s"),
	msgFinishedOver: lines("       over %s..%s (%d messages)"),
	msgServer:       words("server"),
	msgClient:       words("client"),
	msgSame:         words("the same"),
	msgDifferent:    words("DIFFERENT"),
	msgFinishedEnd: lines(`   A handshake someone meddled with gives different MACs, and the
   connection ends right there. Client and server also derived the
   same exporter value (RFC 8446 §7.5, RFC 5705; not printed).`),

	msgRecordsIntro: lines(`   Every record the wiretap saw. It reads type, version and length;
   the last column is what the key log lets the demo see inside:`),
	msgColNumber:          words("#"),
	msgColDir:             words("dir"),
	msgColType:            words("type"),
	msgColVersion:         words("version"),
	msgColBytes:           words("bytes"),
	msgColInside:          words("inside"),
	msgInnerRequest:       words("the HTTP request"),
	msgInnerResponse:      words("the HTTP response"),
	msgInnerAppData:       words("application data (%d bytes)"),
	msgInnerSeq:           words("%s [seq %d]"),
	msgInnerCompat:        words("%s (compatibility, ignored)"),
	msgInnerUndecryptable: words("could not be decrypted"),
	msgAfterRecords13: lines(`   Only the hellos cross in clear: after ServerHello everything,
   even the certificate, is application_data of some length. The
   header says TLS 1.2 (1.0 in the first ClientHello) on purpose:
   TLS 1.3 keeps the old header for middleboxes (RFC 8446 §5.1).`),
	msgAfterRecords12: lines(`   TLS 1.2 shows more: the handshake is in clear up to each
   ChangeCipherSpec, which switches that direction to the new keys.`),
	msgRequestRecord:    lines(`   Record %d is the request: the wiretap's bytes beside the server's.`),
	msgWiretapSees:      words("wiretap sees (%d bytes)"),
	msgServerReads:      words("server reads"),
	msgClientReads:      words("client reads"),
	msgLayoutHeader:     words("%d bytes of header, "),
	msgLayoutNonce:      words("%d of explicit nonce (%s: Lucid sends its sequence number there), "),
	msgLayoutCiphertext: words("%d of ciphertext (%d of HTTP"),
	msgLayoutInnerType:  words(" + 1 of hidden content type"),
	msgLayoutTag:        words("), %d of tag: the MAC that guards the record. %s under the client's key."),

	msgResponseRecord: lines(`   The response, record %d, crossed the wiretap encrypted the same
   way; the client checked its tag and decrypted it:`),

	msgAttacksBegin:       lines("Attacks: the wiretap stops being polite."),
	msgStopped:            words("stopped"),
	msgNotStopped:         words("NOT STOPPED: %v"),
	msgStoppedByTamper:    words("the record's MAC: the AEAD tag no longer verifies (RFC 8446 §5.2, RFC 5246 §6.2.3.3)"),
	msgStoppedByReplay:    words("sequence numbers: each record's nonce and MAC input hold a count both ends keep and never send (RFC 8446 §5.3, RFC 5246 §6.2.3.3)"),
	msgStoppedByImpostor:  words("certificate verification: the chain does not lead to a CA the client trusts (RFC 5280 §6)"),
	msgStoppedByDowngrade: words(`the downgrade sentinel: a TLS 1.3 server answering TLS 1.2 ends its ServerHello.random with DOWNGRD\x01, which the client checks (RFC 8446 §4.1.3); the Finished MACs over the altered transcript would fail next`),
	msgTamperAfterHeader:  words("right after the header"),
	msgTamperAfterNonce:   words("right after the %d-byte explicit nonce"),
	msgTamperFlip: para(`It flips the lowest bit of byte %d of record %d, counting from 1 ` +
		`with the 5-byte header (%02x -> %02x), ` +
		`the first byte of ciphertext, %s. The cipher encrypts by XOR with a keystream, ` +
		`so the server would decrypt "FET %s" instead of "GET %s", but the tag ` +
		`no longer matches, and the server refuses the record:`),
	msgTamperReadNone: lines("   The server read %d bytes of the altered request."),
	msgTamperReadSome: lines("   The server read %d bytes of the altered request."),
	msgReplay13: lines(`   The copy is byte for byte the record the client sealed. But
   each record's nonce mixes in a 64-bit sequence number that both
   ends count and never send: the copy is opened as the next
   record, under the wrong nonce, and fails like a forgery:`),
	msgReplay12: lines(`   The copy is byte for byte the record the client sealed. But
   what its tag covers starts with a 64-bit sequence number that
   both ends count and never send (the explicit nonce on the wire
   is the sender's business). The copy is checked as the next
   record, against the wrong number, and fails like a forgery:`),
	msgCopy1: words("opened in turn: served %q"),
	msgCopy2: words("opened as the next record: %s"),
	msgReplayEnd13: lines(`   The seed's "SSL uses sequence numbers against replay", which
   here cost not a byte on the wire.`),
	msgReplayEnd12: lines(`   The seed's "SSL uses sequence numbers against replay".`),
	msgImpostorAnswers: lines(`   The wiretap stops relaying and answers the client itself, with
   a Lucid TLS server of its own and a certificate for localhost
   too, from a CA it made a moment ago:`),
	msgImpostorRefused: lines("   The client trusts only %s, so it refuses:"),
	msgImpostorWouldRead: lines(`   Had the client gone on, the relay would have read the request
   in clear and passed it to the real server over a TLS connection
   of its own. It read %d bytes. The seed's browser would warn and
   let the user go on ("a security hole", it says); Lucid's
   client just stops.`),
	msgDowngradeRewrites: lines("   The wiretap parses the ClientHello and rewrites it:"),
	msgDowngradeLength:   words("%d -> %d bytes, record header fixed"),
	msgDowngradeAnyVersion: lines(`   (For this attack both ends may speak TLS 1.3, whatever --tls
   says: a downgrade robs two ends that could do better.)`),
	msgDowngradeSentinel: lines(`   The server sees only TLS 1.2 and answers TLS 1.2. But a server
   that can do TLS 1.3 must end its ServerHello.random with a
   sentinel (RFC 8446 §4.1.3), and the wiretap saw it:`),
	msgDowngradeCaught: lines(`   The wiretap cannot strip it: the random is in the transcript
   that both Finished MACs cover, so any change fails the handshake
   anyway. The client offered TLS 1.3, sees the sentinel, and
   aborts before sending anything:`),
	msgStoppedByReplay0RTT: words("the anti-replay guard: the server accepts a ClientHello's early data once, while its ticket age is fresh (RFC 8446 §8.2, §8.3); the replay goes on in 1-RTT and ends at the client's Finished, which the wiretap cannot make"),
	msgZeroRTTAnyVersion: lines(`   (0-RTT is TLS 1.3's: for this attack both ends speak TLS 1.3,
   whatever --tls and --kx say.)`),
	msgZeroRTTIntro: lines(`   TLS 1.3 lets a client that resumes a session send its request
   in its very first flight, before the handshake is done: 0-RTT
   early data (RFC 8446 §2.3). It saves a round trip, at a price.
   The server here accepts up to %d bytes of it (Config.MaxEarlyData)
   and says so in the tickets it issues (NewSessionTicket with
   early_data).`),
	msgZeroRTTResume: lines(`   First a full handshake, straight to the server: the request is
   answered and the client keeps the ticket. Then the client resumes
   through the wiretap and sends the same GET as early data
   (Config.SendEarlyData), sealed under client_early_traffic_secret:
   a key derived from the ticket's PSK and the ClientHello alone.
   The wiretap keeps the client's first flight, all it sent before
   it waited for the server:`),
	msgFlightHello:     words("ClientHello: a ticket (pre_shared_key) and early_data"),
	msgFlightEarly:     words("early data: the GET, encrypted"),
	msgAnswerEncrypted: words("encrypted: the wiretap cannot read it"),
	msgZeroRTTAccepted: para(`The server accepted it and answered %q before the client's ` +
		`Finished had arrived: the round trip saved.`),
	msgZeroRTTWhy: lines(`   Attack B failed because sequence numbers count the records of
   one connection: the seed's "SSL uses sequence numbers against
   replay". They count nothing across connections. A first flight
   sent again starts a connection of its own, where the early data
   is record 0 again, under the same key, for that key owes nothing
   to the server. RFC 8446 §8 says it plainly: 0-RTT data has no
   protection against replay across connections; only the server can
   refuse it, by remembering. So the wiretap opens a new connection
   to the same server and sends the recorded flight, byte for byte.
   The server's events, as Lucid's timeline prints them:`),
	msgZeroRTTGuard: lines(`   "Rejected: replay" is the guard's word. RFC 8446 §8 offers two
   defences:
   single-use tickets (§8.1), where the server forgets a ticket once
   it is used, and ClientHello recording (§8.2), which is Lucid's
   guard (Config.EarlyDataGuard). It keeps a digest of each
   ClientHello whose early data was accepted: its random and its PSK
   binder, which no one can change without the PSK. The freshness
   check (§8.3: the ticket's age, as the client reports it, must
   match the server's clock within 5 seconds) is what lets the guard
   forget: an older ClientHello fails that check anyway. So the
   guard stays bounded (by default 65536 entries, each kept at most
   20 s) and, when full, refuses early data rather than forget.`),
	msgZeroRTTAdmitted: lines(`   The guard admitted the same ClientHello twice: the server accepted
   the replayed early data and ran the handler again.`),
	msgZeroRTTGoesOn: lines(`   The early data is skipped unread and the handshake goes on in
   1-RTT: ServerHello, then EncryptedExtensions and Finished under
   keys from this connection's own key exchange. Now the server waits
   for the client's Finished, a MAC that needs those keys and the
   PSK. The wiretap has neither; all it can do is hang up:`),
	msgZeroRTTRuns: words("%d (for the one request the client sent in 0-RTT)"),
	msgZeroRTTEnd: lines(`   The guard keeps TLS from delivering early data twice. What an
   application does with it is its own choice: RFC 8470 asks it to
   act in early data only on requests that are safe to repeat, and
   Lucid's https server answers the others 425 Too Early.`),
	msgShareValue: words("%s (%d bytes)"),
	msgMoreBytes:  words("... %d more bytes"),

	msgLabelECH:         words("ECH"),
	msgLabelInnerName:   words("inner name"),
	msgServerNamePublic: words("%s (SNI: the public name, not the site)"),
	msgECHValue:         words("config %d, %s, %d bytes sealed"),
	msgLabelPublicCert:  words("public name"),
	msgPublicCertValue:  words("%s (%s, for ECH it cannot open)"),
	msgECHGrease:        para(`The hello also carries an encrypted_client_hello extension, but it is GREASE: random bytes no server can open (RFC 9849 §6.2). Clients without an ECH config send it so that the ones with a config do not stand out. The site's name above still travels in clear, as the seed's first step has it: the client says hello and names the site. lucid demo --ech hides it.`),
	msgECHWhy:           para(`This ClientHello is the outer one (Encrypted Client Hello, RFC 9849). The seed's first step has the client say hello and name the site, and without ECH that name, the SNI, travels in clear: anyone on the path reads it. Here the client had the server's ECH config beforehand (from DNS, an HTTPS record's ech= parameter; the demo hands it over in memory): a public key and a public name, %[1]s. The client wrote its real ClientHello, naming %[2]s, and encrypted it with HPKE (RFC 9180) to that public key: an X25519 key encapsulation, then %[3]s. It sent it in the encrypted_client_hello extension of an outer hello that names only the public name. The wiretap relayed %[4]d bytes of hello and read %[5]s in them, never %[6]s.`),
	msgECHServer:        para(`The server opened the inner hello with its ECH private key and went on with it, not with the outer one. Its events say:`),
	msgInnerNameValue:   words("%s (the ClientHelloInner the server answered)"),
	msgECHDemoOpened:    para(`The demo opened it again from the capture with the server's key, as the server did; the wiretap has no such key. The inner hello, %d bytes, names %s. The transcript, the key log's secrets and the Finished MACs of step 6 are the inner hello's.`),
	msgECHConfirm:       para(`How the client knows the server read the inner hello: the last 8 bytes of ServerHello.random are an acceptance confirmation, derived from the inner hello's random and the transcript (RFC 9849 §7.2), which only a server that decrypted the inner hello can compute. Had they not matched, the client would have taken the answer as a rejection, checked the certificate for the public name, and stopped with an ech_required alert, keeping the server's retry configs for one new attempt (§6.1.6). The client says:`),
	msgECHStillSeen:     para(`What the wiretap still sees: the public name, the server's IP address and port, that ECH is in use, and the sizes and timing of the records. The inner hello is padded so that the name's length does not show (§6.1.3), and clients without a config send GREASE so that using ECH does not stand out (§6.2).`),
	msgServerRandomECH:  words("32 bytes; the last 8 confirm ECH (RFC 9849 §7.2)"),
	msgInnerECHHello:    words("outer ClientHello, the real one sealed inside"),
	msgECHAttacks:       para(`The attacks run with ECH too, but for the downgrade and the 0-RTT replay: with ECH the client offers TLS 1.3 alone, leaving nothing to downgrade to, and sends no early data inside it. The impostor has no ECH key: it cannot open the inner hello, so it can only answer as the public name, and its certificate must still chain to the demo's CA.`),
	msgDone: lines(`Done in %v: %d attacks, %d stopped. Nothing was written to disk;
the CAs and keys die with this process.`),
}}
