package wire

import (
	"bytes"
	"reflect"
	"testing"

	"lucid/internal/alert"
)

func ccBody(alg uint16, ulen uint32, comp []byte) []byte {
	b := []byte{byte(alg >> 8), byte(alg), byte(ulen >> 16), byte(ulen >> 8), byte(ulen)}
	b = append(b, byte(len(comp)>>16), byte(len(comp)>>8), byte(len(comp)))
	return append(b, comp...)
}

func TestCompressedCertificateRoundTrip(t *testing.T) {
	m := &CompressedCertificate{Algorithm: CertCompressionZstd, UncompressedLength: 0xabcdef, Compressed: []byte{1, 2, 3}}
	msg := m.Marshal()
	if !bytes.Equal(msg, cat([]byte{TypeCompressedCertificate, 0, 0, 11}, ccBody(3, 0xabcdef, []byte{1, 2, 3}))) {
		t.Fatalf("marshal %x", msg)
	}
	got, err := ParseCompressedCertificate(msg[HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v", got)
	}
	if MessageName(TypeCompressedCertificate) != "CompressedCertificate" {
		t.Fatal(MessageName(TypeCompressedCertificate))
	}
}

func TestCompressedCertificateRejections(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want alert.Description
	}{
		{"empty", nil, alert.DecodeError},
		{"empty compressed", ccBody(1, 10, nil), alert.DecodeError},
		{"length beyond body", cat(ccBody(1, 10, []byte{1, 2}))[:9], alert.DecodeError},
		{"trailing", cat(ccBody(1, 10, []byte{1}), []byte{0}), alert.DecodeError},
		{"zero uncompressed_length", ccBody(1, 0, []byte{1}), alert.BadCertificate},
	} {
		_, err := ParseCompressedCertificate(tc.body)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantAlert(t, err, tc.want)
	}
	if (&CompressedCertificate{Algorithm: 1, UncompressedLength: 1 << 24, Compressed: []byte{1}}).Marshal() != nil {
		t.Error("a 25-bit uncompressed_length was marshalled")
	}
	if (&CompressedCertificate{Algorithm: 1, UncompressedLength: 5}).Marshal() != nil {
		t.Error("an empty compressed message was marshalled")
	}
}

func TestCompressCertificateExtension(t *testing.T) {
	ch, err := ParseClientHello(chBody(ext(ExtCompressCertificate, 4, 0, 2, 0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ch.CertCompressionAlgorithms, []uint16{2, 1}) {
		t.Fatalf("algorithms %v", ch.CertCompressionAlgorithms)
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"empty list", ext(ExtCompressCertificate, 0)},
		{"odd list", ext(ExtCompressCertificate, 3, 0, 2, 0)},
		{"list past body", ext(ExtCompressCertificate, 4, 0, 2)},
		{"trailing", ext(ExtCompressCertificate, 2, 0, 2, 9)},
		{"an algorithm twice", ext(ExtCompressCertificate, 6, 0, 2, 0, 1, 0, 2)},
	} {
		_, err := ParseClientHello(chBody(tc.body))
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantAlert(t, err, alert.DecodeError)
	}
	cr := &CertificateRequest{SignatureSchemes: []uint16{0x0403}, CertCompressionAlgorithms: []uint16{1, 3}}
	got, err := ParseCertificateRequest(cr.Marshal()[HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.CertCompressionAlgorithms, cr.CertCompressionAlgorithms) {
		t.Fatalf("CR algorithms %v", got.CertCompressionAlgorithms)
	}
	// RFC 8879 defines no response: in EncryptedExtensions it is illegal.
	if _, err := ParseEncryptedExtensions(vec16(ext(ExtCompressCertificate, 2, 0, 1)...)); err == nil {
		t.Error("compress_certificate accepted in EncryptedExtensions")
	}
}

func FuzzParseCompressedCertificate(f *testing.F) {
	fuzzParser(f, TypeCompressedCertificate, ParseCompressedCertificate)
}
