package trace

import "fmt"

// SeedStep is one numbered step of the seed document's account of HTTPS
// (seed/000_bd11187786e6cc67.txt, section "流程", outside the repository;
// docs/story.md tells it in English), with what Lucid does at that step.
type SeedStep struct {
	// Number is the step's number in the seed, 1 to 8.
	Number int
	// Title is a short English title, such as "client checks the
	// certificate".
	Title string
	// TitleZH is the seed's own Chinese title for the step.
	TitleZH string
	// Explanation is one sentence on what the step means in TLS as Lucid
	// implements it.
	Explanation string
}

// Label is the short form the timeline prints when a connection reaches a
// new step, such as "[seed 4: client checks the certificate]".
func (s SeedStep) Label() string {
	return fmt.Sprintf("[seed %d: %s]", s.Number, s.Title)
}

// SeedSteps maps a step number (1 to 8, as in tls.Event.SeedStep) to its
// titles and explanation. It is the single source of these titles: the
// timeline, the inspection page and the demo all read them from here. The
// numbers of messages and keys come from the shape table
// (internal/handshake, Step.SeedStep), which TestSeedStepsCoverTable
// keeps within this map. Treat it as read-only.
var SeedSteps = map[int]SeedStep{
	1: {1, "client starts the HTTPS request", "客户端发起HTTPS请求",
		"The client connects (port 443 for HTTPS) and sends ClientHello with the versions, cipher suites, groups and key shares it supports and a fresh random; the server answers with ServerHello, its choice and its own random."},
	2: {2, "server has a certificate", "服务端配置数字证书",
		"The server holds a certificate and its private key, made by itself or issued by a CA (Config.Certificates, for example issued by the lucid ca command); a self-made one is accepted only by clients told to trust it."},
	3: {3, "server sends its certificate", "传送证书",
		"The Certificate message carries the server's public key together with its name, issuer and validity period, all signed by the issuing CA."},
	4: {4, "client checks the certificate", "客户端解析证书",
		"The client checks that the chain leads to a CA it trusts, that the dates and the host name fit and that every signature holds; Lucid reports each check it makes, and a failure is a fatal alert with an explanation, never a warning to click through."},
	5: {5, "key exchange", "传送加密信息",
		"In the seed the client encrypts a random value with the server's public key; TLS 1.2's legacy RSA key transport does just that, while modern TLS exchanges (EC)DHE key shares that the server signs (ServerKeyExchange in 1.2, CertificateVerify in 1.3), so a stolen private key cannot decrypt recorded traffic."},
	// The seed writes this title "服务段解密信息"; 段 is a typo for 端.
	6: {6, "both sides derive the session keys", "服务端解密信息",
		"Both sides turn the shared secret and both randoms into the same session keys (the TLS 1.2 PRF or the TLS 1.3 HKDF key schedule), and each Finished message carries a MAC over every handshake message so tampering is caught."},
	7: {7, "encrypted data is sent", "传输加密后的信息",
		"Application data travels in records encrypted and authenticated with the session keys, and each record's sequence number enters its nonce or MAC, so a replayed or reordered record is rejected."},
	8: {8, "the receiver decrypts and verifies", "客户端解密信息",
		"The receiver decrypts each record with the session key and compares its authentication tag, the seed's MAC comparison; a mismatch is a bad_record_mac alert, never silently corrupted data."},
}
