package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"

	"lucid/internal/record"
	"lucid/pki"
	"lucid/tls"
)

// JSON output (lucid demo --json) is JSON Lines: one object per line, in
// the order of the narration, for tools and tests. schema/demo-v1.json
// (JSON Schema draft 2020-12) describes each line; TestDemoJSONSchema
// holds the output to it.
//
// Steps 1 to 8, one object each:
//
//	{"step": "1", "title": "...", "facts": {...}}
//
// step is the seed's step number, as a string. title is in the --lang
// language; everything else is language-neutral. facts by step:
//
//	1  client: the client's address and URL; server, wiretap: addresses;
//	   offered: what the ClientHello offered, by name: versions,
//	   cipher_suites, groups, key_shares ("X25519 (32 bytes)"),
//	   signature_schemes, alpn, server_name; client_random_bytes;
//	   clienthello_bytes. All as the wiretap read them: with --ech, of
//	   the outer hello, whose server_name is the public name. ech, when
//	   the hello carried encrypted_client_hello: {grease, config_id,
//	   hpke_suite, enc_bytes, payload_bytes}, and with --ech (grease
//	   false) public_name, accepted, outer_clienthello_bytes,
//	   inner_clienthello_bytes, inner_server_name (the demo's reading of
//	   the inner hello, opened with the server's key),
//	   server_saw_server_name (from the server's ClientHelloInner event),
//	   server_decision and client_decision (each end's "ech" decision)
//	2  ca: {subject, public_key}; certificate: the server's, below;
//	   files_written: always 0; with --ech ech_certificate, the public
//	   name's
//	3  chosen: {version, cipher_suite, key_exchange, alpn,
//	   hello_retry_request}; server_random_bytes; certificates_sent;
//	   certificate_message: {bytes (as sent, header included), offered
//	   (the hello's compress_certificate list), compression (the
//	   algorithm, "" for none), uncompressed_bytes, saved_bytes};
//	   signature: {message ("CertificateVerify" or "ServerKeyExchange"),
//	   scheme, bytes, signed, verifies} or null (RSA key transport signs
//	   nothing)
//	4  certificate: {subject, issuer, names, not_before, not_after
//	   (RFC 3339), public_key, signature_algorithm}; checks: a list of
//	   {check (chain, dates, name, usage, key), ok, detail}; client_accepted
//	5  key_exchange (a group such as "X25519MLKEM768", "ECDHE X25519" or
//	   "RSA key transport"), forward_secrecy; for (EC)DHE
//	   client_share_bytes, server_share_bytes; for RSA
//	   encrypted_pre_master_bytes, encrypted_pre_master_hex (public: the
//	   wiretap sees it)
//	6  kdf ("HKDF-SHA256" or "PRF-SHA256"); key_log: a list of {label,
//	   bytes, value}; record_keys: a list of {label, bytes, derived_from,
//	   value}: value is hex with --show-secrets and absent otherwise;
//	   finished: a list of {from ("server"|"client"), record, bytes,
//	   verify_data (hex; a MAC, not a secret), recomputed_matches,
//	   covers (the handshake messages it covers)};
//	   extended_master_secret (TLS 1.2); exporters_equal
//	7  records: the capture, a list of {n, dir ("C->S"|"S->C"), type,
//	   version, bytes, inside}; request: {record, bytes, header_bytes,
//	   explicit_nonce_bytes, ciphertext_bytes, tag_bytes, wiretap_hex (the
//	   whole record), explicit_nonce_hex, server_read (the plaintext)}
//	8  response: {record, bytes, wiretap_hex, client_read}
//
// Each attack, one object:
//
//	{"attack": "tamper", "title": "...", "outcome": "stopped",
//	 "alert": "bad_record_mac", "stopped_by": "...", "facts": {...}}
//
// attack is tamper, replay, impostor, downgrade or replay0rtt; outcome is
// "stopped" when the attack failed the way it must, "not stopped"
// otherwise (the demo then exits 1, and problem says why); alert is the
// TLS alert that ended the connection ("" when none did: the 0-RTT
// replay ends with the wiretap hanging up); stopped_by names the protocol
// feature. facts:
//
//	tamper     record, offset, byte_before, byte_after, server_error,
//	           client_error, server_read_bytes (0)
//	replay     record, served_first ("GET /hello HTTP/1.1"), server_error
//	           (for the copy)
//	impostor   certificate (as above, the impostor's), client_error,
//	           relay_error, plaintext_stolen_bytes (0)
//	replay0rtt max_early_data (the server's Config.MaxEarlyData),
//	           early_accepted (the server accepted the client's own early
//	           data), accept_decision and replay_decision (the server's
//	           early_data decisions: "accepted up to 16384 bytes of 0-RTT
//	           data", "rejected 0-RTT data: replay; ..."), served_early
//	           (the request line answered from early data), flight (the
//	           client's first flight the wiretap replayed: a list of {n,
//	           dir, type, version, bytes}), flight_bytes, answer (the
//	           server's records in reply to the replay, alike), timeline
//	           (the server's events on the replay, as trace.Timeline
//	           prints them, without times), server_error, relay_error,
//	           handler_runs (1: the early request ran once)
//	downgrade  versions_before, versions_after, suites_removed,
//	           key_shares_removed, clienthello_bytes_before,
//	           clienthello_bytes_after, server_random_hex, sentinel_hex
//	           ("444f574e47524401", "DOWNGRD\x01"), client_error,
//	           server_error
//
// Last, one object: {"done": true, "ok": ..., "seconds": ..., "version":
// "TLS 1.3", "key_exchange": "...", "attacks": [...]}; ok is false when
// an attack was not stopped.

type jsonStep struct {
	Step  string         `json:"step"`
	Title string         `json:"title"`
	Facts map[string]any `json:"facts"`
}

type jsonAttack struct {
	Attack    string         `json:"attack"`
	Title     string         `json:"title"`
	Outcome   string         `json:"outcome"`
	Alert     string         `json:"alert"`
	StoppedBy string         `json:"stopped_by"`
	Facts     map[string]any `json:"facts"`
	Problem   string         `json:"problem,omitempty"`
}

type jsonDone struct {
	Done        bool     `json:"done"`
	OK          bool     `json:"ok"`
	Seconds     float64  `json:"seconds"`
	Version     string   `json:"version"`
	KeyExchange string   `json:"key_exchange"`
	Attacks     []string `json:"attacks"`
}

func writeJSON(w io.Writer, s *story) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	t := titlesFor(s)
	for i, facts := range stepFacts(s) {
		if err := enc.Encode(jsonStep{Step: stepNum(i + 1), Title: t.steps[i], Facts: facts}); err != nil {
			return err
		}
	}
	ok := true
	for _, a := range s.attacks {
		ja := jsonAttack{
			Attack:    a.name,
			Title:     t.attacks[a.name],
			Outcome:   "stopped",
			Alert:     a.alert,
			StoppedBy: enCatalog.f(stoppedBy[a.name]),
			Facts:     attackFacts(s, a),
		}
		if !a.stopped {
			ok = false
			ja.Outcome = "not stopped"
			ja.Problem = a.problem.Error()
		}
		if err := enc.Encode(ja); err != nil {
			return err
		}
	}
	return enc.Encode(jsonDone{
		Done: true, OK: ok, Seconds: s.elapsed.Seconds(),
		Version: tls.VersionName(s.cs.Version), KeyExchange: s.kxName(),
		Attacks: s.opts.Attacks,
	})
}

func stepNum(i int) string { return string(rune('0' + i)) }

// certFacts describes a certificate.
func certFacts(c *x509.Certificate) map[string]any {
	if c == nil {
		return nil
	}
	return map[string]any{
		"subject":             c.Subject.String(),
		"issuer":              c.Issuer.String(),
		"names":               certNames(c),
		"not_before":          c.NotBefore.UTC().Format("2006-01-02T15:04:05Z"),
		"not_after":           c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"),
		"public_key":          pki.KeyName(c.PublicKey),
		"signature_algorithm": c.SignatureAlgorithm.String(),
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// stepFacts builds the facts of steps 1 to 8.
func stepFacts(s *story) []map[string]any {
	d := s.dec
	off := helloOffer(s.pathHello())
	var chLen int
	for _, m := range d.msgs {
		if m.typ == 1 {
			chLen = len(m.raw)
		}
	}
	ech := s.echView()
	if ech != nil && !ech.grease {
		chLen = ech.outerLen
	}
	step1 := map[string]any{
		"client":  "https://" + demoHost + demoPath,
		"server":  s.o.serverAddr,
		"wiretap": s.o.tapAddr,
		"offered": map[string]any{
			"versions":          off.versions,
			"cipher_suites":     off.suites,
			"groups":            off.groups,
			"key_shares":        off.shares,
			"signature_schemes": off.schemes,
			"alpn":              off.alpn,
			"server_name":       off.serverName,
		},
		"client_random_bytes": 32,
		"clienthello_bytes":   chLen,
	}
	if ech != nil {
		step1["ech"] = echFacts(ech)
	}
	step2 := map[string]any{
		"ca":            map[string]any{"subject": s.caCert.Subject.String(), "public_key": pki.KeyName(s.caCert.PublicKey)},
		"certificate":   certFacts(s.cert.Leaf),
		"files_written": 0,
	}
	if s.ech != nil {
		step2["ech_certificate"] = certFacts(s.ech.publicCert.Leaf)
	}
	var sig any
	if d.sig != nil {
		sig = map[string]any{
			"message":  d.sig.message,
			"scheme":   d.sig.scheme.String(),
			"bytes":    d.sig.sigLen,
			"signed":   d.sig.signed,
			"verifies": d.sig.err == nil,
		}
	}
	step3 := map[string]any{
		"chosen": map[string]any{
			"version":             tls.VersionName(s.cs.Version),
			"cipher_suite":        tls.CipherSuiteName(s.cs.CipherSuite),
			"key_exchange":        s.kxName(),
			"alpn":                s.cs.NegotiatedProtocol,
			"hello_retry_request": s.cs.DidHelloRetryRequest,
		},
		"server_random_bytes": 32,
		"certificates_sent":   d.chain,
		"certificate_message": certCompressionFacts(s.certComp),
		"signature":           sig,
	}
	var checks []map[string]any
	for _, c := range s.checks {
		checks = append(checks, map[string]any{"check": c.id, "ok": c.ok, "detail": c.in(enCatalog)})
	}
	step4 := map[string]any{
		"certificate":     certFacts(s.cs.PeerCertificates[0]),
		"checks":          checks,
		"client_accepted": true,
	}
	step5 := map[string]any{
		"key_exchange":    s.kxName(),
		"forward_secrecy": s.forwardSecret(),
	}
	if s.opts.RSA {
		step5["encrypted_pre_master_bytes"] = len(d.encPreMaster)
		step5["encrypted_pre_master_hex"] = hex.EncodeToString(d.encPreMaster)
	} else {
		step5["client_share_bytes"] = d.clientShareLen
		step5["server_share_bytes"] = d.serverShareLen
	}
	var logged, derived, finished []map[string]any
	for _, k := range d.secrets {
		e := map[string]any{"label": k.label, "bytes": len(k.value)}
		if v := s.secretValue(k.value); v != "" {
			e["value"] = v
		}
		logged = append(logged, e)
	}
	for _, k := range d.keys {
		e := map[string]any{"label": k.label, "bytes": len(k.value), "derived_from": k.from}
		if v := s.secretValue(k.value); v != "" {
			e["value"] = v
		}
		derived = append(derived, e)
	}
	for _, f := range d.finished {
		from := "server"
		if f.fromClient {
			from = "client"
		}
		finished = append(finished, map[string]any{
			"from": from, "record": f.record, "bytes": len(f.got),
			"verify_data": hex.EncodeToString(f.got), "recomputed_matches": f.ok(), "covers": f.over,
		})
	}
	kdf := "HKDF-" + s.prfName()
	if !s.is13() {
		kdf = "PRF-" + s.prfName()
	}
	step6 := map[string]any{
		"kdf":             kdf,
		"key_log":         logged,
		"record_keys":     derived,
		"finished":        finished,
		"exporters_equal": s.o.sameKeys,
	}
	if !s.is13() {
		step6["extended_master_secret"] = d.ems
	}
	var recs []map[string]any
	for _, r := range s.recs {
		dir := "S->C"
		if r.fromClient {
			dir = "C->S"
		}
		recs = append(recs, map[string]any{
			"n": r.n, "dir": dir, "type": record.TypeName(r.typ), "version": tls.VersionName(r.version),
			"bytes": r.length, "inside": s.inner(r, enCatalog),
		})
	}
	l := s.layout(s.target)
	request := map[string]any{
		"record":               s.target.n,
		"bytes":                len(s.target.raw),
		"header_bytes":         l.header,
		"explicit_nonce_bytes": l.nonce,
		"ciphertext_bytes":     l.ciphertext,
		"tag_bytes":            l.tag,
		"wiretap_hex":          hex.EncodeToString(s.target.raw),
		"server_read":          string(s.o.request),
	}
	if n := s.nonceOf(s.target); n != nil {
		request["explicit_nonce_hex"] = hex.EncodeToString(n)
	}
	step7 := map[string]any{"records": recs, "request": request}
	step8 := map[string]any{"response": map[string]any{
		"record":      s.reply.n,
		"bytes":       len(s.reply.raw),
		"wiretap_hex": hex.EncodeToString(s.reply.raw),
		"client_read": string(s.o.response),
	}}
	return []map[string]any{step1, step2, step3, step4, step5, step6, step7, step8}
}

// echFacts are step 1's Encrypted Client Hello facts.
func echFacts(v *echView) map[string]any {
	f := map[string]any{
		"grease":        v.grease,
		"config_id":     int(v.configID),
		"hpke_suite":    v.suite,
		"enc_bytes":     v.encLen,
		"payload_bytes": v.payloadLen,
	}
	if v.grease {
		return f
	}
	f["public_name"] = v.publicName
	f["accepted"] = v.accepted
	f["outer_clienthello_bytes"] = v.outerLen
	f["inner_clienthello_bytes"] = v.innerLen
	f["inner_server_name"] = v.innerName
	f["server_saw_server_name"] = v.serverInner
	f["server_decision"] = v.serverSaid
	f["client_decision"] = v.clientSaid
	return f
}

// attackFacts builds an attack's facts.
func attackFacts(s *story, a *attack) map[string]any {
	o := a.o
	switch a.name {
	case "tamper":
		f := map[string]any{
			"offset": a.offset, "byte_before": hex.EncodeToString([]byte{a.before}),
			"byte_after":   hex.EncodeToString([]byte{a.after}),
			"server_error": errString(o.serverErr), "client_error": errString(o.exchangeErr),
			"server_read_bytes": len(o.request),
		}
		if a.target != nil {
			f["record"] = a.target.n
		}
		return f
	case "replay":
		f := map[string]any{"served_first": a.servedOriginal, "server_error": errString(o.serverAfter)}
		if a.target != nil {
			f["record"] = a.target.n
		}
		return f
	case "impostor":
		return map[string]any{
			"certificate":            certFacts(a.fake),
			"client_error":           errString(o.clientErr),
			"relay_error":            errString(a.relayErr),
			"plaintext_stolen_bytes": len(a.stolen),
		}
	case "downgrade":
		f := map[string]any{
			"clienthello_bytes_before": a.lenBefore - record.HeaderLen,
			"clienthello_bytes_after":  a.lenAfter - record.HeaderLen,
			"server_random_hex":        hex.EncodeToString(a.serverRandom),
			"client_error":             errString(o.clientErr),
			"server_error":             errString(o.serverErr),
		}
		if a.sentinel {
			f["sentinel_hex"] = hex.EncodeToString(a.serverRandom[24:])
		}
		if a.helloBefore != nil && a.helloAfter != nil {
			f["versions_before"] = mapNames(a.helloBefore.SupportedVersions, tls.VersionName)
			f["versions_after"] = mapNames(a.helloAfter.SupportedVersions, tls.VersionName)
			f["suites_removed"] = removedSuites(a)
			var shares []string
			for _, ks := range a.helloBefore.KeyShares {
				shares = append(shares, groupName(tls.CurveID(ks.Group)))
			}
			f["key_shares_removed"] = shares
		}
		return f
	case "replay0rtt":
		return zeroRTTFacts(a)
	}
	return nil
}

// zeroRTTFacts are the 0-RTT replay's facts.
func zeroRTTFacts(a *attack) map[string]any {
	z := a.z
	if z == nil {
		z = &zeroRTT{}
	}
	recs := func(rs []*tapRecord) []map[string]any {
		out := []map[string]any{}
		for _, r := range rs {
			dir := "S->C"
			if r.fromClient {
				dir = "C->S"
			}
			out = append(out, map[string]any{"n": r.n, "dir": dir, "type": record.TypeName(r.typ),
				"version": tls.VersionName(r.version), "bytes": r.length})
		}
		return out
	}
	flightBytes := 0
	for _, r := range z.flight {
		flightBytes += len(r.raw)
	}
	timeline := z.timeline
	if timeline == nil {
		timeline = []string{}
	}
	return map[string]any{
		"max_early_data":  demoMaxEarlyData,
		"early_accepted":  z.accepted,
		"accept_decision": z.acceptDecision,
		"served_early":    z.served,
		"flight":          recs(z.flight),
		"flight_bytes":    flightBytes,
		"replay_decision": z.decision,
		"timeline":        timeline,
		"answer":          recs(z.answer),
		"server_error":    errString(z.replayErr),
		"relay_error":     errString(a.relayErr),
		"handler_runs":    z.runs,
	}
}

// removedSuites names the suites the downgrade took out of the offer.
func removedSuites(a *attack) []string {
	var out []string
	for _, id := range a.helloBefore.CipherSuites {
		found := false
		for _, k := range a.helloAfter.CipherSuites {
			found = found || k == id
		}
		if !found {
			out = append(out, tls.CipherSuiteName(id))
		}
	}
	return out
}
