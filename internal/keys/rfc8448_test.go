package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode"

	"lucid/internal/rfc8448"
)

// hexBytes decodes hex, ignoring whitespace.
func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func check(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if w := hexBytes(t, want); !bytes.Equal(got, w) {
		t.Errorf("%s:\n got %x\nwant %x", what, got, w)
	}
}

func transcriptHash(t *testing.T, msgs ...string) []byte {
	t.Helper()
	h := sha256.New()
	for _, m := range msgs {
		h.Write(hexBytes(t, m))
	}
	return h.Sum(nil)
}

// TestRFC8448ExpandLabel checks every HKDF-Expand-Label step of the trace
// twice: ExpandLabel from PRK, label and context must give the expanded
// value, and plain HKDF-Expand with the trace's info bytes must give the
// same, which pins down ExpandLabel's HkdfLabel encoding.
func TestRFC8448ExpandLabel(t *testing.T) {
	tests := []struct {
		step    string
		prk     string
		label   string
		context string
		info    string
		length  int
		want    string
	}{
		{"derived (for handshake)", rfc8448.SimpleEarlySecret, "derived", rfc8448.SimpleEmptyHash, rfc8448.SimpleDerivedForHandshakeInfo, 32, rfc8448.SimpleDerivedForHandshake},
		{"c hs traffic", rfc8448.SimpleHandshakeSecret, "c hs traffic", rfc8448.SimpleHelloHash, rfc8448.SimpleClientHandshakeTrafficInfo, 32, rfc8448.SimpleClientHandshakeTrafficSecret},
		{"s hs traffic", rfc8448.SimpleHandshakeSecret, "s hs traffic", rfc8448.SimpleHelloHash, rfc8448.SimpleServerHandshakeTrafficInfo, 32, rfc8448.SimpleServerHandshakeTrafficSecret},
		{"derived (for master)", rfc8448.SimpleHandshakeSecret, "derived", rfc8448.SimpleEmptyHash, rfc8448.SimpleDerivedForMasterInfo, 32, rfc8448.SimpleDerivedForMaster},
		{"server handshake write key", rfc8448.SimpleServerHandshakeTrafficSecret, "key", "", rfc8448.SimpleKeyInfo, 16, rfc8448.SimpleServerHandshakeKey},
		{"server handshake write iv", rfc8448.SimpleServerHandshakeTrafficSecret, "iv", "", rfc8448.SimpleIVInfo, 12, rfc8448.SimpleServerHandshakeIV},
		{"server finished_key", rfc8448.SimpleServerHandshakeTrafficSecret, "finished", "", rfc8448.SimpleFinishedInfo, 32, rfc8448.SimpleServerFinishedKey},
		{"c ap traffic", rfc8448.SimpleMasterSecret, "c ap traffic", rfc8448.SimpleServerFinishedHash, rfc8448.SimpleClientApplicationTrafficInfo, 32, rfc8448.SimpleClientApplicationTrafficSecret},
		{"s ap traffic", rfc8448.SimpleMasterSecret, "s ap traffic", rfc8448.SimpleServerFinishedHash, rfc8448.SimpleServerApplicationTrafficInfo, 32, rfc8448.SimpleServerApplicationTrafficSecret},
		{"exp master", rfc8448.SimpleMasterSecret, "exp master", rfc8448.SimpleServerFinishedHash, rfc8448.SimpleExporterMasterInfo, 32, rfc8448.SimpleExporterMasterSecret},
		{"server application write key", rfc8448.SimpleServerApplicationTrafficSecret, "key", "", rfc8448.SimpleKeyInfo, 16, rfc8448.SimpleServerApplicationKey},
		{"server application write iv", rfc8448.SimpleServerApplicationTrafficSecret, "iv", "", rfc8448.SimpleIVInfo, 12, rfc8448.SimpleServerApplicationIV},
		{"server handshake read key", rfc8448.SimpleClientHandshakeTrafficSecret, "key", "", rfc8448.SimpleKeyInfo, 16, rfc8448.SimpleClientHandshakeKey},
		{"server handshake read iv", rfc8448.SimpleClientHandshakeTrafficSecret, "iv", "", rfc8448.SimpleIVInfo, 12, rfc8448.SimpleClientHandshakeIV},
		{"client finished_key", rfc8448.SimpleClientHandshakeTrafficSecret, "finished", "", rfc8448.SimpleFinishedInfo, 32, rfc8448.SimpleClientFinishedKey},
		{"client application write key", rfc8448.SimpleClientApplicationTrafficSecret, "key", "", rfc8448.SimpleKeyInfo, 16, rfc8448.SimpleClientApplicationKey},
		{"client application write iv", rfc8448.SimpleClientApplicationTrafficSecret, "iv", "", rfc8448.SimpleIVInfo, 12, rfc8448.SimpleClientApplicationIV},
		{"res master", rfc8448.SimpleMasterSecret, "res master", rfc8448.SimpleClientFinishedHash, rfc8448.SimpleResumptionMasterInfo, 32, rfc8448.SimpleResumptionMasterSecret},
		{"resumption", rfc8448.SimpleResumptionMasterSecret, "resumption", rfc8448.SimpleTicketNonce, rfc8448.SimpleResumptionInfo, 32, rfc8448.SimpleResumptionPSK},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			prk := hexBytes(t, tt.prk)
			check(t, "ExpandLabel", ExpandLabel(crypto.SHA256, prk, tt.label, hexBytes(t, tt.context), tt.length), tt.want)
			raw, err := hkdf.Expand(sha256.New, prk, string(hexBytes(t, tt.info)), tt.length)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "HKDF-Expand with the trace's info", raw, tt.want)
		})
	}
}

// TestRFC8448Schedule runs the key schedule from the trace's inputs (the
// x25519 key pairs and the handshake messages) and compares every secret,
// key, IV and Finished value §3 lists.
func TestRFC8448Schedule(t *testing.T) {
	h := crypto.SHA256

	// (EC)DHE: both sides compute the IKM of "extract secret handshake".
	x := ecdh.X25519()
	clientPriv, err := x.NewPrivateKey(hexBytes(t, rfc8448.SimpleClientX25519PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	serverPriv, err := x.NewPrivateKey(hexBytes(t, rfc8448.SimpleServerX25519PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client public key", clientPriv.PublicKey().Bytes(), rfc8448.SimpleClientX25519PublicKey)
	check(t, "server public key", serverPriv.PublicKey().Bytes(), rfc8448.SimpleServerX25519PublicKey)
	serverPub, err := x.NewPublicKey(hexBytes(t, rfc8448.SimpleServerX25519PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	clientPub, err := x.NewPublicKey(hexBytes(t, rfc8448.SimpleClientX25519PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	shared, err := clientPriv.ECDH(serverPub)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shared secret (client side) = IKM of extract handshake", shared, rfc8448.SimpleSharedSecret)
	serverShared, err := serverPriv.ECDH(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shared secret (server side)", serverShared, rfc8448.SimpleSharedSecret)

	check(t, "EmptyHash", EmptyHash(h), rfc8448.SimpleEmptyHash)

	// Early secret: Extract(0, 0...0); nil PSK means 32 zero octets.
	early := NewEarlySecret(h, nil)
	check(t, "early secret", early.Secret(), rfc8448.SimpleEarlySecret)
	check(t, "early secret from explicit zero IKM", NewEarlySecret(h, hexBytes(t, rfc8448.SimpleEarlyIKM)).Secret(), rfc8448.SimpleEarlySecret)
	check(t, "derived (for handshake)", ExpandLabel(h, early.Secret(), "derived", EmptyHash(h), h.Size()), rfc8448.SimpleDerivedForHandshake)

	hs := early.Handshake(shared)
	check(t, "handshake secret", hs.Secret(), rfc8448.SimpleHandshakeSecret)

	helloHash := transcriptHash(t, rfc8448.SimpleClientHello, rfc8448.SimpleServerHello)
	check(t, "Transcript-Hash(ClientHello, ServerHello)", helloHash, rfc8448.SimpleHelloHash)
	cHS := hs.ClientTraffic(helloHash)
	sHS := hs.ServerTraffic(helloHash)
	check(t, "client_handshake_traffic_secret", cHS, rfc8448.SimpleClientHandshakeTrafficSecret)
	check(t, "server_handshake_traffic_secret", sHS, rfc8448.SimpleServerHandshakeTrafficSecret)
	check(t, "derived (for master)", ExpandLabel(h, hs.Secret(), "derived", EmptyHash(h), h.Size()), rfc8448.SimpleDerivedForMaster)

	key, iv := TrafficKey(h, sHS, 16)
	check(t, "server handshake write key", key, rfc8448.SimpleServerHandshakeKey)
	check(t, "server handshake write iv", iv, rfc8448.SimpleServerHandshakeIV)
	key, iv = TrafficKey(h, cHS, 16)
	check(t, "client handshake write key", key, rfc8448.SimpleClientHandshakeKey)
	check(t, "client handshake write iv", iv, rfc8448.SimpleClientHandshakeIV)

	// Server Finished over ClientHello..CertificateVerify; it must be the
	// verify_data of the trace's Finished message.
	cvHash := transcriptHash(t, rfc8448.SimpleClientHello, rfc8448.SimpleServerHello, rfc8448.SimpleEncryptedExtensions, rfc8448.SimpleServerCertificate, rfc8448.SimpleServerCertificateVerify)
	serverVerify := FinishedMAC(h, sHS, cvHash)
	check(t, "server finished verify_data", serverVerify, rfc8448.SimpleServerVerifyData)
	check(t, "server Finished message", append([]byte{20, 0, 0, 32}, serverVerify...), rfc8448.SimpleServerFinished)

	ms := hs.Master()
	check(t, "master secret", ms.Secret(), rfc8448.SimpleMasterSecret)
	// The trace's extract step: salt "derived", IKM all zeros.
	if prk, err := hkdf.Extract(sha256.New, hexBytes(t, rfc8448.SimpleMasterIKM), hexBytes(t, rfc8448.SimpleDerivedForMaster)); err != nil {
		t.Fatal(err)
	} else {
		check(t, "HKDF-Extract(derived, 0...0)", prk, rfc8448.SimpleMasterSecret)
	}

	finHash := transcriptHash(t, rfc8448.SimpleClientHello, rfc8448.SimpleServerHello, rfc8448.SimpleEncryptedExtensions, rfc8448.SimpleServerCertificate, rfc8448.SimpleServerCertificateVerify, rfc8448.SimpleServerFinished)
	check(t, "Transcript-Hash(ClientHello..server Finished)", finHash, rfc8448.SimpleServerFinishedHash)
	cAP := ms.ClientTraffic(finHash)
	sAP := ms.ServerTraffic(finHash)
	check(t, "client_application_traffic_secret_0", cAP, rfc8448.SimpleClientApplicationTrafficSecret)
	check(t, "server_application_traffic_secret_0", sAP, rfc8448.SimpleServerApplicationTrafficSecret)
	check(t, "exporter_master_secret", ms.Exporter(finHash), rfc8448.SimpleExporterMasterSecret)

	key, iv = TrafficKey(h, sAP, 16)
	check(t, "server application write key", key, rfc8448.SimpleServerApplicationKey)
	check(t, "server application write iv", iv, rfc8448.SimpleServerApplicationIV)
	key, iv = TrafficKey(h, cAP, 16)
	check(t, "client application write key", key, rfc8448.SimpleClientApplicationKey)
	check(t, "client application write iv", iv, rfc8448.SimpleClientApplicationIV)

	clientVerify := FinishedMAC(h, cHS, finHash)
	check(t, "client finished verify_data", clientVerify, rfc8448.SimpleClientVerifyData)
	check(t, "client Finished message", append([]byte{20, 0, 0, 32}, clientVerify...), rfc8448.SimpleClientFinished)

	resHash := transcriptHash(t, rfc8448.SimpleClientHello, rfc8448.SimpleServerHello, rfc8448.SimpleEncryptedExtensions, rfc8448.SimpleServerCertificate, rfc8448.SimpleServerCertificateVerify, rfc8448.SimpleServerFinished, rfc8448.SimpleClientFinished)
	check(t, "Transcript-Hash(ClientHello..client Finished)", resHash, rfc8448.SimpleClientFinishedHash)
	resMaster := ms.Resumption(resHash)
	check(t, "resumption_master_secret", resMaster, rfc8448.SimpleResumptionMasterSecret)

	// The NewSessionTicket carries ticket_nonce 00 00 (after the 4-byte
	// header, ticket_lifetime and ticket_age_add comes its length byte).
	nst := hexBytes(t, rfc8448.SimpleNewSessionTicket)
	if nst[12] != 2 || !bytes.Equal(nst[13:15], hexBytes(t, rfc8448.SimpleTicketNonce)) {
		t.Fatalf("NewSessionTicket nonce is %x, want length 2 and %s", nst[12:15], rfc8448.SimpleTicketNonce)
	}
	check(t, "resumption PSK for nonce 00 00", ResumptionPSK(h, resMaster, nst[13:15]), rfc8448.SimpleResumptionPSK)

	// The engines derive several of these under one HMAC; the combined
	// forms must give the trace's values too. A second Handshake takes
	// the pooled HMAC keyed with "derived" the first one returned.
	check(t, "handshake secret (pooled extract)", early.Handshake(shared).Secret(), rfc8448.SimpleHandshakeSecret)
	c2, s2, ms2 := hs.TrafficAndMaster(helloHash)
	check(t, "TrafficAndMaster client", c2, rfc8448.SimpleClientHandshakeTrafficSecret)
	check(t, "TrafficAndMaster server", s2, rfc8448.SimpleServerHandshakeTrafficSecret)
	check(t, "TrafficAndMaster master", ms2.Secret(), rfc8448.SimpleMasterSecret)
	key, iv, sfk := HandshakeTrafficKey(h, sHS, 16)
	check(t, "HandshakeTrafficKey server key", key, rfc8448.SimpleServerHandshakeKey)
	check(t, "HandshakeTrafficKey server iv", iv, rfc8448.SimpleServerHandshakeIV)
	check(t, "server Finished from its finished_key", AppendFinishedMACKeyed(nil, h, sfk, cvHash), rfc8448.SimpleServerVerifyData)
	_, _, cfk := HandshakeTrafficKey(h, cHS, 16)
	check(t, "client Finished from its finished_key", AppendFinishedMACKeyed(nil, h, cfk, finHash), rfc8448.SimpleClientVerifyData)
	cAP2, sAP2, exp2, res2 := ms2.ApplicationAndResumption(finHash, resHash)
	check(t, "ApplicationAndResumption client", cAP2, rfc8448.SimpleClientApplicationTrafficSecret)
	check(t, "ApplicationAndResumption server", sAP2, rfc8448.SimpleServerApplicationTrafficSecret)
	check(t, "ApplicationAndResumption exporter", exp2, rfc8448.SimpleExporterMasterSecret)
	check(t, "ApplicationAndResumption resumption", res2, rfc8448.SimpleResumptionMasterSecret)
}

// TestResumptionEarlySecretRFC8448 checks the resumed trace (RFC 8448 §4)
// through NewResumptionEarlySecret, which derives the binder key and the
// "derived" salt under one HMAC and keeps the salt for Handshake.
func TestResumptionEarlySecretRFC8448(t *testing.T) {
	h := crypto.SHA256
	psk := hexBytes(t, rfc8448.ResumedPSK)
	for range 2 { // the second run takes the pooled zero-salt HMAC
		early, binderKey := NewResumptionEarlySecret(h, psk)
		check(t, "early secret", early.Secret(), rfc8448.ResumedEarlySecret)
		check(t, "binder key", binderKey, rfc8448.ResumedBinderKey)
		check(t, "binder", FinishedMAC(h, binderKey, hexBytes(t, rfc8448.ResumedBinderHash)), rfc8448.ResumedBinder)
		check(t, "handshake secret", early.Handshake(hexBytes(t, rfc8448.ResumedSharedSecret)).Secret(), rfc8448.ResumedHandshakeSecret)
		check(t, "handshake secret without the kept salt", NewEarlySecret(h, psk).Handshake(hexBytes(t, rfc8448.ResumedSharedSecret)).Secret(), rfc8448.ResumedHandshakeSecret)
	}
}

// TestEarlyTrafficRFC8448 checks the 0-RTT secrets of the resumed trace
// (RFC 8448 §4): the transcript hash is over the whole ClientHello with
// its binder, and the early key and IV come from the secret through the
// ordinary TrafficKey.
func TestEarlyTrafficRFC8448(t *testing.T) {
	h := crypto.SHA256
	chHash := transcriptHash(t, rfc8448.ResumedClientHello)
	check(t, "Transcript-Hash(ClientHello)", chHash, rfc8448.ResumedClientHelloHash)
	for _, early := range []EarlySecret{NewEarlySecret(h, hexBytes(t, rfc8448.ResumedPSK)), func() EarlySecret {
		e, _ := NewResumptionEarlySecret(h, hexBytes(t, rfc8448.ResumedPSK))
		return e
	}()} {
		secret := early.ClientEarlyTraffic(chHash)
		check(t, "client_early_traffic_secret", secret, rfc8448.ResumedClientEarlyTrafficSecret)
		check(t, "early_exporter_master_secret", early.EarlyExporter(chHash), rfc8448.ResumedEarlyExporterMasterSecret)
		key, iv := TrafficKey(h, secret, 16)
		check(t, "early write key", key, rfc8448.ResumedClientEarlyKey)
		check(t, "early write iv", iv, rfc8448.ResumedClientEarlyIV)
	}
}
