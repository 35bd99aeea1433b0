package record

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"lucid/internal/suites"
)

// Records of RFC 8448 §3 ("Simple 1-RTT Handshake",
// TLS_AES_128_GCM_SHA256), copied from the trace: the traffic keys and IVs
// of each direction and the payload and complete record of every record
// sent.
const (
	// client: send handshake record payload (196 octets)
	rfcClientHello = "" +
		"010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef" +
		"6283024dece7000006130113031302010000910000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e" +
		"51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"00024001"
	// client: send handshake record complete record (201 octets)
	rfcClientHelloRecord = "" +
		"16030100c4010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d99" +
		"12ec18a2ef6283024dece7000006130113031302010000910000000b00090000" +
		"06736572766572ff01000100000a00140012001d001700180019010001010102" +
		"0103010400230000003300260024001d002099381de560e4bd43d23d8e435a7d" +
		"bafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e04" +
		"0305030603020308040805080604010501060102010402050206020202002d00" +
		"020101001c00024001"
	// server: send handshake record payload (90 octets)
	rfcServerHello = "" +
		"020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155" +
		"772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb" +
		"f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	// server: send handshake record complete record (95 octets)
	rfcServerHelloRecord = "" +
		"160303005a020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb" +
		"1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095" +
		"fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	// server: derive write traffic keys for handshake data key expanded (16 octets)
	rfcServerHSKey = "3fce516009c21727d0f2e4e86ee403bc"
	// server: derive write traffic keys for handshake data iv expanded (12 octets)
	rfcServerHSIV = "5d313eb2671276ee13000b30"
	// server: send handshake record payload (657 octets)
	rfcServerFlight = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"00024001000000000b0001b9000001b50001b0308201ac30820115a003020102" +
		"020102300d06092a864886f70d01010b0500300e310c300a0603550403130372" +
		"7361301e170d3136303733303031323335395a170d3236303733303031323335" +
		"395a300e310c300a0603550403130372736130819f300d06092a864886f70d01" +
		"0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c" +
		"0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19e" +
		"aa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e2" +
		"2a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a" +
		"8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304" +
		"023000300b0603551d0f0404030205a0300d06092a864886f70d01010b050003" +
		"81810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594" +
		"365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd" +
		"335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb" +
		"2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4" +
		"2b4de100000f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f82" +
		"4cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef78" +
		"0c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671" +
		"459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda" +
		"65cdf5aea20d53dfacd42f74f3140000209b9b141d906337fbd2cbdce71df4de" +
		"da4ab42c309572cb7fffee5454b78f0718"
	// server: send handshake record complete record (679 octets)
	rfcServerFlightRecord = "" +
		"17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35e" +
		"df7869fcf40aa40aa2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78" +
		"b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13b" +
		"d9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9" +
		"d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e" +
		"d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd61092" +
		"8d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09ead68694" +
		"5ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b368" +
		"4596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f" +
		"4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26" +
		"f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531" +
		"7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e" +
		"1b7a6c7178af36879018e3f252107f243d243dc7339d5684c8b0378bf30244da" +
		"8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d4" +
		"61e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe" +
		"5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb" +
		"992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c859" +
		"77b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038" +
		"ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b84" +
		"5e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5" +
		"d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e" +
		"750edc53370d2b"
	// server: derive write traffic keys for application data key expanded (16 octets)
	rfcServerAPKey = "9f02283b6c9c07efc26bb9f2ac92e356"
	// server: derive write traffic keys for application data iv expanded (12 octets)
	rfcServerAPIV = "cf782b88dd83549aadf1e984"
	// server: derive read traffic keys for handshake data key expanded (16 octets)
	rfcClientHSKey = "dbfaa693d1762c5b666af5d950258d01"
	// server: derive read traffic keys for handshake data iv expanded (12 octets)
	rfcClientHSIV = "5bd3c71b836e0b76bb73265f"
	// client: send handshake record payload (36 octets)
	rfcClientFinished = "" +
		"14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2" +
		"edd5ce61"
	// client: send handshake record complete record (58 octets)
	rfcClientFinishedRecord = "" +
		"170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc" +
		"44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546"
	// client: derive write traffic keys for application data key expanded (16 octets)
	rfcClientAPKey = "17422dda596ed5d9acd890e3c63f5051"
	// client: derive write traffic keys for application data iv expanded (12 octets)
	rfcClientAPIV = "5b78923dee08579033e523d9"
	// server: send handshake record payload (205 octets)
	rfcNewSessionTicket = "" +
		"040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec9000000" +
		"00262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a" +
		"bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827" +
		"db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529" +
		"513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764" +
		"6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a" +
		"e4d3570008002a000400000400"
	// server: send handshake record complete record (227 octets)
	rfcNewSessionTicketRecord = "" +
		"17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d4" +
		"1d6af8f6b580dcf3d11d63c758db289a015940252f55713e061dc13e078891a3" +
		"8efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e0" +
		"9c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406" +
		"f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651" +
		"9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74" +
		"bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779b37bf159" +
		"85684f"
	// client: send application_data record payload (50 octets)
	rfcClientAppData = "" +
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
		"202122232425262728292a2b2c2d2e2f3031"
	// client: send application_data record complete record (72 octets)
	rfcClientAppDataRecord = "" +
		"1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f" +
		"2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae6" +
		"3aeebb21694915e4"
	// server: send application_data record payload (50 octets)
	rfcServerAppData = "" +
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
		"202122232425262728292a2b2c2d2e2f3031"
	// server: send application_data record complete record (72 octets)
	rfcServerAppDataRecord = "" +
		"17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36" +
		"e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf33254" +
		"0dd032e167c2955d"
	// client: send alert record payload (2 octets)
	rfcClientAlert = "0100"
	// client: send alert record complete record (24 octets)
	rfcClientAlertRecord = "1703030013c9872760655666b74d7ff1153efd6db6d0b0e3"
	// server: send alert record payload (2 octets)
	rfcServerAlert = "0100"
	// server: send alert record complete record (24 octets)
	rfcServerAlertRecord = "1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9"
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

// newAEAD13 returns fresh TLS_AES_128_GCM_SHA256 record protection, at
// sequence number 0, for a key and IV given in hex.
func newAEAD13(t *testing.T, key, iv string) *AEAD13 {
	t.Helper()
	aead, err := suites.Lookup13(suites.TLS_AES_128_GCM_SHA256).NewAEAD(hexBytes(t, key))
	if err != nil {
		t.Fatal(err)
	}
	return NewAEAD13(aead, hexBytes(t, iv))
}

// seal calls s.Seal, turning a panic into an error so that one failure does
// not hide the others.
func seal(s Sealer, dst []byte, typ uint8, payload []byte, padding int) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Seal panicked: %v", r)
		}
	}()
	return s.Seal(dst, typ, payload, padding)
}

// open calls o.Open on a copy of rec (Open decrypts in place), turning a
// panic into an error.
func open(o Opener, rec []byte) (typ uint8, plaintext []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Open panicked: %v", r)
		}
	}()
	return o.Open(bytes.Clone(rec))
}

type rfcRecord struct {
	name            string
	typ             uint8
	payload, record string
}

// rfc8448Protected lists the protected records of §3 by traffic key, in
// the order they are sent: each key's sequence numbers run on from record
// to record (the server's application data is its second record under the
// application key, after the NewSessionTicket, so sequence number 1).
var rfc8448Protected = []struct {
	name    string
	key, iv string
	records []rfcRecord
}{
	{"server handshake", rfcServerHSKey, rfcServerHSIV, []rfcRecord{
		{"EncryptedExtensions..Finished", TypeHandshake, rfcServerFlight, rfcServerFlightRecord},
	}},
	{"client handshake", rfcClientHSKey, rfcClientHSIV, []rfcRecord{
		{"Finished", TypeHandshake, rfcClientFinished, rfcClientFinishedRecord},
	}},
	{"server application", rfcServerAPKey, rfcServerAPIV, []rfcRecord{
		{"NewSessionTicket", TypeHandshake, rfcNewSessionTicket, rfcNewSessionTicketRecord},
		{"application_data", TypeApplicationData, rfcServerAppData, rfcServerAppDataRecord},
		{"alert", TypeAlert, rfcServerAlert, rfcServerAlertRecord},
	}},
	{"client application", rfcClientAPKey, rfcClientAPIV, []rfcRecord{
		{"application_data", TypeApplicationData, rfcClientAppData, rfcClientAppDataRecord},
		{"alert", TypeAlert, rfcClientAlert, rfcClientAlertRecord},
	}},
}

func TestRFC8448Payloads(t *testing.T) {
	want := make([]byte, 50)
	for i := range want {
		want[i] = byte(i)
	}
	for _, p := range []string{rfcClientAppData, rfcServerAppData} {
		if got := hexBytes(t, p); !bytes.Equal(got, want) {
			t.Errorf("application data payload %x, want 00 01 .. 31", got)
		}
	}
	for _, p := range []string{rfcClientAlert, rfcServerAlert} {
		if got := hexBytes(t, p); !bytes.Equal(got, []byte{1, 0}) {
			t.Errorf("alert payload %x, want 01 00 (warning close_notify)", got)
		}
	}
}

// TestRFC8448Seal protects each payload with one AEAD13 per traffic key,
// into a fresh (nil) buffer, and compares the record byte for byte.
func TestRFC8448Seal(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			s := newAEAD13(t, d.key, d.iv)
			for i, r := range d.records {
				if s.Seq() != uint64(i) {
					t.Errorf("%s: Seq() = %d before sealing, want %d", r.name, s.Seq(), i)
				}
				got, err := seal(s, nil, r.typ, hexBytes(t, r.payload), 0)
				if err != nil {
					t.Errorf("%s (seq %d): %v", r.name, i, err)
					continue
				}
				if want := hexBytes(t, r.record); !bytes.Equal(got, want) {
					t.Errorf("%s (seq %d):\n got %x\nwant %x", r.name, i, got, want)
				}
			}
		})
	}
}

// TestRFC8448SealAppend protects each direction's records one after another
// into one buffer with room to spare, as a connection's output buffer does:
// Seal must append each record after the ones before it.
func TestRFC8448SealAppend(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			s := newAEAD13(t, d.key, d.iv)
			prefix := []byte("unrelated bytes already buffered")
			buf := append(make([]byte, 0, 4096), prefix...)
			want := bytes.Clone(prefix)
			for _, r := range d.records {
				var err error
				buf, err = seal(s, buf, r.typ, hexBytes(t, r.payload), 0)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				want = append(want, hexBytes(t, r.record)...)
			}
			if !bytes.Equal(buf, want) {
				t.Errorf("buffer:\n got %x\nwant %x", buf, want)
			}
		})
	}
}

// TestRFC8448Open opens the trace's records with one fresh AEAD13 per
// traffic key, in order, and gets back each content type and payload.
func TestRFC8448Open(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			o := newAEAD13(t, d.key, d.iv)
			for i, r := range d.records {
				if o.Seq() != uint64(i) {
					t.Errorf("%s: Seq() = %d before opening, want %d", r.name, o.Seq(), i)
				}
				typ, got, err := open(o, hexBytes(t, r.record))
				if err != nil {
					t.Fatalf("%s (seq %d): %v", r.name, i, err)
				}
				if typ != r.typ {
					t.Errorf("%s: content type %d, want %d", r.name, typ, r.typ)
				}
				if want := hexBytes(t, r.payload); !bytes.Equal(got, want) {
					t.Errorf("%s: plaintext\n got %x\nwant %x", r.name, got, want)
				}
			}
			if o.Seq() != uint64(len(d.records)) {
				t.Errorf("Seq() = %d after %d records", o.Seq(), len(d.records))
			}
		})
	}
}

// TestRFC8448Plain checks the unprotected ClientHello and ServerHello
// records of the trace (legacy_record_version 0x0301 and 0x0303).
func TestRFC8448Plain(t *testing.T) {
	for _, tt := range []struct {
		name            string
		version         uint16
		payload, record string
	}{
		{"ClientHello", 0x0301, rfcClientHello, rfcClientHelloRecord},
		{"ServerHello", 0x0303, rfcServerHello, rfcServerHelloRecord},
	} {
		p := &Plain{Version: tt.version}
		payload, want := hexBytes(t, tt.payload), hexBytes(t, tt.record)
		got, err := seal(p, nil, TypeHandshake, payload, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s record:\n got %x\nwant %x", tt.name, got, want)
		}
		h, err := ParseHeader(want[:HeaderLen])
		if err != nil || h.Type != TypeHandshake || h.Version != tt.version || h.Length != len(payload) {
			t.Errorf("%s: ParseHeader = %+v, %v", tt.name, h, err)
		}
		typ, body, err := open(p, want)
		if err != nil || typ != TypeHandshake || !bytes.Equal(body, payload) {
			t.Errorf("%s: Open = %d, %x, %v", tt.name, typ, body, err)
		}
	}
}
