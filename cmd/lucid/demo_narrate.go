package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"lucid/internal/record"
	"lucid/pki"
	"lucid/tls"
)

// The narration: one skeleton walks the story, step by step, and takes
// every word it prints from a catalog, English (demo_text_en.go) or
// Chinese (demo_text_zh.go). What is said, and when, is decided here
// once; how it is said belongs to the catalogs. --json reads the same
// English texts where it carries words (check details, what stopped an
// attack).

// msg names one text of the catalogs.
type msg int

const (
	msgHeader msg = iota // version, key exchange

	// Titles of the steps and the attacks.
	msgStep1
	msgStep2
	msgStep3
	msgStep3RSA
	msgStep4
	msgStep5
	msgStep5RSA
	msgStep6
	msgStep7
	msgStep8
	msgAttackTamper
	msgAttackReplay
	msgAttackImpostor
	msgAttackDowngrade
	msgAttackReplay0RTT

	// Labels of the key-value lines.
	msgLabelVersions
	msgLabelSuites
	msgLabelGroups
	msgLabelShares
	msgLabelSchemes
	msgLabelServerName
	msgLabelALPN
	msgLabelRandom
	msgLabelCA
	msgLabelServerCert
	msgLabelVersion
	msgLabelSuite
	msgLabelKeyExchange
	msgLabelHRR
	msgLabelSignature
	msgLabelSigned
	msgLabelSubject
	msgLabelNames
	msgLabelIssuer
	msgLabelValid
	msgLabelPublicKey
	msgLabelSuitesGone
	msgLabelSharesGone
	msgLabelLength
	// Labels of the wrapped lines: who said what, and how an attack ended.
	msgLabelServerSaid
	msgLabelClientSaid
	msgLabelRelaySaid
	msgLabelCopy1
	msgLabelCopy2
	msgLabelOutcome
	msgLabelAlert
	msgLabelStoppedBy
	msgLabelHandlerRuns

	// Step 1.
	msgPorts
	msgParties // server address, wiretap address, host, path
	msgHelloInClear
	msgServerNameValue // server name
	msgClientRandom
	msgNo13Offered
	msgRSAOffered
	// Step 2.
	msgMadeInMemory
	msgCAValue     // subject, key
	msgServerValue // subject, key
	msgCertBinds
	msgRSAKey
	// Step 3.
	msgServerPicks
	msgHRRNo
	msgHRRYes
	msgServerRandom
	msgFlight13       // certificates
	msgFlightRSA      // certificates
	msgFlight12       // certificates, curve
	msgSignatureValue // message, scheme, bytes
	msgSigned13       // the decoder's words
	msgSigned12       // the decoder's words
	// Certificate compression (demo_certcomp.go).
	msgCertCompUsed       // offered, algorithm, sent, uncompressed, saved, percent
	msgCertCompNotOffered // bytes
	msgCertCompNoCommon   // bytes, offered
	msgCertComp12         // bytes
	// Step 4.
	msgValidValue // from, to
	msgRechecked
	msgCheckOK
	msgCheckBad
	msgCheckChain
	msgCheckDates
	msgCheckName
	msgCheckUsage
	msgCheckKey
	msgChainDetail     // names, signature algorithm
	msgDatesDetail     // now, from, to
	msgNameDetail      // host, names
	msgUsageSignDetail // (ECDHE, TLS 1.3)
	msgUsageRSADetail  // (RSA key transport)
	msgKeySigDetail    // message, scheme, bytes
	msgKeyRSADetail
	msgAlertNotWarning
	// Step 5.
	msgKxRSA   // the name of RSA key transport
	msgRSASent // bytes
	msgRSANoForwardSecrecy
	msgShares13 // group, client bytes, server bytes
	msgHybrid   // group
	msgForwardSecrecy13
	msgECDHE12 // curve, server bytes, client bytes
	// Step 6.
	msgSecrets13 // hash
	msgSecrets12 // hash, msgEMS or msgNoEMS
	msgEMS
	msgNoEMS
	msgSecretLine // label, bytes
	msgRecordKeys13
	msgKeyBlock12
	msgHidden
	msgFinished13
	msgFinished12
	msgFinishedLine // who, record, bytes, msgSame or msgDifferent
	msgFinishedOver // first, last, count
	msgServer
	msgClient
	msgSame
	msgDifferent
	msgFinishedEnd
	// Step 7.
	msgRecordsIntro
	msgColNumber
	msgColDir
	msgColType
	msgColVersion
	msgColBytes
	msgColInside
	msgInnerRequest
	msgInnerResponse
	msgInnerAppData // bytes
	msgInnerSeq     // what, sequence number
	msgInnerCompat  // what
	msgInnerUndecryptable
	msgAfterRecords13
	msgAfterRecords12
	msgRequestRecord // record
	msgWiretapSees   // bytes
	msgServerReads
	msgClientReads
	msgLayoutHeader     // bytes
	msgLayoutNonce      // bytes, nonce
	msgLayoutCiphertext // bytes, HTTP bytes
	msgLayoutInnerType
	msgLayoutTag // bytes, AEAD
	// Step 8.
	msgResponseRecord // record

	// The attacks.
	msgAttacksBegin
	msgStopped
	msgNotStopped // problem
	msgStoppedByTamper
	msgStoppedByReplay
	msgStoppedByImpostor
	msgStoppedByDowngrade
	msgStoppedByReplay0RTT
	msgTamperAfterHeader
	msgTamperAfterNonce // bytes
	msgTamperFlip       // byte offset, record, before, after, where, path, path
	msgTamperReadNone   // 0
	msgTamperReadSome   // bytes
	msgReplay13
	msgReplay12
	msgCopy1 // request line
	msgCopy2 // error
	msgReplayEnd13
	msgReplayEnd12
	msgImpostorAnswers
	msgImpostorRefused   // CA name
	msgImpostorWouldRead // bytes
	msgDowngradeRewrites
	msgDowngradeLength // bytes before, bytes after
	msgDowngradeAnyVersion
	msgDowngradeSentinel
	msgDowngradeCaught
	msgZeroRTTAnyVersion
	msgZeroRTTIntro  // bytes
	msgZeroRTTResume // the client's early request and the wiretap's record
	msgFlightHello
	msgFlightEarly
	msgAnswerEncrypted
	msgZeroRTTAccepted // request line
	msgZeroRTTWhy
	msgZeroRTTGuard
	msgZeroRTTAdmitted
	msgZeroRTTGoesOn
	msgZeroRTTRuns // runs
	msgZeroRTTEnd
	msgShareValue // group, bytes
	msgMoreBytes  // bytes
	msgDone       // duration, attacks, stopped

	// Encrypted Client Hello, in step 1 (and the server random of step 3,
	// the first record of step 7).
	msgLabelECH
	msgLabelInnerName
	msgServerNamePublic // public name
	msgECHValue         // config id, HPKE suite, enc bytes, payload bytes
	msgECHGrease
	msgECHWhy         // public name, real name, HPKE suite, outer bytes, public name, real name
	msgECHServer      // (then the server's decision)
	msgInnerNameValue // the name
	msgECHDemoOpened  // inner bytes, real name
	msgECHConfirm     // (then the client's decision)
	msgECHStillSeen
	msgServerRandomECH
	msgInnerECHHello
	msgECHAttacks
	msgLabelPublicCert
	msgPublicCertValue // subject, key

	msgCount // not a text: the number of them
)

// form is how a text is laid out when it is said.
type form int

const (
	// phrase is part of a line: a label, a value, a clause another text
	// takes as an argument.
	phrase form = iota
	// asLines is printed as written, line by line.
	asLines
	// asPara makes each line a paragraph, wrapped and indented like the
	// narration.
	asPara
	// asWrapped wraps each line to the full width, unindented.
	asWrapped
)

// text is one entry of a catalog.
type text struct {
	form form
	s    string
}

func lines(s string) text   { return text{asLines, s} }
func para(s string) text    { return text{asPara, s} }
func wrapped(s string) text { return text{asWrapped, s} }
func words(s string) text   { return text{phrase, s} }

// catalog is the narration's text in one language.
type catalog struct {
	// keyWidth is the width of the key column of key-value lines, and
	// checkWidth that of a certificate check's name.
	keyWidth, checkWidth int
	texts                map[msg]text
}

// catalogFor returns the catalog of a --lang.
func catalogFor(lang string) *catalog {
	if lang == "zh" {
		return zhCatalog
	}
	return enCatalog
}

// f returns text k formatted with args. A text without verbs ignores its
// arguments, so that one language may leave out a fact another states.
func (c *catalog) f(k msg, args ...any) string {
	t, ok := c.texts[k]
	if !ok {
		return fmt.Sprintf("[text %d missing]", k)
	}
	if len(args) == 0 || !strings.Contains(t.s, "%") {
		return t.s
	}
	return fmt.Sprintf(t.s, args...)
}

// narrator tells a story with a catalog's words.
type narrator struct {
	*printer
	c *catalog
	s *story
}

// say prints text k, formatted with args, laid out as its form says.
func (n *narrator) say(k msg, args ...any) {
	s := n.c.f(k, args...)
	for _, l := range strings.Split(s, "\n") {
		switch n.c.texts[k].form {
		case asPara:
			n.para(l)
		case asWrapped:
			for _, w := range wrap(l, textWidth) {
				n.line("%s", w)
			}
		default:
			n.line("%s", l)
		}
	}
}

// hex is hexLines with its "more bytes" line in the catalog's words.
func (n *narrator) hex(b []byte, perLine, maxLines int) []string {
	l := hexLines(b, perLine, maxLines)
	if last := len(l) - 1; last > 0 && strings.HasPrefix(l[last], "... ") {
		l[last] = n.c.f(msgMoreBytes, len(b)-last*perLine)
	}
	return l
}

// kv prints a key-value line whose key is text k.
func (n *narrator) kv(k msg, value string) { n.printer.kv(n.c.f(k), value) }

// list prints a key and a list under text k.
func (n *narrator) list(k msg, items []string) { n.printer.list(n.c.f(k), items) }

// said prints what a party said (an error, usually) after label k.
func (n *narrator) said(k msg, text string) { n.wrapped(n.c.f(k), text) }

// titles are the step and attack titles in one language.
type titles struct {
	steps   []string
	attacks map[string]string
}

func titlesFor(s *story) titles {
	c := catalogFor(s.opts.Lang)
	t := titles{
		steps: []string{c.f(msgStep1), c.f(msgStep2), c.f(msgStep3), c.f(msgStep4),
			c.f(msgStep5), c.f(msgStep6), c.f(msgStep7), c.f(msgStep8)},
		attacks: map[string]string{
			"tamper":     c.f(msgAttackTamper),
			"replay":     c.f(msgAttackReplay),
			"impostor":   c.f(msgAttackImpostor),
			"downgrade":  c.f(msgAttackDowngrade),
			"replay0rtt": c.f(msgAttackReplay0RTT),
		},
	}
	if s.opts.RSA {
		t.steps[2], t.steps[4] = c.f(msgStep3RSA), c.f(msgStep5RSA)
	}
	return t
}

// stoppedBy names, for each attack, the text that says what stopped it.
var stoppedBy = map[string]msg{
	"tamper":     msgStoppedByTamper,
	"replay":     msgStoppedByReplay,
	"impostor":   msgStoppedByImpostor,
	"downgrade":  msgStoppedByDowngrade,
	"replay0rtt": msgStoppedByReplay0RTT,
}

// checkNames names, for each certificate check, its text.
var checkNames = map[string]msg{
	"chain": msgCheckChain,
	"dates": msgCheckDates,
	"name":  msgCheckName,
	"usage": msgCheckUsage,
	"key":   msgCheckKey,
}

// kxName names the key exchange that was used.
func (n *narrator) kxName() string {
	if n.s.opts.RSA {
		return n.c.f(msgKxRSA)
	}
	return n.s.kxName()
}

// narrate tells the story s in the words of catalog c.
func narrate(w io.Writer, s *story, c *catalog) error {
	n := &narrator{printer: newPrinter(w, c.keyWidth), c: c, s: s}
	t := titlesFor(s)
	d := s.dec
	v := tls.VersionName(s.cs.Version)

	n.say(msgHeader, v, n.kxName())

	// 1. ClientHello.
	n.step("1", t.steps[0])
	n.say(msgPorts)
	n.say(msgParties, s.o.serverAddr, s.o.tapAddr, demoHost, demoPath)
	wireHello := s.pathHello()
	off := helloOffer(wireHello)
	ech := s.echView()
	n.say(msgHelloInClear)
	n.list(msgLabelVersions, off.versions)
	n.list(msgLabelSuites, off.suites)
	n.list(msgLabelGroups, off.groups)
	if wireHello != nil && len(wireHello.KeyShares) > 0 {
		var shares []string
		for _, ks := range wireHello.KeyShares {
			shares = append(shares, c.f(msgShareValue, groupName(tls.CurveID(ks.Group)), len(ks.Data)))
		}
		n.list(msgLabelShares, shares)
	}
	n.list(msgLabelSchemes, off.schemes)
	if ech != nil && !ech.grease {
		n.kv(msgLabelServerName, c.f(msgServerNamePublic, off.serverName))
	} else {
		n.kv(msgLabelServerName, c.f(msgServerNameValue, off.serverName))
	}
	n.list(msgLabelALPN, off.alpn)
	n.kv(msgLabelRandom, c.f(msgClientRandom))
	if ech != nil {
		n.kv(msgLabelECH, c.f(msgECHValue, ech.configID, ech.suite, ech.payloadLen))
		n.ech(ech)
	}
	if !s.is13() {
		n.say(msgNo13Offered)
	}
	if s.opts.RSA {
		n.say(msgRSAOffered)
	}

	// 2. The certificate.
	leaf := s.cert.Leaf
	n.step("2", t.steps[1])
	n.say(msgMadeInMemory)
	n.kv(msgLabelCA, c.f(msgCAValue, s.caCert.Subject, pki.KeyName(s.caCert.PublicKey)))
	n.kv(msgLabelServerCert, c.f(msgServerValue, leaf.Subject, pki.KeyName(leaf.PublicKey)))
	if s.ech != nil && s.ech.publicCert.Leaf != nil {
		pc := s.ech.publicCert.Leaf
		n.kv(msgLabelPublicCert, c.f(msgPublicCertValue, pc.Subject, pki.KeyName(pc.PublicKey)))
	}
	n.say(msgCertBinds)
	if s.opts.RSA {
		n.say(msgRSAKey)
	}

	// 3. ServerHello, certificate, signature.
	n.step("3", t.steps[2])
	n.say(msgServerPicks)
	n.kv(msgLabelVersion, v)
	n.kv(msgLabelSuite, tls.CipherSuiteName(s.cs.CipherSuite))
	n.kv(msgLabelKeyExchange, n.kxName())
	n.kv(msgLabelALPN, s.cs.NegotiatedProtocol)
	if s.is13() {
		hrr := msgHRRNo
		if s.cs.DidHelloRetryRequest {
			hrr = msgHRRYes
		}
		n.kv(msgLabelHRR, c.f(hrr))
	}
	if s.ech != nil && s.ech.accepted {
		n.kv(msgLabelRandom, c.f(msgServerRandomECH))
	} else {
		n.kv(msgLabelRandom, c.f(msgServerRandom))
	}
	switch {
	case s.is13():
		n.say(msgFlight13, d.chain)
	case s.opts.RSA:
		n.say(msgFlightRSA, d.chain)
	default:
		n.say(msgFlight12, d.chain, groupName(tls.CurveID(d.kxGroup)))
	}
	if sig := d.sig; sig != nil {
		n.kv(msgLabelSignature, c.f(msgSignatureValue, sig.message, sig.scheme, sig.sigLen))
		signed := msgSigned13
		if !s.is13() {
			signed = msgSigned12
		}
		n.wrapped(pad(c.f(msgLabelSigned), c.keyWidth)+" ", c.f(signed, sig.signed))
	}
	n.sayCertCompression(s.certComp)

	// 4. Certificate checks.
	peer := s.cs.PeerCertificates[0]
	n.step("4", t.steps[3])
	n.kv(msgLabelSubject, peer.Subject.String())
	n.kv(msgLabelNames, certNames(peer))
	n.kv(msgLabelIssuer, peer.Issuer.String())
	n.kv(msgLabelValid, c.f(msgValidValue, fmtTime(peer.NotBefore), fmtTime(peer.NotAfter)))
	n.kv(msgLabelPublicKey, pki.KeyName(peer.PublicKey))
	n.say(msgRechecked)
	for _, ch := range s.checks {
		mark := msgCheckOK
		if !ch.ok {
			mark = msgCheckBad
		}
		n.wrapped(c.f(mark, pad(c.f(checkNames[ch.id]), c.checkWidth)), ch.in(c))
	}
	n.say(msgAlertNotWarning)

	// 5. Key exchange.
	n.step("5", t.steps[4])
	switch {
	case s.opts.RSA:
		n.say(msgRSASent, len(d.encPreMaster))
		for _, l := range n.hex(d.encPreMaster, 16, 4) {
			n.line("     %s", l)
		}
		n.say(msgRSANoForwardSecrecy)
	case s.is13():
		n.say(msgShares13, s.kxName(), d.clientShareLen, d.serverShareLen)
		if s.cs.CurveID == tls.X25519MLKEM768 {
			n.say(msgHybrid, s.kxName())
		}
		n.say(msgForwardSecrecy13)
	default:
		n.say(msgECDHE12, groupName(tls.CurveID(d.kxGroup)), d.serverShareLen, d.clientShareLen)
	}

	// 6. Keys and Finished.
	n.step("6", t.steps[5])
	if s.is13() {
		n.say(msgSecrets13, s.prfName())
	} else {
		ems := msgNoEMS
		if d.ems {
			ems = msgEMS
		}
		n.say(msgSecrets12, s.prfName(), c.f(ems))
	}
	for _, k := range d.secrets {
		n.say(msgSecretLine, k.label, len(k.value))
		for _, v := range chunks(s.secretValue(k.value), 64) {
			n.line("       %s", v)
		}
	}
	if s.is13() {
		n.say(msgRecordKeys13)
	} else {
		n.say(msgKeyBlock12)
	}
	for _, k := range d.keys {
		n.say(msgSecretLine, k.label, len(k.value))
		for _, v := range chunks(s.secretValue(k.value), 64) {
			n.line("       %s", v)
		}
	}
	if !s.opts.ShowSecrets {
		n.say(msgHidden)
	}
	if s.is13() {
		n.say(msgFinished13)
	} else {
		n.say(msgFinished12)
	}
	for _, f := range d.finished {
		who := msgServer
		if f.fromClient {
			who = msgClient
		}
		verdict := msgSame
		if !f.ok() {
			verdict = msgDifferent
		}
		n.say(msgFinishedLine, c.f(who), f.record, len(f.got), c.f(verdict))
		n.say(msgFinishedOver, f.over[0], f.over[len(f.over)-1], len(f.over))
		for _, l := range n.hex(f.got, 16, 0) {
			n.line("       %s", l)
		}
	}
	n.say(msgFinishedEnd)

	// 7. The request.
	n.step("7", t.steps[6])
	n.say(msgRecordsIntro)
	n.records(s.recs, [6]string{c.f(msgColNumber), c.f(msgColDir), c.f(msgColType), c.f(msgColVersion),
		c.f(msgColBytes), c.f(msgColInside)}, func(r *tapRecord) string { return s.inner(r, c) })
	if s.is13() {
		n.say(msgAfterRecords13)
	} else {
		n.say(msgAfterRecords12)
	}
	l := s.layout(s.target)
	n.say(msgRequestRecord, s.target.n)
	n.sideBySide(c.f(msgWiretapSees, len(s.target.raw)), n.hex(s.target.raw, 10, 0),
		c.f(msgServerReads), httpLines(s.o.request))
	parts := c.f(msgLayoutHeader, l.header)
	if l.nonce > 0 {
		parts += c.f(msgLayoutNonce, l.nonce, spacedHex(s.nonceOf(s.target)))
	}
	parts += c.f(msgLayoutCiphertext, l.ciphertext, len(s.o.request))
	if l.innerType > 0 {
		parts += c.f(msgLayoutInnerType)
	}
	parts += c.f(msgLayoutTag, l.tag, s.aeadName())
	n.para(parts)

	// 8. The response.
	n.step("8", t.steps[7])
	n.say(msgResponseRecord, s.reply.n)
	n.sideBySide(c.f(msgWiretapSees, len(s.reply.raw)), n.hex(s.reply.raw, 10, 8),
		c.f(msgClientReads), httpLines(s.o.response))

	// The attacks.
	if len(s.attacks) > 0 {
		n.line("")
		n.say(msgAttacksBegin)
		if s.ech != nil {
			n.say(msgECHAttacks)
		}
	}
	for i, a := range s.attacks {
		n.step(string(rune('A'+i)), t.attacks[a.name])
		n.attack(a)
		outcome := c.f(msgStopped)
		if !a.stopped {
			outcome = c.f(msgNotStopped, a.problem)
		}
		n.said(msgLabelOutcome, outcome)
		if a.alert != "" {
			n.said(msgLabelAlert, a.alert)
		}
		n.said(msgLabelStoppedBy, c.f(stoppedBy[a.name]))
	}

	stopped := 0
	for _, a := range s.attacks {
		if a.stopped {
			stopped++
		}
	}
	n.line("")
	n.say(msgDone, s.elapsed.Round(time.Millisecond), len(s.attacks), stopped)
	return n.err
}

// ech tells step 1's Encrypted Client Hello: GREASE, or the outer hello
// the wiretap read and the inner one the server answered.
func (n *narrator) ech(v *echView) {
	if v.grease {
		n.say(msgECHGrease)
		return
	}
	n.say(msgECHWhy, v.publicName, demoHost, v.suite, v.outerLen, v.publicName, demoHost)
	n.say(msgECHServer)
	n.said(msgLabelServerSaid, v.serverSaid)
	n.kv(msgLabelInnerName, n.c.f(msgInnerNameValue, v.serverInner))
	n.say(msgECHDemoOpened, v.innerLen, v.innerName)
	n.say(msgECHConfirm)
	n.said(msgLabelClientSaid, v.clientSaid)
	n.say(msgECHStillSeen)
}

// attack tells what happened in one attack.
func (n *narrator) attack(a *attack) {
	s, c, o := n.s, n.c, a.o
	switch a.name {
	case "tamper":
		if a.target == nil {
			return
		}
		where := c.f(msgTamperAfterHeader)
		if a.explicitNonce > 0 {
			where = c.f(msgTamperAfterNonce, a.explicitNonce)
		}
		// a.offset counts from 0 with the header; people count from 1.
		n.say(msgTamperFlip, a.offset+1, a.target.n, a.before, a.after, where, demoPath, demoPath)
		n.said(msgLabelServerSaid, errString(o.serverErr))
		n.said(msgLabelClientSaid, errString(o.exchangeErr))
		if len(o.request) == 0 {
			n.say(msgTamperReadNone, len(o.request))
		} else {
			n.say(msgTamperReadSome, len(o.request))
		}
	case "replay":
		is13 := s.opts.Version == tls.VersionTLS13
		if is13 {
			n.say(msgReplay13)
		} else {
			n.say(msgReplay12)
		}
		n.said(msgLabelCopy1, c.f(msgCopy1, a.servedOriginal))
		n.said(msgLabelCopy2, c.f(msgCopy2, errString(o.serverAfter)))
		if is13 {
			n.say(msgReplayEnd13)
		} else {
			n.say(msgReplayEnd12)
		}
	case "impostor":
		n.say(msgImpostorAnswers)
		if a.fake != nil {
			n.kv(msgLabelSubject, a.fake.Subject.String())
			n.kv(msgLabelNames, certNames(a.fake))
			n.kv(msgLabelIssuer, a.fake.Issuer.String())
		}
		n.say(msgImpostorRefused, s.caCert.Subject.CommonName)
		n.said(msgLabelClientSaid, errString(o.clientErr))
		n.said(msgLabelRelaySaid, errString(a.relayErr))
		n.say(msgImpostorWouldRead, len(a.stolen))
	case "downgrade":
		if a.helloBefore == nil {
			return
		}
		n.say(msgDowngradeRewrites)
		n.kv(msgLabelVersions, strings.Join(mapNames(a.helloBefore.SupportedVersions, tls.VersionName), ", ")+
			" -> "+strings.Join(mapNames(a.helloAfter.SupportedVersions, tls.VersionName), ", "))
		n.list(msgLabelSuitesGone, removedSuites(a))
		var shares []string
		for _, ks := range a.helloBefore.KeyShares {
			shares = append(shares, groupName(tls.CurveID(ks.Group)))
		}
		n.list(msgLabelSharesGone, shares)
		n.kv(msgLabelLength, c.f(msgDowngradeLength, a.lenBefore-record.HeaderLen, a.lenAfter-record.HeaderLen))
		if s.opts.Version != tls.VersionTLS13 {
			n.say(msgDowngradeAnyVersion)
		}
		n.say(msgDowngradeSentinel)
		if len(a.serverRandom) == 32 {
			n.kv(msgLabelRandom, spacedHex(a.serverRandom[:16]))
			n.printer.kv("", spacedHex(a.serverRandom[16:]))
			n.printer.kv("", strings.Repeat(" ", 24)+"D  O  W  N  G  R  D  \\x01")
		}
		n.say(msgDowngradeCaught)
		n.said(msgLabelClientSaid, errString(o.clientErr))
		n.said(msgLabelServerSaid, errString(o.serverErr))
	case "replay0rtt":
		n.replay0rtt(a.z)
	}
}

// replay0rtt tells the 0-RTT replay.
func (n *narrator) replay0rtt(z *zeroRTT) {
	s, c := n.s, n.c
	if s.opts.Version != tls.VersionTLS13 {
		n.say(msgZeroRTTAnyVersion)
	}
	n.say(msgZeroRTTIntro, demoMaxEarlyData)
	if z == nil {
		return
	}
	cols := [6]string{c.f(msgColNumber), c.f(msgColDir), c.f(msgColType), c.f(msgColVersion),
		c.f(msgColBytes), c.f(msgColInside)}
	n.say(msgZeroRTTResume)
	n.records(z.flight, cols, func(r *tapRecord) string {
		switch r.typ {
		case record.TypeHandshake:
			return c.f(msgFlightHello)
		case record.TypeApplicationData:
			return c.f(msgFlightEarly)
		case record.TypeChangeCipherSpec:
			return c.f(msgInnerCompat, r.note)
		}
		return r.note
	})
	if !z.accepted {
		return
	}
	n.said(msgLabelServerSaid, z.acceptDecision)
	n.say(msgZeroRTTAccepted, z.served)
	n.say(msgZeroRTTWhy)
	for _, l := range z.timeline {
		head, rest := timelineColumns(l)
		n.wrapped(head, rest)
	}
	if z.runs > 1 {
		n.say(msgZeroRTTAdmitted)
	} else {
		n.say(msgZeroRTTGuard)
		n.say(msgZeroRTTGoesOn)
	}
	n.records(z.answer, cols, func(r *tapRecord) string {
		switch r.typ {
		case record.TypeApplicationData:
			return c.f(msgAnswerEncrypted)
		case record.TypeChangeCipherSpec:
			return c.f(msgInnerCompat, r.note)
		}
		return r.note
	})
	n.said(msgLabelServerSaid, errString(z.replayErr))
	n.kv(msgLabelHandlerRuns, c.f(msgZeroRTTRuns, z.runs))
	n.say(msgZeroRTTEnd)
}

// timelineColumns splits a line of trace.Timeline (its time column gone)
// after the mark and the name, so that the rest wraps under itself.
func timelineColumns(l string) (head, rest string) {
	const nameEnd = 2 + 24 + 1 // mark, space, name, space
	r := []rune(l)
	if len(r) > nameEnd && r[1] == ' ' && r[nameEnd-1] == ' ' {
		return string(r[:nameEnd]), string(r[nameEnd:])
	}
	return "", l
}
