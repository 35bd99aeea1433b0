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
)

// Known answers from RFC 8448 §3 ("Simple 1-RTT Handshake",
// TLS_AES_128_GCM_SHA256 with x25519), copied from the trace. Values the
// trace repeats (the PRK of every step, the client's "same as server"
// steps) appear once.
const (
	// client: create an ephemeral x25519 key pair private key (32 octets)
	rfcClientPriv = "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"
	// client: create an ephemeral x25519 key pair public key (32 octets)
	rfcClientPub = "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"
	// client: construct a ClientHello handshake message ClientHello (196 octets)
	rfcClientHello = "" +
		"010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef" +
		"6283024dece7000006130113031302010000910000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e" +
		"51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"00024001"
	// server: extract secret "early" IKM (32 octets)
	rfcEarlyIKM = "0000000000000000000000000000000000000000000000000000000000000000"
	// server: extract secret "early" secret (32 octets)
	rfcEarlySecret = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
	// server: create an ephemeral x25519 key pair private key (32 octets)
	rfcServerPriv = "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"
	// server: create an ephemeral x25519 key pair public key (32 octets)
	rfcServerPub = "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"
	// server: construct a ServerHello handshake message ServerHello (90 octets)
	rfcServerHello = "" +
		"020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155" +
		"772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb" +
		"f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	// server: derive secret for handshake "tls13 derived" hash (32 octets)
	rfcEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// server: derive secret for handshake "tls13 derived" info (49 octets)
	rfcDerivedHSInfo = "" +
		"00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb9" +
		"2427ae41e4649b934ca495991b7852b855"
	// server: derive secret for handshake "tls13 derived" expanded (32 octets)
	rfcDerivedHS = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
	// server: extract secret "handshake" IKM (32 octets)
	rfcSharedSecret = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"
	// server: extract secret "handshake" secret (32 octets)
	rfcHandshakeSecret = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
	// server: derive secret "tls13 c hs traffic" hash (32 octets)
	rfcHelloHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// server: derive secret "tls13 c hs traffic" info (54 octets)
	rfcCHSInfo = "" +
		"002012746c7331332063206873207472616666696320860c06edc07858ee8e78" +
		"f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// server: derive secret "tls13 c hs traffic" expanded (32 octets)
	rfcCHSTraffic = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
	// server: derive secret "tls13 s hs traffic" info (54 octets)
	rfcSHSInfo = "" +
		"002012746c7331332073206873207472616666696320860c06edc07858ee8e78" +
		"f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
	// server: derive secret "tls13 s hs traffic" expanded (32 octets)
	rfcSHSTraffic = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
	// server: derive secret for master "tls13 derived" info (49 octets)
	rfcDerivedMSInfo = "" +
		"00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb9" +
		"2427ae41e4649b934ca495991b7852b855"
	// server: derive secret for master "tls13 derived" expanded (32 octets)
	rfcDerivedMS = "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4"
	// server: extract secret "master" IKM (32 octets)
	rfcMasterIKM = "0000000000000000000000000000000000000000000000000000000000000000"
	// server: extract secret "master" secret (32 octets)
	rfcMasterSecret = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"
	// server: derive write traffic keys for handshake data key info (13 octets)
	rfcKeyInfo = "001009746c733133206b657900"
	// server: derive write traffic keys for handshake data key expanded (16 octets)
	rfcServerHSKey = "3fce516009c21727d0f2e4e86ee403bc"
	// server: derive write traffic keys for handshake data iv info (12 octets)
	rfcIVInfo = "000c08746c73313320697600"
	// server: derive write traffic keys for handshake data iv expanded (12 octets)
	rfcServerHSIV = "5d313eb2671276ee13000b30"
	// server: construct an EncryptedExtensions handshake message EncryptedExtensions (40 octets)
	rfcEncryptedExtensions = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000"
	// server: construct a Certificate handshake message Certificate (445 octets)
	rfcCertificate = "" +
		"0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a" +
		"864886f70d01010b0500300e310c300a06035504031303727361301e170d3136" +
		"303733303031323335395a170d3236303733303031323335395a300e310c300a" +
		"0603550403130372736130819f300d06092a864886f70d010101050003818d00" +
		"30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826" +
		"d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312" +
		"0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480" +
		"30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a" +
		"8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355" +
		"1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5" +
		"b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5" +
		"8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102" +
		"702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0" +
		"a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
	// server: construct a CertificateVerify handshake message CertificateVerify (136 octets)
	rfcCertificateVerify = "" +
		"0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a" +
		"b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee" +
		"aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c" +
		"9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2" +
		"0d53dfacd42f74f3"
	// server: calculate finished "tls13 finished" info (18 octets)
	rfcFinishedInfo = "00200e746c7331332066696e697368656400"
	// server: calculate finished "tls13 finished" expanded (32 octets)
	rfcServerFinishedKey = "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"
	// server: calculate finished "tls13 finished" finished (32 octets)
	rfcServerVerifyData = "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
	// server: construct a Finished handshake message Finished (36 octets)
	rfcServerFinished = "" +
		"140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454" +
		"b78f0718"
	// server: derive secret "tls13 c ap traffic" hash (32 octets)
	rfcServerFinishedHash = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// server: derive secret "tls13 c ap traffic" info (54 octets)
	rfcCAPInfo = "" +
		"002012746c73313320632061702074726166666963209608102a0f1ccc6db625" +
		"0b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// server: derive secret "tls13 c ap traffic" expanded (32 octets)
	rfcCAPTraffic = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
	// server: derive secret "tls13 s ap traffic" info (54 octets)
	rfcSAPInfo = "" +
		"002012746c73313320732061702074726166666963209608102a0f1ccc6db625" +
		"0b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
	// server: derive secret "tls13 s ap traffic" expanded (32 octets)
	rfcSAPTraffic = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
	// server: derive secret "tls13 exp master" info (52 octets)
	rfcExpInfo = "" +
		"002010746c73313320657870206d6173746572209608102a0f1ccc6db6250b7b" +
		"7e417b1a000eaada3daae4777a7686c9ff83df13"
	// server: derive secret "tls13 exp master" expanded (32 octets)
	rfcExpMaster = "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"
	// server: derive write traffic keys for application data key expanded (16 octets)
	rfcServerAPKey = "9f02283b6c9c07efc26bb9f2ac92e356"
	// server: derive write traffic keys for application data iv expanded (12 octets)
	rfcServerAPIV = "cf782b88dd83549aadf1e984"
	// server: derive read traffic keys for handshake data key expanded (16 octets)
	rfcClientHSKey = "dbfaa693d1762c5b666af5d950258d01"
	// server: derive read traffic keys for handshake data iv expanded (12 octets)
	rfcClientHSIV = "5bd3c71b836e0b76bb73265f"
	// client: calculate finished "tls13 finished" expanded (32 octets)
	rfcClientFinishedKey = "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4"
	// client: calculate finished "tls13 finished" finished (32 octets)
	rfcClientVerifyData = "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"
	// client: construct a Finished handshake message Finished (36 octets)
	rfcClientFinished = "" +
		"14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2" +
		"edd5ce61"
	// client: derive write traffic keys for application data key expanded (16 octets)
	rfcClientAPKey = "17422dda596ed5d9acd890e3c63f5051"
	// client: derive write traffic keys for application data iv expanded (12 octets)
	rfcClientAPIV = "5b78923dee08579033e523d9"
	// client: derive secret "tls13 res master" hash (32 octets)
	rfcClientFinishedHash = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d"
	// client: derive secret "tls13 res master" info (52 octets)
	rfcResInfo = "" +
		"002010746c73313320726573206d617374657220209145a96ee8e2a122ff8100" +
		"47cc952684658d6049e86429426db87c54ad143d"
	// client: derive secret "tls13 res master" expanded (32 octets)
	rfcResMaster = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c"
	// server: generate resumption secret "tls13 resumption" hash (2 octets)
	rfcTicketNonce = "0000"
	// server: generate resumption secret "tls13 resumption" info (22 octets)
	rfcResumptionInfo = "002010746c73313320726573756d7074696f6e020000"
	// server: generate resumption secret "tls13 resumption" expanded (32 octets)
	rfcResumptionPSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"
	// server: construct a NewSessionTicket handshake message NewSessionTicket (205 octets)
	rfcNewSessionTicket = "" +
		"040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000" +
		"00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a" +
		"bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827" +
		"db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529" +
		"513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764" +
		"6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a" +
		"e4d3570008002a000400000400"
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
		{"derived (for handshake)", rfcEarlySecret, "derived", rfcEmptyHash, rfcDerivedHSInfo, 32, rfcDerivedHS},
		{"c hs traffic", rfcHandshakeSecret, "c hs traffic", rfcHelloHash, rfcCHSInfo, 32, rfcCHSTraffic},
		{"s hs traffic", rfcHandshakeSecret, "s hs traffic", rfcHelloHash, rfcSHSInfo, 32, rfcSHSTraffic},
		{"derived (for master)", rfcHandshakeSecret, "derived", rfcEmptyHash, rfcDerivedMSInfo, 32, rfcDerivedMS},
		{"server handshake write key", rfcSHSTraffic, "key", "", rfcKeyInfo, 16, rfcServerHSKey},
		{"server handshake write iv", rfcSHSTraffic, "iv", "", rfcIVInfo, 12, rfcServerHSIV},
		{"server finished_key", rfcSHSTraffic, "finished", "", rfcFinishedInfo, 32, rfcServerFinishedKey},
		{"c ap traffic", rfcMasterSecret, "c ap traffic", rfcServerFinishedHash, rfcCAPInfo, 32, rfcCAPTraffic},
		{"s ap traffic", rfcMasterSecret, "s ap traffic", rfcServerFinishedHash, rfcSAPInfo, 32, rfcSAPTraffic},
		{"exp master", rfcMasterSecret, "exp master", rfcServerFinishedHash, rfcExpInfo, 32, rfcExpMaster},
		{"server application write key", rfcSAPTraffic, "key", "", rfcKeyInfo, 16, rfcServerAPKey},
		{"server application write iv", rfcSAPTraffic, "iv", "", rfcIVInfo, 12, rfcServerAPIV},
		{"server handshake read key", rfcCHSTraffic, "key", "", rfcKeyInfo, 16, rfcClientHSKey},
		{"server handshake read iv", rfcCHSTraffic, "iv", "", rfcIVInfo, 12, rfcClientHSIV},
		{"client finished_key", rfcCHSTraffic, "finished", "", rfcFinishedInfo, 32, rfcClientFinishedKey},
		{"client application write key", rfcCAPTraffic, "key", "", rfcKeyInfo, 16, rfcClientAPKey},
		{"client application write iv", rfcCAPTraffic, "iv", "", rfcIVInfo, 12, rfcClientAPIV},
		{"res master", rfcMasterSecret, "res master", rfcClientFinishedHash, rfcResInfo, 32, rfcResMaster},
		{"resumption", rfcResMaster, "resumption", rfcTicketNonce, rfcResumptionInfo, 32, rfcResumptionPSK},
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
	clientPriv, err := x.NewPrivateKey(hexBytes(t, rfcClientPriv))
	if err != nil {
		t.Fatal(err)
	}
	serverPriv, err := x.NewPrivateKey(hexBytes(t, rfcServerPriv))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client public key", clientPriv.PublicKey().Bytes(), rfcClientPub)
	check(t, "server public key", serverPriv.PublicKey().Bytes(), rfcServerPub)
	serverPub, err := x.NewPublicKey(hexBytes(t, rfcServerPub))
	if err != nil {
		t.Fatal(err)
	}
	clientPub, err := x.NewPublicKey(hexBytes(t, rfcClientPub))
	if err != nil {
		t.Fatal(err)
	}
	shared, err := clientPriv.ECDH(serverPub)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shared secret (client side) = IKM of extract handshake", shared, rfcSharedSecret)
	serverShared, err := serverPriv.ECDH(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shared secret (server side)", serverShared, rfcSharedSecret)

	check(t, "EmptyHash", EmptyHash(h), rfcEmptyHash)

	// Early secret: Extract(0, 0...0); nil PSK means 32 zero octets.
	early := NewEarlySecret(h, nil)
	check(t, "early secret", early.Secret(), rfcEarlySecret)
	check(t, "early secret from explicit zero IKM", NewEarlySecret(h, hexBytes(t, rfcEarlyIKM)).Secret(), rfcEarlySecret)
	check(t, "derived (for handshake)", ExpandLabel(h, early.Secret(), "derived", EmptyHash(h), h.Size()), rfcDerivedHS)

	hs := early.Handshake(shared)
	check(t, "handshake secret", hs.Secret(), rfcHandshakeSecret)

	helloHash := transcriptHash(t, rfcClientHello, rfcServerHello)
	check(t, "Transcript-Hash(ClientHello, ServerHello)", helloHash, rfcHelloHash)
	cHS := hs.ClientTraffic(helloHash)
	sHS := hs.ServerTraffic(helloHash)
	check(t, "client_handshake_traffic_secret", cHS, rfcCHSTraffic)
	check(t, "server_handshake_traffic_secret", sHS, rfcSHSTraffic)
	check(t, "derived (for master)", ExpandLabel(h, hs.Secret(), "derived", EmptyHash(h), h.Size()), rfcDerivedMS)

	key, iv := TrafficKey(h, sHS, 16)
	check(t, "server handshake write key", key, rfcServerHSKey)
	check(t, "server handshake write iv", iv, rfcServerHSIV)
	key, iv = TrafficKey(h, cHS, 16)
	check(t, "client handshake write key", key, rfcClientHSKey)
	check(t, "client handshake write iv", iv, rfcClientHSIV)

	// Server Finished over ClientHello..CertificateVerify; it must be the
	// verify_data of the trace's Finished message.
	cvHash := transcriptHash(t, rfcClientHello, rfcServerHello, rfcEncryptedExtensions, rfcCertificate, rfcCertificateVerify)
	serverVerify := FinishedMAC(h, sHS, cvHash)
	check(t, "server finished verify_data", serverVerify, rfcServerVerifyData)
	check(t, "server Finished message", append([]byte{20, 0, 0, 32}, serverVerify...), rfcServerFinished)

	ms := hs.Master()
	check(t, "master secret", ms.Secret(), rfcMasterSecret)
	// The trace's extract step: salt "derived", IKM all zeros.
	if prk, err := hkdf.Extract(sha256.New, hexBytes(t, rfcMasterIKM), hexBytes(t, rfcDerivedMS)); err != nil {
		t.Fatal(err)
	} else {
		check(t, "HKDF-Extract(derived, 0...0)", prk, rfcMasterSecret)
	}

	finHash := transcriptHash(t, rfcClientHello, rfcServerHello, rfcEncryptedExtensions, rfcCertificate, rfcCertificateVerify, rfcServerFinished)
	check(t, "Transcript-Hash(ClientHello..server Finished)", finHash, rfcServerFinishedHash)
	cAP := ms.ClientTraffic(finHash)
	sAP := ms.ServerTraffic(finHash)
	check(t, "client_application_traffic_secret_0", cAP, rfcCAPTraffic)
	check(t, "server_application_traffic_secret_0", sAP, rfcSAPTraffic)
	check(t, "exporter_master_secret", ms.Exporter(finHash), rfcExpMaster)

	key, iv = TrafficKey(h, sAP, 16)
	check(t, "server application write key", key, rfcServerAPKey)
	check(t, "server application write iv", iv, rfcServerAPIV)
	key, iv = TrafficKey(h, cAP, 16)
	check(t, "client application write key", key, rfcClientAPKey)
	check(t, "client application write iv", iv, rfcClientAPIV)

	clientVerify := FinishedMAC(h, cHS, finHash)
	check(t, "client finished verify_data", clientVerify, rfcClientVerifyData)
	check(t, "client Finished message", append([]byte{20, 0, 0, 32}, clientVerify...), rfcClientFinished)

	resHash := transcriptHash(t, rfcClientHello, rfcServerHello, rfcEncryptedExtensions, rfcCertificate, rfcCertificateVerify, rfcServerFinished, rfcClientFinished)
	check(t, "Transcript-Hash(ClientHello..client Finished)", resHash, rfcClientFinishedHash)
	resMaster := ms.Resumption(resHash)
	check(t, "resumption_master_secret", resMaster, rfcResMaster)

	// The NewSessionTicket carries ticket_nonce 00 00 (after the 4-byte
	// header, ticket_lifetime and ticket_age_add comes its length byte).
	nst := hexBytes(t, rfcNewSessionTicket)
	if nst[12] != 2 || !bytes.Equal(nst[13:15], hexBytes(t, rfcTicketNonce)) {
		t.Fatalf("NewSessionTicket nonce is %x, want length 2 and %s", nst[12:15], rfcTicketNonce)
	}
	check(t, "resumption PSK for nonce 00 00", ResumptionPSK(h, resMaster, nst[13:15]), rfcResumptionPSK)
}
